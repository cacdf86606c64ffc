package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/lockfile"
)

// shown is what every format says about one run: the verdict, the exit
// code and the findings in the order the format lists them.
type shown struct {
	verdict  guard.Verdict
	exit     int
	findings []shownFinding
}

// shownFinding is what every format shows of a finding.
type shownFinding struct {
	place, action, rule, subject string
}

// agreementReports are the runs every format is fed: allow, block, warn,
// error and empty. Findings are given out of order on purpose.
func agreementReports() map[string]*guard.Report {
	app, web := "app/package-lock.json", "web/yarn.lock"
	lockfiles := []guard.LockfileSummary{
		{Path: web, Format: lockfile.FormatYarn, Ecosystem: lockfile.NPM, Packages: 3},
		{Path: app, Format: lockfile.FormatPackageLock, FormatVersion: "3", Ecosystem: lockfile.NPM, Packages: 4},
	}
	f := func(lf, rule, id, name, version string, a guard.Action) guard.Finding {
		return guard.Finding{Rule: rule, Item: "C2.1", ID: id, Aliases: []string{}, Ecosystem: lockfile.NPM, Name: name,
			Version: version, Lockfile: lf, Line: 3, Action: a, Message: "says " + id, Why: "the default"}
	}
	base := func(v guard.Verdict, fs []guard.Finding, errs []guard.Error) *guard.Report {
		return &guard.Report{SchemaVersion: guard.ReportSchemaVersion, Verdict: v, Level: 2, Mode: guard.Block,
			Lockfiles: lockfiles, Packages: []guard.PackageResult{}, Findings: fs, Items: items(2), Errors: errs}
	}
	return map[string]*guard.Report{
		"allow": base(guard.Allow, []guard.Finding{
			f(app, guard.RuleVulnerability, "GHSA-ign", "a", "1.0.0", guard.Ignored),
		}, []guard.Error{}),
		"block": base(guard.VerdictBlock, []guard.Finding{
			f(app, guard.RuleVulnerability, "GHSA-2", "lodash", "4.17.15", guard.Warn),
			f(web, guard.RuleMalware, "MAL-1", "evil", "0.0.1", guard.Block),
			f(app, guard.RuleVulnerability, "GHSA-1", "lodash", "4.17.15", guard.Block),
			f(app, guard.RulePinning, guard.PinMissingHash, "lodash", "4.17.15", guard.Block),
			f("svc", guard.RulePinning, guard.PinNoLockfile, "", "", guard.Block),
			f(web, guard.RuleVulnerability, "GHSA-3", "ms", "2.0.0", guard.Ignored),
			f(app, guard.RuleVulnerability, "GHSA-4", "debug", "2.6.8", guard.Warn),
			f("lib", guard.RulePinning, guard.PinNoLockfile, "", "", guard.Warn),
		}, []guard.Error{}),
		"warn": base(guard.VerdictWarn, []guard.Finding{
			f(web, guard.RuleVulnerability, "GHSA-5", "ms", "2.0.0", guard.Ignored),
			f(app, guard.RuleVulnerability, "GHSA-6", "qs", "6.0.0", guard.Warn),
			f(web, guard.RuleVulnerability, "GHSA-7", "ms", "2.0.0", guard.Warn),
		}, []guard.Error{}),
		"error": base(guard.VerdictError, []guard.Finding{
			f(app, guard.RuleVulnerability, "GHSA-8", "qs", "6.0.0", guard.Warn),
			f(app, guard.RuleVulnerability, "GHSA-9", "qs", "6.0.0", guard.Block),
		}, []guard.Error{{Kind: guard.CheckError, Path: app, Message: "the advisory source could not answer", Action: guard.Block}}),
		"empty": {SchemaVersion: guard.ReportSchemaVersion, Verdict: guard.Allow, Level: 2, Mode: guard.Block},
	}
}

// TestFormatsAgree runs every registered format over the same reports and
// checks that they tell the same verdict and exit code, list the same
// findings with the same actions, and in the same order: the flat formats
// (JSON, SARIF) in the one order, the grouped ones (text, Markdown) each
// place's findings in that order, places in the same order everywhere.
func TestFormatsAgree(t *testing.T) {
	readers := map[string]func(*testing.T, []byte) shown{
		"text": readText, "json": readJSON, "sarif": readSARIF, "markdown": readMarkdown,
	}
	for _, format := range Formats() {
		if readers[format] == nil {
			t.Fatalf("format %s is registered but this test cannot read it: add a reader", format)
		}
	}
	for name, r := range agreementReports() {
		v := newView(r)
		h := Summarize(r)
		var flat []shownFinding
		for _, f := range v.findings {
			flat = append(flat, shownFinding{f.Lockfile, string(f.Action), f.Rule, subject(f)})
		}
		var grouped []shownFinding
		for _, p := range v.places {
			for _, f := range p.findings {
				grouped = append(grouped, shownFinding{f.Lockfile, string(f.Action), f.Rule, subject(f)})
			}
		}
		if name == "block" && slices.Equal(flat, grouped) {
			t.Fatal("the block report does not tell the flat order from the grouped one")
		}
		for _, format := range Formats() {
			t.Run(name+"/"+format, func(t *testing.T) {
				var b bytes.Buffer
				if err := writeFormat(&b, format, r, Options{MaxFindings: -1}); err != nil {
					t.Fatal(err)
				}
				got := readers[format](t, b.Bytes())
				if got.verdict != h.Verdict || got.exit != h.Exit {
					t.Errorf("verdict %s exit %d, want %s exit %d", got.verdict, got.exit, h.Verdict, h.Exit)
				}
				want := flat
				if format == "text" || format == "markdown" {
					want = grouped
				}
				if !slices.Equal(got.findings, want) {
					t.Errorf("findings\n got %v\nwant %v", got.findings, want)
				}
				for _, a := range []guard.Action{guard.Block, guard.Warn, guard.Ignored} {
					n := 0
					for _, f := range got.findings {
						if f.action == string(a) {
							n++
						}
					}
					if n != countActionsN(r, a) {
						t.Errorf("%d %s findings, want %d", n, a, countActionsN(r, a))
					}
				}
			})
		}
	}
}

// readVerdict reads the verdict and exit code from the line re matches:
// the Headline label, then the exit code.
func readVerdict(t *testing.T, re *regexp.Regexp, out []byte) shown {
	m := re.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no verdict line:\n%s", out)
	}
	exit, _ := strconv.Atoi(string(m[2]))
	return shown{verdict: verdictOfLabel(t, string(m[1])), exit: exit}
}

// verdictOfLabel reads a Headline label back.
func verdictOfLabel(t *testing.T, label string) guard.Verdict {
	switch label {
	case "ALLOW":
		return guard.Allow
	case "ALLOW with warnings":
		return guard.VerdictWarn
	case "BLOCK":
		return guard.VerdictBlock
	case "ERROR":
		return guard.VerdictError
	}
	t.Fatalf("unknown verdict label %q", label)
	return ""
}

var (
	textVerdict    = regexp.MustCompile(`(?m)^verdict: (ALLOW with warnings|ALLOW|BLOCK|ERROR)\b.*\(?exit (\d)\)$`)
	textFinding    = regexp.MustCompile(`^  (BLOCK|WARN|IGNORED) +(\S+?)(:)? (.*)$`)
	mdVerdictLine  = regexp.MustCompile(`(?m)^\*\*Verdict: ([A-Za-z ]+)\*\*.*\(exit (\d)\)$`)
	mdFindingTitle = regexp.MustCompile(`^### Findings: (.*)$`)
)

func readText(t *testing.T, out []byte) shown {
	s := readVerdict(t, textVerdict, out)
	place := ""
	lines := strings.Split(string(out), "\n")
	for i, l := range lines {
		if l != "" && !strings.HasPrefix(l, " ") && i > 0 && lines[i-1] == "" {
			place, _, _ = strings.Cut(l, "  ")
			continue
		}
		if m := textFinding.FindStringSubmatch(l); m != nil {
			who := ""
			if m[3] == "" {
				who, _, _ = strings.Cut(m[4], " ")
			}
			s.findings = append(s.findings, shownFinding{place, strings.ToLower(m[1]), m[2], who})
		}
	}
	return s
}

func readMarkdown(t *testing.T, out []byte) shown {
	s := readVerdict(t, mdVerdictLine, out)
	place := ""
	for _, l := range strings.Split(string(out), "\n") {
		if m := mdFindingTitle.FindStringSubmatch(l); m != nil {
			place = m[1]
			continue
		}
		if strings.HasPrefix(l, "### ") {
			place = ""
		}
		cells := strings.Split(l, " | ")
		if place == "" || len(cells) != 7 || cells[0] == "| action" || strings.HasPrefix(cells[0], "| ---") {
			continue
		}
		action := strings.ToLower(strings.Trim(strings.TrimPrefix(cells[0], "| "), "*"))
		s.findings = append(s.findings, shownFinding{place, action, cells[1], cells[2]})
	}
	return s
}

func readJSON(t *testing.T, out []byte) shown {
	var r guard.Report
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatal(err)
	}
	s := shown{verdict: r.Verdict, exit: r.ExitCode()}
	for i := range r.Findings {
		f := &r.Findings[i]
		s.findings = append(s.findings, shownFinding{f.Lockfile, string(f.Action), f.Rule, subject(f)})
	}
	return s
}

func readSARIF(t *testing.T, out []byte) shown {
	run := parseSARIF(t, out).Runs[0]
	var doc struct {
		Runs []struct {
			Properties struct {
				Verdict  guard.Verdict `json:"verdict"`
				ExitCode int           `json:"exitCode"`
			} `json:"properties"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	s := shown{verdict: doc.Runs[0].Properties.Verdict, exit: doc.Runs[0].Properties.ExitCode}
	for _, res := range run.Results {
		who := ""
		if p, _ := res.Properties["package"].(string); p != "" {
			who = p + "@" + fmt.Sprint(res.Properties["version"])
		}
		place := res.Locations[0].PhysicalLocation.ArtifactLocation.URI
		rule, _ := res.Properties["rule"].(string)
		action, _ := res.Properties["action"].(string)
		s.findings = append(s.findings, shownFinding{place, action, rule, who})
	}
	return s
}
