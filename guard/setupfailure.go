package guard

import "strings"

// SetupFailure is the report of a run that failed before checking
// anything: verdict error, exit code as given (2 or 3), the messages
// printed on stderr as its error.
func SetupFailure(code int, printed string) *Report {
	kind := InputError
	if code == ExitIncomplete {
		kind = CheckError
	}
	var lines []string
	for _, l := range strings.Split(printed, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	msg := strings.Join(lines, "; ")
	if msg == "" {
		msg = "the check could not start"
	}
	return &Report{SchemaVersion: ReportSchemaVersion, Verdict: VerdictError,
		Lockfiles: []LockfileSummary{}, Packages: []PackageResult{}, Findings: []Finding{},
		Items: []ItemResult{}, Errors: []Error{{Kind: kind, Message: msg}}}
}
