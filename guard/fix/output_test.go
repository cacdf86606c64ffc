package fix

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/report"
	"github.com/installguard/guard/lockfile"
)

// TestOutcomeJSONReport: guard fix's JSON keeps its fields and bytes, and
// its report is the JSON report format's, findings in the one order.
func TestOutcomeJSONReport(t *testing.T) {
	r := &guard.Report{SchemaVersion: guard.ReportSchemaVersion, Verdict: guard.VerdictBlock, Level: 2, Mode: guard.Block,
		Lockfiles: []guard.LockfileSummary{{Path: "package-lock.json", Format: lockfile.FormatPackageLock, Ecosystem: lockfile.NPM, Packages: 2}},
		Packages:  []guard.PackageResult{}, Items: []guard.ItemResult{}, Errors: []guard.Error{},
		Findings: []guard.Finding{
			{Rule: guard.RuleVulnerability, ID: "GHSA-w", Aliases: []string{}, Name: "a", Version: "1.0.0", Lockfile: "package-lock.json", Action: guard.Warn, Message: "<warn>"},
			{Rule: guard.RuleVulnerability, ID: "GHSA-b", Aliases: []string{}, Name: "b", Version: "1.0.0", Lockfile: "package-lock.json", Action: guard.Block, Message: "block & co"},
		}}
	o := &Outcome{DryRun: true, Plan: &Plan{Items: []Item{{Name: "b", Version: "1.0.0", To: "1.0.1", Action: Upgrade, Method: MethodDirect}}},
		Report: r, Error: "partly"}
	var got bytes.Buffer
	if err := WriteJSON(&got, o); err != nil {
		t.Fatal(err)
	}
	type plain Outcome
	sorted := *r
	sorted.Findings = report.Ordered(r)
	p := plain(*o)
	p.Report = &sorted
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&p); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("outcome JSON\n%s\nwant\n%s", got.Bytes(), want.Bytes())
	}
	if sorted.Findings[0].Action != guard.Block {
		t.Fatal("the report's findings are not in the one order")
	}
	var none bytes.Buffer
	if err := WriteJSON(&none, Outcome{Error: "x"}); err != nil || none.String() != "{\n  \"dryRun\": false,\n  \"error\": \"x\"\n}\n" {
		t.Fatalf("outcome without a report: %q %v", none.String(), err)
	}
}
