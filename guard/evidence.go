package guard

import (
	"context"
	"fmt"
	"sync"

	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/provenance"
)

// MetadataSource reads what the registries say of packages apart from
// provenance (verify/provenance.Registry): npm packuments, Python index
// pages. Answers are keyed by provenance.PackageKey.
type MetadataSource interface {
	Metadata(ctx context.Context, pkgs []lockfile.Package) map[string]provenance.Metadata
}

// evidence is what the sources said of the run's packages, each answer
// keyed by provenance.PackageKey and joined to the packages by that key.
type evidence struct {
	// prov is nil when provenance was not gathered (noProv says why).
	prov   map[string]provenance.Result
	noProv string
	// meta is nil when registry metadata was not read (noMeta says why).
	meta   map[string]provenance.Metadata
	noMeta string
}

// gatherEvidence asks the provenance and registry-metadata sources, each on
// its own (they share fetches, not results), and attaches their answers to
// the report's packages by key.
func gatherEvidence(ctx context.Context, opts Options, lfs []*lockfile.Lockfile, r *Report) *evidence {
	ev := &evidence{noProv: opts.NoProvenanceReason, noMeta: opts.NoMetadataReason}
	if ev.noProv == "" {
		ev.noProv = "provenance was not gathered"
	}
	if ev.noMeta == "" {
		ev.noMeta = "registry metadata was not read"
	}
	if opts.Provenance == nil && opts.Metadata == nil {
		return ev // nothing to gather or join (an offline check)
	}
	var pkgs []lockfile.Package
	for _, lf := range lfs {
		pkgs = append(pkgs, lf.Packages...)
	}
	var wg sync.WaitGroup
	if opts.Provenance != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev.prov = map[string]provenance.Result{}
			if len(pkgs) > 0 {
				ev.prov = opts.Provenance.VerifyByKey(ctx, pkgs)
			}
		}()
	}
	if opts.Metadata != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev.meta = map[string]provenance.Metadata{}
			if len(pkgs) > 0 {
				ev.meta = opts.Metadata.Metadata(ctx, pkgs)
			}
		}()
	}
	wg.Wait()
	for i := range r.Packages {
		p := &r.Packages[i]
		k := provenance.PackageKey(&p.Package)
		if res, ok := ev.prov[k]; ok {
			p.Provenance = &ProvenanceReport{Status: res.Status, Publisher: res.Publisher,
				Reason: res.Reason, Advice: res.Advice, RegistrySignature: res.Registry, Downgrade: res.Downgrade}
		}
		if m, ok := ev.meta[k]; ok {
			p.Metadata = &m
		}
	}
	return ev
}

// provenanceOf is a package's provenance result.
func (ev *evidence) provenanceOf(p *PackageResult) (provenance.Result, bool) {
	res, ok := ev.prov[provenance.PackageKey(&p.Package)]
	return res, ok
}

// metadataRules are the rules that read registry metadata, with the
// ecosystems whose registries say what they need.
var metadataRules = []struct {
	rule       string
	ecosystems []lockfile.Ecosystem
}{
	{RuleCooldown, []lockfile.Ecosystem{lockfile.NPM, lockfile.PyPI}},
	{RuleDeprecated, []lockfile.Ecosystem{lockfile.NPM, lockfile.PyPI}},
	{RuleYanked, []lockfile.Ecosystem{lockfile.PyPI}},
	{RuleQuarantined, []lockfile.Ecosystem{lockfile.PyPI}},
}

// gaps says, in one place, which items' evidence is missing: the rules
// that read "not checked" (with why) and the check errors of evidence that
// could not be gathered. cooldownOn: [cooldown] min-age is set.
func (ev *evidence) gaps(rc ruleContext, r *Report, cooldownOn bool) (map[string]string, []Error) {
	unchecked := map[string]string{}
	var errs []Error
	if ev.prov == nil {
		for _, rule := range []string{RuleProvenance, RuleProvenanceInvalid, RuleProvenanceDowngrade, RulePublisher} {
			unchecked[rule] = ev.noProv
		}
		for i := range r.Packages {
			p := &r.Packages[i]
			if req, _ := rc.p.ProvenanceRequired(string(p.Ecosystem), p.Name); req && rc.enabled(RuleProvenance) && p.Source.Kind != lockfile.SourceWorkspace {
				errs = append(errs, Error{Kind: CheckError, Path: p.Lockfile, Rules: []string{RuleProvenance},
					Message: fmt.Sprintf("provenance is required for %s but was not gathered: %s", p.Key(), ev.noProv)})
				break
			}
		}
	} else {
		if why := unverifiedProvenance(r); why != "" {
			// "pass" would claim that no attestation fails verification.
			unchecked[RuleProvenanceInvalid] = why
		}
		if why := ev.unreadPackuments(r); why != "" {
			// Without the packument neither the registry signature nor
			// the version history is known.
			unchecked[RuleProvenanceDowngrade] = why
			if unchecked[RuleProvenanceInvalid] == "" {
				unchecked[RuleProvenanceInvalid] = why
			}
		}
	}
	applies := func(rule string, eco lockfile.Ecosystem) bool {
		if rule == RuleCooldown && !cooldownOn {
			return false
		}
		for _, m := range metadataRules {
			if m.rule == rule {
				for _, e := range m.ecosystems {
					if e == eco {
						return true
					}
				}
			}
		}
		return false
	}
	if ev.meta == nil {
		for _, m := range metadataRules {
			if m.rule != RuleCooldown || cooldownOn {
				unchecked[m.rule] = ev.noMeta
			}
		}
		return unchecked, errs
	}
	// Registry metadata that could not be read is a check that could not
	// complete: its rules read "error", and on-error decides the run.
	failed, first := 0, ""
	rules := map[string]bool{}
	// unread: registry packages of npm or PyPI whose registry offers no
	// document (none configured, an index without PEP 691 JSON).
	unread, firstUnread := 0, ""
	unreadRules := map[string]bool{}
	noTime, firstNoTime := 0, ""
	for i := range r.Packages {
		p := &r.Packages[i]
		m := p.Metadata
		if m == nil {
			continue
		}
		switch {
		case m.Status == provenance.MetadataError:
			if failed == 0 {
				first = p.Key() + ": " + m.Reason
			}
			failed++
			for _, mr := range metadataRules {
				if applies(mr.rule, p.Ecosystem) && rc.enabled(mr.rule) {
					rules[mr.rule] = true
				}
			}
		case m.Status == provenance.MetadataUnavailable && registryPackage(p) &&
			(p.Ecosystem == lockfile.NPM || p.Ecosystem == lockfile.PyPI):
			if unread == 0 {
				firstUnread = p.Key() + ": " + m.Reason
			}
			unread++
			for _, mr := range metadataRules {
				if applies(mr.rule, p.Ecosystem) {
					unreadRules[mr.rule] = true
				}
			}
		case cooldownOn && m.PublishedAt.IsZero() && registryPackage(p) &&
			(m.Status == provenance.MetadataRead || p.Ecosystem != lockfile.NPM && p.Ecosystem != lockfile.PyPI):
			// A registry package whose publish time is not known: the
			// registry does not list the version or say when it was
			// uploaded, or guard does not read that registry.
			if noTime == 0 {
				why := m.Reason
				if why == "" {
					why = "the registry states no publish time for this version"
				}
				firstNoTime = p.Key() + ": " + why
			}
			noTime++
		}
	}
	if failed > 0 && len(rules) > 0 {
		var list []string
		for _, mr := range metadataRules {
			if rules[mr.rule] {
				list = append(list, mr.rule)
			}
		}
		errs = append(errs, Error{Kind: CheckError, Rules: list,
			Message: fmt.Sprintf("registry metadata: could not be read for %d of %d packages (%s)", failed, len(r.Packages), first)})
	}
	if noTime > 0 && rc.enabled(RuleCooldown) {
		unchecked[RuleCooldown] = fmt.Sprintf("the publish time of %d of %d packages is not known (%s)", noTime, len(r.Packages), firstNoTime)
	}
	for rule := range unreadRules {
		unchecked[rule] = fmt.Sprintf("the registry offers no metadata for %d of %d packages (%s)", unread, len(r.Packages), firstUnread)
	}
	return unchecked, errs
}

// registryPackage: a package an install takes from a registry by name and
// exact version (not a workspace member, bundled, or of a git, path or
// URL source).
func registryPackage(p *PackageResult) bool {
	return (p.Source.Kind == lockfile.SourceRegistry || p.Source.Kind == "") && !p.Bundled && p.Version != ""
}

// unreadPackuments says how many npm packages' packument could not be read
// for their provenance (no registry signature or downgrade evidence), with
// the first reason; "" when none.
func (ev *evidence) unreadPackuments(r *Report) string {
	n, first := 0, ""
	for i := range r.Packages {
		p := &r.Packages[i]
		res, ok := ev.provenanceOf(p)
		if !ok || res.MetadataError == "" {
			continue
		}
		if n == 0 {
			first = p.Key() + ": " + res.MetadataError
		}
		n++
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("the registry metadata of %d of %d packages could not be read (%s)", n, len(r.Packages), first)
}
