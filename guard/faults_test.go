package guard

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/verify/provenance"
)

// A run that could not look at everything never reads as allow or pass:
// the verdict is "error" (exit 2 or 3) and every item whose evidence was
// not gathered reads "error" (issue 12, item 1).
func TestErrorVerdictNeverAllow(t *testing.T) {
	truncated := t.TempDir()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "projects", "npm-pinned", "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, truncated, "package-lock.json", string(data[:len(data)/2]))
	pinned := filepath.Join("..", "testdata", "projects", "npm-pinned")
	malware := filepath.Join("..", "testdata", "projects", "npm-malware")
	down := &memSource{err: errors.New("OSV API: dial tcp 127.0.0.1:9: connection refused")}

	tests := []struct {
		name    string
		paths   []string
		src     *memSource
		code    int
		errored []string // items that must read "error"
	}{
		{"truncated lockfile", []string{truncated}, &memSource{}, ExitInvalid, []string{RulePinning, RuleVulnerability, RuleMalware}},
		{"truncated lockfile beside a good one", []string{truncated, pinned}, &memSource{}, ExitInvalid, []string{RulePinning, RuleVulnerability, RuleMalware}},
		{"advisory source down", []string{pinned}, down, ExitIncomplete, []string{RuleVulnerability, RuleMalware, RuleUnmaintained, RuleUnsound, RuleNotice}},
		{"advisory source down, malware in the lockfile", []string{malware}, down, ExitIncomplete, []string{RuleVulnerability, RuleMalware}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Check(context.Background(), Options{Paths: tt.paths, Level: 2, Mode: Block, Advisories: tt.src, NoProvenanceReason: "offline"})
			if err != nil {
				t.Fatal(err)
			}
			if r.Verdict != VerdictError || r.ExitCode() != tt.code {
				t.Fatalf("verdict %s exit %d, want error exit %d (errors %v)", r.Verdict, r.ExitCode(), tt.code, r.Errors)
			}
			for _, it := range r.Items {
				if slices.Contains(tt.errored, it.Rule) && (it.Status != StatusError || it.Note == "") {
					t.Errorf("item %s %s: status %q note %q, want error with a note", it.ID, it.Rule, it.Status, it.Note)
				}
				if it.Status == StatusPass && tt.code == ExitInvalid {
					// An unreadable lockfile leaves every item incomplete;
					// a failed advisory query only the advisory items.
					t.Errorf("item %s %s reads pass though a lockfile could not be read", it.ID, it.Rule)
				}
				if !slices.Contains(ItemStatuses, it.Status) {
					t.Errorf("item %s: status %q is not one of %v", it.Rule, it.Status, ItemStatuses)
				}
			}
		})
	}
}

// on-error = "warn" (set by an org policy) lets a failed check pass with a
// warning, but the items it left ungathered still read "error".
func TestOnErrorWarnItemsStillError(t *testing.T) {
	dir := t.TempDir()
	org := filepath.Join(dir, "org.toml")
	writeFile(t, dir, "org.toml", "on-error = \"warn\"\n")
	pol, diags, err := policy.Load(context.Background(), policy.Sources{Org: org, NoDiscovery: true})
	if err != nil {
		t.Fatal(err, diags)
	}
	r, err := Check(context.Background(), Options{Paths: []string{filepath.Join("..", "testdata", "projects", "npm-pinned")},
		Policy: pol, Advisories: &memSource{err: errors.New("OSV API: HTTP 503")}, NoProvenanceReason: "offline"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != VerdictWarn || r.ExitCode() != ExitAllow || r.Errors[0].Action != Warn {
		t.Fatalf("verdict %s exit %d errors %+v, want warn exit 0", r.Verdict, r.ExitCode(), r.Errors)
	}
	for _, it := range r.Items {
		if (it.Rule == RuleVulnerability || it.Rule == RuleMalware) && it.Status != StatusError {
			t.Errorf("item %s: %q, want error", it.Rule, it.Status)
		}
	}
}

// A rule the policy turns off reads "off", not "pass".
func TestRuleTurnedOffReadsOff(t *testing.T) {
	dir := t.TempDir()
	pol := projectPolicy(t, dir, "[pinning]\naction = \"off\"\n")
	r, err := Check(context.Background(), Options{Paths: []string{filepath.Join("..", "testdata", "projects", "npm-pinned")},
		Policy: pol, Advisories: &memSource{}, NoProvenanceReason: "offline"})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range r.Items {
		if it.Rule == RulePinning && it.Status != StatusOff {
			t.Errorf("pinning turned off reads %q", it.Status)
		}
		if it.Rule == RuleMalware && it.Status != StatusPass {
			t.Errorf("malware: %q, want pass", it.Status)
		}
	}
	if r.Verdict != Allow || !strings.Contains(string(r.Verdict), "allow") {
		t.Errorf("verdict %s", r.Verdict)
	}
}

// Provenance that could not be verified (the registry did not answer) leaves
// provenance-invalid "not checked": "pass" would claim no attestation fails.
func TestUnverifiableProvenanceIsNotAPass(t *testing.T) {
	dir := provenanceLockfile(t)
	prov := fakeProvenance{"good@1.0.0": {Status: provenance.StatusUnverifiable, Reason: "GET attestations: 503 Service Unavailable"}}
	r, err := Check(context.Background(), Options{Paths: []string{dir}, Level: 2, Mode: Block, Advisories: &memSource{}, Provenance: prov})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range r.Items {
		if it.Rule == RuleProvenanceInvalid && (it.Status != StatusNotChecked || !strings.Contains(it.Note, "1 of 6 packages") || !strings.Contains(it.Note, "503")) {
			t.Errorf("provenance-invalid: %q %q", it.Status, it.Note)
		}
	}
	// Every package answered: a pass.
	r, _ = Check(context.Background(), Options{Paths: []string{dir}, Level: 2, Mode: Block, Advisories: &memSource{}, Provenance: fakeProvenance{}})
	for _, it := range r.Items {
		if it.Rule == RuleProvenanceInvalid && it.Status != StatusPass {
			t.Errorf("all answered: provenance-invalid %q %q", it.Status, it.Note)
		}
	}
}
