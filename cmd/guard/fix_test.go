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

// copyNpmProject copies package.json and package-lock.json from src to dir.
func copyNpmProject(t *testing.T, src, dir string) {
	t.Helper()
	for _, f := range []string{"package.json", "package-lock.json"} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// guard fix --dry-run prints the plan (text and JSON) and changes nothing.
func TestFixDryRunChangesNothing(t *testing.T) {
	corpus := corpustest.Dir(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // the DB's index cache
	dir := t.TempDir()
	src := filepath.Join(corpus, "lockfiles", "npm-generated", "a-express-lodash")
	copyNpmProject(t, src, dir)
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

// flaggedSet reads, from a `guard check --format json` report, the package
// versions with an advisory finding that blocks or warns.
func flaggedSet(t *testing.T, stdout string) map[string]bool {
	t.Helper()
	var r struct {
		Findings []struct{ Rule, Name, Version, Action string } `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("check json: %v\n%s", err, stdout)
	}
	out := map[string]bool{}
	for _, f := range r.Findings {
		switch f.Rule {
		case "vulnerability", "malware", "unmaintained", "unsound", "notice":
			if f.Action == "block" || f.Action == "warn" {
				out[f.Name+"@"+f.Version] = true
			}
		}
	}
	return out
}

// plannedSet reads, from `guard fix --dry-run --format json`, the package
// versions the plan addresses (its items and what parent upgrades clear).
func plannedSet(t *testing.T, stdout string) map[string]bool {
	t.Helper()
	var o struct {
		Plan *struct {
			Items []struct {
				Name, Version string
				Clears        []struct{ Name, Version string }
			} `json:"items"`
		} `json:"plan"`
	}
	if err := json.Unmarshal([]byte(stdout), &o); err != nil || o.Plan == nil {
		t.Fatalf("fix json: %v\n%s", err, stdout)
	}
	out := map[string]bool{}
	for _, it := range o.Plan.Items {
		out[it.Name+"@"+it.Version] = true
		for _, c := range it.Clears {
			out[c.Name+"@"+c.Version] = true
		}
	}
	return out
}

// guard fix --dry-run plans for exactly what guard check blocks or warns
// on, and exits as guard check does, under each policy. (Before issue 13
// fix queried the advisories itself: with block-severity and warn-severity
// "never" check exited 0 while fix exited 1 and planned upgrades.)
func TestFixDryRunAgreesWithCheck(t *testing.T) {
	corpus := corpustest.Dir(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	src := filepath.Join(corpus, "lockfiles", "npm-generated", "a-express-lodash")
	copyNpmProject(t, src, dir)
	db := filepath.Join(corpus, "osv")
	policies := []struct {
		name, policy string
		code         int
		wantPlanned  []string
		wantLeft     []string // flagged under the default policy, not under this one
	}{
		{name: "default", code: 1, wantPlanned: []string{"lodash@4.17.15", "express@4.17.1", "cookie@0.4.0"}},
		{name: "severity never", policy: "[vulnerabilities]\nblock-severity = \"never\"\nwarn-severity = \"never\"\n", code: 0,
			wantLeft: []string{"lodash@4.17.15", "express@4.17.1"}},
		{name: "exception", policy: "[[exception]]\nrule = \"vulnerability\"\npackage = \"lodash\"\nreason = \"test\"\nexpires = 2099-01-01\n", code: 1,
			wantPlanned: []string{"express@4.17.1"}, wantLeft: []string{"lodash@4.17.15"}},
		{name: "level 1", policy: "level = 1\n", code: 0, wantLeft: []string{"lodash@4.17.15", "express@4.17.1"}},
		{name: "high blocks, rest warns", policy: "[vulnerabilities]\nblock-severity = \"high\"\nwarn-severity = \"any\"\n", code: 1,
			wantPlanned: []string{"lodash@4.17.15", "cookie@0.4.0"}},
		{name: "only high and above", policy: "[vulnerabilities]\nblock-severity = \"high\"\nwarn-severity = \"never\"\n", code: 1,
			wantPlanned: []string{"lodash@4.17.15", "body-parser@1.19.0"}, wantLeft: []string{"cookie@0.4.0"}},
	}
	for _, p := range policies {
		t.Run(p.name, func(t *testing.T) {
			args := []string{"--offline", "--db", db, "--max-db-age", "0"}
			if p.policy != "" {
				// The corpus DB is older than the default max-db-age; a
				// one-run flag may not loosen an org policy, so it says so.
				f := filepath.Join(t.TempDir(), "policy.toml")
				args = []string{"--offline", "--db", db, "--policy", f}
				if err := os.WriteFile(f, []byte("max-db-age = \"0\"\n"+p.policy), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			c := runGuard(t, nil, false, append(append([]string{"check", "--format", "json"}, args...), dir)...)
			fx := runGuard(t, nil, false, append(append([]string{"fix", "--dry-run", "--format", "json"}, args...), dir)...)
			if c.code != p.code || fx.code != c.code {
				t.Fatalf("exit codes: check %d, fix --dry-run %d, want both %d\ncheck stderr: %s\nfix stderr: %s", c.code, fx.code, p.code, c.stderr, fx.stderr)
			}
			flagged, planned := flaggedSet(t, c.stdout), plannedSet(t, fx.stdout)
			for k := range flagged {
				if !planned[k] {
					t.Errorf("check flags %s; the fix plan does not address it", k)
				}
			}
			for k := range planned {
				if !flagged[k] {
					t.Errorf("the fix plan addresses %s; check does not flag it", k)
				}
			}
			for _, k := range p.wantPlanned {
				if !planned[k] {
					t.Errorf("%s: not planned (planned %v)", k, planned)
				}
			}
			for _, k := range p.wantLeft {
				if planned[k] {
					t.Errorf("%s: planned although the policy allows it", k)
				}
			}
		})
	}
}

// When the check cannot complete, guard fix --dry-run plans nothing and
// exits 3, as guard check does.
func TestFixDryRunIncompleteCheck(t *testing.T) {
	dir := t.TempDir()
	copyNpmProject(t, project("npm-vulnerable"), dir)
	db := filepath.Join(t.TempDir(), "no-db")
	c := runGuard(t, nil, false, "check", "--offline", "--db", db, dir)
	fx := runGuard(t, nil, false, "fix", "--dry-run", "--offline", "--db", db, dir)
	if c.code != 3 || fx.code != 3 || strings.Contains(fx.stdout, "UPGRADE") || !strings.Contains(fx.stderr, "nothing was planned") {
		t.Fatalf("check exit %d, fix exit %d\nfix stdout:\n%s\nfix stderr:\n%s", c.code, fx.code, fx.stdout, fx.stderr)
	}
}
