package advisory

import (
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/google/osv-scalibr/semantic"
	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

// Matching follows the evaluation pseudocode of the OSV schema ("Evaluation"
// section of the spec): a version is affected when, for an affected[] entry
// naming the package, it is listed in versions[] or lies in one of the
// SEMVER/ECOSYSTEM ranges. Version ordering comes from osv-scalibr's semantic
// package (the library osv-scanner v2 uses); only the event walk below and
// the name rules are written here, because no kept library exposes them
// (osv-scalibr's matcher is internal to its enricher).
//
// Decisions, with where they agree with osv-scanner v2.5.0 (which matches
// through osv-scalibr's enricher/vulnmatch):
//
//   - Unparsable versions. semantic's npm/crates.io (SemVer) and PyPI
//     parsers are lenient and never reject a version: a string that is not
//     SemVer or PEP 440 is still ordered (SemVer-like components with the
//     rest as a pre-release tail; PEP 440 "legacy" versions, which sort
//     before every valid version). osv-scanner compares whatever they parse
//     and we do the same, so both tools give the same answer for odd
//     versions. Where semantic cannot parse at all (an ecosystem it does not
//     support) a range is treated as affecting: a false positive is better
//     than silently reporting nothing. osv-scanner would panic there.
//   - A query without a version (a lockfile entry pinning none) is affected
//     by every record whose affected[] entry names the package and lists
//     ranges or versions, as osv-scanner does ("false positives are better
//     than false negatives") and as the OSV API answers a version-less query.
//   - GIT ranges never match a package version (they need the repository's
//     commit graph); they are skipped, and the other ranges of the entry
//     still count. (osv-scalibr stops at the first GIT range it meets, which
//     can miss an ECOSYSTEM range listed after it; the spec says any range.)
//   - limit events are honoured as the spec says (osv-scanner ignores them;
//     numbered ranges practically never carry them).
//   - SEMVER ranges are ordered by SemVer 2.0, ECOSYSTEM ranges by the
//     ecosystem's own ordering; for npm and crates.io both are SemVer.
//   - versions[] is compared as exact strings (the spec's v == version);
//     for PyPI also by PEP 440 equality ("1.0" == "1.0.0"), since PyPI
//     versions are normalised by the ecosystem itself.
//   - Withdrawn records affect nothing.

// BaseEcosystem returns the ecosystem without its ":suffix" ("Debian:11" →
// "Debian", "npm" → "npm").
func BaseEcosystem(ecosystem string) string {
	base, _, _ := strings.Cut(ecosystem, ":")
	return base
}

var pep503Separators = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[-_.]+`) })

// NormalizeName returns the form under which a package name is compared in
// the given ecosystem: PyPI names are normalised per PEP 503 (lower case,
// runs of "-", "_", "." become "-"); npm names are case-sensitive and kept as
// they are (scoped names "@scope/name" included); crates.io names are
// compared as written, as osv-scanner does (Cargo.lock and RustSec both use
// the canonical crate name). Other ecosystems are compared as written.
func NormalizeName(ecosystem, name string) string {
	if BaseEcosystem(ecosystem) == "PyPI" {
		return strings.ToLower(pep503Separators().ReplaceAllLiteralString(name, "-"))
	}
	return name
}

// samePackage reports whether an affected[] entry's package is the queried one.
func samePackage(p *osvschema.Package, q Query) bool {
	if p == nil || BaseEcosystem(p.GetEcosystem()) != BaseEcosystem(q.Ecosystem) {
		return false
	}
	if p.GetName() == q.Name {
		return true
	}
	return NormalizeName(q.Ecosystem, p.GetName()) == NormalizeName(q.Ecosystem, q.Name)
}

// Affects reports whether the record affects the queried package version.
func Affects(v *osvschema.Vulnerability, q Query) bool {
	if v == nil || v.GetWithdrawn() != nil {
		return false
	}
	for _, a := range v.GetAffected() {
		if !samePackage(a.GetPackage(), q) {
			continue
		}
		if entryAffects(a, q) {
			return true
		}
	}
	return false
}

func entryAffects(a *osvschema.Affected, q Query) bool {
	if len(a.GetRanges()) == 0 && len(a.GetVersions()) == 0 {
		return false
	}
	if q.Version == "" {
		return true
	}
	if inVersions(a.GetVersions(), q) {
		return true
	}
	for _, r := range a.GetRanges() {
		if in, _ := rangeContains(r, q); in {
			return true
		}
	}
	return false
}

func inVersions(versions []string, q Query) bool {
	if slices.Contains(versions, q.Version) {
		return true
	}
	if BaseEcosystem(q.Ecosystem) != "PyPI" || len(versions) == 0 {
		return false
	}
	qv, err := semantic.Parse(q.Version, "PyPI")
	if err != nil {
		return false
	}
	for _, s := range versions {
		if c, err := qv.CompareStr(s); err == nil && c == 0 {
			return true
		}
	}
	return false
}

// versionOrder parses versions of one range type for one ecosystem.
type versionOrder struct {
	parse func(string) (semantic.Version, error)
}

func orderFor(t osvschema.Range_Type, ecosystem string) (versionOrder, bool) {
	switch t {
	case osvschema.Range_SEMVER:
		return versionOrder{parse: func(s string) (semantic.Version, error) {
			return semantic.ParseSemverVersion(s), nil
		}}, true
	case osvschema.Range_ECOSYSTEM:
		eco := BaseEcosystem(ecosystem)
		return versionOrder{parse: func(s string) (semantic.Version, error) {
			return semantic.Parse(s, eco)
		}}, true
	}
	return versionOrder{}, false
}

// event is one range event with its parsed version.
type event struct {
	kind    byte // 'i' introduced, 'f' fixed, 'l' last_affected, 'L' limit
	raw     string
	zero    bool // introduced "0": before every version
	ver     semantic.Version
	invalid bool // version the ecosystem's parser rejects
}

func eventOf(e *osvschema.Event, o versionOrder) (event, bool) {
	var ev event
	switch {
	case e.GetIntroduced() != "":
		ev = event{kind: 'i', raw: e.GetIntroduced()}
		ev.zero = ev.raw == "0"
	case e.GetFixed() != "":
		ev = event{kind: 'f', raw: e.GetFixed()}
	case e.GetLastAffected() != "":
		ev = event{kind: 'l', raw: e.GetLastAffected()}
	case e.GetLimit() != "":
		ev = event{kind: 'L', raw: e.GetLimit()}
	default:
		return event{}, false
	}
	if !ev.zero {
		v, err := o.parse(ev.raw)
		ev.ver, ev.invalid = v, err != nil
	}
	return ev, true
}

// cmp orders a against b; a version the parser rejected compares equal,
// as in osv-scalibr (which ignores the comparison error).
func cmp(a semantic.Version, b event) int {
	if b.invalid || a == nil {
		return 0
	}
	c, err := a.Compare(b.ver)
	if err != nil {
		return 0
	}
	return c
}

// rangeContains evaluates one range for q.Version. ok is false for ranges
// that cannot say anything about a package version (GIT, unknown types,
// no events).
func rangeContains(r *osvschema.Range, q Query) (in bool, ok bool) {
	o, known := orderFor(r.GetType(), q.Ecosystem)
	if !known || len(r.GetEvents()) == 0 {
		return false, false
	}
	qv, err := o.parse(q.Version)
	if err != nil {
		// The ecosystem's ordering is unknown: treat as affected (see above).
		return true, true
	}
	evs := make([]event, 0, len(r.GetEvents()))
	var limits []event
	for _, e := range r.GetEvents() {
		ev, ok := eventOf(e, o)
		if !ok {
			continue
		}
		if ev.kind == 'L' {
			limits = append(limits, ev)
			continue
		}
		evs = append(evs, ev)
	}
	if !beforeLimits(qv, limits) {
		return false, true
	}
	sortEvents(evs)
	affected := false
	for _, ev := range evs {
		switch ev.kind {
		case 'i':
			if ev.zero || cmp(qv, ev) >= 0 {
				affected = true
			}
		case 'f':
			if cmp(qv, ev) >= 0 {
				affected = false
			}
		case 'l':
			if cmp(qv, ev) > 0 {
				affected = false
			}
		}
	}
	return affected, true
}

func beforeLimits(qv semantic.Version, limits []event) bool {
	if len(limits) == 0 {
		return true
	}
	for _, l := range limits {
		if strings.Contains(l.raw, "*") || cmp(qv, l) < 0 {
			return true
		}
	}
	return false
}

// sortEvents orders events by version, introduced "0" first; events with
// equal versions keep their order in the record.
func sortEvents(evs []event) {
	slices.SortStableFunc(evs, func(a, b event) int {
		switch {
		case a.zero && b.zero:
			return 0
		case a.zero:
			return -1
		case b.zero:
			return 1
		case a.invalid || b.invalid:
			return 0
		}
		c, err := a.ver.Compare(b.ver)
		if err != nil {
			return 0
		}
		return c
	})
}

// FixedVersions returns the fixed events of the ranges that affect q (the
// versions that fix it), ordered by the ecosystem's version ordering, without
// duplicates. Fixed events at or below q.Version (fixes of an earlier
// branch) are left out. Nil when q is not affected or no fix is known.
func FixedVersions(v *osvschema.Vulnerability, q Query) []string {
	if !Affects(v, q) {
		return nil
	}
	var fixed []event
	for _, a := range v.GetAffected() {
		if !samePackage(a.GetPackage(), q) {
			continue
		}
		for _, r := range a.GetRanges() {
			if q.Version != "" {
				if in, _ := rangeContains(r, q); !in {
					continue
				}
			}
			o, known := orderFor(r.GetType(), q.Ecosystem)
			if !known {
				continue
			}
			var qv semantic.Version
			if q.Version != "" {
				qv, _ = o.parse(q.Version)
			}
			for _, e := range r.GetEvents() {
				ev, ok := eventOf(e, o)
				if !ok || ev.kind != 'f' {
					continue
				}
				if qv != nil && !ev.invalid && cmp(qv, ev) >= 0 {
					continue
				}
				fixed = append(fixed, ev)
			}
		}
	}
	if len(fixed) == 0 {
		return nil
	}
	sortEvents(fixed)
	out := make([]string, 0, len(fixed))
	for _, ev := range fixed {
		if !slices.Contains(out, ev.raw) {
			out = append(out, ev.raw)
		}
	}
	return out
}
