package report

import "github.com/installguard/guard/guard"

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
