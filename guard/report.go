package guard

import (
	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/provenance"
)

// ReportSchemaVersion is bumped on any incompatible change to the JSON report.
const ReportSchemaVersion = 2

// Report is the outcome of a check: data only. Writers in guard/report turn
// it into text, JSON and other formats; none of them decides anything.
type Report struct {
	SchemaVersion int               `json:"schemaVersion"`
	Verdict       Verdict           `json:"verdict"`
	Level         int               `json:"level"`
	Mode          Action            `json:"mode"`
	Lockfiles     []LockfileSummary `json:"lockfiles"`
	Packages      []PackageResult   `json:"packages"`
	Findings      []Finding         `json:"findings"`
	// Items has one entry per principle item, on or off at this level.
	Items  []ItemResult `json:"items"`
	Errors []Error      `json:"errors"`

	// Baseline is set when only packages new or changed against a base were
	// checked (--base, --base-lockfile).
	Baseline *BaselineSummary `json:"baseline,omitempty"`
	// Policy holds the policy's diagnostics for this run: warnings and
	// notices of the policy files, and exceptions that matched nothing.
	Policy []policy.Diagnostic `json:"policy,omitempty"`

	// onError is the policy's on-error action.
	onError Action
	// unchecked names the rules whose evidence was not gathered in this
	// run, with why; their items read "not checked", never "pass".
	unchecked map[string]string
	// disabled names the rules the policy turned off (their items read
	// "off" at any level).
	disabled map[string]bool
}

// BaselineSummary says what a diff-aware check left out.
type BaselineSummary struct {
	Base string `json:"base"`
	// Checked packages are new or changed against the base; Unchanged ones
	// (distinct) were not re-checked.
	Checked   int `json:"checked"`
	Unchanged int `json:"unchanged"`
}

// LockfileSummary describes one lockfile that was checked.
type LockfileSummary struct {
	Path          string             `json:"path"`
	Format        lockfile.Format    `json:"format"`
	FormatVersion string             `json:"formatVersion,omitempty"`
	Ecosystem     lockfile.Ecosystem `json:"ecosystem"`
	Packages      int                `json:"packages"`
}

// PackageResult is one package of one lockfile, as the report shows it.
type PackageResult struct {
	Lockfile string `json:"lockfile"`
	lockfile.Package
	// Provenance is set when provenance was gathered (not offline, not
	// --no-provenance).
	Provenance *ProvenanceReport `json:"provenance,omitempty"`
	// Metadata is what the package's registry says of it (publish time,
	// deprecation, yanks, project status), set when registry metadata was
	// read (not offline), with or without provenance.
	Metadata *provenance.Metadata `json:"metadata,omitempty"`
}

// Finding is one rule's verdict on one package (or lockfile).
type Finding struct {
	Rule string `json:"rule"`
	// Item is the principle item the rule enforces (C1.1, C2.1, ...).
	Item string `json:"item"`
	// ID identifies the finding: an advisory id, or the rule's own reason
	// ("missing-hash").
	ID        string             `json:"id"`
	Aliases   []string           `json:"aliases"`
	Ecosystem lockfile.Ecosystem `json:"ecosystem"`
	Name      string             `json:"name"`
	Version   string             `json:"version"`
	Lockfile  string             `json:"lockfile"`
	// Line is the lockfile line of the package entry, 0 when unknown.
	Line    int      `json:"line,omitempty"`
	Chain   []string `json:"chain,omitempty"`
	Action  Action   `json:"action"`
	Message string   `json:"message"`
	// Severity (NONE, LOW, MEDIUM, HIGH, CRITICAL, UNKNOWN) and CVSS Score
	// of a vulnerability; Summary of an advisory; Fixed lists the versions
	// that fix it, lowest first.
	Severity string   `json:"severity,omitempty"`
	Score    float64  `json:"score,omitempty"`
	Summary  string   `json:"summary,omitempty"`
	Fixed    []string `json:"fixed,omitempty"`
	// Why says what decided the action (the policy line or default, with
	// where it came from); Change says what would change the outcome.
	Why    string `json:"why"`
	Change string `json:"change,omitempty"`
	// Exception names the policy exception that ignored the finding.
	Exception string `json:"exception,omitempty"`
	// Reachability of a vulnerability finding (level 3, npm and Python):
	// "reachable" when the project's own code imports the package or a
	// direct dependency that depends on it, "unreachable" when it does not,
	// "unknown" when that could not be worked out; empty when not assessed.
	// Import-level, not call-level (guard/reach).
	Reachability string `json:"reachability,omitempty"`
}

// ItemResult summarises one principle item.
type ItemResult struct {
	Item
	// Status is one of ItemStatuses (guard/verdict.go): "off" (above the
	// configured level or turned off), "not checked" (its evidence was not
	// gathered in this run), "error" (gathering it failed), "pass", "warn"
	// or "block".
	Status   string `json:"status"`
	Findings int    `json:"findings"`
	// Note says why an item was not checked or could not complete.
	Note string `json:"note,omitempty"`
}

// ErrorKind separates bad input from checks that could not complete.
type ErrorKind string

const (
	// InputError: the input is invalid (unparsable lockfile, missing path).
	InputError ErrorKind = "input"
	// CheckError: a check could not complete (network, unreadable DB).
	CheckError ErrorKind = "check"
)

// Error is a problem that kept part of the check from being done.
type Error struct {
	Kind    ErrorKind `json:"kind"`
	Path    string    `json:"path,omitempty"`
	Message string    `json:"message"`
	// Action is "warn" for a check error the policy's on-error = "warn"
	// lets pass; such an error does not make the run exit 3.
	Action Action `json:"action,omitempty"`
	// Rules names the rules whose evidence the error left ungathered; their
	// items read "error". Empty for an input error, which leaves every
	// rule incomplete.
	Rules []string `json:"rules,omitempty"`
}

// Reachability values.
const (
	ReachReachable   = "reachable"
	ReachUnreachable = "unreachable"
	ReachUnknown     = "unknown"
)

// Exit codes, documented in README.
const (
	ExitAllow      = 0
	ExitBlocked    = 1
	ExitInvalid    = 2
	ExitIncomplete = 3
)

// ExitCode maps a report to guard's exit code. Invalid input wins over an
// incomplete check, which wins over a block: a run that could not look at
// everything must never look like a clean pass or like an ordinary block.
func (r *Report) ExitCode() int {
	code := ExitAllow
	for _, e := range r.Errors {
		switch e.Kind {
		case InputError:
			return ExitInvalid
		case CheckError:
			if e.Action != Warn {
				code = ExitIncomplete
			}
		}
	}
	if code != ExitAllow {
		return code
	}
	if r.Verdict == VerdictError {
		// A report marked error without a recorded error still never
		// exits 0.
		return ExitIncomplete
	}
	if r.Verdict == VerdictBlock {
		return ExitBlocked
	}
	return ExitAllow
}
