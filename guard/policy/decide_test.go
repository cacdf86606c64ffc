package policy

import (
	"fmt"
	"strings"
	"testing"
)

// guardItems are the rule table's item levels (rules.go) of the rules that
// existed when these tests were written.
var guardItems = map[string]int{RulePinning: 1, RuleVulnerability: 2, RuleMalware: 0,
	RuleUnmaintained: 2, RuleUnsound: 2, RuleNotice: 2}

// TestDefaultsEqualFlags: with no file the policy decides as guard's flags
// do today, in both modes and at every level.
func TestDefaultsEqualFlags(t *testing.T) {
	for _, mode := range []string{"", "block", "warn"} {
		for level := 0; level <= 3; level++ {
			p, diags := layered(t, "-", "-", Flags{Level: intp(level), Mode: mode})
			if len(diags) > 0 {
				t.Fatalf("diags %v", diags)
			}
			want := Block
			if mode == "warn" {
				want = Warn
			}
			for r, itemLevel := range guardItems {
				if got := p.RuleEnabled(r, itemLevel); got != (itemLevel <= level) {
					t.Errorf("mode %q level %d: %s enabled = %v", mode, level, r, got)
				}
				exp := want
				switch r {
				case RuleMalware:
					exp = Block
				case RuleUnmaintained, RuleUnsound, RuleNotice:
					exp = Warn
				}
				sevs := []string{""}
				if r == RuleVulnerability {
					sevs = severityLabels
				}
				for _, sev := range sevs {
					a, why, exc := p.Action(r, Subject{Name: "a", Version: "1", ID: "X", Severity: sev})
					if a != exp || why == "" || exc != nil {
						t.Errorf("mode %q: %s %s = %s (%s), want %s", mode, r, sev, a, why, exp)
					}
				}
			}
		}
	}
	d := Default()
	if d.Level() != 2 || d.Mode() != Block || d.OnError() != Block || d.MaxDBAge() != 7*day {
		t.Errorf("Default(): level %d mode %s on-error %s max-db-age %s", d.Level(), d.Mode(), d.OnError(), d.MaxDBAge())
	}
	if a, why, _ := d.Action(RuleVulnerability, Subject{Severity: "LOW"}); a != Block || why != `mode = "block" (default): vulnerabilities of any severity take the mode` {
		t.Errorf("default vulnerability: %s %q", a, why)
	}
	if a, why, _ := d.Action(RulePinning, Subject{}); a != Block || why != `mode = "block" (default)` {
		t.Errorf("default pinning: %s %q", a, why)
	}
}

// TestEveryRuleAction: each rule's block, warn and off path through Action,
// with the policy line in why.
func TestEveryRuleAction(t *testing.T) {
	for _, spec := range ruleTable {
		if spec.Name == RuleVulnerability || spec.Name == RuleMalware {
			continue
		}
		for _, a := range []Action{Block, Warn, Off} {
			t.Run(spec.Name+"/"+string(a), func(t *testing.T) {
				src := fmt.Sprintf("level = 3\n[%s]\n%s = %q\n", spec.Table, spec.Key, a)
				p, diags := layered(t, src, "-", Flags{})
				if len(diags) > 0 {
					t.Fatal(diags)
				}
				got, why, _ := p.Action(spec.Name, Subject{Ecosystem: "npm", Name: "a", Version: "1"})
				want := a
				if a == Off {
					want = Ignored
				}
				if got != want || !strings.Contains(why, fmt.Sprintf("[%s] %s = %q (org.toml:3)", spec.Table, spec.Key, a)) {
					t.Errorf("Action = %s, %q; want %s", got, why, want)
				}
				on, status := p.RuleStatus(spec.Name, 3)
				if on != (a != Off) || status == "" {
					t.Errorf("RuleStatus = %v %q", on, status)
				}
			})
		}
	}
	// Malware blocks whatever the mode, level and other tables say.
	p, _ := layered(t, "level = 0\nmode = \"warn\"\n[malware]\naction = \"block\"", "-", Flags{})
	if a, why, _ := p.Action(RuleMalware, Subject{Name: "evil", Version: "1"}); a != Block || !strings.Contains(why, "malware always blocks") {
		t.Errorf("malware: %s %q", a, why)
	}
	if !p.RuleEnabled(RuleMalware, 0) || p.RuleEnabled(RulePinning, 1) {
		t.Error("level 0: malware must be on, pinning off")
	}
	if on, why := p.RuleStatus(RulePinning, 1); on || why != "on from level 1; level = 0 (org.toml:1)" {
		t.Errorf("pinning status %v %q", on, why)
	}
	// A rule the policy does not know follows the mode.
	if a, why, _ := p.Action("future-rule", Subject{}); a != Warn || !strings.Contains(why, "no policy table") {
		t.Errorf("unknown rule: %s %q", a, why)
	}
}

func TestVulnerabilityThresholds(t *testing.T) {
	type row map[string]Action // severity → action
	tests := []struct {
		name, src string
		want      row
		wantWhy   map[string]string
		enabled   bool
	}{
		{"block high, warn the rest", "[vulnerabilities]\nblock-severity = \"high\"\n",
			row{"CRITICAL": Block, "HIGH": Block, "MEDIUM": Warn, "LOW": Warn, "NONE": Warn, "UNKNOWN": Warn},
			map[string]string{
				"HIGH": `HIGH meets [vulnerabilities] block-severity = "high" (org.toml:2)`,
				"LOW":  `LOW is below [vulnerabilities] block-severity = "high" (org.toml:2) and meets warn-severity = "any" (default)`,
			}, true},
		{"block critical, warn medium+, ignore the rest", "[vulnerabilities]\nblock-severity = \"critical\"\nwarn-severity = \"medium\"\n",
			row{"CRITICAL": Block, "HIGH": Warn, "MEDIUM": Warn, "LOW": Ignored, "NONE": Ignored, "UNKNOWN": Ignored},
			map[string]string{"LOW": `LOW is below [vulnerabilities] warn-severity = "medium" (org.toml:3)`}, true},
		{"unrated blocks", "[vulnerabilities]\nblock-severity = \"high\"\nunrated = \"block\"\n",
			row{"HIGH": Block, "MEDIUM": Warn, "UNKNOWN": Block, "": Block, "NONE": Warn},
			map[string]string{"UNKNOWN": `[vulnerabilities] unrated = "block" (org.toml:3): the vulnerability has no severity rating`}, true},
		{"mode warn, warn-severity", "mode = \"warn\"\n[vulnerabilities]\nwarn-severity = \"high\"\n",
			row{"CRITICAL": Warn, "HIGH": Warn, "MEDIUM": Ignored, "UNKNOWN": Ignored},
			map[string]string{"HIGH": `mode = "warn" (org.toml:1); HIGH meets [vulnerabilities] warn-severity = "high" (org.toml:3)`}, true},
		{"off", "[vulnerabilities]\nblock-severity = \"never\"\nwarn-severity = \"never\"\n",
			row{"CRITICAL": Ignored, "UNKNOWN": Ignored}, nil, false},
		{"labels in any case", "[vulnerabilities]\nblock-severity = \"HIGH\"\n",
			row{"high": Block, "Moderate": Warn}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, diags := layered(t, tt.src, "-", Flags{})
			if len(diags) > 0 {
				t.Fatal(diags)
			}
			for sev, want := range tt.want {
				d := p.Decide(Subject{Rule: RuleVulnerability, Severity: sev, ID: "GHSA-x"})
				if d.Action != want {
					t.Errorf("%q: %s (%s), want %s", sev, d.Action, d.Why, want)
				}
				if w, ok := tt.wantWhy[sev]; ok && d.Why != w {
					t.Errorf("%q why:\n got %q\nwant %q", sev, d.Why, w)
				}
				if d.Action != Ignored && d.Change == "" {
					t.Errorf("%q: no Change hint", sev)
				}
			}
			if got := p.RuleEnabled(RuleVulnerability, 2); got != tt.enabled {
				t.Errorf("enabled = %v", got)
			}
		})
	}
	p, _ := layered(t, "[vulnerabilities]\nunreachable = \"warn\"", "-", Flags{})
	if d := p.Decide(Subject{Rule: RuleVulnerability, Severity: "CRITICAL", Unreachable: true}); d.Action != Warn || !strings.Contains(d.Why, "unreachable = \"warn\" (org.toml:2)") {
		t.Errorf("unreachable: %+v", d)
	}
	if d := p.Decide(Subject{Rule: RuleVulnerability, Severity: "CRITICAL"}); d.Action != Block {
		t.Errorf("reachable: %+v", d)
	}
}

// TestExceptionMatching: id and alias, globs, exact versions, rules,
// malware's exact-only rule, and the usage tracker.
func TestExceptionMatching(t *testing.T) {
	org := `[[exception]]
id = "CVE-2021-23337"
reason = "alias"
expires = 2026-06-30

[[exception]]
rule = "pinning"
package = "npm:@corp/*"
reason = "internal packages come from git"
expires = 2026-06-30

[[exception]]
rule = "install-scripts"
package = "pypi:My_Native.Lib"
version = "2.0.0"
reason = "reviewed build script"
expires = 2026-06-30

[[exception]]
package = "left-pad"
reason = "a broad exception never covers malware"
expires = 2026-06-30

[[exception]]
rule = "malware"
package = "npm:flagged"
version = "1.0.1"
reason = "false positive, confirmed with the OSV maintainers"
expires = 2026-06-30

[[exception]]
id = "GHSA-never-seen"
reason = "unused"
expires = 2026-06-30
`
	p, diags := layered(t, org, "-", Flags{})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	tests := []struct {
		name string
		s    Subject
		want Action
		line int // the exception's line, when one applies
	}{
		{"alias id", Subject{Rule: RuleVulnerability, Ecosystem: "npm", Name: "lodash", Version: "4.17.15", ID: "GHSA-35jh-r3h4-6jhm", Aliases: []string{"CVE-2021-23337"}}, Ignored, 1},
		{"main id, any case", Subject{Rule: RuleUnsound, ID: "cve-2021-23337"}, Ignored, 1},
		{"other id", Subject{Rule: RuleVulnerability, ID: "GHSA-other", Aliases: []string{"CVE-2020-1"}}, Block, 0},
		{"scope glob", Subject{Rule: RulePinning, Ecosystem: "npm", Name: "@corp/ui", Version: "1.0.0", ID: "vcs-source"}, Ignored, 6},
		{"scope glob, other rule", Subject{Rule: RuleYanked, Ecosystem: "npm", Name: "@corp/ui"}, Block, 0},
		{"scope glob, other ecosystem", Subject{Rule: RulePinning, Ecosystem: "PyPI", Name: "@corp/ui"}, Block, 0},
		{"scope glob, other scope", Subject{Rule: RulePinning, Ecosystem: "npm", Name: "@corpx/ui"}, Block, 0},
		{"normalised PyPI name, exact version", Subject{Rule: RuleInstallScripts, Ecosystem: "PyPI", Name: "my-native-lib", Version: "2.0.0"}, Ignored, 12},
		{"other version", Subject{Rule: RuleInstallScripts, Ecosystem: "PyPI", Name: "my-native-lib", Version: "2.0.1"}, Block, 0},
		{"broad exception, other rule", Subject{Rule: RuleDeprecated, Ecosystem: "npm", Name: "left-pad", Version: "1.0.0"}, Ignored, 19},
		{"broad exception never covers malware", Subject{Rule: RuleMalware, Ecosystem: "npm", Name: "left-pad", Version: "1.0.0", ID: "MAL-1"}, Block, 0},
		{"malware exception, exact", Subject{Rule: RuleMalware, Ecosystem: "npm", Name: "flagged", Version: "1.0.1", ID: "MAL-2"}, Ignored, 24},
		{"malware exception, other version", Subject{Rule: RuleMalware, Ecosystem: "npm", Name: "flagged", Version: "1.0.2", ID: "MAL-2"}, Block, 0},
		{"malware exception, other ecosystem", Subject{Rule: RuleMalware, Ecosystem: "PyPI", Name: "flagged", Version: "1.0.1", ID: "MAL-2"}, Block, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := p.Peek(tt.s)
			if d.Action != tt.want {
				t.Fatalf("%s (%s), want %s", d.Action, d.Why, tt.want)
			}
			if tt.line == 0 {
				if d.Exception != nil {
					t.Errorf("exception %+v", d.Exception)
				}
				return
			}
			if d.Exception == nil || d.Exception.From.Line != tt.line || !strings.HasPrefix(d.Why, fmt.Sprintf("exception at org.toml:%d until 2026-06-30: ", tt.line)) {
				t.Errorf("why %q, exception %+v", d.Why, d.Exception)
			}
			if d.Change == "" {
				t.Error("no Change")
			}
		})
	}
	// Peek marks nothing; Decide/Action mark what they use.
	if n := len(p.Unused()); n != 6 {
		t.Fatalf("after Peek: %d unused, want 6", n)
	}
	for _, tt := range tests {
		p.Action(tt.s.Rule, tt.s)
	}
	unused := p.UnusedDiagnostics()
	if len(unused) != 1 || unused[0].Level != LevelWarning || unused[0].Line != 31 ||
		!strings.Contains(unused[0].Message, "exception (id GHSA-never-seen) matched no finding in this run") {
		t.Errorf("unused: %v", unused)
	}
	// An exception is not consulted (nor used) when the rule ignores the finding anyway.
	q, _ := layered(t, "[yanked]\naction = \"off\"\n[[exception]]\npackage = \"a\"\nreason = \"r\"\nexpires = 2026-06-30\n", "-", Flags{})
	if d := q.Decide(Subject{Rule: RuleYanked, Name: "a"}); d.Action != Ignored || d.Exception != nil {
		t.Errorf("off rule: %+v", d)
	}
	if len(q.Unused()) != 1 {
		t.Error("exception marked used for an ignored finding")
	}
}

func TestChangeHint(t *testing.T) {
	p, _ := layered(t, "[pinning]\naction = \"block\"", "-", Flags{})
	d := p.Decide(Subject{Rule: RulePinning, Ecosystem: "npm", Name: "a", Version: "1.0.0", ID: "missing-hash"})
	for _, want := range []string{`rule = "pinning", package = "a", version = "1.0.0"`, "does not allow project exceptions", "the org policy's (org.toml:2)"} {
		if !strings.Contains(d.Change, want) {
			t.Errorf("Change %q lacks %q", d.Change, want)
		}
	}
	d = p.Decide(Subject{Rule: RuleMalware, Name: "evil", Version: "6.6.6"})
	if !strings.Contains(d.Change, `rule = "malware", package = "evil", version = "6.6.6"`) {
		t.Errorf("malware Change %q", d.Change)
	}
}
