package report

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/lockfile"
)

// DefaultInformationURI is tool.driver.informationUri when none is given.
const DefaultInformationURI = "https://github.com/installguard/guard"

// SARIFMaxResults is the most results one SARIF run carries: GitHub code
// scanning rejects a run with more than 25,000 results. Blocking findings
// are kept first; a toolExecutionNotification says how many were left out.
const SARIFMaxResults = 25000

// sarifMaxResults is SARIFMaxResults; tests lower it.
var sarifMaxResults = SARIFMaxResults

// srcRoot is the uriBaseId GitHub code scanning resolves to the repository root.
const srcRoot = "%SRCROOT%"

// fingerprintKey names guard's partialFingerprints entry. The suffix is the
// version of the recipe: change it when the recipe changes.
const fingerprintKey = "guardFinding/v1"

// sarifFormat is the report as SARIF 2.1.0.
type sarifFormat struct{ opt Options }

// Write writes the report as SARIF 2.1.0 for GitHub code scanning (and other
// SARIF consumers): one run whose rules are one reportingDescriptor per rule
// and finding id ("vulnerability/GHSA-…", "pinning/missing-hash"), so that
// each advisory carries its own help and security-severity, and whose results
// point at the lockfile line of each finding.
func (s sarifFormat) Write(w io.Writer, r *guard.Report) error {
	opts := s.opt
	r = sarifClean(r)
	info := opts.InformationURI
	if info == "" {
		info = DefaultInformationURI
	}
	run := sarif.NewRunWithInformationURI("guard", info)
	driver := run.Tool.Driver
	if opts.Version != "" {
		driver.WithVersion(opts.Version)
	}
	driver.Notifications = []*sarif.ReportingDescriptor{
		sarif.NewRule(notificationID(guard.InputError)).
			WithShortDescription(text("invalid input: a path that does not exist or a lockfile that cannot be parsed")),
		sarif.NewRule(notificationID(guard.CheckError)).
			WithShortDescription(text("a check could not complete: the advisory source could not answer or the offline DB is unusable")),
		sarif.NewRule(notificationTruncated).
			WithShortDescription(text("results left out: GitHub accepts at most 25,000 results per run")),
	}
	if opts.Category != "" {
		run.AutomationDetails = sarif.NewRunAutomationDetails().WithID(strings.TrimSuffix(opts.Category, "/") + "/")
	}

	findings := newView(r).findings
	omitted := 0
	if len(findings) > sarifMaxResults {
		omitted = len(findings) - sarifMaxResults
		findings = findings[:sarifMaxResults]
	}

	rules, index := sarifRules(findings)
	driver.Rules = rules
	for _, f := range findings {
		run.AddResult(sarifResult(f, index, opts.BaseDir))
	}

	inv := sarif.NewInvocation().
		WithExecutionSuccessful(len(r.Errors) == 0).
		WithExitCode(r.ExitCode())
	for _, e := range r.Errors {
		n := sarif.NewNotification().
			WithLevel(sarif.LevelError).
			WithMessage(sarif.NewTextMessage(sarifText(e.Message))).
			WithDescriptor(sarif.NewReportingDescriptorReference().WithID(notificationID(e.Kind))).
			WithProperties(sarif.NewPropertyBag().Add("kind", string(e.Kind)))
		if e.Path != "" {
			n.AddLocation(sarif.NewLocationWithPhysicalLocation(
				sarif.NewPhysicalLocation().WithArtifactLocation(artifactLocation(e.Path, opts.BaseDir))))
		}
		inv.AddToolExecutionNotification(n)
	}
	if omitted > 0 {
		inv.AddToolExecutionNotification(sarif.NewNotification().
			WithLevel(sarif.LevelWarning).
			WithMessage(sarif.NewTextMessage(fmt.Sprintf("%d more findings are not in this SARIF file (GitHub accepts at most %d results per run); the JSON report has them all", omitted, sarifMaxResults))).
			WithDescriptor(sarif.NewReportingDescriptorReference().WithID(notificationTruncated)))
	}
	run.AddInvocation(inv)

	items := make([]map[string]any, 0, len(r.Items))
	for _, it := range r.Items {
		items = append(items, map[string]any{"item": it.ID, "rule": it.Rule, "level": it.Level,
			"title": it.Title, "status": it.Status, "findings": it.Findings})
	}
	run.WithProperties(sarif.NewPropertyBag().
		Add("verdict", string(r.Verdict)).
		Add("level", r.Level).
		Add("mode", string(r.Mode)).
		Add("exitCode", r.ExitCode()).
		Add("items", items))

	doc := sarif.NewReport()
	doc.AddRun(run)
	if err := doc.PrettyWrite(w); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

const notificationTruncated = "results-truncated"

func notificationID(k guard.ErrorKind) string { return string(k) + "-error" }

// ruleID is stable across runs: the rule and the finding id, which is an
// advisory id or the rule's own reason.
func ruleID(f *guard.Finding) string {
	if f.ID == "" {
		return f.Rule
	}
	return f.Rule + "/" + f.ID
}

// advisoryKind names a finding of a rule whose finding ids are OSV
// advisory ids ("Known vulnerability"), and is "" for other rules.
func advisoryKind(rule string) string {
	r, _ := policy.RuleOf(rule)
	return r.Kind
}

// isAdvisory reports whether f's id names an OSV record, so that a link to
// osv.dev can be made from it. Ids are untrusted: only plain ones qualify.
func isAdvisory(f *guard.Finding) bool {
	if advisoryKind(f.Rule) == "" || f.ID == "" || len(f.ID) > 128 {
		return false
	}
	for _, c := range f.ID {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

func osvURL(id string) string { return "https://osv.dev/vulnerability/" + url.PathEscape(id) }

func sarifLevel(a guard.Action) string {
	switch a {
	case guard.Block:
		return sarif.LevelError
	case guard.Warn:
		return sarif.LevelWarning
	}
	return sarif.LevelNote
}

// securitySeverity is GitHub's properties.security-severity: a CVSS-like
// score as a string. A vulnerability uses its CVSS score, else its label
// mapped into GitHub's bands (critical > 9.0, high 7.0–8.9, medium 4.0–6.9,
// low 0.1–3.9); a known malicious package is 10.0. "" means none.
func securitySeverity(f *guard.Finding) string {
	switch f.Rule {
	case guard.RuleMalware:
		return "10.0"
	case guard.RuleVulnerability:
		if f.Score > 0 {
			return strconv.FormatFloat(min(f.Score, 10), 'f', 1, 64)
		}
		switch strings.ToUpper(f.Severity) {
		case "CRITICAL":
			return "9.5"
		case "HIGH":
			return "8.0"
		case "MEDIUM":
			return "5.5"
		case "LOW":
			return "2.0"
		}
	}
	return ""
}

// sarifRules builds one reportingDescriptor per ruleId, sorted by id, from
// the findings that use it, and the index of each.
func sarifRules(findings []*guard.Finding) ([]*sarif.ReportingDescriptor, map[string]int) {
	byID := map[string][]*guard.Finding{}
	for _, f := range findings {
		id := ruleID(f)
		byID[id] = append(byID[id], f)
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	rules := make([]*sarif.ReportingDescriptor, 0, len(ids))
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[id] = i
		rules = append(rules, sarifRule(id, byID[id]))
	}
	return rules, index
}

func sarifRule(id string, fs []*guard.Finding) *sarif.ReportingDescriptor {
	// fs is sorted block first, so fs[0] has the most severe action; the
	// rest of what describes the rule is the same in every finding of one
	// advisory, except the score, of which the highest counts.
	f := fs[0]
	sev := ""
	best := -1.0
	for _, g := range fs {
		if s := securitySeverity(g); s != "" {
			if v, err := strconv.ParseFloat(s, 64); err == nil && v > best {
				best, sev = v, s
			}
		}
	}
	short, full, helpText, helpMD := ruleTexts(f)
	tags := []string{"security", "supply-chain", f.Rule}
	if f.Item != "" {
		tags = append(tags, f.Item)
	}
	props := sarif.NewPropertyBag().WithTags(tags).
		Add("precision", "very-high").
		Add("rule", f.Rule).
		Add("item", f.Item)
	if sev != "" {
		props.Add("security-severity", sev)
	}
	if f.Severity != "" {
		props.Add("severity", f.Severity)
	}
	if len(f.Aliases) > 0 {
		props.Add("aliases", f.Aliases)
	}
	d := sarif.NewRule(id).
		WithName(id).
		WithShortDescription(text(short)).
		WithFullDescription(text(full)).
		WithHelp(sarif.NewMultiformatMessageString().WithText(helpText).WithMarkdown(helpMD)).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(f.Action))).
		WithProperties(props)
	if isAdvisory(f) {
		d.WithHelpURI(osvURL(f.ID))
	}
	return d
}

// pinningHelp explains each pinning finding id: what it means and how to fix it.
var pinningHelp = map[string][2]string{
	guard.PinNoLockfile:  {"A project has a package manifest but no lockfile", "The install resolves versions at install time, so what gets installed can change under you. Commit the lockfile your package manager writes (package-lock.json, poetry.lock, uv.lock, Cargo.lock, ...)."},
	guard.PinUnpinned:    {"A lockfile entry is not pinned to one exact version", "The entry names a range or no version, so the install may pick a different version each time. Pin it to one exact version (for requirements files: name==version)."},
	guard.PinMissingHash: {"A lockfile entry has no integrity hash", "Without a hash the installer cannot check that it downloads the artifact the lockfile was made with. Regenerate the lockfile so it records hashes (for requirements files: --hash=sha256:...)."},
	guard.PinWeakHash:    {"A lockfile entry is pinned only by md5 or sha1", "md5 and sha1 collisions can be made, so they do not pin content. Regenerate the lockfile with sha256 or stronger hashes."},
	guard.PinGit:         {"A package comes from a VCS repository", "A git (or other VCS) source is not an immutable registry artifact with a hash. Depend on a published release instead, or pin the exact commit."},
	guard.PinURL:         {"A package comes from a direct archive URL", "A direct URL can serve different content over time. Depend on a registry release instead, or pin the archive's hash."},
	guard.PinPath:        {"A package comes from a local path outside the project", "A local path outside the project's workspace is not pinned by version and hash. Publish and depend on a release instead."},
}

// ruleTexts returns a rule's shortDescription, fullDescription and help as
// plain text and as Markdown. Strings from advisories are untrusted: the
// Markdown escapes them.
func ruleTexts(f *guard.Finding) (short, full, helpText, helpMD string) {
	item := ""
	if f.Item != "" {
		item = fmt.Sprintf("guard rule %q enforces principle item %s.", f.Rule, f.Item)
	}
	if h, ok := pinningHelp[f.ID]; ok && f.Rule == guard.RulePinning {
		short = h[0]
		full = h[0] + ". " + h[1]
		helpText = full + "\n\n" + item
		helpMD = "**" + mdEscape(h[0]) + "**\n\n" + mdEscape(h[1]) + "\n\n" + mdEscape(item)
		return short, full, helpText, helpMD
	}
	kind := advisoryKind(f.Rule)
	if kind == "" {
		short = fmt.Sprintf("%s: %s", f.Rule, f.ID)
		full = short
		helpText = full + "\n\n" + item
		helpMD = mdEscape(full) + "\n\n" + mdEscape(item)
		return
	}
	summary := oneLine(f.Summary)
	short = kind + " " + f.ID
	if summary != "" {
		short = f.ID + ": " + summary
	}
	short = truncate(short, 1000)
	full = kind + " " + f.ID
	if summary != "" {
		full += ": " + summary
	}
	if len(f.Aliases) > 0 {
		full += " (also " + strings.Join(f.Aliases, ", ") + ")"
	}
	full = truncate(full, 1000)

	var t, m strings.Builder
	fmt.Fprintf(&t, "%s\n\n", full)
	fmt.Fprintf(&m, "**%s %s**", mdEscape(kind), mdEscape(f.ID))
	if summary != "" {
		fmt.Fprintf(&m, ": %s", mdEscape(summary))
	}
	m.WriteString("\n\n")
	if len(f.Aliases) > 0 {
		fmt.Fprintf(&m, "Aliases: %s\n\n", mdEscape(strings.Join(f.Aliases, ", ")))
	}
	if f.Rule == guard.RuleMalware {
		t.WriteString("This package version is known to be malicious. Remove it, and treat any machine that installed it as compromised.\n\n")
		m.WriteString("This package version is known to be malicious. Remove it, and treat any machine that installed it as compromised.\n\n")
	} else if len(f.Fixed) > 0 {
		fmt.Fprintf(&t, "Upgrade to a version that fixes it: %s.\n\n", strings.Join(f.Fixed, ", "))
		fmt.Fprintf(&m, "Upgrade to a version that fixes it: %s.\n\n", mdEscape(strings.Join(f.Fixed, ", ")))
	} else if f.Rule == guard.RuleVulnerability {
		t.WriteString("No fixed version is known.\n\n")
		m.WriteString("No fixed version is known.\n\n")
	}
	if isAdvisory(f) {
		fmt.Fprintf(&t, "Details: %s\n\n", osvURL(f.ID))
		fmt.Fprintf(&m, "Details: [%s](%s)\n\n", mdEscape(f.ID), osvURL(f.ID))
	}
	t.WriteString(item)
	m.WriteString(mdEscape(item))
	return short, full, t.String(), m.String()
}

func sarifResult(f *guard.Finding, index map[string]int, base string) *sarif.Result {
	id := ruleID(f)
	msg := f.Message
	if s := subject(f); s != "" {
		msg = s + " " + msg
	}
	if len(f.Chain) > 0 {
		msg += " (via " + strings.Join(f.Chain, " > ") + ")"
	}
	loc := artifactLocation(f.Lockfile, base)
	line := f.Line
	if line <= 0 {
		line = 1
	}
	props := sarif.NewPropertyBag().
		Add("rule", f.Rule).
		Add("item", f.Item).
		Add("action", string(f.Action)).
		Add("why", f.Why)
	if f.Name != "" {
		props.Add("ecosystem", string(f.Ecosystem)).Add("package", f.Name).Add("version", f.Version)
	}
	if len(f.Aliases) > 0 {
		props.Add("aliases", f.Aliases)
	}
	if len(f.Chain) > 0 {
		props.Add("chain", f.Chain)
	}
	if len(f.Fixed) > 0 {
		props.Add("fixed", f.Fixed)
	}
	if f.Severity != "" {
		props.Add("severity", f.Severity)
	}
	if f.Score > 0 {
		props.Add("cvssScore", f.Score)
	}
	return sarif.NewRuleResult(id).
		WithRuleIndex(index[id]).
		WithLevel(sarifLevel(f.Action)).
		WithMessage(sarif.NewTextMessage(sarifText(msg))).
		AddLocation(sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
			WithArtifactLocation(loc).
			WithRegion(sarif.NewRegion().WithStartLine(line)))).
		WithPartialFingerprints(map[string]string{fingerprintKey: fingerprint(f, loc)}).
		WithProperties(props)
}

// fingerprint identifies a finding across runs: the lockfile (as written in
// the SARIF file, so the same on every machine), the package and the
// finding, but not the line, which moves whenever the lockfile changes.
func fingerprint(f *guard.Finding, loc *sarif.ArtifactLocation) string {
	uri := ""
	if loc.URI != nil {
		uri = *loc.URI
	}
	h := sha256.New()
	for _, s := range []string{uri, string(f.Ecosystem), f.Name, f.Version, f.Rule, f.ID} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// artifactLocation writes path relative to base with uriBaseId %SRCROOT%,
// or as an absolute file: URI when it lies outside base.
func artifactLocation(path, base string) *sarif.ArtifactLocation {
	if base == "" {
		base = "."
	}
	p, b := filepath.Clean(path), filepath.Clean(base)
	if filepath.IsAbs(p) != filepath.IsAbs(b) {
		p, _ = filepath.Abs(p)
		b, _ = filepath.Abs(b)
	}
	rel, err := filepath.Rel(b, p)
	if err == nil {
		rel = filepath.ToSlash(rel)
		if rel != ".." && !strings.HasPrefix(rel, "../") {
			u := (&url.URL{Path: rel}).String()
			return sarif.NewArtifactLocation().WithURI(u).WithURIBaseID(srcRoot)
		}
	}
	abs, _ := filepath.Abs(path)
	abs = filepath.ToSlash(abs)
	if !strings.HasPrefix(abs, "/") {
		abs = "/" + abs // a Windows drive letter
	}
	return sarif.NewArtifactLocation().WithURI((&url.URL{Scheme: "file", Path: abs}).String())
}

func subject(f *guard.Finding) string {
	if f.Name == "" {
		return ""
	}
	if f.Version == "" {
		return f.Name
	}
	return f.Name + "@" + f.Version
}

func text(s string) *sarif.MultiformatMessageString {
	return sarif.NewMultiformatMessageString().WithText(s)
}

// sarifText escapes a plain-text SARIF message: "[" and "]" in untrusted
// text would otherwise start an embedded link (SARIF 2.1.0 §3.11.6), and
// control and format characters are dropped.
func sarifText(s string) string { return sarifBrackets.Replace(stripUnsafe(s)) }

var sarifBrackets = strings.NewReplacer(`[`, `\[`, `]`, `\]`)

// sarifClean is a copy of the report whose strings (every one of which may
// come from a lockfile, an advisory or an error message) hold no control or
// format characters: SARIF viewers render them as they are.
func sarifClean(r *guard.Report) *guard.Report {
	c := *r
	c.Mode = guard.Action(stripUnsafe(string(r.Mode)))
	c.Findings = make([]guard.Finding, len(r.Findings))
	for i, f := range r.Findings {
		for _, p := range []*string{&f.Rule, &f.Item, &f.ID, &f.Name, &f.Version, &f.Lockfile, &f.Message,
			&f.Severity, &f.Summary, &f.Why, &f.Change, &f.Exception, &f.Reachability} {
			*p = stripUnsafe(*p)
		}
		f.Ecosystem = lockfile.Ecosystem(stripUnsafe(string(f.Ecosystem)))
		f.Action = guard.Action(stripUnsafe(string(f.Action)))
		f.Aliases, f.Chain, f.Fixed = stripAll(f.Aliases), stripAll(f.Chain), stripAll(f.Fixed)
		c.Findings[i] = f
	}
	c.Errors = make([]guard.Error, len(r.Errors))
	for i, e := range r.Errors {
		e.Path, e.Message, e.Rules = stripUnsafe(e.Path), stripUnsafe(e.Message), stripAll(e.Rules)
		c.Errors[i] = e
	}
	c.Items = make([]guard.ItemResult, len(r.Items))
	for i, it := range r.Items {
		it.ID, it.Rule, it.Title, it.Status, it.Note = stripUnsafe(it.ID), stripUnsafe(it.Rule), stripUnsafe(it.Title), stripUnsafe(it.Status), stripUnsafe(it.Note)
		c.Items[i] = it
	}
	return &c
}

func stripAll(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = stripUnsafe(s)
	}
	return out
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if i > n-len("…") {
			break
		}
		cut = i
	}
	return s[:cut] + "…"
}
