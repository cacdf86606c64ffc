package pm

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestCargoClassify(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		cmd     string
		install bool
	}{
		{[]string{"build"}, "build", true},
		{[]string{"b", "--release"}, "build", true},
		{[]string{"+nightly", "t"}, "test", true},
		{[]string{"--config", "net.offline=true", "-Z", "x", "fetch"}, "fetch", true},
		{[]string{"-v", "add", "serde"}, "add", true},
		{[]string{"install", "--version", "1.0.0", "ripgrep"}, "install", true},
		{[]string{"fmt"}, "fmt", false},
		{[]string{"--version"}, "", false},
		{[]string{"search", "serde"}, "search", false},
		{nil, "", false},
	} {
		c := cargoManager{}.Classify(&Invocation{Args: tt.args})
		if c.Name != tt.cmd || c.Install != tt.install {
			t.Errorf("%q: %+v, want %q install %v", tt.args, c, tt.cmd, tt.install)
		}
	}
	a := parseCargoArgs([]string{"+stable", "build", "--manifest-path", "x/Cargo.toml", "--frozen"})
	if a.toolchain != "+stable" || a.manifest != "x/Cargo.toml" || !a.offline {
		t.Errorf("%+v", a)
	}
}

func TestCargoResolveArgs(t *testing.T) {
	inv := &Invocation{Dir: "/w/p", Args: []string{"+stable", "add", "--manifest-path", "a/Cargo.toml", "--path", "../lib", "serde", "--path=x"}}
	got := cargoResolveArgs(inv, parseCargoArgs(inv.Args))
	want := []string{"add", "--path", "/w/lib", "serde", "--path=/w/p/x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestCopyCargoWorkspace(t *testing.T) {
	root := t.TempDir()
	for rel, content := range map[string]string{
		"Cargo.toml": "[workspace]\n", "Cargo.lock": "", "crates/a/Cargo.toml": "", "crates/a/src/lib.rs": "secret code",
		"crates/a/build.rs": "fn main() { evil() }", ".cargo/config.toml": "", "rust-toolchain.toml": "",
		"target/debug/Cargo.toml": "", "README.md": "", ".git/Cargo.toml": "",
	} {
		p := filepath.Join(root, filepath.FromSlash(rel))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	tmp, err := newTempProject("test")
	if err != nil {
		t.Fatal(err)
	}
	defer tmp.Remove()
	if err := copyCargoWorkspace(tmp, root); err != nil {
		t.Fatal(err)
	}
	var got []string
	filepath.Walk(tmp.Dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			rel, _ := filepath.Rel(tmp.Dir, p)
			got = append(got, filepath.ToSlash(rel))
			if strings.HasSuffix(p, ".rs") && info.Size() != 0 {
				t.Errorf("%s has content", rel)
			}
		}
		return nil
	})
	want := []string{".cargo/config.toml", "Cargo.lock", "Cargo.toml", "crates/a/Cargo.toml", "crates/a/build.rs", "crates/a/src/lib.rs", "rust-toolchain.toml"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("copied %q, want %q", got, want)
	}
}
