package lockfile

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func writeNpmLock(t *testing.T, path string, pkgs map[string]string) {
	t.Helper()
	var entries []string
	for name, version := range pkgs {
		entries = append(entries, `"node_modules/`+name+`": {"version": "`+version+`"}`)
	}
	data := `{"lockfileVersion": 3, "packages": {"": {}` + strings.Repeat(", ", min(len(entries), 1)) + strings.Join(entries, ", ") + `}}`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBaseFile(t *testing.T) {
	dir := t.TempDir()
	if _, err := BaseFile(filepath.Join(dir, "missing", "package-lock.json")); err == nil {
		t.Error("a missing base lockfile was accepted")
	}
	lockPath := filepath.Join(dir, "package-lock.json")
	writeNpmLock(t, lockPath, map[string]string{"a": "1.0.0", "b": "2.0.0"})
	base, err := BaseFile(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	lf, err := Parse(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := base(lf)
	if err != nil || len(got) != 1 || len(got[0].Packages) != 2 {
		t.Fatalf("base of its own format: %v, %v", got, err)
	}
	other := &Lockfile{Path: "Cargo.lock", Format: "Cargo.lock"}
	if got, err := base(other); err != nil || got != nil {
		t.Errorf("base of another format: %v, %v", got, err)
	}
}

func TestBaseAtRef(t *testing.T) {
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
	lockPath := filepath.Join(dir, "package-lock.json")
	writeNpmLock(t, lockPath, map[string]string{"a": "1.0.0"})
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "base")
	writeNpmLock(t, lockPath, map[string]string{"a": "1.0.0", "b": "2.0.0"})
	lf, err := Parse(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := BaseAtRef(t.Context(), "HEAD")(lf)
	if err != nil || len(got) != 1 || len(got[0].Packages) != 1 || got[0].Path != lockPath+"@HEAD" {
		t.Fatalf("base at HEAD: %+v, %v", got, err)
	}

	// a lockfile that did not exist at the ref is new: no base
	newPath := filepath.Join(dir, "sub", "package-lock.json")
	os.Mkdir(filepath.Dir(newPath), 0o755)
	writeNpmLock(t, newPath, map[string]string{"c": "1.0.0"})
	newLf, err := Parse(newPath)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := BaseAtRef(t.Context(), "HEAD")(newLf); err != nil || got != nil {
		t.Errorf("new lockfile: %v, %v", got, err)
	}
	if _, err := BaseAtRef(t.Context(), "no-such-ref")(lf); err == nil || !strings.Contains(err.Error(), "no-such-ref is not a commit") {
		t.Errorf("unknown ref: %v", err)
	}

	outside := t.TempDir()
	outPath := filepath.Join(outside, "package-lock.json")
	writeNpmLock(t, outPath, map[string]string{"a": "1.0.0"})
	outLf, err := Parse(outPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := BaseAtRef(t.Context(), "HEAD")(outLf); err == nil || !strings.Contains(err.Error(), "not in a git work tree") {
		t.Errorf("outside a work tree: %v", err)
	}
}
