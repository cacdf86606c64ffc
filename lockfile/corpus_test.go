package lockfile

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/installguard/guard/lockfile/corpustest"
)

// corpusDir returns the shared corpus or skips (see lockfile/corpustest).
func corpusDir(t testing.TB) string { return corpustest.Dir(t) }

// corpusFile returns a file of the corpus by its path under the corpus root.
func corpusFile(t testing.TB, rel string) string {
	t.Helper()
	return filepath.Join(corpusDir(t), filepath.FromSlash(rel))
}

// benchParse measures parsing the corpus file rel as format f.
func benchParse(b *testing.B, rel string, f Format) {
	path := corpusFile(b, rel)
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseBytes(path, data, f); err != nil {
			b.Fatal(err)
		}
	}
}

// globAll lists the files matching any of the patterns.
func globAll(t testing.TB, patterns ...string) []string {
	t.Helper()
	var out []string
	for _, p := range patterns {
		m, err := filepath.Glob(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	return out
}
