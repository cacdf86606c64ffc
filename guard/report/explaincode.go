package report

import (
	"fmt"
	"io"

	"github.com/installguard/guard/guard"
)

// Explain writes guard explain's output for the package spec (NAME or
// NAME@VERSION) of a checked report: the run's errors on stderr, then
// every entry of the package on stdout. It returns the exit code: 2 when no
// lockfile has the package, else ExplainExitCode.
func Explain(stdout, stderr io.Writer, r *guard.Report, spec string) int {
	for _, er := range r.Errors {
		fmt.Fprintf(stderr, "guard: %s\n", Escape(er.Message))
	}
	entries := Entries(r, spec)
	if len(entries) == 0 {
		fmt.Fprintf(stderr, "guard explain: no checked lockfile has %s\n", Escape(spec))
		return guard.ExitInvalid
	}
	w, err := New("explain", Options{Package: spec})
	if err == nil {
		err = w.Write(stdout, r)
	}
	if err != nil {
		fmt.Fprintf(stderr, "guard explain: %v\n", err)
		return guard.ExitInvalid
	}
	return ExplainExitCode(r, entries)
}

// ExplainExitCode is the exit code of guard explain: that of 'guard check'
// for the explained entries alone (their blocking findings), or the run's
// own when a check was invalid or could not complete.
func ExplainExitCode(r *guard.Report, entries []guard.PackageResult) int {
	if code := r.ExitCode(); code == guard.ExitInvalid || code == guard.ExitIncomplete {
		return code
	}
	for _, p := range entries {
		for _, f := range FindingsOf(r, p) {
			if f.Action == guard.Block {
				return guard.ExitBlocked
			}
		}
	}
	return guard.ExitAllow
}
