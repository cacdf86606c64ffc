package pm

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestYarn1PnPLockfile: the private yarn 1 runs guard makes (with --pnp,
// yarnResolveSteps) write the same yarn.lock as the same runs laying out
// node_modules, step after step, on a workspace project with a dependency
// shared by two members (real yarn 1 and the npm registry npm is
// configured with).
func TestYarn1PnPLockfile(t *testing.T) {
	yarn := needTool(t, "yarn")
	out, err := exec.Command(yarn, "--version").Output()
	if err != nil || !yarn1PnP(string(out)) {
		t.Skipf("skipping: yarn %s is not yarn 1.22 or later", out)
	}
	files := map[string]string{
		"package.json":            `{"name":"root","private":true,"workspaces":["packages/*"],"dependencies":{"debug":"^2.6.0"}}`,
		"packages/a/package.json": `{"name":"a","version":"1.0.0","dependencies":{"b":"1.0.0","ms":"^2.0.0"}}`,
		"packages/b/package.json": `{"name":"b","version":"1.0.0","dependencies":{"depd":"~1.1.0","ms":"2.0.0"}}`,
	}
	dirs := map[bool]string{}
	for _, pnp := range []bool{true, false} {
		dir := t.TempDir()
		for name, data := range files {
			p := filepath.Join(dir, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		dirs[pnp] = dir
	}
	for _, user := range [][]string{{"install"}, {"add", "-W", "ms@2.1.3"}, {"upgrade", "depd"}, {"remove", "-W", "debug"}} {
		steps := yarnResolveSteps(user[0], user, 0, true, string(out))
		if len(steps) != 1 || !slices.Contains(steps[0], "--pnp") {
			t.Fatalf("yarn %s: steps %q, want one with --pnp", user, steps)
		}
		locks := map[bool]string{}
		for pnp, dir := range dirs {
			args := steps[0]
			if !pnp {
				args = slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == "--pnp" })
			}
			cmd := exec.Command(yarn, args...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("yarn %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			data, err := os.ReadFile(filepath.Join(dir, "yarn.lock"))
			if err != nil {
				t.Fatal(err)
			}
			locks[pnp] = string(data)
		}
		if locks[true] != locks[false] {
			t.Errorf("yarn %s: the lockfiles differ:\n--pnp:\n%s\nnode_modules:\n%s", strings.Join(user, " "), locks[true], locks[false])
		}
		if !strings.Contains(locks[true], "\nms@") && !strings.Contains(locks[true], "\"ms@") {
			t.Errorf("yarn %s: no ms in the lockfile:\n%s", strings.Join(user, " "), locks[true])
		}
	}
	if _, err := os.Stat(filepath.Join(dirs[true], "node_modules", "depd")); err == nil {
		t.Error("the --pnp runs laid out node_modules")
	}
	if _, err := os.Stat(filepath.Join(dirs[false], "node_modules", "depd")); err != nil {
		t.Errorf("the runs without --pnp laid out no node_modules: %v", err)
	}
}

// yarnInstalledVersion reads yarn 1's version from its installation only
// where yarn --version would say the same, and otherwise leaves the
// question to yarn.
func TestYarnInstalledVersion(t *testing.T) {
	const yarn1 = `{"name":"yarn","version":"1.22.22","bin":{"yarn":"./bin/yarn.js"}}`
	for _, tt := range []struct {
		name  string
		files map[string]string // slash paths under the test folder
		link  string            // the bin/yarn symbolic link's target, relative ("": bin/yarn is files')
		args  []string
		env   []string
		want  string
	}{
		{name: "npm global install", files: map[string]string{"lib/node_modules/yarn/package.json": yarn1, "lib/node_modules/yarn/bin/yarn.js": "#!"},
			link: "../lib/node_modules/yarn/bin/yarn.js", want: "1.22.22"},
		{name: "release tarball", files: map[string]string{"yarn-v1.22.19/package.json": `{"name":"yarn","version":"1.22.19"}`, "yarn-v1.22.19/bin/yarn": "#!"},
			link: "../yarn-v1.22.19/bin/yarn", want: "1.22.19"},
		{name: "yarn 2+ package", files: map[string]string{"lib/node_modules/@yarnpkg/cli-dist/package.json": `{"name":"@yarnpkg/cli-dist","version":"4.1.0"}`, "lib/node_modules/@yarnpkg/cli-dist/bin/yarn.js": "#!"},
			link: "../lib/node_modules/@yarnpkg/cli-dist/bin/yarn.js", want: "4.1.0"},
		{name: "YARN_YARN_PATH", files: map[string]string{"lib/node_modules/@yarnpkg/cli-dist/package.json": `{"name":"@yarnpkg/cli-dist","version":"4.1.0"}`, "lib/node_modules/@yarnpkg/cli-dist/bin/yarn.js": "#!"},
			link: "../lib/node_modules/@yarnpkg/cli-dist/bin/yarn.js", env: []string{"YARN_YARN_PATH=/opt/y.cjs"}},
		{name: "YARN_RC_FILENAME", files: map[string]string{"lib/node_modules/@yarnpkg/cli-dist/package.json": `{"name":"@yarnpkg/cli-dist","version":"4.1.0"}`, "lib/node_modules/@yarnpkg/cli-dist/bin/yarn.js": "#!"},
			link: "../lib/node_modules/@yarnpkg/cli-dist/bin/yarn.js", env: []string{"YARN_RC_FILENAME=.myrc.yml"}},
		{name: "cli-dist claiming yarn 1", files: map[string]string{"c/package.json": `{"name":"@yarnpkg/cli-dist","version":"1.22.22"}`, "c/bin/yarn.js": "#!"}, link: "../c/bin/yarn.js"},
		{name: "yarn named 4.x", files: map[string]string{"y/package.json": `{"name":"yarn","version":"4.1.0"}`, "y/bin/yarn.js": "#!"}, link: "../y/bin/yarn.js"},
		{name: "corepack shim", files: map[string]string{"corepack/package.json": `{"name":"corepack","version":"0.29.4"}`, "corepack/shims/yarn": "#!"}, link: "../corepack/shims/yarn"},
		{name: "wrapper script", files: map[string]string{"bin/yarn": "#!/bin/sh\nexec yarn-real \"$@\"\n"}},
		{name: "not yarn's package.json", files: map[string]string{"package.json": yarn1 + "x", "bin/yarn": "#!"}},
		{name: "project .yarnrc yarn-path", files: map[string]string{"lib/node_modules/yarn/package.json": yarn1, "lib/node_modules/yarn/bin/yarn.js": "#!",
			"proj/.yarnrc": "yarn-path \"./y.js\"\n"}, link: "../lib/node_modules/yarn/bin/yarn.js"},
		{name: "yarnPath above the project", files: map[string]string{"lib/node_modules/yarn/package.json": yarn1, "lib/node_modules/yarn/bin/yarn.js": "#!",
			".yarnrc.yml": "yarnPath: ./y.cjs\n"}, link: "../lib/node_modules/yarn/bin/yarn.js"},
		{name: "home .yarnrc", files: map[string]string{"lib/node_modules/yarn/package.json": yarn1, "lib/node_modules/yarn/bin/yarn.js": "#!",
			"home/.yarnrc": "YARN-PATH /opt/y.js\n"}, link: "../lib/node_modules/yarn/bin/yarn.js"},
		{name: "--use-yarnrc", files: map[string]string{"lib/node_modules/yarn/package.json": yarn1, "lib/node_modules/yarn/bin/yarn.js": "#!"},
			link: "../lib/node_modules/yarn/bin/yarn.js", args: []string{"add", "--use-yarnrc", "/tmp/rc", "ms"}},
		{name: "other settings", files: map[string]string{"lib/node_modules/yarn/package.json": yarn1, "lib/node_modules/yarn/bin/yarn.js": "#!",
			"proj/.yarnrc": "registry \"https://npm-registry.invalid/\"\n"}, link: "../lib/node_modules/yarn/bin/yarn.js", args: []string{"add", "ms"}, want: "1.22.22"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := rcTree(t, tt.files)
			if tt.link != "" {
				os.MkdirAll(filepath.Join(dir, "bin"), 0o755)
				if err := os.Symlink(tt.link, filepath.Join(dir, "bin", "yarn")); err != nil {
					t.Skip("symbolic links:", err)
				}
			}
			for _, p := range []string{filepath.Join(dir, "bin", "yarn"), filepath.Join(dir, "corepack", "shims", "yarn")} {
				os.Chmod(p, 0o755)
			}
			os.Chmod(filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(tt.link, "../"))), 0o755)
			inv := &Invocation{Manager: "yarn", Args: tt.args, Dir: filepath.Join(dir, "proj"),
				Env: append([]string{"PATH=" + filepath.Join(dir, "bin"), "HOME=" + filepath.Join(dir, "home")}, tt.env...)}
			if got := yarnInstalledVersion(inv, inv.Dir); got != tt.want {
				t.Errorf("%q, want %q", got, tt.want)
			}
		})
	}
}

// The version read from yarn's installation is yarn --version's.
func TestYarnInstalledVersionIsYarns(t *testing.T) {
	yarn := needTool(t, "yarn")
	out, err := exec.Command(yarn, "--version").Output()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	inv := &Invocation{Manager: "yarn", Dir: dir, Env: []string{"PATH=" + filepath.Dir(yarn), "HOME=" + dir}}
	got := yarnInstalledVersion(inv, dir)
	if isYarn1(string(out)) && got == "" {
		t.Fatalf("yarn %s at %s: its installation not read", out, yarn)
	}
	if got != "" && got != strings.TrimSpace(string(out)) {
		t.Errorf("read %q, yarn --version says %q", got, out)
	}
}
