package policy

import (
	"cmp"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/installguard/guard/lockfile/tomlpos"
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
	typo          typoConfig // [typosquat] (typosquat.go)
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

// MaxFileSize caps a policy file (local or remote).
const MaxFileSize = 1 << 20

// maxNesting bounds how deeply arrays and inline tables nest in a policy
// file (real ones nest two levels).
const maxNesting = tomlpos.MaxNesting

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
	// The decoder takes time superlinear in the nesting depth: a hostile
	// file is refused before it is decoded.
	doc := tomlpos.Scan(data)
	if line, deep := doc.DeeperThan(maxNesting); deep {
		p.diags = append(p.diags, Diagnostic{Level: LevelError, File: name, Line: line,
			Message: fmt.Sprintf("tables and arrays nested more than %d deep", maxNesting)})
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
	p.lines = doc.Lines
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
		if s == "" || strings.IndexFunc(s, func(r rune) bool { return r > 127 || !tomlpos.IsBareKeyChar(byte(r)) }) >= 0 {
			b.WriteString(strconv.Quote(s))
		} else {
			b.WriteString(s)
		}
	}
	return b.String()
}

func (p *fileParser) line(segs []string) int {
	for n := len(segs); n > 0; n-- {
		if l, ok := p.lines[tomlpos.Key(segs[:n]...)]; ok {
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
		p.errorf(segs, "must be a table, not %s (write e.g. %s)", tomlpos.TypeName(v), example)
	}
	return m, ok
}

func (p *fileParser) str(segs []string, v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		p.errorf(segs, "must be a string, not %s", tomlpos.TypeName(v))
	}
	return s, ok
}

func (p *fileParser) boolean(segs []string, v any) (setting[bool], bool) {
	b, ok := v.(bool)
	if !ok {
		p.errorf(segs, "must be true or false, not %s", tomlpos.TypeName(v))
	}
	return setting[bool]{V: b, Set: true, From: p.origin(segs)}, ok
}

func (p *fileParser) strList(segs []string, v any, example string) ([]string, bool) {
	arr, ok := v.([]any)
	if !ok {
		p.errorf(segs, "must be an array of strings, not %s (write e.g. %s)", tomlpos.TypeName(v), example)
		return nil, false
	}
	out := make([]string, 0, len(arr))
	all := true
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			p.errorf(with(segs, tomlpos.Index(i)), "must be a string, not %s", tomlpos.TypeName(e))
			all = false
			continue
		}
		out = append(out, s)
	}
	return out, all
}

func (p *fileParser) blockOrWarn(segs []string, v any) (setting[Action], bool) {
	return p.action(segs, v, false)
}

func (p *fileParser) actionOrOff(segs []string, v any) (setting[Action], bool) {
	return p.action(segs, v, true)
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
		p.errorf(segs, "must be a duration string such as \"7d\" or \"48h\", not %s", tomlpos.TypeName(v))
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
		if pat, ok := p.pattern(with(segs, tomlpos.Index(i)), s); ok {
			out = append(out, pat)
		}
	}
	return out
}

func (p *fileParser) date(segs []string, v any) (Date, bool) {
	switch x := v.(type) {
	case time.Time:
		if x.Location().String() == tomlpos.LocalDate {
			return dateOf(x), true
		}
		p.errorf(segs, "must be a date such as 2026-03-31, not %s", tomlpos.TypeName(v))
		return Date{}, false
	case string:
		if t, err := time.Parse("2006-01-02", strings.TrimSpace(x)); err == nil {
			p.errorf(segs, "%q is a string: write the date without quotes, expires = %s", x, t.Format("2006-01-02"))
		} else {
			p.errorf(segs, "%q is not a date: write a TOML date such as 2026-03-31 (relative dates are not accepted)", x)
		}
		return Date{}, false
	}
	p.errorf(segs, "must be a date such as 2026-03-31, not %s", tomlpos.TypeName(v))
	return Date{}, false
}

// --- table-driven reading: format.go declares the tables and their keys

// adder records one effective value for `guard policy show` (Settings).
type adder func(key string, v any, from Origin, note string)

// key is one key of a policy table: how a file's value is read into the
// layer, and how its effective value is shown (show is nil for keys shown
// elsewhere). A key with sub is a table; rule names the rule whose action
// the key sets.
type key struct {
	name string
	read func(p *fileParser, segs []string, v any)
	show func(c *config, name string, add adder)
	list bool // show prints one entry per line
	rule string
	sub  *table
}

// table is one table of the policy file.
type table struct {
	name    string
	example string // a line setting a key, for "must be a table" errors
	keys    []key
	// hints replace the suggestion for unknown keys people write.
	hints map[string]string
	// other reads a key not in keys; when it does not, the key is unknown
	// (with the hint, if any).
	other func(p *fileParser, segs []string, k string, v any) (read bool, hint string)
	// check runs after the keys, for rules spanning several keys.
	check func(p *fileParser, segs []string, m map[string]any)
}

// read reads a value that must be this table.
func (t *table) read(p *fileParser, segs []string, v any) {
	if m, ok := p.table(segs, v, t.example); ok {
		p.readKeys(segs, m, t)
	}
}

// readKeys reads each key of m in file order; an unknown key is an error
// with a hint or a suggestion.
func (p *fileParser) readKeys(segs []string, m map[string]any, t *table) {
	names := make([]string, len(t.keys))
	for i, k := range t.keys {
		names[i] = k.name
	}
	for _, k := range p.keysInOrder(segs, m) {
		ks := with(segs, k)
		if i := index(names, k); i >= 0 {
			t.keys[i].read(p, ks, m[k])
			continue
		}
		hint := t.hints[k]
		if t.other != nil {
			read, h := t.other(p, ks, k, m[k])
			if read {
				continue
			}
			hint = cmp.Or(h, hint)
		}
		p.unknown(ks, names, hint)
	}
	if t.check != nil {
		t.check(p, segs, m)
	}
}

func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func tableKey(t *table) key { return key{name: t.name, read: t.read, sub: t} }

// strKey is a string key; set checks and keeps the value.
func strKey(name string, set func(segs []string, s string)) key {
	return key{name: name, read: func(p *fileParser, segs []string, v any) {
		if s, ok := p.str(segs, v); ok {
			set(segs, s)
		}
	}}
}

// optional builds a key whose value, once read, is a setting of the layer:
// parse reads and checks the value (reporting its own errors), at points at
// the layer's field, format prints the effective value (nil: shown only
// when a layer set it).
func optional[T any](name string, parse func(p *fileParser, segs []string, v any) (setting[T], bool),
	at func(c *config) *setting[T], format func(T) any) key {
	return key{name: name,
		read: func(p *fileParser, segs []string, v any) {
			if s, ok := parse(p, segs, v); ok {
				*at(p.cfg) = s
			}
		},
		show: func(c *config, name string, add adder) {
			switch s := at(c); {
			case format != nil:
				add(name, format(s.V), s.From, "")
			case s.Set:
				add(name, fmt.Sprint(s.V), s.From, "")
			}
		}}
}

func durationKey(name string, at func(c *config) *setting[time.Duration]) key {
	return optional(name, (*fileParser).duration, at, func(d time.Duration) any { return formatDuration(d) })
}

func boolKey(name string, at func(c *config) *setting[bool]) key {
	return optional(name, (*fileParser).boolean, at, func(b bool) any { return b })
}

func modeKey(name string, at func(c *config) *setting[Action]) key {
	return optional(name, (*fileParser).blockOrWarn, at, func(a Action) any { return string(a) })
}

// patternsKey is a list of package patterns; a layer's entries add up.
func patternsKey(name string, at func(c *config) *[]Pattern) key {
	return key{name: name, list: true,
		read: func(p *fileParser, segs []string, v any) { *at(p.cfg) = append(*at(p.cfg), p.patterns(segs, v)...) },
		show: func(c *config, name string, add adder) {
			for _, pat := range *at(c) {
				add(name, pat.Text, pat.From, "")
			}
		}}
}

// actionKey is the key that sets a rule's action (block, warn or off).
func actionKey(rule string) key {
	r, _ := RuleOf(rule)
	return key{name: r.Key, rule: rule,
		read: func(p *fileParser, segs []string, v any) {
			if rule == RuleMalware {
				if s, ok := v.(string); !ok || s != string(Block) {
					if ok {
						p.errorf(segs, "%q is not allowed: malware always blocks (the only value is \"block\"); to allow one package version, add an [[exception]] with rule = \"malware\" and its exact package and version", s)
					} else {
						p.errorf(segs, "must be \"block\", not %s", tomlpos.TypeName(v))
					}
					return
				}
			}
			if s, ok := p.actionOrOff(segs, v); ok {
				p.cfg.actions[rule] = s
			}
		},
		show: func(c *config, name string, add adder) {
			if rule == RuleMalware {
				add(name, string(Block), defaultOrigin, "malware always blocks")
				return
			}
			a, from, _ := resolveAction(c, r)
			note := ""
			if _, set := c.actions[rule]; !set && r.Default == "" {
				note = "follows mode"
			}
			add(name, string(a), from, note)
		}}
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
				p.errorf(with(segs, tomlpos.Index(i)), "must be a table, not %s", tomlpos.TypeName(e))
			}
		}
		return out
	case map[string]any:
		p.errorf(segs, "must be an array of tables: write %s (double brackets), once per entry", example)
		return nil
	}
	p.errorf(segs, "must be an array of tables, not %s (write %s)", tomlpos.TypeName(v), example)
	return nil
}

// pattern reads one package pattern, reporting a bad one.
func (p *fileParser) pattern(segs []string, s string) (Pattern, bool) {
	pat, err := parsePattern(s)
	if err != nil {
		p.errorf(segs, "%v", err)
		return Pattern{}, false
	}
	pat.From = p.origin(segs)
	return pat, true
}

func contains(list []string, s string) bool { return index(list, s) >= 0 }
