package typosquat

import (
	"strings"
	"testing"
)

// FuzzNormalize checks the name normaliser and the detector on arbitrary
// input: no panic, Normalize is idempotent and keeps PyPI names free of
// upper case and of separator runs, and a match names a listed target and
// describes it in printable ASCII.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"crossenv", "Python_Dateutil", "@babel_/core", "jeIlyfish", "a-_.b", "", "-", "@", "@/", "rnocha", "\xff\xfe", "ıİ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, eco := range []string{NPM, PyPI} {
			n := Normalize(eco, s)
			if Normalize(eco, n) != n {
				t.Fatalf("%s: Normalize not idempotent on %q: %q", eco, s, n)
			}
			if eco == PyPI && (strings.Contains(n, "--") || strings.ContainsAny(n, "_.ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
				t.Fatalf("PyPI: %q normalised to %q", s, n)
			}
			if m, ok := Check(eco, s); ok {
				if m.Rank < 1 || Rank(eco, m.Target) == 0 || m.How == "" {
					t.Fatalf("%s %q: bad match %+v", eco, s, m)
				}
				if Rank(eco, s) != 0 {
					t.Fatalf("%s %q is listed but matched %+v", eco, s, m)
				}
				for i := 0; i < len(m.How); i++ {
					if m.How[i] < 0x20 || m.How[i] >= 0x7f {
						t.Fatalf("%s %q: unescaped byte in %q", eco, s, m.How)
					}
				}
			}
			if m, ok, _ := CheckProtected(eco, s, []string{"@acme/*", "acme-utils", "corp-*", "[", "x"}); ok {
				for i := 0; i < len(m.How); i++ {
					if m.How[i] < 0x20 || m.How[i] >= 0x7f {
						t.Fatalf("%s %q: unescaped byte in %q", eco, s, m.How)
					}
				}
			}
		}
	})
}
