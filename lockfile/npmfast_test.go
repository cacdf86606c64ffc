package lockfile

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// parseBothNpm parses data with the fast path and with the decoder path.
func parseBothNpm(t testing.TB, name string, data []byte) (fast, slow *Lockfile, fastErr, slowErr error) {
	t.Helper()
	fast, fastErr = ParseBytes(name, data, FormatPackageLock)
	npmFastOff = true
	defer func() { npmFastOff = false }()
	slow, slowErr = ParseBytes(name, data, FormatPackageLock)
	return
}

func sameNpmResult(t testing.TB, what string, fast, slow *Lockfile, fastErr, slowErr error) {
	t.Helper()
	if (fastErr == nil) != (slowErr == nil) || (fastErr != nil && fastErr.Error() != slowErr.Error()) {
		t.Fatalf("%s: errors differ:\nfast: %v\nslow: %v", what, fastErr, slowErr)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Fatalf("%s: results differ", what)
	}
}

// Every package-lock in the project's testdata and in the corpus (real files
// and the osv-scanner/osv-scalibr edge cases) parses to the same result, or
// the same error, with and without the fast path.
func TestNpmFastMatchesDecoder(t *testing.T) {
	files, _ := filepath.Glob("testdata/npm/*/*.json")
	if dir := os.Getenv("GUARD_CORPUS"); dir != "" {
		_ = filepath.WalkDir(filepath.Join(dir, "lockfiles"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, "package-lock.json") || strings.HasSuffix(p, "npm-shrinkwrap.json") ||
				strings.Contains(p, "packagelockjson") || strings.Contains(p, "package-lock")) && strings.HasSuffix(p, ".json") {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) < 5 {
		t.Fatalf("only %d files", len(files))
	}
	fastUsed := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, ok := npmFastParse(data, newNpmLines(data)); ok {
			fastUsed++
		}
		fast, slow, fe, se := parseBothNpm(t, "package-lock.json", data)
		sameNpmResult(t, f, fast, slow, fe, se)
	}
	t.Logf("%d files, %d through the fast path", len(files), fastUsed)
	if fastUsed == 0 {
		t.Fatal("the fast path took no file")
	}
}

// Inputs the fast path must hand to the decoder, or decode identically.
func TestNpmFastEdgeCases(t *testing.T) {
	cases := []string{
		`{"lockfileVersion": 3, "packages": {"": {}, "node_modules/a": {"version": "1.0.0", "Version": "2.0.0"}}}`,
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0", "dependencies": {"b": "1"}, "dependencies": null}}}`,
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0", "dependencies": {"b": "1"}, "dependencies": {"c": "2"}}}}`,
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.\u0030", "resolved": "\ud83d\ude00 \/ \"x\" \\"}}}`,
		"{\"lockfileVersion\": 3, \"packages\": {\"node_modules/a\": {\"version\": \"1.0.0\xff\"}}}",
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0", "x": [1, -0.5e+3, true, null, {"y": []}]}}}`,
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0", "x": 01}}}`,
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0", "x": [1,]}}}`,
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": 1}}}`,
		`{"lockfileVersion": 3, "packages": {"node_modules/a": null, "node_modules/b": {"dev": null}}}`,
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0"}, "node_modules/a": {"version": "2.0.0"}}}`,
		`{"lockfileVersion": 3, "packages": {}, "packages": {"node_modules/a": {"version": "2.0.0"}}}`,
		`{"lockfileVersion": 2.5, "packages": {}}`,
		`{"lockfileVersion": 3, "packages": {}} x`,
		`{"lockfileVersion": 3, "packages": {},}`,
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0\u0001"}}}`,
		"{\"lockfileVersion\": 3, \"packages\": {\"node_modules/a\": {\"version\": \"1.0.0\x01\"}}}",
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0", "dependencies": {"b": null}}}}`,
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0", "dependencies": {"b": 1}}}}`,
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0", "x": "\x"}}}`,
		`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0", "x": tru}}}`,
		`{"lockfileVersion": 1, "dependencies": {"a": {"version": "1.0.0"}}}`,
		"\n\n{\"lockfileVersion\": 3,\n \"packages\": {\n\"\": {\"name\": \"r\"},\n \"node_modules/a\":\n {\"version\": \"1.0.0\"}}}\n",
	}
	for _, c := range cases {
		fast, slow, fe, se := parseBothNpm(t, "package-lock.json", []byte(c))
		sameNpmResult(t, c, fast, slow, fe, se)
	}
}

func FuzzNpmFastMatchesDecoder(f *testing.F) {
	files, _ := filepath.Glob("testdata/npm/*/package-lock.json")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil && len(data) < 8<<10 {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"lockfileVersion": 3, "packages": {"": {"dependencies": {"x": "1"}}, "node_modules/x": {"version": "1.0.0", "dev": true}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, slow, fe, se := parseBothNpm(t, "package-lock.json", data)
		sameNpmResult(t, "fuzz", fast, slow, fe, se)
	})
}
