package policy

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// layered parses an org and a project file (given as text; "-" means no
// such file) and merges them with flags, as Load does.
func layered(t *testing.T, org, proj string, flags Flags) (*Policy, []Diagnostic) {
	t.Helper()
	var oc, pc *config
	var files []File
	if org != "-" {
		c, ds := parseFile("org.toml", []byte(org), RoleOrg, today)
		if HasErrors(ds) {
			t.Fatalf("org file: %v", ds)
		}
		oc = c
		files = append(files, File{Role: RoleOrg, Path: "org.toml"})
	}
	if proj != "-" {
		c, ds := parseFile("guard.toml", []byte(proj), RoleProject, today)
		if HasErrors(ds) {
			t.Fatalf("project file: %v", ds)
		}
		pc = c
		files = append(files, File{Role: RoleProject, Path: "guard.toml"})
	}
	eff, diags := merge(oc, pc, "org.toml", flags, today)
	return newPolicy(eff, files, "org.toml", today), diags
}

func intp(n int) *int                     { return &n }
func durp(d time.Duration) *time.Duration { return &d }
func vuln(p *Policy, sev string) Action {
	return p.Peek(Subject{Rule: RuleVulnerability, Severity: sev}).Action
}
func rule(p *Policy, r string) Action         { return p.Peek(Subject{Rule: r, Name: "x"}).Action }
func settingOf(p *Policy, key string) Setting { return findSetting(p.Settings(), key) }

func findSetting(ss []Setting, key string) Setting {
	for _, s := range ss {
		if s.Key == key {
			return s
		}
	}
	return Setting{}
}

func TestMerge(t *testing.T) {
	const none = "-"
	tests := []struct {
		name        string
		org, proj   string
		flags       Flags
		errAt       string // "guard.toml:LINE:KEY", "--flag", or "" for no error
		errContains []string
		check       func(t *testing.T, p *Policy)
	}{
		// level
		{name: "project raises level", org: "level = 1", proj: "level = 3",
			check: func(t *testing.T, p *Policy) {
				if p.Level() != 3 || settingOf(p, "level").From.String() != "guard.toml:1" {
					t.Errorf("level %d from %s", p.Level(), settingOf(p, "level").From)
				}
			}},
		{name: "project lowers level", org: "mode = \"block\"\nlevel = 2", proj: "\nlevel = 1",
			errAt: "guard.toml:2:level", errContains: []string{"level = 1 would weaken the org policy's level = 2 (org.toml:2)"}},
		{name: "project lowers the default the org keeps", org: "mode = \"block\"", proj: "level = 1",
			errAt: "guard.toml:1:level", errContains: []string{"level = 2, the default the org policy (org.toml) keeps"}},
		{name: "project alone may lower the default", org: none, proj: "level = 1",
			check: func(t *testing.T, p *Policy) {
				if p.Level() != 1 {
					t.Errorf("level %d", p.Level())
				}
			}},
		// mode and on-error
		{name: "project turns warn into block", org: `mode = "warn"`, proj: `mode = "block"`,
			check: func(t *testing.T, p *Policy) {
				if p.Mode() != Block || rule(p, RulePinning) != Block {
					t.Errorf("mode %s, pinning %s", p.Mode(), rule(p, RulePinning))
				}
			}},
		{name: "project turns block into warn", org: `mode = "block"`, proj: `mode = "warn"`,
			errAt: "guard.toml:1:mode", errContains: []string{`the org policy's mode = "block" (org.toml:1)`}},
		{name: "project on-error warn", org: `on-error = "block"`, proj: `on-error = "warn"`,
			errAt: "guard.toml:1:on-error", errContains: []string{`on-error = "block" (org.toml:1)`}},
		{name: "project on-error block", org: `on-error = "warn"`, proj: `on-error = "block"`,
			check: func(t *testing.T, p *Policy) {
				if p.OnError() != Block {
					t.Errorf("on-error %s", p.OnError())
				}
			}},
		// max-db-age
		{name: "project shortens max-db-age", org: `max-db-age = "7d"`, proj: `max-db-age = "24h"`,
			check: func(t *testing.T, p *Policy) {
				if p.MaxDBAge() != 24*time.Hour {
					t.Errorf("max-db-age %s", p.MaxDBAge())
				}
			}},
		{name: "project lengthens max-db-age", org: `max-db-age = "7d"`, proj: `max-db-age = "14d"`,
			errAt: "guard.toml:1:max-db-age", errContains: []string{`max-db-age = "7d" (org.toml:1)`}},
		{name: "project lifts max-db-age", org: `max-db-age = "7d"`, proj: `max-db-age = "0"`,
			errAt: "guard.toml:1:max-db-age"},
		{name: "org without limit, project sets one", org: `max-db-age = "0"`, proj: `max-db-age = "30d"`,
			check: func(t *testing.T, p *Policy) {
				if p.MaxDBAge() != 30*day {
					t.Errorf("max-db-age %s", p.MaxDBAge())
				}
			}},
		// rule actions
		{name: "project raises a rule", org: "[pinning]\naction = \"warn\"", proj: "[pinning]\naction = \"block\"",
			check: func(t *testing.T, p *Policy) {
				if d := p.Peek(Subject{Rule: RulePinning}); d.Action != Block || !strings.Contains(d.Why, `[pinning] action = "block" (guard.toml:2)`) {
					t.Errorf("%+v", d)
				}
			}},
		{name: "project lowers a rule", org: "[pinning]\naction = \"block\"", proj: "[pinning]\naction = \"warn\"",
			errAt: "guard.toml:2:pinning.action", errContains: []string{`[pinning] action = "warn" would weaken the org policy's [pinning] action = "block" (org.toml:2)`}},
		{name: "project turns off a rule that follows the org mode", org: `mode = "warn"`, proj: "[yanked]\naction = \"off\"",
			errAt: "guard.toml:2:yanked.action", errContains: []string{`the org policy's mode = "warn" (org.toml:1)`}},
		{name: "project turns off a default-warn rule", org: "level = 2", proj: "[unmaintained]\naction = \"off\"",
			errAt: "guard.toml:2:unmaintained.action", errContains: []string{`[unmaintained] action = "warn", the default the org policy (org.toml) keeps`}},
		{name: "project raises a default-warn rule", org: "level = 2", proj: "[unmaintained]\naction = \"block\"",
			check: func(t *testing.T, p *Policy) {
				if rule(p, RuleUnmaintained) != Block {
					t.Errorf("unmaintained %s", rule(p, RuleUnmaintained))
				}
			}},
		{name: "project keeps its warn when it raises the mode", org: "mode = \"warn\"", proj: "mode = \"block\"\n[cooldown]\naction = \"warn\"",
			check: func(t *testing.T, p *Policy) {
				if rule(p, RuleCooldown) != Warn || rule(p, RulePinning) != Block {
					t.Errorf("cooldown %s pinning %s", rule(p, RuleCooldown), rule(p, RulePinning))
				}
			}},
		{name: "project lowers provenance-invalid", org: "level = 3", proj: "[provenance]\ninvalid = \"warn\"",
			errAt: "guard.toml:2:provenance.invalid", errContains: []string{`[provenance] invalid = "block"`}},
		// vulnerabilities
		{name: "project lowers the block threshold", org: "[vulnerabilities]\nblock-severity = \"high\"", proj: "[vulnerabilities]\nblock-severity = \"medium\"",
			check: func(t *testing.T, p *Policy) {
				if vuln(p, "MEDIUM") != Block || vuln(p, "LOW") != Warn {
					t.Errorf("MEDIUM %s LOW %s", vuln(p, "MEDIUM"), vuln(p, "LOW"))
				}
			}},
		{name: "project raises the block threshold", org: "[vulnerabilities]\nblock-severity = \"high\"", proj: "[vulnerabilities]\nblock-severity = \"critical\"",
			errAt: "guard.toml:2:vulnerabilities.block-severity", errContains: []string{"a HIGH vulnerability would warn instead of block", `block-severity = "high" (org.toml:2)`}},
		{name: "project sets a threshold under org mode block", org: `mode = "block"`, proj: "[vulnerabilities]\nblock-severity = \"high\"",
			errAt: "guard.toml:2:vulnerabilities.block-severity", errContains: []string{"vulnerability would warn instead of block", `mode = "block" (org.toml:1)`}},
		{name: "project sets a threshold under org mode warn", org: `mode = "warn"`, proj: "[vulnerabilities]\nblock-severity = \"high\"",
			check: func(t *testing.T, p *Policy) {
				if vuln(p, "HIGH") != Block || vuln(p, "LOW") != Warn || vuln(p, "") != Warn {
					t.Errorf("HIGH %s LOW %s unknown %s", vuln(p, "HIGH"), vuln(p, "LOW"), vuln(p, ""))
				}
			}},
		{name: "project raises warn-severity", org: "[vulnerabilities]\nblock-severity = \"high\"", proj: "[vulnerabilities]\nwarn-severity = \"medium\"",
			errAt: "guard.toml:2:vulnerabilities.warn-severity", errContains: []string{"would be ignored instead of warn"}},
		{name: "project lowers unrated", org: "[vulnerabilities]\nblock-severity = \"high\"\nunrated = \"block\"", proj: "[vulnerabilities]\nunrated = \"warn\"",
			errAt: "guard.toml:2:vulnerabilities.unrated", errContains: []string{"a UNKNOWN vulnerability would warn instead of block"}},
		{name: "project caps unreachable", org: "level = 3", proj: "[vulnerabilities]\nunreachable = \"warn\"",
			errAt: "guard.toml:2:vulnerabilities.unreachable", errContains: []string{"an unreachable"}},
		{name: "project raises org's unreachable cap", org: "[vulnerabilities]\nunreachable = \"off\"", proj: "[vulnerabilities]\nunreachable = \"warn\"",
			check: func(t *testing.T, p *Policy) {
				if a := p.Peek(Subject{Rule: RuleVulnerability, Severity: "HIGH", Unreachable: true}).Action; a != Warn {
					t.Errorf("unreachable HIGH %s", a)
				}
			}},
		// provenance, cooldown, allowlists
		{name: "project adds require and pins", org: "[provenance]\nrequire = [\"npm:@org/*\"]",
			proj: "[provenance]\nrequire = [\"pypi:team-*\"]\n[[provenance.publisher]]\npackage = \"pypi:team-*\"\nrepository = \"github.com/team/*\"",
			check: func(t *testing.T, p *Policy) {
				if ok, pat := p.ProvenanceRequired("npm", "@org/a"); !ok || pat.From.String() != "org.toml:2" {
					t.Errorf("npm: %v %s", ok, pat.From)
				}
				if ok, pat := p.ProvenanceRequired("PyPI", "Team_Lib"); !ok || pat.From.String() != "guard.toml:2" {
					t.Errorf("pypi: %v %s", ok, pat.From)
				}
				if ok, _ := p.ProvenanceRequired("npm", "team-lib"); ok {
					t.Error("pypi: pattern matched npm")
				}
				if pins := p.PublisherPins("PyPI", "team-lib"); len(pins) != 1 || pins[0].From.String() != "guard.toml:3" {
					t.Errorf("pins %+v", pins)
				}
			}},
		{name: "project lengthens min-age", org: "[cooldown]\nmin-age = \"48h\"", proj: "[cooldown]\nmin-age = \"7d\"",
			check: func(t *testing.T, p *Policy) {
				if d, from := p.MinAge(); d != 7*day || from.String() != "guard.toml:2" {
					t.Errorf("min-age %s from %s", d, from)
				}
			}},
		{name: "project shortens min-age", org: "[cooldown]\nmin-age = \"48h\"", proj: "[cooldown]\nmin-age = \"1d\"",
			errAt: "guard.toml:2:cooldown.min-age", errContains: []string{`[cooldown] min-age = "2d" (org.toml:2)`}},
		{name: "project adds to an allowlist", org: "[install-scripts]\nallow = [\"npm:esbuild\"]", proj: "[install-scripts]\nallow = [\"npm:esbuild\", \"npm:evil\"]",
			errAt: "guard.toml:2:install-scripts.allow[2]", errContains: []string{`"npm:evil" would loosen the org policy: only the org policy (org.toml) may add to [install-scripts] allow`}},
		{name: "project adds to the cooldown allowlist", org: "level = 2", proj: "[cooldown]\nallow = [\"npm:fresh\"]",
			errAt: "guard.toml:2:cooldown.allow[1]", errContains: []string{"[cooldown] allow"}},
		{name: "project alone may allowlist", org: none, proj: "[install-scripts]\nallow = [\"npm:esbuild\"]",
			check: func(t *testing.T, p *Policy) {
				if ok, _ := p.InstallScriptsAllowed("npm", "esbuild"); !ok {
					t.Error("esbuild not allowed")
				}
			}},
		// sources
		{name: "project narrows registries", org: "[sources.npm]\nregistries = [\"https://a.example/\", \"https://b.example/\"]", proj: "[sources.npm]\nregistries = [\"https://b.example\"]",
			check: func(t *testing.T, p *Policy) {
				if r := p.Sources("npm"); len(r.Registries) != 1 || r.Registries[0] != "https://b.example" || r.RegistriesFrom.String() != "guard.toml:2" {
					t.Errorf("%+v", r)
				}
			}},
		{name: "project adds a registry", org: "[sources.npm]\nregistries = [\"https://a.example/\"]", proj: "[sources.npm]\nregistries = [\"https://evil.example/\"]",
			errAt: "guard.toml:2:sources.npm.registries", errContains: []string{`"https://evil.example" would loosen the org policy`, "(org.toml:2)"}},
		{name: "project restricts unrestricted registries", org: "level = 2", proj: "[sources.pypi]\nregistries = [\"https://pypi.example/simple/\"]",
			check: func(t *testing.T, p *Policy) {
				if r := p.Sources("PyPI"); len(r.Registries) != 1 {
					t.Errorf("%+v", r)
				}
			}},
		{name: "project pins a new scope", org: "[sources.npm]\nregistries = [\"https://a.example/\", \"https://corp.example/\"]",
			proj: "[sources.npm]\nscoped-registries = { \"@corp\" = \"https://corp.example/\" }",
			check: func(t *testing.T, p *Policy) {
				if r := p.Sources("npm"); r.Scoped["@corp"] != "https://corp.example" {
					t.Errorf("%+v", r)
				}
			}},
		{name: "project pins a scope to an unlisted registry", org: "[sources.npm]\nregistries = [\"https://a.example/\"]",
			proj:  "[sources.npm]\nscoped-registries = { \"@corp\" = \"https://corp.example/\" }",
			errAt: "guard.toml:2:sources.npm.scoped-registries.\"@corp\"", errContains: []string{"is not among the allowed [sources.npm] registries (org.toml:2)"}},
		{name: "project changes the org's scope", org: "[sources.npm.scoped-registries]\n\"@corp\" = \"https://corp.example/\"",
			proj:  "[sources.npm.scoped-registries]\n\"@corp\" = \"https://other.example/\"",
			errAt: "guard.toml:2:sources.npm.scoped-registries.\"@corp\"", errContains: []string{`("https://corp.example" at org.toml:2)`}},
		{name: "project turns resolved-match off", org: "[sources]\nresolved-match = true", proj: "[sources]\nresolved-match = false",
			errAt: "guard.toml:2:sources.resolved-match", errContains: []string{"resolved-match = true (org.toml:2)"}},
		// flags
		{name: "flags alone may lower the level", org: none, proj: none, flags: Flags{Level: intp(1), Mode: "warn"},
			check: func(t *testing.T, p *Policy) {
				if p.Level() != 1 || p.Mode() != Warn || settingOf(p, "level").From.String() != "--level" {
					t.Errorf("level %d mode %s", p.Level(), p.Mode())
				}
			}},
		{name: "--level raises", org: "level = 2", proj: none, flags: Flags{Level: intp(3)},
			check: func(t *testing.T, p *Policy) {
				if p.Level() != 3 || settingOf(p, "level").From.String() != "--level" {
					t.Errorf("level %d from %s", p.Level(), settingOf(p, "level").From)
				}
			}},
		{name: "--level lowers the org", org: "level = 2", proj: none, flags: Flags{Level: intp(1)},
			errAt: "--level", errContains: []string{"--level 1 would weaken the org policy's level = 2 (org.toml:1)"}},
		{name: "--level lowers the project", org: none, proj: "level = 3", flags: Flags{Level: intp(2)},
			errAt: "--level", errContains: []string{"the project policy's level = 3 (guard.toml:1)"}},
		{name: "--mode warn under an org default", org: "level = 2", proj: none, flags: Flags{Mode: "warn"},
			errAt: "--mode", errContains: []string{`mode = "block", the default the org policy (org.toml) keeps`}},
		{name: "--mode block over org warn", org: `mode = "warn"`, proj: none, flags: Flags{Mode: "block"},
			check: func(t *testing.T, p *Policy) {
				if p.Mode() != Block || vuln(p, "LOW") != Block {
					t.Errorf("mode %s", p.Mode())
				}
			}},
		{name: "--max-db-age 0 over the org", org: `max-db-age = "7d"`, proj: none, flags: Flags{MaxDBAge: durp(0)},
			errAt: "--max-db-age", errContains: []string{`max-db-age = "7d" (org.toml:1)`}},
		{name: "--max-db-age shorter", org: `max-db-age = "7d"`, proj: none, flags: Flags{MaxDBAge: durp(time.Hour)},
			check: func(t *testing.T, p *Policy) {
				if p.MaxDBAge() != time.Hour {
					t.Errorf("max-db-age %s", p.MaxDBAge())
				}
			}},
		{name: "--level out of range", org: none, proj: none, flags: Flags{Level: intp(7)}, errAt: "--level", errContains: []string{"out of range"}},
		{name: "--mode maybe", org: none, proj: none, flags: Flags{Mode: "maybe"}, errAt: "--mode", errContains: []string{`"maybe" is not valid`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, diags := layered(t, tt.org, tt.proj, tt.flags)
			errs := errorsOf(diags)
			if tt.errAt == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				if tt.check != nil {
					tt.check(t, p)
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("%d errors, want 1 at %s: %v", len(errs), tt.errAt, diags)
			}
			d := errs[0]
			at := d.Key
			if d.File != "" {
				at = d.File + ":" + itoa(d.Line) + ":" + d.Key
			}
			if at != tt.errAt {
				t.Errorf("error at %s, want %s: %s", at, tt.errAt, d)
			}
			for _, s := range tt.errContains {
				if !strings.Contains(d.Message, s) {
					t.Errorf("error %q\ndoes not say %q", d.Message, s)
				}
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestProjectExceptions: project exceptions only where the org allows
// them, within its maximum lifetime.
func TestProjectExceptions(t *testing.T) {
	const exc = "[[exception]]\nid = \"GHSA-1\"\nreason = \"r\"\nexpires = %s\n"
	proj := func(expires string) string { return strings.Replace(exc, "%s", expires, 1) }
	tests := []struct {
		name, org, proj string
		errAt, errMsg   string
	}{
		{"no org policy", "-", proj("2027-01-01"), "", ""},
		{"org silent", "level = 2", proj("2026-06-30"), "guard.toml:1:exception[1]", "[exceptions] allow-project is not set in org.toml"},
		{"org forbids", "[exceptions]\nallow-project = false", proj("2026-06-30"), "guard.toml:1:exception[1]", "[exceptions] allow-project = false at org.toml:2"},
		{"org allows", "[exceptions]\nallow-project = true", proj("2027-06-30"), "", ""},
		{"within lifetime", "[exceptions]\nallow-project = true\nmax-lifetime = \"90d\"", proj("2026-07-29"), "", ""},
		{"at the lifetime", "[exceptions]\nallow-project = true\nmax-lifetime = \"90d\"", proj("2026-07-30"), "", ""},
		{"year 9999", "[exceptions]\nallow-project = true\nmax-lifetime = \"90d\"", proj("9999-12-31"), "guard.toml:4:exception[1].expires", "is 2912322 days away"},
		{"over lifetime", "[exceptions]\nallow-project = true\nmax-lifetime = \"90d\"", proj("2026-07-31"), "guard.toml:4:exception[1].expires",
			`expires = 2026-07-31 is 91 days away, beyond the org policy's max-lifetime = "90d" (org.toml:3): use a date on or before 2026-07-30`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, diags := layered(t, tt.org, tt.proj, Flags{})
			errs := errorsOf(diags)
			if tt.errAt == "" {
				if len(errs) > 0 || len(p.Exceptions()) != 1 {
					t.Fatalf("errors %v, %d exceptions", errs, len(p.Exceptions()))
				}
				if a := p.Peek(Subject{Rule: RuleVulnerability, ID: "GHSA-1"}).Action; a != Ignored {
					t.Errorf("exception not applied: %s", a)
				}
				return
			}
			if len(errs) != 1 {
				t.Fatalf("%d errors: %v", len(errs), diags)
			}
			d := errs[0]
			if at := d.File + ":" + itoa(d.Line) + ":" + d.Key; at != tt.errAt || !strings.Contains(d.Message, tt.errMsg) {
				t.Errorf("got %s\nwant %s: …%s…", d, tt.errAt, tt.errMsg)
			}
		})
	}
}
