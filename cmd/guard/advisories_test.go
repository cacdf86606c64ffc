package main

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/installguard/guard/verify/advisory/osvtest"
)

type jsonFinding struct {
	Rule, ID, Name, Version, Action, Severity, Summary, Message string
	Aliases, Fixed, Chain                                       []string
	Score                                                       float64
}

func findingsOf(t *testing.T, r result) []jsonFinding {
	t.Helper()
	var rep struct {
		Findings []jsonFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("invalid JSON (exit %d): %v\n%s\n%s", r.code, err, r.stdout, r.stderr)
	}
	return rep.Findings
}

func TestVulnerabilityFinding(t *testing.T) {
	r := runGuard(t, nil, false, "check", "--format", "json", project("npm-vulnerable"))
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stdout)
	}
	fs := findingsOf(t, r)
	if len(fs) != 1 {
		t.Fatalf("findings %+v, want one (two records aliasing one CVE merge)", fs)
	}
	f := fs[0]
	if f.Rule != "vulnerability" || f.Name != "lodash" || f.Version != "4.17.15" || f.Action != "block" {
		t.Errorf("finding %+v", f)
	}
	ids := append([]string{f.ID}, f.Aliases...)
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"CVE-2099-0001", "GHSA-gd01-lodash-test", "NSWG-ECO-9001"}) {
		t.Errorf("ids %v", ids)
	}
	if f.Severity != "CRITICAL" || f.Score != 9.8 || !slices.Equal(f.Fixed, []string{"4.17.19"}) || f.Summary == "" {
		t.Errorf("severity %s %.1f fixed %v summary %q", f.Severity, f.Score, f.Fixed, f.Summary)
	}
	// --mode warn turns the vulnerability into a warning
	if w := runGuard(t, nil, false, "check", "--mode", "warn", project("npm-vulnerable")); w.code != 0 || !strings.Contains(w.stdout, "fixed in 4.17.19") {
		t.Errorf("--mode warn: exit %d\n%s", w.code, w.stdout)
	}
	// level 1: vulnerabilities are off
	if l := runGuard(t, nil, false, "check", "--level", "1", project("npm-vulnerable")); l.code != 0 {
		t.Errorf("--level 1: exit %d\n%s", l.code, l.stdout)
	}
}

func TestMalwareAlwaysBlocks(t *testing.T) {
	for _, args := range [][]string{
		{"check", "--format", "json", project("npm-malware")},
		{"check", "--format", "json", "--mode", "warn", project("npm-malware")},
		{"check", "--format", "json", "--level", "0", project("npm-malware")},
	} {
		r := runGuard(t, nil, false, args...)
		fs := findingsOf(t, r)
		if r.code != 1 || len(fs) != 1 || fs[0].Rule != "malware" || fs[0].Name != "friendly-helper" || fs[0].Action != "block" {
			t.Errorf("%v: exit %d findings %+v", args, r.code, fs)
		}
	}
}

func TestWithdrawnRecordIgnored(t *testing.T) {
	// testdata/osv/npm holds a withdrawn record against every is-number version
	r := runGuard(t, nil, false, "check", "--format", "json", project("npm-pinned"))
	if r.code != 0 || len(findingsOf(t, r)) != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
}

func TestAdvisorySourceErrorsAreExit3(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-db")
	tests := []struct {
		name    string
		environ map[string]string
		args    []string
		want    string
	}{
		{"missing DB", nil, []string{"--db", missing}, "run 'guard db update"},
		{"missing DB via GUARD_DB", map[string]string{"GUARD_DB": missing}, nil, "no-db"},
		{"stale DB", nil, []string{"--max-db-age", "1ns"}, "max-db-age"},
		{"OSV API unreachable", map[string]string{"GUARD_DB": "", "GUARD_OSV_URL": "http://127.0.0.1:1"}, nil, "OSV API"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"check"}, tt.args...)
			args = append(args, project("npm-pinned"))
			r := runGuard(t, tt.environ, false, args...)
			if r.code != 3 || !strings.Contains(r.stdout, tt.want) {
				t.Fatalf("exit %d, want 3 and %q\n%s%s", r.code, tt.want, r.stdout, r.stderr)
			}
		})
	}
	if r := runGuard(t, nil, false, "check", "--max-db-age", "soon", project("npm-pinned")); r.code != 2 {
		t.Errorf("bad --max-db-age: exit %d", r.code)
	}
}

func TestOnlineMatchesOffline(t *testing.T) {
	srv, err := osvtest.NewFromZips(
		filepath.Join(testDBDir, "npm", "all.zip"),
		filepath.Join(testDBDir, "PyPI", "all.zip"),
		filepath.Join(testDBDir, "crates.io", "all.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	online := map[string]string{"GUARD_DB": "", "GUARD_OSV_URL": srv.URL}
	projects := []string{project("npm-vulnerable"), project("npm-malware"), project("py-unpinned"), project("cargo-app"), project("npm-pinned")}
	off := runGuard(t, nil, false, append([]string{"check", "--format", "json"}, projects...)...)
	on := runGuard(t, online, false, append([]string{"check", "--format", "json"}, projects...)...)
	if off.code != on.code || off.stdout != on.stdout {
		t.Fatalf("online and offline reports differ: exit %d vs %d\n--- offline\n%s\n--- online\n%s", off.code, on.code, off.stdout, on.stdout)
	}
	if srv.Stats().BatchRequests == 0 {
		t.Fatal("the OSV API was not asked")
	}

	// a server that keeps failing: the check cannot complete
	srv.Inject(osvtest.ServerError, 100, osvtest.PathQueryBatch)
	r := runGuard(t, online, false, "check", project("npm-vulnerable"))
	if r.code != 3 || !strings.Contains(r.stdout, "500") {
		t.Fatalf("persistent 500: exit %d\n%s", r.code, r.stdout)
	}
	srv.ClearFaults()
	srv.Inject(osvtest.InvalidJSON, 100, osvtest.PathQueryBatch)
	if r := runGuard(t, online, false, "check", project("npm-vulnerable")); r.code != 3 {
		t.Fatalf("invalid JSON: exit %d\n%s", r.code, r.stdout)
	}
}
