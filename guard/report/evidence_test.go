package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/provenance"
)

// The text report summarises the provenance evidence: verified (with the
// publishers), published without, unverifiable; publisher names from
// attestations are made terminal-safe.
func TestTextEvidenceSummary(t *testing.T) {
	r := sampleReport()
	r.Packages = nil
	add := func(n int, st provenance.Status, repo string) {
		for i := 0; i < n; i++ {
			pr := &guard.ProvenanceReport{Status: st}
			if repo != "" {
				pr.Publisher = &provenance.Publisher{Repository: repo}
			}
			r.Packages = append(r.Packages, guard.PackageResult{Lockfile: "app/package-lock.json",
				Package: lockfile.Package{Name: fmt.Sprintf("p%d-%s", len(r.Packages), st), Version: "1.0.0"}, Provenance: pr})
		}
	}
	add(200, provenance.StatusVerified, "https://github.com/a/a")
	add(7, provenance.StatusVerified, "https://github.com/b/b")
	add(3, provenance.StatusVerified, "https://github.com/c/c\x1b[31m")
	add(1, provenance.StatusVerified, "https://github.com/d/d")
	add(1, provenance.StatusVerified, "https://github.com/e/e")
	add(1136, provenance.StatusMissing, "")
	add(2, provenance.StatusUnverifiable, "")
	var b bytes.Buffer
	if err := writeFormat(&b, "text", r, Options{}); err != nil {
		t.Fatal(err)
	}
	want := "  provenance: 212 verified (publishers: github.com/a/a, github.com/b/b, github.com/c/c\\x1b[31m and 2 more), 1,136 published without provenance, 2 unverifiable\n"
	if !strings.Contains(b.String(), "\nevidence:\n"+want) {
		t.Errorf("no evidence summary %q in:\n%s", want, b.String())
	}
	if strings.Contains(b.String(), "\x1b") {
		t.Error("an escape sequence from a publisher reached the report")
	}
	var q bytes.Buffer
	writeFormat(&q, "text", r, Options{Quiet: true})
	if strings.Contains(q.String(), "evidence:") {
		t.Errorf("quiet report has the summary:\n%s", q.String())
	}
}

// Offline, the summary says what was not checked and why.
func TestTextEvidenceNotChecked(t *testing.T) {
	r := sampleReport()
	r.Items = append(r.Items,
		guard.ItemResult{Item: guard.Item{ID: "Z3.3", Rule: "provenance"}, Status: "not checked", Note: "skipped (offline)"},
		guard.ItemResult{Item: guard.Item{ID: "Z3.3", Rule: "publisher"}, Status: "not checked", Note: "skipped (offline)"},
		guard.ItemResult{Item: guard.Item{ID: "C2.1", Rule: "deprecated"}, Status: "not checked", Note: "skipped (offline)"})
	var b bytes.Buffer
	if err := writeFormat(&b, "text", r, Options{}); err != nil {
		t.Fatal(err)
	}
	if want := "\nevidence:\n  not checked: provenance, publisher, deprecated: skipped (offline)\n"; !strings.Contains(b.String(), want) {
		t.Errorf("want %q in:\n%s", want, b.String())
	}
	if strings.Contains(b.String(), "provenance: 0 verified") {
		t.Error("a provenance count without gathered provenance")
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1136: "1,136", 1234567: "1,234,567", -1000: "-1,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
