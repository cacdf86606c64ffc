package lockfile

// A fast path for package-lock v2/v3 files (issue 14: check speed).
//
// parseNpmLock reads the file with encoding/json's streaming decoder so that
// every error names its line and key; that decoder scans each value twice
// and allocates per token, which made parsing a third of `guard check` on a
// 1,300-package lockfile. npmFastPackages reads the same files in one pass:
// a strict RFC 8259 scanner (written by hand: encoding/json has no
// single-pass reader that reports offsets) decoding each "packages" entry
// into the same npmEntry. It gives up, returning ok=false, on anything it does
// not handle exactly as encoding/json would (invalid JSON, a value of the wrong
// type, a key matching a field only case-insensitively, an install path too
// deep, a v1 file): the caller then runs the decoder path, which produces the
// result or the precise error. So the fast path changes speed, never results.

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// npmFastOff turns the fast path off (tests compare both paths).
var npmFastOff bool

// npmFastMaxDepth bounds nesting in skipped values, as encoding/json does
// (it allows 10,000); deeper files take the decoder path.
const npmFastMaxDepth = 512

type npmFast struct {
	data  []byte
	i     int
	lines *npmLines
}

// npmFastParse returns the lockfileVersion and the "packages" entries of a
// v2/v3 file, or ok=false (see above).
func npmFastParse(data []byte, lines *npmLines) (version string, entries []npmEntry, ok bool) {
	if npmFastOff {
		return "", nil, false
	}
	p := &npmFast{data: data, lines: lines}
	p.ws()
	if !p.eat('{') {
		return "", nil, false
	}
	havePackages := false
	for first := true; ; first = false {
		key, _, done, ok := p.member(first)
		if !ok {
			return "", nil, false
		}
		if done {
			break
		}
		switch key {
		case "lockfileVersion":
			start := p.i
			if !p.skip(0) {
				return "", nil, false
			}
			v, ok := npmJSONInteger(data[start:p.i])
			if !ok {
				return "", nil, false
			}
			version = strconv.Itoa(v)
		case "packages":
			if havePackages {
				return "", nil, false // a repeated key: leave it to the decoder
			}
			if entries, ok = p.packages(); !ok {
				return "", nil, false
			}
			havePackages = true
		default:
			if !p.skip(0) {
				return "", nil, false
			}
		}
	}
	p.ws()
	if p.i != len(data) || !havePackages {
		return "", nil, false
	}
	return version, entries, true
}

// member reads the key and colon of the next member of an object whose '{'
// has been read (first: no ',' before it), or the closing '}' (done). ok is
// false for input encoding/json might not read the same way; keyEnd is the
// offset just past the key.
func (p *npmFast) member(first bool) (key string, keyEnd int, done, ok bool) {
	p.ws()
	if p.eat('}') {
		return "", 0, true, true
	}
	if !first && (!p.eat(',') || !p.wsThen()) {
		return "", 0, false, false
	}
	if key, ok = p.str(); !ok {
		return "", 0, false, false
	}
	keyEnd = p.i
	return key, keyEnd, false, p.colon()
}

func (p *npmFast) ws() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// wsThen skips whitespace and reports whether input remains.
func (p *npmFast) wsThen() bool {
	p.ws()
	return p.i < len(p.data)
}

func (p *npmFast) eat(c byte) bool {
	if p.i < len(p.data) && p.data[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *npmFast) colon() bool {
	p.ws()
	if !p.eat(':') {
		return false
	}
	p.ws()
	return true
}

// strSpan scans a string starting at p.i and returns its body (without
// quotes) and whether it needs unescaping (escapes or non-ASCII bytes).
func (p *npmFast) strSpan() (body []byte, complex bool, ok bool) {
	if !p.eat('"') {
		return nil, false, false
	}
	start := p.i
	for p.i < len(p.data) {
		c := p.data[p.i]
		switch {
		case c == '"':
			body = p.data[start:p.i]
			p.i++
			return body, complex, true
		case c == '\\':
			complex = true
			if p.i+1 >= len(p.data) {
				return nil, false, false
			}
			switch p.data[p.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i += 2
			case 'u':
				if p.i+6 > len(p.data) {
					return nil, false, false
				}
				for _, h := range p.data[p.i+2 : p.i+6] {
					if !isHex(h) {
						return nil, false, false
					}
				}
				p.i += 6
			default:
				return nil, false, false
			}
		case c < 0x20:
			return nil, false, false
		case c >= 0x80:
			complex = true
			p.i++
		default:
			p.i++
		}
	}
	return nil, false, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// str reads a string value as encoding/json decodes it.
func (p *npmFast) str() (string, bool) {
	start := p.i
	body, complex, ok := p.strSpan()
	if !ok {
		return "", false
	}
	if !complex || (bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body)) {
		return string(body), true
	}
	// Escapes or invalid UTF-8 (replaced by U+FFFD): encoding/json's rules.
	var s string
	if err := json.Unmarshal(p.data[start:p.i], &s); err != nil {
		return "", false
	}
	return s, true
}

// skip scans one value of any kind.
func (p *npmFast) skip(depth int) bool {
	if p.i >= len(p.data) || depth > npmFastMaxDepth {
		return false
	}
	switch c := p.data[p.i]; {
	case c == '"':
		_, _, ok := p.strSpan()
		return ok
	case c == '{':
		p.i++
		p.ws()
		if p.eat('}') {
			return true
		}
		for {
			p.ws()
			if _, _, ok := p.strSpan(); !ok || !p.colon() || !p.skip(depth+1) {
				return false
			}
			p.ws()
			if p.eat('}') {
				return true
			}
			if !p.eat(',') {
				return false
			}
		}
	case c == '[':
		p.i++
		p.ws()
		if p.eat(']') {
			return true
		}
		for {
			p.ws()
			if !p.skip(depth + 1) {
				return false
			}
			p.ws()
			if p.eat(']') {
				return true
			}
			if !p.eat(',') {
				return false
			}
		}
	case c == 't':
		return p.lit("true")
	case c == 'f':
		return p.lit("false")
	case c == 'n':
		return p.lit("null")
	case c == '-' || ('0' <= c && c <= '9'):
		return p.number()
	}
	return false
}

func (p *npmFast) lit(s string) bool {
	if bytes.HasPrefix(p.data[p.i:], []byte(s)) {
		p.i += len(s)
		return true
	}
	return false
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (p *npmFast) number() bool {
	p.eat('-')
	digits := func() int {
		n := 0
		for p.i < len(p.data) && '0' <= p.data[p.i] && p.data[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.eat('0') {
		// no further integer digits
	} else if digits() == 0 {
		return false
	}
	if p.eat('.') && digits() == 0 {
		return false
	}
	if p.eat('e') || p.eat('E') {
		if !p.eat('+') {
			p.eat('-')
		}
		if digits() == 0 {
			return false
		}
	}
	return true
}

// packages reads the "packages" object as npmPackages does.
//
// A large object is read by two goroutines: the second starts at an entry
// key near the middle of the rest of the file (npmSplitPoint) while the
// first reads from the start. Raw newlines never occur inside JSON strings,
// but a guessed key could still lie inside another value, so the second
// half's entries are used only when the first reader, between two members
// of the object, finds its next key exactly there; otherwise they are
// dropped and the first reader goes on alone. Either way the entries, the
// duplicate-key handling (a later entry replaces an earlier one in place)
// and the result are those of one reader.
func (p *npmFast) packages() ([]npmEntry, bool) {
	if !p.eat('{') {
		return nil, false
	}
	// About one entry per install path key: sizing both up front saves
	// their doublings (a check of 1,300 packages copied ~1 MB of entries).
	n := min(bytes.Count(p.data[p.i:], []byte(`"node_modules/`)), 1<<20) + 1
	split, second := p.startSecondHalf()
	out := make([]npmEntry, 0, n)
	seen := make(map[string]int, n)
	add := func(e npmEntry) {
		if i, dup := seen[e.key]; dup {
			out[i] = e
			return
		}
		seen[e.key] = len(out)
		out = append(out, e)
	}
	for first := true; ; first = false {
		if second != nil && !first {
			switch next := p.nextKey(); {
			case next == split:
				if npmSplitTrace != nil {
					npmSplitTrace(true)
				}
				h := <-second
				if !h.ok {
					return nil, false
				}
				for _, e := range h.entries {
					add(e)
				}
				p.i = h.end
				return out, true
			case next < 0 || next > split:
				second = nil // the guess was not a member of this object
				if npmSplitTrace != nil {
					npmSplitTrace(false)
				}
			}
		}
		e, done, ok := p.packageEntry(first)
		if !ok {
			return nil, false
		}
		if done {
			if second != nil && npmSplitTrace != nil {
				npmSplitTrace(false)
			}
			return out, true
		}
		add(e)
	}
}

// npmSplitTrace, when set (tests), is told whether the second reader's
// entries were used.
var npmSplitTrace func(joined bool)

// packageEntry reads the next member of "packages" (first: no ',' before
// it), or its closing '}' (done).
func (p *npmFast) packageEntry(first bool) (e npmEntry, done, ok bool) {
	key, keyEnd, done, ok := p.member(first)
	if !ok || strings.Count(key, "/") >= npmMaxSegments {
		return e, false, false
	}
	if done {
		return e, true, true
	}
	line := p.lines.at(int64(keyEnd))
	if !p.entry(&e) {
		return e, false, false
	}
	e.key, e.line = key, line
	return e, false, true
}

// nextKey is the offset of the next member's key when the reader stands
// after a member's value and a ',' follows (whitespace around it skipped);
// -1 otherwise. It does not move the reader.
func (p *npmFast) nextKey() int {
	q := *p
	q.ws()
	if !q.eat(',') {
		return -1
	}
	q.ws()
	return q.i
}

// npmSplitMin is the smallest rest of a file whose "packages" object is
// read by two goroutines (a variable: tests lower it).
var npmSplitMin = 256 << 10

// npmHalf is what the second reader of "packages" read.
type npmHalf struct {
	entries []npmEntry
	end     int // offset after the object's closing '}'
	ok      bool
}

// startSecondHalf starts the second reader of a large "packages" object
// at npmSplitPoint; split is -1 and second nil when there is none.
func (p *npmFast) startSecondHalf() (split int, second chan npmHalf) {
	if len(p.data)-p.i < npmSplitMin {
		return -1, nil
	}
	split = npmSplitPoint(p.data, p.i)
	if split < 0 {
		return -1, nil
	}
	second = make(chan npmHalf, 1) // buffered: a dropped half never blocks its goroutine
	go func() {
		q := &npmFast{data: p.data, i: split,
			lines: &npmLines{data: p.data, off: split, line: 1 + bytes.Count(p.data[:split], []byte{'\n'})}}
		var h npmHalf
		for first := true; ; first = false {
			e, done, ok := q.packageEntry(first)
			if !ok || done {
				h.ok, h.end = ok, q.i
				break
			}
			h.entries = append(h.entries, e)
		}
		second <- h
	}()
	return split, second
}

// npmSplitPoint guesses where an entry of "packages" starts near the
// middle of data[from:]: the first key at npm's indentation for them (a
// line of four spaces and "node_modules/) after the middle. -1 for none.
func npmSplitPoint(data []byte, from int) int {
	mid := from + (len(data)-from)/2
	k := bytes.Index(data[mid:], []byte("\n    \"node_modules/"))
	if k < 0 {
		return -1
	}
	return mid + k + len("\n    ")
}

// npmFastFields are the JSON names of npmEntry's fields.
var npmFastFields = []string{"name", "version", "resolved", "integrity", "link", "dev", "optional",
	"devOptional", "inBundle", "hasInstallScript", "dependencies", "devDependencies",
	"optionalDependencies", "peerDependencies"}

// entry decodes one "packages" value into e as json.Unmarshal would.
func (p *npmFast) entry(e *npmEntry) bool {
	if p.lit("null") {
		return true
	}
	if !p.eat('{') {
		return false
	}
	for first := true; ; first = false {
		key, _, done, ok := p.member(first)
		if !ok || done {
			return ok
		}
		switch key {
		case "name":
			ok = p.strField(&e.Name)
		case "version":
			ok = p.strField(&e.Version)
		case "resolved":
			ok = p.strField(&e.Resolved)
		case "integrity":
			ok = p.strField(&e.Integrity)
		case "link":
			ok = p.boolField(&e.Link)
		case "dev":
			ok = p.boolField(&e.Dev)
		case "optional":
			ok = p.boolField(&e.Optional)
		case "devOptional":
			ok = p.boolField(&e.DevOptional)
		case "inBundle":
			ok = p.boolField(&e.InBundle)
		case "hasInstallScript":
			ok = p.boolField(&e.HasInstallScript)
		case "dependencies":
			ok = p.mapField(&e.Dependencies)
		case "devDependencies":
			ok = p.mapField(&e.DevDependencies)
		case "optionalDependencies":
			ok = p.mapField(&e.OptionalDependencies)
		case "peerDependencies":
			ok = p.mapField(&e.PeerDependencies)
		default:
			for _, f := range npmFastFields {
				if strings.EqualFold(f, key) {
					return false // encoding/json would fill f: its path
				}
			}
			ok = p.skip(0)
		}
		if !ok {
			return false
		}
	}
}

func (p *npmFast) strField(dst *string) bool {
	if p.lit("null") {
		return true
	}
	s, ok := p.str()
	if ok {
		*dst = s
	}
	return ok
}

func (p *npmFast) boolField(dst *bool) bool {
	switch {
	case p.lit("null"):
	case p.lit("true"):
		*dst = true
	case p.lit("false"):
		*dst = false
	default:
		return false
	}
	return true
}

// mapField decodes an object of strings; like json.Unmarshal it adds to a
// map already there (a repeated key) and sets it to nil for null.
func (p *npmFast) mapField(dst *map[string]string) bool {
	if p.lit("null") {
		*dst = nil
		return true
	}
	if !p.eat('{') {
		return false
	}
	if *dst == nil {
		*dst = map[string]string{}
	}
	for first := true; ; first = false {
		k, _, done, ok := p.member(first)
		if !ok || done {
			return ok
		}
		v, ok := p.str()
		if !ok {
			return false
		}
		(*dst)[k] = v
	}
}
