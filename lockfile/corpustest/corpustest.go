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
	_, file, _, _ := runtime.Caller(0)
	// lockfile/corpustest/corpustest.go -> the module root
	root := filepath.Join(filepath.Dir(file), "..", "..")
	dir := os.Getenv("GUARD_CORPUS")
	switch {
	case dir == "":
		dir = filepath.Join(root, "..", "shared", "corpus")
	case !filepath.IsAbs(dir):
		// A relative GUARD_CORPUS is relative to the module root (where
		// the README's test command runs), not to each package's folder.
		dir = filepath.Join(root, dir)
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
