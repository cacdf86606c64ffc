package policy

// The policy file format: every table and key, as policyTables and
// topTable declare them for the reader (parse.go) and Settings (show.go).

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/installguard/guard/lockfile/tomlpos"
)

// ruleTableOf is the table of a rule whose action is its only key.
func ruleTableOf(rule string) *table {
	r, _ := RuleOf(rule)
	return &table{name: r.Table, example: fmt.Sprintf("[%s] action = \"block\"", r.Table), keys: []key{actionKey(rule)}}
}

// policyTables are the tables of a policy file, in the order files and
// `guard policy show` list them. Tables of rules in ruleTable that are not
// listed here (a rule with only an action) follow, before [exceptions].
var policyTables = withRuleTables(slices.Concat(
	[]*table{ruleTableOf(RulePinning), vulnerabilitiesTable},
	advisoryTables(), // [malware], [unmaintained], [unsound], [notice]
	[]*table{{name: "provenance", example: `[provenance] require = ["npm:@myorg/*"]`,
		keys: []key{actionKey(RuleProvenance), actionKey(RuleProvenanceInvalid), actionKey(RuleProvenanceDowngrade), actionKey(RulePublisher),
			patternsKey("require", func(c *config) *[]Pattern { return &c.require }),
			{name: "publisher", read: func(p *fileParser, segs []string, v any) {
				for i, t := range p.tables(segs, v, "[[provenance.publisher]]") {
					p.publisher(with(segs, tomlpos.Index(i)), t)
				}
			}}}},
		{name: "cooldown", example: `[cooldown] min-age = "48h"`,
			keys: []key{actionKey(RuleCooldown),
				durationKey("min-age", func(c *config) *setting[time.Duration] { return &c.minAge }),
				patternsKey("allow", func(c *config) *[]Pattern { return &c.cooldownAllow })}},
		{name: "install-scripts", example: `[install-scripts] allow = ["esbuild"]`,
			keys: []key{actionKey(RuleInstallScripts),
				patternsKey("allow", func(c *config) *[]Pattern { return &c.scriptsAllow })}},
		sourcesTable,
		ruleTableOf(RuleYanked),
		ruleTableOf(RuleDeprecated),
		ruleTableOf(RuleQuarantined),
		typosquatTable,
		exceptionsTable,
	}))

// vulnerabilitiesTable is [vulnerabilities]: the vulnerability rule is
// decided by severity, not by an action.
var vulnerabilitiesTable = &table{name: "vulnerabilities", example: `[vulnerabilities] block-severity = "high"`,
	keys: []key{severityKey("block-severity"), severityKey("warn-severity"),
		optional("unrated", (*fileParser).actionOrOff, func(c *config) *setting[Action] { return &c.vuln.unrated }, nil),
		optional("unreachable", (*fileParser).actionOrOff, func(c *config) *setting[Action] { return &c.vuln.unreachable }, nil)},
	hints: map[string]string{"action": `vulnerabilities are decided by severity: block-severity = "any" blocks every vulnerability, block-severity = "never" with warn-severity = "any" warns, both "never" turns the rule off`}}

// advisoryTables are the tables of the advisory rules (a Class in
// ruleTable) whose action is their only key, in ruleTable order: they
// follow [vulnerabilities], so a new advisory class needs only its row.
func advisoryTables() []*table {
	var out []*table
	for _, r := range ruleTable {
		if r.Class != "" && r.Key == "action" {
			out = append(out, ruleTableOf(r.Name))
		}
	}
	return out
}

func withRuleTables(ts []*table) []*table {
	listed := map[string]bool{}
	for _, t := range ts {
		listed[t.name] = true
	}
	last := ts[len(ts)-1] // [exceptions]
	ts = ts[:len(ts)-1]
	for _, r := range ruleTable {
		if !listed[r.Table] && r.Key == "action" {
			listed[r.Table] = true
			ts = append(ts, ruleTableOf(r.Name))
		}
	}
	return append(ts, last)
}

// topTable is the document: its own keys, then the tables.
var topTable = func() *table {
	t := &table{keys: []key{
		{name: "level", read: (*fileParser).level,
			show: func(c *config, name string, add adder) { add(name, c.level.V, c.level.From, "") }},
		modeKey("mode", func(c *config) *setting[Action] { return &c.mode }),
		modeKey("on-error", func(c *config) *setting[Action] { return &c.onError }),
		durationKey("max-db-age", func(c *config) *setting[time.Duration] { return &c.maxDBAge }),
	}, hints: map[string]string{"vulnerability": `the table is [vulnerabilities]`}}
	for _, pt := range policyTables {
		k := tableKey(pt)
		if pt == exceptionsTable {
			k.read = (*fileParser).exceptions
		}
		t.keys = append(t.keys, k)
	}
	t.keys = append(t.keys, key{name: "exception", read: func(p *fileParser, segs []string, v any) {
		for i, e := range p.tables(segs, v, "[[exception]]") {
			if e != nil {
				p.exception(with(segs, tomlpos.Index(i)), e)
			}
		}
	}})
	return t
}()

func (p *fileParser) top(m map[string]any) { p.readKeys(nil, m, topTable) }

func (p *fileParser) level(segs []string, v any) {
	n, ok := v.(int64)
	if !ok {
		p.errorf(segs, "must be an integer 0, 1, 2 or 3, not %s", tomlpos.TypeName(v))
	} else if n < 0 || n > 3 {
		p.errorf(segs, "%d is out of range: use 0, 1, 2 or 3", n)
	} else {
		p.cfg.level = setting[int]{V: int(n), Set: true, From: p.origin(segs)}
	}
}

func severityKey(name string) key {
	at := func(c *config) *setting[threshold] {
		if name == "block-severity" {
			return &c.vuln.block
		}
		return &c.vuln.warn
	}
	k := optional(name, func(p *fileParser, segs []string, v any) (setting[threshold], bool) {
		s, ok := p.str(segs, v)
		if !ok {
			return setting[threshold]{}, false
		}
		th, ok := parseThreshold(s)
		if !ok {
			p.errorf(segs, "%q is not valid: use \"any\", \"low\", \"medium\", \"high\", \"critical\" or \"never\"", s)
			return setting[threshold]{}, false
		}
		return setting[threshold]{V: th, Set: true, From: p.origin(segs)}, true
	}, at, nil)
	k.show = func(c *config, name string, add adder) {
		switch s := at(c); {
		case s.Set:
			add(name, s.V.String(), s.From, "")
		case name == "vulnerabilities.warn-severity":
			add(name, thAny.String(), defaultOrigin, "")
		case c.mode.V == Block:
			add(name, thAny.String(), c.mode.From, "follows mode")
		default:
			add(name, thNever.String(), c.mode.From, "follows mode")
		}
	}
	return k
}

var sourcesTable = &table{name: "sources", example: `[sources.npm] registries = ["https://registry.example.com/"]`,
	keys: []key{actionKey(RuleSources),
		boolKey("resolved-match", func(c *config) *setting[bool] { return &c.resolvedMatch }),
		ecoSourcesKey("npm", EcoNPM), ecoSourcesKey("pypi", EcoPyPI), ecoSourcesKey("crates-io", EcoCrates)},
	other: func(p *fileParser, segs []string, k string, v any) (bool, string) {
		if t, ok := v.(map[string]any); ok && k == "crates" && t["io"] != nil {
			return false, `[sources.crates.io] is a table "crates" holding a table "io": write [sources."crates.io"] or [sources.crates-io]`
		}
		if eco, ok := ecosystemOf(k); ok {
			ecoSourcesTable(eco, k).read(p, segs, v)
			return true, ""
		}
		return false, ""
	}}

func ecoSourcesKey(name, eco string) key {
	return key{name: name, sub: ecoSourcesTable(eco, name),
		read: func(p *fileParser, segs []string, v any) { ecoSourcesTable(eco, name).read(p, segs, v) }}
}

// ecoSourcesTable is [sources.<written>] for an ecosystem; it is shown as
// [sources.<ecoKey>].
func ecoSourcesTable(eco, written string) *table {
	at := func(c *config) *ecoSources { return c.eco(eco) }
	urls := func(name, example string, check func(p *fileParser, segs []string, s string) (string, bool),
		field func(es *ecoSources) *setting[[]string]) key {
		return key{name: name, list: true,
			read: func(p *fileParser, segs []string, v any) {
				list, _ := p.strList(segs, v, example)
				var out []string
				for i, s := range list {
					if u, ok := check(p, with(segs, tomlpos.Index(i)), s); ok {
						out = append(out, u)
					}
				}
				*field(at(p.cfg)) = setting[[]string]{V: out, Set: true, From: p.origin(segs)}
			},
			show: func(c *config, name string, add adder) {
				if es := c.sources[eco]; es != nil && field(es).Set {
					for _, u := range field(es).V {
						add(name, u, field(es).From, "")
					}
				}
			}}
	}
	return &table{name: ecoKey(eco), example: fmt.Sprintf(`[sources.%s] registries = ["https://registry.example.com/"]`, written),
		keys: []key{
			urls("registries", `["https://registry.example.com/"]`, func(p *fileParser, segs []string, s string) (string, bool) {
				u, insecure, err := normalizeRegistry(s)
				if err != nil {
					p.errorf(segs, "%v", err)
					return "", false
				}
				if insecure {
					p.add(LevelWarning, segs, "%q is plain http: packages can be altered in transit", s)
				}
				return u, true
			}, func(es *ecoSources) *setting[[]string] { return &es.registries }),
			urls("hosts", `["files.example.com"]`, func(p *fileParser, segs []string, s string) (string, bool) {
				if err := checkHostGlob(s); err != nil {
					p.errorf(segs, "%v", err)
					return "", false
				}
				return strings.ToLower(s), true
			}, func(es *ecoSources) *setting[[]string] { return &es.hosts }),
			{name: "scoped-registries", read: func(p *fileParser, segs []string, v any) { p.scopedRegistries(segs, eco, v) },
				show: func(c *config, name string, add adder) {
					es := c.sources[eco]
					if es == nil {
						return
					}
					scopes := make([]string, 0, len(es.scoped))
					for s := range es.scoped {
						scopes = append(scopes, s)
					}
					sort.Strings(scopes)
					for _, s := range scopes {
						add(name+"."+tomlKey(s), es.scoped[s].V, es.scoped[s].From, "")
					}
				}}},
		check: func(p *fileParser, segs []string, _ map[string]any) {
			if es := at(p.cfg); es.registries.Set {
				for scope, s := range es.scoped {
					if !contains(es.registries.V, s.V) {
						p.errorf(with(segs, "scoped-registries", scope), "registry %q is not among this file's [%s] registries", s.V, displayKey(segs))
					}
				}
			}
		}}
}

func (p *fileParser) scopedRegistries(segs []string, eco string, v any) {
	if eco != EcoNPM {
		p.errorf(segs, "scoped registries exist only for npm")
		return
	}
	t, ok := p.table(segs, v, `scoped-registries = { "@myorg" = "https://npm.myorg.example/" }`)
	if !ok {
		return
	}
	for _, scope := range p.keysInOrder(segs, t) {
		ss := with(segs, scope)
		if !npmScope().MatchString(scope) {
			p.errorf(ss, "%q is not an npm scope: write it with its @, e.g. \"@myorg\"", scope)
			continue
		}
		s, ok := p.str(ss, t[scope])
		if !ok {
			continue
		}
		u, _, err := normalizeRegistry(s)
		if err != nil {
			p.errorf(ss, "%v", err)
			continue
		}
		p.cfg.eco(eco).scoped[scope] = setting[string]{V: u, Set: true, From: p.origin(ss)}
	}
}

var exceptionsTable = &table{name: "exceptions", example: `[exceptions] allow-project = true`,
	keys: []key{boolKey("allow-project", func(c *config) *setting[bool] { return &c.allowProject }),
		optional("max-lifetime", func(p *fileParser, segs []string, v any) (setting[time.Duration], bool) {
			s, ok := p.duration(segs, v)
			if ok && s.V > 0 && s.V < day {
				p.errorf(segs, "max-lifetime must be at least one day (\"1d\") or \"0\" for no limit")
				return s, false
			}
			return s, ok
		}, func(c *config) *setting[time.Duration] { return &c.maxLifetime }, func(d time.Duration) any { return formatDuration(d) })}}

// exceptions reads [exceptions], which only the org policy may hold.
func (p *fileParser) exceptions(segs []string, v any) {
	if _, isList := v.([]map[string]any); isList {
		p.errorf(segs, "[[exceptions]] is not a table of this format: write [[exception]] (singular) for each exception; [exceptions] holds allow-project and max-lifetime")
		return
	}
	m, ok := p.table(segs, v, exceptionsTable.example)
	if !ok {
		return
	}
	if p.role == RoleProject {
		p.errorf(segs, "[exceptions] can only be set by the org policy")
		return
	}
	p.readKeys(segs, m, exceptionsTable)
}

// publisher reads one [[provenance.publisher]] pin; a pin with errors is
// left out.
func (p *fileParser) publisher(segs []string, m map[string]any) {
	if m == nil {
		return
	}
	pin := PublisherPin{From: p.origin(segs)}
	errs := p.errs
	glob := func(name string, dst *string) key {
		return strKey(name, func(ks []string, s string) {
			if err := checkGlob(s); err != nil {
				p.errorf(ks, "%q: %v", s, err)
			}
			*dst = s
		})
	}
	p.readKeys(segs, m, &table{keys: []key{
		strKey("package", func(ks []string, s string) { pin.Package, _ = p.pattern(ks, s) }),
		strKey("repository", func(ks []string, s string) {
			if err := checkGlob(trimScheme(s)); err != nil || !strings.Contains(trimScheme(s), "/") {
				p.errorf(ks, "%q is not a repository glob: use host/owner/name, e.g. \"github.com/myorg/*\"", s)
			}
			pin.Repository = s
		}),
		glob("workflow", &pin.Workflow), glob("ref", &pin.Ref)},
		check: func(p *fileParser, segs []string, m map[string]any) {
			for _, k := range []string{"package", "repository"} {
				if _, has := m[k]; !has {
					p.errorf(segs, "a publisher pin needs %s", k)
				}
			}
		}})
	if p.errs == errs {
		p.cfg.publishers = append(p.cfg.publishers, pin)
	}
}

// exception reads one [[exception]]; an exception with errors is left out.
func (p *fileParser) exception(segs []string, m map[string]any) {
	e := &Exception{From: p.origin(segs)}
	errs := p.errs
	p.readKeys(segs, m, &table{keys: []key{
		strKey("rule", func(ks []string, s string) {
			if _, known := RuleOf(s); !known {
				msg := fmt.Sprintf("%q is not a rule", s)
				if g := suggest(s, Rules()); g != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", g)
				} else {
					msg += "; rules: " + strings.Join(Rules(), ", ")
				}
				p.errorf(ks, "%s", msg)
			}
			e.Rule = s
		}),
		strKey("id", func(ks []string, s string) {
			if strings.TrimSpace(s) == "" {
				p.errorf(ks, "is empty")
			}
			e.ID = strings.TrimSpace(s)
		}),
		strKey("package", func(ks []string, s string) {
			if pat, ok := p.pattern(ks, s); ok {
				e.Package, e.pkg = s, &pat
			}
		}),
		strKey("version", func(ks []string, s string) {
			if strings.TrimSpace(s) == "" || strings.ContainsAny(s, `*?[\^~<>=, |`) {
				p.errorf(ks, "%q: version must be one exact version (no globs or ranges)", s)
			}
			e.Version = s
		}),
		strKey("reason", func(ks []string, s string) {
			if strings.TrimSpace(s) == "" {
				p.errorf(ks, "reason is empty: say why the exception is safe")
			}
			e.Reason = s
		}),
		{name: "expires", read: func(p *fileParser, ks []string, v any) {
			e.Expires, e.expOK = p.date(ks, v)
			e.expLine = p.origin(ks)
		}}},
		check: func(p *fileParser, segs []string, m map[string]any) { p.checkException(segs, m, e) }})
	if p.errs == errs {
		p.cfg.exceptions = append(p.cfg.exceptions, e)
	}
}

// checkException reports what an exception lacks as a whole.
func (p *fileParser) checkException(segs []string, m map[string]any, e *Exception) {
	if _, has := m["reason"]; !has {
		p.errorf(segs, "exception has no reason: add reason = \"why this is safe\"")
	}
	if _, has := m["expires"]; !has {
		p.errorf(segs, "exception has no expires date: add expires = %s (a TOML date)", p.today.time().AddDate(0, 0, 30).Format("2006-01-02"))
	}
	if m["id"] == nil && m["package"] == nil {
		p.errorf(segs, "exception names neither an id nor a package: it would match every finding; to turn a rule off, set its action = \"off\"")
	}
	if e.Rule == RuleMalware || strings.HasPrefix(strings.ToUpper(e.ID), "MAL-") {
		switch {
		case e.Rule != RuleMalware:
			p.errorf(segs, "an exception for malicious-package record %s must say rule = \"malware\" and name the exact package and version", e.ID)
		case e.pkg == nil && m["package"] == nil:
			p.errorf(segs, "a malware exception must name one exact package")
		case e.pkg != nil && !e.pkg.exact():
			p.errorf(with(segs, "package"), "a malware exception must name one exact package, not the glob %q", e.Package)
		}
		if e.Rule == RuleMalware && e.Version == "" {
			p.errorf(segs, "a malware exception must name the exact version")
		}
	}
	if e.expOK {
		switch days := p.today.daysUntil(e.Expires); {
		case days < 0:
			p.add(LevelError, with(segs, "expires"), "exception expired on %s (%s): remove it, or renew it with a new expires date if it is still needed", e.Expires, e.describe())
		case days <= soonDays:
			p.add(LevelNotice, with(segs, "expires"), "exception expires on %s, in %d days (%s)", e.Expires, days, e.describe())
		}
	}
}

// describe names what the exception matches: `rule vulnerability, id X, package Y@1.0`.
func (e *Exception) describe() string {
	var parts []string
	if e.Rule != "" {
		parts = append(parts, "rule "+e.Rule)
	}
	if e.ID != "" {
		parts = append(parts, "id "+e.ID)
	}
	if e.Package != "" {
		pkg := e.Package
		if e.Version != "" {
			pkg += "@" + e.Version
		}
		parts = append(parts, "package "+pkg)
	} else if e.Version != "" {
		parts = append(parts, "version "+e.Version)
	}
	return strings.Join(parts, ", ")
}
