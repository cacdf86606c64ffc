package guard

import "github.com/installguard/guard/guard/policy"

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

// Rule names, as they appear in reports and policy files: the policy
// package defines them, so that both sides always spell a rule alike.
// yanked (PEP 592) and quarantined (PEP 792) read the PyPI index data
// gathered with provenance (guard/pypistatus.go).
const (
	RulePinning             = policy.RulePinning
	RuleVulnerability       = policy.RuleVulnerability
	RuleMalware             = policy.RuleMalware
	RuleUnmaintained        = policy.RuleUnmaintained
	RuleUnsound             = policy.RuleUnsound
	RuleNotice              = policy.RuleNotice
	RuleProvenance          = policy.RuleProvenance
	RuleProvenanceInvalid   = policy.RuleProvenanceInvalid
	RuleProvenanceDowngrade = policy.RuleProvenanceDowngrade
	RulePublisher           = policy.RulePublisher
	RuleInstallScripts      = policy.RuleInstallScripts
	RuleSources             = policy.RuleSources
	RuleCooldown            = policy.RuleCooldown
	RuleDeprecated          = policy.RuleDeprecated
	RuleYanked              = policy.RuleYanked
	RuleQuarantined         = policy.RuleQuarantined
	RuleTyposquat           = policy.RuleTyposquat
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
	// Install scripts are how most npm malware runs, the moment it is
	// installed (G2.3: malware). guard cannot tell a malicious script from
	// a needed one, so it lists the scripts policy has not allowed. On from
	// level 3: nearly every project has some (esbuild, sharp, ...) and the
	// rule follows mode, so at level 2 it would block most installs
	// before anyone wrote an allow list.
	{ID: "G2.3", Rule: RuleInstallScripts, Level: 3, Title: "install scripts run only for packages policy allows"},
	// Where packages come from (G2.1: versions are never replaced, names
	// not reused): a package fetched from another registry than policy
	// allows (dependency confusion) or a lockfile whose resolved URL names
	// another package (lockfile poisoning) replaces what the name meant.
	// It gives findings only when the policy lists registries, hosts or
	// scoped registries, or sets resolved-match.
	{ID: "G2.1", Rule: RuleSources, Level: 2, Title: "packages come from the registries and hosts policy allows"},
	// A cooldown gives the registry and OSV time to catch malware in new
	// versions (G2.3). It holds nothing back until policy sets min-age.
	{ID: "G2.3", Rule: RuleCooldown, Level: 2, Title: "versions newer than the policy's min-age are held back"},
	// Deprecated versions still install but are marked (the WG's package
	// deletion policy), like RustSec's unmaintained crates (C2.1): warns by
	// default, whatever the mode.
	{ID: "C2.1", Rule: RuleDeprecated, Level: 2, Title: "deprecated npm versions and deprecated or archived PyPI projects are reported"},
	// PEP 592: a yanked file still installs when pinned exactly, as
	// lockfiles pin; its authors withdrew it, which is worth knowing before
	// installing (a known problem, like C2.1's advisories).
	{ID: "C2.1", Rule: RuleYanked, Level: 2, Title: "yanked PyPI files are reported"},
	// PEP 792: an index quarantines a project it suspects of malware (G2.3).
	{ID: "G2.3", Rule: RuleQuarantined, Level: 2, Title: "packages of quarantined PyPI projects are held back"},
	// G1.2: a name that imitates a popular package or one the
	// organisation protects (guard/typosquat.go).
	{ID: "G1.2", Rule: RuleTyposquat, Level: 2, Title: "packages whose names imitate popular or protected ones are held back"},
}

func itemOf(rule string) Item {
	for _, it := range Items {
		if it.Rule == rule {
			return it
		}
	}
	return Item{Rule: rule}
}
