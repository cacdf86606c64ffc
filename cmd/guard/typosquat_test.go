package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const typoLock = `{"name":"t","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{
"":{"name":"t","version":"1.0.0","dependencies":{"crossenv":"1.0.0","lodash":"4.17.21"}},
"node_modules/crossenv":{"version":"1.0.0","integrity":"sha512-RQD73jlAxGXhp/cCoHAlJdS00osIKwaZJACY24bBxqQigGtYRQ9RlRRrW4y34bWnsbN/9B7QZpTO4Gh2FCntvg=="},
"node_modules/lodash":{"version":"4.17.21","integrity":"sha512-RQD73jlAxGXhp/cCoHAlJdS00osIKwaZJACY24bBxqQigGtYRQ9RlRRrW4y34bWnsbN/9B7QZpTO4Gh2FCntvg=="}}}
`

// TestExplainTyposquat: explain shows the typosquat reasoning, for a
// look-alike and for a popular name.
func TestExplainTyposquat(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), []byte(typoLock), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runGuard(t, nil, false, "explain", "crossenv", dir)
	for _, want := range []string{"G1.2  typosquat", "BLOCK look-alike: imitates cross-env (separator removed), #", "decided by:"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain crossenv lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 1 {
		t.Errorf("explain crossenv: exit %d", r.code)
	}
	r = runGuard(t, nil, false, "explain", "lodash", dir)
	if !strings.Contains(r.stdout, "typosquat            pass (lodash is itself popular: #") {
		t.Errorf("explain lodash:\n%s", r.stdout)
	}
	if r.code != 0 {
		t.Errorf("explain lodash: exit %d", r.code)
	}
}

// TestWrapNpmInstallTyposquat: `guard npm install crossenv` resolves the
// install against the real npm registry and blocks before npm runs.
func TestWrapNpmInstallTyposquat(t *testing.T) {
	needNpm(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"package.json": testManifest, ".npmrc": "fund=false\n"})
	before := treeSums(t, dir)
	r := runBin(t, dir, nil, "npm", "install", "crossenv")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"typosquat crossenv@", " imitates cross-env (separator removed)", "was not run"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
		t.Errorf("the project changed:\n%s", strings.Join(d, "\n"))
	}
}
