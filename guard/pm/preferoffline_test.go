package pm

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestNpmRunArgs(t *testing.T) {
	add := func(args ...string) []string { return withFlag(args, "--prefer-offline") }
	for _, tt := range []struct {
		name  string
		args  []string
		env   []string
		files map[string]string // relative to the test's folder
		want  []string          // nil: the user's arguments, untouched
	}{
		{name: "plain", args: []string{"install", "express@4.21.2"}, want: []string{"install", "express@4.21.2", "--prefer-offline"}},
		{name: "before --", args: []string{"install-test", "x", "--", "--watch"}, want: []string{"install-test", "x", "--prefer-offline", "--", "--watch"}},
		{name: "after -- is not an option", args: []string{"install", "--", "--prefer-online"}, want: []string{"install", "--prefer-offline", "--", "--prefer-online"}},
		{name: "--prefer-online", args: []string{"install", "--prefer-online", "x"}},
		{name: "--prefer-offline", args: []string{"i", "--prefer-offline", "x"}},
		{name: "--prefer-offline=false", args: []string{"i", "--prefer-offline=false", "x"}},
		{name: "--offline", args: []string{"--offline", "install"}},
		{name: "--no-offline", args: []string{"install", "--no-offline"}},
		{name: "--cache-min", args: []string{"install", "--cache-min", "9999"}},
		{name: "--cache-max=0", args: []string{"install", "--cache-max=0"}},
		{name: "abbreviation", args: []string{"install", "--prefer-onl"}},
		{name: "absolute --cache", args: []string{"install", "--cache", "/var/cache/npm", "x"}, want: add("install", "--cache", "/var/cache/npm", "x")},
		{name: "home --cache", args: []string{"install", "--cache=~/npm-cache"}, want: add("install", "--cache=~/npm-cache")},
		{name: "relative --cache", args: []string{"install", "--cache", "cache", "x"}},
		{name: "relative --cache=", args: []string{"install", "--cache=./c"}},
		{name: "relative --userconfig", args: []string{"install", "--userconfig", "my.npmrc"}},
		{name: "env prefer-online", args: []string{"install"}, env: []string{"npm_config_prefer_online=true"}},
		{name: "env upper case", args: []string{"install"}, env: []string{"NPM_CONFIG_OFFLINE=true"}},
		{name: "env cache-min", args: []string{"install"}, env: []string{"npm_config_cache_min=10"}},
		{name: "env relative cache", args: []string{"install"}, env: []string{"npm_config_cache=.npm"}},
		{name: "env absolute cache", args: []string{"install"}, env: []string{"npm_config_cache=/tmp/npm"}, want: add("install")},
		{name: "env other settings", args: []string{"install"}, env: []string{"npm_config_fund=false", "OFFLINE=1"}, want: add("install")},
		{name: "project npmrc prefer-online", args: []string{"install"}, files: map[string]string{"proj/.npmrc": "fund=false\nprefer-online=true\n"}},
		{name: "project npmrc relative cache", args: []string{"install"}, files: map[string]string{"proj/.npmrc": "cache = .cache\n"}},
		{name: "project npmrc cache from env", args: []string{"install"}, files: map[string]string{"proj/.npmrc": "cache=${HOME}/c\n"}, want: add("install")},
		{name: "project npmrc comment", args: []string{"install"}, files: map[string]string{"proj/.npmrc": "# prefer-online=true\n"}, want: add("install")},
		{name: "user npmrc", args: []string{"install"}, files: map[string]string{"home/.npmrc": "offline=true\n"}},
		{name: "userconfig from env", args: []string{"install"}, env: []string{"npm_config_userconfig=${DIR}/u.npmrc"}, files: map[string]string{"u.npmrc": "prefer-online=true\n"}},
		{name: "userconfig from project", args: []string{"install"}, files: map[string]string{"proj/.npmrc": "userconfig=${DIR}/u.npmrc\n", "u.npmrc": "cache-max=0\n"}},
		{name: "global npmrc", args: []string{"install"}, files: map[string]string{"prefix/etc/npmrc": "prefer-online=true\n"}},
		{name: "prefix from user npmrc", args: []string{"install"}, files: map[string]string{"home/.npmrc": "prefix=${DIR}/p2\n", "p2/etc/npmrc": "prefer-online=true\n"}},
		{name: "globalconfig from user npmrc", args: []string{"install"}, files: map[string]string{"home/.npmrc": "globalconfig=${DIR}/g\n", "g": "offline=true\n"}},
		{name: "relative prefix", args: []string{"install"}, files: map[string]string{"home/.npmrc": "prefix=p\n"}},
		{name: "unrelated settings", args: []string{"install"}, files: map[string]string{"home/.npmrc": "fund=false\ncache=/root/.npm\n", "prefix/etc/npmrc": "audit=false\n"}, want: add("install")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := rcTree(t, tt.files)
			env := append([]string{"PATH=", "DIR=" + dir, "HOME=" + filepath.Join(dir, "home"), "PREFIX=" + filepath.Join(dir, "prefix")}, tt.env...)
			for i, kv := range env {
				env[i] = strings.ReplaceAll(kv, "${DIR}", dir)
			}
			inv := &Invocation{Manager: "npm", Args: tt.args, Dir: filepath.Join(dir, "proj"), Env: env}
			orig := append([]string{}, tt.args...)
			got := npmRunArgs(npmConfig(inv, inv.Dir))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("npmRunArgs(%q) = %q, want %q", tt.args, got, tt.want)
			}
			if !reflect.DeepEqual(orig, tt.args) {
				t.Errorf("the user's arguments changed: %q", tt.args)
			}
		})
	}
}

func TestPnpmRunArgs(t *testing.T) {
	for _, tt := range []struct {
		name  string
		cmd   string
		args  []string
		env   []string
		files map[string]string
		want  []string
	}{
		{name: "add", cmd: "add", args: []string{"add", "express@4.21.2"}, want: []string{"add", "express@4.21.2", "--prefer-offline"}},
		{name: "install", cmd: "install", args: []string{"i"}, want: []string{"i", "--prefer-offline"}},
		{name: "ci", cmd: "ci", args: []string{"ci"}},
		{name: "fetch", cmd: "fetch", args: []string{"fetch"}},
		{name: "--offline", cmd: "add", args: []string{"add", "--offline", "x"}},
		{name: "--prefer-offline", cmd: "add", args: []string{"add", "x", "--prefer-offline"}},
		{name: "relative --cache-dir", cmd: "add", args: []string{"add", "--cache-dir", "c", "x"}},
		{name: "absolute --cache-dir", cmd: "add", args: []string{"add", "--cache-dir", "/c", "x"}, want: []string{"add", "--cache-dir", "/c", "x", "--prefer-offline"}},
		{name: "another folder", cmd: "add", args: []string{"-C", "../other", "add", "x"}},
		{name: "another folder --dir=", cmd: "add", args: []string{"--dir=../other", "add", "x"}},
		{name: "the same folder named", cmd: "add", args: []string{"-C", ".", "add", "x"}, want: []string{"-C", ".", "add", "x", "--prefer-offline"}},
		{name: "env", cmd: "add", args: []string{"add", "x"}, env: []string{"npm_config_prefer_offline=false"}},
		{name: "workspace root npmrc", cmd: "add", args: []string{"add", "x"}, files: map[string]string{".npmrc": "cache-dir=.pnpm-cache\n"}},
		{name: "pnpm rc", cmd: "add", args: []string{"add", "x"}, files: map[string]string{"cfg/pnpm/rc": "offline=true\n"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := rcTree(t, tt.files)
			inv := pnpmRCInv(dir, tt.args, tt.env)
			m, _ := Lookup("pnpm")
			project, _ := m.(*pnpmManager).projectDir(inv)
			if got, _ := pnpmRealRun(inv, tt.cmd, "9.15.0", project); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("pnpmRunArgs(%q) = %q, want %q", tt.args, got, tt.want)
			}
		})
	}
}

// pnpmRCInv is pnpm run with args in dir's proj folder, with HOME, PREFIX
// and XDG_CONFIG_HOME (cfg) in dir's folders (rcTree) and env added.
func pnpmRCInv(dir string, args, env []string) *Invocation {
	env = append([]string{"PATH=", "HOME=" + filepath.Join(dir, "home"), "PREFIX=" + filepath.Join(dir, "prefix"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "cfg")}, env...)
	return &Invocation{Manager: "pnpm", Args: args, Dir: filepath.Join(dir, "proj"), Env: env}
}

// rcTree is a folder with proj, home and prefix folders and files (slash
// paths under it, made with their folders).
func rcTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"proj", "home", "prefix"} {
		os.Mkdir(filepath.Join(dir, d), 0o755)
	}
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
