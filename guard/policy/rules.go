package policy

// Rule names, as guard uses them in findings, reports and exceptions.
const (
	RulePinning             = "pinning"
	RuleVulnerability       = "vulnerability"
	RuleMalware             = "malware"
	RuleUnmaintained        = "unmaintained"
	RuleUnsound             = "unsound"
	RuleNotice              = "notice"
	RuleProvenance          = "provenance"
	RuleProvenanceInvalid   = "provenance-invalid"
	RuleProvenanceDowngrade = "provenance-downgrade"
	RulePublisher           = "publisher"
	RuleCooldown            = "cooldown"
	RuleInstallScripts      = "install-scripts"
	RuleSources             = "sources"
	RuleYanked              = "yanked"
	RuleDeprecated          = "deprecated"
	RuleQuarantined         = "quarantined"
	RuleTyposquat           = "typosquat"
)

// Rule is one row of guard's rule table: everything about a rule that is
// not its check. Policy files, `guard policy show`, the report's items,
// SARIF rule descriptors and docs/rules.md's rules table all read it.
type Rule struct {
	Name string
	// Table and Key locate the rule's action in a policy file:
	// [Table] Key = "block" | "warn" | "off". The vulnerability rule has no
	// action key (Key ""): its severity thresholds decide (vulnAction).
	Table, Key string
	// Default is the action when no file sets one; "" follows mode.
	Default Action
	// Item is the principle item the rule enforces, Level the policy level
	// from which it is on (0: at every level), Title the item's line in
	// reports.
	Item  string
	Level int
	Title string
	// Class is the verify/advisory class whose OSV records the rule reports
	// ("" for rules that are not advisories): its finding ids are OSV ids.
	// Kind names one such finding in reports ("Known vulnerability").
	Class, Kind string
}

// ruleTable lists every rule, in report order. Adding a rule is its check
// (its own file in guard), a row here and its tests: a rule whose only key
// is the action of its own table needs nothing else, its table is read and
// shown from this row. A table with more keys is one entry of policyTables
// (format.go) and the config fields it fills.
var ruleTable = []Rule{
	{Name: RulePinning, Table: "pinning", Key: "action",
		Item: "C1.1", Level: 1, Title: "installs are pinned by version and hash"},
	{Name: RuleVulnerability, Table: "vulnerabilities",
		Item: "C2.1", Level: 2, Title: "known vulnerabilities are reported before installing",
		Class: "vulnerability", Kind: "Known vulnerability"},
	// Malware is on at every level: no level of maturity installs a package
	// known to be malicious (G2.3, G3.3).
	{Name: RuleMalware, Table: "malware", Key: "action", Default: Block,
		Item: "G2.3", Level: 0, Title: "known malicious packages always block",
		Class: "malware", Kind: "Known malicious package"},
	{Name: RuleUnmaintained, Table: "unmaintained", Key: "action", Default: Warn,
		Item: "C2.1", Level: 2, Title: "RustSec: unmaintained crates",
		Class: "unmaintained", Kind: "RustSec: unmaintained crate"},
	{Name: RuleUnsound, Table: "unsound", Key: "action", Default: Warn,
		Item: "C2.1", Level: 2, Title: "RustSec: unsound crates",
		Class: "unsound", Kind: "RustSec: unsound crate"},
	{Name: RuleNotice, Table: "notice", Key: "action", Default: Warn,
		Item: "C2.1", Level: 2, Title: "RustSec: notices",
		Class: "notice", Kind: "RustSec: notice"},
	// An attestation that is present but fails verification is treated as
	// an attack, at every level.
	{Name: RuleProvenanceInvalid, Table: "provenance", Key: "invalid", Default: Block,
		Item: "Z3.3", Level: 0, Title: "provenance that fails verification blocks"},
	{Name: RuleProvenanceDowngrade, Table: "provenance", Key: "downgrade",
		Item: "Z3.3", Level: 2, Title: "a package that had provenance does not silently lose it"},
	// Provenance is required only for the packages policy names.
	{Name: RuleProvenance, Table: "provenance", Key: "action",
		Item: "Z3.3", Level: 0, Title: "required build provenance is present and verified"},
	// Publisher pins come from policy; a verified identity that differs
	// from the pin blocks by default.
	{Name: RulePublisher, Table: "provenance", Key: "mismatch", Default: Block,
		Item: "Z3.3", Level: 0, Title: "packages are built by the publisher policy pins"},
	// Install scripts are how most npm malware runs, the moment it is
	// installed (G2.3: malware). guard cannot tell a malicious script from
	// a needed one, so it lists the scripts policy has not allowed. On from
	// level 3: nearly every project has some (esbuild, sharp, ...) and the
	// rule follows mode, so at level 2 it would block most installs
	// before anyone wrote an allow list.
	{Name: RuleInstallScripts, Table: "install-scripts", Key: "action",
		Item: "G2.3", Level: 3, Title: "install scripts run only for packages policy allows"},
	// Where packages come from (G2.1: versions are never replaced, names
	// not reused): a package fetched from another registry than policy
	// allows (dependency confusion) or a lockfile whose resolved URL names
	// another package (lockfile poisoning) replaces what the name meant.
	// It gives findings only when the policy lists registries, hosts or
	// scoped registries, or sets resolved-match.
	{Name: RuleSources, Table: "sources", Key: "action",
		Item: "G2.1", Level: 2, Title: "packages come from the registries and hosts policy allows"},
	// A cooldown gives the registry and OSV time to catch malware in new
	// versions (G2.3). It holds nothing back until policy sets min-age.
	{Name: RuleCooldown, Table: "cooldown", Key: "action",
		Item: "G2.3", Level: 2, Title: "versions newer than the policy's min-age are held back"},
	// Deprecated versions still install but are marked (the WG's package
	// deletion policy), like RustSec's unmaintained crates (C2.1): warns by
	// default, whatever the mode.
	{Name: RuleDeprecated, Table: "deprecated", Key: "action", Default: Warn,
		Item: "C2.1", Level: 2, Title: "deprecated npm versions and deprecated or archived PyPI projects are reported"},
	// PEP 592: a yanked file still installs when pinned exactly, as
	// lockfiles pin; its authors withdrew it, which is worth knowing before
	// installing (a known problem, like C2.1's advisories).
	{Name: RuleYanked, Table: "yanked", Key: "action",
		Item: "C2.1", Level: 2, Title: "yanked PyPI files are reported"},
	// PEP 792: an index quarantines a project it suspects of malware (G2.3).
	{Name: RuleQuarantined, Table: "quarantined", Key: "action",
		Item: "G2.3", Level: 2, Title: "packages of quarantined PyPI projects are held back"},
	// G1.2: a name that imitates a popular package or one the
	// organisation protects (guard/typosquat.go).
	{Name: RuleTyposquat, Table: "typosquat", Key: "action",
		Item: "G1.2", Level: 2, Title: "packages whose names imitate popular or protected ones are held back"},
}

// RuleTable lists every rule, in report order.
func RuleTable() []Rule { return append([]Rule(nil), ruleTable...) }

// RuleOf returns a rule's row.
func RuleOf(name string) (Rule, bool) {
	for _, r := range ruleTable {
		if r.Name == name {
			return r, true
		}
	}
	return Rule{}, false
}

// AdvisoryRules lists the rules whose findings are OSV advisories.
func AdvisoryRules() []string {
	var out []string
	for _, r := range ruleTable {
		if r.Class != "" {
			out = append(out, r.Name)
		}
	}
	return out
}

// AdvisoryRule returns the rule that reports advisories of a class
// (verify/advisory.Class), and whether there is one.
func AdvisoryRule(class string) (Rule, bool) {
	for _, r := range ruleTable {
		if r.Class != "" && r.Class == class {
			return r, true
		}
	}
	return Rule{}, false
}

// Rules lists every rule name the policy knows, in policy file order.
func Rules() []string {
	out := make([]string, len(inFileOrder))
	for i, r := range inFileOrder {
		out[i] = r.Name
	}
	return out
}

// inFileOrder is ruleTable in the order of the policy file's tables and
// keys (policyTables).
var inFileOrder = func() []Rule {
	var out []Rule
	for _, t := range policyTables {
		for _, r := range ruleTable {
			if r.Table == t.name && r.Key == "" {
				out = append(out, r)
			}
		}
		for _, k := range t.keys {
			if r, ok := RuleOf(k.rule); ok {
				out = append(out, r)
			}
		}
	}
	return out
}()
