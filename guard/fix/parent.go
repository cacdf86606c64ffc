package fix

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/installguard/guard/guard/pm"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/lockfile/regfile"
	"github.com/installguard/guard/verify/advisory"
)

// parentUpgrades plans, for each direct dependency of an npm project whose
// dependency tree holds a flagged package version, the smallest upgrade
// whose resolved tree clears every flagged advisory (Dependabot's
// approach). covered are the flagged versions whose every copy sits only
// under direct dependencies that such an upgrade fixes: they need no item
// of their own.
func (pl *planner) parentUpgrades(ctx context.Context, lf *lockfile.Lockfile, entries map[pkgKey][]*lockfile.Package) ([]Item, map[pkgKey]bool, error) {
	byID := map[string]*lockfile.Package{}
	for i := range lf.Packages {
		if id := lf.Packages[i].ID; id != "" {
			byID[id] = &lf.Packages[i]
		}
	}
	flaggedAt := map[string]pkgKey{} // entry ID -> its flagged version
	for k, ps := range entries {
		for _, p := range ps {
			if p.ID != "" {
				flaggedAt[p.ID] = k
			}
		}
	}
	type parent struct {
		p    *lockfile.Package
		spec string
		sect string
		hold []pkgKey // flagged versions in its tree
	}
	var parents []*parent
	under := map[string][]*parent{} // flagged entry ID -> direct dependencies above it
	for i := range lf.Packages {
		d := &lf.Packages[i]
		if !d.Direct || d.ID == "" || d.Version == "" || !fromRegistry(d) {
			continue
		}
		spec, sect := pl.cache.rootSpec(lf, d.Name)
		if spec == "" || sect == "peerDependencies" {
			continue
		}
		par := &parent{p: d, spec: spec, sect: sect}
		seen := map[pkgKey]bool{}
		for _, id := range subtree(byID, d.ID) {
			if k, ok := flaggedAt[id]; ok {
				under[id] = append(under[id], par)
				if !seen[k] {
					seen[k] = true
					par.hold = append(par.hold, k)
				}
			}
		}
		if len(par.hold) > 0 {
			parents = append(parents, par)
		}
	}
	sort.Slice(parents, func(i, j int) bool { return parents[i].p.Name < parents[j].p.Name })
	fixed := map[*parent]*Item{}
	resolved := map[*parent]*lockfile.Lockfile{}
	for _, par := range parents {
		to, after, note, err := pl.searchParent(ctx, lf, par.p)
		if err != nil {
			return nil, nil, err
		}
		if to == "" {
			if note != "" {
				for _, k := range par.hold {
					pl.notes[k] = joinNote(pl.notes[k], note)
				}
			}
			continue
		}
		k := pkgKey{lf.Path, par.p.Name, par.p.Version}
		it := &Item{Lockfile: lf.Path, Ecosystem: par.p.Ecosystem, Name: par.p.Name, Version: par.p.Version,
			Action: Upgrade, To: to, Method: MethodDirect, Direct: true, Advisories: []string{},
			Locked: lockedOf(after, par.p.Name, true), Note: note, spec: par.spec, section: par.sect, paths: []string{par.p.Path}}
		if fl := pl.found[k]; fl != nil {
			it.Advisories = fl.ids
		}
		fixed[par], resolved[par] = it, directSubtree(after, par.p.Name)
	}
	covered := map[pkgKey]bool{}
	for k, ps := range entries {
		// A malicious version always keeps its own item, for removal.
		ok := len(ps) > 0 && !pl.found[k].malware
		for _, p := range ps {
			pars := under[p.ID]
			if len(pars) == 0 {
				ok = false
			}
			for _, par := range pars {
				ok = ok && fixed[par] != nil
			}
		}
		covered[k] = ok
	}
	var items []Item
	for _, par := range parents {
		it := fixed[par]
		if it == nil {
			continue
		}
		for _, k := range par.hold {
			if k.name == par.p.Name && k.version == par.p.Version || !covered[k] {
				continue
			}
			fl := pl.found[k]
			it.Clears = append(it.Clears, Cleared{Name: k.name, Version: k.version, Advisories: fl.ids,
				Locked: lockedOf(resolved[par], k.name, false)})
		}
		sort.Slice(it.Clears, func(i, j int) bool {
			a, b := it.Clears[i], it.Clears[j]
			if a.Name != b.Name {
				return a.Name < b.Name
			}
			return a.Version < b.Version
		})
		items = append(items, *it)
	}
	return items, covered, nil
}

// subtree lists the IDs reachable from id through Deps, id first.
func subtree(byID map[string]*lockfile.Package, id string) []string {
	seen := map[string]bool{id: true}
	out := []string{id}
	for i := 0; i < len(out); i++ {
		p := byID[out[i]]
		if p == nil {
			continue
		}
		for _, d := range p.Deps {
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	return out
}

// lockedOf lists the distinct versions of name in lf (direct: only the
// project's own dependency), sorted.
func lockedOf(lf *lockfile.Lockfile, name string, direct bool) []string {
	out := []string{}
	if lf == nil {
		return out
	}
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if p.Version == "" || (direct && !p.Direct) ||
			advisory.NormalizeName(string(p.Ecosystem), p.Name) != advisory.NormalizeName(string(p.Ecosystem), name) {
			continue
		}
		if !slices.Contains(out, p.Version) {
			out = append(out, p.Version)
		}
	}
	if len(out) > 0 {
		advisory.SortVersions(string(lf.Packages[0].Ecosystem), out)
	}
	return out
}

// searchParent finds the smallest version of the direct dependency d whose
// resolved tree the policy lets through, trying candidates in ascending
// order. When there are more than MaxParentTries candidates, release lines
// are tried in ascending order, each gated by its highest version (see
// below), within the same budget of resolutions. to is "" when none
// clears (note says why).
func (pl *planner) searchParent(ctx context.Context, lf *lockfile.Lockfile, d *lockfile.Package) (to string, after *lockfile.Lockfile, note string, err error) {
	k := pkgKey{lf.Path, d.Name, d.Version}
	fl := pl.found[k]
	if fl != nil && fl.malware {
		return "", nil, "", nil
	}
	listed := pl.listed(ctx, d.Ecosystem, d.Name)
	if len(listed) == 0 {
		return "", nil, "", nil
	}
	q := advisory.Query{Ecosystem: string(d.Ecosystem), Name: d.Name, Version: d.Version}
	cands := Candidates(q, pl.flaggedRecords(d.Ecosystem, d.Name, fl), listed)
	if len(cands) == 0 {
		return "", nil, "", nil
	}
	max := pl.opts.MaxParentTries
	if max <= 0 {
		max = 24
	}
	tries := 0
	var lastErr error
	clears := func(v string) (*lockfile.Lockfile, bool, error) {
		tries++
		if pl.opts.Progress != nil {
			pl.opts.Progress(fmt.Sprintf("resolving %s@%s with npm in a private copy (does its tree clear the advisories?)", d.Name, v))
		}
		res, err := pl.opts.Resolve(ctx, lf, d.Name, v)
		if err != nil {
			if ctx.Err() != nil {
				return nil, false, ctx.Err()
			}
			lastErr = err // this version does not resolve (peer conflicts, ...)
			return nil, false, nil
		}
		res.Path = lf.Path
		sub := directSubtree(res, d.Name)
		if sub == nil {
			return nil, false, nil
		}
		r, err := pl.opts.Check(ctx, []*lockfile.Lockfile{sub})
		if err != nil {
			return nil, false, err
		}
		if err := incomplete(r); err != nil {
			return nil, false, err
		}
		for i := range r.Findings {
			if flags(&r.Findings[i]) {
				return res, false, nil
			}
		}
		return res, true, nil
	}
	fail := func() (string, *lockfile.Lockfile, string, error) {
		note := fmt.Sprintf("no upgrade of %s clears its dependencies (%d of %d candidate versions resolved and checked)", d.Name, tries, len(cands))
		if lastErr != nil {
			note += fmt.Sprintf("; one could not be resolved: %v", firstLine(lastErr.Error()))
		}
		return "", nil, note, nil
	}
	if len(cands) <= max {
		// Every candidate fits in the budget: strictly ascending.
		for _, v := range cands {
			res, ok, err := clears(v)
			if err != nil {
				return "", nil, "", err
			}
			if ok {
				return v, res, "", nil
			}
		}
		return fail()
	}
	// More candidates than the budget: release lines (major, or 0.minor)
	// in ascending order; the highest version of a line is resolved first
	// and, when even it does not clear, the rest of the line is skipped.
	for _, line := range releaseLines(cands) {
		if tries >= max {
			break
		}
		top := line[len(line)-1]
		topLF, ok, err := clears(top)
		if err != nil {
			return "", nil, "", err
		}
		if !ok {
			continue
		}
		for _, v := range line[:len(line)-1] {
			if tries >= max {
				return top, topLF, fmt.Sprintf("%d of %d candidate versions of %s resolved and checked (the limit); %s clears, a smaller one might too", tries, len(cands), d.Name, top), nil
			}
			res, ok, err := clears(v)
			if err != nil {
				return "", nil, "", err
			}
			if ok {
				return v, res, "", nil
			}
		}
		return top, topLF, "", nil
	}
	return fail()
}

// releaseLines splits ascending versions into release lines: one per major
// version, or per minor version below 1.0.0 (npm's caret ranges).
func releaseLines(vs []string) [][]string {
	var out [][]string
	last := ""
	for _, v := range vs {
		parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
		line := parts[0]
		if line == "0" && len(parts) > 1 {
			line += "." + parts[1]
		}
		if len(out) == 0 || line != last {
			out = append(out, nil)
			last = line
		}
		out[len(out)-1] = append(out[len(out)-1], v)
	}
	return out
}

// directSubtree is the part of lf under the project's direct dependency
// name, as a lockfile of its own (nil when lf has no such dependency).
func directSubtree(lf *lockfile.Lockfile, name string) *lockfile.Lockfile {
	byID := map[string]*lockfile.Package{}
	root := ""
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if p.ID != "" {
			byID[p.ID] = p
		}
		if p.Direct && p.Name == name && root == "" {
			root = p.ID
		}
	}
	if root == "" {
		return nil
	}
	out := &lockfile.Lockfile{Path: lf.Path, Format: lf.Format, FormatVersion: lf.FormatVersion, Ecosystem: lf.Ecosystem, Roots: []string{root}}
	for _, id := range subtree(byID, root) {
		if p := byID[id]; p != nil {
			out.Packages = append(out.Packages, *p)
		}
	}
	return out
}

// NpmResolver resolves parent candidates with guard's npm wrapper: `npm
// install NAME@VERSION --package-lock-only --ignore-scripts` in a private
// copy of the project (guard/pm), with the user's npm configuration, so
// npm itself decides the tree. The project's files are not touched.
// Answers are remembered for the life of the resolver, keyed by the
// contents of the files npm reads, so a later round or plan over an
// unchanged project does not resolve again.
func NpmResolver(inv *pm.Invocation) ParentResolver {
	type answer struct {
		lf  *lockfile.Lockfile
		err error
	}
	var mu sync.Mutex
	memo := map[string]answer{}
	return func(ctx context.Context, lf *lockfile.Lockfile, name, version string) (*lockfile.Lockfile, error) {
		m, ok := pm.Lookup("npm")
		if !ok {
			return nil, fmt.Errorf("no npm wrapper")
		}
		dir := filepath.Dir(lf.Path)
		key, keyed := projectKey(dir, name+"@"+version)
		if keyed {
			mu.Lock()
			a, ok := memo[key]
			mu.Unlock()
			if ok {
				return copyLockfile(a.lf), a.err
			}
		}
		var env []string
		if inv != nil {
			env = inv.Env
		}
		i := &pm.Invocation{Manager: "npm", Args: []string{"install", name + "@" + version}, Dir: dir, Env: env}
		res, err := m.Resolve(ctx, i, m.Classify(i))
		var a answer
		switch {
		case err != nil:
			a.err = err
		case res.After == nil:
			a.err = fmt.Errorf("npm install %s@%s: no lockfile written", name, version)
		default:
			a.lf = res.After
		}
		if keyed && ctx.Err() == nil {
			mu.Lock()
			memo[key] = a
			mu.Unlock()
		}
		return copyLockfile(a.lf), a.err
	}
}

// maxKeyedFile caps the files projectKey reads.
const maxKeyedFile = 256 << 20

// projectKey digests the files npm reads to resolve in dir, with what is
// asked; ok is false when one cannot be read.
func projectKey(dir, ask string) (string, bool) {
	h := sha256.New()
	io.WriteString(h, ask+"\x00")
	for _, n := range []string{"package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"} {
		path := filepath.Join(dir, n)
		data, err := regfile.Read(path, maxKeyedFile)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return "", false // not remembered; npm reports what is wrong
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

// copyLockfile copies the Lockfile value (its packages are shared and
// must not be changed).
func copyLockfile(lf *lockfile.Lockfile) *lockfile.Lockfile {
	if lf == nil {
		return nil
	}
	c := *lf
	return &c
}
