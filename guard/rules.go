package guard

// Action is what a finding does to the verdict.
type Action string

const (
	Block   Action = "block"
	Warn    Action = "warn"
	Ignored Action = "ignored"
)

// Verdict is the outcome of a check.
type Verdict string

const (
	Allow        Verdict = "allow"
	VerdictWarn  Verdict = "warn"
	VerdictBlock Verdict = "block"
)

// Rule names, as they appear in reports and (later) policy files.
const (
	RulePinning       = "pinning"
	RuleVulnerability = "vulnerability"
	RuleMalware       = "malware"
	RuleUnmaintained  = "unmaintained"
	RuleUnsound       = "unsound"
	RuleNotice        = "notice"

	RuleProvenance          = "provenance"
	RuleProvenanceInvalid   = "provenance-invalid"
	RuleProvenanceDowngrade = "provenance-downgrade"
	RulePublisher           = "publisher"
)

// Item is one principle item guard enforces: which rule enforces it, from
// which policy level it is on, and what a finding does by default.
type Item struct {
	ID    string `json:"item"`
	Rule  string `json:"rule"`
	Level int    `json:"level"`
	Title string `json:"title"`
}

// Items lists the principle items, in report order. See docs in README
// ("What guard enforces") for the source of each.
var Items = []Item{
	{ID: "C1.1", Rule: RulePinning, Level: 1, Title: "installs are pinned by version and hash"},
	{ID: "C2.1", Rule: RuleVulnerability, Level: 2, Title: "known vulnerabilities are reported before installing"},
	// Malware is on at every level: no level of maturity installs a package
	// known to be malicious (G2.3, G3.3).
	{ID: "G2.3", Rule: RuleMalware, Level: 0, Title: "known malicious packages always block"},
	{ID: "C2.1", Rule: RuleUnmaintained, Level: 2, Title: "RustSec: unmaintained crates"},
	{ID: "C2.1", Rule: RuleUnsound, Level: 2, Title: "RustSec: unsound crates"},
	{ID: "C2.1", Rule: RuleNotice, Level: 2, Title: "RustSec: notices"},
	// An attestation that is present but fails verification is treated as
	// an attack, at every level.
	{ID: "Z3.3", Rule: RuleProvenanceInvalid, Level: 0, Title: "provenance that fails verification blocks"},
	{ID: "Z3.3", Rule: RuleProvenanceDowngrade, Level: 2, Title: "a package that had provenance does not silently lose it"},
	// Provenance is required only for the packages policy names.
	{ID: "Z3.3", Rule: RuleProvenance, Level: 0, Title: "required build provenance is present and verified"},
	// Publisher pins come from policy; a verified identity that differs
	// from the pin blocks by default.
	{ID: "Z3.3", Rule: RulePublisher, Level: 0, Title: "packages are built by the publisher policy pins"},
}

func itemOf(rule string) Item {
	for _, it := range Items {
		if it.Rule == rule {
			return it
		}
	}
	return Item{Rule: rule}
}
