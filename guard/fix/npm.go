package fix

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	depsemver "deps.dev/util/semver"

	"github.com/installguard/guard/guard/pm"
	"github.com/installguard/guard/lockfile"
)

// npmEntry is what planning reads of one package-lock.json "packages"
// entry: the ranges it asks of its dependencies. lockfile.Package keeps the
// resolved dependency IDs but not the ranges, so they are read here.
type npmEntry struct {
	Version              string            `json:"version"`
	Dependencies         map[string]string `json:"dependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
}

func (e *npmEntry) rangeFor(name string, root bool) (string, string) {
	sections := []struct {
		name string
		m    map[string]string
	}{{"dependencies", e.Dependencies}, {"optionalDependencies", e.OptionalDependencies}, {"peerDependencies", e.PeerDependencies}}
	if root {
		sections = append(sections, struct {
			name string
			m    map[string]string
		}{"devDependencies", e.DevDependencies})
	}
	for _, s := range sections {
		if r, ok := s.m[name]; ok {
			return r, s.name
		}
	}
	return "", ""
}

// entryCache holds the package-lock.json "packages" maps read during one
// planning run, by path.
type entryCache map[string]map[string]*npmEntry

// npmEntries reads the "packages" map of a v2/v3 package-lock.json (v1 files
// have none: planning then knows no ranges).
func (c entryCache) npmEntries(lf *lockfile.Lockfile) map[string]*npmEntry {
	if m, ok := c[lf.Path]; ok {
		return m
	}
	var doc struct {
		Packages map[string]*npmEntry `json:"packages"`
	}
	data, err := lockfile.ReadFile(lf.Path)
	if err == nil {
		_ = json.Unmarshal(data, &doc)
	}
	c[lf.Path] = doc.Packages
	return doc.Packages
}

// dependentsOf lists the ranges the dependents of the given entries ask
// for, where the lockfile records them (npm package-lock v2/v3). Ranges
// that are not version ranges (tags, URLs, aliases) are left out.
func (c entryCache) dependentsOf(lf *lockfile.Lockfile, pkgs []*lockfile.Package) []Dependent {
	if lf.Format != lockfile.FormatPackageLock && lf.Format != lockfile.FormatShrinkwrap {
		return nil
	}
	entries := c.npmEntries(lf)
	if entries == nil {
		return nil
	}
	ids := map[string]bool{}
	for _, p := range pkgs {
		ids[p.ID] = true
	}
	name := pkgs[0].Name
	var out []Dependent
	seen := map[Dependent]bool{}
	addRange := func(d Dependent) {
		if _, err := depsemver.NPM.ParseConstraint(d.Range); err != nil || seen[d] {
			return
		}
		seen[d] = true
		out = append(out, d)
	}
	for _, id := range lf.Roots {
		if ids[id] {
			if e := entries[""]; e != nil {
				if r, _ := e.rangeFor(name, true); r != "" {
					addRange(Dependent{Range: r})
				}
			}
			break
		}
	}
	for i := range lf.Packages {
		q := &lf.Packages[i]
		for _, d := range q.Deps {
			if !ids[d] || d == q.ID {
				continue
			}
			if e := entries[q.ID]; e != nil {
				if r, _ := e.rangeFor(name, q.Source.Kind == lockfile.SourceWorkspace); r != "" {
					addRange(Dependent{Name: q.Name, Version: q.Version, Range: r})
				}
			}
		}
	}
	return out
}

// rootSpec returns the project's own spec for name and the package.json
// section it is in, from the lockfile's root entry.
func (c entryCache) rootSpec(lf *lockfile.Lockfile, name string) (string, string) {
	e := c.npmEntries(lf)[""]
	if e == nil {
		return "", ""
	}
	return e.rangeFor(name, true)
}

// satisfies reports whether version v is inside range r of the ecosystem;
// a range the library cannot read constrains nothing.
func satisfies(ecosystem, r, v string) bool {
	sys := depsemver.NPM
	switch ecosystem {
	case "crates.io":
		sys = depsemver.Cargo
	case "PyPI":
		sys = depsemver.PyPI
	}
	c, err := sys.ParseConstraint(r)
	if err != nil {
		return true
	}
	return c.Match(v)
}

// NpmVersions lists published versions with `npm view NAME versions --json`
// run in the project's folder, so the user's npm configuration (registry,
// scopes, credentials in .npmrc) applies; guard names no registry itself.
type NpmVersions struct {
	Inv *pm.Invocation
	Dir string
}

// Versions implements VersionLister for npm packages (nil for others).
func (n NpmVersions) Versions(ctx context.Context, ecosystem, name string) ([]string, error) {
	if ecosystem != string(lockfile.NPM) {
		return nil, nil
	}
	out, err := pm.Output(ctx, n.Inv, n.Dir, "npm", "view", name, "versions", "--json")
	if err != nil {
		return nil, err
	}
	out = strings.TrimSpace(out)
	var list []string
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		var one string
		if err2 := json.Unmarshal([]byte(out), &one); err2 != nil {
			return nil, fmt.Errorf("npm view %s versions: unexpected output: %v", name, err)
		}
		list = []string{one}
	}
	return list, nil
}

// specStyle classifies a package.json spec by how npm would save it: "="
// for an exact version, "^" or "~" for those operators on a version, ""
// for anything else (ranges, x-ranges, tags, "*").
func specStyle(spec string) string {
	spec = strings.TrimSpace(spec)
	for _, op := range []string{"^", "~"} {
		if rest, ok := strings.CutPrefix(spec, op); ok && !strings.HasPrefix(rest, ">") && versionLike().MatchString(rest) {
			return op
		}
	}
	if exactSpec().MatchString(spec) {
		return "="
	}
	return ""
}

// Compiled on first use: package-level regexps cost every guard process
// their compilation at start, whatever the command (issue 14).
var (
	exactSpec = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^=?v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$`)
	})
	versionLike = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\s*v?\d+(?:\.(?:\d+|[xX*]))*(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$`)
	})
)

// saveFlags are the npm flags that keep a direct dependency's spec in the
// project's style: an exact version stays exact, "^" stays "^", "~" stays
// "~"; any other spec is saved the way the user's npm configuration says
// (.npmrc save-exact / save-prefix, which npm itself reads).
func saveFlags(spec string) []string {
	switch specStyle(spec) {
	case "=":
		return []string{"--save-exact"}
	case "^":
		return []string{"--no-save-exact", "--save-prefix=^"}
	case "~":
		return []string{"--no-save-exact", "--save-prefix=~"}
	}
	return nil
}

// newSpec is the spec npm saves for version to in place of old: the
// operator of old is kept (see saveFlags); "" when npm's configuration
// decides.
func newSpec(old, to string) string {
	switch st := specStyle(old); st {
	case "=":
		return to
	case "^", "~":
		return st + to
	}
	return ""
}

// npmInstallFlags make npm write only package.json and the lockfile and
// run no package code.
var npmInstallFlags = []string{"--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"}

// applyNpm applies the npm upgrades of one project folder: "overrides" for
// transitive ones (see Item.Override) with `npm pkg set`, then `npm install
// NAME@VERSION... --package-lock-only --ignore-scripts` for the project's
// own dependencies (npm keeps each in its package.json section and locks
// exactly VERSION; saveFlags keep the spec's style), or a plain `npm install
// --package-lock-only` when there are only overrides, so that npm itself
// resolves and writes the lockfile. node_modules is not touched: nothing
// unchecked is installed.
func applyNpm(ctx context.Context, inv *pm.Invocation, dir string, items []Item) error {
	var sets []string
	type group struct {
		flags []string
		specs []string
	}
	var groups []*group
	byFlags := map[string]*group{}
	for _, it := range items {
		switch it.Method {
		case MethodDirect:
			if it.section == "peerDependencies" {
				// npm install would move it to dependencies.
				sets = append(sets, fmt.Sprintf("%s[%s]=%s", it.section, it.Name, cmp.Or(newSpec(it.spec, it.To), it.To)))
				continue
			}
			fl := saveFlags(it.spec)
			key := strings.Join(fl, " ")
			g := byFlags[key]
			if g == nil {
				g = &group{flags: fl}
				byFlags[key] = g
				groups = append(groups, g)
			}
			g.specs = append(g.specs, it.Name+"@"+it.To)
		case MethodOverride:
			sets = append(sets, fmt.Sprintf("overrides[%s]=%s", it.Override, it.To))
		}
	}
	if len(sets) > 0 {
		if err := pm.RunStep(ctx, inv, dir, "npm pkg set", "npm", append([]string{"pkg", "set"}, sets...)...); err != nil {
			return err
		}
	}
	if len(groups) == 0 {
		return pm.RunStep(ctx, inv, dir, "npm install --package-lock-only", "npm", append([]string{"install"}, npmInstallFlags...)...)
	}
	for _, g := range groups {
		args := append(append(append([]string{"install"}, g.specs...), g.flags...), npmInstallFlags...)
		if err := pm.RunStep(ctx, inv, dir, "npm install "+strings.Join(g.specs, " ")+" --package-lock-only", "npm", args...); err != nil {
			return err
		}
	}
	return nil
}

// npmFiles are the files npm may write in a project folder.
func npmFiles(dir string) []string {
	return []string{filepath.Join(dir, "package.json"), filepath.Join(dir, "package-lock.json"),
		filepath.Join(dir, "npm-shrinkwrap.json")}
}
