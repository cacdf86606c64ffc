package pm

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestNpmDeref(t *testing.T) {
	for in, want := range map[string]string{
		"install": "install", "i": "install", "add": "install", "isntall": "install", "in": "install",
		"ci": "ci", "clean-install": "ci", "ic": "ci", "install-clean": "ci",
		"up": "update", "upgrade": "update", "udpate": "update", "upd": "update",
		"it": "install-test", "cit": "install-ci-test", "installTest": "install-test",
		"rm": "uninstall", "ddp": "dedupe", "run": "run", "run-script": "run", "t": "test",
		"x": "exec", "ls": "ls", "install-": "", "frob": "", "": "",
	} {
		if got := npmDeref(in); got != want {
			t.Errorf("npmDeref(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNpmClassify(t *testing.T) {
	none := func(string) string { return "" }
	for _, tt := range []struct {
		args    []string
		cmd     string
		install bool
		global  bool
		prefix  string
	}{
		{[]string{"install", "lodash"}, "install", true, false, ""},
		{[]string{"--loglevel", "silent", "i", "x"}, "install", true, false, ""},
		{[]string{"--prefix", "sub", "add", "x"}, "install", true, false, "sub"},
		{[]string{"-C=sub", "ci"}, "ci", true, false, "sub"},
		{[]string{"-g", "install", "x"}, "install", true, true, ""},
		{[]string{"install", "--location", "global", "x"}, "install", true, true, ""},
		{[]string{"--unknown-value", "bar", "isntall"}, "install", true, false, ""},
		{[]string{"run", "install"}, "run", false, false, ""},
		{[]string{"test"}, "test", false, false, ""},
		{[]string{"--version"}, "", false, false, ""},
		{[]string{"--", "install"}, "", false, false, ""},
		{nil, "", false, false, ""},
	} {
		a := parseNpmArgs(tt.args, none)
		c := npmManager{}.Classify(&Invocation{Args: tt.args, Env: []string{}})
		if a.cmd != tt.cmd || c.Install != tt.install || a.global != tt.global || a.prefix != tt.prefix {
			t.Errorf("%q: %+v install %v, want %q install %v global %v prefix %q", tt.args, a, c.Install, tt.cmd, tt.install, tt.global, tt.prefix)
		}
	}
	env := func(k string) string {
		return map[string]string{"npm_config_global": "true"}[k]
	}
	if !parseNpmArgs([]string{"i", "x"}, env).global {
		t.Error("npm_config_global=true is a global install")
	}
}

func TestNpmResolveArgs(t *testing.T) {
	inv := &Invocation{Dir: "/home/u/p", Args: []string{"--prefix", "/x", "-g", "it", "--tag", "next", "./lib", "file:../y.tgz", "lodash@4", "--dry-run"}}
	got := npmResolveArgs(inv, parseNpmArgs(inv.Args, inv.Getenv))
	want := []string{"install", "--tag", "next", "/home/u/p/lib", "file:/home/u/y.tgz", "lodash@4",
		"--package-lock-only", "--package-lock", "--ignore-scripts", "--no-audit", "--no-fund"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestFindNpmProjectAndWorkspaces(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(root, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	write("package.json", `{"name":"root","workspaces":["packages/*","!packages/skip","tools/**"]}`)
	write("package-lock.json", `{}`)
	write(".npmrc", "save-exact=true\n")
	write("packages/a/package.json", `{"name":"a"}`)
	write("packages/skip/package.json", `{"name":"skip"}`)
	write("packages/a/src/x.js", ``)
	write("tools/deep/b/package.json", `{"name":"b"}`)
	write("other/package.json", `{"name":"other"}`)
	os.MkdirAll(filepath.Join(root, "src", "lib"), 0o755)

	members, err := npmWorkspaces(root)
	if err != nil || !reflect.DeepEqual(members, []string{"packages/a", "tools/deep/b"}) {
		t.Fatalf("members %q %v", members, err)
	}
	for dir, want := range map[string]npmProject{
		".":              {root, "."},
		"src/lib":        {root, filepath.Join("src", "lib")},
		"packages/a":     {root, filepath.Join("packages", "a")},
		"packages/a/src": {root, filepath.Join("packages", "a", "src")},
		"other":          {filepath.Join(root, "other"), "."},
		"packages/skip":  {filepath.Join(root, "packages", "skip"), "."},
	} {
		got := findNpmProject(&Invocation{Dir: filepath.Join(root, dir)}, "")
		if got != want {
			t.Errorf("%s: %+v, want %+v", dir, got, want)
		}
	}
	if got := findNpmProject(&Invocation{Dir: root}, "other"); got.root != filepath.Join(root, "other") {
		t.Errorf("--prefix: %+v", got)
	}

	tmp, err := newTempProject("test")
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Remove()
	if st, err := os.Stat(tmp.Dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("temp folder %v %v", st.Mode(), err)
	}
	if err := copyNpmProject(tmp, npmProject{root: root, rel: "."}); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"package.json", "package-lock.json", ".npmrc", "packages/a/package.json", "tools/deep/b/package.json"} {
		st, err := os.Stat(filepath.Join(tmp.Dir, filepath.FromSlash(rel)))
		if err != nil || st.Mode().Perm() != 0o640 {
			t.Errorf("%s: %v %v, want a copy with mode 0640", rel, st, err)
		}
	}
	for _, rel := range []string{"packages/skip/package.json", "other/package.json", "packages/a/src/x.js"} {
		if _, err := os.Stat(filepath.Join(tmp.Dir, filepath.FromSlash(rel))); err == nil {
			t.Errorf("%s was copied", rel)
		}
	}
	tmp.Remove()
	if _, err := os.Stat(tmp.Dir); err == nil {
		t.Error("Remove left the folder")
	}
}
