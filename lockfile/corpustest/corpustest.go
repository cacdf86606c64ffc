// Package corpustest locates the shared real-world corpus (real lockfiles,
// attestations and OSV advisories) for tests: GUARD_CORPUS when set, else
// ../shared/corpus beside the module root. Tests that need it skip with a
// clear message when it is absent; CI sets GUARD_CORPUS so they never skip.
package corpustest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Dir returns the corpus root, or skips the test when there is none.
func Dir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("GUARD_CORPUS")
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		// lockfile/corpustest/corpustest.go -> module root -> ../shared/corpus
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		t.Skipf("corpus not found at %s (set GUARD_CORPUS): %v", dir, err)
	}
	return dir
}

// Path returns a path inside the corpus, written with slashes.
func Path(t testing.TB, rel string) string {
	t.Helper()
	return filepath.Join(Dir(t), filepath.FromSlash(rel))
}
