package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyProject copies a testdata project into a temp dir, so a test can add
// a guard.toml beside its lockfile.
func copyProject(t *testing.T, name string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(project(name))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(project(name), e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPolicyExceptionIgnoresFinding(t *testing.T) {
	dir := copyProject(t, "npm-vulnerable")
	write(t, filepath.Join(dir, "guard.toml"), `[[exception]]
rule = "vulnerability"
id = "CVE-2099-0001"
package = "lodash"
reason = "not reachable from our code; upgrade planned"
expires = 2099-01-01
`)
	r := runGuard(t, nil, false, "check", "--format", "json", dir)
	fs := findingsOf(t, r)
	if r.code != 0 || len(fs) != 1 || fs[0].Action != "ignored" {
		t.Fatalf("exit %d findings %+v\n%s", r.code, fs, r.stderr)
	}
	if !strings.Contains(r.stdout, "not reachable from our code") {
		t.Errorf("the report does not name the exception:\n%s", r.stdout)
	}
}

func TestPolicyErrors(t *testing.T) {
	dir := copyProject(t, "npm-vulnerable")
	write(t, filepath.Join(dir, "guard.toml"), "levle = 3\n")
	if r := runGuard(t, nil, false, "check", dir); r.code != 2 || !strings.Contains(r.stderr, "guard.toml:1") {
		t.Errorf("typo'd key: exit %d\n%s", r.code, r.stderr)
	}
	write(t, filepath.Join(dir, "guard.toml"), "[[exception]]\nid = \"CVE-2099-0001\"\nreason = \"old\"\nexpires = 2020-01-01\n")
	if r := runGuard(t, nil, false, "check", dir); r.code != 2 || !strings.Contains(r.stderr, "expire") {
		t.Errorf("expired exception: exit %d\n%s", r.code, r.stderr)
	}

	// an org policy at level 3, block; the project may not lower it, nor
	// may --mode warn
	org := filepath.Join(t.TempDir(), "org.toml")
	write(t, org, "level = 3\nmode = \"block\"\n")
	write(t, filepath.Join(dir, "guard.toml"), "level = 1\n")
	if r := runGuard(t, nil, false, "check", "--policy", org, dir); r.code != 2 || !strings.Contains(r.stderr, "org.toml") {
		t.Errorf("project weakens org: exit %d\n%s", r.code, r.stderr)
	}
	os.Remove(filepath.Join(dir, "guard.toml"))
	if r := runGuard(t, nil, false, "check", "--policy", org, "--mode", "warn", dir); r.code != 2 {
		t.Errorf("--mode warn under a block org policy: exit %d\n%s", r.code, r.stderr)
	}
	if r := runGuard(t, map[string]string{"GUARD_POLICY": org}, false, "check", "--format", "json", dir); r.code != 1 || !strings.Contains(r.stdout, `"level": 3`) {
		t.Errorf("GUARD_POLICY: exit %d\n%s", r.code, r.stdout)
	}
	if r := runGuard(t, nil, false, "check", "--policy", "https://127.0.0.1:1/policy.toml", dir); r.code != 3 {
		t.Errorf("unreachable org policy without cache: exit %d\n%s", r.code, r.stderr)
	}
}

// on-error = "warn" in an org policy (here GUARD_POLICY) lets a check that
// could not complete pass with a warning; in the project's own guard.toml
// it is refused (TestProjectPolicyCannotOpenAHole).
func TestPolicyOnErrorWarn(t *testing.T) {
	dir := copyProject(t, "npm-pinned")
	org := filepath.Join(t.TempDir(), "org.toml")
	write(t, org, "on-error = \"warn\"\n")
	missing := filepath.Join(t.TempDir(), "none")
	r := runGuard(t, map[string]string{"GUARD_DB": missing, "GUARD_POLICY": org}, false, "check", dir)
	if r.code != 0 || !strings.Contains(r.stdout, `verdict: ALLOW with warnings (1 check that could not complete, let pass by on-error = "warn", exit 0)`) {
		t.Fatalf("on-error warn with a missing DB: exit %d\n%s", r.code, r.stdout)
	}
}

func TestPolicyShowAndCheck(t *testing.T) {
	dir := copyProject(t, "npm-pinned")
	write(t, filepath.Join(dir, "guard.toml"), "level = 3\n")
	r := runGuard(t, nil, false, "policy", "show", "--project", dir)
	if r.code != 0 || !strings.Contains(r.stdout, "guard.toml:1") {
		t.Fatalf("policy show: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runGuard(t, nil, false, "policy", "show", "--project", dir, "--format", "json"); r.code != 0 || !strings.HasPrefix(strings.TrimSpace(r.stdout), "{") {
		t.Errorf("policy show json: exit %d\n%s", r.code, r.stdout)
	}
	if r := runGuard(t, nil, false, "policy", "check", filepath.Join(dir, "guard.toml")); r.code != 0 {
		t.Errorf("policy check of a valid file: exit %d\n%s", r.code, r.stderr)
	}
	bad := filepath.Join(t.TempDir(), "guard.toml")
	write(t, bad, "mode = \"maybe\"\n")
	if r := runGuard(t, nil, false, "policy", "check", bad); r.code != 2 || !strings.Contains(r.stderr, "guard.toml:1") {
		t.Errorf("policy check of a bad file: exit %d\n%s", r.code, r.stderr)
	}
}
