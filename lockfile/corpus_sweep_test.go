package lockfile

import (
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// realProjectDirs hold real projects' lockfiles; every lockfile under them
// must parse. The osv-scanner and osv-scalibr folders hold deliberately
// broken edge cases, swept per format by TestConformanceCorpusEdgeCases and
// with detection by TestCorpusEdgeCasesNeverPanic.
var realProjectDirs = []string{"npm", "npm-generated", "yarn", "pnpm", "python", "cargo"}

// knownNotLockfiles are files with a lockfile's name that hold something
// else: rustsec's fixture Cargo.lock is a git symlink stored as the text
// "Cargo.lock.v3" (its target is parsed by the Cargo tests), and an npm
// arborist fixture is plain text saying it is no shrinkwrap. Both fail to
// parse with a clear error, which TestCorpusKnownNotLockfiles checks.
var knownNotLockfiles = map[string]bool{
	"cargo/rustsec-cargo-lock-fixtures/Cargo.lock":                            true,
	"npm/npm-cli/arborist-fixtures/workspace3/packages/a/npm-shrinkwrap.json": true,
}

func TestCorpusKnownNotLockfiles(t *testing.T) {
	root := filepath.Join(corpusDir(t), "lockfiles")
	for rel := range knownNotLockfiles {
		_, err := Parse(filepath.Join(root, filepath.FromSlash(rel)))
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), rel) {
			t.Errorf("%s: want a ParseError naming the file, got %v", rel, err)
		}
	}
}

// TestCorpusRealLockfilesParse walks the real-project folders of the corpus:
// every file Find would pick up parses with the detected format, with at
// least one package unless the file is known to be empty.
func TestCorpusRealLockfilesParse(t *testing.T) {
	root := filepath.Join(corpusDir(t), "lockfiles")
	n := 0
	for _, d := range realProjectDirs {
		err := filepath.WalkDir(filepath.Join(root, d), func(path string, de fs.DirEntry, err error) error {
			if err != nil || de.IsDir() || !IsLockfileName(de.Name()) {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			if knownNotLockfiles[filepath.ToSlash(rel)] {
				return nil
			}
			n++
			lf, err := Parse(path)
			if err != nil {
				t.Errorf("%s: %v", rel, err)
				return nil
			}
			if len(lf.Packages) == 0 {
				t.Errorf("%s: parsed as %s with no packages", rel, lf.Format)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 40 {
		t.Fatalf("found only %d lockfiles in the corpus's real-project folders", n)
	}
	t.Logf("%d real lockfiles parsed", n)
}

// TestCorpusEdgeCasesNeverPanic parses every file of the edge-case folders
// with detection (name, then content). A file may fail, but only with a
// ParseError that names it, never with an internal error.
func TestCorpusEdgeCasesNeverPanic(t *testing.T) {
	root := filepath.Join(corpusDir(t), "lockfiles")
	var parsed, failed, unknown int
	for _, d := range []string{"osv-scanner-v1-fixtures", "osv-scanner-v2-testdata", "osv-scalibr-testdata"} {
		err := filepath.WalkDir(filepath.Join(root, d), func(path string, de fs.DirEntry, err error) error {
			if err != nil || de.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			_, err = Parse(path)
			var pe *ParseError
			switch {
			case err == nil:
				parsed++
			case errors.As(err, &pe) && errors.Is(err, ErrUnknownFormat):
				unknown++
			case errors.As(err, &pe):
				failed++
				if strings.Contains(err.Error(), "internal error") {
					t.Errorf("%s: %v", rel, err)
				}
				// The error names the file, or the included file where the
				// problem is (requirements -r chains).
				if !strings.Contains(err.Error(), filepath.Dir(path)) {
					t.Errorf("%s: error does not name the file: %v", rel, err)
				}
			default:
				t.Errorf("%s: error is not a ParseError: %v", rel, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("edge cases: %d parsed, %d rejected with a clear error, %d not recognised as lockfiles", parsed, failed, unknown)
}
