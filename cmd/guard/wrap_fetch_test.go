package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Regression tests of issue 11: every package a command leaves installed is
// checked, and every command that downloads or runs packages is gated. They
// run the real npm, pnpm 9 and yarn 1 against the npm registry npm is
// configured with; advisories come from the test DB (testdata/osv), plus
// a marked record where a test says so.

// jsEnv is PATH with pnpm 9 and yarn 1 (installed by jsTool when absent)
// in front.
func jsEnv(t *testing.T) []string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("shell paths")
	}
	pnpm := filepath.Dir(jsTool(t, "pnpm"))
	yarn := filepath.Dir(jsTool(t, "yarn"))
	return []string{"PATH=" + pnpm + string(os.PathListSeparator) + yarn + string(os.PathListSeparator) + os.Getenv("PATH")}
}

// npmRegistry is the registry npm is configured with (never written into
// the project: tests learn it from npm, as guard does).
func npmRegistry(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("npm", "config", "get", "registry").Output()
	if err != nil {
		t.Fatalf("npm config get registry: %v", err)
	}
	return strings.TrimSuffix(strings.TrimSpace(string(out)), "/")
}

// freshClone copies testdata/projects/js-fresh-clone's package.json and
// the named lockfile into a new folder, as a fresh clone has them: no
// node_modules. yarn.lock's placeholder registry host becomes npm's.
func freshClone(t *testing.T, lock string) string {
	t.Helper()
	dir := t.TempDir()
	for _, n := range []string{"package.json", lock} {
		data, err := os.ReadFile(filepath.Join(project("js-fresh-clone"), n))
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		if n == "yarn.lock" {
			s = strings.ReplaceAll(s, "https://npm-registry.invalid", npmRegistry(t))
		}
		writeFiles(t, dir, map[string]string{n: s})
	}
	return dir
}

func TestWrapFreshCloneIsCheckedWhole(t *testing.T) {
	needNpm(t)
	env := jsEnv(t)
	for _, tt := range []struct {
		lock string
		args []string
	}{
		{"package-lock.json", []string{"npm", "install"}},
		{"package-lock.json", []string{"npm", "ci"}},
		{"pnpm-lock.yaml", []string{"pnpm", "install", "--frozen-lockfile"}},
		{"yarn.lock", []string{"yarn", "install", "--frozen-lockfile"}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			dir := freshClone(t, tt.lock)
			before := treeSums(t, dir)
			r := runBin(t, dir, env, tt.args...)
			if r.code != 1 || r.stdout != "" {
				t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			for _, want := range []string{"vulnerability lodash@4.17.11", "52 packages checked (52 already locked)",
				"lodash@4.17.11 (already locked)", "was not run; nothing was changed"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil {
				t.Error("node_modules was created")
			}
			if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
				t.Errorf("the project changed:\n%s", strings.Join(d, "\n"))
			}
		})
	}
}

// What is already in node_modules hides nothing: npm ci deletes it and
// installs the whole lockfile.
func TestWrapNpmCIAfterPlainInstall(t *testing.T) {
	needNpm(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"package.json": testManifest})
	cmd := exec.Command("npm", "install", "--ignore-scripts", "--no-audit", "--no-fund", "lodash@4.17.15")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("plain npm install: %v\n%s", err, out)
	}
	before := treeSums(t, dir)
	r := runBin(t, dir, nil, "npm", "ci")
	if r.code != 1 || !strings.Contains(r.stderr, "lodash@4.17.15 (already locked)") || strings.Contains(r.stderr, "not re-checked") {
		t.Fatalf("npm ci: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
		t.Errorf("the project changed:\n%s", strings.Join(d, "\n"))
	}
}

// withMarked is the test DB plus a record for marked < 0.3.6.
func withMarked(t *testing.T) string {
	t.Helper()
	recs := map[string]string{"GHSA-gd09-marked-test.json": osvRecord("GHSA-gd09-marked-test", "npm", "marked", "0.3.6")}
	for _, n := range []string{"GHSA-gd01-lodash-test.json", "NSWG-ECO-9001.json", "MAL-2099-0042.json"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "osv", "npm", n))
		if err != nil {
			t.Fatal(err)
		}
		recs[n] = string(data)
	}
	return dbWith(t, map[string]map[string]string{"npm": recs})
}

// Download-and-run commands are checked like installs and run nothing when
// blocked.
func TestWrapExecAndDlxBlocked(t *testing.T) {
	needNpm(t)
	env := append(jsEnv(t), "GUARD_DB="+withMarked(t))
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"package.json": testManifest})
	marker := filepath.Join(t.TempDir(), "ran")
	script := "require('fs').writeFileSync(" + "'" + marker + "'" + ", 'x')"
	before := treeSums(t, dir)
	for _, args := range [][]string{
		{"npm", "exec", "--yes", "--package=lodash@4.17.15", "--", "node", "-e", script},
		{"npm", "x", "-y", "--package", "lodash@4.17.15", "--", "node", "-e", script},
		{"npx", "--yes", "-p", "lodash@4.17.15", "node", "-e", script},
		{"npx", "--yes", "marked@0.3.5", "--version"},
		{"pnpm", "dlx", "marked@0.3.5", "--version"},
		{"pnpm", "dlx", "--package=lodash@4.17.15", "node", "-e", script},
		{"pnpx", "marked@0.3.5", "--version"},
		{"npm", "init", "--yes", "guard-test-does-not-exist-x9@1.0.0"},
	} {
		r := runBin(t, dir, env, args...)
		want := 1
		if args[0] == "npm" && args[1] == "init" {
			want = 3 // no such package: the set cannot be worked out
		}
		if r.code != want || r.stdout != "" {
			t.Errorf("%q: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", args, r.code, want, r.stdout, r.stderr)
		} else if want == 1 && !strings.Contains(r.stderr, "(new)") {
			t.Errorf("%q: no label:\n%s", args, r.stderr)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Fatalf("%q ran the package", args)
		}
	}
	if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
		t.Errorf("the project changed:\n%s", strings.Join(d, "\n"))
	}
	// An allowed exec runs, with the user's arguments.
	r := runBin(t, dir, env, "npx", "--yes", "-p", "is-number@7.0.0", "node", "-e", script)
	if r.code != 0 || !strings.Contains(r.stderr, "npx: 1 package checked (1 new)") {
		t.Fatalf("allowed npx: exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the allowed command did not run: %v", err)
	}
}

// --dry-run runs nothing: not a checked command, not a pass-through one.
func TestWrapDryRunRunsNothing(t *testing.T) {
	needNpm(t)
	dir := t.TempDir()
	r := runBin(t, dir, nil, "--dry-run", "npm", "exec", "--yes", "cowsay", "hi")
	if r.code != 0 || r.stdout != "" || strings.Contains(r.stderr, "(oo)") ||
		!strings.Contains(r.stderr, "it was not run: npm exec --yes cowsay hi") || !strings.Contains(r.stderr, "npm exec: ") {
		t.Fatalf("dry-run exec: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	log := filepath.Join(t.TempDir(), "calls")
	env := fakeNpm(t, "echo \"$*\" >> "+log+"\n")
	r = runBin(t, dir, env, "--dry-run", "npm", "run", "build")
	if r.code != 0 || r.stdout != "" || !strings.Contains(r.stderr, "it was not run: npm run build") {
		t.Errorf("dry-run pass-through: exit %d %q %s", r.code, r.stdout, r.stderr)
	}
	if data, _ := os.ReadFile(log); len(data) != 0 {
		t.Errorf("npm was run: %s", data)
	}
}

// Global installs are resolved in private copies: a blocked one leaves the
// global folders byte for byte as they were.
func TestWrapGlobalInstallsBlocked(t *testing.T) {
	needNpm(t)
	env := jsEnv(t)
	g := t.TempDir()
	npmPrefix, pnpmHome, yarnDir := filepath.Join(g, "npm"), filepath.Join(g, "pnpm"), filepath.Join(g, "yarn")
	for _, d := range []string{npmPrefix, pnpmHome, filepath.Join(yarnDir, "global"), filepath.Join(yarnDir, "prefix")} {
		os.MkdirAll(d, 0o755)
	}
	genv := append(env, "npm_config_prefix="+npmPrefix, "PNPM_HOME="+pnpmHome)
	genv[0] = "PATH=" + pnpmHome + string(os.PathListSeparator) + strings.TrimPrefix(genv[0], "PATH=")
	// Something installed globally already, by the plain tools.
	dir := t.TempDir()
	for _, args := range [][]string{
		{"npm", "install", "-g", "--no-audit", "--no-fund", "is-number@7.0.0"},
		{"pnpm", "add", "-g", "is-number@7.0.0"},
		{"yarn", "global", "add", "is-number@7.0.0", "--global-folder", filepath.Join(yarnDir, "global"), "--prefix", filepath.Join(yarnDir, "prefix")},
	} {
		cmd := exec.Command(plainTool(t, args[0]), args[1:]...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), genv...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%q: %v\n%s", args, err, out)
		}
	}
	before := treeSums(t, g)
	for _, args := range [][]string{
		{"npm", "install", "-g", "lodash@4.17.15"},
		{"npm", "i", "--location=global", "lodash@4.17.15"},
		{"pnpm", "add", "-g", "lodash@4.17.15"},
		{"pnpm", "add", "--global", "lodash@4.17.15"},
		{"yarn", "global", "add", "lodash@4.17.15", "--global-folder", filepath.Join(yarnDir, "global"), "--prefix", filepath.Join(yarnDir, "prefix")},
	} {
		r := runBin(t, dir, genv, args...)
		if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "vulnerability lodash@4.17.15") {
			t.Errorf("%q: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
		}
		if d := diffSums(before, treeSums(t, g)); len(d) > 0 {
			t.Fatalf("%q changed the global folders:\n%s", args, strings.Join(d, "\n"))
		}
	}
	// pnpm's global project is checked whole: what was there is labelled.
	r := runBin(t, dir, genv, "--dry-run", "pnpm", "add", "-g", "is-odd@3.0.1")
	if r.code != 0 || !strings.Contains(r.stderr, "already locked") || !strings.Contains(r.stderr, "new") {
		t.Errorf("pnpm add -g allowed: exit %d\n%s", r.code, r.stderr)
	}
	if d := diffSums(before, treeSums(t, g)); len(d) > 0 {
		t.Errorf("--dry-run changed the global folders:\n%s", strings.Join(d, "\n"))
	}
}

// yarn 1's upgrade and upgrade-interactive are resolved with yarn 1's own
// commands.
func TestWrapYarn1Upgrade(t *testing.T) {
	needNpm(t)
	env := jsEnv(t)
	guarded, plain := t.TempDir(), t.TempDir()
	for _, d := range []string{guarded, plain} {
		writeFiles(t, d, map[string]string{"package.json": `{"name":"guard-yarn-upgrade","version":"1.0.0","private":true,"dependencies":{"is-number":"^6.0.0"}}` + "\n"})
		cmd := exec.Command(plainTool(t, "yarn"), "add", "is-number@^6.0.0", "--ignore-scripts", "--non-interactive")
		cmd.Dir = d
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("yarn add: %v\n%s", err, out)
		}
	}
	before := treeSums(t, guarded)
	r := runBin(t, guarded, env, "--dry-run", "yarn", "upgrade-interactive", "--latest")
	if r.code != 0 || !strings.Contains(r.stderr, "yarn upgrade-interactive: 2 packages checked (1 changed, 1 already locked)") {
		t.Fatalf("upgrade-interactive: exit %d\n%s", r.code, r.stderr)
	}
	if d := diffSums(before, treeSums(t, guarded)); len(d) > 0 {
		t.Errorf("--dry-run changed the project:\n%s", strings.Join(d, "\n"))
	}
	r = runBin(t, guarded, env, "yarn", "upgrade", "--latest")
	if r.code != 0 || !strings.Contains(r.stderr, "yarn upgrade: 1 package checked (1 changed)") {
		t.Fatalf("upgrade: exit %d\n%s", r.code, r.stderr)
	}
	cmd := exec.Command(plainTool(t, "yarn"), "upgrade", "--latest")
	cmd.Dir = plain
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("plain yarn upgrade: %v\n%s", err, out)
	}
	for _, f := range []string{"package.json", "yarn.lock"} {
		a, _ := os.ReadFile(filepath.Join(guarded, f))
		b, _ := os.ReadFile(filepath.Join(plain, f))
		if string(a) != string(b) {
			t.Errorf("%s differs from plain yarn upgrade:\n%s\n---\n%s", f, a, b)
		}
	}
	// up is no yarn 1 command (it would run a script named up): nothing to check.
	if r := runBin(t, guarded, env, "--dry-run", "yarn", "up"); r.code != 0 || !strings.Contains(r.stderr, "nothing to check") {
		t.Errorf("yarn up: exit %d\n%s", r.code, r.stderr)
	}
}

// yarn 2+'s dlx (a stand-in yarn 4 that logs its calls) is resolved by npm
// and checked; yarn never runs when blocked.
func TestWrapYarnBerryDlx(t *testing.T) {
	needNpm(t)
	if runtime.GOOS == "windows" {
		t.Skip("stand-in yarn is a shell script")
	}
	log := filepath.Join(t.TempDir(), "calls")
	bin := t.TempDir()
	writeFiles(t, bin, map[string]string{"yarn": "#!/bin/sh\necho \"$*\" >> " + log + "\ncase \"$*\" in --version) echo 4.1.0; exit 0;; esac\necho \"real yarn $*\"\n"})
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	dir := t.TempDir()
	r := runBin(t, dir, env, "yarn", "dlx", "-p", "lodash@4.17.15", "node", "-e", "1")
	if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "lodash@4.17.15 (new)") {
		t.Fatalf("yarn dlx: exit %d %q\n%s", r.code, r.stdout, r.stderr)
	}
	if calls, _ := os.ReadFile(log); string(calls) != "--version\n" {
		t.Errorf("yarn calls:\n%s", calls)
	}
	r = runBin(t, dir, env, "yarn", "dlx", "is-number@7.0.0")
	if r.code != 0 || r.stdout != "real yarn dlx is-number@7.0.0\n" || !strings.Contains(r.stderr, "yarn dlx: 1 package checked (1 new)") {
		t.Errorf("allowed yarn dlx: exit %d %q\n%s", r.code, r.stdout, r.stderr)
	}
}
