package policy

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// setting is one value of a layer or of the effective policy, with where it
// came from. Set is false for values no layer gave.
type setting[T any] struct {
	V    T
	Set  bool
	From Origin
}

type vulnConfig struct {
	block, warn          setting[threshold]
	unrated, unreachable setting[Action]
}

type ecoSources struct {
	registries setting[[]string]
	hosts      setting[[]string]
	scoped     map[string]setting[string] // npm scope → registry URL
}

// config is one layer (a file, or the flags) or the merged policy.
type config struct {
	level         setting[int]
	mode          setting[Action]
	onError       setting[Action]
	maxDBAge      setting[time.Duration]
	actions       map[string]setting[Action] // rule → action set in a file
	vuln          vulnConfig
	require       []Pattern
	publishers    []PublisherPin
	minAge        setting[time.Duration]
	cooldownAllow []Pattern
	scriptsAllow  []Pattern
	sources       map[string]*ecoSources // OSV ecosystem name → rules
	resolvedMatch setting[bool]
	allowProject  setting[bool]
	maxLifetime   setting[time.Duration]
	exceptions    []*Exception
}

func newConfig() *config {
	return &config{actions: map[string]setting[Action]{}, sources: map[string]*ecoSources{}}
}

func (c *config) eco(name string) *ecoSources {
	s := c.sources[name]
	if s == nil {
		s = &ecoSources{scoped: map[string]setting[string]{}}
		c.sources[name] = s
	}
	return s
}

// Exception ignores findings it matches until it expires ([[exception]]).
type Exception struct {
	Rule    string `json:"rule,omitempty"`
	ID      string `json:"id,omitempty"`
	Package string `json:"package,omitempty"` // name glob as written, optionally "ecosystem:"-prefixed
	Version string `json:"version,omitempty"`
	Reason  string `json:"reason"`
	Expires Date   `json:"expires"`
	From    Origin `json:"from"`

	pkg     *Pattern
	expOK   bool // expires was a valid date
	expLine Origin
}

// BurntSushi/toml decodes local dates and times into time.Time values in
// zones with these names (its internal LocalDate and LocalTime).
const (
	tomlLocalDate = "date-local"
	tomlLocalTime = "time-local"
)

// MaxFileSize caps a policy file (local or remote).
const MaxFileSize = 1 << 20

// maxErrors caps the errors reported for one file.
const maxErrors = 50

// soonDays: an exception expiring within this many days is a notice.
const soonDays = 14

type fileParser struct {
	file    string
	role    Role
	today   Date
	lines   map[string]int
	cfg     *config
	diags   []Diagnostic
	errs    int
	dropped int
}

// parseFile reads one policy file into a layer. The diagnostics include
// every error found (up to maxErrors) in line order.
func parseFile(name string, data []byte, role Role, today Date) (*config, []Diagnostic) {
	p := &fileParser{file: name, role: role, today: today, cfg: newConfig()}
	if len(data) > MaxFileSize {
		p.diags = append(p.diags, Diagnostic{Level: LevelError, File: name,
			Message: fmt.Sprintf("policy file is larger than %d bytes", MaxFileSize)})
		return p.cfg, p.diags
	}
	var m map[string]any
	if _, err := toml.Decode(string(data), &m); err != nil {
		d := Diagnostic{Level: LevelError, File: name, Message: err.Error()}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			d.Line, d.Key = pe.Position.Line, pe.LastKey
			d.Message = "not valid TOML: " + pe.Message
			if u := strings.TrimSpace(pe.Usage); u != "" && len(u) < 400 {
				d.Message += " (" + strings.Join(strings.Fields(u), " ") + ")"
			}
		}
		p.diags = append(p.diags, d)
		return p.cfg, p.diags
	}
	p.lines = locate(string(data))
	p.top(m)
	sort.SliceStable(p.diags, func(i, j int) bool { return p.diags[i].Line < p.diags[j].Line })
	if p.dropped > 0 {
		p.diags = append(p.diags, Diagnostic{Level: LevelError, File: name,
			Message: fmt.Sprintf("and %d more errors", p.dropped)})
	}
	return p.cfg, p.diags
}

// --- paths, lines and diagnostics

func displayKey(segs []string) string {
	var b strings.Builder
	for i, s := range segs {
		if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
			if n, err := strconv.Atoi(s[1 : len(s)-1]); err == nil {
				fmt.Fprintf(&b, "[%d]", n+1)
				continue
			}
		}
		if i > 0 {
			b.WriteByte('.')
		}
		if s == "" || strings.IndexFunc(s, func(r rune) bool { return r > 127 || !isBareKeyChar(byte(r)) }) >= 0 {
			b.WriteString(strconv.Quote(s))
		} else {
			b.WriteString(s)
		}
	}
	return b.String()
}

func (p *fileParser) line(segs []string) int {
	for n := len(segs); n > 0; n-- {
		if l, ok := p.lines[pathKey(segs[:n])]; ok {
			return l
		}
	}
	return 0
}

func (p *fileParser) origin(segs []string) Origin {
	return Origin{Kind: FromFile, File: p.file, Line: p.line(segs), Key: displayKey(segs), Role: p.role}
}

func (p *fileParser) add(level string, segs []string, format string, args ...any) {
	if level == LevelError {
		p.errs++
		if p.errs > maxErrors {
			p.dropped++
			return
		}
	}
	p.diags = append(p.diags, Diagnostic{Level: level, File: p.file, Line: p.line(segs),
		Key: displayKey(segs), Message: fmt.Sprintf(format, args...)})
}

func (p *fileParser) errorf(segs []string, format string, args ...any) {
	p.add(LevelError, segs, format, args...)
}

func with(segs []string, more ...string) []string {
	return append(append(make([]string, 0, len(segs)+len(more)), segs...), more...)
}

// keysInOrder lists a table's keys in file order (then by name).
func (p *fileParser) keysInOrder(segs []string, m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		li, lj := p.line(with(segs, keys[i])), p.line(with(segs, keys[j]))
		if li != lj {
			return li < lj
		}
		return keys[i] < keys[j]
	})
	return keys
}

func typeName(v any) string {
	switch x := v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case time.Time:
		switch x.Location().String() {
		case tomlLocalDate:
			return "a date"
		case tomlLocalTime:
			return "a time"
		}
		return "a date-time"
	case []map[string]any:
		return "an array of tables"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}

func tableName(segs []string) string {
	if len(segs) == 0 {
		return "the top level"
	}
	return "[" + displayKey(segs) + "]"
}

func (p *fileParser) unknown(segs []string, known []string, hint string) {
	k := segs[len(segs)-1]
	msg := fmt.Sprintf("unknown key %q in %s", k, tableName(segs[:len(segs)-1]))
	if hint != "" {
		msg += ": " + hint
	} else if s := suggest(k, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	} else if len(known) > 0 {
		msg += "; known keys: " + strings.Join(known, ", ")
	}
	p.errorf(segs, "%s", msg)
}

// suggest returns the known key closest to k, if it is close enough to be
// a typo.
func suggest(k string, known []string) string {
	limit := 2
	if len(k) >= 10 {
		limit = 3
	}
	best, bestD := "", limit+1
	for _, c := range known {
		if d := editDistance(strings.ToLower(k), c); d < bestD {
			best, bestD = c, d
		}
	}
	if bestD > len(k)/2 {
		return ""
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// --- typed readers; each reports its own error and returns ok=false

func (p *fileParser) table(segs []string, v any, example string) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		p.errorf(segs, "must be a table, not %s (write e.g. %s)", typeName(v), example)
	}
	return m, ok
}

func (p *fileParser) str(segs []string, v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		p.errorf(segs, "must be a string, not %s", typeName(v))
	}
	return s, ok
}

func (p *fileParser) boolean(segs []string, v any) (bool, bool) {
	b, ok := v.(bool)
	if !ok {
		p.errorf(segs, "must be true or false, not %s", typeName(v))
	}
	return b, ok
}

func (p *fileParser) strList(segs []string, v any, example string) ([]string, bool) {
	arr, ok := v.([]any)
	if !ok {
		p.errorf(segs, "must be an array of strings, not %s (write e.g. %s)", typeName(v), example)
		return nil, false
	}
	out := make([]string, 0, len(arr))
	all := true
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			p.errorf(with(segs, indexSeg(i)), "must be a string, not %s", typeName(e))
			all = false
			continue
		}
		out = append(out, s)
	}
	return out, all
}

func (p *fileParser) action(segs []string, v any, allowOff bool) (setting[Action], bool) {
	s, ok := p.str(segs, v)
	if !ok {
		return setting[Action]{}, false
	}
	switch a := Action(s); a {
	case Block, Warn:
		return setting[Action]{V: a, Set: true, From: p.origin(segs)}, true
	case Off:
		if allowOff {
			return setting[Action]{V: a, Set: true, From: p.origin(segs)}, true
		}
	}
	if allowOff {
		p.errorf(segs, "%q is not valid: use \"block\", \"warn\" or \"off\"", s)
	} else {
		p.errorf(segs, "%q is not valid: use \"block\" or \"warn\"", s)
	}
	return setting[Action]{}, false
}

func (p *fileParser) duration(segs []string, v any) (setting[time.Duration], bool) {
	s, ok := v.(string)
	if !ok {
		p.errorf(segs, "must be a duration string such as \"7d\" or \"48h\", not %s", typeName(v))
		return setting[time.Duration]{}, false
	}
	d, err := parseDuration(s)
	if err != nil {
		p.errorf(segs, "%v", err)
		return setting[time.Duration]{}, false
	}
	return setting[time.Duration]{V: d, Set: true, From: p.origin(segs)}, true
}

func (p *fileParser) patterns(segs []string, v any) []Pattern {
	list, _ := p.strList(segs, v, `["npm:@myorg/*", "left-pad"]`)
	var out []Pattern
	for i, s := range list {
		es := with(segs, indexSeg(i))
		pat, err := parsePattern(s)
		if err != nil {
			p.errorf(es, "%v", err)
			continue
		}
		pat.From = p.origin(es)
		out = append(out, pat)
	}
	return out
}

func (p *fileParser) date(segs []string, v any) (Date, bool) {
	switch x := v.(type) {
	case time.Time:
		if x.Location().String() == tomlLocalDate {
			return dateOf(x), true
		}
		p.errorf(segs, "must be a date such as 2026-03-31, not %s", typeName(v))
		return Date{}, false
	case string:
		if t, err := time.Parse("2006-01-02", strings.TrimSpace(x)); err == nil {
			p.errorf(segs, "%q is a string: write the date without quotes, expires = %s", x, t.Format("2006-01-02"))
		} else {
			p.errorf(segs, "%q is not a date: write a TOML date such as 2026-03-31 (relative dates are not accepted)", x)
		}
		return Date{}, false
	}
	p.errorf(segs, "must be a date such as 2026-03-31, not %s", typeName(v))
	return Date{}, false
}

// --- the file format

var topKeys = []string{"level", "mode", "on-error", "max-db-age", "pinning", "vulnerabilities", "malware",
	"unmaintained", "unsound", "notice", "provenance", "cooldown", "install-scripts", "sources",
	"yanked", "deprecated", "quarantined", "exceptions", "exception"}

// simpleTables are the rule tables whose only key is action.
var simpleTables = map[string]string{
	"pinning": RulePinning, "malware": RuleMalware, "unmaintained": RuleUnmaintained,
	"unsound": RuleUnsound, "notice": RuleNotice, "yanked": RuleYanked,
	"deprecated": RuleDeprecated, "quarantined": RuleQuarantined,
}

func (p *fileParser) top(m map[string]any) {
	c := p.cfg
	for _, k := range p.keysInOrder(nil, m) {
		v, segs := m[k], []string{k}
		switch k {
		case "level":
			n, ok := v.(int64)
			if !ok {
				p.errorf(segs, "must be an integer 0, 1, 2 or 3, not %s", typeName(v))
			} else if n < 0 || n > 3 {
				p.errorf(segs, "%d is out of range: use 0, 1, 2 or 3", n)
			} else {
				c.level = setting[int]{V: int(n), Set: true, From: p.origin(segs)}
			}
		case "mode":
			if s, ok := p.action(segs, v, false); ok {
				c.mode = s
			}
		case "on-error":
			if s, ok := p.action(segs, v, false); ok {
				c.onError = s
			}
		case "max-db-age":
			if s, ok := p.duration(segs, v); ok {
				c.maxDBAge = s
			}
		case "vulnerabilities":
			p.vulnerabilities(segs, v)
		case "provenance":
			p.provenance(segs, v)
		case "cooldown":
			p.cooldown(segs, v)
		case "install-scripts":
			p.installScripts(segs, v)
		case "sources":
			p.sources(segs, v)
		case "exceptions":
			p.exceptionsTable(segs, v)
		case "exception":
			p.exceptionList(segs, v)
		default:
			if rule, ok := simpleTables[k]; ok {
				p.simple(segs, rule, v)
				continue
			}
			hint := ""
			if k == "vulnerability" {
				hint = `the table is [vulnerabilities]`
			}
			p.unknown(segs, topKeys, hint)
		}
	}
}

func (p *fileParser) simple(segs []string, rule string, v any) {
	m, ok := p.table(segs, v, fmt.Sprintf("[%s] action = \"block\"", segs[0]))
	if !ok {
		return
	}
	for _, k := range p.keysInOrder(segs, m) {
		ks := with(segs, k)
		if k != "action" {
			p.unknown(ks, []string{"action"}, "")
			continue
		}
		if rule == RuleMalware {
			if s, ok := m[k].(string); !ok || s != string(Block) {
				if ok {
					p.errorf(ks, "%q is not allowed: malware always blocks (the only value is \"block\"); to allow one package version, add an [[exception]] with rule = \"malware\" and its exact package and version", s)
				} else {
					p.errorf(ks, "must be \"block\", not %s", typeName(m[k]))
				}
				continue
			}
		}
		if s, ok := p.action(ks, m[k], true); ok {
			p.cfg.actions[rule] = s
		}
	}
}

var vulnKeys = []string{"block-severity", "warn-severity", "unrated", "unreachable"}

func (p *fileParser) vulnerabilities(segs []string, v any) {
	m, ok := p.table(segs, v, `[vulnerabilities] block-severity = "high"`)
	if !ok {
		return
	}
	vc := &p.cfg.vuln
	for _, k := range p.keysInOrder(segs, m) {
		ks := with(segs, k)
		switch k {
		case "block-severity", "warn-severity":
			s, ok := p.str(ks, m[k])
			if !ok {
				continue
			}
			th, ok := parseThreshold(s)
			if !ok {
				p.errorf(ks, "%q is not valid: use \"any\", \"low\", \"medium\", \"high\", \"critical\" or \"never\"", s)
				continue
			}
			st := setting[threshold]{V: th, Set: true, From: p.origin(ks)}
			if k == "block-severity" {
				vc.block = st
			} else {
				vc.warn = st
			}
		case "unrated":
			if s, ok := p.action(ks, m[k], true); ok {
				vc.unrated = s
			}
		case "unreachable":
			if s, ok := p.action(ks, m[k], true); ok {
				vc.unreachable = s
			}
		case "action":
			p.unknown(ks, vulnKeys, `vulnerabilities are decided by severity: block-severity = "any" blocks every vulnerability, block-severity = "never" with warn-severity = "any" warns, both "never" turns the rule off`)
		default:
			p.unknown(ks, vulnKeys, "")
		}
	}
}

var provenanceKeys = []string{"action", "invalid", "downgrade", "mismatch", "require", "publisher"}

func (p *fileParser) provenance(segs []string, v any) {
	m, ok := p.table(segs, v, `[provenance] require = ["npm:@myorg/*"]`)
	if !ok {
		return
	}
	for _, k := range p.keysInOrder(segs, m) {
		ks := with(segs, k)
		switch k {
		case "action", "invalid", "downgrade", "mismatch":
			rule := map[string]string{"action": RuleProvenance, "invalid": RuleProvenanceInvalid,
				"downgrade": RuleProvenanceDowngrade, "mismatch": RulePublisher}[k]
			if s, ok := p.action(ks, m[k], true); ok {
				p.cfg.actions[rule] = s
			}
		case "require":
			p.cfg.require = append(p.cfg.require, p.patterns(ks, m[k])...)
		case "publisher":
			for i, t := range p.tables(ks, m[k], "[[provenance.publisher]]") {
				p.publisher(with(ks, indexSeg(i)), t)
			}
		default:
			p.unknown(ks, provenanceKeys, "")
		}
	}
}

// tables reads an array of tables ([[x]] or x = [{...}]); entries that are
// not tables are reported and left out (as nil).
func (p *fileParser) tables(segs []string, v any, example string) []map[string]any {
	switch x := v.(type) {
	case []map[string]any:
		return x
	case []any:
		out := make([]map[string]any, len(x))
		for i, e := range x {
			if t, ok := e.(map[string]any); ok {
				out[i] = t
			} else {
				p.errorf(with(segs, indexSeg(i)), "must be a table, not %s", typeName(e))
			}
		}
		return out
	case map[string]any:
		p.errorf(segs, "must be an array of tables: write %s (double brackets), once per entry", example)
		return nil
	}
	p.errorf(segs, "must be an array of tables, not %s (write %s)", typeName(v), example)
	return nil
}

var publisherKeys = []string{"package", "repository", "workflow", "ref"}

func (p *fileParser) publisher(segs []string, m map[string]any) {
	if m == nil {
		return
	}
	pin := PublisherPin{From: p.origin(segs)}
	ok := true
	for _, k := range p.keysInOrder(segs, m) {
		ks := with(segs, k)
		if !contains(publisherKeys, k) {
			p.unknown(ks, publisherKeys, "")
			continue
		}
		s, isStr := p.str(ks, m[k])
		if !isStr {
			ok = false
			continue
		}
		switch k {
		case "package":
			pat, err := parsePattern(s)
			if err != nil {
				p.errorf(ks, "%v", err)
				ok = false
				continue
			}
			pat.From = p.origin(ks)
			pin.Package = pat
		case "repository":
			if err := checkGlob(trimScheme(s)); err != nil || !strings.Contains(trimScheme(s), "/") {
				p.errorf(ks, "%q is not a repository glob: use host/owner/name, e.g. \"github.com/myorg/*\"", s)
				ok = false
				continue
			}
			pin.Repository = s
		case "workflow":
			if err := checkGlob(s); err != nil {
				p.errorf(ks, "%q: %v", s, err)
				ok = false
				continue
			}
			pin.Workflow = s
		case "ref":
			if err := checkGlob(s); err != nil {
				p.errorf(ks, "%q: %v", s, err)
				ok = false
				continue
			}
			pin.Ref = s
		}
	}
	for _, k := range []string{"package", "repository"} {
		if _, has := m[k]; !has {
			p.errorf(segs, "a publisher pin needs %s", k)
			ok = false
		}
	}
	if ok {
		p.cfg.publishers = append(p.cfg.publishers, pin)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (p *fileParser) cooldown(segs []string, v any) {
	m, ok := p.table(segs, v, `[cooldown] min-age = "48h"`)
	if !ok {
		return
	}
	for _, k := range p.keysInOrder(segs, m) {
		ks := with(segs, k)
		switch k {
		case "action":
			if s, ok := p.action(ks, m[k], true); ok {
				p.cfg.actions[RuleCooldown] = s
			}
		case "min-age":
			if s, ok := p.duration(ks, m[k]); ok {
				p.cfg.minAge = s
			}
		case "allow":
			p.cfg.cooldownAllow = append(p.cfg.cooldownAllow, p.patterns(ks, m[k])...)
		default:
			p.unknown(ks, []string{"action", "min-age", "allow"}, "")
		}
	}
}

func (p *fileParser) installScripts(segs []string, v any) {
	m, ok := p.table(segs, v, `[install-scripts] allow = ["esbuild"]`)
	if !ok {
		return
	}
	for _, k := range p.keysInOrder(segs, m) {
		ks := with(segs, k)
		switch k {
		case "action":
			if s, ok := p.action(ks, m[k], true); ok {
				p.cfg.actions[RuleInstallScripts] = s
			}
		case "allow":
			p.cfg.scriptsAllow = append(p.cfg.scriptsAllow, p.patterns(ks, m[k])...)
		default:
			p.unknown(ks, []string{"action", "allow"}, "")
		}
	}
}

var sourcesKeys = []string{"action", "resolved-match", "npm", "pypi", "crates-io"}

func (p *fileParser) sources(segs []string, v any) {
	m, ok := p.table(segs, v, `[sources.npm] registries = ["https://registry.example.com/"]`)
	if !ok {
		return
	}
	for _, k := range p.keysInOrder(segs, m) {
		ks := with(segs, k)
		switch k {
		case "action":
			if s, ok := p.action(ks, m[k], true); ok {
				p.cfg.actions[RuleSources] = s
			}
		case "resolved-match":
			if b, ok := p.boolean(ks, m[k]); ok {
				p.cfg.resolvedMatch = setting[bool]{V: b, Set: true, From: p.origin(ks)}
			}
		default:
			if t, ok := m[k].(map[string]any); ok && k == "crates" && t["io"] != nil {
				p.unknown(ks, sourcesKeys, `[sources.crates.io] is a table "crates" holding a table "io": write [sources."crates.io"] or [sources.crates-io]`)
				continue
			}
			if eco, ok := ecosystemOf(k); ok {
				p.ecoSources(ks, eco, m[k])
				continue
			}
			p.unknown(ks, sourcesKeys, "")
		}
	}
}

func (p *fileParser) ecoSources(segs []string, eco string, v any) {
	m, ok := p.table(segs, v, fmt.Sprintf(`[sources.%s] registries = ["https://registry.example.com/"]`, segs[len(segs)-1]))
	if !ok {
		return
	}
	es := p.cfg.eco(eco)
	for _, k := range p.keysInOrder(segs, m) {
		ks := with(segs, k)
		switch k {
		case "registries":
			list, _ := p.strList(ks, m[k], `["https://registry.example.com/"]`)
			var out []string
			for i, s := range list {
				u, insecure, err := normalizeRegistry(s)
				if err != nil {
					p.errorf(with(ks, indexSeg(i)), "%v", err)
					continue
				}
				if insecure {
					p.add(LevelWarning, with(ks, indexSeg(i)), "%q is plain http: packages can be altered in transit", s)
				}
				out = append(out, u)
			}
			es.registries = setting[[]string]{V: out, Set: true, From: p.origin(ks)}
		case "hosts":
			list, _ := p.strList(ks, m[k], `["files.example.com"]`)
			var out []string
			for i, s := range list {
				if err := checkHostGlob(s); err != nil {
					p.errorf(with(ks, indexSeg(i)), "%v", err)
					continue
				}
				out = append(out, strings.ToLower(s))
			}
			es.hosts = setting[[]string]{V: out, Set: true, From: p.origin(ks)}
		case "scoped-registries":
			if eco != EcoNPM {
				p.errorf(ks, "scoped registries exist only for npm")
				continue
			}
			t, ok := p.table(ks, m[k], `scoped-registries = { "@myorg" = "https://npm.myorg.example/" }`)
			if !ok {
				continue
			}
			for _, scope := range p.keysInOrder(ks, t) {
				ss := with(ks, scope)
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
				es.scoped[scope] = setting[string]{V: u, Set: true, From: p.origin(ss)}
			}
		default:
			p.unknown(ks, []string{"registries", "hosts", "scoped-registries"}, "")
		}
	}
	if es.registries.Set {
		for scope, s := range es.scoped {
			if !contains(es.registries.V, s.V) {
				p.errorf(with(segs, "scoped-registries", scope), "registry %q is not among this file's [%s] registries", s.V, displayKey(segs))
			}
		}
	}
}

func (p *fileParser) exceptionsTable(segs []string, v any) {
	if _, isList := v.([]map[string]any); isList {
		p.errorf(segs, "[[exceptions]] is not a table of this format: write [[exception]] (singular) for each exception; [exceptions] holds allow-project and max-lifetime")
		return
	}
	m, ok := p.table(segs, v, `[exceptions] allow-project = true`)
	if !ok {
		return
	}
	if p.role == RoleProject {
		p.errorf(segs, "[exceptions] can only be set by the org policy")
		return
	}
	for _, k := range p.keysInOrder(segs, m) {
		ks := with(segs, k)
		switch k {
		case "allow-project":
			if b, ok := p.boolean(ks, m[k]); ok {
				p.cfg.allowProject = setting[bool]{V: b, Set: true, From: p.origin(ks)}
			}
		case "max-lifetime":
			if s, ok := p.duration(ks, m[k]); ok {
				if s.V > 0 && s.V < day {
					p.errorf(ks, "max-lifetime must be at least one day (\"1d\") or \"0\" for no limit")
					continue
				}
				p.cfg.maxLifetime = s
			}
		default:
			p.unknown(ks, []string{"allow-project", "max-lifetime"}, "")
		}
	}
}

var exceptionKeys = []string{"rule", "id", "package", "version", "reason", "expires"}

func (p *fileParser) exceptionList(segs []string, v any) {
	for i, t := range p.tables(segs, v, "[[exception]]") {
		if t != nil {
			p.exception(with(segs, indexSeg(i)), t)
		}
	}
}

func (p *fileParser) exception(segs []string, m map[string]any) {
	e := &Exception{From: p.origin(segs)}
	ok := true
	for _, k := range p.keysInOrder(segs, m) {
		ks := with(segs, k)
		if k == "expires" {
			d, good := p.date(ks, m[k])
			e.Expires, e.expOK, e.expLine = d, good, p.origin(ks)
			ok = ok && good
			continue
		}
		if !contains(exceptionKeys, k) {
			p.unknown(ks, exceptionKeys, "")
			ok = false
			continue
		}
		s, isStr := p.str(ks, m[k])
		if !isStr {
			ok = false
			continue
		}
		switch k {
		case "rule":
			if _, known := specOf(s); !known {
				msg := fmt.Sprintf("%q is not a rule", s)
				if g := suggest(s, Rules()); g != "" {
					msg += fmt.Sprintf(" (did you mean %q?)", g)
				} else {
					msg += "; rules: " + strings.Join(Rules(), ", ")
				}
				p.errorf(ks, "%s", msg)
				ok = false
			}
			e.Rule = s
		case "id":
			if strings.TrimSpace(s) == "" {
				p.errorf(ks, "is empty")
				ok = false
			}
			e.ID = strings.TrimSpace(s)
		case "package":
			pat, err := parsePattern(s)
			if err != nil {
				p.errorf(ks, "%v", err)
				ok = false
				continue
			}
			pat.From = p.origin(ks)
			e.Package, e.pkg = s, &pat
		case "version":
			if strings.TrimSpace(s) == "" || strings.ContainsAny(s, `*?[\^~<>=, |`) {
				p.errorf(ks, "%q: version must be one exact version (no globs or ranges)", s)
				ok = false
			}
			e.Version = s
		case "reason":
			if strings.TrimSpace(s) == "" {
				p.errorf(ks, "reason is empty: say why the exception is safe")
				ok = false
			}
			e.Reason = s
		}
	}
	if _, has := m["reason"]; !has {
		p.errorf(segs, "exception has no reason: add reason = \"why this is safe\"")
		ok = false
	}
	if _, has := m["expires"]; !has {
		p.errorf(segs, "exception has no expires date: add expires = %s (a TOML date)", p.today.time().AddDate(0, 0, 30).Format("2006-01-02"))
		ok = false
	}
	if m["id"] == nil && m["package"] == nil {
		p.errorf(segs, "exception names neither an id nor a package: it would match every finding; to turn a rule off, set its action = \"off\"")
		ok = false
	}
	malwareID := strings.HasPrefix(strings.ToUpper(e.ID), "MAL-")
	if e.Rule == RuleMalware || malwareID {
		switch {
		case e.Rule != RuleMalware:
			p.errorf(segs, "an exception for malicious-package record %s must say rule = \"malware\" and name the exact package and version", e.ID)
			ok = false
		case e.pkg == nil && m["package"] == nil:
			p.errorf(segs, "a malware exception must name one exact package")
			ok = false
		case e.pkg != nil && !e.pkg.exact():
			p.errorf(with(segs, "package"), "a malware exception must name one exact package, not the glob %q", e.Package)
			ok = false
		}
		if e.Rule == RuleMalware && e.Version == "" {
			p.errorf(segs, "a malware exception must name the exact version")
			ok = false
		}
	}
	if e.expOK {
		days := p.today.daysUntil(e.Expires)
		switch {
		case days < 0:
			p.add(LevelError, with(segs, "expires"), "exception expired on %s (%s): remove it, or renew it with a new expires date if it is still needed", e.Expires, e.describe())
			ok = false
		case days <= soonDays:
			p.add(LevelNotice, with(segs, "expires"), "exception expires on %s, in %d days (%s)", e.Expires, days, e.describe())
		}
	}
	if ok {
		p.cfg.exceptions = append(p.cfg.exceptions, e)
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
