package lockfile

import (
	"strconv"
	"strings"
)

// uv.lock, written by uv. Every [[package]] names its source (an index, a
// git commit, a URL, a local path or directory, or a workspace member:
// editable or virtual), its sdist and wheels with their hashes, and its
// dependencies by name (with version and source added when the name alone is
// ambiguous) plus the extras it asks of them. The project itself and the
// other workspace members are entries too; their dependencies are the
// project's direct dependencies, their optional-dependencies its extras and
// their dev-dependencies its dependency groups.

func init() {
	register(&format{
		Format:    FormatUVLock,
		Ecosystem: PyPI,
		Name:      func(base string) bool { return base == "uv.lock" },
		Sniff:     sniffUV,
		Parse:     tlEmptyOrParse(parseUV),
	})
}

func sniffUV(data []byte) bool {
	f := tlLines(data, "version = ", "requires-python = ", "source = {", "[manifest]", "revision = ",
		"content-hash", "content_hash", "python-versions", "lock-version", "[[packages]]", "checksum = ")
	if f[5] || f[6] || f[7] || f[8] || f[9] || f[10] {
		return false
	}
	return f[0] && (f[1] || f[2] || f[3] || f[4])
}

// uvDep is one dependency reference of a uv.lock package.
type uvDep struct {
	key     string // where it is, for errors
	name    string
	version string
	source  string // canonical source, "" when not given
	extras  []string
	hasSrc  bool
	target  []int // resolved package indexes
	errLine int
}

// uvNode is a package, or one of its extras, in the walk for Dev/Optional.
type uvNode struct {
	pkg   int
	extra string // "" for the package's own dependencies
}

type uvPkg struct {
	deps   []*uvDep
	opt    map[string][]*uvDep // extra → deps
	dev    map[string][]*uvDep // group → deps
	srcKey string
}

func parseUV(in *input, doc tlTable) (*Lockfile, error) {
	lf := &Lockfile{}
	ver, ok, err := doc.integer("version")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, doc.errf("version", "required key is missing")
	}
	if ver != 1 {
		return nil, doc.errf("version", "unsupported uv.lock version %d (supported: 1)", ver)
	}
	lf.FormatVersion = strconv.FormatInt(ver, 10)
	if _, _, err := doc.integer("revision"); err != nil {
		return nil, err
	}
	if _, err := doc.str("requires-python", false); err != nil {
		return nil, err
	}
	if doc.has("distribution") && !doc.has("package") {
		return nil, doc.errf("distribution", "[[distribution]] tables come from a pre-release uv (before 0.3); relock with a current uv")
	}
	members := map[string]bool{}
	if manifest, ok, err := doc.table("manifest"); err != nil {
		return nil, err
	} else if ok {
		names, err := manifest.strs("members")
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			members[pep503Name(n)] = true
		}
	}

	pkgs, err := doc.headedTables("package")
	if err != nil {
		return nil, err
	}
	lf.Packages = make([]Package, len(pkgs))
	info := make([]uvPkg, len(pkgs))
	byName := make(map[string][]int, len(pkgs))
	seenIndex := indexSet{}
	for i, t := range pkgs {
		p := &lf.Packages[i]
		p.Path, p.Line = t.key, t.line
		// Workspace members with a dynamic version have none.
		if err := t.pyNameVersion(p, false); err != nil {
			return nil, err
		}
		src, ok, err := t.table("source")
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, t.errf("source", "required key is missing")
		}
		if p.Source, info[i].srcKey, err = uvSource(src, p.Name, members); err != nil {
			return nil, err
		}
		if p.Source.Kind == SourceRegistry {
			seenIndex.add(lf, p.Source.URL)
		}
		if p.Hashes, err = uvHashes(t); err != nil {
			return nil, err
		}
		if info[i].deps, err = uvDeps(t, "dependencies"); err != nil {
			return nil, err
		}
		if info[i].opt, err = uvDepGroups(t, "optional-dependencies"); err != nil {
			return nil, err
		}
		if info[i].dev, err = uvDepGroups(t, "dev-dependencies"); err != nil {
			return nil, err
		}
		if _, _, err := t.table("metadata"); err != nil {
			return nil, err
		}
		byName[p.Name] = append(byName[p.Name], i)
	}
	tlAssignIDs(lf.Packages)

	// Resolve every reference: by name, narrowed by version and source
	// when the lockfile gives them. uv refuses a lockfile whose
	// dependencies name a package it does not contain; so do we.
	resolve := func(d *uvDep) error {
		for _, j := range byName[d.name] {
			if d.version != "" && lf.Packages[j].Version != d.version {
				continue
			}
			if d.hasSrc && info[j].srcKey != d.source {
				continue
			}
			d.target = append(d.target, j)
		}
		if len(d.target) == 0 {
			what := d.name
			if d.version != "" {
				what += " " + d.version
			}
			return errorf(in.Path, d.errLine, d.key, "dependency %q is not in the lockfile", what)
		}
		return nil
	}
	for i := range info {
		line := lf.Packages[i].Line
		all := uvAllDeps(&info[i])
		for _, d := range all {
			d.errLine = line
			if err := resolve(d); err != nil {
				return nil, err
			}
		}
		seen := map[int]bool{}
		for _, d := range all {
			for _, j := range d.target {
				if j != i && !seen[j] {
					seen[j] = true
					lf.Packages[i].Deps = append(lf.Packages[i].Deps, lf.Packages[j].ID)
				}
			}
		}
	}
	uvMarkDevOptional(lf.Packages, info)
	return lf, nil
}

// uvAllDeps lists a package's references: dependencies, then extras, then
// dependency groups, each in key order.
func uvAllDeps(u *uvPkg) []*uvDep {
	all := append([]*uvDep(nil), u.deps...)
	for _, g := range []map[string][]*uvDep{u.opt, u.dev} {
		for _, k := range uvSortedKeys(g) {
			all = append(all, g[k]...)
		}
	}
	return all
}

func uvSortedKeys(m map[string][]*uvDep) []string {
	mm := make(map[string]any, len(m))
	for k := range m {
		mm[k] = nil
	}
	return tlSortedKeys(mm)
}

// uvMarkDevOptional works out which packages only development or optional
// installs bring in. From the workspace members it walks three ways:
// dependencies (what a plain install brings), optional-dependencies (the
// project's extras) and dev-dependencies (its dependency groups). Walking
// into a package follows its dependencies and the optional-dependencies of
// the extras the reference asks for. A package no plain install reaches is
// Optional when an extra reaches it, else Dev when a group does.
func uvMarkDevOptional(pkgs []Package, info []uvPkg) {
	walk := func(start func(push func(*uvDep))) []bool {
		reached := make([]bool, len(pkgs))
		seen := map[uvNode]bool{}
		var queue []uvNode
		visit := func(n uvNode) {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
		push := func(d *uvDep) {
			for _, j := range d.target {
				visit(uvNode{j, ""})
				for _, x := range d.extras {
					if x != "" {
						visit(uvNode{j, x})
					}
				}
			}
		}
		start(push)
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			reached[n.pkg] = true
			deps := info[n.pkg].deps
			if n.extra != "" {
				deps = info[n.pkg].opt[n.extra]
			}
			for _, d := range deps {
				push(d)
			}
		}
		return reached
	}
	fromMembers := func(pick func(*uvPkg) []*uvDep) []bool {
		return walk(func(push func(*uvDep)) {
			for i := range pkgs {
				if pkgs[i].Source.Kind == SourceWorkspace {
					for _, d := range pick(&info[i]) {
						push(d)
					}
				}
			}
		})
	}
	flatten := func(m map[string][]*uvDep) []*uvDep {
		var out []*uvDep
		for _, k := range uvSortedKeys(m) {
			out = append(out, m[k]...)
		}
		return out
	}
	prod := fromMembers(func(u *uvPkg) []*uvDep { return u.deps })
	opt := fromMembers(func(u *uvPkg) []*uvDep { return flatten(u.opt) })
	dev := fromMembers(func(u *uvPkg) []*uvDep { return flatten(u.dev) })
	for i := range pkgs {
		if pkgs[i].Source.Kind == SourceWorkspace || prod[i] {
			continue
		}
		pkgs[i].Optional = opt[i]
		pkgs[i].Dev = dev[i] && !opt[i]
	}
}

// uvSource reads a package's source table. It returns the Source, a
// canonical string used to match dependency references, and an error.
func uvSource(src tlTable, name string, members map[string]bool) (Source, string, error) {
	var kinds []string
	for _, k := range []string{"registry", "git", "url", "path", "directory", "editable", "virtual"} {
		if src.has(k) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) != 1 {
		return Source{}, "", src.errf("", "expected exactly one of registry, git, url, path, directory, editable, virtual; found %d", len(kinds))
	}
	kind := kinds[0]
	val, err := src.str(kind, true)
	if err != nil {
		return Source{}, "", err
	}
	if val == "" {
		return Source{}, "", src.errf(kind, "empty %s source", kind)
	}
	if _, err := src.str("subdirectory", false); err != nil {
		return Source{}, "", err
	}
	key := kind + ":" + val
	switch kind {
	case "registry":
		// An index URL, or a local directory of distributions.
		return Source{Kind: SourceRegistry, URL: val}, key, nil
	case "git":
		// "https://host/repo?rev=main#<commit>": the fragment is the
		// commit uv resolved.
		url, commit, _ := strings.Cut(val, "#")
		return Source{Kind: SourceGit, URL: url, Ref: commit}, key, nil
	case "url":
		return Source{Kind: SourceURL, URL: val}, key, nil
	case "path":
		return Source{Kind: SourcePath, URL: val}, key, nil
	case "virtual":
		// A virtual project is always a workspace member (or the root).
		return Source{Kind: SourceWorkspace, URL: val}, key, nil
	}
	// editable, directory: the project itself and workspace members are
	// the project's own code; other local directories are path sources.
	if val == "." || members[name] {
		return Source{Kind: SourceWorkspace, URL: val}, key, nil
	}
	return Source{Kind: SourcePath, URL: val}, key, nil
}

// uvHashes collects the hashes of the sdist and wheels, in file order.
func uvHashes(t tlTable) ([]Hash, error) {
	var out []Hash
	add := func(f tlTable) error {
		for _, k := range []string{"url", "path", "filename"} {
			if _, err := f.str(k, false); err != nil {
				return err
			}
		}
		if _, _, err := f.integer("size"); err != nil {
			return err
		}
		s, err := f.str("hash", false)
		if err != nil || s == "" {
			return err
		}
		h, ok := tlSplitHash(s)
		if !ok {
			return f.errf("hash", "malformed hash %q (want \"algorithm:digest\")", s)
		}
		out = append(out, h)
		return nil
	}
	sdist, ok, err := t.table("sdist")
	if err != nil {
		return nil, err
	}
	if ok {
		if err := add(sdist); err != nil {
			return nil, err
		}
	}
	wheels, err := t.tables("wheels")
	if err != nil {
		return nil, err
	}
	for _, w := range wheels {
		if err := add(w); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// uvDeps reads an array of dependency references at k.
func uvDeps(t tlTable, k string) ([]*uvDep, error) {
	refs, err := t.tables(k)
	if err != nil {
		return nil, err
	}
	out := make([]*uvDep, len(refs))
	for i, r := range refs {
		d := &uvDep{key: r.key}
		name, err := r.str("name", true)
		if err != nil {
			return nil, err
		}
		d.name = pep503Name(name)
		if d.version, err = r.str("version", false); err != nil {
			return nil, err
		}
		if _, err := r.str("marker", false); err != nil {
			return nil, err
		}
		if d.extras, err = r.strs("extra"); err != nil {
			return nil, err
		}
		if src, ok, err := r.table("source"); err != nil {
			return nil, err
		} else if ok {
			_, key, err := uvSource(src, d.name, nil)
			if err != nil {
				return nil, err
			}
			d.source, d.hasSrc = key, true
		}
		out[i] = d
	}
	return out, nil
}

// uvDepGroups reads a table of named dependency lists (extras or groups).
func uvDepGroups(t tlTable, k string) (map[string][]*uvDep, error) {
	g, ok, err := t.table(k)
	if err != nil || !ok {
		return nil, err
	}
	out := make(map[string][]*uvDep, len(g.m))
	for _, name := range tlSortedKeys(g.m) {
		if out[name], err = uvDeps(g, name); err != nil {
			return nil, err
		}
	}
	return out, nil
}
