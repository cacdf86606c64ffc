// Package corpustest locates the shared real-world corpus (real lockfiles,
// attestations and OSV advisories) for tests: GUARD_CORPUS when set, else
// ../shared/corpus beside the module root.
//
// One skip policy for every test that needs it: when the corpus is absent
// the test skips with a clear message, so that a fresh clone still passes,
// unless CI=true, where an absent corpus fails the test (CI must never skip
// the corpus tests silently).
package corpustest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Root returns the corpus root and whether it is present, without skipping:
// fuzz targets add corpus seeds only when it is there.
func Root() (string, bool) {
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
	_, err := os.Stat(filepath.Join(dir, "README.md"))
	return dir, err == nil
}

// Dir returns the corpus root. When there is none it skips the test, or
// fails it when the environment variable CI is "true".
func Dir(t testing.TB) string {
	t.Helper()
	dir, ok := Root()
	if !ok {
		msg := "corpus not found at " + dir + " (set GUARD_CORPUS to the shared corpus)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + "; CI=true: corpus tests must not skip")
		}
		t.Skip(msg)
	}
	return dir
}

// Path returns a path inside the corpus, written with slashes.
func Path(t testing.TB, rel string) string {
	t.Helper()
	return filepath.Join(Dir(t), filepath.FromSlash(rel))
}
