package policy

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// Policy is the effective, merged policy of one run. It is safe for
// concurrent use; Decide records which exceptions were used.
type Policy struct {
	c         *config
	files     []File
	orgLoaded bool
	orgFile   string
	today     Date

	mu   sync.Mutex
	used map[*Exception]bool
}

// File is one policy file that was loaded.
type File struct {
	Role Role   `json:"role"`
	Path string `json:"path"` // path or URL (without the #sha256= pin)
	// SHA256 is the hex digest of the content used.
	SHA256 string `json:"sha256"`
	// Cached: a remote policy read from the local cache because the URL
	// could not be fetched (or the run is offline).
	Cached bool `json:"cached,omitempty"`
}

func newPolicy(c *config, files []File, orgFile string, today Date) *Policy {
	p := &Policy{c: c, files: files, today: today, used: map[*Exception]bool{}}
	for _, f := range files {
		if f.Role == RoleOrg {
			p.orgLoaded, p.orgFile = true, orgFile
		}
	}
	return p
}

// Default is the policy of a run with no policy file and no flags.
func Default() *Policy {
	c, _ := merge(nil, nil, "", Flags{}, dateOf(time.Now()))
	return newPolicy(c, nil, "", dateOf(time.Now()))
}

// Level is the principle level (0–3).
func (p *Policy) Level() int { return p.c.level.V }

// Mode is the default action of a finding: Block or Warn.
func (p *Policy) Mode() Action { return p.c.mode.V }

// OnError is what a check that cannot complete does: Block (guard's exit
// 3) or Warn.
func (p *Policy) OnError() Action { return p.c.onError.V }

// MaxDBAge bounds the age of an offline advisory DB; 0 means no bound.
func (p *Policy) MaxDBAge() time.Duration { return p.c.maxDBAge.V }

// Files lists the policy files in layer order (org, then project).
func (p *Policy) Files() []File { return append([]File(nil), p.files...) }

// RuleEnabled reports whether guard should run a rule whose principle item
// is on from itemLevel: the level reaches it and the rule is not off.
// Malware is always on.
func (p *Policy) RuleEnabled(rule string, itemLevel int) bool {
	on, _ := p.RuleStatus(rule, itemLevel)
	return on
}

// RuleStatus is RuleEnabled with the reason, for reports ("off: on from
// level 3; level = 2 (org.toml:1)").
func (p *Policy) RuleStatus(rule string, itemLevel int) (bool, string) {
	if rule == RuleMalware {
		return true, "malware is always on"
	}
	lv := p.c.level
	if itemLevel > lv.V {
		return false, fmt.Sprintf("on from level %d; level = %d (%s)", itemLevel, lv.V, lv.From)
	}
	if rule == RuleVulnerability {
		if p.vulnOff() {
			return false, fmt.Sprintf("[vulnerabilities] decides no vulnerability blocks or warns (block-severity %s, warn-severity %s)", p.c.vuln.block.From, p.c.vuln.warn.From)
		}
	} else if spec, ok := RuleOf(rule); ok {
		if a, from, text := resolveAction(p.c, spec); a == Off {
			return false, fmt.Sprintf("%s = \"off\" (%s)", text, from)
		}
	}
	return true, fmt.Sprintf("on from level %d; level = %d (%s)", itemLevel, lv.V, lv.From)
}

func (p *Policy) vulnOff() bool {
	for _, l := range severityLabels {
		if a, _, _ := vulnAction(p.c.vuln, p.c.mode, l, false); a != Ignored {
			return false
		}
	}
	return true
}

// Action is what guard asks for each finding: the action, the policy line
// that decided it, and the exception that ignored it (if any). It marks a
// matching exception as used.
func (p *Policy) Action(rule string, s Subject) (Action, string, *Exception) {
	s.Rule = rule
	d := p.Decide(s)
	return d.Action, d.Why, d.Exception
}

// Decide decides one finding and marks a matching exception as used.
func (p *Policy) Decide(s Subject) Decision { return p.decide(s, true) }

// Peek decides like Decide without marking exceptions as used (for
// "guard explain" and other what-if questions).
func (p *Policy) Peek(s Subject) Decision { return p.decide(s, false) }

func (p *Policy) decide(s Subject, mark bool) Decision {
	var d Decision
	switch spec, known := RuleOf(s.Rule); {
	case s.Rule == RuleMalware:
		d = Decision{Action: Block, From: defaultOrigin,
			Why: "malware always blocks, at every level and in either mode"}
	case s.Rule == RuleVulnerability:
		d.Action, d.Why, d.From = vulnAction(p.c.vuln, p.c.mode, s.Severity, s.Unreachable)
	case known:
		a, from, text := resolveAction(p.c, spec)
		d = Decision{Action: a, From: from, Why: fmt.Sprintf("%s = %q (%s)", text, a, from)}
	default:
		d = Decision{Action: p.c.mode.V, From: p.c.mode.From,
			Why: fmt.Sprintf("mode = %q (%s); rule %q has no policy table", p.c.mode.V, p.c.mode.From, s.Rule)}
	}
	if d.Action == Off {
		d.Action = Ignored
	}
	if d.Action == Ignored {
		return d
	}
	for _, e := range p.c.exceptions {
		if e.From.Role == RoleProject && !p.orgLoaded && safetyFloor[s.Rule] {
			// Without an org policy a project file cannot loosen the
			// safety floor, not even through an exception without a rule.
			continue
		}
		if e.matches(s) {
			if mark {
				p.mu.Lock()
				p.used[e] = true
				p.mu.Unlock()
			}
			return Decision{Action: Ignored, From: e.From, Exception: e,
				Why:    fmt.Sprintf("exception at %s until %s: %s", e.From, e.Expires, e.Reason),
				Change: fmt.Sprintf("the finding is %s again once the exception expires or is removed", d.Action)}
		}
	}
	d.Change = p.change(s, d)
	return d
}

// change says what would change a block or warn decision.
func (p *Policy) change(s Subject, d Decision) string {
	if s.Rule == RuleMalware {
		return fmt.Sprintf("only an [[exception]] with rule = \"malware\", package = %q, version = %q, a reason and an expires date", s.Name, s.Version)
	}
	var ex strings.Builder
	fmt.Fprintf(&ex, "an [[exception]] with rule = %q", s.Rule)
	if s.ID != "" && s.Rule != RulePinning {
		fmt.Fprintf(&ex, ", id = %q", s.ID)
	} else if s.Name != "" {
		fmt.Fprintf(&ex, ", package = %q", s.Name)
		if s.Version != "" {
			fmt.Fprintf(&ex, ", version = %q", s.Version)
		}
	}
	ex.WriteString(", a reason and an expires date would ignore it")
	if p.orgLoaded && !p.c.allowProject.V {
		fmt.Fprintf(&ex, " (in the org policy %s: it does not allow project exceptions)", p.orgFile)
	}
	switch {
	case d.From.Kind == FromFile && d.From.Role == RoleOrg:
		fmt.Fprintf(&ex, "; the value is the org policy's (%s), which a project cannot lower", d.From)
	case d.From.Kind == FromFile || d.From.Kind == FromFlag:
		fmt.Fprintf(&ex, "; or change %s", d.From)
	}
	return ex.String()
}

// vulnAction decides a vulnerability of a severity label.
func vulnAction(v vulnConfig, mode setting[Action], label string, unreachable bool) (Action, string, Origin) {
	lbl := strings.ToUpper(label)
	if isUnknownSeverity(lbl) {
		lbl = "UNKNOWN"
	}
	followsMode := !v.block.Set
	blockTh, blockFrom := v.block.V, v.block.From
	if followsMode {
		blockTh, blockFrom = thNever, mode.From
		if mode.V == Block {
			blockTh = thAny
		}
	}
	warnTh, warnFrom := thAny, defaultOrigin
	if v.warn.Set {
		warnTh, warnFrom = v.warn.V, v.warn.From
	}
	var a Action
	var why string
	var from Origin
	switch {
	case lbl == "UNKNOWN" && v.unrated.Set:
		a, from = v.unrated.V, v.unrated.From
		why = fmt.Sprintf("[vulnerabilities] unrated = %q (%s): the vulnerability has no severity rating", v.unrated.V, from)
	case blockTh.meets(lbl):
		a, from = Block, blockFrom
		if followsMode {
			why = fmt.Sprintf("mode = \"block\" (%s): vulnerabilities of any severity take the mode", from)
		} else {
			why = fmt.Sprintf("%s meets [vulnerabilities] block-severity = %q (%s)", lbl, blockTh, from)
		}
	case warnTh.meets(lbl):
		a, from = Warn, warnFrom
		switch {
		case followsMode && !v.warn.Set:
			from = mode.From
			why = fmt.Sprintf("mode = \"warn\" (%s): vulnerabilities of any severity take the mode", from)
		case followsMode:
			why = fmt.Sprintf("mode = \"warn\" (%s); %s meets [vulnerabilities] warn-severity = %q (%s)", mode.From, lbl, warnTh, warnFrom)
		default:
			why = fmt.Sprintf("%s is below [vulnerabilities] block-severity = %q (%s) and meets warn-severity = %q (%s)", lbl, blockTh, blockFrom, warnTh, warnFrom)
		}
	default:
		a, from = Ignored, warnFrom
		why = fmt.Sprintf("%s is below [vulnerabilities] warn-severity = %q (%s)", lbl, warnTh, warnFrom)
	}
	if a == Off {
		a = Ignored
	}
	if unreachable && v.unreachable.Set && v.unreachable.V.rank() < a.rank() {
		a, from = v.unreachable.V, v.unreachable.From
		if a == Off {
			a = Ignored
		}
		why = fmt.Sprintf("[vulnerabilities] unreachable = %q (%s): the vulnerable code is not reached", v.unreachable.V, from)
	}
	return a, why, from
}

// matches reports whether the exception covers a finding. Malware findings
// are covered only by exceptions that say rule = "malware" (which name one
// exact package and version).
func (e *Exception) matches(s Subject) bool {
	if s.Rule == RuleMalware && e.Rule != RuleMalware {
		return false
	}
	if e.Rule != "" && e.Rule != s.Rule {
		return false
	}
	if e.ID != "" && !strings.EqualFold(e.ID, s.ID) {
		found := false
		for _, a := range s.Aliases {
			if strings.EqualFold(e.ID, a) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if e.pkg != nil && !e.pkg.Match(s.Ecosystem, s.Name) {
		return false
	}
	if e.Version != "" && e.Version != s.Version {
		return false
	}
	return true
}

// Exceptions lists the exceptions in force (org first, then project).
func (p *Policy) Exceptions() []*Exception { return append([]*Exception(nil), p.c.exceptions...) }

// Unused lists the exceptions no Decide call has used so far.
func (p *Policy) Unused() []*Exception {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []*Exception
	for _, e := range p.c.exceptions {
		if !p.used[e] {
			out = append(out, e)
		}
	}
	return out
}

// UnusedDiagnostics turns Unused into warnings, for the end of a run.
func (p *Policy) UnusedDiagnostics() []Diagnostic {
	var out []Diagnostic
	for _, e := range p.Unused() {
		out = append(out, Diagnostic{Level: LevelWarning, File: e.From.File, Line: e.From.Line, Key: e.From.Key,
			Message: fmt.Sprintf("exception (%s) matched no finding in this run: remove it if it is no longer needed", e.describe())})
	}
	return out
}

// ProvenanceRequired reports whether a package must carry provenance
// ([provenance] require) and which pattern says so.
func (p *Policy) ProvenanceRequired(ecosystem, name string) (bool, Pattern) {
	pat, ok := matchAny(p.c.require, ecosystem, name)
	return ok, pat
}

// PublisherPins lists the [[provenance.publisher]] pins matching a package.
func (p *Policy) PublisherPins(ecosystem, name string) []PublisherPin {
	var out []PublisherPin
	for _, pin := range p.c.publishers {
		if pin.Package.Match(ecosystem, name) {
			out = append(out, pin)
		}
	}
	return out
}

// MinAge is [cooldown] min-age (0: the cooldown rule holds nothing back).
func (p *Policy) MinAge() (time.Duration, Origin) { return p.c.minAge.V, p.c.minAge.From }

// CooldownExempt reports whether [cooldown] allow lists a package.
func (p *Policy) CooldownExempt(ecosystem, name string) (bool, Pattern) {
	pat, ok := matchAny(p.c.cooldownAllow, ecosystem, name)
	return ok, pat
}

// InstallScriptsAllowed reports whether [install-scripts] allow lists a
// package.
func (p *Policy) InstallScriptsAllowed(ecosystem, name string) (bool, Pattern) {
	pat, ok := matchAny(p.c.scriptsAllow, ecosystem, name)
	return ok, pat
}

// SourceRules is the [sources] policy of one ecosystem.
type SourceRules struct {
	// Registries are the allowed registry base URLs (normalised: lower-case
	// scheme and host, no trailing slash); nil means the policy does not
	// restrict registries.
	Registries     []string `json:"registries"`
	RegistriesFrom Origin   `json:"registriesFrom"`
	// Hosts are further allowed download hosts (globs).
	Hosts     []string `json:"hosts"`
	HostsFrom Origin   `json:"hostsFrom"`
	// Scoped maps an npm scope ("@myorg") to the one registry its packages
	// must come from.
	Scoped     map[string]string `json:"scoped"`
	ScopedFrom map[string]Origin `json:"scopedFrom"`
	// ResolvedMatch: a lockfile's resolved URL must be on an allowed host
	// and name the package and version it is recorded for.
	ResolvedMatch     bool   `json:"resolvedMatch"`
	ResolvedMatchFrom Origin `json:"resolvedMatchFrom"`
}

// Sources is the [sources] policy of an ecosystem (npm, PyPI, crates.io).
func (p *Policy) Sources(ecosystem string) SourceRules {
	r := SourceRules{ResolvedMatch: p.c.resolvedMatch.V, ResolvedMatchFrom: p.c.resolvedMatch.From,
		Scoped: map[string]string{}, ScopedFrom: map[string]Origin{}, RegistriesFrom: defaultOrigin, HostsFrom: defaultOrigin}
	if eco, ok := ecosystemOf(ecosystem); ok {
		ecosystem = eco
	}
	if es := p.c.sources[ecosystem]; es != nil {
		if es.registries.Set {
			r.Registries, r.RegistriesFrom = append([]string{}, es.registries.V...), es.registries.From
		}
		if es.hosts.Set {
			r.Hosts, r.HostsFrom = append([]string{}, es.hosts.V...), es.hosts.From
		}
		for k, v := range es.scoped {
			r.Scoped[k], r.ScopedFrom[k] = v.V, v.From
		}
	}
	return r
}
