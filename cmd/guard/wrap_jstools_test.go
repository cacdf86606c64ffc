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

var (
	jsToolsOnce sync.Once
	jsToolsBin  string
	jsToolsErr  string
)

// jsTool finds pnpm or yarn on PATH, else installs pnpm 9 and yarn 1 with
// npm from the npm registry into a folder of this test run.
func jsTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	needNpm(t)
	jsToolsOnce.Do(func() {
		prefix := filepath.Join(filepath.Dir(testDBDir), "jstools")
		out, err := exec.Command("npm", "install", "--prefix", prefix, "--no-audit", "--no-fund", "pnpm@9", "yarn@1").CombinedOutput()
		if err != nil {
			jsToolsErr = "npm install pnpm yarn: " + err.Error() + "\n" + string(out)
			return
		}
		jsToolsBin = filepath.Join(prefix, "node_modules", ".bin")
	})
	if jsToolsErr != "" {
		skipOrFailInCI(t, jsToolsErr)
	}
	return filepath.Join(jsToolsBin, name)
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

// After its private resolution guard runs pnpm with --prefer-offline added
// (pnpm reuses the metadata that resolution just fetched): the end state
// is plain pnpm's. pnpm ci and frozen installs get nothing added.
func TestWrapPnpmPreferOfflineMatchesPlainPnpm(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell paths")
	}
	pnpm := jsTool(t, "pnpm")
	env := []string{"PATH=" + filepath.Dir(pnpm) + string(os.PathListSeparator) + os.Getenv("PATH")}
	guarded, plain := t.TempDir(), t.TempDir()
	for _, d := range []string{guarded, plain} {
		writeFiles(t, d, map[string]string{"package.json": testManifest})
	}
	r := runBin(t, guarded, env, "--verbose", "pnpm", "add", "express@4.21.2")
	if r.code != 0 {
		t.Fatalf("guard pnpm add: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "guard: running pnpm add express@4.21.2 --prefer-offline\n") {
		t.Errorf("stderr does not say guard added --prefer-offline:\n%s", r.stderr)
	}
	if strings.Contains(r.stderr, "that were not checked") {
		t.Errorf("the install added packages that were not checked:\n%s", r.stderr)
	}
	cmd := exec.Command(pnpm, "add", "express@4.21.2")
	cmd.Dir = plain
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("plain pnpm add: %v\n%s", err, out)
	}
	// .modules.yaml records when and from which store pnpm linked: not
	// part of what was installed. pnpm's .bin shims name the project's
	// folder: compared with it replaced.
	sums := func(dir string) map[string]string {
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
	ps, gs := sums(plain), sums(guarded)
	if len(ps) < 100 {
		t.Fatalf("plain pnpm add left %d files; want express's tree", len(ps))
	}
	if d := diffSums(ps, gs); len(d) > 0 {
		t.Errorf("guard pnpm add and pnpm add differ:\n%s", strings.Join(d, "\n"))
	}
	r = runBin(t, guarded, env, "--verbose", "pnpm", "install", "--frozen-lockfile")
	if r.code != 0 || strings.Contains(r.stderr, "guard: running") {
		t.Errorf("pnpm install --frozen-lockfile: exit %d; guard must run the user's arguments as they are:\n%s", r.code, r.stderr)
	}
}

// guard gives yarn 1 the yarn.lock it checked (guard/pm/handoff.go): the
// project ends as plain yarn leaves it, with or without a lockfile before;
// --pure-lockfile gets no handoff; and when the real yarn fails, the
// project is as plain yarn's failed run leaves it.
func TestWrapYarn1Handoff(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell paths")
	}
	yarn := jsTool(t, "yarn")
	env := []string{"PATH=" + filepath.Dir(yarn) + string(os.PathListSeparator) + os.Getenv("PATH")}
	root := t.TempDir()
	guarded, plain, bad := filepath.Join(root, "guarded"), filepath.Join(root, "plain"), filepath.Join(root, "bad")
	writeFiles(t, guarded, map[string]string{"package.json": testManifest})
	writeFiles(t, plain, map[string]string{"package.json": testManifest})
	writeFiles(t, bad, map[string]string{"package.json": `{"name":"bad-postinstall","version":"1.0.0","scripts":{"postinstall":"exit 7"}}` + "\n"})
	pack := exec.Command("npm", "pack", "--ignore-scripts")
	pack.Dir = bad
	if out, err := pack.CombinedOutput(); err != nil {
		t.Fatalf("npm pack: %v\n%s", err, out)
	}
	tgz := filepath.Join(bad, "bad-postinstall-1.0.0.tgz")

	const handed = "guard: yarn installs from the checked yarn.lock\n"
	for _, step := range []struct {
		args    []string
		handoff bool
		fails   bool
	}{
		{args: []string{"add", "express@4.21.2"}, handoff: true},                 // no lockfile before
		{args: []string{"add", "ms@2.1.3"}, handoff: true},                       // a lockfile before
		{args: []string{"add", "--pure-lockfile", "depd@1.1.2"}, handoff: false}, // yarn writes no lockfile
		{args: []string{"add", "file:" + tgz}, handoff: true, fails: true},       // yarn fails after the handoff
	} {
		before := treeSums(t, guarded)
		r := runBin(t, guarded, env, append([]string{"--verbose", "--level", "0", "yarn"}, step.args...)...)
		if (r.code != 0) != step.fails {
			t.Fatalf("guard yarn %q: exit %d\nstderr:\n%s", step.args, r.code, r.stderr)
		}
		if strings.Contains(r.stderr, handed) != step.handoff {
			t.Errorf("guard yarn %q: handoff %v, want %v:\n%s", step.args, !step.handoff, step.handoff, r.stderr)
		}
		cmd := exec.Command(yarn, step.args...)
		cmd.Dir = plain
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); (err != nil) != step.fails {
			t.Fatalf("plain yarn %q: %v\n%s", step.args, err, out)
		}
		if d := diffSums(treeSums(t, plain), treeSums(t, guarded)); len(d) > 0 {
			t.Errorf("after yarn %q, guard's project and plain yarn's differ:\n%s", step.args, strings.Join(d, "\n"))
		}
		if step.fails {
			after := treeSums(t, guarded)
			for _, f := range []string{"package.json", "yarn.lock"} {
				if before[f] != after[f] {
					t.Errorf("after the failed yarn %q, %s changed: %s -> %s", step.args, f, before[f], after[f])
				}
			}
		}
	}
}
