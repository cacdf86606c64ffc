package pm

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Issue 12 item 5 (unit level; cmd/guard's TestPipResolveNeverBuilds runs
// real pip): every input that can make pip or uv build a source
// distribution is refused before the resolver runs.
func TestPipNoBuild(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the fake pip is a shell script")
	}
	dir := t.TempDir()
	bin := t.TempDir()
	// A fake pip whose `pip config list` prints what $FAKE_PIP_CONFIG holds.
	os.WriteFile(filepath.Join(bin, "pip"), []byte("#!/bin/sh\n[ \"$1 $2\" = \"config list\" ] || exit 9\nprintf '%s\\n' \"$FAKE_PIP_CONFIG\"\n"), 0o755)
	files := map[string]string{
		"ok.txt":         "--index-url https://idx.example/simple\n--only-binary :all:\n--prefer-binary\n--no-binary :none:\nflask==3.0 --hash=sha256:aa\n./wheels/w-1.0-py3-none-any.whl\n",
		"nb.txt":         "-r sub/inc.txt\n",
		"sub/inc.txt":    "flask\n--no-binary=flask\n",
		"vcs.txt":        "x @ git+https://example.invalid/x.git\n",
		"outside.txt":    "-c ../../../../../../../etc/passwd\n",
		"settings.txt":   "flask==3.0 --global-option=--x\n",
		"editable.txt":   "-e .\n",
		"url-sdist.txt":  "x @ https://example.invalid/x-1.0.tar.gz\n",
		"url-wheel.txt":  "x @ https://example.invalid/x-1.0-py3-none-any.whl\n",
		"constraint.txt": "-c sub/inc.txt\n",
	}
	for n, c := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, n)), 0o755)
		os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644)
	}
	for _, tt := range []struct {
		args   []string
		env    []string
		config string
		want   string // "" allowed; else in the error
	}{
		{args: []string{"install", "-r", "ok.txt", "--prefer-binary", "--only-binary", ":all:", "--user", "--no-binary=:none:"}},
		{args: []string{"--python", "/x/python", "install", "-q", "flask==3.0", "x @ https://example.invalid/x-1.0-py3-none-any.whl"}},
		{args: []string{"download", "-d", "out", "-r", "url-wheel.txt"}},
		{args: []string{"install", "-r", "nb.txt"}, want: filepath.Join("sub", "inc.txt") + ":2: --no-binary flask"},
		{args: []string{"install", "-r", "constraint.txt"}, want: "sub/inc.txt:2: --no-binary flask"},
		{args: []string{"install", "--req", "nb.txt"}, want: "--no-binary flask"},
		{args: []string{"install", "-qr", "nb.txt"}, want: "--no-binary flask"},
		{args: []string{"install", "-rnb.txt"}, want: "--no-binary flask"},
		{args: []string{"install", "--requirement=nb.txt"}, want: "--no-binary flask"},
		{args: []string{"install", "-r", "vcs.txt"}, want: "vcs.txt:1: git+https://example.invalid/x.git is a VCS requirement"},
		{args: []string{"install", "-r", "outside.txt"}, want: "outside.txt:1: -c ../../../../../../../etc/passwd includes a file outside the project folder"},
		{args: []string{"install", "-r", "settings.txt"}, want: "settings.txt:1: --global-option --x passes options to setup.py"},
		{args: []string{"install", "-r", "editable.txt"}, want: "editable.txt:1: . is a local project"},
		{args: []string{"install", "-r", "url-sdist.txt"}, want: "is a source archive URL"},
		{args: []string{"install", "--no-binary", "flask", "flask"}, want: "the command line: --no-binary flask asks for source distributions"},
		{args: []string{"install", "--no-bin", ":all:", "flask"}, want: "the command line: --no-bin :all:"},
		{args: []string{"install", "--no-build-iso", "flask"}, want: "the command line: --no-build-iso changes how"},
		{args: []string{"install", "--no-use-pep517", "flask"}, want: "--no-use-pep517 runs setup.py"},
		{args: []string{"install", "-e", "."}, want: "the command line: --editable ."},
		{args: []string{"install", "-Ue."}, want: "the command line: --editable ."},
		{args: []string{"install", "--config-settings=a=b", "flask"}, want: "--config-settings a=b passes settings"},
		{args: []string{"wheel", "-w", "out", "."}, want: "the command line: . is a local project"},
		{args: []string{"install", "x.tar.gz"}, want: "x.tar.gz is a local project or source archive"},
		{args: []string{"install", "git+https://example.invalid/x.git#egg=x"}, want: "is a VCS requirement"},
		{args: []string{"install", "--", "./proj"}, want: "./proj is a local project"},
		{args: []string{"install", "a\nb"}, want: "line break"},
		{args: []string{"install", "x --no-binary :all:"}, want: `"x --no-binary :all:" asks for source`},
		{args: []string{"install", " -r /etc/passwd"}, want: "includes a file outside"},
		{args: []string{"install", "flask"}, env: []string{"PIP_NO_BINARY=:all:"}, want: "the environment: PIP_NO_BINARY=:all:"},
		{args: []string{"install", "flask"}, env: []string{"PIP_NO_BINARY=:none:"}},
		{args: []string{"install", "flask"}, env: []string{"PIP_NO_BUILD_ISOLATION=false"}, want: "PIP_NO_BUILD_ISOLATION=false changes how"},
		{args: []string{"install", "flask"}, env: []string{"PIP_CONSTRAINT=nb.txt"}, want: "--no-binary flask"},
		{args: []string{"install", "flask"}, config: "global.cert='/x'\ninstall.no-binary=':all:'", want: "pip configuration (install.no-binary): no-binary = :all:"},
		{args: []string{"install", "flask"}, config: "install.no-binary=':none:'\n:env:.find-links='/opt/w'"},
		{args: []string{"install", "flask"}, config: "global.no-build-isolation='yes'", want: "no-build-isolation = yes"},
		{args: []string{"install", "flask"}, config: "global.constraint='" + filepath.Join(dir, "nb.txt") + "'", want: "--no-binary flask"},
		{args: []string{"install", "flask"}, config: ":env:.config-settings='a=b'", want: "the environment (PIP_CONFIG_SETTINGS)"},
	} {
		env := append([]string{"PATH=" + bin, "FAKE_PIP_CONFIG=" + tt.config}, tt.env...)
		inv := &Invocation{Manager: "pip", Args: tt.args, Dir: dir, Env: env}
		_, idx := pipCommand(tt.args)
		scan, err := pipNoBuild(context.Background(), inv, idx)
		var be *BuildError
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q %q: %v", tt.args, tt.env, err)
		case tt.want != "" && (!errors.As(err, &be) || !strings.Contains(err.Error(), filepath.FromSlash(tt.want))):
			t.Errorf("%q %q %q: got %v, want a BuildError with %q", tt.args, tt.env, tt.config, err, tt.want)
		case tt.want == "" && len(tt.args) > 2 && tt.args[2] == "ok.txt":
			if len(scan.indexes) != 1 || scan.indexes[0] != "https://idx.example/simple" {
				t.Errorf("indexes %q", scan.indexes)
			}
		}
	}
}

func TestUvPipNoBuild(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "r.txt"), []byte("--no-binary :all:\nx==1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ok.txt"), []byte("x==1\n"), 0o644)
	m, _ := Lookup("uv")
	uv := m.(*uvManager)
	for _, tt := range []struct {
		args []string
		env  []string
		want string
	}{
		{args: []string{"pip", "install", "-r", "ok.txt", "--index-url", "https://i.example/simple", "y==2"}},
		{args: []string{"pip", "sync", "ok.txt"}},
		{args: []string{"pip", "sync", "r.txt"}, want: "r.txt:1: --no-binary :all:"},
		{args: []string{"pip", "install", "-r", "r.txt"}, want: "r.txt:1: --no-binary :all:"},
		{args: []string{"pip", "install", "--no-build-isolation", "y"}, want: "the command line: --no-build-isolation"},
		{args: []string{"pip", "install", "-e", "."}, want: "the command line: -e ."},
		{args: []string{"pip", "install", "--no-binary", "y", "y"}, want: "the command line: --no-binary y"},
		{args: []string{"pip", "install", "./proj"}, want: "./proj is a local project"},
		{args: []string{"pip", "install", "y"}, env: []string{"UV_NO_BINARY=1"}, want: "UV_NO_BINARY=1"},
	} {
		inv := &Invocation{Manager: "uv", Args: tt.args, Dir: dir, Env: append([]string{"PATH="}, tt.env...)}
		sub, idx := uvPip(tt.args, uv.lockManager)
		_, err := uvPipNoBuild(inv, sub, idx)
		if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%q %q: got %v, want %q", tt.args, tt.env, err, tt.want)
		}
	}
}

func TestPipHookInvocation(t *testing.T) {
	dir := t.TempDir()
	inv := &Invocation{Manager: "pip", Env: []string{"PATH=/bin", "PYTHONPATH=/user/lib", "GUARD_PIP_NO_BUILD_ACK=/forged"}}
	out, ack, err := pipHookInvocation(inv, dir)
	if err != nil {
		t.Fatal(err)
	}
	hook := filepath.Join(dir, "guard-pip-hook")
	if got := out.Getenv("PYTHONPATH"); got != hook+string(os.PathListSeparator)+"/user/lib" {
		t.Errorf("PYTHONPATH %q", got)
	}
	if out.Getenv("GUARD_PIP_NO_BUILD_ACK") != ack {
		t.Errorf("env %q", out.Env)
	}
	if data, err := os.ReadFile(filepath.Join(hook, "sitecustomize.py")); err != nil || !strings.Contains(string(data), "prepare_distribution_metadata") {
		t.Errorf("hook: %v", err)
	}
	if inv.Getenv("PYTHONPATH") != "/user/lib" {
		t.Error("the user's invocation was changed")
	}
	if err := checkPipHook(inv, ack); err == nil {
		t.Error("a resolution without the hook's acknowledgement was trusted")
	}
	out, _, _ = pipHookInvocation(&Invocation{Env: []string{"PATH=/bin", "PYTHONPATH="}}, dir)
	if got := out.Getenv("PYTHONPATH"); got != hook {
		t.Errorf("PYTHONPATH %q", got)
	}
}
