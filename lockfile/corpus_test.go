package lockfile

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// corpusDir returns the shared real-world corpus (GUARD_CORPUS, default
// ../shared/corpus from the module root), or skips the test when it is absent.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("GUARD_CORPUS")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "..", "shared", "corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "lockfiles")); err != nil {
		t.Skipf("corpus not found at %s (set GUARD_CORPUS): %v", dir, err)
	}
	return dir
}

// corpusFile returns a file of the corpus by its path under the corpus root.
func corpusFile(t testing.TB, rel string) string {
	t.Helper()
	return filepath.Join(corpusDir(t), filepath.FromSlash(rel))
}
