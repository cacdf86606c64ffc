// Package tomlpos finds where things are in a TOML document: the line of
// every key, array element and array-of-tables entry, the lines of
// [[...]] headers, and how deeply arrays and inline tables nest.
// github.com/BurntSushi/toml keeps key positions private (MetaData exposes
// only the order of keys) and has no depth limit, so this is a small
// hand-written scanner, the one guard has: it follows table headers, dotted
// keys, inline tables and arrays, and skips strings and comments. The
// policy reader gives every error a line with it; the TOML lockfile
// parsers give each package its line and refuse deep nesting before
// decoding (the decoder takes time superlinear in the depth).
//
// Paths are segments (Key joins them); array elements and array-of-tables
// entries are Index segments ("[0]", 0-based).
package tomlpos

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
)

var (
	tripleQuote = []byte(`"""`)
	tripleApos  = []byte("'''")
)

// Doc is what Scan found in a document.
type Doc struct {
	// Lines maps the Key of every key path, array element and
	// array-of-tables entry to its 1-based line.
	Lines map[string]int
	// headers are the [[...]] headers in order: dotted key as written
	// (quotes and spaces removed) and line.
	headers []header
	// depthLine[d-1] is the first line where arrays and inline tables nest
	// d deep.
	depthLine []int
}

type header struct {
	key  string
	line int
}

// MaxNesting is how deeply arrays and inline tables may nest in a TOML file
// guard decodes (lockfiles, policies, manifests): real files nest two or
// three levels, and the decoder takes time superlinear in the depth, so a
// hostile file could otherwise stall guard for seconds.
const MaxNesting = 64

// maxDepth bounds the scanner's recursion: deeper values are skipped to
// the end of their line.
const maxDepth = 256

type locator struct {
	src      []byte
	i        int
	newlines []int
	doc      *Doc
	aot      map[string]int // array-of-tables path → entries so far
	scratch  []string
	cut      bool // a value nested too deep was skipped
}

// Scan reads a TOML document. On text that is not valid TOML it still
// terminates and simply knows fewer lines.
func Scan(src []byte) *Doc { return scan(src, map[string]int{}) }

// Outline is Scan without Lines: the headers and the depth, for less.
func Outline(src []byte) *Doc { return scan(src, nil) }

func scan(src []byte, lines map[string]int) *Doc {
	l := &locator{src: src, doc: &Doc{Lines: lines}, aot: map[string]int{}}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			l.newlines = append(l.newlines, i)
		}
	}
	l.document()
	return l.doc
}

// Key is the key of a path in Lines: its segments joined by "\x00".
func Key(segs ...string) string { return strings.Join(segs, "\x00") }

// Index is the path segment of the i-th (0-based) element of an array or
// entry of an array of tables.
func Index(i int) string { return "[" + strconv.Itoa(i) + "]" }

// ArrayHeaderLines returns the lines of the [[key]] headers, in order; key
// is dotted ("package.files"). Callers use it to give the i-th decoded
// entry of an array of tables its line, when the counts agree.
func (d *Doc) ArrayHeaderLines(key string) []int {
	var out []int
	for _, h := range d.headers {
		if h.key == key {
			out = append(out, h.line)
		}
	}
	return out
}

// DeeperThan returns the first line where arrays and inline tables nest
// more than n deep, and whether they do.
func (d *Doc) DeeperThan(n int) (int, bool) {
	if n < len(d.depthLine) {
		return d.depthLine[n], true
	}
	return 0, false
}

func (l *locator) lineAt(off int) int { return sort.SearchInts(l.newlines, off) + 1 }

func (l *locator) record(segs []string, off int) {
	if l.doc.Lines == nil {
		return
	}
	k := Key(segs...)
	if _, ok := l.doc.Lines[k]; !ok {
		l.doc.Lines[k] = l.lineAt(off)
	}
}

// extend is path with more segments, in a new slice; nil when no lines
// are recorded (key-value paths are needed only for them).
func (l *locator) extend(path []string, more ...string) []string {
	if l.doc.Lines == nil {
		return nil
	}
	return append(append(make([]string, 0, len(path)+len(more)), path...), more...)
}

func (l *locator) peek(n int) byte {
	if l.i+n < len(l.src) {
		return l.src[l.i+n]
	}
	return 0
}

// skipSpace skips spaces and tabs; with nl also newlines and comments.
func (l *locator) skipSpace(nl bool) {
	for l.i < len(l.src) {
		switch c := l.src[l.i]; {
		case c == ' ' || c == '\t':
			l.i++
		case nl && (c == '\n' || c == '\r'):
			l.i++
		case nl && c == '#':
			l.skipLine()
		default:
			return
		}
	}
}

func (l *locator) skipLine() {
	for l.i < len(l.src) && l.src[l.i] != '\n' {
		l.i++
	}
}

func (l *locator) document() {
	var cur []string
	for l.i < len(l.src) {
		l.cut = false
		l.skipSpace(true)
		if l.i >= len(l.src) {
			return
		}
		start := l.i
		if l.src[l.i] == '[' {
			aot := l.peek(1) == '['
			if aot {
				l.i += 2
			} else {
				l.i++
			}
			segs := l.key(true)
			if len(segs) == 0 {
				l.skipLine()
				continue
			}
			if aot {
				parent := l.resolve(segs[:len(segs)-1])
				for j := range parent {
					l.record(parent[:j+1], start)
				}
				arr := append(parent, segs[len(segs)-1])
				l.record(arr, start)
				l.doc.headers = append(l.doc.headers, header{strings.Join(segs, "."), l.lineAt(start)})
				base := Key(arr...)
				n := l.aot[base]
				l.aot[base] = n + 1
				cur = append(append([]string{}, arr...), Index(n))
				l.record(cur, start)
			} else {
				cur = l.resolve(segs)
				for j := range cur {
					l.record(cur[:j+1], start)
				}
			}
			l.skipLine()
			continue
		}
		if !l.keyValue(cur, start, 0) {
			continue
		}
		l.skipSpace(false)
		if l.peek(0) == '#' {
			l.skipLine()
		}
	}
}

// keyValue reads "key = value" at start, the key below base: it records
// the path's new prefixes at start and reads the value at depth. Where no
// key stands it moves past start and reports false.
func (l *locator) keyValue(base []string, start, depth int) bool {
	segs := l.key(l.doc.Lines != nil)
	if len(segs) == 0 {
		l.i = start + 1
		return false
	}
	full := l.extend(base, segs...)
	for j := len(base); j < len(full); j++ {
		l.record(full[:j+1], start)
	}
	l.skipSpace(false)
	if l.peek(0) == '=' {
		l.i++
		l.value(full, depth)
	}
	return true
}

// resolve turns a header's key into a concrete path: a prefix that names an
// array of tables refers to its last entry.
func (l *locator) resolve(segs []string) []string {
	var out []string
	for _, s := range segs {
		out = append(out, s)
		if n, ok := l.aot[Key(out...)]; ok && n > 0 {
			out = append(out, Index(n-1))
		}
	}
	return out
}

// key reads a dotted key; it returns nil when there is none here. With
// keep false (an Outline's key-value keys) the names are not kept: the
// segments are "" in a slice reused by the next call.
func (l *locator) key(keep bool) []string {
	var segs []string
	if !keep {
		segs = l.scratch[:0]
		defer func() { l.scratch = segs }()
	}
	name := func(start, end int, trim string) string {
		if !keep {
			return ""
		}
		raw := string(l.src[start:end])
		if trim == `"` {
			if s, err := strconv.Unquote(raw); err == nil {
				return s
			}
		}
		return strings.Trim(raw, trim)
	}
	for {
		l.skipSpace(false)
		if l.i >= len(l.src) {
			return segs
		}
		start := l.i
		switch c := l.src[l.i]; {
		case c == '"':
			l.basicString()
			segs = append(segs, name(start, l.i, `"`))
		case c == '\'':
			l.literalString()
			segs = append(segs, name(start, l.i, "'"))
		case IsBareKeyChar(c):
			for l.i < len(l.src) && IsBareKeyChar(l.src[l.i]) {
				l.i++
			}
			segs = append(segs, name(start, l.i, ""))
		default:
			return segs
		}
		l.skipSpace(false)
		if l.peek(0) != '.' {
			return segs
		}
		l.i++
	}
}

// IsBareKeyChar reports whether c may appear in a bare (unquoted) key.
func IsBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// value skips one value, recording the elements of arrays and the keys of
// inline tables under path.
func (l *locator) value(path []string, depth int) {
	l.skipSpace(false)
	if l.i >= len(l.src) {
		return
	}
	if depth > maxDepth {
		// Give up on this statement: unwind to the document, which goes
		// on at the next line.
		l.skipLine()
		l.cut = true
		return
	}
	if c := l.src[l.i]; c == '[' || c == '{' {
		if d := &l.doc.depthLine; len(*d) == depth {
			*d = append(*d, l.lineAt(l.i))
		}
	}
	switch l.src[l.i] {
	case '"':
		l.basicString()
	case '\'':
		l.literalString()
	case '[':
		n := 0
		l.items(']', func(start int) {
			elem := l.extend(path, Index(n))
			l.record(elem, start)
			l.value(elem, depth+1)
			if l.i == start {
				l.i++
			}
			n++
		})
	case '{':
		l.items('}', func(start int) {
			l.keyValue(path, start, depth+1)
		})
	default:
		for l.i < len(l.src) {
			switch l.src[l.i] {
			case ',', ']', '}', '\n', '\r', '#':
				return
			}
			l.i++
		}
	}
}

// items reads the items of an array or inline table (from its opening
// bracket to close), calling item at the start of each.
func (l *locator) items(close byte, item func(start int)) {
	l.i++
	for l.i < len(l.src) && !l.cut {
		l.skipSpace(true)
		if l.i >= len(l.src) {
			return
		}
		switch l.src[l.i] {
		case close:
			l.i++
			return
		case ',':
			l.i++
			continue
		}
		item(l.i)
	}
}

// basicString skips a basic string, single-line or multi-line (three quotes).
func (l *locator) basicString() {
	if bytes.HasPrefix(l.src[l.i:], tripleQuote) {
		l.i += 3
		for l.i < len(l.src) {
			switch {
			case l.src[l.i] == '\\':
				l.i += 2
			case bytes.HasPrefix(l.src[l.i:], tripleQuote):
				l.i += 3
				for k := 0; k < 2 && l.peek(0) == '"'; k++ {
					l.i++
				}
				return
			default:
				l.i++
			}
		}
		l.i = min(l.i, len(l.src))
		return
	}
	l.i++
	for l.i < len(l.src) {
		switch l.src[l.i] {
		case '\\':
			l.i += 2
		case '"':
			l.i++
			return
		case '\n':
			return
		default:
			l.i++
		}
	}
	l.i = min(l.i, len(l.src))
}

// literalString skips a literal string, single-line or multi-line (three quotes).
func (l *locator) literalString() {
	if bytes.HasPrefix(l.src[l.i:], tripleApos) {
		l.i += 3
		if j := bytes.Index(l.src[l.i:], tripleApos); j >= 0 {
			l.i += j + 3
			for k := 0; k < 2 && l.peek(0) == '\''; k++ {
				l.i++
			}
		} else {
			l.i = len(l.src)
		}
		return
	}
	l.i++
	for l.i < len(l.src) {
		switch l.src[l.i] {
		case '\'':
			l.i++
			return
		case '\n':
			return
		}
		l.i++
	}
}
