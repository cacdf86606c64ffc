// Package fix plans and applies remediation for `guard fix`: for each
// package version with known vulnerabilities, the smallest upgrade that
// clears every advisory of that package (respecting the version ranges of
// its dependents where the lockfile records them), applied through the
// package manager itself, with every file the manager may touch restored on
// failure. It decides nothing about policy: the caller re-checks the result
// with guard.Check.
//
// Version ordering comes from osv-scalibr's semantic package (as everywhere
// in guard, through advisory.SortVersions and advisory.Affects); npm range
// satisfaction ("^4.17.1", "~1.2 || >=2") from deps.dev/util/semver, the
// library osv-scanner's own remediation and deps.dev use to resolve npm
// graphs: it implements npm's node-semver rules (caret, tilde, x-ranges,
// hyphen ranges, || unions, prerelease exclusion), which general semver
// libraries only approximate.
package fix

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/google/osv-scalibr/semantic"
	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/advisory"
)

// Action is what the plan does about one package version.
type Action string

const (
	// Upgrade to Item.To.
	Upgrade Action = "upgrade"
	// Remove: a known malicious version; no upgrade makes it safe.
	Remove Action = "remove"
	// NoFix: no known version clears every advisory.
	NoFix Action = "no-fix"
)

// Method is how an upgrade is applied.
type Method string

const (
	// MethodDirect: change the project's own dependency on the package
	// (npm: package.json spec, then npm install --package-lock-only).
	MethodDirect Method = "direct"
	// MethodOverride: npm "overrides" entry for a transitive package.
	MethodOverride Method = "override"
	// MethodPin: rewrite the == pin in a requirements file.
	MethodPin Method = "pin"
	// MethodPrecise: cargo update -p name@old --precise new.
	MethodPrecise Method = "precise"
	// MethodManual: guard fix cannot apply it; Note says what to do.
	MethodManual Method = "manual"
)

// Dependent is one package (or the project itself, Name "") that depends on
// the planned package, with the version range it asks for.
type Dependent struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	Range   string `json:"range"`
	// Satisfied: Item.To is inside Range.
	Satisfied bool `json:"satisfied"`
}

// Item is the plan for one package version of one lockfile.
type Item struct {
	Lockfile  string             `json:"lockfile"`
	Ecosystem lockfile.Ecosystem `json:"ecosystem"`
	Name      string             `json:"name"`
	Version   string             `json:"version"`
	Action    Action             `json:"action"`
	To        string             `json:"to,omitempty"`
	Method    Method             `json:"method,omitempty"`
	Direct    bool               `json:"direct"`
	// Advisories are the advisory groups (primary IDs) affecting Version.
	Advisories []string `json:"advisories"`
	// Dependents are the ranges that constrain the package, where the
	// lockfile records them (npm).
	Dependents []Dependent `json:"dependents,omitempty"`
	// OutsideRange: no clearing version fits every dependent's range; To is
	// the smallest clearing version and the override forces it.
	OutsideRange bool `json:"outsideRange,omitempty"`
	// Override is the npm "overrides" key of a MethodOverride upgrade.
	Override string `json:"override,omitempty"`
	Note     string `json:"note,omitempty"`

	// paths are the lockfile entries (npm install paths) of this version.
	paths []string
	// spec is the project's own spec for a direct npm dependency and
	// section the package.json section it is in.
	spec, section string
}

// Plan is the remediation plan for a set of lockfiles.
type Plan struct {
	Items []Item `json:"items"`
}

// Actionable returns the upgrades guard fix can apply.
func (p *Plan) Actionable() []Item {
	var out []Item
	for _, it := range p.Items {
		if it.Action == Upgrade && it.Method != MethodManual {
			out = append(out, it)
		}
	}
	return out
}

// VersionLister lists the published versions of a package (npm: the
// registry's packument through the user's npm). Nil, or an error for a
// package, means only the fixed versions named by the advisories are
// candidates.
type VersionLister interface {
	Versions(ctx context.Context, ecosystem, name string) ([]string, error)
}

// Options configure planning.
type Options struct {
	Lockfiles  []*lockfile.Lockfile
	Advisories advisory.Source
	Versions   VersionLister
}

// pkgKey is one package version of one lockfile.
type pkgKey struct {
	lockfile, name, version string
}

// MakePlan plans the remediation of every package version that a
// vulnerability or malware advisory affects. An error means the advisories
// could not be read; a package whose candidate versions could not be listed
// falls back to the advisories' fixed versions (Note says so).
func MakePlan(ctx context.Context, opts Options) (*Plan, error) {
	if opts.Advisories == nil {
		return nil, fmt.Errorf("no advisory source configured")
	}
	type entry struct {
		lf   *lockfile.Lockfile
		pkgs []*lockfile.Package
	}
	var keys []pkgKey
	entries := map[pkgKey]*entry{}
	var qs []advisory.Query
	seenQ := map[advisory.Query]bool{}
	for _, lf := range opts.Lockfiles {
		for i := range lf.Packages {
			p := &lf.Packages[i]
			if p.Version == "" || p.Source.Kind == lockfile.SourceWorkspace ||
				(p.Source.Kind != lockfile.SourceRegistry && p.Source.Kind != "") {
				continue
			}
			k := pkgKey{lf.Path, p.Name, p.Version}
			if entries[k] == nil {
				entries[k] = &entry{lf: lf}
				keys = append(keys, k)
			}
			entries[k].pkgs = append(entries[k].pkgs, p)
			q := advisory.Query{Ecosystem: string(p.Ecosystem), Name: p.Name, Version: p.Version}
			if !seenQ[q] {
				seenQ[q] = true
				qs = append(qs, q)
			}
		}
	}
	if len(qs) == 0 {
		return &Plan{Items: []Item{}}, nil
	}
	answers, err := opts.Advisories.Query(ctx, qs)
	if err != nil {
		return nil, err
	}
	if len(answers) != len(qs) {
		return nil, fmt.Errorf("advisory source answered %d of %d queries", len(answers), len(qs))
	}
	type finding struct {
		ids     []string
		malware bool
	}
	found := map[advisory.Query]finding{}
	var all []advisory.Query // version-less queries: every record of the package
	seenAll := map[advisory.Query]bool{}
	for i, q := range qs {
		var f finding
		for _, g := range advisory.GroupAliases(answers[i]) {
			switch g.Kind() {
			case advisory.Malware:
				f.malware = true
			case advisory.Vulnerability:
			default:
				continue // RustSec unmaintained/unsound/notice: no upgrade fixes those by version
			}
			f.ids = append(f.ids, g.ID)
		}
		if len(f.ids) == 0 {
			continue
		}
		found[q] = f
		aq := advisory.Query{Ecosystem: q.Ecosystem, Name: q.Name}
		if !f.malware && !seenAll[aq] {
			seenAll[aq] = true
			all = append(all, aq)
		}
	}
	records := map[advisory.Query][]*osvschema.Vulnerability{}
	if len(all) > 0 {
		ans, err := opts.Advisories.Query(ctx, all)
		if err != nil {
			return nil, err
		}
		if len(ans) != len(all) {
			return nil, fmt.Errorf("advisory source answered %d of %d queries", len(ans), len(all))
		}
		for i, q := range all {
			records[q] = ans[i]
		}
	}
	registry := map[advisory.Query][]string{}
	registryErr := map[advisory.Query]error{}
	plan := &Plan{Items: []Item{}}
	cache := entryCache{}
	for _, k := range keys {
		e := entries[k]
		p0 := e.pkgs[0]
		q := advisory.Query{Ecosystem: string(p0.Ecosystem), Name: k.name, Version: k.version}
		f, ok := found[q]
		if !ok {
			continue
		}
		it := Item{Lockfile: k.lockfile, Ecosystem: p0.Ecosystem, Name: k.name, Version: k.version,
			Advisories: f.ids}
		for _, p := range e.pkgs {
			it.Direct = it.Direct || p.Direct
			it.paths = append(it.paths, p.Path)
		}
		if f.malware {
			it.Action = Remove
			it.Note = "a known malicious version: remove the dependency (no upgrade makes it safe)"
			plan.Items = append(plan.Items, it)
			continue
		}
		aq := advisory.Query{Ecosystem: q.Ecosystem, Name: q.Name}
		var listed []string
		if opts.Versions != nil {
			if _, done := registry[aq]; !done && registryErr[aq] == nil {
				vs, err := opts.Versions.Versions(ctx, q.Ecosystem, q.Name)
				if err != nil {
					registryErr[aq] = err
				} else {
					registry[aq] = vs
				}
			}
			listed = registry[aq]
		}
		cands := Candidates(q, records[aq], listed)
		deps := cache.dependentsOf(e.lf, e.pkgs)
		it.Dependents = deps
		to, _ := choose(q.Ecosystem, cands, deps)
		if to == "" {
			it.Action = NoFix
			it.Note = "no known version clears every advisory of " + q.Name
			if err := registryErr[aq]; err != nil {
				it.Note += fmt.Sprintf(" (registry versions unavailable: %v)", firstLine(err.Error()))
			}
			plan.Items = append(plan.Items, it)
			continue
		}
		it.Action, it.To = Upgrade, to
		for i := range it.Dependents {
			it.Dependents[i].Satisfied = satisfies(q.Ecosystem, it.Dependents[i].Range, to)
		}
		if err := registryErr[aq]; err != nil {
			it.Note = fmt.Sprintf("registry versions unavailable (%v): chosen among the advisories' fixed versions", firstLine(err.Error()))
		}
		assignMethod(&it, e.lf, cache)
		for _, d := range it.Dependents {
			// A direct dependency's own spec is rewritten with it.
			if !d.Satisfied && !(d.Name == "" && it.Method == MethodDirect) {
				it.OutsideRange = true
			}
		}
		if it.Method == MethodPin && slices.ContainsFunc(e.pkgs, func(p *lockfile.Package) bool { return len(p.Hashes) > 0 }) {
			it.Method = MethodManual
			it.Note = joinNote(it.Note, fmt.Sprintf("the pin carries --hash values, which must come from the index: "+
				"regenerate the file (pip-compile --generate-hashes) with %s==%s, or replace the hashes with those of 'pip download %s==%s --no-deps'",
				it.Name, it.To, it.Name, it.To))
		}
		plan.Items = append(plan.Items, it)
	}
	sort.SliceStable(plan.Items, func(i, j int) bool {
		a, b := plan.Items[i], plan.Items[j]
		if a.Lockfile != b.Lockfile {
			return a.Lockfile < b.Lockfile
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Version < b.Version
	})
	return plan, nil
}

// Candidates lists the versions q could move to, smallest first: the fixed
// versions every record of the package names, together with the versions
// the registry lists (when known), keeping those above q.Version that no
// record affects. Pre-releases are left out unless q.Version is one.
func Candidates(q advisory.Query, records []*osvschema.Vulnerability, listed []string) []string {
	eco := advisory.BaseEcosystem(q.Ecosystem)
	cur, err := semantic.Parse(q.Version, eco)
	if err != nil {
		return nil
	}
	curPre := isPrerelease(eco, q.Version)
	seen := map[string]bool{}
	var pool []string
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			pool = append(pool, v)
		}
	}
	for _, r := range records {
		for _, f := range advisory.FixedVersions(r, advisory.Query{Ecosystem: q.Ecosystem, Name: q.Name}) {
			add(f)
		}
	}
	for _, v := range listed {
		add(v)
	}
	var out []string
	for _, v := range pool {
		if c, err := cur.CompareStr(v); err != nil || c >= 0 {
			continue
		}
		if !curPre && isPrerelease(eco, v) {
			continue
		}
		cq := advisory.Query{Ecosystem: q.Ecosystem, Name: q.Name, Version: v}
		if slices.ContainsFunc(records, func(r *osvschema.Vulnerability) bool { return advisory.Affects(r, cq) }) {
			continue
		}
		out = append(out, v)
	}
	advisory.SortVersions(q.Ecosystem, out)
	return out
}

// choose picks the smallest candidate inside every dependent's range, else
// the smallest candidate (inRange false).
func choose(ecosystem string, cands []string, deps []Dependent) (string, bool) {
	if len(cands) == 0 {
		return "", false
	}
	for _, c := range cands {
		ok := true
		for _, d := range deps {
			if !satisfies(ecosystem, d.Range, c) {
				ok = false
				break
			}
		}
		if ok {
			return c, true
		}
	}
	return cands[0], false
}

func isPrerelease(eco, v string) bool {
	switch eco {
	case "PyPI":
		return pep440Pre.MatchString(v)
	default:
		core, _, _ := strings.Cut(v, "+")
		return strings.Contains(core, "-")
	}
}

// pep440Pre matches PEP 440 pre-releases and development releases
// ("1.0a1", "2.0.0rc2", "1.1.dev3").
var pep440Pre = regexp.MustCompile(`(?i)\d[._-]?(a|alpha|b|beta|c|rc|pre|preview|dev)\d*`)

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// assignMethod decides how an upgrade is applied for the lockfile's format.
func assignMethod(it *Item, lf *lockfile.Lockfile, cache entryCache) {
	switch lf.Format {
	case lockfile.FormatPackageLock, lockfile.FormatShrinkwrap:
		if it.Direct {
			spec, section := cache.rootSpec(lf, it.Name)
			if spec != "" {
				it.Method, it.spec, it.section = MethodDirect, spec, section
				return
			}
		}
		it.Method = MethodOverride
		// npm applies a plain "name" override to every copy of the package,
		// nested ones included; a "name@version" key is used only when other
		// versions of the package are in the tree and must stay as they are
		// (npm does not always re-resolve nested copies for it).
		it.Override = it.Name
		for i := range lf.Packages {
			p := &lf.Packages[i]
			if p.Name == it.Name && p.Version != it.Version && p.Version != it.To {
				it.Override = it.Name + "@" + it.Version
				break
			}
		}
	case lockfile.FormatRequirements:
		it.Method = MethodPin
	case lockfile.FormatCargoLock:
		it.Method = MethodPrecise
	default:
		it.Method = MethodManual
		it.Note = joinNote(it.Note, fmt.Sprintf("guard fix does not apply changes to %s yet: upgrade %s to %s with your package manager", lf.Format, it.Name, it.To))
	}
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
