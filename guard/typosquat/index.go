package typosquat

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
)

// The lists are searched through four orders of their entries, each a
// sorted permutation of the entry indexes (ties: the more popular first):
//
//   - ordKey: by normalised name, for exact lookups;
//   - ordSquash: by the name without separators, for separator and scope
//     changes ("crossenv", "@babel/core" vs "babel-core");
//   - ordHead, ordTail: by length and, for a name of length n split at
//     h = n/2, its first h-1 bytes (head) or its bytes after h+1 (tail).
//     One edit (insertion, deletion, substitution or adjacent
//     transposition) touches at most two neighbouring positions, so it
//     leaves the head or the tail whole and in place: a name one edit
//     away from a target shares the target's head or tail.
//
// The orders are computed by `go generate` (internal/gen calls Index) and
// embedded as npm.idx and pypi.idx, two bytes an entry: loading a list
// then costs a pass over its names and no sorting or hashing, which keeps
// the rule's cost per check to a fraction of a millisecond
// (BenchmarkLoad). An index that does not fit its list is rebuilt at run
// time (TestEmbeddedIndex keeps the embedded ones current).
const (
	ordKey = iota
	ordSquash
	ordHead
	ordTail
	numOrds
)

// list is one ecosystem's popular names and their orders.
type list struct {
	eco   string
	names []string // as published, most popular first
	keys  []string // Normalize(names[i])
	ord   [numOrds][]uint16
}

var (
	lists   = map[string]*list{}
	listsMu sync.Mutex
)

// popular returns an ecosystem's list, loading it on first use; nil for an
// ecosystem without one (crates.io).
func popular(eco string) *list {
	listsMu.Lock()
	defer listsMu.Unlock()
	if l, ok := lists[eco]; ok {
		return l
	}
	var src, idx string
	switch eco {
	case NPM:
		src, idx = npmList, npmIndex
	case PyPI:
		src, idx = pypiList, pypiIndex
	default:
		return nil
	}
	names, keys := parseList(src)
	l := &list{eco: eco, names: names, keys: keys}
	if !l.load(idx) {
		l.sortOrders()
	}
	lists[eco] = l
	return l
}

// Preload loads an ecosystem's list now (it is otherwise loaded by the
// first Check that needs it); safe to call from any goroutine.
func Preload(eco string) { popular(eco) }

// ParseList reads a list file: one name a line after "#" comment lines
// (the names as published; see parseList).
func ParseList(src string) []string {
	names, _ := parseList(src)
	return names
}

// parseList reads a list file into its names as published and their
// normalised keys (Normalize). A line is the name itself when that is
// normalised, else "key<TAB>name": internal/gen writes the keys, so that
// loading a list normalises nothing (TestEmbeddedKeys checks them).
func parseList(src string) (names, keys []string) {
	n := strings.Count(src, "\n") + 1
	names, keys = make([]string, 0, n), make([]string, 0, n)
	for len(src) > 0 {
		line, rest, _ := strings.Cut(src, "\n")
		src = rest
		if line == "" || line[0] == '#' {
			continue
		}
		key, name, ok := strings.Cut(line, "\t")
		if !ok {
			name = key
		}
		names, keys = append(names, name), append(keys, key)
	}
	return names, keys
}

func newList(eco string, names []string) *list {
	l := &list{eco: eco, names: names, keys: make([]string, len(names))}
	for i, n := range names {
		l.keys[i] = Normalize(eco, n)
	}
	return l
}

// Index computes the orders of a list of names (most popular first) in
// the embedded form: numOrds permutations of uint16 entry indexes, little
// endian. internal/gen writes it next to the list.
func Index(eco string, names []string) ([]byte, error) {
	if len(names) > 1<<16 {
		return nil, fmt.Errorf("%d names: the index holds at most %d", len(names), 1<<16)
	}
	l := newList(eco, names)
	l.sortOrders()
	out := make([]byte, 0, numOrds*2*len(names))
	for _, ord := range l.ord {
		for _, v := range ord {
			out = binary.LittleEndian.AppendUint16(out, v)
		}
	}
	return out, nil
}

// load takes the orders from an embedded index; false when it does not
// fit the list (then the orders are computed).
func (l *list) load(idx string) bool {
	n := len(l.names)
	if len(idx) != numOrds*2*n {
		return false
	}
	for o := range l.ord {
		ord := make([]uint16, n)
		for i := range ord {
			p := (o*n + i) * 2
			v := uint16(idx[p]) | uint16(idx[p+1])<<8
			if int(v) >= n {
				return false
			}
			ord[i] = v
		}
		l.ord[o] = ord
	}
	return true
}

// sortOrders computes the orders (internal/gen, or an index that does not
// fit).
func (l *list) sortOrders() {
	n := len(l.names)
	squashed := make([]string, n)
	for i, k := range l.keys {
		squashed[i] = squash(k)
	}
	for o := range l.ord {
		ord := make([]uint16, n)
		for i := range ord {
			ord[i] = uint16(i)
		}
		slices.SortFunc(ord, func(a, b uint16) int {
			var c int
			switch o {
			case ordKey:
				c = strings.Compare(l.keys[a], l.keys[b])
			case ordSquash:
				c = strings.Compare(squashed[a], squashed[b])
			default:
				ka, kb := l.keys[a], l.keys[b]
				c = cmp.Or(cmp.Compare(len(ka), len(kb)), strings.Compare(part(o, ka), part(o, kb)))
			}
			return cmp.Or(c, cmp.Compare(a, b))
		})
		l.ord[o] = ord
	}
}

// part is a key's head or tail (empty for keys too short to split).
func part(o int, key string) string {
	n := len(key)
	if n < minLen+1 {
		return ""
	}
	h := n / 2
	if o == ordHead {
		return key[:h-1]
	}
	return key[h+1:]
}

// compare orders entry i against a probe under order o: the normalised
// name (ordKey), the squashed name (ordSquash), or a length and a head or
// tail.
func (l *list) compare(o int, i uint16, n int, s string) int {
	k := l.keys[i]
	switch o {
	case ordKey:
		return strings.Compare(k, s)
	case ordSquash:
		return compareSquashed(k, s)
	}
	return cmp.Or(cmp.Compare(len(k), n), strings.Compare(part(o, k), s))
}

// compareSquashed is strings.Compare(squash(k), s) without building the
// squashed string.
func compareSquashed(k, s string) int {
	j := 0
	for i := 0; i < len(k); i++ {
		if isSep(k[i]) {
			continue
		}
		if j == len(s) {
			return 1
		}
		if k[i] != s[j] {
			return cmp.Compare(k[i], s[j])
		}
		j++
	}
	if j < len(s) {
		return -1
	}
	return 0
}

// each calls fn with the entries equal to the probe under order o, most
// popular first, until fn returns false.
func (l *list) each(o, n int, s string, fn func(int32) bool) {
	ord := l.ord[o]
	x := sort.Search(len(ord), func(x int) bool { return l.compare(o, ord[x], n, s) >= 0 })
	for ; x < len(ord) && l.compare(o, ord[x], n, s) == 0; x++ {
		if !fn(int32(ord[x])) {
			return
		}
	}
}

// lookup returns the most popular entry whose normalised name is key.
func (l *list) lookup(key string) (int32, bool) {
	ord := l.ord[ordKey]
	x := sort.Search(len(ord), func(x int) bool { return l.keys[ord[x]] >= key })
	if x < len(ord) && l.keys[ord[x]] == key {
		return int32(ord[x]), true
	}
	return -1, false
}
