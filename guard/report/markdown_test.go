package report

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/lockfile"
)

func writeMarkdown(t *testing.T, r *guard.Report, opts Options) string {
	t.Helper()
	var buf bytes.Buffer
	if err := writeFormat(&buf, "markdown", r, opts); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// itemsWith gives the items their status and findings count, by rule.
func itemsWith(level int, status map[string]string, counts map[string]int) []guard.ItemResult {
	out := items(level)
	for i := range out {
		if s, ok := status[out[i].Rule]; ok {
			out[i].Status = s
		}
		out[i].Findings = counts[out[i].Rule]
	}
	return out
}

func markdownCases() map[string]struct {
	r    *guard.Report
	opts Options
} {
	vuln := finding(guard.RuleVulnerability, "GHSA-qwcr-r2fm-qrc7", "package-lock.json", "body-parser", "1.19.0", 120, guard.Block)
	vuln.Severity, vuln.Score, vuln.Fixed = "HIGH", 8.7, []string{"1.20.3"}
	vuln.Message = "has a known vulnerability (HIGH 8.7): GHSA-qwcr-r2fm-qrc7 body-parser vulnerable to denial of service; fixed in 1.20.3"
	mal := finding(guard.RuleMalware, "MAL-2024-1", "package-lock.json", "evil", "6.6.6", 7, guard.Block)
	mal.Message = "is a known malicious package version: MAL-2024-1"
	pin := finding(guard.RulePinning, guard.PinMissingHash, "package-lock.json", "left-pad", "1.3.0", 42, guard.Warn)
	pin.Message = "has no integrity hash"
	unmaint := finding(guard.RuleUnmaintained, "RUSTSEC-2020-0036", "Cargo.lock", "failure", "0.1.8", 40, guard.Warn)
	unmaint.Ecosystem, unmaint.Message = lockfile.CratesIO, "is unmaintained: RUSTSEC-2020-0036 failure is officially deprecated/unmaintained"
	noLock := finding(guard.RulePinning, guard.PinNoLockfile, "services/api", "", "", 0, guard.Block)
	noLock.Ecosystem, noLock.Message = "", "services/api has package.json but no lockfile: the install is not pinned by version and hash"
	basic := &guard.Report{SchemaVersion: 1, Verdict: guard.VerdictBlock, Level: 2, Mode: guard.Block,
		Lockfiles: []guard.LockfileSummary{
			{Path: "package-lock.json", Format: lockfile.FormatPackageLock, FormatVersion: "3", Ecosystem: lockfile.NPM, Packages: 51},
			{Path: "Cargo.lock", Format: lockfile.FormatCargoLock, FormatVersion: "4", Ecosystem: lockfile.CratesIO, Packages: 12},
		},
		Findings: []guard.Finding{noLock, pin, unmaint, mal, vuln},
		Items: itemsWith(2,
			map[string]string{"pinning": "block", "vulnerability": "block", "malware": "block", "unmaintained": "warn"},
			map[string]int{"pinning": 2, "vulnerability": 1, "malware": 1, "unmaintained": 1}),
	}

	allow := &guard.Report{SchemaVersion: 1, Verdict: guard.Allow, Level: 1, Mode: guard.Warn,
		Lockfiles: []guard.LockfileSummary{{Path: "uv.lock", Format: lockfile.FormatUVLock, FormatVersion: "1", Ecosystem: lockfile.PyPI, Packages: 10}},
		Items:     items(1)}

	var capped []guard.Finding
	for _, name := range []string{"two", "one", "three"} {
		f := finding(guard.RulePinning, guard.PinMissingHash, "a/package-lock.json", name, "1.0.0", 3, guard.Warn)
		f.Message = "has no integrity hash"
		capped = append(capped, f)
	}
	lodash := finding(guard.RuleVulnerability, "GHSA-35jh-r3h4-6jhm", "b/package-lock.json", "lodash", "4.17.15", 370, guard.Block)
	lodash.Severity, lodash.Score, lodash.Fixed, lodash.Message = "HIGH", 7.2, []string{"4.17.21"}, "has a known vulnerability"
	cappedReport := &guard.Report{SchemaVersion: 1, Verdict: guard.VerdictBlock, Level: 2, Mode: guard.Block,
		Lockfiles: []guard.LockfileSummary{
			{Path: "a/package-lock.json", Format: lockfile.FormatPackageLock, FormatVersion: "3", Ecosystem: lockfile.NPM, Packages: 5},
			{Path: "b/package-lock.json", Format: lockfile.FormatPackageLock, FormatVersion: "2", Ecosystem: lockfile.NPM, Packages: 2},
		},
		Findings: append(capped, lodash),
		Errors: []guard.Error{
			{Kind: guard.InputError, Path: "broken/package-lock.json", Message: "broken/package-lock.json:6: not JSON"},
			{Kind: guard.CheckError, Message: "OSV API: 503 Service Unavailable"},
			{Kind: guard.CheckError, Message: "third"},
		}}
	return map[string]struct {
		r    *guard.Report
		opts Options
	}{
		"basic":  {basic, Options{}},
		"allow":  {allow, Options{}},
		"capped": {cappedReport, Options{Title: "guard (monorepo)", MaxFindings: 2}},
	}
}

// TestMarkdownGolden compares with testdata/markdown/<case>.md, written by hand.
func TestMarkdownGolden(t *testing.T) {
	for name, c := range markdownCases() {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", "markdown", name+".md"))
			if err != nil {
				t.Fatal(err)
			}
			if got := writeMarkdown(t, c.r, c.opts); got != string(want) {
				t.Errorf("Markdown output differs from testdata/markdown/%s.md\n--- got\n%s\n--- want\n%s", name, got, want)
			}
		})
	}
}

func TestMarkdownDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for name, c := range markdownCases() {
		want := writeMarkdown(t, c.r, c.opts)
		for range 5 {
			r := *c.r
			r.Findings = append([]guard.Finding(nil), c.r.Findings...)
			rng.Shuffle(len(r.Findings), func(i, j int) { r.Findings[i], r.Findings[j] = r.Findings[j], r.Findings[i] })
			if got := writeMarkdown(t, &r, c.opts); got != want {
				t.Fatalf("%s: output depends on the order of findings", name)
			}
		}
	}
}

func TestMDEscape(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"lodash@4.17.15", "lodash@4.17.15"},
		{"@babel/core", `\@babel/core`},
		{"a @user b", `a \@user b`},
		{"a|b", `a\|b`},
		{"`rm -rf /`", "\\`rm -rf /\\`"},
		{"line1\nline2\r\nline3\u2028x", "line1 line2  line3 x"},
		{"[x](https://evil) ![i](u)", `\[x\](https://evil) !\[i\](u)`},
		{"<img src=x onerror=alert(1)>", `\<img src=x onerror=alert(1)\>`},
		{"&lt;b&gt;", `\&lt;b\&gt;`},
		{"*bold* _it_ ~~s~~", `\*bold\* \_it\_ \~\~s\~\~`},
		{`back\slash`, `back\\slash`},
		{"# h $x$", `\# h \$x\$`},
		{"bidi\u202eevil\u2066", `bidi\\u202eevil\\u2066`},
		{"nul\x00bell\x07", `nul\\x00bell\\x07`},
		{"bad\xffutf8", `bad\\xffutf8`},
		{"\x1b]8;;https://evil\x1b\\link", `\\x1b\]8;;https://evil\\x1b\\link`},
		{"1.0.0, 2.0.0 (fixed): ok", "1.0.0, 2.0.0 (fixed): ok"},
	} {
		if got := mdEscape(tt.in); got != tt.want {
			t.Errorf("mdEscape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// unescapedPipes counts the "|" not escaped by a backslash.
func unescapedPipes(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n
}

// TestMarkdownHostile: strings from lockfiles, advisories and errors cannot
// break a table, start a line, or add links, HTML or code.
func TestMarkdownHostile(t *testing.T) {
	evil := "x|y`z`\n# Heading\r\n<script>alert(1)</script> [link](https://evil.example) ![img](https://evil.example/p.png) **b** @admin $x$ \u202eevil"
	long := strings.Repeat("A|", 2000)
	f := finding(guard.RuleVulnerability, "GHSA-1|2", evil, evil, evil, 1, guard.Block)
	f.Message, f.Severity, f.Fixed = evil+long, evil, []string{evil, "2.0.0"}
	g := finding(guard.RuleMalware, "MAL-1", evil, "ok", "1", 1, guard.Block)
	g.Message = evil
	r := &guard.Report{SchemaVersion: 1, Verdict: guard.VerdictBlock, Level: 2, Mode: guard.Action(evil),
		Lockfiles: []guard.LockfileSummary{{Path: evil, Format: lockfile.Format(evil), FormatVersion: evil, Ecosystem: lockfile.Ecosystem(evil), Packages: 1}},
		Findings:  []guard.Finding{f, g},
		Items:     []guard.ItemResult{{Item: guard.Item{ID: evil, Rule: evil, Title: evil}, Status: evil}},
		Errors:    []guard.Error{{Kind: guard.ErrorKind(evil), Path: evil, Message: evil}},
	}
	out := writeMarkdown(t, r, Options{Title: evil})
	columns := 0
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "| "):
			if strings.HasPrefix(line, "| --- ") || strings.HasPrefix(line, "| path ") || strings.HasPrefix(line, "| action ") ||
				strings.HasPrefix(line, "| item ") || strings.HasPrefix(line, "| kind ") {
				columns = unescapedPipes(line)
				continue
			}
			if got := unescapedPipes(line); got != columns {
				t.Errorf("row has %d cell borders, want %d: %q", got, columns, line)
			}
		case line == "", strings.HasPrefix(line, "## "), strings.HasPrefix(line, "### "),
			strings.HasPrefix(line, "**Verdict: "), strings.HasPrefix(line, "Level "), strings.HasPrefix(line, "… "):
		default:
			t.Errorf("unexpected line (a newline got through?): %q", line)
		}
		if strings.Count(line, "#") > 0 && !strings.HasPrefix(line, "#") {
			if regexp.MustCompile(`(^|[^\\])#`).MatchString(line) {
				t.Errorf("unescaped # in %q", line)
			}
		}
		for _, bad := range []*regexp.Regexp{regexp.MustCompile(`(^|[^\\])<script`), regexp.MustCompile(`[^\\]\]\(https://evil`), regexp.MustCompile("\u202e")} {
			if bad.MatchString(line) {
				t.Errorf("%s matches %q", bad, line)
			}
		}
		if regexp.MustCompile("(^|[^\\\\])[`<>\\[\\]$]").MatchString(line) {
			// The only markup the report makes itself: osv.dev links.
			if !regexp.MustCompile(`\[MAL-1\]\(https://osv\.dev/vulnerability/MAL-1\)`).MatchString(line) {
				t.Errorf("unescaped markup in %q", line)
			}
		}
	}
	if strings.Contains(out, "GHSA-1|2](") {
		t.Error("an id that is no plain advisory id got a link")
	}
	if strings.Contains(out, strings.Repeat("A\\|", 300)) {
		t.Error("a very long message was not cut")
	}
}

func TestMarkdownCap(t *testing.T) {
	r := &guard.Report{SchemaVersion: 1, Verdict: guard.VerdictWarn, Level: 2, Mode: guard.Block}
	for i := range DefaultMarkdownMaxFindings + 7 {
		r.Findings = append(r.Findings, finding(guard.RulePinning, guard.PinMissingHash, "p.lock", "n"+strconv.Itoa(i), "1", 1, guard.Warn))
	}
	out := writeMarkdown(t, r, Options{})
	if n := strings.Count(out, "| WARN |"); n != DefaultMarkdownMaxFindings {
		t.Errorf("%d rows, want %d", n, DefaultMarkdownMaxFindings)
	}
	if !strings.Contains(out, "… 7 more findings in this lockfile not shown.") || !strings.Contains(out, "… 7 findings not shown in all") {
		t.Errorf("no count of what was left out:\n%s", out[len(out)-400:])
	}
	if !strings.Contains(out, "**Verdict: ALLOW with warnings**: 507 warnings (exit 0)") {
		t.Error("verdict line")
	}
	out = writeMarkdown(t, r, Options{MaxFindings: -1})
	if n := strings.Count(out, "| WARN |"); n != len(r.Findings) || strings.Contains(out, "not shown") {
		t.Errorf("MaxFindings -1: %d rows, want all %d", n, len(r.Findings))
	}
}
