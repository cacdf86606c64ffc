package lockfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// npmFuzzSeeds adds the files matching pattern, and the corpus files when the
// corpus is present.
func npmFuzzSeeds(f *testing.F, pattern string, corpus []string) {
	files, _ := filepath.Glob(pattern)
	files = append(files, corpus...)
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil && len(data) < 8<<10 {
			f.Add(data)
		}
	}
}

// npmCheckFuzzResult fails on anything but a clean parse or a ParseError, and
// on parses that break the model's invariants.
func npmCheckFuzzResult(t *testing.T, lf *Lockfile, err error) {
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("not a ParseError: %v", err)
		}
		if strings.Contains(err.Error(), "internal error") {
			t.Fatal(err)
		}
		return
	}
	ids := map[string]bool{}
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if p.ID == "" || ids[p.ID] {
			t.Fatalf("empty or duplicate ID %q", p.ID)
		}
		ids[p.ID] = true
		if p.Direct && len(p.Chain) > 0 {
			t.Fatalf("%s: direct with a chain %v", p.ID, p.Chain)
		}
	}
}

func FuzzParsePackageLock(f *testing.F) {
	npmFuzzSeeds(f, "testdata/npm/*/package-lock.json", nil)
	if dir := os.Getenv("GUARD_CORPUS"); dir != "" {
		seeds, _ := filepath.Glob(filepath.Join(dir, "lockfiles/osv-scalibr-testdata/packagelockjson/*.json"))
		npmFuzzSeeds(f, "", seeds)
	}
	f.Add([]byte(`{"lockfileVersion": 1, "dependencies": {"a": {"version": "npm:@s/b@1.0.0", "requires": {"a": "1"}, "dependencies": {"a": {"version": "1.0.0"}}}}}`))
	f.Add([]byte(`{"lockfileVersion": 3, "packages": {"": {"dependencies": {"x": "1"}}, "node_modules/x": {"resolved": "../y", "link": true}, "../y": {"dependencies": {"x": "1"}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		lf, err := ParseBytes("fuzz/package-lock.json", data, FormatPackageLock)
		npmCheckFuzzResult(t, lf, err)
	})
}
