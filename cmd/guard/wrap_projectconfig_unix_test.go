//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// markerScript returns a shell program that appends its arguments to
// marker and then runs git with them (so npm's git fetch still works).
func markerScript(marker string) string {
	return "#!/bin/sh\necho \"$0 $*\" >> '" + marker + "'\nexec git \"$@\"\n"
}

// markerJS returns a JavaScript file that appends a line to marker.
func markerJS(marker string) string {
	return "require('fs').appendFileSync(" + jsString(marker) + ", 'ran ' + __filename + '\\n');\n" +
		"if (process.argv.includes('--version')) console.log('1.22.22');\nmodule.exports = {hooks: {}};\n"
}

func jsString(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", `\'`) + "'"
}

func assertNoMarker(t *testing.T, marker string) {
	t.Helper()
	if data, err := os.ReadFile(marker); err == nil {
		t.Fatalf("a program named by the project's configuration ran during guard's resolution:\n%s", data)
	}
}

// gitRepo makes a local git repository holding a package guard can resolve
// as a git dependency without the network.
func gitRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH")
	}
	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{"package.json": `{"name":"gdep","version":"1.0.0"}` + "\n"})
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.email=t@example.invalid", "-c", "user.name=t", "commit", "-qm", "init"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return repo
}

// TestNpmrcGitProgramRefused: npm runs the program a project .npmrc's
// `git` names to list and clone git dependencies, during
// `npm install --package-lock-only` too (tried: it ran ls-remote and clone).
// guard refuses it before npm runs at all.
func TestNpmrcGitProgramRefused(t *testing.T) {
	needNpm(t)
	repo := gitRepo(t)
	outside := t.TempDir()
	marker := filepath.Join(outside, "MARKER")
	writeFiles(t, outside, map[string]string{"evil.sh": markerScript(marker)})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"package.json": `{"name":"p","version":"1.0.0","dependencies":{"gdep":"git+file://` + repo + `"}}` + "\n",
		".npmrc":       "fund=false\ngit=" + filepath.Join(outside, "evil.sh") + "\n",
	})
	for _, args := range [][]string{{"--dry-run", "npm", "install"}, {"npm", "install"}, {"npm", "exec", "--", "gdep@git+file://" + repo}} {
		r := runBin(t, dir, nil, args...)
		assertNoMarker(t, marker)
		if r.code != 3 || !strings.Contains(r.stderr, ".npmrc:2: git names the program npm runs") {
			t.Fatalf("guard %v: exit %d, want 3 naming .npmrc:2 and git\nstderr:\n%s", args, r.code, r.stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "package-lock.json")); err == nil {
		t.Error("a lockfile was written")
	}
}

// TestYarnPathRefused: yarn 1 runs the JavaScript file named by `yarn-path`
// (.yarnrc) or `yarnPath` (.yarnrc.yml) in place of itself, on every
// command; yarn 4 does the same with `yarnPath` and loads .yarnrc.yml
// `plugins`. guard refuses them before running yarn, unless the user
// trusts the project's yarn (then each of them ran).
func TestYarnPathRefused(t *testing.T) {
	for _, yarn := range []struct{ name, bin string }{{"yarn 1", jsTool(t, "yarn")}, {"yarn 4", berryTool(t)}} {
		env := []string{"PATH=" + filepath.Dir(yarn.bin) + string(os.PathListSeparator) + os.Getenv("PATH"), "YARN_ENABLE_TELEMETRY=0"}
		for _, tt := range []struct{ name, file, content, want string }{
			{"yarnrc", ".yarnrc", "# yarn 1\nyarn-path \".yarn/releases/evil.cjs\"\n", ".yarnrc:2: yarn-path runs a JavaScript file"},
			{"yarnrc-yml", ".yarnrc.yml", "nodeLinker: node-modules\nyarnPath: .yarn/releases/evil.cjs\n", ".yarnrc.yml:2: yarnPath runs a JavaScript file"},
			{"plugins", ".yarnrc.yml", "plugins:\n  - path: .yarn/releases/evil.cjs\n", ".yarnrc.yml:1: plugins loads JavaScript files"},
		} {
			t.Run(yarn.name+"/"+tt.name, func(t *testing.T) {
				marker := filepath.Join(t.TempDir(), "MARKER")
				dir := t.TempDir()
				writeFiles(t, dir, map[string]string{"package.json": testManifest, tt.file: tt.content, ".yarn/releases/evil.cjs": markerJS(marker)})
				sub := filepath.Join(dir, "sub")
				if err := os.Mkdir(sub, 0o755); err != nil {
					t.Fatal(err)
				}
				for _, args := range [][]string{{"--dry-run", "yarn", "add", "is-number@7.0.0"}, {"yarn", "install"}, {"yarn", "global", "add", "is-number@7.0.0"}} {
					for _, wd := range []string{dir, sub} {
						r := runBin(t, wd, env, args...)
						assertNoMarker(t, marker)
						if r.code != 3 || !strings.Contains(r.stderr, tt.want) || !strings.Contains(r.stderr, "GUARD_TRUST_PROJECT_YARN=1") {
							t.Fatalf("guard %v in %s: exit %d, want 3 and %q\nstderr:\n%s", args, wd, r.code, tt.want, r.stderr)
						}
					}
				}
				if yarn.name == "yarn 1" && tt.name == "plugins" || yarn.name == "yarn 4" && tt.name == "yarnrc" {
					return // not read by that yarn: nothing to see with the escape
				}
				// The user's own environment may trust the project's yarn: then
				// it runs (here it is no yarn, so the resolution fails).
				r := runBin(t, dir, append(env, "GUARD_TRUST_PROJECT_YARN=1"), "--dry-run", "yarn", "add", "is-number@7.0.0")
				if strings.Contains(r.stderr, "guard refuses it") {
					t.Fatalf("GUARD_TRUST_PROJECT_YARN=1 did not allow the project's yarn:\n%s", r.stderr)
				}
				if _, err := os.Stat(marker); err != nil {
					t.Fatalf("with GUARD_TRUST_PROJECT_YARN=1 the project's yarn did not run (exit %d):\n%s", r.code, r.stderr)
				}
			})
		}
	}
}

// TestPnpmProjectCodeNeverRuns: pnpm 9 runs a project's pnpmfile
// (.pnpmfile.cjs, .npmrc pnpmfile= and global-pnpmfile=) unless told
// --ignore-pnpmfile, and with .npmrc manage-package-manager-versions=true
// downloads and runs the pnpm that package.json's packageManager names.
// None of it happens during guard's resolution.
func TestPnpmProjectCodeNeverRuns(t *testing.T) {
	bin := filepath.Dir(jsTool(t, "pnpm"))
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	marker := filepath.Join(t.TempDir(), "MARKER")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		// A pnpm version that does not exist: switching to it fails the
		// resolution, and the pnpm guard found would otherwise be replaced.
		"package.json":  `{"name":"p","version":"1.0.0","packageManager":"pnpm@9.0.999"}` + "\n",
		".pnpmfile.cjs": markerJS(marker),
		"evil.cjs":      markerJS(marker),
		".npmrc": "pnpmfile=evil.cjs\nglobal-pnpmfile=" + filepath.Join(dir, "evil.cjs") + "\n" +
			"manage-package-manager-versions=true\nignore-scripts=false\n",
	})
	for _, args := range [][]string{{"--dry-run", "pnpm", "install"}, {"--dry-run", "pnpm", "add", "is-number@7.0.0"}} {
		r := runBin(t, dir, env, args...)
		assertNoMarker(t, marker)
		if r.code != 0 {
			t.Fatalf("guard %v: exit %d, want 0\nstderr:\n%s", args, r.code, r.stderr)
		}
	}
}

// A project inside another repository: that repository's .yarnrc above the
// project (which yarn reads, and guard's private copy mirrors) is checked
// too, and its yarn-path never runs.
func TestYarnPathAboveTheProjectRefused(t *testing.T) {
	bin := filepath.Dir(jsTool(t, "yarn"))
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	marker := filepath.Join(t.TempDir(), "MARKER")
	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{
		".yarnrc":                "yarn-path \"./evil.cjs\"\n",
		"evil.cjs":               markerJS(marker),
		"tools/sub/package.json": testManifest,
	})
	r := runBin(t, filepath.Join(repo, "tools", "sub"), env, "--dry-run", "yarn", "add", "is-number@7.0.0")
	assertNoMarker(t, marker)
	if r.code != 3 || !strings.Contains(r.stderr, filepath.Join(repo, ".yarnrc")+":1: yarn-path") {
		t.Fatalf("exit %d, want 3 naming the repository's .yarnrc\n%s", r.code, r.stderr)
	}
}
