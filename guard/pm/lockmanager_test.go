package pm

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/lockfile/regfile"
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
		{"pnpm", []string{"dlx", "x"}, "dlx", true},
		{"pnpm", []string{"create", "vite"}, "create", true},
		{"pnpm", []string{"add", "-g", "x"}, "add -g", true},
		{"pnpm", []string{"uni", "x"}, "remove", true},
		{"pnpm", []string{"m", "i"}, "install", true},
		{"pnpm", []string{"recursive", "exec", "x"}, "exec", false},
		{"pnpm", []string{"exec", "x"}, "exec", false},
		{"pnpx", []string{"cowsay"}, "", true},
		{"yarn", []string{"global", "add", "x"}, "global add", true},
		{"yarn", []string{"global", "list"}, "global list", false},
		{"yarn", []string{"upgrade"}, "upgrade", true},
		{"yarn", []string{"upgradeInteractive"}, "upgrade-interactive", true},
		{"yarn", []string{"dlx", "x"}, "dlx", true},
		{"uv", []string{"tool", "install", "ruff"}, "tool install", true},
		{"uv", []string{"tool", "run", "ruff"}, "tool run", true},
		{"uv", []string{"tool", "list"}, "tool list", false},
		{"uvx", []string{"ruff"}, "", true},
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
	if got := Names(); !reflect.DeepEqual(got, []string{"cargo", "npm", "npx", "pip", "pip3", "pnpm", "pnpx", "poetry", "uv", "uvx", "yarn"}) {
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

func TestDlxSpecsAndYarnSteps(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"dlx", "cowsay", "hi"}, []string{"cowsay"}},
		{[]string{"dlx", "--package", "a@1", "--package=b", "cmd", "x"}, []string{"a@1", "b"}},
		{[]string{"dlx", "-c", "--", "marked@0.3.5"}, []string{"marked@0.3.5"}},
		{[]string{"dlx"}, nil},
	} {
		if got := dlxSpecs(tt.args, 0, nil); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: %q, want %q", tt.args, got, tt.want)
		}
	}
	for _, tt := range []struct {
		cmd, version string
		want         [][]string
	}{
		{"upgrade", "1.22.22", [][]string{{"upgrade", "--ignore-scripts", "--non-interactive", "--no-progress", "--pnp"}}},
		{"upgrade-interactive", "1.22.22", [][]string{{"upgrade", "--ignore-scripts", "--non-interactive", "--no-progress", "--pnp"}}},
		{"install", "1.22.0\n", [][]string{{"install", "--ignore-scripts", "--non-interactive", "--no-progress", "--pnp"}}},
		{"add", "1.21.1", [][]string{{"add", "--ignore-scripts", "--non-interactive", "--no-progress"}}},
		{"add", "0.27.5", [][]string{{"add", "--ignore-scripts", "--non-interactive", "--no-progress"}}},
		{"up", "1.22.22", nil},
		{"dedupe", "1.22.22", nil},
		{"upgrade", "4.1.0", [][]string{{"up", "--mode=update-lockfile"}}},
		{"up", "4.1.0", [][]string{{"up", "--mode=update-lockfile"}}},
	} {
		if got := yarnResolveSteps(tt.cmd, []string{tt.cmd}, 0, true, tt.version); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("yarn %s %s: %q, want %q", tt.version, tt.cmd, got, tt.want)
		}
	}
	for in, want := range map[string]string{"ruff": "ruff", "ruff@0.3.0": "ruff==0.3.0", "ruff@latest": "ruff", "ruff>=1": "ruff>=1",
		"git+https://example.invalid/x@main": "git+https://example.invalid/x@main"} {
		if got := uvToolRequirement(in); got != want {
			t.Errorf("uvToolRequirement(%q) = %q, want %q", in, got, want)
		}
	}
}

// root is the workspace root for a command run in a member (or below one),
// the nearest project folder otherwise; lockAbove stops a handoff that
// would put a lockfile below the one the manager uses.
func TestWorkspaceRootAndLockAbove(t *testing.T) {
	dir := rcTree(t, map[string]string{
		"ws/package.json":             `{"workspaces":["packages/*"]}`,
		"ws/yarn.lock":                "",
		"ws/packages/a/package.json":  `{"name":"a"}`,
		"ws/packages/a/src/x.js":      "",
		"ws/tools/t/package.json":     `{"name":"t"}`,
		"pn/pnpm-workspace.yaml":      "packages:\n  - libs/*\n",
		"pn/package.json":             `{}`,
		"pn/libs/l/package.json":      `{"name":"l"}`,
		"solo/package.json":           `{}`,
		"obj/package.json":            `{"workspaces":{"packages":["p/*"]}}`,
		"obj/p/q/package.json":        `{"name":"q"}`,
		"bad/package.json":            `{"workspaces":`,
		"bad/packages/z/package.json": `{}`,
	})
	yarn, _ := Lookup("yarn")
	pnpm, _ := Lookup("pnpm")
	ym, pm := yarn.(*yarnManager).lockManager, pnpm.(*pnpmManager).lockManager
	for _, tt := range []struct {
		m         *lockManager
		dir, want string
	}{
		{ym, "ws/packages/a", "ws"},
		{ym, "ws/packages/a/src", "ws"},
		{ym, "ws", "ws"},
		{ym, "ws/tools/t", "ws/tools/t"}, // not a member: a project of its own
		{ym, "obj/p/q", "obj"},
		{ym, "bad/packages/z", "bad/packages/z"},
		{ym, "solo", "solo"},
		{pm, "pn/libs/l", "pn"},
		{pm, "solo", "solo"},
	} {
		if got := tt.m.root(filepath.Join(dir, tt.dir)); got != filepath.Join(dir, tt.want) {
			t.Errorf("%s root(%s) = %s, want %s", tt.m.names[0], tt.dir, got, filepath.Join(dir, tt.want))
		}
	}
	for p, want := range map[string]bool{"ws/packages/a/yarn.lock": true, "ws/yarn.lock": false, "solo/yarn.lock": false, "ws/tools/t/pnpm-lock.yaml": false} {
		if got := lockAbove(filepath.Join(dir, p)); got != want {
			t.Errorf("lockAbove(%s) = %v, want %v", p, got, want)
		}
	}
}

// mirror puts the copy at the project's own path inside the private folder
// and copies, from every folder above the project, the files named: those
// present, nothing for a missing one or a path through a file.
func TestTempProjectMirror(t *testing.T) {
	t.Setenv("GUARD_TMPDIR", "")
	dir := rcTree(t, map[string]string{
		".yarnrc":            "registry \"https://npm-registry.invalid/\"\n",
		"a/.npmrc":           "fund=false\n",
		"a/.cargo":           "not a folder",
		"a/b/proj/.yarnrc":   "the project's own: copied as a project file, not by mirror\n",
		"a/b/proj/pkg.json":  "{}",
		"a/b/.yarnrc.yml":    "enableTelemetry: false\n",
		"a/b/unrelated.json": "{}",
	})
	tmp, err := newTempProject("yarn")
	if err != nil {
		t.Skip("no private folder here:", err) // a cache under /tmp
	}
	defer tmp.Remove()
	proj := filepath.Join(dir, "a", "b", "proj")
	if err := tmp.mirror(proj, []string{".yarnrc", ".yarnrc.yml", ".npmrc", filepath.Join(".cargo", "config.toml")}); err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(tmp.base, proj); tmp.Dir != want {
		t.Errorf("Dir %s, want %s", tmp.Dir, want)
	}
	var got []string
	// (Only below dir: the folders above it may hold such files too.)
	filepath.WalkDir(filepath.Join(tmp.base, dir), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(filepath.Join(tmp.base, dir), p)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(got)
	if want := []string{".yarnrc", "a/.npmrc", "a/b/.yarnrc.yml"}; !slices.Equal(got, want) {
		t.Errorf("mirrored %q, want %q", got, want)
	}
	tmp.Remove()
	if _, err := os.Stat(tmp.base); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Remove left %s: %v", tmp.base, err)
	}
}

// Copies a killed guard left behind are removed a day later; fresh ones
// (another guard's, running) and other files stay.
func TestSweepStale(t *testing.T) {
	base := t.TempDir()
	old := time.Now().Add(-25 * time.Hour)
	for _, d := range []string{"guard-npm-1", "guard-yarn-2", "guard-npm-3", "other"} {
		os.MkdirAll(filepath.Join(base, d, "x"), 0o700)
	}
	os.WriteFile(filepath.Join(base, "guard-file"), nil, 0o600)
	for _, d := range []string{"guard-npm-1", "guard-yarn-2", "other", "guard-file"} {
		os.Chtimes(filepath.Join(base, d), old, old)
	}
	sweepStale(base, time.Now().Add(-staleAfter))
	var left []string
	ents, _ := os.ReadDir(base)
	for _, e := range ents {
		left = append(left, e.Name())
	}
	if want := []string{"guard-file", "guard-npm-3", "other"}; !slices.Equal(left, want) {
		t.Errorf("left %q, want %q", left, want)
	}
}

// A project file larger than a lockfile may be (a hostile package.json,
// say) is not copied into the private folder: an error naming it, before
// any package manager runs.
func TestCopyInCap(t *testing.T) {
	t.Setenv("GUARD_TMPDIR", "")
	tmp, err := newTempProject("npm")
	if err != nil {
		t.Skip("no private folder here:", err)
	}
	defer tmp.Remove()
	defer func(n int64) { lockfile.MaxFileSize = n }(lockfile.MaxFileSize)
	lockfile.MaxFileSize = 1000
	src := filepath.Join(t.TempDir(), "package.json")
	if err := os.WriteFile(src, make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	if ok, err := tmp.copyIn(src, "package.json"); !ok || err != nil {
		t.Fatalf("a file at the cap: %v %v", ok, err)
	}
	if err := os.Truncate(src, 1001); err != nil {
		t.Fatal(err)
	}
	if _, err := tmp.copyIn(src, "other.json"); !errors.Is(err, regfile.ErrTooLarge) || !strings.Contains(err.Error(), src) {
		t.Errorf("a file over the cap: %v", err)
	}
}

// The copies of yarn, uv and cargo projects see the settings files their
// tool reads above the project; npm's and pnpm's, which read none there,
// get none.
func TestCopyProjectMirrorsAncestors(t *testing.T) {
	t.Setenv("GUARD_TMPDIR", "")
	dir := rcTree(t, map[string]string{
		".yarnrc": "x", ".npmrc": "x", "uv.toml": "x", "pyproject.toml": "x",
		"p/package.json": "{}", "p/pyproject.toml": "x",
	})
	proj := filepath.Join(dir, "p")
	for name, want := range map[string][]string{
		"yarn": {".npmrc", ".yarnrc"},
		"uv":   {"pyproject.toml", "uv.toml"},
		"pnpm": nil,
	} {
		m, _ := Lookup(name)
		var lm *lockManager
		switch v := m.(type) {
		case *yarnManager:
			lm = v.lockManager
		case *uvManager:
			lm = v.lockManager
		case *pnpmManager:
			lm = v.lockManager
		}
		tmp, err := lm.copyProject(proj)
		if err != nil {
			t.Skip("no private folder here:", err)
		}
		var got []string
		ents, _ := os.ReadDir(filepath.Join(tmp.base, dir))
		for _, e := range ents {
			if !e.IsDir() {
				got = append(got, e.Name())
			}
		}
		tmp.Remove()
		if !slices.Equal(got, want) {
			t.Errorf("%s: above the copy %q, want %q", name, got, want)
		}
	}
}
