package guard

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/installguard/guard/verify/provenance"
)

func TestCooldownAndDeprecated(t *testing.T) {
	now := time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
	lock := `{"lockfileVersion": 3, "packages": {
  "": {"dependencies": {"fresh": "1.0.0", "old": "1.0.0", "@myorg/lib": "1.0.0", "unknown": "1.0.0", "dep": "1.0.0"}},
  "node_modules/fresh": {"version": "1.0.0", "integrity": "` + sriA + `"},
  "node_modules/old": {"version": "1.0.0", "integrity": "` + sriA + `"},
  "node_modules/@myorg/lib": {"version": "1.0.0", "integrity": "` + sriA + `"},
  "node_modules/unknown": {"version": "1.0.0", "integrity": "` + sriA + `"},
  "node_modules/dep": {"version": "1.0.0", "integrity": "` + sriA + `"}
}}`
	meta := func(published time.Time, deprecated string) provenance.Metadata {
		return provenance.Metadata{Status: provenance.MetadataRead, Known: true, PublishedAt: published, Deprecated: deprecated}
	}
	answers := fakeMetadata{
		"fresh@1.0.0":      meta(now.Add(-3*time.Hour), ""),
		"old@1.0.0":        meta(now.Add(-30*24*time.Hour), ""),
		"@myorg/lib@1.0.0": meta(now.Add(-time.Hour), ""),
		"dep@1.0.0":        meta(now.Add(-30*24*time.Hour), "  use   other-pkg\ninstead\x1b[31m  "),
		// unknown@1.0.0: the registry states no publish time
		"unknown@1.0.0": {Status: provenance.MetadataRead, Known: true},
	}
	cases := []struct {
		name, policy string
		cooldown     []string
		deprecated   []string
	}{
		{name: "no policy: cooldown off, deprecated warns",
			deprecated: []string{"dep deprecated warn"}},
		{name: "min-age 2d",
			policy:     "[cooldown]\nmin-age = \"2d\"\nallow = [\"npm:@myorg/*\"]\n",
			cooldown:   []string{"fresh too-new block"},
			deprecated: []string{"dep deprecated warn"}},
		{name: "cooldown warn, deprecated off",
			policy:   "[cooldown]\naction = \"warn\"\nmin-age = \"48h\"\n[deprecated]\naction = \"off\"\n",
			cooldown: []string{"@myorg/lib too-new warn", "fresh too-new warn"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "package-lock.json", lock)
			opts := Options{Paths: []string{dir}, Level: 2, Mode: Block, Advisories: &memSource{},
				Metadata: answers, Now: func() time.Time { return now }}
			if c.policy != "" {
				opts.Policy = projectPolicy(t, dir, c.policy)
			}
			r, err := Check(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := findingKeys(r, RuleCooldown); strings.Join(got, "|") != strings.Join(c.cooldown, "|") {
				t.Errorf("cooldown %q, want %q", got, c.cooldown)
			}
			if got := findingKeys(r, RuleDeprecated); strings.Join(got, "|") != strings.Join(c.deprecated, "|") {
				t.Errorf("deprecated %q, want %q", got, c.deprecated)
			}
			for _, f := range r.Findings {
				switch {
				case f.Rule == RuleCooldown && f.Name == "fresh":
					want := "allowed from " + now.Add(-3*time.Hour).Add(48*time.Hour).Format(time.RFC3339)
					if !strings.Contains(f.Message, want) || f.Item != "G2.3" {
						t.Errorf("cooldown finding %+v, want %q", f, want)
					}
				case f.Rule == RuleDeprecated:
					if f.Message != `is deprecated: use other-pkg instead\u001b[31m` || f.Item != "C2.1" {
						t.Errorf("deprecated finding %+v", f)
					}
				}
			}
		})
	}
}

func TestCooldownNotGathered(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "package-lock.json", `{"lockfileVersion": 3, "packages": {"": {}, "node_modules/a": {"version": "1.0.0", "integrity": "`+sriA+`"}}}`)
	for _, c := range []struct {
		policy       string
		cooldownNote string
	}{
		{policy: "level = 2\n", cooldownNote: ""},
		{policy: "[cooldown]\nmin-age = \"7d\"\n", cooldownNote: "offline"},
	} {
		r, err := Check(context.Background(), Options{Paths: []string{dir}, Policy: projectPolicy(t, dir, c.policy),
			Advisories: &memSource{}, NoProvenanceReason: "offline", NoMetadataReason: "offline"})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range r.Items {
			switch it.Rule {
			case RuleCooldown:
				if it.Note != c.cooldownNote {
					t.Errorf("%q: cooldown item %+v", c.policy, it)
				}
			case RuleDeprecated:
				if it.Status != "not checked" || it.Note != "offline" {
					t.Errorf("%q: deprecated item %+v", c.policy, it)
				}
			}
		}
		if r.ExitCode() != ExitAllow {
			t.Errorf("%q: exit %d", c.policy, r.ExitCode())
		}
	}
}
