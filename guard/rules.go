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
	// VerdictError: a lockfile could not be read or a check could not
	// complete (exit 2 or 3). See guard/verdict.go.
	VerdictError Verdict = "error"
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

// Items lists the principle items, in report order: one per rule of the
// rule table (guard/policy/rules.go), which says why each is where it is.
var Items = func() []Item {
	var out []Item
	for _, r := range policy.RuleTable() {
		out = append(out, Item{ID: r.Item, Rule: r.Name, Level: r.Level, Title: r.Title})
	}
	return out
}()

func itemOf(rule string) Item {
	for _, it := range Items {
		if it.Rule == rule {
			return it
		}
	}
	return Item{Rule: rule}
}
