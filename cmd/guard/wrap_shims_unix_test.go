//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	shimfiles "github.com/installguard/guard/guard/shims"
)

// runShell runs a shell command line with the test environment plus extra
// (guard's test DB, no provenance, offline), in dir.
func runShell(t *testing.T, dir string, extra []string, shell string, args ...string) result {
	t.Helper()
	cmd := exec.Command(shell, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GUARD_DB="+testDBDir, "NO_COLOR=1", "GUARD_NO_PROVENANCE=1"), extra...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

func TestShellInitPrintsPathSetup(t *testing.T) {
	data := t.TempDir()
	env := []string{"XDG_DATA_HOME=" + data}
	shims := filepath.Join(data, "guard", "shims")
	r := runBin(t, t.TempDir(), env, "shell-init", "bash", "npm")
	want := "# guard: check installs before they run (guard shell-init bash)\n" +
		"# guard's shims (npm) come first on PATH, in child processes too.\n" +
		"# GUARD_BYPASS=1 npm ... runs the real tool without a check.\n" +
		"case \"$PATH\" in '" + shims + "'|'" + shims + "':*) ;; *) PATH='" + shims + "'\"${PATH:+:$PATH}\"; export PATH ;; esac\n" +
		"hash -r 2>/dev/null || true\n"
	if r.code != 0 || r.stdout != want {
		t.Fatalf("bash: exit %d\n%q\nwant\n%q\n%s", r.code, r.stdout, want, r.stderr)
	}
	if !shimfiles.IsShim(filepath.Join(shims, "npm")) {
		t.Errorf("shell-init did not write the npm shim into %s", shims)
	}
	r = runBin(t, t.TempDir(), env, "shell-init", "fish", "--dir", filepath.Join(data, "it's"))
	if r.code != 0 || !strings.Contains(r.stdout, `set -gx PATH '`+data+`/it\'s' $PATH`) {
		t.Fatalf("fish: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	r = runBin(t, t.TempDir(), env, "shell-init", "zsh")
	if r.code != 0 || !strings.Contains(r.stdout, "npm, npx, pip, pip3, pnpm, pnpx, poetry, uv, uvx, yarn") {
		t.Fatalf("zsh: exit %d %q", r.code, r.stdout)
	}
	for _, n := range []string{"npm", "npx", "pnpm", "pnpx", "yarn", "pip", "pip3", "uv", "uvx", "poetry", "cargo"} {
		if !shimfiles.IsShim(filepath.Join(shims, n)) {
			t.Errorf("no %s shim", n)
		}
	}
	if _, err := exec.LookPath("bash"); err != nil {
		return
	}
	// The setup is idempotent and puts the folder first.
	bin := t.TempDir()
	writeFiles(t, bin, map[string]string{"npm": "#!/bin/sh\necho fake npm \"$@\"\n"})
	if err := os.Symlink(guardBinary(t), filepath.Join(bin, "guard")); err != nil {
		t.Fatal(err)
	}
	r = runShell(t, t.TempDir(), append(env, "PATH="+bin+":"+os.Getenv("PATH")), "bash", "-c",
		`eval "$(guard shell-init bash)"; eval "$(guard shell-init bash)"; echo "${PATH%%:*}"; command -v npm; npm view x`)
	if r.code != 0 || r.stdout != shims+"\n"+filepath.Join(shims, "npm")+"\nfake npm view x\n" {
		t.Errorf("bash: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
}

func TestShimsInstallAndRemove(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"npm": "#!/bin/sh\necho mine\n"})
	r := runBin(t, dir, nil, "shims", "install", dir)
	if r.code != 2 || !strings.Contains(r.stderr, "is not a guard shim") {
		t.Fatalf("over a file of the user's: exit %d %s", r.code, r.stderr)
	}
	os.Remove(filepath.Join(dir, "npm"))
	if r := runBin(t, dir, nil, "shims", "install", dir, "--only", "npm,pip"); r.code != 0 {
		t.Fatalf("install: exit %d %s", r.code, r.stderr)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 || !shimfiles.IsShim(filepath.Join(dir, "npm")) || !shimfiles.IsShim(filepath.Join(dir, "pip")) {
		t.Errorf("shims: %v", entries)
	}
	writeFiles(t, dir, map[string]string{"notes.txt": "keep\n"})
	if r := runBin(t, dir, nil, "shims", "remove", dir); r.code != 0 || !strings.Contains(r.stdout, "2 shims removed") {
		t.Fatalf("remove: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("after remove: %v", entries)
	}
	if r := runBin(t, dir, nil, "shims", "install", dir, "--only", "frob"); r.code != 2 {
		t.Errorf("--only frob: exit %d", r.code)
	}
}

// shimEnv writes guard's shims into a folder and returns PATH with it first,
// followed by extra folders, then the test's PATH.
func shimEnv(t *testing.T, extra ...string) (shims string, env []string) {
	t.Helper()
	shims = t.TempDir()
	if r := runBin(t, shims, nil, "shims", "install", shims); r.code != 0 {
		t.Fatalf("shims install: exit %d %s", r.code, r.stderr)
	}
	path := append([]string{shims}, extra...)
	return shims, []string{"PATH=" + strings.Join(append(path, os.Getenv("PATH")), string(os.PathListSeparator))}
}

// The shims find the real tool past their own folder, also when the real
// tool is itself a version manager's shim, and a tool that leads back to the
// shims is stopped after a bounded number of rounds.
func TestShimsFindTheRealTool(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	real := t.TempDir()
	writeFiles(t, real, map[string]string{"npm": "#!/bin/sh\necho \"real npm $*\" >> " + log + "\necho real npm \"$@\"\n"})
	// A version manager's shim (pyenv, corepack, asdf): runs the real tool
	// by its full path.
	vm := t.TempDir()
	writeFiles(t, vm, map[string]string{"npm": "#!/bin/sh\nexec " + filepath.Join(real, "npm") + " \"$@\"\n"})
	_, env := shimEnv(t, vm)
	r := runShell(t, t.TempDir(), env, "sh", "-c", "npm view x; npm --version")
	if r.code != 0 || r.stdout != "real npm view x\nreal npm --version\n" {
		t.Fatalf("through the shim: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	// A second folder of guard shims behind the first is skipped too.
	other, _ := shimEnv(t)
	_, env = shimEnv(t, other, vm)
	if r := runShell(t, t.TempDir(), env, "sh", "-c", "npm view y"); r.code != 0 || r.stdout != "real npm view y\n" {
		t.Errorf("two shim folders: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	// A "real" npm that calls npm by name again loops back into the shims:
	// bounded.
	loop := t.TempDir()
	writeFiles(t, loop, map[string]string{"npm": "#!/bin/sh\nexec npm \"$@\"\n"})
	_, env = shimEnv(t, loop)
	r = runShell(t, t.TempDir(), env, "sh", "-c", "npm view z")
	if r.code != 126 || !strings.Contains(r.stderr, "shims ran each other") {
		t.Errorf("loop: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	// GUARD_BYPASS=1 runs the real tool, and says so.
	_, env = shimEnv(t, real)
	r = runShell(t, t.TempDir(), append(env, "GUARD_BYPASS=1"), "sh", "-c", "npm install x")
	if r.code != 0 || r.stdout != "real npm install x\n" || !strings.Contains(r.stderr, "GUARD_BYPASS is set: npm install x runs without a check") {
		t.Errorf("bypass: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	// guard run by name ignores GUARD_BYPASS (and says so).
	r = runShell(t, t.TempDir(), append(env, "GUARD_BYPASS=1"), "sh", "-c", guardBinary(t)+" --dry-run npm view x")
	if r.code != 0 || !strings.Contains(r.stderr, "applies to guard's shims only") || r.stdout != "" {
		t.Errorf("guard by name with GUARD_BYPASS: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
}

// With the shims first on PATH, installs started by child processes are
// checked: npm scripts, make, bash -c.
func TestShimsGuardChildProcesses(t *testing.T) {
	needNpm(t)
	_, env := shimEnv(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"package.json": `{"name":"guard-shim-test","version":"1.0.0","private":true,"scripts":{"setup":"npm install lodash@4.17.15"}}` + "\n",
		"Makefile":     "setup:\n\tnpm install lodash@4.17.15\n",
	})
	before := treeSums(t, dir)
	runs := [][]string{{"sh", "-c", "npm run setup"}, {"sh", "-c", `bash -c "npm install lodash@4.17.15"`}}
	if _, err := exec.LookPath("make"); err == nil {
		runs = append(runs, []string{"make", "setup"})
	}
	for _, args := range runs {
		r := runShell(t, dir, env, args[0], args[1:]...)
		if r.code == 0 || !strings.Contains(r.stderr, "vulnerability lodash@4.17.15") || !strings.Contains(r.stderr, "npm install was not run") {
			t.Errorf("%q: exit %d\nstdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
		}
		if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
			t.Errorf("%q changed the project:\n%s", args, strings.Join(d, "\n"))
		}
	}
}
