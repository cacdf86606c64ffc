package policy

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// FuzzParse: the loader never panics or hangs; every diagnostic line is in
// the file; the locator finds every key BurntSushi decoded; a valid file's
// effective policy shows as TOML that decodes to the same settings.
func FuzzParse(f *testing.F) {
	f.Add(docExample(f))
	for _, dir := range []string{"testdata", "testdata/bad", "testdata/project", "testdata/project-weakens"} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".toml") {
				if data, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil {
					f.Add(data)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, role := range []Role{RoleOrg, RoleProject} {
			c, diags := parseFile("f.toml", data, role, today)
			for _, d := range diags {
				if d.Line < 0 || d.Line > lines || d.Message == "" || d.Level == "" {
					t.Fatalf("bad diagnostic %+v (file has %d lines)", d, lines)
				}
			}
			if role == RoleOrg && !HasErrors(diags) {
				eff, mdiags := merge(c, nil, "f.toml", Flags{}, today)
				if HasErrors(mdiags) {
					t.Fatalf("an org file alone cannot weaken anything: %v", mdiags)
				}
				showRoundTrip(t, newPolicy(eff, nil, "f.toml", today))
				// Layered over itself as the project policy it weakens
				// nothing; only its exceptions may be refused (the org
				// does not allow project exceptions, or caps them).
				if pc, pd := parseFile("g.toml", data, RoleProject, today); !HasErrors(pd) {
					_, md := merge(c, pc, "f.toml", Flags{}, today)
					for _, d := range errorsOf(md) {
						if !strings.Contains(d.Key, "exception[") {
							t.Fatalf("a file weakens itself: %s", d)
						}
					}
				}
			}
		}
		var m map[string]any
		if _, err := toml.Decode(string(data), &m); err == nil {
			if miss := missingLines(m, locate(string(data))); len(miss) > 0 {
				t.Fatalf("locator found no line for %q", miss)
			}
		}
	})
}
