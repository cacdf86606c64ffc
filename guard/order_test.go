package guard

import (
	"fmt"
	"testing"
)

// TestSortFindingsOneOrder: Check leaves Report.Findings in the one order:
// block, warn, ignored; within an action the lockfiles in report order,
// then places that are no lockfile, sorted; then package, rule and id.
func TestSortFindingsOneOrder(t *testing.T) {
	r := &Report{
		Lockfiles: []LockfileSummary{{Path: "z/package-lock.json"}, {Path: "a/Cargo.lock"}},
		Findings: []Finding{
			{Lockfile: "a/Cargo.lock", Action: Warn, Name: "b", Rule: RuleUnmaintained},
			{Lockfile: "folder-b", Action: Block, Name: "x", Rule: RulePinning},
			{Lockfile: "a/Cargo.lock", Action: Block, Name: "a", Rule: RuleVulnerability, ID: "RUSTSEC-2"},
			{Lockfile: "z/package-lock.json", Action: Ignored, Name: "q", Rule: RuleVulnerability},
			{Lockfile: "folder-a", Action: Block, Name: "y", Rule: RulePinning},
			{Lockfile: "a/Cargo.lock", Action: Block, Name: "a", Rule: RuleVulnerability, ID: "RUSTSEC-1"},
			{Lockfile: "z/package-lock.json", Action: Block, Name: "m", Rule: RuleMalware},
			{Lockfile: "z/package-lock.json", Action: Warn, Name: "c", Rule: RuleDeprecated},
		},
	}
	r.sortFindings()
	var got []string
	for _, f := range r.Findings {
		got = append(got, fmt.Sprintf("%s %s %s %s", f.Action, f.Lockfile, f.Name, f.ID))
	}
	want := []string{
		"block z/package-lock.json m ",
		"block a/Cargo.lock a RUSTSEC-1",
		"block a/Cargo.lock a RUSTSEC-2",
		"block folder-a y ",
		"block folder-b x ",
		"warn z/package-lock.json c ",
		"warn a/Cargo.lock b ",
		"ignored z/package-lock.json q ",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("order:\n got %q\nwant %q", got, want)
	}
	if p := r.Places(); fmt.Sprint(p) != "[z/package-lock.json a/Cargo.lock folder-a folder-b]" {
		t.Errorf("Places() = %q", p)
	}
}
