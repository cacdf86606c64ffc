package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/installguard/guard/guard"
)

const (
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiGreen  = "\x1b[32m"
	ansiDim    = "\x1b[2m"
	ansiBold   = "\x1b[1m"
	ansiReset  = "\x1b[0m"
)

// textFormat is the report for people.
type textFormat struct{ opt Options }

type textWriter struct {
	w   *bufio.Writer
	opt Options
}

func (t *textWriter) paint(code, s string) string {
	if !t.opt.Color {
		return s
	}
	return code + s + ansiReset
}

func (t *textWriter) printf(format string, args ...any) { fmt.Fprintf(t.w, format, args...) }

// Write writes the report for people: findings grouped per lockfile, each
// saying why; then errors, the per-item summary and the verdict.
func (f textFormat) Write(w io.Writer, r *guard.Report) error {
	opt := f.opt
	t := &textWriter{w: bufio.NewWriter(w), opt: opt}
	if !opt.Quiet {
		t.printf("guard: %s, %s (level %d, mode %s)\n", plural(len(r.Lockfiles), "lockfile"), plural(totalPackages(r), "package"), r.Level, Escape(string(r.Mode)))
		if b := r.Baseline; b != nil {
			t.printf("guard: only packages new or changed against %s are checked: %d checked, %d unchanged not re-checked\n", Escape(b.Base), b.Checked, b.Unchanged)
		}
	}

	// Lockfiles in report order first, then findings about places that are
	// no lockfile (a folder without one).
	for _, p := range newView(r).places {
		if opt.Quiet && !hasBlock(p.findings) {
			continue
		}
		if p.lockfile == nil {
			t.printf("\n%s\n", t.paint(ansiBold, Escape(p.path)))
			t.findings(p.findings)
			continue
		}
		t.printf("\n%s  %s\n", t.paint(ansiBold, Escape(p.path)), t.paint(ansiDim, describeLockfile(p.lockfile)))
		if len(p.findings) == 0 && !opt.Quiet {
			t.printf("  %s\n", t.paint(ansiGreen, "no findings"))
		}
		t.findings(p.findings)
		if opt.Verbose {
			t.packages(r, p.path)
		}
	}

	if len(r.Policy) > 0 && !opt.Quiet {
		t.printf("\npolicy:\n")
		for _, d := range r.Policy {
			t.printf("  %s\n", Escape(d.String()))
		}
	}
	if len(r.Errors) > 0 {
		t.printf("\n%s\n", t.paint(ansiRed, "errors:"))
		for _, e := range r.Errors {
			t.printf("  %s\n", Escape(e.Message))
		}
	}
	if !opt.Quiet {
		t.evidence(r) // evidence.go
		t.printf("\nprinciples (level %d):\n", r.Level)
		for _, it := range r.Items {
			status := Escape(it.Status)
			switch it.Status {
			case "block":
				status = t.paint(ansiRed, status)
			case "warn":
				status = t.paint(ansiYellow, status)
			case "pass":
				status = t.paint(ansiGreen, status)
			default:
				status = t.paint(ansiDim, status)
			}
			count := ""
			if it.Findings > 0 {
				count = plural(it.Findings, "finding")
			}
			title := Escape(it.Title)
			if it.Note != "" {
				// Why the item was not checked, after its title so that the
				// columns stay aligned; the errors section above has the
				// whole message.
				title += " — " + truncate(Escape(it.Note), 80)
			}
			t.printf("  %-5s %-20s %s %-12s %s\n", Escape(it.ID), Escape(it.Rule), status+strings.Repeat(" ", max(0, 11-len(it.Status))), count, title)
		}
	}
	t.printf("\n%s\n", t.verdictLine(r))
	return t.w.Flush()
}

func (t *textWriter) findings(fs []*guard.Finding) {
	for _, f := range fs {
		if t.opt.Quiet && f.Action != guard.Block {
			continue
		}
		label := Escape(strings.ToUpper(string(f.Action)))
		switch f.Action {
		case guard.Block:
			label = t.paint(ansiRed, label)
		case guard.Warn:
			label = t.paint(ansiYellow, label)
		default:
			label = t.paint(ansiDim, label)
		}
		pad := strings.Repeat(" ", max(0, 7-len(f.Action)))
		who := Escape(subject(f))
		if who == "" {
			t.printf("  %s%s %s: %s\n", label, pad, Escape(f.Rule), Escape(f.Message))
		} else {
			t.printf("  %s%s %s %s %s\n", label, pad, Escape(f.Rule), t.paint(ansiBold, who), Escape(f.Message))
		}
		if len(f.Chain) > 0 {
			t.printf("          via %s\n", strings.Join(EscapeAll(f.Chain), " > "))
		}
		if f.Line > 0 && t.opt.Verbose {
			t.printf("          at %s:%d\n", Escape(f.Lockfile), f.Line)
		}
		if f.Exception != "" {
			t.printf("          %s\n", t.paint(ansiDim, "excepted by "+Escape(f.Exception)))
		}
		if t.opt.Verbose && f.Why != "" {
			t.printf("          %s\n", t.paint(ansiDim, "decided by: "+Escape(f.Why)))
			if f.Change != "" {
				t.printf("          %s\n", t.paint(ansiDim, "to change it: "+Escape(f.Change)))
			}
		}
	}
}

func (t *textWriter) packages(r *guard.Report, path string) {
	for _, p := range r.Packages {
		if p.Lockfile != path {
			continue
		}
		var tags []string
		if p.Direct {
			tags = append(tags, "direct")
		}
		if p.Dev {
			tags = append(tags, "dev")
		}
		if p.Optional {
			tags = append(tags, "optional")
		}
		tags = append(tags, string(p.Source.Kind))
		t.printf("    %s %s\n", Escape(p.Key()), t.paint(ansiDim, Escape(strings.Join(tags, ", "))))
	}
}

func (t *textWriter) verdictLine(r *guard.Report) string {
	h := Summarize(r)
	color := ansiGreen
	switch h.Verdict {
	case guard.VerdictError, guard.VerdictBlock:
		color = ansiRed
	case guard.VerdictWarn:
		color = ansiYellow
	}
	return t.paint(color, "verdict: "+h.String())
}

func countActions(r *guard.Report, a guard.Action) string {
	n := countActionsN(r, a)
	if a == guard.Block {
		return plural(n, "blocking finding")
	}
	return plural(n, "warning")
}

func hasBlock(fs []*guard.Finding) bool {
	for _, f := range fs {
		if f.Action == guard.Block {
			return true
		}
	}
	return false
}

func describeLockfile(lf *guard.LockfileSummary) string {
	return fmt.Sprintf("%s · %s · %s", Escape(string(lf.Ecosystem)), Escape(describeFormat(lf)), plural(lf.Packages, "package"))
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
