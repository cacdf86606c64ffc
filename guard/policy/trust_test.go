package policy

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// The trust boundary (issue 12, item 2): a file inside the checked
// repository can tighten but never loosen the safety floor (on-error,
// malware, provenance-invalid), with or without an org policy. Without an
// org policy the defaults are the floor; only an org policy outside the
// repository (--policy, GUARD_POLICY, the system or user config file)
// loosens it.
func TestProjectCannotLoosenSafetyFloor(t *testing.T) {
	const exception = "[[exception]]\n%s\nreason = \"ours\"\nexpires = 2026-06-01\n"
	exc := func(body string) string { return strings.Replace(exception, "%s", body, 1) }
	for _, tt := range []struct {
		name, proj, key string
	}{
		{"on-error warn", "on-error = \"warn\"\n", "on-error"},
		{"provenance-invalid warn", "[provenance]\ninvalid = \"warn\"\n", "provenance.invalid"},
		{"provenance-invalid off", "[provenance]\ninvalid = \"off\"\n", "provenance.invalid"},
		{"malware exception", exc("rule = \"malware\"\npackage = \"evil\"\nversion = \"1.0.0\""), "exception"},
		{"provenance-invalid exception", exc("rule = \"provenance-invalid\"\npackage = \"evil\""), "exception"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := isolated(t)
			src.ProjectDir = t.TempDir()
			writeFile(t, filepath.Join(src.ProjectDir, ProjectFile), tt.proj)
			p, diags, err := Load(context.Background(), src)
			if !errors.Is(err, ErrInvalid) || p != nil {
				t.Fatalf("Load: %v, want ErrInvalid (diags %v)", err, diags)
			}
			d := diags[len(diags)-1]
			if d.Level != LevelError || !strings.HasSuffix(d.File, ProjectFile) || d.Line == 0 ||
				!strings.HasPrefix(d.Key, tt.key) || !strings.Contains(d.Message, "safety floor") || !strings.Contains(d.Message, "org policy") {
				t.Errorf("diagnostic %+v", d)
			}
			// guard policy check guard.toml says the same.
			if _, err := Check(context.Background(), filepath.Join(src.ProjectDir, ProjectFile), RoleProject, src); !errors.Is(err, ErrInvalid) {
				t.Errorf("Check: %v, want ErrInvalid", err)
			}
		})
	}
}

// A project may still tighten the floor, and loosen what is not the floor.
func TestProjectMayTightenSafetyFloor(t *testing.T) {
	src := isolated(t)
	src.ProjectDir = t.TempDir()
	writeFile(t, filepath.Join(src.ProjectDir, ProjectFile), "on-error = \"block\"\nmode = \"warn\"\n[provenance]\ninvalid = \"block\"\n"+
		"[[exception]]\npackage = \"evil\"\nreason = \"ours\"\nexpires = 2026-06-01\n")
	p, diags, err := Load(context.Background(), src)
	if err != nil {
		t.Fatal(err, diags)
	}
	if p.OnError() != Block || p.Mode() != Warn {
		t.Errorf("on-error %s mode %s", p.OnError(), p.Mode())
	}
	// The project's exception names no rule: it ignores evil's findings,
	// except those of the floor rules.
	for rule, want := range map[string]Action{RulePinning: Ignored, RuleProvenanceInvalid: Block, RuleMalware: Block} {
		if d := p.Peek(Subject{Rule: rule, Ecosystem: EcoNPM, Name: "evil", Version: "1.0.0", ID: "x"}); d.Action != want {
			t.Errorf("%s: %s (%s), want %s", rule, d.Action, d.Why, want)
		}
	}
}

// The org policy — or the user's own config file, outside the repository —
// may loosen the floor, and guard policy show names the file that did.
func TestOrgMayLoosenSafetyFloor(t *testing.T) {
	for _, where := range []string{"--policy", "user config"} {
		t.Run(where, func(t *testing.T) {
			src := isolated(t)
			org := filepath.Join(t.TempDir(), "org.toml")
			if where == "user config" {
				org = filepath.Join(src.UserConfigDir, "guard", "policy.toml")
			} else {
				src.Org = org
			}
			writeFile(t, org, "on-error = \"warn\"\n[provenance]\ninvalid = \"warn\"\n")
			src.ProjectDir = t.TempDir()
			p, diags, err := Load(context.Background(), src)
			if err != nil {
				t.Fatal(err, diags)
			}
			if p.OnError() != Warn || p.Peek(Subject{Rule: RuleProvenanceInvalid, Name: "x"}).Action != Warn {
				t.Errorf("on-error %s", p.OnError())
			}
			s := settingOf(p, "on-error")
			if s.From.File != org || s.From.Line != 1 || s.From.Role != RoleOrg || !strings.Contains(s.Note, "safety floor") {
				t.Errorf("on-error setting %+v", s)
			}
			// A project under that org may tighten it back.
			writeFile(t, filepath.Join(src.ProjectDir, ProjectFile), "on-error = \"block\"\n")
			p, _, err = Load(context.Background(), src)
			if err != nil || p.OnError() != Block || settingOf(p, "on-error").From.Role != RoleProject {
				t.Errorf("tightened: %v %+v", err, settingOf(p, "on-error"))
			}
		})
	}
}
