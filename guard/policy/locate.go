package policy

import (
	"sort"
	"strconv"
	"strings"
)

// The locator finds the line of every key of a TOML document that
// BurntSushi/toml has already parsed successfully. BurntSushi keeps key
// positions private (MetaData exposes only the order of keys), so this is a
// small hand-written scanner: it follows table headers, dotted keys, inline
// tables and arrays, skips strings, and records where each key path (and
// each array element) starts. It runs only on valid TOML; on anything else
// it still terminates and simply knows fewer lines.
//
// Paths are segments joined by "\x00"; array elements and array-of-tables
// entries are "[i]" segments (0-based), as the walker in parse.go builds
// them.

type locator struct {
	src      string
	i        int
	newlines []int
	lines    map[string]int
	aot      map[string]int // array-of-tables path → entries so far
}

const maxLocateDepth = 256

func locate(src string) map[string]int {
	l := &locator{src: src, lines: map[string]int{}, aot: map[string]int{}}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			l.newlines = append(l.newlines, i)
		}
	}
	l.document()
	return l.lines
}

func pathKey(segs []string) string { return strings.Join(segs, "\x00") }

func indexSeg(i int) string { return "[" + strconv.Itoa(i) + "]" }

func (l *locator) lineAt(off int) int { return sort.SearchInts(l.newlines, off) + 1 }

func (l *locator) record(segs []string, off int) {
	k := pathKey(segs)
	if _, ok := l.lines[k]; !ok {
		l.lines[k] = l.lineAt(off)
	}
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
			segs := l.key()
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
				base := pathKey(arr)
				n := l.aot[base]
				l.aot[base] = n + 1
				cur = append(append([]string{}, arr...), indexSeg(n))
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
		segs := l.key()
		if len(segs) == 0 {
			l.i = start + 1
			continue
		}
		full := append(append([]string{}, cur...), segs...)
		for j := len(cur); j < len(full); j++ {
			l.record(full[:j+1], start)
		}
		l.skipSpace(false)
		if l.peek(0) == '=' {
			l.i++
			l.value(full, 0)
		}
		l.skipSpace(false)
		if l.peek(0) == '#' {
			l.skipLine()
		}
	}
}

// resolve turns a header's key into a concrete path: a prefix that names an
// array of tables refers to its last entry.
func (l *locator) resolve(segs []string) []string {
	var out []string
	for _, s := range segs {
		out = append(out, s)
		if n, ok := l.aot[pathKey(out)]; ok && n > 0 {
			out = append(out, indexSeg(n-1))
		}
	}
	return out
}

// key reads a dotted key; it returns nil when there is none here.
func (l *locator) key() []string {
	var segs []string
	for {
		l.skipSpace(false)
		if l.i >= len(l.src) {
			return segs
		}
		switch c := l.src[l.i]; {
		case c == '"':
			start := l.i
			l.basicString()
			raw := l.src[start:l.i]
			if s, err := strconv.Unquote(raw); err == nil {
				segs = append(segs, s)
			} else {
				segs = append(segs, strings.Trim(raw, `"`))
			}
		case c == '\'':
			start := l.i
			l.literalString()
			segs = append(segs, strings.Trim(l.src[start:l.i], "'"))
		case isBareKeyChar(c):
			start := l.i
			for l.i < len(l.src) && isBareKeyChar(l.src[l.i]) {
				l.i++
			}
			segs = append(segs, l.src[start:l.i])
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

func isBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// value skips one value, recording the elements of arrays and the keys of
// inline tables under path.
func (l *locator) value(path []string, depth int) {
	l.skipSpace(false)
	if l.i >= len(l.src) {
		return
	}
	if depth > maxLocateDepth {
		l.skipLine()
		return
	}
	switch l.src[l.i] {
	case '"':
		l.basicString()
	case '\'':
		l.literalString()
	case '[':
		l.i++
		n := 0
		for l.i < len(l.src) {
			l.skipSpace(true)
			if l.i >= len(l.src) {
				return
			}
			switch l.src[l.i] {
			case ']':
				l.i++
				return
			case ',':
				l.i++
				continue
			}
			start := l.i
			elem := append(append([]string{}, path...), indexSeg(n))
			l.record(elem, start)
			l.value(elem, depth+1)
			if l.i == start {
				l.i++
			}
			n++
		}
	case '{':
		l.i++
		for l.i < len(l.src) {
			l.skipSpace(true)
			if l.i >= len(l.src) {
				return
			}
			switch l.src[l.i] {
			case '}':
				l.i++
				return
			case ',':
				l.i++
				continue
			}
			start := l.i
			segs := l.key()
			if len(segs) == 0 {
				l.i = start + 1
				continue
			}
			full := append(append([]string{}, path...), segs...)
			for j := len(path); j < len(full); j++ {
				l.record(full[:j+1], start)
			}
			l.skipSpace(false)
			if l.peek(0) == '=' {
				l.i++
				l.value(full, depth+1)
			}
		}
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

// basicString skips a basic string, single-line or multi-line (three quotes).
func (l *locator) basicString() {
	if strings.HasPrefix(l.src[l.i:], `"""`) {
		l.i += 3
		for l.i < len(l.src) {
			switch {
			case l.src[l.i] == '\\':
				l.i += 2
			case strings.HasPrefix(l.src[l.i:], `"""`):
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
	if strings.HasPrefix(l.src[l.i:], `'''`) {
		l.i += 3
		if j := strings.Index(l.src[l.i:], `'''`); j >= 0 {
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
