package provenance

import (
	"crypto/sha256"
	"crypto/sha512"
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
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "npm-attestations")); err != nil {
		t.Skipf("corpus not found at %s (set GUARD_CORPUS): %v", dir, err)
	}
	return dir
}

func corpusRead(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir(t), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func corpusSHA512(t testing.TB, rel string) []byte {
	s := sha512.Sum512(corpusRead(t, rel))
	return s[:]
}

func corpusSHA256(t testing.TB, rel string) []byte {
	s := sha256.Sum256(corpusRead(t, rel))
	return s[:]
}

func defaultTrust(t testing.TB) *Trust {
	t.Helper()
	tr, err := DefaultTrust()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}
