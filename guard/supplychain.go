package guard

import (
	"strings"
	"time"

	"github.com/installguard/guard/verify/provenance"
)

// supplyChainFindings applies the rules about what an install brings in
// beyond pinned versions: install scripts, where packages come from, how
// new they are, whether they are deprecated, yanked or quarantined, and
// whether their names imitate popular ones. It reads the packages of the
// report and the registry metadata joined to them (PackageResult.Metadata).
// notes are rules that read "not checked" for reasons of their own; what
// evidence could not be gathered is evidence.gaps'. now may be nil
// (time.Now).
//
// typo holds the typosquat matches (typosquatMatches), computed beforehand.
func supplyChainFindings(rc ruleContext, r *Report, typo []typosquatMatch, unlisted bool, now func() time.Time) (out []Finding, notes map[string]string) {
	if now == nil {
		now = time.Now
	}
	notes = map[string]string{}
	if rc.enabled(RuleTyposquat) {
		fs, note := typosquatFindings(rc, r, typo, unlisted, now())
		out = append(out, fs...)
		if note != "" {
			notes[RuleTyposquat] = note
		}
	}
	if rc.enabled(RuleInstallScripts) {
		out = append(out, installScriptFindings(rc, r.Packages)...)
	}
	if rc.enabled(RuleSources) {
		out = append(out, sourceFindings(rc, r.Packages)...)
	}
	out = append(out, pypiStatusFindings(rc, r.Packages)...)
	if minAge, _ := rc.p.MinAge(); rc.enabled(RuleCooldown) && minAge > 0 {
		out = append(out, cooldownFindings(rc, r.Packages, minAge, now())...)
	}
	if rc.enabled(RuleDeprecated) {
		out = append(out, deprecatedFindings(rc, r.Packages)...)
	}
	return out, notes
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

// metadataOf is the registry metadata read for a package, or nil.
func metadataOf(p *PackageResult) *provenance.Metadata {
	if p.Metadata == nil || p.Metadata.Status != provenance.MetadataRead {
		return nil
	}
	return p.Metadata
}
