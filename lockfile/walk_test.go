package lockfile

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWorkspaceMembers(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"packages/a", "packages/b", "packages/skip", "packages/nomarker", "packages/.hidden",
		"packages/node_modules", "apps/web/app", "apps/x", "tools/deep/er/t", "other/c", "packages/venv-named"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
		if filepath.Base(d) != "nomarker" {
			if err := os.WriteFile(filepath.Join(root, d, "package.json"), []byte("{}"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A virtual env is skipped whatever its name.
	if err := os.WriteFile(filepath.Join(root, "packages/venv-named/pyvenv.cfg"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got := WorkspaceMembers(root, []string{"./packages/*", "apps/**", "tools/**/t/", "!packages/skip"}, "package.json")
	want := []string{"apps/web/app", "apps/x", "packages/a", "packages/b", "tools/deep/er/t"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if got := WorkspaceMembers(root, []string{"!packages/a"}, "package.json"); got != nil {
		t.Errorf("only exclusions: %v", got)
	}
}

func TestGlobMatch(t *testing.T) {
	for _, tt := range []struct {
		pat, path     string
		match, prefix bool
	}{
		{"packages/*", "packages/a", true, true},
		{"packages/*", "packages", false, true},
		{"packages/*", "packages/a/b", false, false},
		{"packages/*", "other", false, false},
		{"**", "a/b/c", true, true},
		{"a/**", "a", true, true},
		{"a/**/z", "a/b/c/z", true, true},
		{"a/**/z", "a/b", false, true},
		{"a/**/**", "a", true, true},
		{"**/b/**/d", "a/b/c/d", true, true},
		{"**/b/**/d", "a/c/d", false, true},
		{"*/b", "a/c", false, false},
		{"*/b", "a", false, true},
		// A hostile workspaces pattern: 40 "**" against 40 folders that
		// never end in z. Unmemoised this took 2^40 steps (hours); a
		// regression shows as the test timing out.
		{strings.Repeat("**/", 40) + "z", strings.Repeat("d/", 39) + "d", false, true},
	} {
		pat, segs := globSegments(tt.pat), globSegments(tt.path)
		if m, p := globMatch(pat, segs, false), globMatch(pat, segs, true); m != tt.match || p != tt.prefix {
			t.Errorf("%s ~ %s: match %v prefix %v, want %v %v", tt.pat, tt.path, m, p, tt.match, tt.prefix)
		}
	}
}
