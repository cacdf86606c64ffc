package policy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Action is what a finding does: block, warn or ignored. In a policy file
// a rule's action is block, warn or off; off turns the rule off and its
// findings (if asked about) are Ignored.
type Action string

const (
	Block   Action = "block"
	Warn    Action = "warn"
	Ignored Action = "ignored"
	// Off is a file value only: the rule is not run.
	Off Action = "off"
)

// rank orders actions from weakest to strictest.
func (a Action) rank() int {
	switch a {
	case Block:
		return 2
	case Warn:
		return 1
	}
	return 0
}

// Rule names, as guard uses them in findings.
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

// ruleSpec says where a rule's action lives in the file and what it is
// when no file sets it: "" follows mode.
type ruleSpec struct {
	rule, table, key string
	def              Action
}

// ruleSpecs lists every rule in file order. The vulnerability rule has no
// action key: its severity thresholds decide (see vulnAction).
var ruleSpecs = []ruleSpec{
	{RulePinning, "pinning", "action", ""},
	{RuleVulnerability, "vulnerabilities", "", ""},
	{RuleMalware, "malware", "action", Block},
	{RuleUnmaintained, "unmaintained", "action", Warn},
	{RuleUnsound, "unsound", "action", Warn},
	{RuleNotice, "notice", "action", Warn},
	{RuleProvenance, "provenance", "action", ""},
	{RuleProvenanceInvalid, "provenance", "invalid", Block},
	{RuleProvenanceDowngrade, "provenance", "downgrade", ""},
	{RulePublisher, "provenance", "mismatch", Block},
	{RuleCooldown, "cooldown", "action", ""},
	{RuleInstallScripts, "install-scripts", "action", ""},
	{RuleSources, "sources", "action", ""},
	{RuleYanked, "yanked", "action", ""},
	{RuleDeprecated, "deprecated", "action", Warn},
	{RuleQuarantined, "quarantined", "action", ""},
	{RuleTyposquat, "typosquat", "action", ""},
}

func specOf(rule string) (ruleSpec, bool) {
	for _, s := range ruleSpecs {
		if s.rule == rule {
			return s, true
		}
	}
	return ruleSpec{}, false
}

// Rules lists every rule name the policy knows, in file order.
func Rules() []string {
	out := make([]string, len(ruleSpecs))
	for i, s := range ruleSpecs {
		out[i] = s.rule
	}
	return out
}

// Role says which layer a policy file is.
type Role string

const (
	RoleOrg     Role = "org"
	RoleProject Role = "project"
)

// OriginKind says where an effective value came from.
type OriginKind string

const (
	FromDefault OriginKind = "default"
	FromFile    OriginKind = "file"
	FromFlag    OriginKind = "flag"
)

// Origin records where a value came from: a policy file line, a default
// or a command-line flag.
type Origin struct {
	Kind OriginKind `json:"kind"`
	// File and Line locate the key for values from a policy file (File is
	// the path or URL as loaded); Key is the key as written ("level",
	// "vulnerabilities.block-severity", "exception[2]").
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Key  string `json:"key,omitempty"`
	// Role is the layer of the file (org or project).
	Role Role `json:"role,omitempty"`
	// Flag is the flag that set the value ("--level").
	Flag string `json:"flag,omitempty"`
}

var defaultOrigin = Origin{Kind: FromDefault}

// String is "file:line", "default" or the flag name.
func (o Origin) String() string {
	switch o.Kind {
	case FromFile:
		if o.Line > 0 {
			return fmt.Sprintf("%s:%d", o.File, o.Line)
		}
		return o.File
	case FromFlag:
		return o.Flag
	}
	return "default"
}

func (o Origin) isFile() bool { return o.Kind == FromFile }

// Diagnostic levels.
const (
	LevelError   = "error"
	LevelWarning = "warning"
	LevelNotice  = "notice"
)

// Diagnostic is one problem or remark about a policy: a file error, an
// exception about to expire, an exception that matched nothing, a remote
// policy read from the cache.
type Diagnostic struct {
	Level   string `json:"level"` // error, warning or notice
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Key     string `json:"key,omitempty"`
	Message string `json:"message"`
}

// String is "file:line: level: key: message", leaving out what is unknown.
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.File != "" {
		b.WriteString(d.File)
		if d.Line > 0 {
			fmt.Fprintf(&b, ":%d", d.Line)
		}
		b.WriteString(": ")
	}
	b.WriteString(d.Level)
	b.WriteString(": ")
	if d.Key != "" {
		b.WriteString(d.Key)
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// HasErrors reports whether any diagnostic is an error.
func HasErrors(ds []Diagnostic) bool {
	for _, d := range ds {
		if d.Level == LevelError {
			return true
		}
	}
	return false
}

var (
	// ErrInvalid: a policy file (or flag) is invalid or weakens the org
	// policy; the diagnostics say where. guard maps it to exit 2.
	ErrInvalid = errors.New("invalid policy")
	// ErrUnavailable: the org policy could not be read (remote policy
	// unreachable and not cached). guard maps it to exit 3.
	ErrUnavailable = errors.New("policy unavailable")
)

// Date is a calendar date (TOML local date).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

func dateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

func (d Date) time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// String is YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// MarshalText writes YYYY-MM-DD.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// daysUntil is the number of days from d to e (negative when e is before
// d). It counts with Unix seconds: time.Sub saturates after 292 years.
func (d Date) daysUntil(e Date) int {
	return int((e.time().Unix() - d.time().Unix()) / 86400)
}

// Subject is what guard asks about: one finding of one rule.
type Subject struct {
	Rule      string
	Ecosystem string // OSV name: npm, PyPI, crates.io
	Name      string
	Version   string
	// ID is the finding id (an advisory id, or the rule's own reason such
	// as "missing-hash"); Aliases are the other ids of the advisory.
	ID      string
	Aliases []string
	// Severity is the vulnerability's label: NONE, LOW, MEDIUM, HIGH,
	// CRITICAL or UNKNOWN ("" counts as UNKNOWN).
	Severity string
	// Unreachable marks a vulnerability whose affected code the project
	// does not reach (level 3 analysis; [vulnerabilities] unreachable).
	Unreachable bool
}

// Decision is what the policy does with one finding.
type Decision struct {
	Action Action `json:"action"` // block, warn or ignored
	// Why names the policy value that decided, with where it came from:
	// `[vulnerabilities] block-severity = "high" (org.toml:12): HIGH blocks`.
	Why string `json:"why"`
	// From is where the deciding value came from.
	From Origin `json:"from"`
	// Change says what would change the outcome.
	Change string `json:"change,omitempty"`
	// Exception is the exception that ignored the finding, if any.
	Exception *Exception `json:"exception,omitempty"`
}

// FromFlags is the policy of a run with no policy file: the defaults with
// the given one-run flags on top. Library callers that have no policy use
// it; the CLI uses Load.
func FromFlags(f Flags) (*Policy, error) {
	p, _, err := Load(context.Background(), Sources{Flags: f, NoDiscovery: true})
	return p, err
}
