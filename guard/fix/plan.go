// Package fix plans and applies remediation for `guard fix`. It plans from
// the decided findings of guard.Check — the same result `guard check`
// prints, with the policy, exceptions, levels and reachability applied — so
// that what blocks or warns there is what fix addresses, and what the
// policy allows is left alone. For npm it prefers, as Dependabot does, the
// smallest upgrade of a direct dependency whose resolved dependency tree
// clears the flagged advisories (resolved by npm itself in a private copy,
// guard/pm); a package-level upgrade (npm "overrides", a requirements pin,
// cargo update --precise) is planned only where no parent upgrade clears.
// Changes are applied through the package manager itself, with every file
// the manager may touch restored on failure, and the result is checked
// again with guard.Check.
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
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/google/osv-scalibr/semantic"
	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/policy"
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
	// NoFix: no known version clears every flagged advisory.
	NoFix Action = "no-fix"
)

// Method is how an upgrade is applied.
type Method string

const (
	// MethodDirect: change the project's own dependency on the package
	// (npm: npm install name@version --package-lock-only, keeping the
	// spec's save prefix).
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

// Cleared is a flagged transitive package version that a parent upgrade
// removes from the tree: Locked lists the versions of the package the
// resolution locks instead (none when it is gone).
type Cleared struct {
	Name       string   `json:"name"`
	Version    string   `json:"version"`
	Advisories []string `json:"advisories"`
	Locked     []string `json:"locked"`
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
	// Advisories are the flagged advisory groups (primary IDs) affecting
	// Version: the findings guard check blocks or warns on. Empty for a
	// parent upgrade of a direct dependency that is not flagged itself.
	Advisories []string `json:"advisories"`
	// Clears lists the flagged transitive package versions this upgrade of
	// a direct dependency removes (a parent upgrade).
	Clears []Cleared `json:"clears,omitempty"`
	// Locked lists the versions of the package the lockfile holds once the
	// package manager ran (after a fix; in a plan, what the resolution
	// locked when one was made). It can differ from To.
	Locked []string `json:"locked,omitempty"`
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

// Checker runs guard.Check, with the run's policy and advisory source, on
// the given lockfiles (a what-if check: guard.Options.WhatIf).
type Checker func(ctx context.Context, lfs []*lockfile.Lockfile) (*guard.Report, error)

// ParentResolver resolves the npm project of lf with its direct dependency
// name moved to version, without changing the project's files, and returns
// the lockfile the package manager wrote (Path set to lf.Path).
type ParentResolver func(ctx context.Context, lf *lockfile.Lockfile, name, version string) (*lockfile.Lockfile, error)

// Options configure planning.
type Options struct {
	// Lockfiles are the parsed lockfiles the report covers.
	Lockfiles []*lockfile.Lockfile
	// Report is guard.Check's decided result for Lockfiles: the plan
	// addresses its advisory findings (vulnerability, malware, RustSec
	// notices) whose action is block or warn, and nothing else.
	Report *guard.Report
	// Advisories lists a package's advisories across all its versions, for
	// the candidates (the source the check used).
	Advisories advisory.Source
	Versions   VersionLister
	// Check judges candidate versions with the run's policy. Nil: a
	// candidate is judged by the records of the flagged advisories only.
	Check Checker
	// Resolve enables parent upgrades of npm direct dependencies; nil
	// plans none (offline: resolving needs the registry).
	Resolve ParentResolver
	// MaxParentTries bounds the resolutions tried per direct dependency;
	// 0 means 24.
	MaxParentTries int
	// Progress, when set, is told of each slow step (a resolution).
	Progress func(msg string)
}

// pkgKey is one package version of one lockfile.
type pkgKey struct {
	lockfile, name, version string
}

// flags reports whether a decided finding is one guard fix addresses: an
// advisory finding (a rule with an advisory class in the rule table, which
// an upgrade can clear) that blocks or warns.
func flags(f *guard.Finding) bool {
	if f.Action != guard.Block && f.Action != guard.Warn {
		return false
	}
	r, ok := policy.RuleOf(f.Rule)
	return ok && r.Class != ""
}

// flagged is what the check decided about one package version.
type flagged struct {
	eco     lockfile.Ecosystem
	ids     []string        // primary IDs, in finding order
	known   map[string]bool // every ID and alias of the flagged groups
	malware bool
}

// MakePlan plans the remediation of every package version the report
// flags. An error means the advisories or a candidate check could not be
// read; a package whose candidate versions could not be listed falls back
// to the advisories' fixed versions (Note says so).
func MakePlan(ctx context.Context, opts Options) (*Plan, error) {
	if opts.Report == nil {
		return nil, errors.New("no check result to plan from")
	}
	if opts.Advisories == nil {
		return nil, errors.New("no advisory source configured")
	}
	var keys []pkgKey
	found := map[pkgKey]*flagged{}
	for i := range opts.Report.Findings {
		f := &opts.Report.Findings[i]
		if !flags(f) || f.Version == "" {
			continue
		}
		k := pkgKey{f.Lockfile, f.Name, f.Version}
		fl := found[k]
		if fl == nil {
			fl = &flagged{eco: f.Ecosystem, known: map[string]bool{}}
			found[k] = fl
			keys = append(keys, k)
		}
		if !slices.Contains(fl.ids, f.ID) {
			fl.ids = append(fl.ids, f.ID)
		}
		fl.known[f.ID] = true
		for _, a := range f.Aliases {
			fl.known[a] = true
		}
		fl.malware = fl.malware || f.Rule == guard.RuleMalware
	}
	plan := &Plan{Items: []Item{}}
	if len(keys) == 0 {
		return plan, nil
	}
	pl := &planner{opts: opts, found: found, cache: entryCache{},
		registry: map[advisory.Query][]string{}, registryErr: map[advisory.Query]error{}, notes: map[pkgKey]string{}}
	if err := pl.readRecords(ctx, keys); err != nil {
		return nil, err
	}
	for _, lf := range opts.Lockfiles {
		var mine []pkgKey
		for _, k := range keys {
			if k.lockfile == lf.Path {
				mine = append(mine, k)
			}
		}
		if len(mine) == 0 {
			continue
		}
		items, err := pl.planLockfile(ctx, lf, mine)
		if err != nil {
			return nil, err
		}
		plan.Items = append(plan.Items, items...)
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

// planner holds what one planning run has read.
type planner struct {
	opts  Options
	found map[pkgKey]*flagged
	cache entryCache
	// records are every record of a package (version-less queries).
	records     map[advisory.Query][]*osvschema.Vulnerability
	registry    map[advisory.Query][]string
	registryErr map[advisory.Query]error
	// notes say why no parent upgrade covers a flagged version.
	notes map[pkgKey]string
}

// readRecords asks the source for every record of each flagged package
// (malware aside: no version of it is planned).
func (pl *planner) readRecords(ctx context.Context, keys []pkgKey) error {
	var all []advisory.Query
	seen := map[advisory.Query]bool{}
	for _, k := range keys {
		fl := pl.found[k]
		q := advisory.Query{Ecosystem: string(fl.eco), Name: k.name}
		if fl.malware || seen[q] {
			continue
		}
		seen[q] = true
		all = append(all, q)
	}
	pl.records = map[advisory.Query][]*osvschema.Vulnerability{}
	if len(all) == 0 {
		return nil
	}
	ans, err := pl.opts.Advisories.Query(ctx, all)
	if err != nil {
		return err
	}
	if len(ans) != len(all) {
		return fmt.Errorf("advisory source answered %d of %d queries", len(ans), len(all))
	}
	for i, q := range all {
		pl.records[q] = ans[i]
	}
	return nil
}

// flaggedRecords are the records of the package that belong to the
// advisory groups flagged at the current version.
func (pl *planner) flaggedRecords(eco lockfile.Ecosystem, name string, fl *flagged) []*osvschema.Vulnerability {
	if fl == nil {
		return nil
	}
	var out []*osvschema.Vulnerability
	for _, r := range pl.records[advisory.Query{Ecosystem: string(eco), Name: name}] {
		hit := fl.known[r.GetId()]
		for _, a := range r.GetAliases() {
			hit = hit || fl.known[a]
		}
		if hit {
			out = append(out, r)
		}
	}
	return out
}

// listed returns the registry's versions of a package (cached), nil when
// there is no lister or it failed (registryErr says why).
func (pl *planner) listed(ctx context.Context, eco lockfile.Ecosystem, name string) []string {
	if pl.opts.Versions == nil {
		return nil
	}
	aq := advisory.Query{Ecosystem: string(eco), Name: name}
	if _, done := pl.registry[aq]; !done && pl.registryErr[aq] == nil {
		vs, err := pl.opts.Versions.Versions(ctx, string(eco), name)
		if err != nil {
			pl.registryErr[aq] = err
		} else {
			pl.registry[aq] = vs
		}
	}
	return pl.registry[aq]
}

// planLockfile plans the flagged package versions of one lockfile: parent
// upgrades first (npm), then a package-level item for each version no
// parent upgrade clears.
func (pl *planner) planLockfile(ctx context.Context, lf *lockfile.Lockfile, keys []pkgKey) ([]Item, error) {
	entries := map[pkgKey][]*lockfile.Package{}
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if p.Version == "" || p.Source.Kind == lockfile.SourceWorkspace {
			continue
		}
		k := pkgKey{lf.Path, p.Name, p.Version}
		if pl.found[k] != nil {
			entries[k] = append(entries[k], p)
		}
	}
	var items []Item
	covered := map[pkgKey]bool{}
	if pl.opts.Resolve != nil && pl.opts.Versions != nil && pl.opts.Check != nil &&
		(lf.Format == lockfile.FormatPackageLock || lf.Format == lockfile.FormatShrinkwrap) {
		parents, cov, err := pl.parentUpgrades(ctx, lf, entries)
		if err != nil {
			return nil, err
		}
		items, covered = parents, cov
	}
	for _, k := range keys {
		if covered[k] || len(entries[k]) == 0 {
			continue
		}
		it, err := pl.planPackage(ctx, lf, k, entries[k])
		if err != nil {
			return nil, err
		}
		it.Note = joinNote(it.Note, pl.notes[k])
		items = append(items, it)
	}
	return items, nil
}

// planPackage plans one flagged package version on its own: the smallest
// version that clears its flagged advisories (inside its dependents'
// ranges where one does), or removal of malware.
func (pl *planner) planPackage(ctx context.Context, lf *lockfile.Lockfile, k pkgKey, pkgs []*lockfile.Package) (Item, error) {
	fl := pl.found[k]
	it := Item{Lockfile: k.lockfile, Ecosystem: fl.eco, Name: k.name, Version: k.version, Advisories: fl.ids}
	for _, p := range pkgs {
		it.Direct = it.Direct || p.Direct
		it.paths = append(it.paths, p.Path)
	}
	if fl.malware {
		it.Action = Remove
		it.Note = "a known malicious version: remove the dependency (no upgrade makes it safe)"
		return it, nil
	}
	if !slices.ContainsFunc(pkgs, fromRegistry) {
		it.Action = NoFix
		it.Note = fmt.Sprintf("%s comes from %s, not a registry: guard fix upgrades registry packages only; point the dependency at a fixed version by hand",
			k.name, pkgs[0].Source.Kind)
		return it, nil
	}
	q := advisory.Query{Ecosystem: string(fl.eco), Name: k.name, Version: k.version}
	// The pool: the registry's versions and every fixed version any record
	// of the package names; the records of the flagged advisories rule
	// out the versions they still affect, and the what-if check the
	// versions other advisories flag under the policy.
	pool := slices.Clone(pl.listed(ctx, fl.eco, k.name))
	for _, r := range pl.records[advisory.Query{Ecosystem: q.Ecosystem, Name: q.Name}] {
		pool = append(pool, advisory.FixedVersions(r, advisory.Query{Ecosystem: q.Ecosystem, Name: q.Name})...)
	}
	cands := Candidates(q, pl.flaggedRecords(fl.eco, k.name, fl), pool)
	cands, err := pl.judge(ctx, lf, pkgs, cands)
	if err != nil {
		return it, err
	}
	deps := pl.cache.dependentsOf(lf, pkgs)
	it.Dependents = deps
	aq := advisory.Query{Ecosystem: q.Ecosystem, Name: q.Name}
	to, _ := choose(q.Ecosystem, cands, deps)
	if to == "" {
		it.Action = NoFix
		it.Note = "no known version clears every flagged advisory of " + q.Name
		if err := pl.registryErr[aq]; err != nil {
			it.Note += fmt.Sprintf(" (registry versions unavailable: %v)", firstLine(err.Error()))
		}
		return it, nil
	}
	it.Action, it.To = Upgrade, to
	for i := range it.Dependents {
		it.Dependents[i].Satisfied = satisfies(q.Ecosystem, it.Dependents[i].Range, to)
	}
	if err := pl.registryErr[aq]; err != nil {
		it.Note = fmt.Sprintf("registry versions unavailable (%v): chosen among the advisories' fixed versions", firstLine(err.Error()))
	}
	assignMethod(&it, lf, pl.cache)
	for _, d := range it.Dependents {
		// A direct dependency's own spec is rewritten with it.
		if !d.Satisfied && !(d.Name == "" && it.Method == MethodDirect) {
			it.OutsideRange = true
		}
	}
	if it.Method == MethodPin && slices.ContainsFunc(pkgs, func(p *lockfile.Package) bool { return len(p.Hashes) > 0 }) {
		it.Method = MethodManual
		it.Note = joinNote(it.Note, fmt.Sprintf("the pin carries --hash values, which must come from the index: "+
			"regenerate the file (pip-compile --generate-hashes) with %s==%s, or replace the hashes with those of 'pip download %s==%s --no-deps'",
			it.Name, it.To, it.Name, it.To))
	}
	return it, nil
}

// fromRegistry: the entry comes from a package registry (or the format
// does not say where from).
func fromRegistry(p *lockfile.Package) bool {
	return p.Source.Kind == lockfile.SourceRegistry || p.Source.Kind == ""
}

// maxJudged bounds the candidate versions of one package judged by a
// what-if check.
const maxJudged = 64

// judge keeps the candidates the run's policy lets through: a what-if
// check of the package at each candidate version (copies of its lockfile
// entries; at level 3 inside the whole lockfile, so that reachability sees
// the same dependents) must flag no advisory on it.
func (pl *planner) judge(ctx context.Context, lf *lockfile.Lockfile, pkgs []*lockfile.Package, cands []string) ([]string, error) {
	if pl.opts.Check == nil || len(cands) == 0 {
		return cands, nil
	}
	if len(cands) > maxJudged {
		cands = cands[:maxJudged]
	}
	syn := &lockfile.Lockfile{Path: lf.Path, Format: lf.Format, FormatVersion: lf.FormatVersion, Ecosystem: lf.Ecosystem}
	whole := pl.opts.Report.Level >= 3
	var copies []lockfile.Package
	extra := map[string][]string{} // original ID -> its copies' IDs
	for _, c := range cands {
		for _, p := range pkgs {
			cp := *p
			cp.Version, cp.Hashes, cp.Line = c, nil, 0
			if p.ID != "" {
				cp.ID = p.ID + "\x00candidate\x00" + c
				extra[p.ID] = append(extra[p.ID], cp.ID)
			}
			copies = append(copies, cp)
		}
	}
	if whole {
		for _, p := range lf.Packages {
			var add []string
			for _, d := range p.Deps {
				add = append(add, extra[d]...)
			}
			if len(add) > 0 {
				p.Deps = append(slices.Clone(p.Deps), add...)
			}
			syn.Packages = append(syn.Packages, p)
		}
		for _, id := range lf.Roots {
			syn.Roots = append(syn.Roots, id)
			syn.Roots = append(syn.Roots, extra[id]...)
		}
	}
	syn.Packages = append(syn.Packages, copies...)
	r, err := pl.opts.Check(ctx, []*lockfile.Lockfile{syn})
	if err != nil {
		return nil, err
	}
	if err := incomplete(r); err != nil {
		return nil, err
	}
	name := pkgs[0].Name
	bad := map[string]bool{}
	for i := range r.Findings {
		if f := &r.Findings[i]; flags(f) && f.Name == name {
			bad[f.Version] = true
		}
	}
	var out []string
	for _, c := range cands {
		if !bad[c] {
			out = append(out, c)
		}
	}
	return out, nil
}

// incomplete turns a what-if check that could not complete into an error:
// any error counts (even one the policy's on-error = "warn" lets through),
// since a candidate judged on missing evidence must not read as clear.
func incomplete(r *guard.Report) error {
	for _, e := range r.Errors {
		return errors.New("a check of candidate versions could not complete: " + e.Message)
	}
	return nil
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
		return pep440Pre().MatchString(v)
	default:
		core, _, _ := strings.Cut(v, "+")
		return strings.Contains(core, "-")
	}
}

// pep440Pre matches PEP 440 pre-releases and development releases
// ("1.0a1", "2.0.0rc2", "1.1.dev3").
var pep440Pre = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)\d[._-]?(a|alpha|b|beta|c|rc|pre|preview|dev)\d*`)
})

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
