package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// The wrapper tests run guard as its own process: pass-through replaces the
// process (exec), and the signal tests signal guard itself.

var (
	guardBinOnce sync.Once
	guardBin     string
	guardBinErr  error
)

// guardBinary builds cmd/guard once per test run, next to the test DB.
func guardBinary(t *testing.T) string {
	t.Helper()
	guardBinOnce.Do(func() {
		dir := filepath.Join(filepath.Dir(testDBDir), "bin")
		guardBin = filepath.Join(dir, "guard")
		if runtime.GOOS == "windows" {
			guardBin += ".exe"
		}
		out, err := exec.Command("go", "build", "-o", guardBin, ".").CombinedOutput()
		if err != nil {
			guardBinErr = err
			guardBin = string(out)
		}
	})
	if guardBinErr != nil {
		t.Fatalf("building guard: %v\n%s", guardBinErr, guardBin)
	}
	return guardBin
}

// runBin runs the guard binary in dir with the test process's environment
// plus GUARD_DB (the test DB), no registry metadata (the registries it
// would ask are not the tests') and extra.
func runBin(t *testing.T, dir string, extra []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(guardBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GUARD_DB="+testDBDir, "NO_COLOR=1", "GUARD_NO_METADATA=1"), extra...)
	var out, errb bytes.Buffer
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

var (
	npmOnce   sync.Once
	npmReason string
)

// needNpm skips when npm is absent or the npm registry npm is configured
// with does not answer.
func needNpm(t *testing.T) {
	t.Helper()
	npmOnce.Do(func() {
		if _, err := exec.LookPath("npm"); err != nil {
			npmReason = "npm is not on PATH"
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if out, err := exec.CommandContext(ctx, "npm", "ping").CombinedOutput(); err != nil {
			npmReason = "the npm registry is unreachable (npm ping: " + err.Error() + ")\n" + string(out)
		}
	})
	if npmReason != "" {
		skipOrFailInCI(t, "the end-to-end npm test: "+npmReason)
	}
}

// skipOrFailInCI skips a test whose tool is missing, except under CI=true
// (.ci/run sets it and installs the tools): there it fails.
func skipOrFailInCI(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true, and the tool this test needs is missing: " + why)
	}
	t.Skip("skipping: " + why)
}

// treeSums maps every file under dir (slash paths) to its SHA-256; symlinks
// map to their target.
func treeSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			sums[rel] = "-> " + target
		case d.Type().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h := sha256.Sum256(data)
			info, _ := d.Info()
			sums[rel] = hex.EncodeToString(h[:]) + " " + info.Mode().String()
		case d.IsDir() && rel != ".":
			sums[rel+"/"] = "dir"
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

func diffSums(a, b map[string]string) []string {
	var out []string
	for k, v := range a {
		if b[k] != v {
			out = append(out, k+": "+v+" vs "+b[k])
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k+": missing vs "+v)
		}
	}
	sort.Strings(out)
	return out
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if strings.HasPrefix(content, "#!") {
			mode = 0o755
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
}

const testManifest = `{"name":"guard-wrap-test","version":"1.0.0","private":true}` + "\n"

func TestWrapNpmInstallBlockedLeavesProjectUntouched(t *testing.T) {
	needNpm(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"package.json": testManifest, ".npmrc": "fund=false\n"})
	before := treeSums(t, dir)
	r := runBin(t, dir, nil, "npm", "install", "lodash@4.17.15")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"vulnerability lodash@4.17.15", "was not run"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if r.stdout != "" {
		t.Errorf("stdout is npm's, but guard wrote %q", r.stdout)
	}
	if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
		t.Errorf("the project changed:\n%s", strings.Join(d, "\n"))
	}
	// A global install is resolved in an empty project.
	r = runBin(t, dir, nil, "--dry-run", "npm", "install", "-g", "lodash@4.17.15")
	if r.code != 1 || !strings.Contains(r.stderr, "vulnerability lodash@4.17.15") {
		t.Fatalf("npm install -g: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
		t.Errorf("the project changed:\n%s", strings.Join(d, "\n"))
	}
	// A project with a lockfile, through npm's alias and guard's flags.
	writeFiles(t, dir, map[string]string{"package-lock.json": `{"name":"guard-wrap-test","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"guard-wrap-test","version":"1.0.0"}}}` + "\n"})
	before = treeSums(t, dir)
	r = runBin(t, dir, nil, "--quiet", "npm", "i", "--save-exact", "lodash@4.17.15")
	if r.code != 1 || !strings.Contains(r.stderr, "vulnerability lodash@4.17.15") {
		t.Fatalf("npm i: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
		t.Errorf("the project changed:\n%s", strings.Join(d, "\n"))
	}
}

func TestWrapNpmInstallAllowedMatchesPlainNpm(t *testing.T) {
	needNpm(t)
	guarded, plain := t.TempDir(), t.TempDir()
	for _, d := range []string{guarded, plain} {
		writeFiles(t, d, map[string]string{"package.json": testManifest})
	}
	r := runBin(t, guarded, nil, "npm", "install", "is-number@7.0.0")
	if r.code != 0 {
		t.Fatalf("guard npm install: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "1 package checked (1 new)") || !strings.Contains(r.stderr, "allow") {
		t.Errorf("stderr lacks the summary:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "not checked") {
		t.Errorf("the install added packages that were not checked:\n%s", r.stderr)
	}
	if !strings.Contains(r.stdout, "added 1 package") {
		t.Errorf("npm's own output should reach stdout:\n%s", r.stdout)
	}
	cmd := exec.Command("npm", "install", "is-number@7.0.0")
	cmd.Dir = plain
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("plain npm install: %v\n%s", err, out)
	}
	if d := diffSums(treeSums(t, plain), treeSums(t, guarded)); len(d) > 0 {
		t.Errorf("guard npm install and npm install differ:\n%s", strings.Join(d, "\n"))
	}

	// Again with nothing new: still checked, labelled "already locked".
	r = runBin(t, guarded, nil, "npm", "install")
	if r.code != 0 || !strings.Contains(r.stderr, "1 package checked (1 already locked)") {
		t.Errorf("second install: exit %d\n%s", r.code, r.stderr)
	}
	// --all is a no-op that says so.
	r = runBin(t, guarded, nil, "--dry-run", "--all", "npm", "ci")
	if r.code != 0 || !strings.Contains(r.stderr, "--all has no effect") || !strings.Contains(r.stderr, "npm ci: 1 package checked") {
		t.Errorf("ci --all: exit %d\n%s", r.code, r.stderr)
	}
}

func TestWrapNpmCIChecksTheLockfile(t *testing.T) {
	needNpm(t)
	dir := t.TempDir()
	for _, n := range []string{"package.json", "package-lock.json"} {
		data, err := os.ReadFile(filepath.Join(project("npm-vulnerable"), n))
		if err != nil {
			t.Fatal(err)
		}
		writeFiles(t, dir, map[string]string{n: string(data)})
	}
	before := treeSums(t, dir)
	r := runBin(t, dir, nil, "npm", "ci")
	if r.code != 1 || !strings.Contains(r.stderr, "vulnerability lodash@4.17.15") {
		t.Fatalf("npm ci: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
		t.Errorf("the project changed:\n%s", strings.Join(d, "\n"))
	}
	// npm install with the same lockfile: lodash is not new, and it is
	// checked all the same.
	r = runBin(t, dir, nil, "--dry-run", "npm", "install")
	if r.code != 1 || !strings.Contains(r.stderr, "lodash@4.17.15 (already locked)") {
		t.Errorf("install of an unchanged lockfile: exit %d, want 1\n%s", r.code, r.stderr)
	}
	// npm install -g with no package installs this folder's package, and
	// what it depends on, globally.
	r = runBin(t, dir, []string{"npm_config_prefix=" + t.TempDir()}, "--dry-run", "npm", "install", "-g")
	if r.code != 1 || !strings.Contains(r.stderr, "vulnerability lodash@4.17.15") {
		t.Errorf("npm install -g of the project: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
		t.Errorf("--dry-run changed the project:\n%s", strings.Join(d, "\n"))
	}
}

func TestWrapNpmPassThrough(t *testing.T) {
	needNpm(t)
	want, err := exec.Command("npm", "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	r := runBin(t, t.TempDir(), nil, "npm", "--version")
	if r.code != 0 || r.stdout != string(want) || r.stderr != "" {
		t.Fatalf("guard npm --version: exit %d stdout %q stderr %q, want %q", r.code, r.stdout, r.stderr, want)
	}
}

// fakeNpm puts a shell script named npm first on PATH and returns the extra
// environment that does so.
func fakeNpm(t *testing.T, script string) []string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("fake npm is a shell script")
	}
	bin := t.TempDir()
	writeFiles(t, bin, map[string]string{"npm": "#!/bin/sh\n" + script})
	return []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
}

// fakeResolve answers the resolution step with an empty lockfile.
const fakeResolve = `case " $* " in *" --package-lock-only "*)
  printf '{"name":"x","lockfileVersion":3,"requires":true,"packages":{"":{"name":"x"}}}\n' > package-lock.json
  exit 0;;
esac
`

func TestWrapPassThroughArgsAndExitCode(t *testing.T) {
	env := fakeNpm(t, fakeResolve+`printf '%s|' "$@"; echo; echo "cwd=$(pwd)"; exit 7`+"\n")
	dir := t.TempDir()
	r := runBin(t, dir, env, "--offline", "npm", "run", "build", "--", "--offline", "a b")
	real, _ := filepath.EvalSymlinks(dir)
	if r.code != 7 || r.stdout != "run|build|--|--offline|a b|\ncwd="+real+"\n" {
		t.Fatalf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	// Install-like: resolved by the fake, checked, then run with the exact
	// args plus --prefer-offline (README: what guard adds to the real command).
	writeFiles(t, dir, map[string]string{"package.json": testManifest})
	r = runBin(t, dir, env, "npm", "install", "--save-exact", "x")
	if r.code != 7 || !strings.HasPrefix(r.stdout, "install|--save-exact|x|--prefer-offline|\n") || !strings.Contains(r.stderr, "0 packages checked") {
		t.Fatalf("install: exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err == nil {
		t.Errorf("the resolution wrote into the project")
	}
}

func TestWrapUsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--level", "9", "npm", "install", "x"}, 2, "level 9"},
		{[]string{"--frob", "npm", "install"}, 2, "unknown flag"},
		{[]string{"--mode", "maybe", "npm", "run", "x"}, 2, "mode"},
		{[]string{"--offline"}, 2, "unknown command"},
		{[]string{"help", "npm"}, 0, "--dry-run"},
		{[]string{"help", "shell-init"}, 0, "eval"},
		{[]string{"help", "shims"}, 0, "GUARD_BYPASS"},
		{[]string{"shims"}, 2, "Usage"},
		{[]string{"shims", "frob"}, 2, "unknown command"},
		{[]string{"shell-init"}, 2, "Usage"},
		{[]string{"shell-init", "tcsh"}, 2, "unsupported shell"},
		{[]string{"shell-init", "bash", "frob"}, 2, "not a package manager"},
	} {
		r := runGuard(t, nil, false, tt.args...)
		if r.code != tt.code || !strings.Contains(r.stdout+r.stderr, tt.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s%s", tt.args, r.code, tt.code, tt.want, r.stdout, r.stderr)
		}
	}
}

// A workspace: the members' manifests go into the copy, and npm run from a
// member's folder resolves the whole workspace, as npm itself does.
func TestWrapNpmWorkspace(t *testing.T) {
	needNpm(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"package.json":            `{"name":"root","private":true,"workspaces":["packages/*"]}` + "\n",
		"packages/a/package.json": `{"name":"a","version":"1.0.0"}` + "\n",
	})
	before := treeSums(t, dir)
	for _, tt := range []struct {
		dir  string
		args []string
	}{
		{dir, []string{"--dry-run", "npm", "install", "lodash@4.17.15", "-w", "a"}},
		{filepath.Join(dir, "packages", "a"), []string{"--dry-run", "npm", "install", "lodash@4.17.15"}},
	} {
		r := runBin(t, tt.dir, nil, tt.args...)
		if r.code != 1 || !strings.Contains(r.stderr, "vulnerability lodash@4.17.15") {
			t.Errorf("%v in %s: exit %d, want 1\n%s", tt.args, tt.dir, r.code, r.stderr)
		}
	}
	if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
		t.Errorf("the project changed:\n%s", strings.Join(d, "\n"))
	}
}

// handoffStep is one command of a handoff test: whether guard is to hand
// the checked lockfile over, and whether the command fails.
type handoffStep struct {
	args           []string
	handoff, fails bool
	// running, when set, is the command line guard says it runs in place
	// of the user's ("guard: running ..."); asIs: guard says no such
	// line, the user's arguments run as they are.
	running string
	asIs    bool
	// minFiles: plain's project holds at least that many files after the
	// step (the two trees compared are not both empty).
	minFiles int
}

// handoffProjects makes, under a new folder, the guarded and plain projects
// (testManifest only) and a package tarball whose postinstall fails, whose
// path it returns.
func handoffProjects(t *testing.T) (guarded, plain, badTarball string) {
	t.Helper()
	root := t.TempDir()
	guarded, plain = filepath.Join(root, "guarded"), filepath.Join(root, "plain")
	bad := filepath.Join(root, "bad")
	writeFiles(t, guarded, map[string]string{"package.json": testManifest})
	writeFiles(t, plain, map[string]string{"package.json": testManifest})
	writeFiles(t, bad, map[string]string{"package.json": `{"name":"bad-postinstall","version":"1.0.0","scripts":{"postinstall":"exit 7"}}` + "\n"})
	pack := exec.Command("npm", "pack", "--ignore-scripts")
	pack.Dir = bad
	if out, err := pack.CombinedOutput(); err != nil {
		t.Fatalf("npm pack: %v\n%s", err, out)
	}
	return guarded, plain, filepath.Join(bad, "bad-postinstall-1.0.0.tgz")
}

// runHandoffSteps runs each step with guard (tool as named on PATH, env
// added) in guarded and with the plain tool (plainBin) in plain: guard
// hands the lockfile over exactly when the step says, runs the command
// line the step says, reports nothing installed unchecked, the two
// projects end alike, and after a failed command the guarded project's
// package.json and lockfile are as they were wherever plain's are.
func runHandoffSteps(t *testing.T, tool, plainBin, lock string, env []string, guarded, plain string, steps []handoffStep) {
	t.Helper()
	runHandoffStepsSums(t, tool, plainBin, lock, env, guarded, plain, steps, func(dir string) map[string]string { return treeSums(t, dir) })
}

// runHandoffStepsSums is runHandoffSteps comparing the projects through
// sums (treeSums less what differs between any two runs of the tool).
func runHandoffStepsSums(t *testing.T, tool, plainBin, lock string, env []string, guarded, plain string, steps []handoffStep, sums func(string) map[string]string) {
	t.Helper()
	handed := "guard: " + tool + " installs from the checked " + lock + "\n"
	for _, step := range steps {
		before := treeSums(t, guarded)
		r := runBin(t, guarded, env, append([]string{"--verbose", "--level", "0", tool}, step.args...)...)
		if (r.code != 0) != step.fails {
			t.Fatalf("guard %s %q: exit %d\nstderr:\n%s", tool, step.args, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, handed) != step.handoff {
			t.Errorf("guard %s %q: handoff %v, want %v:\n%s", tool, step.args, !step.handoff, step.handoff, r.stderr)
		}
		if step.running != "" && !strings.Contains(r.stderr, "guard: running "+step.running+"\n") {
			t.Errorf("guard %s %q: stderr does not say it runs %s:\n%s", tool, step.args, step.running, r.stderr)
		}
		if step.asIs && strings.Contains(r.stderr, "guard: running") {
			t.Errorf("guard %s %q: guard must run the user's arguments as they are:\n%s", tool, step.args, r.stderr)
		}
		if !step.fails && strings.Contains(r.stderr, "that were not checked") {
			t.Errorf("guard %s %q: the install added packages that were not checked:\n%s", tool, step.args, r.stderr)
		}
		plainBefore := treeSums(t, plain)
		cmd := exec.Command(plainBin, step.args...)
		cmd.Dir = plain
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); (err != nil) != step.fails {
			t.Fatalf("plain %s %q: %v\n%s", tool, step.args, err, out)
		}
		ps := sums(plain)
		if len(ps) < step.minFiles {
			t.Fatalf("plain %s %q left %d files; want at least %d", tool, step.args, len(ps), step.minFiles)
		}
		if d := diffSums(ps, sums(guarded)); len(d) > 0 {
			t.Errorf("after %s %q, guard's project and plain %s's differ:\n%s", tool, step.args, tool, strings.Join(d, "\n"))
		}
		if step.fails {
			after, plainAfter := treeSums(t, guarded), treeSums(t, plain)
			for _, f := range []string{"package.json", lock} {
				if plainBefore[f] == plainAfter[f] && before[f] != after[f] {
					t.Errorf("after the failed %s %q, %s changed: %s -> %s", tool, step.args, f, before[f], after[f])
				}
			}
		}
	}
}

// guard gives npm the lockfile it checked (guard/pm/handoff.go) and runs it
// with --prefer-offline (guard/pm/preferoffline.go). The project ends as
// plain npm leaves it, byte for byte, with or without a lockfile before; a
// user's own freshness option is left alone; --no-save gets no handoff;
// npm ci gets neither (no private resolution); and when the real npm
// fails, the project is as plain npm's failed run leaves it (the lockfile
// put back, or not there).
func TestWrapNpmHandoff(t *testing.T) {
	needNpm(t)
	guarded, plain, tgz := handoffProjects(t)
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatal(err)
	}
	runHandoffSteps(t, "npm", npm, "package-lock.json", nil, guarded, plain, []handoffStep{
		{args: []string{"install", "express@4.21.2"}, handoff: true, // no lockfile before
			running: "npm install express@4.21.2 --prefer-offline", minFiles: 100},
		{args: []string{"install", "ms@2.1.3"}, handoff: true},                                  // a lockfile before
		{args: []string{"install", "--prefer-online", "depd@2.0.0"}, handoff: true, asIs: true}, // the user's freshness option
		{args: []string{"install", "--no-save", "ms@2.0.0"}, handoff: false},                    // npm writes no lockfile
		{args: []string{"ci"}, asIs: true},                                                      // the lockfile as it is
		{args: []string{"install", tgz}, handoff: true, fails: true},                            // npm fails after the handoff
	})
}
