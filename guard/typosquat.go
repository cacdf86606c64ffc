package guard

import (
	"fmt"
	"time"

	"github.com/installguard/guard/guard/typosquat"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/provenance"
)

// typosquatMatch is a package (an index into Report.Packages) whose name
// imitates another.
type typosquatMatch struct {
	pkg int
	m   typosquat.Match
}

// typosquatMatches compares the report's registry packages with the
// popular lists and the policy's protect list (reading the policy only, so
// it may run beside other work); unlisted is set when a package's
// ecosystem has no popular list.
//
// The typosquat rule: a registry package whose name imitates a popular npm
// or PyPI name (guard/typosquat's embedded lists) or one of the names
// [typosquat] protect lists, unless [typosquat] allow lists it. The finding
// names the imitated package and how; when the registry metadata was
// gathered (with provenance: the npm packument, the Python index's PEP 700
// data), it says how old the look-alike is and how many versions it has: a
// new name with few versions is how typosquats look. Packages of local or
// git sources are not looked up by name in a registry and are not checked.
// crates.io names are checked against protect only: guard ships no list of
// popular crates, so the rule reads "not checked" for them.
func typosquatMatches(rc ruleContext, pkgs []PackageResult) (out []typosquatMatch, unlisted bool) {
	for i := range pkgs {
		p := &pkgs[i]
		if p.Source.Kind != lockfile.SourceRegistry && p.Source.Kind != "" {
			continue
		}
		eco := string(p.Ecosystem)
		if ok, _ := rc.p.TyposquatAllowed(eco, p.Name); ok {
			continue
		}
		// A name protect matches is one of the organisation's own and no
		// look-alike of them; it is still compared with the popular
		// lists, so that protect (which a project may add to) only ever
		// adds findings.
		m, ok, _ := typosquat.CheckProtected(eco, p.Name, rc.p.TyposquatProtected(eco))
		if !ok {
			if !typosquat.Listed(eco) {
				unlisted = true
				continue
			}
			m, ok = typosquat.Check(eco, p.Name)
		}
		if ok {
			out = append(out, typosquatMatch{i, m})
		}
	}
	return out, unlisted
}

// typosquatFindings turns the matches into findings (after the registry
// metadata was attached to the packages, which the messages quote).
func typosquatFindings(rc ruleContext, r *Report, ms []typosquatMatch, unlisted bool, now time.Time) ([]Finding, string) {
	s := newFindingSet(rc, RuleTyposquat)
	for _, x := range ms {
		p := &r.Packages[x.pkg]
		// The target may be a project policy's pattern: escaped.
		s.add(p, "look-alike", oneLine(typosquatMessage(p, x.m, now), 600))
	}
	if unlisted {
		return s.out, "crates.io names are checked only against [typosquat] protect: guard ships no list of popular crates"
	}
	return s.out, ""
}

// typosquatMessage says what the package imitates, how, and what the
// registry metadata says of it.
func typosquatMessage(p *PackageResult, m typosquat.Match, now time.Time) string {
	msg := fmt.Sprintf("imitates %s (%s)", m.Target, m.How)
	if m.Protected {
		msg += ", a name [typosquat] protect reserves for your organisation"
	} else {
		msg += fmt.Sprintf(", #%d of the popular %s names guard knows", m.Rank, p.Ecosystem)
	}
	if p.Metadata == nil {
		return msg + "; its registry history was not read"
	}
	if p.Metadata.Status == provenance.MetadataError {
		return msg + "; its registry history could not be read: " + p.Metadata.Reason
	}
	created, count := p.Metadata.Created, p.Metadata.Versions
	if created.IsZero() {
		return msg
	}
	age := now.Sub(created)
	first := created.UTC().Format("2006-01-02")
	versions := fmt.Sprintf("%d versions", count)
	if count == 1 {
		versions = "1 version"
	}
	recent, few := age < 90*24*time.Hour, count > 0 && count <= 3
	if count == 0 {
		versions = "an unknown number of versions"
	}
	if recent || few {
		why := "a recent name with few versions"
		switch {
		case !few:
			why = "a recent name"
		case !recent:
			why = "a name with few versions"
		}
		return msg + fmt.Sprintf("; first published %s (%s ago) with %s: %s, as typosquats are", first, formatAgo(age), versions, why)
	}
	return msg + fmt.Sprintf("; first published %s with %s: an established package, less likely a typosquat (if it is the one you mean, add it to [typosquat] allow)", first, versions)
}

// formatAgo prints an age in days, or hours under a day.
func formatAgo(d time.Duration) string {
	switch {
	case d < 0:
		return "0 days"
	case d < 24*time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	case d < 48*time.Hour:
		return "1 day"
	}
	return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
}
