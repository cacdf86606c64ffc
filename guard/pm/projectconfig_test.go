package pm

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestProjectConfigSwitches(t *testing.T) {
	for _, tt := range []struct {
		name, file, content, want string // want "" = accepted
		trust                     bool
	}{
		{"npmrc git", ".npmrc", "registry=http://127.0.0.1:1/\ngit=/tmp/x\n", ".npmrc:2: git names", false},
		{"npmrc git spaced quoted", ".npmrc", "; comment\n  \"git\" = x\n", ".npmrc:2: git", false},
		{"npmrc git upper", ".npmrc", "GIT=x\n", ".npmrc:1: git", false},
		{"npmrc git-tag-version", ".npmrc", "git-tag-version=false\ngithub=x\n# git=x\n", "", false},
		{"npmrc others", ".npmrc", "ignore-scripts=false\nscript-shell=/bin/x\nnode-options=--require x\n", "", false},
		{"yarnrc", ".yarnrc", "registry \"x\"\n\"yarn-path\" \"./y.js\"\n", ".yarnrc:2: yarn-path", false},
		{"yarnrc colon", ".yarnrc", "yarn-path: y.js\n", ".yarnrc:1: yarn-path", false},
		{"yarnrc comment", ".yarnrc", "# yarn-path y.js\n--install.ignore-scripts true\n", "", false},
		{"yarnrc trusted", ".yarnrc", "yarn-path y.js\n", "", true},
		{"yml yarnPath", ".yarnrc.yml", "a: 1\n\nyarnPath: .yarn/releases/y.cjs\n", ".yarnrc.yml:3: yarnPath", false},
		{"yml plugins", ".yarnrc.yml", "plugins:\n  - .yarn/plugins/p.cjs\n", ".yarnrc.yml:1: plugins", false},
		{"yml empty", ".yarnrc.yml", "plugins: []\nyarnPath: \"\"\nnodeLinker: pnp\n", "", false},
		{"yml bad", ".yarnrc.yml", "a: [\n", ".yarnrc.yml: (the file) cannot be read", false},
		{"yml trusted", ".yarnrc.yml", "yarnPath: y.cjs\n", "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, tt.file), []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			env := []string{}
			if tt.trust {
				env = append(env, "GUARD_TRUST_PROJECT_YARN=1")
			}
			inv := &Invocation{Dir: dir, Env: env}
			var err error
			if tt.file == ".npmrc" {
				err = checkNpmrc(inv, dir)
			} else {
				err = checkYarnrc(inv, dir)
			}
			var ce *ConfigError
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (!errors.As(err, &ce) || !strings.HasPrefix(err.Error(), tt.want)):
				t.Fatalf("got %v, want a ConfigError starting %q", err, tt.want)
			}
		})
	}
}

// TestYarnrcFoundUpToTheRoot: yarn reads .yarnrc from the working folder
// upwards; guard looks from there up to the project root, not above it.
// The yarnrc files of every folder from the working one up to the user's
// home folder are checked (a project inside a cloned repository: the
// repository's .yarnrc above it counts), not the home folder's own (the
// user's settings) nor what is above it.
func TestYarnrcFoundUpToTheRoot(t *testing.T) {
	home := t.TempDir()
	above := filepath.Join(home, "clone")
	root := filepath.Join(above, "proj")
	sub := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(home, ".yarnrc"), []byte("yarn-path /opt/my-yarn.js\n"), 0o600)
	inv := &Invocation{Dir: sub, Env: []string{"HOME=" + home}}
	if err := checkYarnrc(inv, sub); err != nil {
		t.Fatalf("the home folder's .yarnrc was refused: %v", err)
	}
	os.WriteFile(filepath.Join(root, "a", ".yarnrc.yml"), []byte("yarnPath: x.cjs\n"), 0o600)
	if err := checkYarnrc(inv, sub); err == nil || !strings.Contains(err.Error(), filepath.Join(root, "a", ".yarnrc.yml")+":1") {
		t.Fatalf("got %v, want the member folder's .yarnrc.yml", err)
	}
	os.Remove(filepath.Join(root, "a", ".yarnrc.yml"))
	os.WriteFile(filepath.Join(above, ".yarnrc"), []byte("yarn-path x.js\n"), 0o600)
	if err := checkYarnrc(inv, sub); err == nil || !strings.Contains(err.Error(), filepath.Join(above, ".yarnrc")+":1") {
		t.Fatalf("got %v, want the .yarnrc of the repository above the project", err)
	}
	// A project outside the home folder: every folder up to the root.
	inv.Env = []string{"HOME=" + filepath.Join(home, "elsewhere")}
	if err := checkYarnrc(inv, sub); err == nil {
		t.Fatal("a .yarnrc above a project outside the home folder was not read")
	}
}

func TestResolveEnvForPnpm(t *testing.T) {
	env := resolveEnvFor("/usr/bin/pnpm", []string{"npm_config_manage_package_manager_versions=true"})
	if env[len(env)-1] != "npm_config_manage_package_manager_versions=false" {
		t.Fatalf("pnpm's version switch is not turned off last: %v", env)
	}
	if got := resolveEnvFor("npm", []string{"A=1"}); len(got) != 1 {
		t.Fatalf("npm's environment changed: %v", got)
	}
}

// TestUvResolvesWithNoBuild: every uv project resolution step carries
// --no-build once (uv builds an sdist-only dependency to read its metadata
// otherwise).
func TestUvResolvesWithNoBuild(t *testing.T) {
	m, _ := Lookup("uv")
	lm := m.(*uvManager).lockManager
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"sync"}, "lock --no-build"},
		{[]string{"run", "x"}, "lock --no-build"},
		{[]string{"lock", "--upgrade"}, "lock --upgrade --no-build"},
		{[]string{"lock", "--upgrade-package", "six", "--no-build"}, "lock --upgrade-package six --no-build"},
		{[]string{"sync", "-U"}, "lock -U --no-build"},
		{[]string{"sync", "--upgrade-package", "six", "-Pflask", "--frozen"}, "lock --upgrade-package six -Pflask --no-build"},
		{[]string{"run", "--upgrade-package=six", "pytest", "-U"}, "lock --upgrade-package=six --no-build"},
		{[]string{"run", "-p", "3.12", "--upgrade", "pytest"}, "lock --upgrade --no-build"},
		{[]string{"sync", "--resolution", "lowest", "--prerelease=allow"}, "lock --resolution lowest --prerelease=allow --no-build"},
		{[]string{"add", "x"}, "add x --no-sync --no-build"},
		{[]string{"add", "--no-build", "x"}, "add --no-build x --no-sync"},
		{[]string{"remove", "x"}, "remove x --no-sync --no-build"},
	} {
		c, idx := lm.parse(tt.args)
		steps := lm.resolve(c, tt.args, idx, true, "")
		if len(steps) != 1 || strings.Join(steps[0], " ") != tt.want {
			t.Errorf("uv %v: resolution %q, want %q", tt.args, steps, tt.want)
		}
	}
}
