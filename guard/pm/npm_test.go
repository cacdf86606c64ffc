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

func TestNpmExecClassifyAndArgs(t *testing.T) {
	for _, tt := range []struct {
		args     []string
		cmd      string
		install  bool
		packages []string
		pos      []string
	}{
		{[]string{"exec", "--yes", "cowsay", "hi"}, "exec", true, nil, []string{"cowsay", "hi"}},
		{[]string{"x", "--package=lodash@4.17.15", "--", "node", "-e", "1"}, "exec", true, []string{"lodash@4.17.15"}, []string{"node", "-e", "1"}},
		{[]string{"exec", "--package", "a", "--package", "b", "-c", "a && b"}, "exec", true, []string{"a", "b"}, nil},
		{[]string{"init", "vite@5"}, "init", true, nil, []string{"vite@5"}},
		{[]string{"create", "react-app", "x"}, "init", true, nil, []string{"react-app", "x"}},
		{[]string{"init", "-y"}, "init", false, nil, nil},
		{[]string{"audit", "fix", "--force"}, "audit fix", true, nil, []string{"fix"}},
		{[]string{"audit"}, "audit", false, nil, nil},
		{[]string{"uninstall", "-g", "x"}, "uninstall", false, nil, []string{"x"}},
		{[]string{"update", "-g"}, "update", true, nil, nil},
	} {
		a := parseNpmArgs(tt.args, func(string) string { return "" })
		c := npmClassify(a)
		if c.Name != tt.cmd || c.Install != tt.install || !reflect.DeepEqual(a.packages, tt.packages) || !reflect.DeepEqual(a.positional, tt.pos) {
			t.Errorf("%q: %+v packages %q positional %q", tt.args, c, a.packages, a.positional)
		}
	}
	for _, tt := range []struct{ in, want []string }{
		{[]string{"cowsay", "hi"}, []string{"exec", "--", "cowsay", "hi"}},
		{[]string{"-y", "-p", "a", "-p=b", "cmd", "-p", "x"}, []string{"exec", "-y", "--package", "a", "--package=b", "--", "cmd", "-p", "x"}},
		{[]string{"--no-install", "--shell", "sh", "--", "x"}, []string{"exec", "--yes=false", "--script-shell", "sh", "--", "x"}},
		{[]string{"-c", "echo hi"}, []string{"exec", "-c", "echo hi"}},
	} {
		if got := npxToExec(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("npx %q: %q, want %q", tt.in, got, tt.want)
		}
	}
	for in, want := range map[string]string{"vite": "create-vite", "vite@5": "create-vite@5", "@s": "@s/create",
		"@s@2": "@s/create@2", "@s/app": "@s/create-app", "@s/app@1": "@s/create-app@1"} {
		if got := npmInitializer(in); got != want {
			t.Errorf("npmInitializer(%q) = %q, want %q", in, got, want)
		}
	}
	if got := npmFetchFlags([]string{"--registry", "http://127.0.0.1:1/", "--yes", "--@s:registry=http://127.0.0.1:2/", "--cache=/c", "--", "--registry", "x"}); !reflect.DeepEqual(got,
		[]string{"--registry", "http://127.0.0.1:1/", "--@s:registry=http://127.0.0.1:2/", "--cache=/c"}) {
		t.Errorf("npmFetchFlags: %q", got)
	}
}
