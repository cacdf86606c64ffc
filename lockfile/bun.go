package lockfile

// bun.lock: bun's text lockfile, JSON with comments and trailing commas.
//
//	{
//	  "lockfileVersion": 1,
//	  "workspaces": {
//	    "": {"name": "app", "dependencies": {"a": "^1.0.0"}},
//	    "packages/lib": {"name": "lib", "version": "0.1.0", "devDependencies": {...}},
//	  },
//	  "packages": {
//	    "a": ["a@1.2.3", "", {"dependencies": {"b": "^2"}}, "sha512-..."],
//	    "a/b": ["b@2.0.0", "", {}, "sha512-..."],   // b nested under a
//	    "lib": ["lib@workspace:packages/lib"],
//	  }
//	}
//
// A "packages" value is a tuple whose shape depends on how its first element,
// "name@resolution", resolves (bun's src/install/lockfile/bun.lock.zig):
//
//	npm        [ident, registry URL or "", INFO, integrity]
//	git        [ident "name@git+url#ref", INFO, resolved commit, integrity?]
//	github     [ident "name@github:owner/repo#ref", INFO, tag, integrity?]
//	tarball    [ident "name@https://..." or "name@./x.tgz", INFO, integrity?]
//	folder     [ident "name@file:path", INFO]
//	symlink    [ident "name@link:path", INFO]
//	workspace  [ident "name@workspace:path"]   (INFO too in lockfileVersion 0)
//	root       [ident "name@root:", {bin}]
//
// INFO holds dependencies, optionalDependencies, peerDependencies,
// optionalPeers, bundled, os, cpu, bin. Keys are paths of package names
// ("chalk/supports-color", "@ws/app/react"); a dependency resolves to the
// deepest key along the dependent's key, as bun resolves it. bun.lock records
// neither dev/optional flags nor install scripts: Dev and Optional are
// worked out from the graph, InstallScript stays nil.

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

func init() {
	register(&format{
		Format:    FormatBun,
		Ecosystem: NPM,
		Name:      func(base string) bool { return base == "bun.lock" },
		Sniff:     sniffBunLock,
		Parse:     parseBunLock,
	})
}

// sniffBunLock recognises a bun.lock by its top-level "lockfileVersion" and
// "workspaces" keys.
func sniffBunLock(data []byte) bool {
	keys := npmTopLevelKeys(data, 64<<10)
	return keys["lockfileVersion"] && keys["workspaces"]
}

// bunStripJSONC returns a copy of data in which // and /* */ comments and
// trailing commas are replaced by spaces, newlines kept, so that
// encoding/json can read it and offsets and lines stay those of the file.
// Hand-written: none of the kept libraries reads JSONC. String contents,
// including "//" and "/*" inside them, are left intact.
func bunStripJSONC(data []byte) ([]byte, error) {
	out := make([]byte, len(data))
	copy(out, data)
	blank := func(from, to int) {
		for k := from; k < to; k++ {
			if out[k] != '\n' && out[k] != '\r' {
				out[k] = ' '
			}
		}
	}
	comma := -1   // offset of a comma not yet followed by a value
	var prev byte // last significant byte before the comma
	var last byte // last significant byte
	for i := 0; i < len(out); i++ {
		c := out[i]
		switch {
		case c == '"':
			// Skip the string; a lone backslash escapes the next byte.
			j := i + 1
			for j < len(out) && out[j] != '"' && out[j] != '\n' {
				if out[j] == '\\' {
					j++
				}
				j++
			}
			i = j
			comma, last = -1, '"'
		case c == '/' && i+1 < len(out) && out[i+1] == '/':
			j := i + 2
			for j < len(out) && out[j] != '\n' {
				j++
			}
			blank(i, j)
			i = j - 1
		case c == '/' && i+1 < len(out) && out[i+1] == '*':
			end := -1
			for j := i + 2; j+1 < len(out); j++ {
				if out[j] == '*' && out[j+1] == '/' {
					end = j + 2
					break
				}
			}
			if end < 0 {
				return nil, &bunJSONCError{Offset: int64(i), Msg: "unterminated /* comment"}
			}
			blank(i, end)
			i = end - 1
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
		case c == ',':
			comma, prev, last = i, last, c
		default:
			// A comma right before a closing bracket is a trailing comma,
			// unless nothing precedes it ("[,]" stays invalid).
			if (c == '}' || c == ']') && comma >= 0 && prev != '{' && prev != '[' && prev != ',' && prev != 0 {
				out[comma] = ' '
			}
			comma, last = -1, c
		}
	}
	return out, nil
}

type bunJSONCError struct {
	Offset int64
	Msg    string
}

func (e *bunJSONCError) Error() string { return e.Msg }

// bunWorkspace is a "workspaces" value.
type bunWorkspace struct {
	Name                 *string           `json:"name"`
	Version              string            `json:"version"`
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`
	OptionalPeers        []string          `json:"optionalPeers"`

	path string
	line int
}

// bunInfo is the INFO object of a "packages" tuple.
type bunInfo struct {
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`
	OptionalPeers        []string          `json:"optionalPeers"`
	Bundled              bool              `json:"bundled"`
}

// bunEntry is one "packages" entry.
type bunEntry struct {
	key   string
	line  int
	tuple []json.RawMessage
}

func parseBunLock(in *input) (*Lockfile, error) {
	lines := newNpmLines(in.Data)
	if err := npmStartCheck(in.Path, in.Data, lines); err != nil {
		return nil, err
	}
	data, err := bunStripJSONC(in.Data)
	if err != nil {
		var je *bunJSONCError
		errors.As(err, &je)
		return nil, errorf(in.Path, lines.at(je.Offset), "", "%s", je.Msg)
	}
	j := newNpmJSON(in.Path, data, 0, lines)
	lf := &Lockfile{}
	var (
		haveVersion, haveWorkspaces bool
		workspaces                  []bunWorkspace
		entries                     []bunEntry
	)
	err = j.document(func(key string, line int) (err error) {
		switch key {
		case "lockfileVersion":
			lf.FormatVersion, err = j.wholeNumber(line, key)
			haveVersion = true
		case "workspaces":
			workspaces, err = j.bunWorkspaces()
			haveWorkspaces = true
		case "packages":
			entries, err = j.bunPackages()
		default:
			err = j.skip(key)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	// bun refuses a lockfile without these.
	if !haveVersion {
		return nil, errorf(in.Path, 1, "lockfileVersion", "missing: not a bun.lock")
	}
	if !haveWorkspaces {
		return nil, errorf(in.Path, 1, "workspaces", "missing: not a bun.lock")
	}
	hasRoot := false
	for i := range workspaces {
		hasRoot = hasRoot || workspaces[i].path == ""
	}
	if !hasRoot {
		return nil, errorf(in.Path, 1, "workspaces", `no root entry "": not a bun.lock`)
	}
	b := &bunBuilder{path: in.Path, lf: lf}
	if err := b.build(workspaces, entries); err != nil {
		return nil, err
	}
	return lf, nil
}

func (j *npmJSON) bunWorkspaces() ([]bunWorkspace, error) {
	var out []bunWorkspace
	seen := map[string]bool{}
	err := j.object("workspaces", func(key string, line int) error {
		name := fmt.Sprintf("workspaces[%q]", key)
		var w bunWorkspace
		if err := j.decode(&w); err != nil {
			return j.valueErr(err, name, line)
		}
		if seen[key] {
			return errorf(j.path, line, name, "workspace listed twice")
		}
		seen[key] = true
		if key != "" && (w.Name == nil || *w.Name == "") {
			return errorf(j.path, line, name+".name", "missing: a workspace member needs a name")
		}
		w.path, w.line = key, line
		out = append(out, w)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (j *npmJSON) bunPackages() ([]bunEntry, error) {
	var out []bunEntry
	seen := map[string]bool{}
	err := j.object("packages", func(key string, line int) error {
		name := fmt.Sprintf("packages[%q]", key)
		var tuple []json.RawMessage
		if err := j.decode(&tuple); err != nil {
			return j.valueErr(err, name, line)
		}
		if tuple == nil {
			return errorf(j.path, line, name, "expected an array, found null")
		}
		if seen[key] {
			return errorf(j.path, line, name, "package key listed twice")
		}
		if key == "" || strings.Count(key, "/") >= npmMaxSegments {
			return errorf(j.path, line, name, "invalid package key")
		}
		seen[key] = true
		out = append(out, bunEntry{key: key, line: line, tuple: tuple})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// bunKind is how a resolution string resolves.
type bunKind int

const (
	bunNpm bunKind = iota
	bunGit
	bunGithub
	bunTarball
	bunFolder
	bunSymlink
	bunWorkspaceRes
	bunRoot
)

// bunClassify sorts a resolution (what follows "name@") the way bun does.
func bunClassify(res string) (bunKind, bool) {
	switch {
	case strings.HasPrefix(res, "root:"):
		return bunRoot, true
	case strings.HasPrefix(res, "link:"):
		return bunSymlink, true
	case strings.HasPrefix(res, "workspace:"):
		return bunWorkspaceRes, true
	case strings.HasPrefix(res, "file:"):
		return bunFolder, true
	case strings.HasPrefix(res, "github:"):
		return bunGithub, true
	case strings.HasPrefix(res, "git+"), strings.HasPrefix(res, "git://"), strings.HasPrefix(res, "git@"), strings.HasPrefix(res, "ssh://"):
		return bunGit, true
	case strings.HasPrefix(res, "https://"), strings.HasPrefix(res, "http://"),
		strings.HasSuffix(res, ".tgz"), strings.HasSuffix(res, ".tar.gz"), strings.HasSuffix(res, ".tar"),
		strings.HasPrefix(res, "./"), strings.HasPrefix(res, "../"), strings.HasPrefix(res, "/"):
		return bunTarball, true
	}
	return bunNpm, bunSemver(res)
}

// bunSemver reports whether v is a full semantic version:
// MAJOR.MINOR.PATCH with optional -prerelease and +build.
func bunSemver(v string) bool {
	core := v
	if i := strings.IndexAny(v, "-+"); i >= 0 {
		core = v[:i]
		rest := v[i+1:]
		if rest == "" {
			return false
		}
		for _, c := range rest {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.' || c == '-' || c == '+') {
				return false
			}
		}
	}
	parts := strings.Split(core, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		for _, c := range p {
			if c < '0' || c > '9' {
				return false
			}
		}
	}
	return true
}

// bunSplitIdent splits "name@resolution"; a scoped name keeps its leading @.
func bunSplitIdent(ident string) (name, res string, ok bool) {
	if strings.HasPrefix(ident, "@root:") {
		return "", ident[1:], true
	}
	if len(ident) < 2 {
		return "", "", false
	}
	i := strings.IndexByte(ident[1:], '@')
	if i < 0 {
		return "", "", false
	}
	return ident[:i+1], ident[i+2:], true
}

// bunKeyParts splits a package key into package names: "a/@s/b/c" →
// ["a", "@s/b", "c"].
func bunKeyParts(key string) []string {
	var parts []string
	for key != "" {
		end := strings.IndexByte(key, '/')
		if end >= 0 && strings.HasPrefix(key, "@") {
			if next := strings.IndexByte(key[end+1:], '/'); next >= 0 {
				end += 1 + next
			} else {
				end = -1
			}
		}
		if end < 0 {
			parts = append(parts, key)
			break
		}
		parts = append(parts, key[:end])
		key = key[end+1:]
	}
	return parts
}

// bunEdge is a dependency edge for working out Dev and Optional.
type bunEdge struct {
	to   int
	kind byte // 'p' production (and peer), 'd' dev, 'o' optional
}

type bunBuilder struct {
	path   string
	lf     *Lockfile
	pkgs   []Package
	byKey  map[string]int // packages key → package index
	edges  [][]bunEdge    // package index → edges
	starts []bunEdge      // edges from the root's manifest
	member map[int]bool   // workspace members: always installed
	buf    []byte
}

// lookup resolves name from a package key, bun's way: key/name, then each
// shorter prefix of the key, then name at the top.
func (b *bunBuilder) lookup(parts []string, name string) (int, bool) {
	for n := len(parts); n >= 0; n-- {
		b.buf = b.buf[:0]
		for _, p := range parts[:n] {
			b.buf = append(b.buf, p...)
			b.buf = append(b.buf, '/')
		}
		b.buf = append(b.buf, name...)
		if i, ok := b.byKey[string(b.buf)]; ok {
			return i, true
		}
	}
	return 0, false
}

// depsOf resolves a package's dependency groups, in sorted name order, and
// records the edges; unresolved names are skipped (optional ones are
// legitimately absent; bun refuses the others at install time, which is no
// reason to hide the rest of the file).
func (b *bunBuilder) depsOf(from int, parts []string, groups map[byte][]map[string]string, optionalPeers []string) []string {
	optPeer := map[string]bool{}
	for _, n := range optionalPeers {
		optPeer[n] = true
	}
	type dep struct {
		name string
		kind byte
	}
	var list []dep
	for kind, gs := range groups {
		for gi, g := range gs {
			for n := range g {
				k := kind
				// peerDependencies is the second 'p' group.
				if kind == 'p' && gi == 1 && optPeer[n] {
					k = 'o'
				}
				list = append(list, dep{n, k})
			}
		}
	}
	sort.Slice(list, func(a, c int) bool {
		if list[a].name != list[c].name {
			return list[a].name < list[c].name
		}
		return list[a].kind < list[c].kind
	})
	var ids []string
	for k, d := range list {
		i, ok := b.lookup(parts, d.name)
		if !ok {
			continue
		}
		e := bunEdge{to: i, kind: d.kind}
		if from < 0 {
			b.starts = append(b.starts, e)
		} else {
			b.edges[from] = append(b.edges[from], e)
		}
		if k > 0 && list[k-1].name == d.name {
			continue
		}
		ids = append(ids, b.pkgs[i].ID)
	}
	return ids
}

func (b *bunBuilder) build(workspaces []bunWorkspace, entries []bunEntry) error {
	b.byKey = make(map[string]int, len(entries))
	var root *bunWorkspace
	memberByPath := map[string]int{}
	memberWS := map[int]*bunWorkspace{}
	for i := range workspaces {
		w := &workspaces[i]
		if w.path == "" {
			root = w
			continue
		}
		memberByPath[w.path] = len(b.pkgs)
		memberWS[len(b.pkgs)] = w
		b.pkgs = append(b.pkgs, Package{
			Name:    *w.Name,
			Version: w.Version,
			Source:  Source{Kind: SourceWorkspace, URL: w.path},
			Path:    w.path,
			Line:    w.line,
			ID:      "workspaces/" + w.path,
		})
	}
	infos := map[int]*bunInfo{}
	keyParts := map[int][]string{}
	for _, e := range entries {
		p, kind, info, err := b.entry(e, fmt.Sprintf("packages[%q]", e.key))
		if err != nil {
			return err
		}
		switch kind {
		case bunRoot:
			continue
		case bunWorkspaceRes:
			// name@workspace:path: the member listed under "workspaces".
			wsPath := p.Source.URL
			if m, ok := memberByPath[wsPath]; ok {
				b.byKey[e.key] = m
				continue
			}
			// lockfileVersion 0 lists members only here; their
			// dependencies resolve under their name, like members'.
			p.Path, p.ID = wsPath, "workspaces/"+wsPath
			memberByPath[wsPath] = len(b.pkgs)
			keyParts[len(b.pkgs)] = []string{p.Name}
			if info != nil {
				memberWS[len(b.pkgs)] = &bunWorkspace{
					Name: &p.Name, Dependencies: info.Dependencies, DevDependencies: info.DevDependencies,
					OptionalDependencies: info.OptionalDependencies, PeerDependencies: info.PeerDependencies,
					OptionalPeers: info.OptionalPeers,
				}
				info = nil
			}
		default:
			p.Path, p.ID = e.key, "packages/"+e.key
			keyParts[len(b.pkgs)] = bunKeyParts(e.key)
		}
		p.Line = e.line
		b.byKey[e.key] = len(b.pkgs)
		if info != nil {
			infos[len(b.pkgs)] = info
		}
		b.pkgs = append(b.pkgs, p)
	}
	b.edges = make([][]bunEdge, len(b.pkgs))
	b.member = map[int]bool{}
	for _, m := range memberByPath {
		b.member[m] = true
	}
	if root != nil {
		b.lf.Roots = b.depsOf(-1, nil, map[byte][]map[string]string{
			'p': {root.Dependencies, root.PeerDependencies},
			'd': {root.DevDependencies},
			'o': {root.OptionalDependencies},
		}, root.OptionalPeers)
	}
	for i := range b.pkgs {
		p := &b.pkgs[i]
		if w, ok := memberWS[i]; ok {
			// A member's dependencies resolve under its name first.
			p.Deps = b.depsOf(i, []string{*w.Name}, map[byte][]map[string]string{
				'p': {w.Dependencies, w.PeerDependencies},
				'd': {w.DevDependencies},
				'o': {w.OptionalDependencies},
			}, w.OptionalPeers)
			continue
		}
		info := infos[i]
		if info == nil {
			continue
		}
		p.Deps = b.depsOf(i, keyParts[i], map[byte][]map[string]string{
			'p': {info.Dependencies, info.PeerDependencies},
			'o': {info.OptionalDependencies},
		}, info.OptionalPeers)
	}
	b.flags()
	b.lf.Packages = b.pkgs
	return nil
}

// flags works out Dev and Optional the way npm defines them: Dev when only
// dev dependencies lead to a package, Optional when only optional ones do,
// or when neither dev alone nor optional alone does but either can (npm's
// devOptional, kept by a no-dev install).
func (b *bunBuilder) flags() {
	n := len(b.pkgs)
	reach := func(allow func(kind byte) bool) []bool {
		seen := make([]bool, n)
		var queue []int
		visit := func(e bunEdge) {
			if allow(e.kind) && !seen[e.to] {
				seen[e.to] = true
				queue = append(queue, e.to)
			}
		}
		for _, e := range b.starts {
			visit(e)
		}
		// Workspace members are always installed; their manifests' edges
		// start from them.
		for i := range b.pkgs {
			if b.member[i] && !seen[i] {
				seen[i] = true
				queue = append(queue, i)
			}
		}
		for len(queue) > 0 {
			i := queue[0]
			queue = queue[1:]
			for _, e := range b.edges[i] {
				visit(e)
			}
		}
		return seen
	}
	prod := reach(func(k byte) bool { return k == 'p' })
	noDev := reach(func(k byte) bool { return k != 'd' })
	noOpt := reach(func(k byte) bool { return k != 'o' })
	any := reach(func(byte) bool { return true })
	for i := range b.pkgs {
		p := &b.pkgs[i]
		if !any[i] || b.member[i] {
			continue
		}
		p.Dev = !noDev[i]
		p.Optional = !prod[i] && (noDev[i] || !noOpt[i])
	}
}

// entry interprets one "packages" tuple. skip is true for the root entry.
func (b *bunBuilder) entry(e bunEntry, name string) (p Package, kind bunKind, info *bunInfo, err error) {
	t := e.tuple
	// errAt reports a problem with element idx (-1: the whole tuple).
	errAt := func(idx int, field string, format string, args ...any) error {
		k := name
		if idx >= 0 {
			k = fmt.Sprintf("%s[%d]", name, idx)
		}
		if field != "" {
			k += "." + field
		}
		return errorf(b.path, e.line, k, format, args...)
	}
	fail := func(idx int, format string, args ...any) (Package, bunKind, *bunInfo, error) {
		return Package{}, 0, nil, errAt(idx, "", format, args...)
	}
	str := func(idx int) (string, bool) {
		var s string
		if idx >= len(t) || json.Unmarshal(t[idx], &s) != nil || string(t[idx]) == "null" {
			return "", false
		}
		return s, true
	}
	if len(t) == 0 {
		return fail(-1, "empty package tuple")
	}
	ident, ok := str(0)
	if !ok {
		return fail(0, "expected a string \"name@resolution\", found %s", bunJSONKind(t[0]))
	}
	pkgName, res, ok := bunSplitIdent(ident)
	if !ok || (pkgName == "" && !strings.HasPrefix(res, "root:")) {
		return fail(0, "invalid package resolution %q", ident)
	}
	kind, ok = bunClassify(res)
	if !ok {
		return fail(0, "invalid package version %q", res)
	}
	if kind == bunRoot {
		return Package{}, kind, nil, nil
	}
	// readInfo reads the INFO object at idx.
	readInfo := func(idx int, required bool) (*bunInfo, error) {
		if idx >= len(t) {
			if required {
				return nil, errAt(-1, "", "missing the dependencies object (element %d)", idx)
			}
			return nil, nil
		}
		var in bunInfo
		if err := json.Unmarshal(t[idx], &in); err != nil || t[idx][0] != '{' {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) && te.Field != "" {
				return nil, errAt(idx, te.Field, "expected %s, found %s", npmTypeName(te.Type.String()), te.Value)
			}
			return nil, errAt(idx, "", "expected an object, found %s", bunJSONKind(t[idx]))
		}
		return &in, nil
	}
	// optHash reads an optional integrity at idx.
	optHash := func(idx int) ([]Hash, error) {
		if idx >= len(t) {
			return nil, nil
		}
		s, ok := str(idx)
		if !ok {
			return nil, errAt(idx, "", "expected an integrity string, found %s", bunJSONKind(t[idx]))
		}
		return ParseSRI(s), nil
	}
	p = Package{Name: pkgName}
	switch kind {
	case bunNpm:
		reg, ok := str(1)
		if !ok {
			return fail(1, "expected the registry string, found %s", bunJSONKind(bunAt(t, 1)))
		}
		if info, err = readInfo(2, true); err != nil {
			return Package{}, 0, nil, err
		}
		integrity, ok := str(3)
		if !ok {
			return fail(3, "expected the integrity string, found %s", bunJSONKind(bunAt(t, 3)))
		}
		p.Version = res
		p.Source = Source{Kind: SourceRegistry, URL: reg}
		p.Hashes = ParseSRI(integrity)
	case bunGit, bunGithub:
		if info, err = readInfo(1, true); err != nil {
			return Package{}, 0, nil, err
		}
		tag, ok := str(2)
		if !ok {
			return fail(2, "expected the git tag string, found %s", bunJSONKind(bunAt(t, 2)))
		}
		if p.Hashes, err = optHash(3); err != nil {
			return Package{}, 0, nil, err
		}
		// The tag is the resolved commit for git, "owner-repo-<commit>" for
		// github; the commit in the resolution may be abbreviated.
		p.Source = npmGitSource(res)
		url, _, _ := strings.Cut(res, "#")
		if kind == bunGithub {
			if k := strings.LastIndexByte(tag, '-'); k >= 0 {
				tag = tag[k+1:]
			}
		}
		if npmCommit(tag) && (kind == bunGit || p.Source.Ref == "") {
			p.Source = Source{Kind: SourceGit, URL: url, Ref: tag}
		}
	case bunTarball:
		if info, err = readInfo(1, true); err != nil {
			return Package{}, 0, nil, err
		}
		if p.Hashes, err = optHash(2); err != nil {
			return Package{}, 0, nil, err
		}
		p.Source = Source{Kind: SourceURL, URL: res}
		if !strings.HasPrefix(res, "https://") && !strings.HasPrefix(res, "http://") {
			p.Source.Kind = SourcePath
		}
	case bunFolder, bunSymlink:
		if info, err = readInfo(1, true); err != nil {
			return Package{}, 0, nil, err
		}
		target := strings.TrimPrefix(strings.TrimPrefix(res, "file:"), "link:")
		p.Source = Source{Kind: SourcePath, URL: res}
		// A folder of the project is the project's own code; a link: goes
		// to a package registered with "bun link", outside the project.
		if kind == bunFolder && npmInsideProject(target) && !strings.HasSuffix(target, ".tgz") && !strings.HasSuffix(target, ".tar.gz") {
			p.Source.Kind = SourceWorkspace
		}
	case bunWorkspaceRes:
		if info, err = readInfo(1, false); err != nil {
			return Package{}, 0, nil, err
		}
		p.Source = Source{Kind: SourceWorkspace, URL: strings.TrimPrefix(res, "workspace:")}
	}
	if info != nil {
		p.Bundled = info.Bundled
	}
	return p, kind, info, nil
}

func bunAt(t []json.RawMessage, i int) json.RawMessage {
	if i < len(t) {
		return t[i]
	}
	return nil
}

// bunJSONKind names the kind of a raw JSON value for messages.
func bunJSONKind(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
