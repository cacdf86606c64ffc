package policy

// The [typosquat] table (rule typosquat, item G1.2):
//
//	[typosquat]
//	action  = "block"                   # block, warn or off; default: follows mode
//	allow   = ["npm:wcwidth.js"]        # names that are not look-alikes
//	protect = ["@acme/*", "acme-utils"] # the organisation's own names
//
// allow exempts packages, so only the org policy may add to it once there
// is one (as [cooldown] allow); protect only adds findings, so every layer
// may add to it.

// typoConfig is one layer's [typosquat] lists.
type typoConfig struct {
	allow, protect []Pattern
}

func (c typoConfig) clone() typoConfig {
	return typoConfig{allow: append([]Pattern(nil), c.allow...), protect: append([]Pattern(nil), c.protect...)}
}

// typosquatTable declares the table for the reader and Settings.
var typosquatTable = &table{name: "typosquat", example: `[typosquat] protect = ["@myorg/*"]`,
	keys: []key{actionKey(RuleTyposquat),
		patternsKey("allow", func(c *config) *[]Pattern { return &c.typo.allow }),
		patternsKey("protect", func(c *config) *[]Pattern { return &c.typo.protect })}}

// applyTypoOrg layers the org policy's lists.
func (m *merger) applyTypoOrg(o *config) {
	m.eff.typo.allow = append(m.eff.typo.allow, o.typo.allow...)
	m.eff.typo.protect = append(m.eff.typo.protect, o.typo.protect...)
}

// applyTypoProject layers a project policy's lists: protect freely, allow
// only without an org policy (floor).
func (m *merger) applyTypoProject(base, p *config, floor bool) {
	e := m.eff
	e.typo.allow = m.allowlist(base.typo.allow, e.typo.allow, p.typo.allow, "[typosquat] allow", floor)
	e.typo.protect = append(e.typo.protect, p.typo.protect...)
}

// TyposquatAllowed reports whether [typosquat] allow lists a package.
func (p *Policy) TyposquatAllowed(ecosystem, name string) (bool, Pattern) {
	pat, ok := matchAny(p.c.typo.allow, ecosystem, name)
	return ok, pat
}

// TyposquatProtected returns the [typosquat] protect globs that apply to an
// ecosystem (the patterns without an ecosystem prefix and those with its
// own).
func (p *Policy) TyposquatProtected(ecosystem string) []string {
	if eco, ok := ecosystemOf(ecosystem); ok {
		ecosystem = eco
	}
	var out []string
	for _, pat := range p.c.typo.protect {
		if pat.Ecosystem == "" || pat.Ecosystem == ecosystem {
			out = append(out, pat.Glob)
		}
	}
	return out
}
