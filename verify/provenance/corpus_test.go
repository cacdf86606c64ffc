package provenance

import (
	"crypto/sha256"
	"crypto/sha512"
	"os"
	"path/filepath"
	"testing"

	"github.com/installguard/guard/lockfile/corpustest"
)

// corpusDir returns the shared corpus or skips (see lockfile/corpustest).
func corpusDir(t testing.TB) string { return corpustest.Dir(t) }

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
