// Package typosquat tells whether a package name imitates a popular one
// (principle item G1.2): one character off, separators or scope changed,
// an affix such as ".js" or "python3-" added, or a look-alike character.
//
// It compares names against lists of popular names embedded in the binary
// (npm.txt, pypi.txt; see data.go) and against names an organisation
// protects. It is written by hand: none of the kept libraries measures
// name similarity.
package typosquat

import (
	"fmt"
	"strings"
)

// Ecosystems, spelled as OSV and guard's lockfiles spell them.
const (
	NPM  = "npm"
	PyPI = "PyPI"
)

// Match says which name a candidate imitates and how.
type Match struct {
	// Target is the imitated name as the popular list or the protect
	// pattern spells it ("cross-env", "@acme/*").
	Target string `json:"target"`
	// Rank is the target's place on the popular list (1 is the most
	// popular); 0 for a protected name.
	Rank int `json:"rank,omitempty"`
	// Protected: the target is one of the organisation's own names.
	Protected bool `json:"protected,omitempty"`
	// How is the technique: "separator removed", "one character
	// transposed", "homoglyph I for l", "python3- prefix added", ...
	How string `json:"how"`
}

// Thresholds: how popular a target must be for each technique to count
// (ranks, 1 the most popular). A candidate is never on the list itself, so
// any target is more popular; these keep the noisier techniques to names
// popular enough to be worth imitating, which is what keeps real projects
// free of false alarms (docs/typosquat.md lists what still fires).
const (
	// editTop: a character added, left out or changed for its neighbour
	// on the keyboard, or transposed; a doubled letter; separators
	// changed; a look-alike character: against the whole list.
	editTop = everywhere
	// wildTop: a character changed for one not next to it on the
	// keyboard, or an edit of the first character (typos rarely touch
	// it; real packages that share all but their first letter are many:
	// "regenerator", "degenerator").
	wildTop = 500
	// affixTop: an affix ("node-", ".js", "python-") swapped for another
	// or left out. An affix added to a popular name counts against the
	// whole list.
	affixTop = 3000
	// scopeTop: "@scope/name" written "scope-name" or the other way. Many
	// packages moved into a scope and left the old name behind
	// ("electron-notarize", "@electron/notarize"), so only the most
	// popular names count (and every protected one).
	scopeTop = 100
	// minEditLen: targets shorter than this are only matched by a
	// look-alike character, a transposition or a doubled letter.
	minEditLen = 5
	// minLen: targets shorter than this are matched by look-alike
	// characters only.
	minLen = 3
)

// Normalize returns the form in which an ecosystem compares names: npm
// names lower-cased, PyPI names as PEP 503 normalises them (lower case,
// runs of "-", "_" and "." as one "-").
func Normalize(ecosystem, name string) string {
	if ecosystem != PyPI {
		return strings.ToLower(name) // returns name itself when it is lower case
	}
	if pep503Normal(name) {
		return name
	}
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c == '-' || c == '_' || c == '.' {
			sep = true
			continue
		}
		if sep {
			b.WriteByte('-')
			sep = false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	if sep {
		b.WriteByte('-')
	}
	return b.String()
}

// scopeOf is an npm name's scope ("@babel/"), "" for an unscoped name.
func scopeOf(key string) string {
	if !strings.HasPrefix(key, "@") {
		return ""
	}
	if i := strings.IndexByte(key, '/'); i > 0 {
		return key[:i+1]
	}
	return ""
}

// pep503Normal reports whether a name is already PEP 503-normal: lower
// case, and no "_", "." or run of "-".
func pep503Normal(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' || c == '_' || c == '.' || c == '-' && i > 0 && name[i-1] == '-' {
			return false
		}
	}
	return true
}

// isSep reports whether c separates words of a name (including an npm
// scope's "@" and "/").
func isSep(c byte) bool { return c == '-' || c == '_' || c == '.' || c == '/' || c == '@' }

// squash drops every separator: "@babel/core", "babel-core" and
// "babelcore" all squash to "babelcore".
func squash(key string) string {
	if strings.IndexAny(key, "-_./@") < 0 {
		return key
	}
	var b strings.Builder
	b.Grow(len(key))
	for i := 0; i < len(key); i++ {
		if !isSep(key[i]) {
			b.WriteByte(key[i])
		}
	}
	return b.String()
}

// Rank returns a name's place on an ecosystem's popular list (1 is the
// most popular), 0 when it is not on it.
func Rank(ecosystem, name string) int {
	l := popular(ecosystem)
	if l == nil {
		return 0
	}
	if i, ok := l.lookup(Normalize(ecosystem, name)); ok {
		return int(i) + 1
	}
	return 0
}

// Listed reports whether guard has a popular-name list for an ecosystem.
func Listed(ecosystem string) bool { return ecosystem == NPM || ecosystem == PyPI }

// Check tells whether name imitates a popular name of its ecosystem. A
// name on the list is never a look-alike. When several popular names are
// imitated, the most popular is returned.
func Check(ecosystem, name string) (Match, bool) {
	l := popular(ecosystem)
	if l == nil || name == "" {
		return Match{}, false
	}
	key := Normalize(ecosystem, name)
	if _, ok := l.lookup(key); ok {
		return Match{}, false
	}
	best := int32(-1)
	var how string
	scope := scopeOf(key)
	consider := func(i int32, h string) {
		if i < 0 || (best >= 0 && i >= best) {
			return
		}
		// Only a scope's owners publish in it: a name in the target's own
		// scope is theirs, not an imitation.
		if scope != "" && scopeOf(l.keys[i]) == scope {
			return
		}
		best, how = i, h
	}
	l.homoglyphs(name, key, consider)
	l.separators(key, consider)
	l.affixes(key, consider)
	l.edits(key, consider)
	if best < 0 {
		return Match{}, false
	}
	return Match{Target: l.names[best], Rank: int(best) + 1, How: how}, true
}

// homoglyphPairs are characters (or pairs) that read alike: the first is
// what a look-alike name writes, the second what the popular name has.
// Upper-case letters are matched in the name as written, before it is
// lower-cased.
var homoglyphPairs = [][2]string{
	{"I", "l"}, {"1", "l"}, {"1", "i"}, {"0", "o"}, {"o", "0"},
	{"rn", "m"}, {"m", "rn"}, {"vv", "w"}, {"cl", "d"},
}

// homoglyphs tries the name with one look-alike character (or pair)
// replaced, everywhere it occurs once at a time.
func (l *list) homoglyphs(name, key string, consider func(int32, string)) {
	for _, hp := range homoglyphPairs {
		from, to := hp[0], hp[1]
		src := key
		if strings.ToLower(from) != from {
			src = name // an upper-case look-alike: search the name as written
		}
		for off := 0; ; {
			j := strings.Index(src[off:], from)
			if j < 0 {
				break
			}
			j += off
			v := Normalize(l.eco, src[:j]+strings.ToLower(to)+src[j+len(from):])
			if i, ok := l.lookup(v); ok && len(v) >= minLen && v != key {
				consider(i, "homoglyph "+from+" for "+strings.ToLower(to))
			}
			off = j + len(from)
		}
	}
}

// separators finds a popular name that differs only in separators or in
// how a scope is written.
func (l *list) separators(key string, consider func(int32, string)) {
	sq := squash(key)
	if len(sq) < minEditLen {
		return
	}
	l.each(ordSquash, 0, sq, func(i int32) bool {
		t := l.keys[i]
		if t == key {
			return true
		}
		if strings.HasPrefix(t, "@") != strings.HasPrefix(key, "@") && i >= scopeTop {
			return true
		}
		consider(i, sepHow(key, t))
		return false
	})
}

// sepHow describes how candidate c differs from target t when only
// separators and scopes do.
func sepHow(c, t string) string {
	cs, ts := strings.HasPrefix(c, "@"), strings.HasPrefix(t, "@")
	switch {
	case ts && !cs:
		scope, _, _ := strings.Cut(t, "/")
		return "scope " + scope + "/ written as a name prefix"
	case cs && !ts:
		return "name split into a scope"
	case cs && ts:
		a, _, _ := strings.Cut(c, "/")
		b, _, _ := strings.Cut(t, "/")
		if a != b {
			return "scope separator changed"
		}
	}
	nc, nt := countSeps(c), countSeps(t)
	switch {
	case nc < nt:
		return "separator removed"
	case nc > nt:
		return "separator added"
	}
	return "separator changed"
}

func countSeps(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isSep(s[i]) {
			n++
		}
	}
	return n
}

// Affixes that wrap a popular name ("node-fetch" is a real package, so a
// name that is on the list never counts). Prefixes, then suffixes.
var (
	npmPrefixes  = []string{"nodejs-", "node-", "nodejs", "node", "js-"}
	npmSuffixes  = []string{".js", "-js", "js", "-node"}
	pypiPrefixes = []string{"python3-", "python-", "py3-", "py-", "py"}
	pypiSuffixes = []string{"-python3", "-python", "-py3", "-py", "py"}
)

// affixes finds a popular name that the candidate is with an affix added,
// swapped for another or left out.
func (l *list) affixes(key string, consider func(int32, string)) {
	pre, suf := npmPrefixes, npmSuffixes
	if l.eco == PyPI {
		pre, suf = pypiPrefixes, pypiSuffixes
	}
	try := func(v, how string, top int32) {
		if v == key || len(squash(v)) < minEditLen {
			return
		}
		if i, ok := l.lookup(v); ok && i < top {
			consider(i, how)
		}
	}
	had := false
	for _, p := range pre {
		if !strings.HasPrefix(key, p) || len(key) == len(p) {
			continue
		}
		had = true
		stem := key[len(p):]
		try(stem, "`"+p+"` prefix added", everywhere)
		for _, o := range pre {
			if o != p && !strings.HasPrefix(o, p) && !strings.HasPrefix(p, o) {
				try(o+stem, "`"+p+"` prefix instead of `"+o+"`", affixTop)
			}
		}
		break
	}
	for _, s := range suf {
		if !strings.HasSuffix(key, s) || len(key) == len(s) {
			continue
		}
		had = true
		stem := key[:len(key)-len(s)]
		try(stem, "`"+s+"` suffix added", everywhere)
		for _, o := range suf {
			if o != s && !strings.HasSuffix(o, s) && !strings.HasSuffix(s, o) {
				try(stem+o, "`"+s+"` suffix instead of `"+o+"`", affixTop)
			}
		}
		break
	}
	if had {
		return
	}
	for _, p := range pre {
		try(p+key, "`"+p+"` prefix left out", affixTop)
	}
	for _, s := range suf {
		try(key+s, "`"+s+"` suffix left out", affixTop)
	}
}

// edits finds popular names one edit away, through the head and tail
// orders (index.go): for each length a target one edit away can have, the
// candidate's head and tail at that length's split.
func (l *list) edits(key string, consider func(int32, string)) {
	if len(key) < minLen {
		return
	}
	var seen []int32
	for n := len(key) - 1; n <= len(key)+1; n++ {
		if n < minLen+1 {
			continue
		}
		h := n / 2
		for _, o := range [2]int{ordHead, ordTail} {
			part := key[:h-1]
			if o == ordTail {
				part = key[len(key)-(n-h-1):]
			}
			l.each(o, n, part, func(i int32) bool {
				for _, j := range seen {
					if i == j {
						return true
					}
				}
				seen = append(seen, i)
				if e, ok := oneEdit(key, l.keys[i]); ok && int(i) < e.top {
					consider(i, e.how)
				}
				return true
			})
		}
	}
}

// edit is one edit between two names: how to describe it, and the rank
// below which a target must be for it to count.
type edit struct {
	how string
	top int
}

// everywhere: the technique counts against the whole list.
const everywhere = 1 << 30

// oneEdit reports whether candidate c is target t with one edit, and
// describes it. Edits that read as versions or variants rather than slips
// do not count: a digit changed, added or removed ("vue2", "base32"), and
// edits to separators (separators() covers those). Short targets count
// only transpositions and doubled letters.
func oneEdit(c, t string) (edit, bool) {
	if c == t || len(t) < minLen+1 {
		return edit{}, false
	}
	short := len(t) < minEditLen
	p := 0
	for p < len(c) && p < len(t) && c[p] == t[p] {
		p++
	}
	top := editTop
	if p == 0 {
		top = wildTop
	}
	switch {
	case len(c) == len(t):
		// substitution or transposition
		if p+1 < len(c) && c[p] == t[p+1] && c[p+1] == t[p] && c[p+2:] == t[p+2:] {
			if isSep(c[p]) || isSep(c[p+1]) || isDigit(c[p]) || isDigit(c[p+1]) {
				return edit{}, false
			}
			return edit{"one character transposed (" + show(c[p]) + show(c[p+1]) + " for " + show(t[p]) + show(t[p+1]) + ")", everywhere}, true
		}
		if c[p+1:] != t[p+1:] || short {
			return edit{}, false
		}
		a, b := c[p], t[p]
		if isSep(a) || isSep(b) || isDigit(b) {
			return edit{}, false
		}
		if a == '1' && (b == 'l' || b == 'i') || a == '0' && b == 'o' {
			return edit{"homoglyph " + show(a) + " for " + show(b), everywhere}, true
		}
		if isDigit(a) {
			return edit{}, false
		}
		if !adjacent(a, b) {
			top = wildTop
		}
		return edit{"one character changed (" + show(a) + " for " + show(b) + ")", top}, true
	case len(c) == len(t)+1:
		// insertion of c[p]
		if c[p+1:] != t[p:] {
			return edit{}, false
		}
		x := c[p]
		if isSep(x) || isDigit(x) {
			return edit{}, false
		}
		if (p > 0 && c[p-1] == x) || (p+1 < len(c) && c[p+1] == x) {
			return edit{"letter " + show(x) + " doubled", doubledTop(short, p <= 1)}, true
		}
		if short {
			return edit{}, false
		}
		return edit{"character " + show(x) + " added", top}, true
	case len(c)+1 == len(t):
		// deletion of t[p]
		if c[p:] != t[p+1:] {
			return edit{}, false
		}
		x := t[p]
		if isSep(x) || isDigit(x) {
			return edit{}, false
		}
		if (p > 0 && t[p-1] == x) || (p+1 < len(t) && t[p+1] == x) {
			return edit{"double " + show(x) + show(x) + " made single", doubledTop(short, p <= 1)}, true
		}
		if short {
			return edit{}, false
		}
		return edit{"character " + show(x) + " left out", top}, true
	}
	return edit{}, false
}

// doubledTop is how popular a target must be for a doubled letter (or a
// double made single) to count: any listed name, unless the name is short
// or the letter is its first ("ttest" is not a slip of "test").
func doubledTop(short, first bool) int {
	if short || first {
		return wildTop
	}
	return everywhere
}

// show prints one byte of a name for a message: printable ASCII as is,
// anything else (a control character, a byte of a multi-byte character)
// as \xNN, so that a hostile name cannot reach a terminal unescaped.
func show(c byte) string {
	if c > 0x20 && c < 0x7f {
		return string(rune(c))
	}
	return fmt.Sprintf("\\x%02x", c)
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// keyboard is the QWERTY layout, for substitutions of a neighbouring key.
var keyboard = [...]string{"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"}

// adjacent reports whether two keys touch on a QWERTY keyboard (same row,
// next to each other, or the row above or below, offset by at most one).
func adjacent(a, b byte) bool {
	ra, ca := keyPos(a)
	rb, cb := keyPos(b)
	if ra < 0 || rb < 0 {
		return false
	}
	dr, dc := ra-rb, ca-cb
	if dr == 0 {
		return dc == 1 || dc == -1
	}
	// Rows are staggered: a key touches the key above it and the one
	// above-right, and below it and below-left.
	if dr == 1 {
		return dc == 0 || dc == -1
	}
	if dr == -1 {
		return dc == 0 || dc == 1
	}
	return false
}

func keyPos(c byte) (int, int) {
	for r, row := range keyboard {
		if i := strings.IndexByte(row, c); i >= 0 {
			return r, i
		}
	}
	return -1, -1
}
