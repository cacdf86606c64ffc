package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestBaseLockfileGatesOnlyChanges(t *testing.T) {
	// the base already had lodash@4.17.15: only new packages are gated
	base := filepath.Join(project("npm-vulnerable"), "package-lock.json")
	r := runGuard(t, nil, false, "check", "--base-lockfile", base, project("npm-vulnerable"))
	if r.code != 0 || !strings.Contains(r.stdout, "0 checked, 1 unchanged") {
		t.Fatalf("unchanged vulnerable package gated: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// against a base without lodash, it is new and blocks
	other := filepath.Join(project("npm-pinned"), "package-lock.json")
	if r := runGuard(t, nil, false, "check", "--base-lockfile", other, project("npm-vulnerable")); r.code != 1 {
		t.Fatalf("new vulnerable package: exit %d\n%s", r.code, r.stdout)
	}
	if r := runGuard(t, nil, false, "check", "--base", "x", "--base-lockfile", base, project("npm-vulnerable")); r.code != 2 {
		t.Errorf("both bases: exit %d", r.code)
	}
}

func TestBaseGitRef(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=t@example.test", "-c", "user.name=t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	copyFile := func(from string) {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q")
	copyFile(filepath.Join(project("npm-pinned"), "package-lock.json"))
	git("add", ".")
	git("commit", "-q", "-m", "base")
	copyFile(filepath.Join(project("npm-vulnerable"), "package-lock.json"))
	r := runGuard(t, nil, false, "check", "--base", "HEAD", dir)
	if r.code != 1 || !strings.Contains(r.stdout, "against HEAD") {
		t.Fatalf("lodash is new against HEAD: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	git("add", ".")
	git("commit", "-q", "-m", "lodash")
	if r := runGuard(t, nil, false, "check", "--base", "HEAD", dir); r.code != 0 {
		t.Fatalf("nothing new against HEAD: exit %d\n%s", r.code, r.stdout)
	}
	if r := runGuard(t, nil, false, "check", "--base", "no-such-ref", dir); r.code != 2 {
		t.Fatalf("unknown ref: exit %d\n%s", r.code, r.stdout)
	}
}
