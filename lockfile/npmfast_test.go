package lockfile

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/installguard/guard/lockfile/corpustest"
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
	if dir, ok := corpustest.Root(); ok {
		_ = filepath.WalkDir(filepath.Join(dir, "lockfiles"), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(p, "package-lock.json") || strings.HasSuffix(p, "npm-shrinkwrap.json") ||
				strings.Contains(p, "packagelockjson") || strings.Contains(p, "package-lock")) && strings.HasSuffix(p, ".json") {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) < 5 {
		corpustest.Dir(t) // skips, or fails in CI, when the corpus is absent
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
	f.Add([]byte("{\"lockfileVersion\": 3, \"packages\": {\n    \"\": {},\n    \"node_modules/a\": {\"x\": {\n    \"node_modules/b\": 1}},\n    \"node_modules/b\": {\"version\": \"1.0.0\"}}}"))
	// Any input may be read by two goroutines (npmSplitMin 0).
	defer func(m int) { npmSplitMin = m }(npmSplitMin)
	npmSplitMin = 0
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, slow, fe, se := parseBothNpm(t, "package-lock.json", data)
		sameNpmResult(t, "fuzz", fast, slow, fe, se)
	})
}

// With every file read by two goroutines wherever a split point exists,
// every corpus and testdata package-lock still parses as the decoder
// parses it.
func TestNpmFastSplitMatchesDecoder(t *testing.T) {
	defer func(m int) { npmSplitMin = m }(npmSplitMin)
	npmSplitMin = 0
	TestNpmFastMatchesDecoder(t)
}

// A guessed split point that is not a member of "packages" (a key inside an
// entry's value, at the same indentation; a key of the object after
// "packages"; a duplicate key across the two halves) changes nothing.
func TestNpmFastSplitDecoys(t *testing.T) {
	defer func(m int) { npmSplitMin = m }(npmSplitMin)
	npmSplitMin = 0
	entries := func(prefix string, n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "    \"node_modules/%s%d\": {\n      \"version\": \"1.0.%d\"\n    },\n", prefix, i, i)
		}
		return b.String()
	}
	cases := map[string]string{
		// The middle falls in a's "dependencies", formatted with npm's
		// entry indentation.
		"inside a value": "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n" + entries("x", 40) + strings.Repeat(" ", 4000) +
			"\n  \"node_modules/a\": {\"version\": \"1.0.0\", \"dependencies\": {\n    \"node_modules/fake\": \"1\"}},\n" +
			entries("y", 3) +
			"    \"node_modules/z\": {\"version\": \"9.9.9\"}\n  }\n}\n",
		// The only candidate after the middle is outside "packages".
		"after packages": "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n" + entries("x", 5) +
			"    \"node_modules/z\": {\"version\": \"9.9.9\"}\n  },\n  \"extra\": {\n" + strings.Repeat(" ", 2000) +
			"\n    \"node_modules/q\": {}\n  }\n}\n",
		// The same key in both halves: the later entry wins, in the
		// earlier one's place.
		"duplicate across halves": "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n" +
			"    \"node_modules/dup\": {\"version\": \"1.0.0\"},\n" + entries("x", 40) +
			"    \"node_modules/dup\": {\"version\": \"2.0.0\"},\n" + entries("y", 40) +
			"    \"node_modules/z\": {\"version\": \"9.9.9\"}\n  }\n}\n",
		// The second half is invalid JSON: the file fails as a whole.
		"invalid second half": "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n" + entries("x", 40) +
			entries("y", 40) + "    \"node_modules/z\": {\"version\": 9.9.9}\n  }\n}\n",
	}
	joins := map[string]bool{"inside a value": false, "after packages": false, "duplicate across halves": true, "invalid second half": true}
	var joined []bool
	npmSplitTrace = func(j bool) { joined = append(joined, j) }
	defer func() { npmSplitTrace = nil }()
	for name, c := range cases {
		data := []byte(c)
		if npmSplitPoint(data, 0) < 0 {
			t.Fatalf("%s: no split point", name)
		}
		joined = nil
		fast, slow, fe, se := parseBothNpm(t, "package-lock.json", data)
		if len(joined) != 1 || joined[0] != joins[name] {
			t.Errorf("%s: second half joined %v, want [%v]", name, joined, joins[name])
		}
		sameNpmResult(t, name, fast, slow, fe, se)
		if name != "invalid second half" && (fe != nil || len(fast.Packages) == 0) {
			t.Fatalf("%s: %v", name, fe)
		}
	}
}
