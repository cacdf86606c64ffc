package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// npmTools is a folder of this test run that npm installs packages into,
// once: its node_modules/.bin.
type npmTools struct {
	once     sync.Once
	bin, err string
}

func (n *npmTools) install(t *testing.T, folder string, pkgs ...string) string {
	t.Helper()
	needNpm(t)
	n.once.Do(func() {
		prefix := filepath.Join(filepath.Dir(testDBDir), folder)
		args := append([]string{"install", "--prefix", prefix, "--no-audit", "--no-fund", "--ignore-scripts"}, pkgs...)
		out, err := exec.Command("npm", args...).CombinedOutput()
		if err != nil {
			n.err = "npm install " + strings.Join(pkgs, " ") + ": " + err.Error() + "\n" + string(out)
			return
		}
		n.bin = filepath.Join(prefix, "node_modules", ".bin")
	})
	if n.err != "" {
		skipOrFailInCI(t, n.err)
	}
	return n.bin
}

var jsTools, berryTools npmTools

// jsTool finds pnpm or yarn on PATH, else installs pnpm 9 and yarn 1 with
// npm from the npm registry into a folder of this test run.
func jsTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return filepath.Join(jsTools.install(t, "jstools", "pnpm@9", "yarn@1"), name)
}

// plainTool is the path of a package manager the tests run without guard:
// pnpm and yarn through jsTool (exec.Command looks a bare name up on the
// test process's PATH, not on the PATH of the command's environment), others
// from PATH.
func plainTool(t *testing.T, name string) string {
	t.Helper()
	if name == "pnpm" || name == "yarn" {
		return jsTool(t, name)
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

func TestWrapPnpmAndYarnEndToEnd(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell paths")
	}
	for _, tt := range []struct{ tool, lock string }{{"pnpm", "pnpm-lock.yaml"}, {"yarn", "yarn.lock"}} {
		t.Run(tt.tool, func(t *testing.T) {
			bin := filepath.Dir(jsTool(t, tt.tool))
			env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"package.json": testManifest})
			before := treeSums(t, dir)
			r := runBin(t, dir, env, tt.tool, "add", "lodash@4.17.15")
			if r.code != 1 || !strings.Contains(r.stderr, "vulnerability lodash@4.17.15") {
				t.Fatalf("%s add lodash@4.17.15: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", tt.tool, r.code, r.stdout, r.stderr)
			}
			if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
				t.Errorf("the project changed:\n%s", strings.Join(d, "\n"))
			}

			plain := t.TempDir()
			writeFiles(t, plain, map[string]string{"package.json": testManifest})
			r = runBin(t, dir, env, tt.tool, "add", "is-number@7.0.0")
			if r.code != 0 || !strings.Contains(r.stderr, "1 package checked (1 new)") {
				t.Fatalf("%s add is-number: exit %d\nstdout:\n%s\nstderr:\n%s", tt.tool, r.code, r.stdout, r.stderr)
			}
			cmd := exec.Command(filepath.Join(bin, tt.tool), "add", "is-number@7.0.0")
			cmd.Dir = plain
			cmd.Env = append(os.Environ(), env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("plain %s add: %v\n%s", tt.tool, err, out)
			}
			for _, f := range []string{"package.json", tt.lock, "node_modules/is-number/package.json"} {
				a, errA := os.ReadFile(filepath.Join(dir, f))
				b, errB := os.ReadFile(filepath.Join(plain, f))
				if errA != nil || errB != nil || string(a) != string(b) {
					t.Errorf("%s differs from plain %s add (%v, %v):\n%s\n---\n%s", f, tt.tool, errA, errB, a, b)
				}
			}
		})
	}
}

// guard gives yarn 1 the yarn.lock it checked (guard/pm/handoff.go): the
// project ends as plain yarn leaves it, with or without a lockfile before;
// --pure-lockfile gets no handoff; and when the real yarn fails, the
// project is as plain yarn's failed run leaves it.
func TestWrapYarn1Handoff(t *testing.T) {
	env := jsEnv(t)
	yarn := jsTool(t, "yarn")
	guarded, plain, tgz := handoffProjects(t)
	runHandoffSteps(t, "yarn", yarn, "yarn.lock", env, guarded, plain, []handoffStep{
		{args: []string{"add", "express@4.21.2"}, handoff: true},                 // no lockfile before
		{args: []string{"add", "ms@2.1.3"}, handoff: true},                       // a lockfile before
		{args: []string{"add", "--pure-lockfile", "depd@1.1.2"}, handoff: false}, // yarn writes no lockfile
		{args: []string{"add", "file:" + tgz}, handoff: true, fails: true},       // yarn fails after the handoff
	})
}

// pnpmSums is treeSums for a pnpm project: .modules.yaml records when and
// from which store pnpm linked, not part of what was installed; pnpm's
// .bin shims name the project's folder: compared with it replaced.
func pnpmSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	s := treeSums(t, dir)
	delete(s, "node_modules/.modules.yaml")
	for k := range s {
		if strings.Contains(k, "/.bin/") && !strings.HasSuffix(k, "/") {
			data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(k)))
			if err != nil {
				t.Fatal(err)
			}
			s[k] = strings.ReplaceAll(string(data), dir, "<project>")
		}
	}
	return s
}

// guard gives pnpm add the pnpm-lock.yaml it checked and runs pnpm with
// --prefer-offline (pnpm reuses the metadata the private resolution just
// fetched): the project ends as plain pnpm leaves it, with or without a
// lockfile before; pnpm install and --lockfile-only get no handoff; a
// frozen install gets neither (no private resolution); and when the real
// pnpm fails, the project is as plain pnpm's failed run leaves it.
func TestWrapPnpmHandoff(t *testing.T) {
	env := jsEnv(t)
	pnpm := jsTool(t, "pnpm")
	guarded, plain, tgz := handoffProjects(t)
	runHandoffStepsSums(t, "pnpm", pnpm, "pnpm-lock.yaml", env, guarded, plain, []handoffStep{
		{args: []string{"add", "express@4.21.2"}, handoff: true, // no lockfile before
			running: "pnpm add express@4.21.2 --prefer-offline", minFiles: 100},
		{args: []string{"add", "ms@2.1.3"}, handoff: true},                       // a lockfile before
		{args: []string{"install"}, handoff: false},                              // install: no handoff
		{args: []string{"install", "--frozen-lockfile"}, asIs: true},             // the lockfile as it is
		{args: []string{"add", "--lockfile-only", "depd@1.1.2"}, handoff: false}, // the user's lockfile option
		{args: []string{"add", tgz}, handoff: true, fails: true},                 // pnpm fails after the handoff
	}, func(dir string) map[string]string { return pnpmSums(t, dir) })
}

// berryTool is yarn 2+: GUARD_TEST_YARN_BERRY (a folder holding its yarn),
// else yarn 4 (@yarnpkg/cli-dist) installed with npm from the npm registry
// into a folder of this test run.
func berryTool(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("shell paths")
	}
	if d := os.Getenv("GUARD_TEST_YARN_BERRY"); d != "" {
		return filepath.Join(d, "yarn")
	}
	return filepath.Join(berryTools.install(t, "berry", "@yarnpkg/cli-dist@4"), "yarn")
}

// berrySums is treeSums for a yarn 2+ project: .yarn/install-state.gz
// differs between any two runs of yarn (plain or not).
func berrySums(t *testing.T, dir string) map[string]string {
	t.Helper()
	s := treeSums(t, dir)
	delete(s, ".yarn/install-state.gz")
	return s
}

// guard with the real yarn 4: a vulnerable package is blocked with nothing
// changed; yarn add is handed the yarn.lock guard checked and ends as
// plain yarn does, with or without a lockfile before; yarn up and yarn
// install get no handoff (install is immutable in CI); and when the real
// yarn fails, the project is as plain yarn's failed run leaves it.
func TestWrapYarnBerry(t *testing.T) {
	yarn := berryTool(t)
	env := []string{"PATH=" + filepath.Dir(yarn) + string(os.PathListSeparator) + os.Getenv("PATH"), "YARN_ENABLE_TELEMETRY=0"}
	guarded, plain, _ := handoffProjects(t)
	refusedUnchanged(t, guarded, env, 1, "vulnerability lodash@4.17.15", "yarn", "add", "lodash@4.17.15")
	runHandoffStepsSums(t, "yarn", yarn, "yarn.lock", env, guarded, plain, []handoffStep{
		{args: []string{"add", "express@4.21.2"}, handoff: true, minFiles: 4}, // no lockfile before
		{args: []string{"add", "ms@2.1.3"}, handoff: true},                    // a lockfile before
		{args: []string{"up", "ms@2.1.2"}, handoff: false},
		{args: []string{"install"}, handoff: false},
	}, func(dir string) map[string]string { return berrySums(t, dir) })
	// yarn fails after the handoff: it cannot write .pnp.cjs (a folder in
	// both projects; guard's private run never links).
	for _, dir := range []string{guarded, plain} {
		if err := os.Remove(filepath.Join(dir, ".pnp.cjs")); err != nil {
			t.Fatal(err)
		}
		writeFiles(t, dir, map[string]string{".pnp.cjs/x": ""})
	}
	runHandoffStepsSums(t, "yarn", yarn, "yarn.lock", env, guarded, plain, []handoffStep{
		{args: []string{"add", "depd@2.0.0"}, handoff: true, fails: true},
	}, func(dir string) map[string]string { return berrySums(t, dir) })
}

// A command run in a workspace member folder is resolved and checked at the
// workspace root, and the checked lockfile is handed over there: the
// workspace ends as plain yarn 1, yarn 4 and pnpm leave it (before, guard
// took the member for the project and left a lockfile in it, which yarn 4
// then took for a project of its own).
func TestWrapWorkspaceMember(t *testing.T) {
	for _, tt := range []struct {
		name, tool, bin, lock string
		sums                  func(*testing.T, string) map[string]string
	}{
		{"yarn 1", "yarn", jsTool(t, "yarn"), "yarn.lock", treeSums},
		{"yarn 4", "yarn", berryTool(t), "yarn.lock", berrySums},
		{"pnpm", "pnpm", jsTool(t, "pnpm"), "pnpm-lock.yaml", pnpmSums},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := []string{"PATH=" + filepath.Dir(tt.bin) + string(os.PathListSeparator) + os.Getenv("PATH"), "YARN_ENABLE_TELEMETRY=0"}
			files := map[string]string{
				"package.json":            `{"name":"root","private":true,"workspaces":["packages/*"]}` + "\n",
				"pnpm-workspace.yaml":     "packages:\n  - packages/*\n",
				"packages/a/package.json": `{"name":"a","version":"1.0.0"}` + "\n",
				"packages/b/package.json": `{"name":"b","version":"1.0.0","dependencies":{"ms":"2.1.2"}}` + "\n",
			}
			root := t.TempDir()
			guarded, plain := filepath.Join(root, "guarded"), filepath.Join(root, "plain")
			for _, dir := range []string{guarded, plain} {
				writeFiles(t, dir, files)
				cmd := exec.Command(tt.bin, "install")
				cmd.Dir = dir
				// yarn 4 under CI=true would refuse to create the lockfile.
				cmd.Env = append(append(os.Environ(), env...), "YARN_ENABLE_IMMUTABLE_INSTALLS=false")
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("%s install: %v\n%s", tt.tool, err, out)
				}
			}
			r := runBin(t, filepath.Join(guarded, "packages", "a"), env, "--verbose", "--level", "0", tt.tool, "add", "ms@2.1.3")
			if r.code != 0 || !strings.Contains(r.stderr, "installs from the checked "+filepath.Join("..", "..", tt.lock)+"\n") && !strings.Contains(r.stderr, "installs from the checked "+filepath.Join(guarded, tt.lock)+"\n") {
				t.Fatalf("guard %s add in a member: exit %d, want 0 and the root's lockfile handed over\n%s", tt.tool, r.code, r.stderr)
			}
			cmd := exec.Command(tt.bin, "add", "ms@2.1.3")
			cmd.Dir = filepath.Join(plain, "packages", "a")
			cmd.Env = append(os.Environ(), env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("plain %s add: %v\n%s", tt.tool, err, out)
			}
			if d := diffSums(tt.sums(t, plain), tt.sums(t, guarded)); len(d) > 0 {
				t.Errorf("guard's workspace and plain %s's differ:\n%s", tt.tool, strings.Join(d, "\n"))
			}
		})
	}
}

// yarn reads settings from every folder above the project too (yarn 1
// .yarnrc and .npmrc, yarn 2+ .yarnrc.yml): guard's private resolution
// reads the same ones (the copy mirrors them). Here a folder above the
// project names a registry that refuses connections: plain yarn fails, and
// so does guard's resolution, with nothing installed. Before, the copy saw
// none of them: guard resolved from yarn's default registry and handed that
// lockfile over, and the install succeeded from a registry the user's
// settings did not name.
func TestWrapYarnAncestorSettings(t *testing.T) {
	for _, tt := range []struct{ name, bin string }{{"yarn 1", jsTool(t, "yarn")}, {"yarn 4", berryTool(t)}} {
		t.Run(tt.name, func(t *testing.T) {
			env := []string{"PATH=" + filepath.Dir(tt.bin) + string(os.PathListSeparator) + os.Getenv("PATH"), "YARN_ENABLE_TELEMETRY=0", "YARN_HTTP_RETRY=0"}
			root := t.TempDir()
			writeFiles(t, root, map[string]string{
				".yarnrc":                  "registry \"http://127.0.0.1:9/\"\n",
				".yarnrc.yml":              "npmRegistryServer: \"http://127.0.0.1:9\"\nunsafeHttpWhitelist: [\"127.0.0.1\"]\n",
				"guarded/app/package.json": testManifest,
				"plain/app/package.json":   testManifest,
			})
			cmd := exec.Command(tt.bin, "add", "ms@2.1.3")
			cmd.Dir = filepath.Join(root, "plain", "app")
			cmd.Env = append(os.Environ(), env...)
			if out, err := cmd.CombinedOutput(); err == nil {
				t.Fatalf("plain yarn add succeeded with an unreachable registry above the project:\n%s", out)
			}
			// The resolution fails as plain yarn does.
			refusedUnchanged(t, filepath.Join(root, "guarded", "app"), env, 3, "could not work out what yarn add would install", "yarn", "add", "ms@2.1.3")
		})
	}
}

// refusedUnchanged runs guard with args in dir: it must exit code, say
// want, and leave the project as it was.
func refusedUnchanged(t *testing.T, dir string, env []string, code int, want string, args ...string) {
	t.Helper()
	before := treeSums(t, dir)
	r := runBin(t, dir, env, args...)
	if r.code != code || !strings.Contains(r.stderr, want) {
		t.Fatalf("guard %q: exit %d, want %d and %q\nstderr:\n%s", args, r.code, code, want, r.stderr)
	}
	if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
		t.Errorf("guard %q changed the project:\n%s", args, strings.Join(d, "\n"))
	}
}

// pnpm run in a project below a pnpm workspace that does not list it still
// takes the workspace root's lockfile for it: guard resolves it there too,
// with the project's own package.json (and its dependencies) in the copy,
// and ends as plain pnpm does. Before, the copy lacked that package.json and
// the resolution failed.
func TestWrapPnpmProjectBelowWorkspace(t *testing.T) {
	pnpm := jsTool(t, "pnpm")
	env := []string{"PATH=" + filepath.Dir(pnpm) + string(os.PathListSeparator) + os.Getenv("PATH")}
	files := map[string]string{
		"package.json":            `{"name":"root","private":true}` + "\n",
		"pnpm-workspace.yaml":     "packages:\n  - packages/*\n",
		"packages/a/package.json": `{"name":"a","version":"1.0.0"}` + "\n",
		"other/x/package.json":    `{"name":"x","version":"1.0.0","dependencies":{"depd":"2.0.0"}}` + "\n",
	}
	root := t.TempDir()
	guarded, plain := filepath.Join(root, "guarded"), filepath.Join(root, "plain")
	writeFiles(t, guarded, files)
	writeFiles(t, plain, files)
	r := runBin(t, filepath.Join(guarded, "other", "x"), env, "pnpm", "add", "ms@2.1.3")
	if r.code != 0 || !strings.Contains(r.stderr, "2 packages checked (2 new)") {
		t.Fatalf("guard pnpm add: exit %d, want 0 with depd and ms checked\n%s", r.code, r.stderr)
	}
	cmd := exec.Command(pnpm, "add", "ms@2.1.3")
	cmd.Dir = filepath.Join(plain, "other", "x")
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("plain pnpm add: %v\n%s", err, out)
	}
	if d := diffSums(pnpmSums(t, plain), pnpmSums(t, guarded)); len(d) > 0 {
		t.Errorf("guard's tree and plain pnpm's differ:\n%s", strings.Join(d, "\n"))
	}
}
