package guard

// The report contract in one place: the verdicts a report can carry, the
// statuses of its principle items, and how they follow from the findings
// and errors. Every output format (guard/report: text, JSON, SARIF,
// Markdown; the one-line summaries of cmd/guard) reads these values and
// never derives its own. The contract is documented in docs/json-report.md.

// Verdicts lists every value Report.Verdict takes:
//   - allow: every enabled check completed and nothing blocks or warns;
//   - warn: something warns (a finding, or a check error the policy's
//     on-error = "warn" lets pass), nothing blocks, exit 0;
//   - block: a finding blocks, exit 1;
//   - error: input could not be read (exit 2) or a check could not complete
//     (exit 3). Findings may still be listed, but the packages were not all
//     looked at: an error is never an allow.
var Verdicts = []Verdict{Allow, VerdictWarn, VerdictBlock, VerdictError}

// Item statuses (ItemResult.Status).
const (
	// StatusOff: the item is above the policy's level, or the policy turned
	// its rule off.
	StatusOff = "off"
	// StatusNotChecked: its evidence was not gathered in this run, by
	// choice (--offline, --no-provenance); Note says why.
	StatusNotChecked = "not checked"
	// StatusError: gathering its evidence failed (the advisory source, an
	// unreadable lockfile); Note says what failed. Never read as a pass.
	StatusError = "error"
	// StatusPass: the evidence was gathered for every package and no
	// finding blocks or warns.
	StatusPass = "pass"
	// StatusWarn and StatusBlock: the worst action of its findings.
	StatusWarn  = "warn"
	StatusBlock = "block"
)

// ItemStatuses lists every value ItemResult.Status takes.
var ItemStatuses = []string{StatusOff, StatusNotChecked, StatusError, StatusPass, StatusWarn, StatusBlock}

// verdictOf is the verdict that matches the exit code: error whenever the
// run exits 2 or 3, whatever the findings say.
func (r *Report) verdictOf(findings Verdict) Verdict {
	switch r.ExitCode() {
	case ExitInvalid, ExitIncomplete:
		return VerdictError
	}
	return findings
}
