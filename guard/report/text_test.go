package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/lockfile"
)

func sampleReport() *guard.Report {
	r := &guard.Report{Level: 2, Mode: guard.Block,
		Lockfiles: []guard.LockfileSummary{{Path: "app/package-lock.json", Format: lockfile.FormatPackageLock, FormatVersion: "3", Ecosystem: lockfile.NPM, Packages: 2}},
		Packages:  []guard.PackageResult{{Lockfile: "app/package-lock.json", Package: lockfile.Package{Name: "lodash", Version: "4.17.15", Direct: true, Source: lockfile.Source{Kind: lockfile.SourceRegistry}}}},
		Findings: []guard.Finding{
			{Rule: "vulnerability", Item: "C2.1", ID: "GHSA-x", Aliases: []string{}, Name: "lodash", Version: "4.17.15", Lockfile: "app/package-lock.json", Line: 12, Chain: []string{"a@1.0.0"}, Action: guard.Block, Message: "has a known vulnerability", Why: "C2.1 is on"},
			{Rule: "unmaintained", Item: "C2.1", ID: "RUSTSEC-x", Aliases: []string{}, Name: "old", Version: "0.1.0", Lockfile: "app/package-lock.json", Action: guard.Warn, Message: "is unmaintained"},
			{Rule: "pinning", Item: "C1.1", ID: "no-lockfile", Aliases: []string{}, Lockfile: "svc", Action: guard.Block, Message: "svc has package.json but no lockfile"},
		},
		Items:  []guard.ItemResult{{Item: guard.Item{ID: "C1.1", Rule: "pinning", Level: 1, Title: "pinned"}, Status: "block", Findings: 1}},
		Errors: []guard.Error{},
	}
	r.Verdict = guard.VerdictBlock
	return r
}

func TestTextGroupsFindingsAndEndsWithVerdict(t *testing.T) {
	var b bytes.Buffer
	if err := writeFormat(&b, "text", sampleReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"app/package-lock.json  npm · package-lock.json v3 · 2 packages",
		"BLOCK   vulnerability lodash@4.17.15 has a known vulnerability",
		"via a@1.0.0",
		"WARN    unmaintained old@0.1.0",
		"\nsvc\n", // a finding about a folder without a lockfile gets its own group
		"C1.1  pinning",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if !strings.HasSuffix(out, "verdict: BLOCK (2 blocking findings, exit 1)\n") {
		t.Errorf("does not end with the verdict:\n%s", out)
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour without Color")
	}
}

func TestTextQuietAndVerbose(t *testing.T) {
	var q, v bytes.Buffer
	writeFormat(&q, "text", sampleReport(), Options{Quiet: true})
	writeFormat(&v, "text", sampleReport(), Options{Verbose: true})
	if strings.Contains(q.String(), "unmaintained") || strings.Contains(q.String(), "principles") || !strings.Contains(q.String(), "lodash") {
		t.Errorf("quiet:\n%s", q.String())
	}
	for _, want := range []string{"at app/package-lock.json:12", "decided by: C2.1 is on", "lodash@4.17.15 direct, registry"} {
		if !strings.Contains(v.String(), want) {
			t.Errorf("verbose lacks %q:\n%s", want, v.String())
		}
	}
}

func TestTextVerdictForErrors(t *testing.T) {
	r := sampleReport()
	r.Errors = []guard.Error{{Kind: guard.CheckError, Message: "advisories: connection refused"}}
	var b bytes.Buffer
	writeFormat(&b, "text", r, Options{})
	if !strings.Contains(b.String(), "advisories: connection refused") || !strings.Contains(b.String(), "verdict: ERROR: a check could not complete, 2 blocking findings (exit 3)") {
		t.Errorf("%s", b.String())
	}
}

func TestJSONKeepsEmptyListsAsArrays(t *testing.T) {
	r := sampleReport()
	var b bytes.Buffer
	if err := writeFormat(&b, "json", r, Options{}); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m["errors"].([]any); !ok {
		t.Errorf("errors is %T, want an array", m["errors"])
	}
	f := m["findings"].([]any)[0].(map[string]any)
	if _, ok := f["aliases"].([]any); !ok {
		t.Errorf("aliases is %T", f["aliases"])
	}
}
