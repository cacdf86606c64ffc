package guard

import (
	"strings"
	"time"

	"github.com/installguard/guard/verify/provenance"
)

// supplyChainFindings applies the rules about what an install brings in
// beyond pinned versions: install scripts, where packages come from, how
// new they are, whether they are deprecated and whether their names
// imitate popular ones. It reads the packages of
// the report and, for cooldown and deprecated, the npm registry metadata
// gathered with provenance (r.Packages[i].Provenance.Downgrade). now may
// be nil (time.Now).
func supplyChainFindings(rc ruleContext, r *Report, now func() time.Time) []Finding {
	if now == nil {
		now = time.Now
	}
	var out []Finding
	if rc.enabled(RuleTyposquat) {
		out = append(out, typosquatFindings(rc, r, now())...)
	}
	if rc.enabled(RuleInstallScripts) {
		out = append(out, installScriptFindings(rc, r.Packages)...)
	}
	if rc.enabled(RuleSources) {
		out = append(out, sourceFindings(rc, r.Packages)...)
	}
	minAge, _ := rc.p.MinAge()
	if why, ok := r.unchecked[RuleProvenance]; ok {
		// The registry metadata comes with provenance: without it, neither
		// publish times nor deprecation notices are known.
		if minAge > 0 {
			r.unchecked[RuleCooldown] = why
		}
		r.unchecked[RuleDeprecated] = why
		r.unchecked[RuleYanked] = why
		r.unchecked[RuleQuarantined] = why
		return out
	}
	out = append(out, pypiStatusFindings(rc, r.Packages)...)
	if rc.enabled(RuleCooldown) && minAge > 0 {
		out = append(out, cooldownFindings(rc, r.Packages, minAge, now())...)
	}
	if rc.enabled(RuleDeprecated) {
		out = append(out, deprecatedFindings(rc, r.Packages)...)
	}
	return out
}

// findingSet builds the findings of one rule, one per lockfile, package,
// version and id.
type findingSet struct {
	rc   ruleContext
	rule string
	seen map[string]bool
	out  []Finding
}

func newFindingSet(rc ruleContext, rule string) *findingSet {
	return &findingSet{rc: rc, rule: rule, seen: map[string]bool{}}
}

func (s *findingSet) add(p *PackageResult, id, msg string) {
	key := p.Lockfile + "\x00" + p.Key() + "\x00" + id
	if s.seen[key] {
		return
	}
	s.seen[key] = true
	f := Finding{Rule: s.rule, Item: itemOf(s.rule).ID, ID: id, Aliases: []string{},
		Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, Lockfile: p.Lockfile, Line: p.Line,
		Chain: p.Chain, Message: msg}
	s.rc.apply(&f)
	s.out = append(s.out, f)
}

// via describes how a package is pulled in, for messages.
func via(p *PackageResult) string {
	if len(p.Chain) == 0 {
		if p.Direct {
			return "a direct dependency"
		}
		return "pulled in by an unknown chain"
	}
	return "pulled in by " + strings.Join(p.Chain, " > ")
}

// downgradeOf is the npm registry metadata gathered for a package, or nil.
func downgradeOf(p *PackageResult) *provenance.Downgrade {
	if p.Provenance == nil {
		return nil
	}
	return p.Provenance.Downgrade
}
