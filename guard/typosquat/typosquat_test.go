package typosquat

import (
	"fmt"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, c := range []struct{ eco, in, want string }{
		{PyPI, "Python_Dateutil", "python-dateutil"},
		{PyPI, "zope.interface", "zope-interface"},
		{PyPI, "a-_.b", "a-b"},
		{PyPI, "trailing_", "trailing-"},
		{NPM, "JSONStream", "jsonstream"},
		{NPM, "@Babel/Core", "@babel/core"},
	} {
		if got := Normalize(c.eco, c.in); got != c.want {
			t.Errorf("Normalize(%s, %q) = %q, want %q", c.eco, c.in, got, c.want)
		}
	}
}

// TestTechniques covers each technique with a made-up look-alike of a
// popular name, and names that must not match.
func TestTechniques(t *testing.T) {
	for _, c := range []struct{ eco, name, target, how string }{
		{NPM, "lodahs", "lodash", "one character transposed (hs for sh)"},
		{NPM, "expresss", "express", "letter s doubled"},
		{NPM, "expres", "express", "double ss made single"},
		{NPM, "lodaeh", "lodash", "one character changed (e for s)"},
		{NPM, "lodas\x07", "lodash", "one character changed (\\x07 for h)"},
		{NPM, "lodassh", "lodash", "letter s doubled"},
		{NPM, "chalkk", "chalk", "letter k doubled"},
		{NPM, "1odash", "lodash", "homoglyph 1 for l"},
		{NPM, "rnocha", "mocha", "homoglyph rn for m"},
		{NPM, "c0mmander", "commander", "homoglyph 0 for o"},
		{NPM, "@babel_/core", "@babel/core", "scope separator changed"},
		{NPM, "babel.core", "babel-core", "separator changed"},
		{NPM, "crossenv", "cross-env", "separator removed"},
		{NPM, "cross--env", "cross-env", "separator added"},
		{NPM, "types-estree", "@types/estree", "scope @types/ written as a name prefix"},
		{NPM, "babel-parser", "@babel/parser", "scope @babel/ written as a name prefix"},
		{NPM, "node-lodash", "lodash", "`node-` prefix added"},
		{NPM, "lodash-js", "lodash", "`-js` suffix added"},
		{PyPI, "python3-dateutil", "python-dateutil", "`python3-` prefix instead of `python-`"},
		{PyPI, "dateutil-python", "python-dateutil", ""},
		{PyPI, "Reqeusts", "requests", "one character transposed"},
		{PyPI, "requests_py", "requests", "`-py` suffix added"},
		{PyPI, "numpyy", "numpy", "letter y doubled"},
	} {
		m, ok := Check(c.eco, c.name)
		if c.how == "" {
			if ok {
				t.Errorf("%s %q imitates %s (%s), want no match", c.eco, c.name, m.Target, m.How)
			}
			continue
		}
		if !ok || m.Target != c.target || !strings.Contains(m.How, c.how) || m.Rank < 1 {
			t.Errorf("%s %q: got %+v (ok %v), want %s (%s)", c.eco, c.name, m, ok, c.target, c.how)
		}
	}
}

func TestNotLookAlikes(t *testing.T) {
	for _, c := range []struct{ eco, name string }{
		// on the lists
		{NPM, "cross-env"}, {NPM, "lodash"}, {NPM, "node-fetch"}, {NPM, "ms"}, {NPM, "@babel/core"},
		{NPM, "JSONStream"}, {PyPI, "requests"}, {PyPI, "Python_Dateutil"}, {PyPI, "typing.extensions"},
		// versions and digits, not slips
		{NPM, "vue4"}, {NPM, "base62"}, {NPM, "uuid9"},
		// short names need more than one edit of any kind
		{NPM, "mz2"}, {NPM, "qz"}, {NPM, "ttest"}, {NPM, "tesx"},
		// first-letter changes of less popular names
		{NPM, "cson-parser"}, {NPM, "mpromise"},
		// a scope's owners publish its names
		{NPM, "@babel/cores"}, {NPM, "@types/nodee"},
		// other ecosystems have no list
		{"crates.io", "serde_jsonn"}, {"", ""},
	} {
		if m, ok := Check(c.eco, c.name); ok {
			t.Errorf("%s %q imitates %s (%s), want no match", c.eco, c.name, m.Target, m.How)
		}
	}
}

func TestRank(t *testing.T) {
	if r := Rank(NPM, "semver"); r != 1 {
		t.Errorf("Rank(semver) = %d", r)
	}
	if r := Rank(PyPI, "Typing_Extensions"); r < 1 || r > 20 {
		t.Errorf("Rank(Typing_Extensions) = %d", r)
	}
	if r := Rank(NPM, "no-such-package-xyz"); r != 0 {
		t.Errorf("Rank of an unlisted name = %d", r)
	}
	if !Listed(NPM) || !Listed(PyPI) || Listed("crates.io") {
		t.Error("Listed")
	}
}

func TestProtected(t *testing.T) {
	pats := []string{"@acme/*", "acme-utils", "corp-*"}
	for _, c := range []struct {
		name, target, how string
		own               bool
	}{
		{"@acme/billing", "", "", true},
		{"acme-utils", "", "", true},
		{"corp-tools", "", "", true},
		{"@acrne/billing", "@acme/*", "homoglyph rn for m", false},
		{"@acme_/billing", "@acme/*", "scope separator changed", false},
		{"acme-billing", "@acme/*", "scope @acme/ written as a name prefix", false},
		{"@acmee/billing", "@acme/*", "letter e doubled", false},
		{"acmeutils", "@acme/*", "separator removed", false},
		{"acme-utlis", "@acme/*", "scope @acme/ written as a name prefix", false},
		{"@corp/tools", "corp-*", "name prefix corp written as a scope", false},
		{"crop-tools", "corp-*", "transposed", false},
		{"lodash", "", "", false},
		{"acne-tools", "", "", false},
	} {
		m, ok, own := CheckProtected(NPM, c.name, pats)
		if own != c.own {
			t.Errorf("%q: own = %v", c.name, own)
		}
		if c.target == "" {
			if ok {
				t.Errorf("%q imitates %s (%s), want no match", c.name, m.Target, m.How)
			}
			continue
		}
		if !ok || m.Target != c.target || !m.Protected || !strings.Contains(m.How, c.how) {
			t.Errorf("%q: got %+v (ok %v), want %s (%s)", c.name, m, ok, c.target, c.how)
		}
	}
	// A literal protected name is matched like a popular one.
	if m, ok, _ := CheckProtected(PyPI, "acme_utilz", []string{"acme-utils"}); !ok || m.Target != "acme-utils" {
		t.Errorf("acme_utilz: %+v %v", m, ok)
	}
}

// BenchmarkCheck1300 checks 1,300 names, the size of a large lockfile
// (react-scripts has 1,291 packages), once the indexes are built: the
// whole rule's share of a check.
func BenchmarkCheck1300(b *testing.B) {
	names := benchNames(1300)
	Check(NPM, "warm-up")
	b.ResetTimer()
	for b.Loop() {
		for _, n := range names {
			Check(NPM, n)
		}
	}
}

// BenchmarkLoad measures loading both lists with their embedded orders,
// paid once per process.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		unload()
		popular(NPM)
		popular(PyPI)
	}
}

// BenchmarkSortOrders measures what loading would cost without the
// embedded orders (an index that does not fit its list).
func BenchmarkSortOrders(b *testing.B) {
	names := ParseList(npmList)
	for b.Loop() {
		l := newList(NPM, names)
		l.sortOrders()
	}
}

func unload() {
	listsMu.Lock()
	delete(lists, NPM)
	delete(lists, PyPI)
	listsMu.Unlock()
}

// TestEmbeddedIndex: the embedded orders are those Index computes from the
// embedded lists (go generate ./guard/typosquat rewrites both), and a list
// whose index does not fit is sorted at load.
// The embedded lists carry each name's key (parseList): loading them
// trusts it, so it must be Normalize's.
func TestEmbeddedKeys(t *testing.T) {
	for _, c := range []struct{ eco, list string }{{NPM, npmList}, {PyPI, pypiList}} {
		names, keys := parseList(c.list)
		if len(names) < 1000 || len(names) != len(keys) {
			t.Fatalf("%s: %d names, %d keys", c.eco, len(names), len(keys))
		}
		for i, n := range names {
			if keys[i] != Normalize(c.eco, n) {
				t.Fatalf("%s: %q has key %q, want %q: run go generate ./guard/typosquat", c.eco, n, keys[i], Normalize(c.eco, n))
			}
		}
	}
	names, keys := parseList("# c\nabc\nfoo-bar\tFoo_Bar\n\n")
	if strings.Join(names, ",") != "abc,Foo_Bar" || strings.Join(keys, ",") != "abc,foo-bar" {
		t.Fatalf("parseList: %q %q", names, keys)
	}
}

func TestEmbeddedIndex(t *testing.T) {
	for _, c := range []struct{ eco, list, idx string }{{NPM, npmList, npmIndex}, {PyPI, pypiList, pypiIndex}} {
		want, err := Index(c.eco, ParseList(c.list))
		if err != nil {
			t.Fatal(err)
		}
		if string(want) != c.idx {
			t.Errorf("%s: the embedded index is stale: run go generate ./guard/typosquat", c.eco)
		}
		l := newList(c.eco, ParseList(c.list))
		if l.load(c.idx[:len(c.idx)-2]) {
			t.Errorf("%s: a short index loaded", c.eco)
		}
		bad := []byte(c.idx)
		bad[0], bad[1] = 0xff, 0xff
		if l.load(string(bad)) {
			t.Errorf("%s: an index with an out-of-range entry loaded", c.eco)
		}
		l.sortOrders()
		for o := range l.ord {
			for i, v := range l.ord[o] {
				p := (o*len(l.names) + i) * 2
				if uint16(c.idx[p])|uint16(c.idx[p+1])<<8 != v {
					t.Fatalf("%s: order %d differs at %d", c.eco, o, i)
				}
			}
		}
	}
	if _, err := Index(NPM, make([]string, 1<<16+1)); err == nil {
		t.Error("Index accepted more names than uint16 indexes")
	}
}

// benchNames mixes popular names (found at once), variants of them (the
// full search) and unrelated names.
func benchNames(n int) []string {
	l := popular(NPM)
	out := make([]string, 0, n)
	for i := 0; len(out) < n; i++ {
		name := l.names[i*7%len(l.names)]
		switch i % 3 {
		case 0:
			out = append(out, name)
		case 1:
			out = append(out, name+"x")
		default:
			out = append(out, fmt.Sprintf("pkg-%d-%s", i, name))
		}
	}
	return out
}
