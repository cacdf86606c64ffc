package report

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/installguard/guard/guard"
)

// DefaultMarkdownMaxFindings keeps a report well under the 1 MiB GitHub
// accepts for a job summary ($GITHUB_STEP_SUMMARY).
const DefaultMarkdownMaxFindings = 500

// maxCell is the most bytes of untrusted text one table cell shows.
const maxCell = 500

// markdownFormat is the report as GitHub-flavoured Markdown.
type markdownFormat struct{ opt Options }

// Write writes the report as GitHub-flavoured Markdown for a CI job
// summary: the verdict, the lockfiles, the findings of each lockfile
// (blocking ones first), the per-item summary and the errors. Every string
// that comes from a lockfile, an advisory or an error message is escaped, so
// it can neither break the tables nor add links, HTML or formatting.
func (m markdownFormat) Write(w io.Writer, r *guard.Report) error {
	opts := m.opt
	title := opts.Title
	if title == "" {
		title = "guard"
	}
	limit := opts.MaxFindings
	if limit == 0 {
		limit = DefaultMarkdownMaxFindings
	}
	if limit < 0 {
		limit = len(r.Findings) + len(r.Errors)
	}
	b := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }

	p("## %s\n\n", mdEscape(oneLine(title)))
	p("%s\n\n", mdVerdict(r))
	p("Level %d, mode %s. %s, %s.\n", r.Level, mdCell(string(r.Mode)),
		plural(len(r.Lockfiles), "lockfile"), plural(totalPackages(r), "package"))

	// Which findings are listed: the first `limit` in the one order (block,
	// warn, ignored, then place), so a blocking finding is never left out
	// for a warning.
	v := newView(r)
	shown := map[*guard.Finding]bool{}
	for _, f := range v.findings[:min(limit, len(v.findings))] {
		shown[f] = true
	}

	if len(r.Lockfiles) > 0 {
		p("\n### Lockfiles\n\n")
		p("| path | ecosystem | format | packages | findings |\n| --- | --- | --- | ---: | --- |\n")
		for i := range r.Lockfiles {
			lf := &r.Lockfiles[i]
			p("| %s | %s | %s | %d | %s |\n", mdCell(lf.Path), mdCell(string(lf.Ecosystem)), mdCell(describeFormat(lf)),
				lf.Packages, findingCounts(v.byPath[lf.Path].findings))
		}
	}

	for _, pl := range v.places {
		fs := pl.findings
		if len(fs) == 0 {
			continue
		}
		p("\n### Findings: %s\n\n", mdCell(pl.path))
		listed := 0
		for _, f := range fs {
			if !shown[f] {
				continue
			}
			if listed == 0 {
				p("| action | rule | package | id | severity | fixed in | message |\n| --- | --- | --- | --- | --- | --- | --- |\n")
			}
			listed++
			p("| %s | %s | %s | %s | %s | %s | %s |\n", mdAction(f.Action), mdCell(f.Rule), mdCell(subject(f)),
				mdID(f), mdCell(severityLabel(f)), mdCell(strings.Join(f.Fixed, ", ")), mdCell(f.Message))
		}
		if n := len(fs) - listed; n > 0 {
			if listed > 0 {
				p("\n")
			}
			word := "finding"
			if listed > 0 {
				word = "more finding"
			}
			p("… %s in this lockfile not shown.\n", plural(n, word))
		}
	}
	if n := len(v.findings) - len(shown); n > 0 {
		p("\n… %s not shown in all: this summary lists at most %d. The JSON and SARIF reports have every finding.\n",
			plural(n, "finding"), limit)
	}

	if len(r.Items) > 0 {
		p("\n### Principles (level %d)\n\n", r.Level)
		p("| item | rule | level | status | findings | what it checks |\n| --- | --- | ---: | --- | ---: | --- |\n")
		for _, it := range r.Items {
			status := it.Status
			if it.Note != "" {
				status += ": " + it.Note // why not checked, or what failed
			}
			p("| %s | %s | %d | %s | %d | %s |\n", mdCell(it.ID), mdCell(it.Rule), it.Level, mdCell(status),
				it.Findings, mdCell(it.Title))
		}
	}

	if len(r.Errors) > 0 {
		p("\n### Errors\n\n")
		p("| kind | path | message |\n| --- | --- | --- |\n")
		for i, e := range r.Errors {
			if i == limit {
				p("\n… %s not shown.\n", plural(len(r.Errors)-limit, "more error"))
				break
			}
			p("| %s | %s | %s |\n", mdCell(string(e.Kind)), mdCell(e.Path), mdCell(e.Message))
		}
	}
	return b.Flush()
}

// mdVerdict is the status line: words only, no emoji, so it reads the same
// everywhere and in any theme. The wording is Summarize's, as in every format.
func mdVerdict(r *guard.Report) string { return Summarize(r).Markdown() }

func mdAction(a guard.Action) string {
	switch a {
	case guard.Block:
		return "**BLOCK**"
	case guard.Warn:
		return "WARN"
	}
	return mdCell(strings.ToLower(string(a)))
}

// mdID links an advisory id to osv.dev; other ids are plain text.
func mdID(f *guard.Finding) string {
	if isAdvisory(f) {
		return fmt.Sprintf("[%s](%s)", mdEscape(f.ID), osvURL(f.ID))
	}
	return mdCell(f.ID)
}

func severityLabel(f *guard.Finding) string {
	s := f.Severity
	if f.Score > 0 {
		s = strings.TrimSpace(s + " " + strconv.FormatFloat(f.Score, 'f', 1, 64))
	}
	return s
}

func findingCounts(fs []*guard.Finding) string {
	if len(fs) == 0 {
		return "none"
	}
	counts := map[guard.Action]int{}
	for _, f := range fs {
		counts[f.Action]++
	}
	var parts []string
	for _, a := range []guard.Action{guard.Block, guard.Warn, guard.Ignored} {
		if counts[a] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[a], a))
			delete(counts, a)
		}
	}
	other := 0
	for _, n := range counts {
		other += n
	}
	if other > 0 {
		parts = append(parts, fmt.Sprintf("%d other", other))
	}
	return strings.Join(parts, ", ")
}

// mdCell makes untrusted text one table cell: one line, at most maxCell
// bytes, escaped.
func mdCell(s string) string {
	return mdEscape(truncate(oneLine(s), maxCell))
}
