package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Default values: with no policy file guard behaves as with the flags
// alone (level 2, mode block, malware blocks, RustSec informational
// advisories warn, vulnerabilities of every severity take the mode).
const (
	DefaultLevel    = 2
	DefaultMode     = Block
	DefaultOnError  = Block
	DefaultMaxDBAge = 7 * day
)

func defaults() *config {
	c := newConfig()
	c.level = setting[int]{V: DefaultLevel, From: defaultOrigin}
	c.mode = setting[Action]{V: DefaultMode, From: defaultOrigin}
	c.onError = setting[Action]{V: DefaultOnError, From: defaultOrigin}
	c.maxDBAge = setting[time.Duration]{V: DefaultMaxDBAge, From: defaultOrigin}
	c.minAge = setting[time.Duration]{From: defaultOrigin}
	c.resolvedMatch = setting[bool]{From: defaultOrigin}
	c.allowProject = setting[bool]{From: defaultOrigin}
	c.maxLifetime = setting[time.Duration]{From: defaultOrigin}
	return c
}

// clone copies a config deeply enough that applying a layer to the copy
// leaves the original as it was.
func (c *config) clone() *config {
	n := *c
	n.actions = make(map[string]setting[Action], len(c.actions))
	for k, v := range c.actions {
		n.actions[k] = v
	}
	n.require = append([]Pattern(nil), c.require...)
	n.publishers = append([]PublisherPin(nil), c.publishers...)
	n.cooldownAllow = append([]Pattern(nil), c.cooldownAllow...)
	n.scriptsAllow = append([]Pattern(nil), c.scriptsAllow...)
	n.exceptions = append([]*Exception(nil), c.exceptions...)
	n.typo = c.typo.clone()
	n.sources = make(map[string]*ecoSources, len(c.sources))
	for k, v := range c.sources {
		e := *v
		e.scoped = make(map[string]setting[string], len(v.scoped))
		for s, u := range v.scoped {
			e.scoped[s] = u
		}
		n.sources[k] = &e
	}
	return &n
}

// Flags are the one-run overrides (the third layer). Set only the flags the
// user gave: they may tighten the policy files, never weaken them.
type Flags struct {
	Level    *int           // --level
	Mode     string         // --mode ("" = not given)
	MaxDBAge *time.Duration // --max-db-age (0 = no limit)
}

type merger struct {
	eff       *config
	orgLoaded bool
	orgFile   string
	today     Date
	diags     []Diagnostic
}

// merge layers org, project (either may be nil) and flags over the
// defaults, reporting every value that would weaken a lower layer.
func merge(org, proj *config, orgFile string, flags Flags, today Date) (*config, []Diagnostic) {
	m := &merger{eff: defaults(), today: today}
	if org != nil {
		m.orgLoaded, m.orgFile = true, orgFile
		m.applyOrg(org)
	}
	if proj != nil {
		m.applyProject(proj)
	}
	m.applyFlags(flags)
	return m.eff, m.diags
}

func (m *merger) applyOrg(o *config) {
	e := m.eff
	setIf(&e.level, o.level)
	setIf(&e.mode, o.mode)
	setIf(&e.onError, o.onError)
	setIf(&e.maxDBAge, o.maxDBAge)
	for k, v := range o.actions {
		e.actions[k] = v
	}
	setIf(&e.vuln.block, o.vuln.block)
	setIf(&e.vuln.warn, o.vuln.warn)
	setIf(&e.vuln.unrated, o.vuln.unrated)
	setIf(&e.vuln.unreachable, o.vuln.unreachable)
	e.require = append(e.require, o.require...)
	e.publishers = append(e.publishers, o.publishers...)
	setIf(&e.minAge, o.minAge)
	e.cooldownAllow = append(e.cooldownAllow, o.cooldownAllow...)
	e.scriptsAllow = append(e.scriptsAllow, o.scriptsAllow...)
	for eco, s := range o.sources {
		es := e.eco(eco)
		setIf(&es.registries, s.registries)
		setIf(&es.hosts, s.hosts)
		for k, v := range s.scoped {
			es.scoped[k] = v
		}
	}
	setIf(&e.resolvedMatch, o.resolvedMatch)
	setIf(&e.allowProject, o.allowProject)
	setIf(&e.maxLifetime, o.maxLifetime)
	e.exceptions = append(e.exceptions, o.exceptions...)
	m.applyTypoOrg(o)
}

func setIf[T any](dst *setting[T], src setting[T]) {
	if src.Set {
		*dst = src
	}
}

// weakened records an error at the value that would weaken the floor.
func (m *merger) weakened(at Origin, format string, args ...any) {
	d := Diagnostic{Level: LevelError, Message: fmt.Sprintf(format, args...)}
	switch at.Kind {
	case FromFile:
		d.File, d.Line, d.Key = at.File, at.Line, at.Key
	case FromFlag:
		d.Key = at.Flag
	}
	m.diags = append(m.diags, d)
}

// floorText describes the value a layer may not weaken.
func (m *merger) floorText(key, val string, o Origin) string {
	switch {
	case o.Kind == FromFile && o.Role == RoleOrg:
		return fmt.Sprintf("the org policy's %s = %s (%s)", key, val, o)
	case o.Kind == FromFile:
		return fmt.Sprintf("the project policy's %s = %s (%s)", key, val, o)
	case o.Kind == FromFlag:
		return fmt.Sprintf("%s %s", o.Flag, val)
	case m.orgLoaded:
		return fmt.Sprintf("%s = %s, the default the org policy (%s) keeps", key, val, m.orgFile)
	}
	return fmt.Sprintf("%s = %s (default)", key, val)
}

func q(s any) string { return strconv.Quote(fmt.Sprint(s)) }

func quoteList(l []string) string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = strconv.Quote(s)
	}
	return strings.Join(out, ", ")
}

// safetyFloor lists the values a file inside the checked repository may
// tighten but never loosen, with or without an org policy: what a check
// that cannot complete does, and the rules that treat evidence of an
// attack (a known malicious package, provenance that fails verification).
// Without an org policy the built-in defaults are this floor; only the org
// policy (--policy, GUARD_POLICY, the system or user config file, all
// outside the repository) may loosen it. docs/security.md, "Trust boundary".
var safetyFloor = map[string]bool{RuleMalware: true, RuleProvenanceInvalid: true}

// IsSafetyFloor reports whether a rule is part of the safety floor.
func IsSafetyFloor(rule string) bool { return safetyFloor[rule] }

// floorMay says who may loosen a safety-floor value when no org policy is
// loaded.
const floorMay = "a file inside the project may only tighten guard's safety floor (on-error, malware, provenance-invalid); " +
	"to loosen it, set it in an org policy outside the repository (--policy FILE, GUARD_POLICY, " + SystemPolicyPath + " or <user config>/guard/policy.toml)"

func (m *merger) applyProject(p *config) {
	base := m.eff.clone()
	e := m.eff
	floor := m.orgLoaded // without an org policy the project is the policy, above the safety floor
	const may = "a project may only tighten the org policy"
	mayFloor := may
	if !floor {
		mayFloor = floorMay
	}

	if p.level.Set {
		if floor && p.level.V < base.level.V {
			m.weakened(p.level.From, "level = %d would weaken %s; %s (raise the level)", p.level.V, m.floorText("level", strconv.Itoa(base.level.V), base.level.From), may)
		} else {
			e.level = p.level
		}
	}
	m.tightenAction(&e.mode, p.mode, base.mode, "mode", floor, may)
	m.tightenAction(&e.onError, p.onError, base.onError, "on-error", true, mayFloor)
	if p.maxDBAge.Set {
		if floor && longerAge(p.maxDBAge.V, base.maxDBAge.V) {
			m.weakened(p.maxDBAge.From, "max-db-age = %q would weaken %s; %s (shorten it)", formatDuration(p.maxDBAge.V), m.floorText("max-db-age", q(formatDuration(base.maxDBAge.V)), base.maxDBAge.From), may)
		} else {
			e.maxDBAge = p.maxDBAge
		}
	}
	for _, spec := range inFileOrder {
		s, ok := p.actions[spec.Name]
		if !ok {
			continue
		}
		cur, curFrom, curText := resolveAction(base, spec)
		if (floor || safetyFloor[spec.Name]) && s.V.rank() < cur.rank() {
			why := may
			if safetyFloor[spec.Name] {
				why = mayFloor
			}
			m.weakened(s.From, "[%s] %s = %q would weaken %s; %s", spec.Table, spec.Key, s.V, m.floorText(curText, q(cur), curFrom), why)
			continue
		}
		e.actions[spec.Name] = s
	}
	m.tightenVuln(base, p, floor)
	e.require = append(e.require, p.require...)
	e.publishers = append(e.publishers, p.publishers...)
	if p.minAge.Set {
		if floor && p.minAge.V < base.minAge.V {
			m.weakened(p.minAge.From, "min-age = %q would weaken %s; %s (lengthen it)", formatDuration(p.minAge.V), m.floorText("[cooldown] min-age", q(formatDuration(base.minAge.V)), base.minAge.From), may)
		} else {
			e.minAge = p.minAge
		}
	}
	e.cooldownAllow = m.allowlist(base.cooldownAllow, e.cooldownAllow, p.cooldownAllow, "[cooldown] allow", floor)
	e.scriptsAllow = m.allowlist(base.scriptsAllow, e.scriptsAllow, p.scriptsAllow, "[install-scripts] allow", floor)
	m.tightenSources(base, p, floor)
	m.applyTypoProject(base, p, floor)
	if p.resolvedMatch.Set {
		if floor && base.resolvedMatch.V && !p.resolvedMatch.V {
			m.weakened(p.resolvedMatch.From, "resolved-match = false would weaken %s; %s", m.floorText("[sources] resolved-match", "true", base.resolvedMatch.From), may)
		} else {
			e.resolvedMatch = p.resolvedMatch
		}
	}
	for _, x := range p.exceptions {
		if m.projectException(base, x) {
			e.exceptions = append(e.exceptions, x)
		}
	}
}

func (m *merger) tightenAction(dst *setting[Action], s, base setting[Action], key string, floor bool, may string) {
	if !s.Set {
		return
	}
	if floor && s.V.rank() < base.V.rank() {
		m.weakened(s.From, "%s = %q would weaken %s; %s", key, s.V, m.floorText(key, q(base.V), base.From), may)
		return
	}
	*dst = s
}

// longerAge reports whether a max-db-age a is looser than b (0 = no limit).
func longerAge(a, b time.Duration) bool {
	return b != 0 && (a == 0 || a > b)
}

// resolveAction is a rule's action in c, where it came from, and the key
// text that decided it.
func resolveAction(c *config, spec Rule) (Action, Origin, string) {
	if s, ok := c.actions[spec.Name]; ok {
		return s.V, s.From, fmt.Sprintf("[%s] %s", spec.Table, spec.Key)
	}
	if spec.Default != "" {
		return spec.Default, defaultOrigin, fmt.Sprintf("[%s] %s", spec.Table, spec.Key)
	}
	return c.mode.V, c.mode.From, "mode"
}

// tightenVuln applies the project's [vulnerabilities] keys one by one; a
// key that would make any severity's action weaker than the org's is an
// error.
func (m *merger) tightenVuln(base, p *config, floor bool) {
	type key struct {
		name  string
		apply func(v *vulnConfig) bool
	}
	keys := []key{
		{"block-severity", func(v *vulnConfig) bool { setIf(&v.block, p.vuln.block); return p.vuln.block.Set }},
		{"warn-severity", func(v *vulnConfig) bool { setIf(&v.warn, p.vuln.warn); return p.vuln.warn.Set }},
		{"unrated", func(v *vulnConfig) bool { setIf(&v.unrated, p.vuln.unrated); return p.vuln.unrated.Set }},
		{"unreachable", func(v *vulnConfig) bool { setIf(&v.unreachable, p.vuln.unreachable); return p.vuln.unreachable.Set }},
	}
	origins := map[string]Origin{"block-severity": p.vuln.block.From, "warn-severity": p.vuln.warn.From,
		"unrated": p.vuln.unrated.From, "unreachable": p.vuln.unreachable.From}
	for _, k := range keys {
		cand := m.eff.vuln
		if !k.apply(&cand) {
			continue
		}
		if floor {
			if label, unreach, was, now := weakerVuln(base.vuln, base.mode, cand, m.eff.mode); was != "" {
				what := label + " vulnerability"
				if unreach {
					what = "an unreachable " + what
				} else {
					what = "a " + what
				}
				_, why, _ := vulnAction(base.vuln, base.mode, label, unreach)
				m.weakened(origins[k.name], "[vulnerabilities] %s would weaken the org policy: %s would %s instead of %s (org: %s); a project may only tighten the org policy",
					k.name, what, verb(now), verb(was), why)
				continue
			}
		}
		m.eff.vuln = cand
	}
}

func verb(a Action) string {
	if a == Ignored || a == Off {
		return "be ignored"
	}
	return string(a)
}

// weakerVuln finds a severity for which b decides less than a.
func weakerVuln(a vulnConfig, amode setting[Action], b vulnConfig, bmode setting[Action]) (label string, unreachable bool, was, now Action) {
	for _, unreach := range []bool{false, true} {
		for _, l := range severityLabels {
			x, _, _ := vulnAction(a, amode, l, unreach)
			y, _, _ := vulnAction(b, bmode, l, unreach)
			if y.rank() < x.rank() {
				return l, unreach, x, y
			}
		}
	}
	return "", false, "", ""
}

// allowlist adds a project's allowlist entries: with an org policy only
// entries the org already lists are accepted (an allowlist loosens).
func (m *merger) allowlist(base, eff, proj []Pattern, name string, floor bool) []Pattern {
	for _, p := range proj {
		if _, dup := findPattern(base, p.Text); dup {
			continue
		}
		if floor {
			m.weakened(p.From, "%q would loosen the org policy: only the org policy (%s) may add to %s (or add a time-limited [[exception]] where the org allows them)", p.Text, m.orgFile, name)
			continue
		}
		eff = append(eff, p)
	}
	return eff
}

func findPattern(ps []Pattern, text string) (Pattern, bool) {
	for _, p := range ps {
		if p.Text == text {
			return p, true
		}
	}
	return Pattern{}, false
}

func (m *merger) tightenSources(base, p *config, floor bool) {
	for _, eco := range []string{EcoNPM, EcoPyPI, EcoCrates} {
		ps := p.sources[eco]
		if ps == nil {
			continue
		}
		b := base.sources[eco]
		if b == nil {
			b = &ecoSources{}
		}
		es := m.eff.eco(eco)
		for _, list := range []struct {
			name      string
			proj, org setting[[]string]
			dst       *setting[[]string]
		}{
			{"registries", ps.registries, b.registries, &es.registries},
			{"hosts", ps.hosts, b.hosts, &es.hosts},
		} {
			if !list.proj.Set {
				continue
			}
			ok := true
			if floor && list.org.Set {
				for _, u := range list.proj.V {
					if !contains(list.org.V, u) {
						m.weakened(list.proj.From, "%q would loosen the org policy: its [sources.%s] %s (%s) allow only %s; a project may only narrow the list", u, ecoKey(eco), list.name, list.org.From, quoteList(list.org.V))
						ok = false
					}
				}
			}
			if ok {
				*list.dst = list.proj
			}
		}
		for scope, s := range ps.scoped {
			if o, ok := b.scoped[scope]; ok && floor && o.V != s.V {
				m.weakened(s.From, "%s = %q would change the org policy's registry for %s (%q at %s)", scope, s.V, scope, o.V, o.From)
				continue
			}
			if es.registries.Set && !contains(es.registries.V, s.V) {
				m.weakened(s.From, "registry %q for %s is not among the allowed [sources.%s] registries (%s)", s.V, scope, ecoKey(eco), es.registries.From)
				continue
			}
			es.scoped[scope] = s
		}
	}
}

// ecoKey is an ecosystem's key under [sources].
func ecoKey(eco string) string {
	switch eco {
	case EcoCrates:
		return `"crates.io"`
	case EcoPyPI:
		return "pypi"
	}
	return eco
}

// projectException accepts a project's exception only where the org
// policy allows project exceptions, within its maximum lifetime.
func (m *merger) projectException(base *config, x *Exception) bool {
	if !m.orgLoaded {
		if safetyFloor[x.Rule] {
			m.weakened(x.From, "an exception for rule %q would loosen guard's safety floor; %s", x.Rule, floorMay)
			return false
		}
		// An exception without a rule still never ignores a floor rule's
		// finding (Policy.decide).
		return true
	}
	if !base.allowProject.V {
		where := fmt.Sprintf("[exceptions] allow-project is not set in %s", m.orgFile)
		if base.allowProject.Set {
			where = fmt.Sprintf("[exceptions] allow-project = false at %s", base.allowProject.From)
		}
		m.weakened(x.From, "the org policy does not allow project exceptions (%s); ask for the exception in the org policy", where)
		return false
	}
	if lim := base.maxLifetime; lim.V > 0 {
		days := m.today.daysUntil(x.Expires)
		if int64(days) > int64(lim.V/day) {
			at := x.expLine
			if at.Kind == "" {
				at = x.From
			}
			m.weakened(at, "expires = %s is %d days away, beyond the org policy's max-lifetime = %q (%s): use a date on or before %s",
				x.Expires, days, formatDuration(lim.V), lim.From, dateOf(m.today.time().Add(lim.V.Truncate(day))))
			return false
		}
	}
	return true
}

func (m *merger) applyFlags(f Flags) {
	base := m.eff.clone()
	e := m.eff
	floorOf := func(o Origin) bool { return m.orgLoaded || o.isFile() }
	const may = "one-run flags may only tighten the policy"
	if f.Level != nil {
		at := Origin{Kind: FromFlag, Flag: "--level"}
		switch {
		case *f.Level < 0 || *f.Level > 3:
			m.weakened(at, "%d is out of range: use 0, 1, 2 or 3", *f.Level)
		case floorOf(base.level.From) && *f.Level < base.level.V:
			m.weakened(at, "--level %d would weaken %s; %s", *f.Level, m.floorText("level", strconv.Itoa(base.level.V), base.level.From), may)
		default:
			e.level = setting[int]{V: *f.Level, Set: true, From: at}
		}
	}
	if f.Mode != "" {
		at := Origin{Kind: FromFlag, Flag: "--mode"}
		a := Action(f.Mode)
		switch {
		case a != Block && a != Warn:
			m.weakened(at, "%q is not valid: use block or warn", f.Mode)
		case floorOf(base.mode.From) && a.rank() < base.mode.V.rank():
			m.weakened(at, "--mode %s would weaken %s; %s", a, m.floorText("mode", q(base.mode.V), base.mode.From), may)
		default:
			e.mode = setting[Action]{V: a, Set: true, From: at}
		}
	}
	if f.MaxDBAge != nil {
		at := Origin{Kind: FromFlag, Flag: "--max-db-age"}
		switch {
		case *f.MaxDBAge < 0:
			m.weakened(at, "must not be negative")
		case floorOf(base.maxDBAge.From) && longerAge(*f.MaxDBAge, base.maxDBAge.V):
			m.weakened(at, "--max-db-age %s would weaken %s; %s", formatDuration(*f.MaxDBAge), m.floorText("max-db-age", q(formatDuration(base.maxDBAge.V)), base.maxDBAge.From), may)
		default:
			e.maxDBAge = setting[time.Duration]{V: *f.MaxDBAge, Set: true, From: at}
		}
	}
}
