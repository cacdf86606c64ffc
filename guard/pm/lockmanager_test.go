package pm

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestLockManagersClassify(t *testing.T) {
	for _, tt := range []struct {
		tool    string
		args    []string
		cmd     string
		install bool
	}{
		{"pnpm", []string{"i"}, "install", true},
		{"pnpm", []string{"--dir", "x", "add", "y"}, "add", true},
		{"pnpm", []string{"run", "build"}, "run", false},
		{"pnpm", []string{"dlx", "x"}, "dlx", false},
		{"yarn", nil, "install", true},
		{"yarn", []string{"--cwd", "sub"}, "install", true},
		{"yarn", []string{"add", "x"}, "add", true},
		{"yarn", []string{"build"}, "build", false},
		{"uv", []string{"sync"}, "sync", true},
		{"uv", []string{"run", "pytest"}, "run", true},
		{"uv", []string{"pip", "install", "x"}, "pip install", true},
		{"uv", []string{"pip", "sync", "r.txt"}, "pip sync", true},
		{"uv", []string{"pip", "list"}, "pip list", false},
		{"uv", []string{"--version"}, "", false},
		{"poetry", []string{"add", "x"}, "add", true},
		{"poetry", []string{"show"}, "show", false},
	} {
		m, ok := Lookup(tt.tool)
		if !ok {
			t.Fatalf("no manager %s", tt.tool)
		}
		c := m.Classify(&Invocation{Args: tt.args})
		if c.Name != tt.cmd || c.Install != tt.install {
			t.Errorf("%s %q: %+v, want %q %v", tt.tool, tt.args, c, tt.cmd, tt.install)
		}
	}
	if got := Names(); !reflect.DeepEqual(got, []string{"cargo", "npm", "pip", "pip3", "pnpm", "poetry", "uv", "yarn"}) {
		t.Errorf("Names() = %q", got)
	}
}

func TestWithCommandAndAbsArgs(t *testing.T) {
	if got := withCommand([]string{"--cwd", "x"}, -1, "install", "--mode=update-lockfile"); !reflect.DeepEqual(got, []string{"install", "--cwd", "x", "--mode=update-lockfile"}) {
		t.Errorf("%q", got)
	}
	if got := absArgs("/w", []string{"./a", "file:../b", "link:c", "lodash", "-D"}); !reflect.DeepEqual(got, []string{"/w/a", "file:/b", "link:/w/c", "lodash", "-D"}) {
		t.Errorf("%q", got)
	}
}

// TestUVMembers: [tool.uv.workspace] members as uv writes them (an array
// over several lines), with exclude.
func TestUVMembers(t *testing.T) {
	root := t.TempDir()
	for rel, content := range map[string]string{
		"pyproject.toml":              "[project]\nname = \"root\"\n\n[tool.uv.workspace]\nmembers = [\n  \"packages/*\", # all\n  'libs/core',\n]\nexclude = [\"packages/old\"]\n",
		"packages/a/pyproject.toml":   "",
		"packages/old/pyproject.toml": "",
		"libs/core/pyproject.toml":    "",
		"libs/other/pyproject.toml":   "",
	} {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got := uvMembers(root); !slices.Equal(got, []string{"libs/core", "packages/a"}) {
		t.Errorf("members %v", got)
	}
	deep := "[tool.uv.workspace]\nmembers = " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n"
	if err := os.WriteFile(filepath.Join(root, "pyproject.toml"), []byte(deep), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := uvMembers(root); got != nil {
		t.Errorf("hostile pyproject.toml: %v", got)
	}
}
