// Package report writes a guard.Report in the formats guard supports. Every
// format is one Writer, chosen by New; every writer reads the same report
// through one view (the findings in one order, grouped by lockfile) and
// decides nothing.
package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/installguard/guard/guard"
)

// Writer writes one run's report in one format, as govulncheck's handlers
// each render the same result.
type Writer interface {
	Write(w io.Writer, r *guard.Report) error
}

// Options are the options of every format; each format reads the ones that
// concern it.
type Options struct {
	// Color uses ANSI colours in text (the caller decides: a TTY and no
	// NO_COLOR).
	Color bool
	// Quiet prints only blocking findings, errors and the verdict (text).
	Quiet bool
	// Verbose adds every package and what decided each finding's action
	// (text).
	Verbose bool

	// Title is the heading of the Markdown report; "" means "guard".
	Title string
	// MaxFindings caps the findings the Markdown report lists (blocking
	// ones first) and, the same way, the errors; the rest are counted. 0
	// means DefaultMarkdownMaxFindings, a negative number no cap.
	MaxFindings int

	// Version is guard's version, written as SARIF's tool.driver.version
	// ("" leaves it out).
	Version string
	// InformationURI is SARIF's tool.driver.informationUri; "" means
	// DefaultInformationURI.
	InformationURI string
	// BaseDir is the repository root. SARIF writes lockfile paths relative
	// to it with uriBaseId "%SRCROOT%", as GitHub code scanning wants. ""
	// means the current directory. A path outside BaseDir is written as an
	// absolute file: URI without uriBaseId (GitHub cannot place it).
	BaseDir string
	// Category, when set, is written as SARIF's run.automationDetails.id
	// ("<Category>/"): GitHub keeps the alerts of each category apart, so
	// several guard runs on one repository do not close each other's alerts.
	Category string

	// Package is what the "explain" format explains: NAME or NAME@VERSION.
	Package string
}

// formats are the report formats of `--format`, in the order help lists them.
var formats = []struct {
	name string
	new  func(Options) Writer
}{
	{"text", func(o Options) Writer { return textFormat{o} }},
	{"json", func(o Options) Writer { return jsonFormat{} }},
	{"sarif", func(o Options) Writer { return sarifFormat{o} }},
	{"markdown", func(o Options) Writer { return markdownFormat{o} }},
}

// Formats names the report formats New accepts for a whole report: "text",
// "json", "sarif", "markdown".
func Formats() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.name
	}
	return names
}

// New returns the writer of format: one of Formats(), or "explain" (one
// package's view; opts.Package names it).
func New(format string, opts Options) (Writer, error) {
	for _, f := range formats {
		if f.name == format {
			return f.new(opts), nil
		}
	}
	if format == "explain" {
		if opts.Package == "" {
			return nil, fmt.Errorf("the explain report needs a package")
		}
		return explainFormat{opts}, nil
	}
	return nil, fmt.Errorf("--format %q is not supported: use %s", format, orList(Formats()))
}

// orList is "a, b, c or d".
func orList(ss []string) string {
	if len(ss) < 2 {
		return strings.Join(ss, "")
	}
	return strings.Join(ss[:len(ss)-1], ", ") + " or " + ss[len(ss)-1]
}

// view is a report as every format reads it: its findings in the one order
// (Ordered) and grouped by place.
type view struct {
	r *guard.Report
	// findings are r.Findings in the one order.
	findings []*guard.Finding
	// places are the lockfiles in report order, then the places with
	// findings that are no lockfile (a folder without one), sorted.
	places []place
	// byPath finds a place by its path.
	byPath map[string]*place
}

// place is one lockfile (or a folder without one) and its findings, in the
// one order.
type place struct {
	path string
	// lockfile is nil for a place that is no lockfile.
	lockfile *guard.LockfileSummary
	findings []*guard.Finding
}

func newView(r *guard.Report) *view {
	v := &view{r: r, byPath: map[string]*place{}}
	lockfiles := map[string]*guard.LockfileSummary{}
	for i := range r.Lockfiles {
		if _, ok := lockfiles[r.Lockfiles[i].Path]; !ok {
			lockfiles[r.Lockfiles[i].Path] = &r.Lockfiles[i]
		}
	}
	index := map[string]int{}
	for i, p := range r.Places() {
		index[p] = i
		v.places = append(v.places, place{path: p, lockfile: lockfiles[p]})
	}
	v.findings = make([]*guard.Finding, len(r.Findings))
	for i := range r.Findings {
		v.findings[i] = &r.Findings[i]
	}
	slices.SortStableFunc(v.findings, r.FindingOrder())
	for _, f := range v.findings {
		p := &v.places[index[f.Lockfile]]
		p.findings = append(p.findings, f)
	}
	for i := range v.places {
		v.byPath[v.places[i].path] = &v.places[i]
	}
	return v
}

// Ordered returns the report's findings in the one order every format
// lists them in (guard.Report.FindingOrder: blocking first, then warnings,
// then ignored; within an action by place, then package, rule and id).
// Grouped formats (text, Markdown) list each place's findings in this
// order.
func Ordered(r *guard.Report) []guard.Finding {
	v := newView(r)
	if r.Findings == nil {
		return nil
	}
	out := make([]guard.Finding, len(v.findings))
	for i, f := range v.findings {
		out[i] = *f
	}
	return out
}

// totalPackages is the number of packages in all lockfiles.
func totalPackages(r *guard.Report) int {
	total := 0
	for _, lf := range r.Lockfiles {
		total += lf.Packages
	}
	return total
}

// describeFormat is "package-lock.json v3".
func describeFormat(lf *guard.LockfileSummary) string {
	format := string(lf.Format)
	if lf.FormatVersion != "" {
		format += " v" + lf.FormatVersion
	}
	return format
}
