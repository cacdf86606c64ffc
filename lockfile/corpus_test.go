package lockfile

import (
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
