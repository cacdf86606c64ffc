package lockfile

// pnpm-lock.yaml, lockfile versions 5.x, 6.x and 9.x, read with
// go.yaml.in/yaml/v3.
//
//   - 5.x: packages keyed "/name/1.2.3" or "/@scope/name/1.2.3", peers
//     appended after "_" ("/a/1.0.0_react@17.0.2+b@1.0.0" or a hash);
//     single-project locks list the project's dependencies at the top level,
//     workspaces under importers. Versions are plain strings.
//   - 6.x: keys "/name@1.2.3(peer@x)"; importers' dependencies are
//     {specifier, version} mappings.
//   - 9.x: packages keyed "name@1.2.3" hold resolution and metadata only;
//     snapshots keyed "name@1.2.3(peer@x)" hold the dependency graph.
//
// One Package per downloaded artifact: peer variants of the same
// name@version ("/a@1.0.0(react@17)" and "/a@1.0.0(react@18)" in 5.x/6.x,
// several snapshots of one packages entry in 9.x) are the same tarball with
// the same integrity, so they are one Package whose Deps are the union of
// the variants' dependencies.
//
// Workspace projects (importers other than ".") are Packages with Source
// workspace; the root project "." is not a Package. A pnpm 11+ lockfile may
// hold two YAML documents (the "env" document with the package manager and
// config dependencies first, the project's last); both are read, and the
// env document's packages are direct, non-dev dependencies: pnpm downloads
// and runs them for every install.

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

func init() {
	register(&format{
		Format:    FormatPnpm,
		Ecosystem: NPM,
		Name:      func(base string) bool { return base == "pnpm-lock.yaml" },
		Sniff:     sniffPnpm,
		Parse:     parsePnpm,
	})
}

// sniffPnpm: the first content line of a pnpm lockfile (after comments and
// a "---" document marker) is its unquoted lockfileVersion key.
func sniffPnpm(data []byte) bool {
	if len(data) > 4096 {
		data = data[:4096]
	}
	for _, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimRight(line, " \t\r")
		if len(line) == 0 || line[0] == '#' || string(line) == "---" {
			continue
		}
		return bytes.HasPrefix(line, []byte("lockfileVersion:"))
	}
	return false
}

// pnpmDep is one "name: ref" dependency as the lockfile writes it.
type pnpmDep struct {
	name, ref string
	optional  bool
	dev       bool   // importers only: a devDependency
	base      string // folder link: references are relative to
	style     int    // key style of the document the reference is in
	line      int    // of the dependency's key
}

type pnpmParser struct {
	in        *input
	lf        *Lockfile
	byID      map[string]int
	deps      [][]pnpmDep // per package, unresolved
	style     []int       // per package: the lockfile style it came from
	variants  []int       // per package: variants (5/6) or snapshots (9) seen
	devCount  []int       // 5/6: variants with dev: true
	optCount  []int       // variants / snapshots with optional: true
	importers map[string]bool
	wsIndex   map[string]int // importer path -> its workspace Package
	rootDeps  []pnpmDep      // dependencies of the root project "."
	wsDeps    []pnpmDep      // dependencies of the other workspace projects
}

type pnpmDoc struct {
	top       *yaml.Node
	style     int
	packages  *yaml.Node
	snapshots *yaml.Node
	importers *yaml.Node
}

func parsePnpm(in *input) (*Lockfile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(in.Data))
	var docs []pnpmDoc
	lf := &Lockfile{}
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, jsLockYAMLError(in.Path, in.Data, err)
		}
		if n.Kind != yaml.DocumentNode || len(n.Content) == 0 || jsLockIsNull(n.Content[0]) {
			continue // an empty document
		}
		top := n.Content[0]
		if top.Kind != yaml.MappingNode {
			return nil, errorf(in.Path, top.Line, "", "not a pnpm lockfile: expected a mapping, found %s", jsLockYAMLKind(top))
		}
		d := pnpmDoc{top: top}
		var version string
		for k := 0; k+1 < len(top.Content); k += 2 {
			kn, vn := top.Content[k], top.Content[k+1]
			switch kn.Value {
			case "lockfileVersion":
				if vn.Kind != yaml.ScalarNode || jsLockIsNull(vn) {
					return nil, errorf(in.Path, vn.Line, "lockfileVersion", "expected a version, found %s", jsLockYAMLKind(vn))
				}
				version = vn.Value
				style, err := pnpmStyle(version)
				if err != nil {
					return nil, errorf(in.Path, vn.Line, "lockfileVersion", "%v", err)
				}
				d.style = style
			case "packages", "snapshots", "importers":
				if jsLockIsNull(vn) {
					continue
				}
				if vn.Kind != yaml.MappingNode {
					return nil, errorf(in.Path, vn.Line, kn.Value, "expected a mapping, found %s", jsLockYAMLKind(vn))
				}
				switch kn.Value {
				case "packages":
					d.packages = vn
				case "snapshots":
					d.snapshots = vn
				case "importers":
					d.importers = vn
				}
			}
		}
		if d.style == 0 {
			return nil, errorf(in.Path, top.Line, "lockfileVersion", "missing lockfileVersion")
		}
		lf.FormatVersion = version // the project document comes last
		docs = append(docs, d)
	}
	p := &pnpmParser{in: in, lf: lf, byID: map[string]int{}, importers: map[string]bool{}, wsIndex: map[string]int{}}
	for _, d := range docs {
		if d.importers != nil {
			for k := 0; k+1 < len(d.importers.Content); k += 2 {
				p.importers[jsLockCleanRel(".", d.importers.Content[k].Value)] = true
			}
		}
	}
	for _, d := range docs {
		if err := p.readPackages(d); err != nil {
			return nil, err
		}
	}
	for _, d := range docs {
		if d.style >= 9 {
			if err := p.readSnapshots(d); err != nil {
				return nil, err
			}
		}
	}
	if err := p.readImporters(docs); err != nil {
		return nil, err
	}
	p.finish()
	return lf, nil
}

// pnpmStyle maps a lockfileVersion ("5.3", "5.4-inlineSpecifiers", "6.0",
// "9.0") to the key style it uses: 5, 6 or 9.
func pnpmStyle(v string) (int, error) {
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	major, err := strconv.Atoi(v[:i])
	if err != nil {
		return 0, fmt.Errorf("cannot read lockfileVersion %q", v)
	}
	switch {
	case major < 5:
		return 0, fmt.Errorf("lockfileVersion %q (pnpm 3 and older) is not supported; regenerate the lockfile with a current pnpm", v)
	case major == 5:
		return 5, nil
	case major < 9: // 6.x; 7.x/8.x were never released but read as 6.x
		return 6, nil
	}
	return 9, nil
}

// pnpmStripPeers removes the peer-dependency suffix from a dependency path:
// "(...)" in 6.x/9.x, "_..." after the version in 5.x.
func pnpmStripPeers(style int, s string) string {
	if style >= 6 {
		if i := strings.IndexByte(s, '('); i > 0 {
			return s[:i]
		}
		return s
	}
	start := strings.LastIndexByte(s, '/') + 1
	last := s[start:]
	for i := 0; i < len(last); i++ {
		if last[i] != '_' {
			continue
		}
		rest := last[i+1:]
		// Peers are "name@version" joined by "+", or a hash when too long;
		// patched packages carry "patch_hash=<hash>".
		if strings.Contains(rest, "@") || (len(rest) >= 20 && pnpmIsLowerAlnum(rest)) || strings.HasPrefix(rest, "patch_hash=") {
			return s[:start+i]
		}
	}
	return s
}

func pnpmIsLowerAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// pnpmRefID resolves a dependency reference ("1.2.3", "1.2.3(react@18)",
// "/alias/1.0.0", "github.com/o/r/sha", "name@1.2.3", "link:../x") to the
// ID of the packages entry, the way pnpm's refToRelative does. link is set
// for "link:" references instead.
func pnpmRefID(style int, name, ref string) (id, link string) {
	if strings.HasPrefix(ref, "link:") {
		return "", ref[len("link:"):]
	}
	if ref == "" {
		return "", ""
	}
	var dp string
	switch {
	case style >= 9:
		at := strings.IndexByte(ref, '@')
		colon := strings.IndexByte(ref, ':')
		paren := strings.IndexByte(ref, '(')
		switch {
		case strings.HasPrefix(ref, "@"):
			dp = ref
		case at > 0 && (colon < 0 || at < colon) && (paren < 0 || at < paren):
			dp = ref
		default:
			dp = name + "@" + ref
		}
	case strings.HasPrefix(ref, "file:"):
		dp = ref
	case strings.Contains(pnpmStripPeers(style, ref), "/"):
		dp = ref
	case style == 6:
		dp = "/" + name + "@" + ref
	default:
		dp = "/" + name + "/" + ref
	}
	return pnpmStripPeers(style, dp), ""
}

// pnpmKeyNameVersion reads name and version from a packages key (already
// stripped of peers). registry reports the registry key form
// ("/name@1.2.3", "/name/1.2.3", "name@1.2.3", or with a registry host in
// front in 5.x/6.x: "registry.example/name/1.2.3").
func pnpmKeyNameVersion(style int, id string) (name, version string, registry bool) {
	// Versions in keys are semver: a digit first, no ':' or '/'.
	plain := func(v string) bool { return v != "" && v[0] >= '0' && v[0] <= '9' && !strings.ContainsAny(v, ":/") }
	switch style {
	case 9:
		n, v, ok := jsLockSplitName(id)
		if !ok || !jsLockValidName(n) {
			return "", "", false
		}
		if plain(v) {
			return n, v, true
		}
		return n, "", false
	case 6:
		s, slash := strings.CutPrefix(id, "/")
		if !slash {
			// "registry.example/name@1.2.3": a non-default registry
			_, rest, ok := strings.Cut(s, "/")
			if !ok {
				return "", "", false
			}
			s = rest
		}
		n, v, ok := jsLockSplitName(s)
		if !ok || !jsLockValidName(n) || !plain(v) {
			return "", "", false
		}
		return n, v, true
	default:
		s, slash := strings.CutPrefix(id, "/")
		segs := strings.Split(s, "/")
		if !slash {
			if len(segs) < 3 {
				return "", "", false
			}
			segs = segs[1:] // "registry.example/name/1.2.3"
		}
		switch {
		case len(segs) == 3 && strings.HasPrefix(segs[0], "@"):
			name, version = segs[0]+"/"+segs[1], segs[2]
		case len(segs) == 2:
			name, version = segs[0], segs[1]
		default:
			return "", "", false
		}
		if !jsLockValidName(name) || !plain(version) {
			return "", "", false
		}
		return name, version, true
	}
}

func (p *pnpmParser) add(pkg Package, style int) int {
	i := len(p.lf.Packages)
	p.lf.Packages = append(p.lf.Packages, pkg)
	p.byID[pkg.ID] = i
	p.deps = append(p.deps, nil)
	p.style = append(p.style, style)
	p.variants = append(p.variants, 0)
	p.devCount = append(p.devCount, 0)
	p.optCount = append(p.optCount, 0)
	return i
}

func (p *pnpmParser) readPackages(d pnpmDoc) error {
	if d.packages == nil {
		return nil
	}
	path := p.in.Path
	for k := 0; k+1 < len(d.packages.Content); k += 2 {
		kn, vn := d.packages.Content[k], d.packages.Content[k+1]
		key := kn.Value
		ekey := fmt.Sprintf("packages[%q]", key)
		if kn.Kind != yaml.ScalarNode || key == "" {
			return errorf(path, kn.Line, "packages", "expected a package key, found %s", jsLockYAMLKind(kn))
		}
		if jsLockIsNull(vn) {
			return errorf(path, kn.Line, ekey, "empty entry: resolution is required")
		}
		if vn.Kind != yaml.MappingNode {
			return errorf(path, kn.Line, ekey, "expected a mapping, found %s", jsLockYAMLKind(vn))
		}
		var res *yaml.Node
		var fname, fversion string
		var dev, optional, build bool
		var deps []pnpmDep
		for f := 0; f+1 < len(vn.Content); f += 2 {
			fk, fv := vn.Content[f], vn.Content[f+1]
			switch fk.Value {
			case "resolution":
				res = fv
			case "name", "version":
				if fv.Kind != yaml.ScalarNode {
					return errorf(path, fv.Line, ekey+"."+fk.Value, "expected a string, found %s", jsLockYAMLKind(fv))
				}
				if fk.Value == "name" {
					fname = fv.Value
				} else {
					fversion = fv.Value
				}
			case "dev", "optional", "requiresBuild":
				b, err := pnpmBool(fv)
				if err != nil {
					return errorf(path, fv.Line, ekey+"."+fk.Value, "%v", err)
				}
				switch fk.Value {
				case "dev":
					dev = b
				case "optional":
					optional = b
				case "requiresBuild":
					build = b
				}
			case "dependencies", "optionalDependencies":
				if d.style >= 9 {
					continue // 9.x keeps the graph in snapshots
				}
				ds, err := p.depMap(fv, ekey+"."+fk.Value, fk.Value == "optionalDependencies", d.style)
				if err != nil {
					return err
				}
				deps = append(deps, ds...)
			}
		}
		id := pnpmStripPeers(d.style, key)
		if d.style >= 9 {
			id = key // 9.x packages keys carry no peers
		}
		i, seen := p.byID[id]
		if !seen {
			kname, kversion, registry := pnpmKeyNameVersion(d.style, id)
			name, version := fname, fversion
			if name == "" {
				name = kname
			}
			if version == "" {
				version = kversion
			}
			if name == "" {
				return errorf(path, kn.Line, ekey, "cannot tell the package name: the key is not name@version and the entry has no name field")
			}
			if res == nil || jsLockIsNull(res) {
				return errorf(path, kn.Line, ekey, "missing resolution")
			}
			src, hashes, err := p.resolution(res, ekey+".resolution", registry)
			if err != nil {
				return err
			}
			if version == "" && src.Kind == SourceWorkspace {
				if m := jsLockReadManifest(p.in, src.URL); m != nil {
					version = m.Version
				}
			}
			// A local directory pins no version; anything downloaded does.
			if version == "" && src.Kind != SourcePath && src.Kind != SourceWorkspace {
				return errorf(path, kn.Line, ekey, "cannot tell the package version: the key is not name@version and the entry has no version field")
			}
			pkg := Package{Name: name, Version: version, Source: src, Hashes: hashes, Path: key, Line: kn.Line, ID: id}
			if d.style < 9 {
				// 5.x/6.x record requiresBuild: true for packages with
				// install scripts and omit it otherwise.
				b := build
				pkg.InstallScript = &b
			}
			i = p.add(pkg, d.style)
		} else if d.style < 9 && build {
			t := true
			p.lf.Packages[i].InstallScript = &t
		}
		for j := range deps {
			deps[j].base = p.base(i)
		}
		p.deps[i] = append(p.deps[i], deps...)
		if d.style < 9 {
			p.variants[i]++
			if dev {
				p.devCount[i]++
			}
			if optional {
				p.optCount[i]++
			}
		}
	}
	return nil
}

// base is the folder link: references inside package i are relative to:
// its own folder for local packages, else the lockfile's.
func (p *pnpmParser) base(i int) string {
	if s := p.lf.Packages[i].Source; s.Kind == SourcePath || s.Kind == SourceWorkspace {
		return jsLockCleanRel(".", s.URL)
	}
	return "."
}

func (p *pnpmParser) readSnapshots(d pnpmDoc) error {
	if d.snapshots == nil {
		return nil
	}
	path := p.in.Path
	for k := 0; k+1 < len(d.snapshots.Content); k += 2 {
		kn, vn := d.snapshots.Content[k], d.snapshots.Content[k+1]
		key := kn.Value
		ekey := fmt.Sprintf("snapshots[%q]", key)
		id := pnpmStripPeers(9, key)
		i, ok := p.byID[id]
		if !ok {
			return errorf(path, kn.Line, ekey, "no packages entry %q for this snapshot", id)
		}
		p.variants[i]++
		if jsLockIsNull(vn) {
			continue
		}
		if vn.Kind != yaml.MappingNode {
			return errorf(path, kn.Line, ekey, "expected a mapping, found %s", jsLockYAMLKind(vn))
		}
		for f := 0; f+1 < len(vn.Content); f += 2 {
			fk, fv := vn.Content[f], vn.Content[f+1]
			switch fk.Value {
			case "optional":
				b, err := pnpmBool(fv)
				if err != nil {
					return errorf(path, fv.Line, ekey+".optional", "%v", err)
				}
				if b {
					p.optCount[i]++
				}
			case "dependencies", "optionalDependencies":
				ds, err := p.depMap(fv, ekey+"."+fk.Value, fk.Value == "optionalDependencies", d.style)
				if err != nil {
					return err
				}
				for j := range ds {
					ds[j].base = p.base(i)
				}
				p.deps[i] = append(p.deps[i], ds...)
			}
		}
	}
	return nil
}

// depMap reads a "name: ref" mapping. Importers of 6.x+ write
// {specifier, version} mappings instead of refs; both are accepted.
func (p *pnpmParser) depMap(n *yaml.Node, key string, optional bool, style int) ([]pnpmDep, error) {
	if jsLockIsNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, errorf(p.in.Path, n.Line, key, "expected a mapping, found %s", jsLockYAMLKind(n))
	}
	out := make([]pnpmDep, 0, len(n.Content)/2)
	for k := 0; k+1 < len(n.Content); k += 2 {
		kn, vn := n.Content[k], n.Content[k+1]
		ref := ""
		switch {
		case vn.Kind == yaml.ScalarNode && !jsLockIsNull(vn):
			ref = vn.Value
		case vn.Kind == yaml.MappingNode:
			for f := 0; f+1 < len(vn.Content); f += 2 {
				if vn.Content[f].Value == "version" {
					if vn.Content[f+1].Kind != yaml.ScalarNode {
						return nil, errorf(p.in.Path, vn.Content[f+1].Line, key+"."+kn.Value+".version", "expected a string, found %s", jsLockYAMLKind(vn.Content[f+1]))
					}
					ref = vn.Content[f+1].Value
				}
			}
			if ref == "" {
				return nil, errorf(p.in.Path, vn.Line, key+"."+kn.Value, "missing version")
			}
		default:
			return nil, errorf(p.in.Path, vn.Line, key+"."+kn.Value, "expected a version, found %s", jsLockYAMLKind(vn))
		}
		out = append(out, pnpmDep{name: kn.Value, ref: ref, optional: optional, style: style, line: kn.Line})
	}
	return out, nil
}

func pnpmBool(n *yaml.Node) (bool, error) {
	if n.Kind != yaml.ScalarNode {
		return false, fmt.Errorf("expected true or false, found %s", jsLockYAMLKind(n))
	}
	switch n.Value {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("expected true or false, found %q", n.Value)
}

// resolution reads a packages entry's resolution.
func (p *pnpmParser) resolution(n *yaml.Node, key string, registryKey bool) (Source, []Hash, error) {
	if n.Kind != yaml.MappingNode {
		return Source{}, nil, errorf(p.in.Path, n.Line, key, "expected a mapping, found %s", jsLockYAMLKind(n))
	}
	f := map[string]string{}
	for k := 0; k+1 < len(n.Content); k += 2 {
		kn, vn := n.Content[k], n.Content[k+1]
		if vn.Kind == yaml.ScalarNode && !jsLockIsNull(vn) {
			f[kn.Value] = vn.Value
		}
	}
	var hashes []Hash
	if s := f["integrity"]; s != "" {
		hashes = ParseSRI(s)
		for _, h := range hashes {
			if h.Algorithm == "" || h.Digest == "" {
				return Source{}, nil, errorf(p.in.Path, n.Line, key+".integrity", "malformed integrity %q", s)
			}
		}
	}
	switch {
	case f["commit"] != "":
		if f["repo"] == "" {
			return Source{}, nil, errorf(p.in.Path, n.Line, key, "git resolution without repo")
		}
		return Source{Kind: SourceGit, URL: f["repo"], Ref: f["commit"]}, hashes, nil
	case f["type"] == "directory" || f["directory"] != "":
		dir := f["directory"]
		if p.importers[jsLockCleanRel(".", dir)] {
			return Source{Kind: SourceWorkspace, URL: jsLockCleanRel(".", dir)}, hashes, nil
		}
		return Source{Kind: SourcePath, URL: dir}, hashes, nil
	case f["tarball"] != "":
		t := f["tarball"]
		switch {
		case strings.HasPrefix(t, "file:"):
			return Source{Kind: SourcePath, URL: t[len("file:"):]}, hashes, nil
		case strings.HasPrefix(t, "https://") || strings.HasPrefix(t, "http://"):
			if commit, ok := jsLockHostedGit(t); ok {
				return Source{Kind: SourceGit, URL: t, Ref: commit}, hashes, nil
			}
			// A name/version key, or a registry-shaped tarball URL
			// (".../name/-/name-1.2.3.tgz"): a registry other than the
			// default one.
			if registryKey || yarnRegistryTarball(t) {
				return Source{Kind: SourceRegistry, URL: t}, hashes, nil
			}
		}
		return Source{Kind: SourceURL, URL: t}, hashes, nil
	case f["type"] != "" && f["type"] != "git":
		return Source{}, nil, errorf(p.in.Path, n.Line, key, "unsupported resolution type %q", f["type"])
	case len(hashes) > 0:
		return Source{Kind: SourceRegistry}, hashes, nil
	}
	return Source{}, nil, errorf(p.in.Path, n.Line, key, "resolution has no integrity, tarball, directory or git commit")
}

// readImporters reads the project's own dependencies: importers (workspace
// projects) or, in single-project 5.x/6.x locks, the top-level groups.
func (p *pnpmParser) readImporters(docs []pnpmDoc) error {
	type importer struct {
		path string
		line int
		deps []pnpmDep
	}
	var imps []importer
	groups := []string{"dependencies", "devDependencies", "optionalDependencies", "packageManagerDependencies", "configDependencies"}
	readGroups := func(m *yaml.Node, key string, style int) ([]pnpmDep, error) {
		var out []pnpmDep
		for k := 0; k+1 < len(m.Content); k += 2 {
			g := m.Content[k].Value
			known := false
			for _, x := range groups {
				known = known || g == x
			}
			if !known {
				continue // specifiers, dependenciesMeta, publishDirectory, ...
			}
			ds, err := p.depMap(m.Content[k+1], key+"."+g, g == "optionalDependencies", style)
			if err != nil {
				return nil, err
			}
			for j := range ds {
				ds[j].dev = g == "devDependencies"
			}
			out = append(out, ds...)
		}
		return out, nil
	}
	for _, d := range docs {
		if d.importers == nil {
			ds, err := readGroups(d.top, "", d.style)
			if err != nil {
				return err
			}
			imps = append(imps, importer{path: ".", line: d.top.Line, deps: ds})
			continue
		}
		for k := 0; k+1 < len(d.importers.Content); k += 2 {
			kn, vn := d.importers.Content[k], d.importers.Content[k+1]
			key := fmt.Sprintf("importers[%q]", kn.Value)
			if jsLockIsNull(vn) {
				imps = append(imps, importer{path: jsLockCleanRel(".", kn.Value), line: kn.Line})
				continue
			}
			if vn.Kind != yaml.MappingNode {
				return errorf(p.in.Path, kn.Line, key, "expected a mapping, found %s", jsLockYAMLKind(vn))
			}
			ds, err := readGroups(vn, key, d.style)
			if err != nil {
				return err
			}
			imps = append(imps, importer{path: jsLockCleanRel(".", kn.Value), line: kn.Line, deps: ds})
		}
	}
	// Workspace projects are named by their package.json, else by the name
	// other projects link them under, else by their folder.
	linkName := map[string]string{}
	for _, im := range imps {
		for _, d := range im.deps {
			if _, link := pnpmRefID(9, d.name, d.ref); link != "" {
				t := jsLockCleanRel(im.path, link)
				if _, ok := linkName[t]; !ok {
					linkName[t] = d.name
				}
			}
		}
	}
	wsIndex := p.wsIndex
	for _, im := range imps {
		if im.path == "." {
			continue
		}
		if _, ok := wsIndex[im.path]; ok {
			continue
		}
		pkg := Package{Source: Source{Kind: SourceWorkspace, URL: im.path}, Path: "importers/" + im.path, Line: im.line, ID: "importer:" + im.path}
		if m := jsLockReadManifest(p.in, im.path); m != nil && m.Name != "" {
			pkg.Name, pkg.Version = m.Name, m.Version
		} else if n := linkName[im.path]; n != "" {
			pkg.Name = n
		} else {
			pkg.Name = im.path
		}
		wsIndex[im.path] = p.add(pkg, 0)
	}
	for _, im := range imps {
		for j := range im.deps {
			im.deps[j].base = im.path
		}
		if im.path == "." {
			p.rootDeps = append(p.rootDeps, im.deps...)
		} else {
			i := wsIndex[im.path]
			p.deps[i] = append(p.deps[i], im.deps...)
			p.wsDeps = append(p.wsDeps, im.deps...)
		}
	}
	return nil
}

// resolve finds the Package a dependency reference points at. Links to a
// workspace project resolve to its workspace Package; links elsewhere
// become path Packages; references to entries the lockfile lacks are
// dropped (pnpm re-resolves them on a non-frozen install).
func (p *pnpmParser) resolve(d pnpmDep) (int, bool) {
	id, link := pnpmRefID(d.style, d.name, d.ref)
	if link != "" {
		t := jsLockCleanRel(d.base, link)
		if i, ok := p.wsIndex[t]; ok {
			return i, true
		}
		if t == "." {
			return 0, false // the root project itself
		}
		lid := "link:" + t
		if i, ok := p.byID[lid]; ok {
			return i, true
		}
		// A linked folder has no entry of its own: its line is that of
		// the first dependency on it.
		return p.add(Package{Name: d.name, Source: Source{Kind: SourcePath, URL: t}, Path: "link:" + t, ID: lid, Line: d.line}, 0), true
	}
	i, ok := p.byID[id]
	return i, ok
}

func (p *pnpmParser) finish() {
	lf := p.lf
	var roots []jsLockEdge
	for _, group := range [][]pnpmDep{p.rootDeps, p.wsDeps} {
		for _, d := range group {
			i, ok := p.resolve(d)
			if !ok {
				continue
			}
			roots = append(roots, jsLockEdge{To: i, Dev: d.dev, Optional: d.optional})
			if lf.Packages[i].Source.Kind != SourceWorkspace {
				lf.Roots = append(lf.Roots, lf.Packages[i].ID)
			}
		}
	}
	// resolve may add link packages: walk by index, not range.
	var edges [][]jsLockEdge
	for i := 0; i < len(lf.Packages); i++ {
		seen := map[int]bool{}
		var es []jsLockEdge
		for _, d := range p.deps[i] {
			j, ok := p.resolve(d)
			if !ok || j == i || seen[j] {
				continue
			}
			seen[j] = true
			es = append(es, jsLockEdge{To: j, Optional: d.optional})
			lf.Packages[i].Deps = append(lf.Packages[i].Deps, lf.Packages[j].ID)
		}
		edges = append(edges, es)
	}
	isWorkspace := func(i int) bool { return lf.Packages[i].Source.Kind == SourceWorkspace && p.style[i] == 0 }
	jsLockMark(lf.Packages, roots, edges, isWorkspace, true, false)
	for i := range lf.Packages {
		if p.style[i] == 0 {
			continue // workspace projects and links
		}
		v := p.variants[i]
		if p.style[i] < 9 {
			// 5.x/6.x state dev: true (dev only), false (prod only) or
			// omit it (both); take the statement over the walk.
			lf.Packages[i].Dev = v > 0 && p.devCount[i] == v
		}
		lf.Packages[i].Optional = v > 0 && p.optCount[i] == v
	}
}
