//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Lockfiles the fake managers write when asked to resolve: one that holds a
// package the test DB marks vulnerable (lodash 4.17.15, urllib3 2.0.7) and
// one that does not.
var fakeLocks = map[string][2]string{
	"pnpm-lock.yaml": {
		"lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      lodash:\n        specifier: 4.17.15\n        version: 4.17.15\npackages:\n  lodash@4.17.15:\n    resolution: {integrity: sha512-" + sri("A") + "}\nsnapshots:\n  lodash@4.17.15: {}\n",
		"lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      is-number:\n        specifier: 7.0.0\n        version: 7.0.0\npackages:\n  is-number@7.0.0:\n    resolution: {integrity: sha512-" + sri("B") + "}\nsnapshots:\n  is-number@7.0.0: {}\n",
	},
	"yarn.lock": {
		"# yarn lockfile v1\n\n\nlodash@4.17.15:\n  version \"4.17.15\"\n  resolved \"https://npm-registry.invalid/lodash/-/lodash-4.17.15.tgz#abc\"\n  integrity sha512-" + sri("A") + "\n",
		"# yarn lockfile v1\n\n\nis-number@7.0.0:\n  version \"7.0.0\"\n  resolved \"https://npm-registry.invalid/is-number/-/is-number-7.0.0.tgz#abc\"\n  integrity sha512-" + sri("B") + "\n",
	},
	"uv.lock": {
		"version = 1\nrevision = 2\nrequires-python = \">=3.10\"\n\n[[package]]\nname = \"urllib3\"\nversion = \"2.0.7\"\nsource = { registry = \"https://pypi.org/simple\" }\nwheels = [\n    { url = \"https://files.example/urllib3-2.0.7-py3-none-any.whl\", hash = \"sha256:" + strings.Repeat("a", 64) + "\" },\n]\n",
		"version = 1\nrevision = 2\nrequires-python = \">=3.10\"\n\n[[package]]\nname = \"six\"\nversion = \"1.16.0\"\nsource = { registry = \"https://pypi.org/simple\" }\nwheels = [\n    { url = \"https://files.example/six-1.16.0-py3-none-any.whl\", hash = \"sha256:" + strings.Repeat("b", 64) + "\" },\n]\n",
	},
	"poetry.lock": {
		"[[package]]\nname = \"urllib3\"\nversion = \"2.0.7\"\ndescription = \"\"\noptional = false\npython-versions = \">=3.8\"\nfiles = [\n    {file = \"urllib3-2.0.7-py3-none-any.whl\", hash = \"sha256:" + strings.Repeat("a", 64) + "\"},\n]\n\n[metadata]\nlock-version = \"2.1\"\npython-versions = \"^3.10\"\ncontent-hash = \"x\"\n",
		"[[package]]\nname = \"six\"\nversion = \"1.16.0\"\ndescription = \"\"\noptional = false\npython-versions = \">=3.8\"\nfiles = [\n    {file = \"six-1.16.0-py3-none-any.whl\", hash = \"sha256:" + strings.Repeat("b", 64) + "\"},\n]\n\n[metadata]\nlock-version = \"2.1\"\npython-versions = \"^3.10\"\ncontent-hash = \"x\"\n",
	},
}

// sri is a well-formed SHA-512 digest in base64 made of one letter.
func sri(letter string) string { return strings.Repeat(letter, 86) + "==" }

// The fakes write the lockfile when asked to resolve and otherwise say
// what they were asked to run. A flag naming the project folder (pnpm
// -C/--dir, yarn --cwd, uv --directory/--project, poetry
// -C/--directory/-P/--project) moves the private resolution to the copy of
// that folder and is not given to the manager there: there it would point
// the manager at the user's own folder, which the resolution would change
// before the check. The fakes honour the flag as the managers do; the real
// command keeps it.
func TestWrapLockManagersWithFakes(t *testing.T) {
	for _, tt := range []struct {
		tool, lock, manifest string
		args                 []string
		resolveFlag          string // what marks the resolution call
		wantResolve          string // the resolution call's arguments
		project              string // the manifest's folder under the working one ("": the working one)
		wantRun              string // the real command's arguments ("": args, with pnpm's --prefer-offline)
	}{
		{"pnpm", "pnpm-lock.yaml", "package.json", []string{"add", "x"}, "--lockfile-only", "add x --lockfile-only --ignore-scripts --ignore-pnpmfile", "", ""},
		{"pnpm", "pnpm-lock.yaml", "package.json", []string{"i"}, "--lockfile-only", "install --lockfile-only --ignore-scripts --ignore-pnpmfile", "", ""},
		{"yarn", "yarn.lock", "package.json", nil, "--mode=update-lockfile", "install --mode=update-lockfile", "", ""},
		{"yarn", "yarn.lock", "package.json", []string{"add", "x"}, "--mode=update-lockfile", "add x --mode=update-lockfile", "", ""},
		// uv resolves with --no-build: an sdist-only dependency is never built
		// (its build backend is the package's own code).
		{"uv", "uv.lock", "pyproject.toml", []string{"sync"}, "lock", "lock --no-build", "", ""},
		{"uv", "uv.lock", "pyproject.toml", []string{"add", "x"}, "--no-sync", "add x --no-sync --no-build", "", ""},
		{"uv", "uv.lock", "pyproject.toml", []string{"remove", "x"}, "--no-sync", "remove x --no-sync --no-build", "", ""},
		{"poetry", "poetry.lock", "pyproject.toml", []string{"install"}, "lock", "lock", "", ""},
		{"poetry", "poetry.lock", "pyproject.toml", []string{"add", "x"}, "--lock", "add x --lock", "", ""},
		{"pnpm", "pnpm-lock.yaml", "package.json", []string{"-C", "./app", "add", "x"}, "--lockfile-only", "add x --lockfile-only --ignore-scripts --ignore-pnpmfile", "app", "-C ./app add x"},
		{"pnpm", "pnpm-lock.yaml", "package.json", []string{"--dir=app", "add", "x"}, "--lockfile-only", "add x --lockfile-only --ignore-scripts --ignore-pnpmfile", "app", "--dir=app add x"},
		{"yarn", "yarn.lock", "package.json", []string{"--cwd", "./app", "add", "x"}, "--mode=update-lockfile", "add x --mode=update-lockfile", "app", ""},
		{"uv", "uv.lock", "pyproject.toml", []string{"--directory", "./app", "sync"}, "lock", "lock --no-build", "app", ""},
		{"poetry", "poetry.lock", "pyproject.toml", []string{"-C", "app", "add", "x"}, "--lock", "add x --lock", "app", ""},
	} {
		t.Run(tt.tool+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			for i, verdict := range []string{"blocked", "allowed"} {
				dir := t.TempDir()
				log := filepath.Join(t.TempDir(), "calls")
				lockContent := filepath.Join(t.TempDir(), "lock")
				writeFiles(t, filepath.Dir(lockContent), map[string]string{"lock": fakeLocks[tt.lock][i]})
				script := `echo "$*" >> ` + log + `
d=. prev=
for a in "$@"; do
  case "$prev" in -C|--dir|--cwd|--directory|--project) d=$a;; esac
  case "$a" in --dir=*) d=${a#--dir=};; esac
  prev=$a
done
cd "$d" || exit 7
case "$*" in --version) echo 4.1.0; exit 0;; esac
case " $* " in *" ` + tt.resolveFlag + ` "*) cp ` + lockContent + ` ` + tt.lock + `; exit 0;; esac
echo "real $*"; exit 5
`
				bin := t.TempDir()
				writeFiles(t, bin, map[string]string{tt.tool: "#!/bin/sh\n" + script})
				env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
				writeFiles(t, filepath.Join(dir, tt.project), map[string]string{tt.manifest: "{}\n"})
				before := treeSums(t, dir)
				r := runBin(t, dir, env, append([]string{tt.tool}, tt.args...)...)
				calls, _ := os.ReadFile(log)
				if !strings.Contains(string(calls), tt.wantResolve+"\n") {
					t.Errorf("%s: resolution calls:\n%s\nwant %q", verdict, calls, tt.wantResolve)
				}
				if verdict == "blocked" {
					if r.code != 1 || r.stdout != "" {
						t.Fatalf("blocked: exit %d stdout %q stderr:\n%s", r.code, r.stdout, r.stderr)
					}
					if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
						t.Errorf("the project changed:\n%s", strings.Join(d, "\n"))
					}
					continue
				}
				want := "real " + tt.wantRun
				if tt.wantRun == "" {
					want = "real " + strings.Join(tt.args, " ")
					if tt.tool == "pnpm" {
						// After pnpm's private resolution (README: what
						// guard adds to the real command).
						want += " --prefer-offline"
					}
				}
				if r.code != 5 || strings.TrimSpace(r.stdout) != strings.TrimSpace(want) || !strings.Contains(r.stderr, "1 package checked (1 new)") {
					t.Fatalf("allowed: exit %d stdout %q, want 5 %q; stderr:\n%s", r.code, r.stdout, want, r.stderr)
				}
			}
		})
	}
}

func TestWrapUvPipWithFake(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(t.TempDir(), "calls")
	script := `echo "$*" >> ` + log + `
if [ "$1 $2" = "pip compile" ]; then
  in=""; out=""
  while [ $# -gt 0 ]; do
    case "$1" in *requirements.in) in=$1;; esac
    [ "$1" = "-o" ] && out=$2; shift
  done
  cp "$in" ` + filepath.Join(dir, "..", "seen.in") + `
  printf 'urllib3==2.0.7 \\\n    --hash=sha256:` + strings.Repeat("a", 64) + `\n' > "$out"
  exit 0
fi
if [ "$1 $2" = "pip list" ]; then echo '[]'; exit 0; fi
echo "real $*"; exit 0
`
	bin := t.TempDir()
	writeFiles(t, bin, map[string]string{"uv": "#!/bin/sh\n" + script})
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	writeFiles(t, dir, map[string]string{"req.txt": "urllib3\n"})
	r := runBin(t, dir, env, "uv", "pip", "install", "-r", "req.txt", "--index-url", "http://127.0.0.1:1/simple", "six")
	if r.code != 1 || !strings.Contains(r.stderr, "urllib3@2.0.7") || r.stdout != "" {
		t.Fatalf("uv pip install: exit %d stdout %q\n%s", r.code, r.stdout, r.stderr)
	}
	calls, _ := os.ReadFile(log)
	if !strings.Contains(string(calls), "pip compile ") || !strings.Contains(string(calls), "--index-url http://127.0.0.1:1/simple") ||
		!strings.Contains(string(calls), "--generate-hashes --no-build") {
		t.Errorf("calls:\n%s", calls)
	}
	seen, _ := os.ReadFile(filepath.Join(dir, "..", "seen.in"))
	if string(seen) != "-r "+filepath.Join(dir, "req.txt")+"\nsix\n" {
		t.Errorf("requirements given to uv pip compile: %q", seen)
	}
	// uv pip list is pass-through.
	if r := runBin(t, dir, env, "uv", "pip", "list"); r.code != 0 || r.stdout != "[]\n" {
		t.Errorf("uv pip list: %d %q", r.code, r.stdout)
	}
}

// uvx and uv tool install|run resolve what they would fetch with uv pip
// compile (a stand-in uv here: PyPI is unreachable) and run nothing when
// blocked.
func TestWrapUvToolWithFake(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(t.TempDir(), "calls")
	seen := filepath.Join(t.TempDir(), "seen.in")
	script := `echo "$*" >> ` + log + `
if [ "$1 $2" = "pip compile" ]; then
  in=""; out=""
  while [ $# -gt 0 ]; do
    case "$1" in *requirements.in) in=$1;; esac
    [ "$1" = "-o" ] && out=$2; shift
  done
  cat "$in" >> ` + seen + `
  if grep -q urllib3 "$in"; then
    printf 'urllib3==2.0.7 \\\n    --hash=sha256:` + strings.Repeat("a", 64) + `\n' > "$out"
  else
    printf 'six==1.16.0 \\\n    --hash=sha256:` + strings.Repeat("b", 64) + `\n' > "$out"
  fi
  exit 0
fi
echo "real $*"; exit 0
`
	bin := t.TempDir()
	writeFiles(t, bin, map[string]string{"uv": "#!/bin/sh\n" + script, "uvx": "#!/bin/sh\necho \"real uvx $*\"\n"})
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	for _, args := range [][]string{
		{"uvx", "urllib3@2.0.7", "--help"},
		{"uvx", "--from", "urllib3==2.0.7", "tool"},
		{"uv", "tool", "run", "--with", "urllib3", "six"},
		{"uv", "tool", "install", "urllib3"},
	} {
		r := runBin(t, dir, env, args...)
		if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "urllib3@2.0.7") {
			t.Errorf("%q: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", args, r.code, r.stdout, r.stderr)
		}
	}
	got, _ := os.ReadFile(seen)
	if string(got) != "urllib3==2.0.7\nurllib3==2.0.7\nsix\nurllib3\nurllib3\n" {
		t.Errorf("requirements given to uv pip compile:\n%s", got)
	}
	r := runBin(t, dir, env, "uvx", "six", "--version")
	if r.code != 0 || r.stdout != "real uvx six --version\n" || !strings.Contains(r.stderr, "uvx: 1 package checked (1 new)") {
		t.Errorf("allowed uvx: exit %d %q\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runBin(t, dir, env, "uv", "tool", "upgrade", "--all"); r.code != 3 || !strings.Contains(r.stderr, "name the tools") {
		t.Errorf("uv tool upgrade --all: exit %d\n%s", r.code, r.stderr)
	}
	if r := runBin(t, dir, env, "uv", "tool", "list"); r.code != 0 || r.stdout != "real tool list\n" {
		t.Errorf("uv tool list: exit %d %q", r.code, r.stdout)
	}
}

// npm audit fix changes the tree: resolved in the copy with npm's own
// audit fix, lockfile only.
func TestWrapNpmAuditFixWithFake(t *testing.T) {
	log := filepath.Join(t.TempDir(), "calls")
	env := fakeNpm(t, `echo "$*" >> `+log+"\n"+fakeResolve+"echo \"real $*\"\n")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"package.json": testManifest})
	r := runBin(t, dir, env, "npm", "audit", "fix", "--force")
	if r.code != 0 || r.stdout != "real audit fix --force --prefer-offline\n" || !strings.Contains(r.stderr, "npm audit fix: 0 packages checked") {
		t.Fatalf("exit %d %q\n%s", r.code, r.stdout, r.stderr)
	}
	calls, _ := os.ReadFile(log)
	if !strings.HasPrefix(string(calls), "audit fix --force --package-lock-only --package-lock --ignore-scripts --no-fund\n") {
		t.Errorf("calls:\n%s", calls)
	}
}

// npm update -g without names updates every global package to its latest
// version: each is resolved, in an empty project.
func TestWrapNpmGlobalUpdateWithFake(t *testing.T) {
	log := filepath.Join(t.TempDir(), "calls")
	env := fakeNpm(t, `echo "$*" >> `+log+`
case "$*" in "ls -g --depth=0 --json") echo '{"dependencies":{"b-tool":{"version":"1.0.0"},"npm":{},"a-tool":{}}}'; exit 0;; esac
`+fakeResolve+"echo \"real $*\"\n")
	dir := t.TempDir()
	r := runBin(t, dir, env, "npm", "update", "-g")
	if r.code != 0 || r.stdout != "real update -g\n" {
		t.Fatalf("exit %d %q\n%s", r.code, r.stdout, r.stderr)
	}
	calls, _ := os.ReadFile(log)
	if !strings.Contains(string(calls), "\ninstall a-tool@latest b-tool@latest --package-lock-only --package-lock --ignore-scripts --no-audit --no-fund\n") {
		t.Errorf("calls:\n%s", calls)
	}
	// npm uninstall -g fetches nothing: straight through.
	r = runBin(t, dir, env, "npm", "uninstall", "-g", "a-tool")
	if r.code != 0 || r.stdout != "real uninstall -g a-tool\n" || r.stderr != "" {
		t.Errorf("uninstall -g: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// Frozen installs install the lockfile as it is (or fail): that lockfile is
// checked whole and nothing is resolved, so a blocked one never starts the
// package manager at all.
func TestWrapFrozenInstallsCheckTheLockfileAsIs(t *testing.T) {
	for _, tt := range []struct {
		tool, lock string
		args       []string
	}{
		{"pnpm", "pnpm-lock.yaml", []string{"install", "--frozen-lockfile"}},
		{"pnpm", "pnpm-lock.yaml", []string{"i", "--frozen-lockfile=true"}},
		{"yarn", "yarn.lock", []string{"install", "--frozen-lockfile"}},
		{"yarn", "yarn.lock", []string{"--immutable"}},
	} {
		t.Run(tt.tool+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "calls")
			bin := t.TempDir()
			writeFiles(t, bin, map[string]string{tt.tool: "#!/bin/sh\necho \"$*\" >> " + log + "\necho \"real $*\"\n"})
			env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")}
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"package.json": "{}\n", tt.lock: fakeLocks[tt.lock][0]})
			r := runBin(t, dir, env, append([]string{tt.tool}, tt.args...)...)
			if r.code != 1 || r.stdout != "" || !strings.Contains(r.stderr, "lodash@4.17.15 (already locked)") {
				t.Fatalf("exit %d %q\n%s", r.code, r.stdout, r.stderr)
			}
			if calls, err := os.ReadFile(log); err == nil {
				t.Errorf("%s was run:\n%s", tt.tool, calls)
			}
			writeFiles(t, dir, map[string]string{tt.lock: fakeLocks[tt.lock][1]})
			r = runBin(t, dir, env, append([]string{tt.tool}, tt.args...)...)
			if r.code != 0 || r.stdout != "real "+strings.Join(tt.args, " ")+"\n" || !strings.Contains(r.stderr, "1 package checked (1 already locked)") {
				t.Errorf("allowed: exit %d %q\n%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}
