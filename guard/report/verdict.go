package report

import (
	"fmt"
	"strings"

	"github.com/installguard/guard/guard"
)

// Headline is the verdict in words: the one wording every format and every
// one-line summary uses (text, Markdown, the --output summary of cmd/guard).
// The verdict values themselves are guard.Verdicts.
type Headline struct {
	Verdict guard.Verdict
	// Label is "ALLOW", "ALLOW with warnings", "BLOCK" or "ERROR".
	Label string
	// Detail says why: "12 blocking findings", "a check could not
	// complete"; "" for a clean allow.
	Detail string
	Exit   int
}

// Summarize words the report's verdict. It reads r.Verdict and r.ExitCode
// only: it decides nothing.
func Summarize(r *guard.Report) Headline {
	h := Headline{Verdict: r.Verdict, Exit: r.ExitCode()}
	switch {
	case r.Verdict == guard.VerdictError || h.Exit == guard.ExitInvalid || h.Exit == guard.ExitIncomplete:
		h.Verdict, h.Label = guard.VerdictError, "ERROR"
		if h.Exit == guard.ExitInvalid {
			h.Detail = "invalid input"
		} else {
			h.Detail = "a check could not complete"
		}
		if n := countActionsN(r, guard.Block); n > 0 {
			h.Detail += ", " + plural(n, "blocking finding")
		}
	case r.Verdict == guard.VerdictBlock:
		h.Label, h.Detail = "BLOCK", countActions(r, guard.Block)
	case r.Verdict == guard.VerdictWarn:
		h.Label = "ALLOW with warnings"
		var parts []string
		if n := countActionsN(r, guard.Warn); n > 0 {
			parts = append(parts, plural(n, "warning"))
		}
		if n := warnedErrors(r); n > 0 {
			parts = append(parts, plural(n, "check")+` that could not complete, let pass by on-error = "warn"`)
		}
		h.Detail = strings.Join(parts, ", ")
	default:
		h.Label = "ALLOW"
	}
	return h
}

// String is "BLOCK (3 blocking findings, exit 1)", "ERROR: invalid input
// (exit 2)", "ALLOW (exit 0)".
func (h Headline) String() string {
	switch {
	case h.Detail == "":
		return fmt.Sprintf("%s (exit %d)", h.Label, h.Exit)
	case h.Verdict == guard.VerdictError:
		return fmt.Sprintf("%s: %s (exit %d)", h.Label, h.Detail, h.Exit)
	}
	return fmt.Sprintf("%s (%s, exit %d)", h.Label, h.Detail, h.Exit)
}

// Markdown is the headline as a Markdown status line: words only, no emoji.
func (h Headline) Markdown() string {
	if h.Detail == "" {
		return fmt.Sprintf("**Verdict: %s** (exit %d)", h.Label, h.Exit)
	}
	return fmt.Sprintf("**Verdict: %s**: %s (exit %d)", h.Label, mdEscape(h.Detail), h.Exit)
}

// OutputSummary is the one line printed on standard error when the report
// went to a file: "guard: verdict error, report written to r.json".
func OutputSummary(r *guard.Report, path string) string {
	return fmt.Sprintf("guard: verdict %s, report written to %s", Summarize(r).Verdict, Escape(path))
}

func countActionsN(r *guard.Report, a guard.Action) int {
	n := 0
	for _, f := range r.Findings {
		if f.Action == a {
			n++
		}
	}
	return n
}

func warnedErrors(r *guard.Report) int {
	n := 0
	for _, e := range r.Errors {
		if e.Kind == guard.CheckError && e.Action == guard.Warn {
			n++
		}
	}
	return n
}
