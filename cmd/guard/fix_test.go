package main

import (
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/installguard/guard/lockfile/corpustest"
)

func dirSums(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = sha256.Sum256(data)
	}
	return out
}

// guard fix --dry-run prints the plan (text and JSON) and changes nothing.
func TestFixDryRunChangesNothing(t *testing.T) {
	corpus := corpustest.Dir(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // the DB's index cache
	dir := t.TempDir()
	src := filepath.Join(corpus, "lockfiles", "npm-generated", "a-express-lodash")
	for _, f := range []string{"package.json", "package-lock.json"} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	before := dirSums(t, dir)
	db := filepath.Join(corpus, "osv")
	// --offline: no registry either, candidates come from the advisories.
	r := runGuard(t, nil, false, "fix", "--dry-run", "--offline", "--db", db, "--max-db-age", "0", dir)
	if r.code != 1 || !strings.Contains(r.stdout, "UPGRADE lodash 4.17.15 -> 4.17.21") || !strings.Contains(r.stdout, "nothing was changed") {
		t.Fatalf("dry run: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	r = runGuard(t, nil, false, "fix", "--dry-run", "--format", "json", "--offline", "--db", db, "--max-db-age", "0", dir)
	var out struct {
		DryRun bool `json:"dryRun"`
		Plan   struct {
			Items []struct {
				Name, Version, Action, To, Method string
			} `json:"items"`
		} `json:"plan"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || !out.DryRun || len(out.Plan.Items) == 0 {
		t.Fatalf("json dry run: %v\n%s", err, r.stdout)
	}
	for _, it := range out.Plan.Items {
		if it.Name == "express" && (it.To != "4.20.0" || it.Method != "direct") {
			t.Errorf("express: %+v, want direct upgrade to 4.20.0", it)
		}
	}
	after := dirSums(t, dir)
	if len(after) != len(before) {
		t.Fatalf("files: %d after, %d before", len(after), len(before))
	}
	for name, sum := range before {
		if after[name] != sum {
			t.Errorf("%s changed in a dry run", name)
		}
	}
}

func TestFixInvalidInput(t *testing.T) {
	for _, args := range [][]string{
		{"fix", "--format", "xml", "."},
		{"fix", filepath.Join(t.TempDir(), "missing")},
		{"fix", t.TempDir()}, // no lockfile
		{"fix", ".", "other"},
	} {
		if r := runGuard(t, nil, false, args...); r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, r.code, r.stderr)
		}
	}
}
