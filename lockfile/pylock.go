package lockfile

import (
	"errors"
	"path"
	"strings"
)

// pylock.toml, the standard lockfile of PEP 751 (packaging.python.org,
// "pylock.toml specification"). Each [[packages]] entry comes from exactly
// one of: a VCS commit (vcs), a local directory (directory), an archive
// (archive), or an index's sdist and/or wheels; archives, sdists and wheels
// carry their hashes as tables of algorithm → hex digest. Which packages an
// install needs is decided by each package's marker, which may test the
// extras and dependency groups being installed ('dev' in dependency_groups);
// the file names the groups installed by default in default-groups.
//
// A package only reached through extras is Optional, one only reached through
// non-default dependency groups is Dev; other markers (platform, Python
// version) are left undecided, so such a package counts as installed.

func init() {
	register(&format{
		Format:    FormatPylock,
		Ecosystem: PyPI,
		Name:      isPylockName,
		Sniff:     sniffPylock,
		Parse:     tlEmptyOrParse(parsePylock),
	})
}

// isPylockName matches PEP 751's names: pylock.toml and pylock.<name>.toml,
// where <name> has no dot.
func isPylockName(base string) bool {
	if base == "pylock.toml" {
		return true
	}
	if !strings.HasPrefix(base, "pylock.") || !strings.HasSuffix(base, ".toml") || len(base) <= len("pylock..toml") {
		return false
	}
	mid := base[len("pylock.") : len(base)-len(".toml")]
	return !strings.Contains(mid, ".")
}

func sniffPylock(data []byte) bool {
	f := tlLines(data, "lock-version", "created-by", "[[packages]]", "packages = [", "[[package]]")
	return f[0] && f[1] && !f[4]
}

func parsePylock(in *input, doc tlTable) (*Lockfile, error) {
	lf := &Lockfile{}
	lv, err := doc.str("lock-version", true)
	if err != nil {
		return nil, err
	}
	// PEP 751: installers must refuse a major version they do not support.
	if major, _, _ := strings.Cut(lv, "."); major != "1" {
		return nil, doc.errf("lock-version", "unsupported pylock.toml version %q (supported: 1.x)", lv)
	}
	lf.FormatVersion = lv
	if _, err := doc.str("created-by", true); err != nil {
		return nil, err
	}
	if _, err := doc.str("requires-python", false); err != nil {
		return nil, err
	}
	for _, k := range []string{"environments", "extras", "dependency-groups"} {
		if _, err := doc.strs(k); err != nil {
			return nil, err
		}
	}
	defaults, err := doc.strs("default-groups")
	if err != nil {
		return nil, err
	}
	if !doc.has("packages") {
		return nil, doc.errf("packages", "required key is missing")
	}
	pkgs, err := doc.headedTables("packages")
	if err != nil {
		return nil, err
	}
	lf.Packages = make([]Package, len(pkgs))
	refs := make([][]pylockRef, len(pkgs))
	byName := make(map[string][]int, len(pkgs))
	seenIndex := indexSet{}
	defaultSet := map[string]bool{}
	for _, g := range defaults {
		defaultSet[pep503Name(g)] = true
	}
	for i, t := range pkgs {
		p := &lf.Packages[i]
		p.Path, p.Line = t.key, t.line
		if refs[i], err = pylockPackage(t, p, defaultSet); err != nil {
			return nil, err
		}
		if idx, _ := t.str("index", false); idx != "" {
			seenIndex.add(lf, idx)
		}
		byName[p.Name] = append(byName[p.Name], i)
	}
	tlAssignIDs(lf.Packages)
	for i, rs := range refs {
		seen := map[int]bool{}
		for _, r := range rs {
			// dependencies is informational in PEP 751 (installers do
			// not need it); a reference to a package that is not in the
			// file is skipped rather than refused.
			for _, j := range byName[r.name] {
				if j == i || seen[j] || (r.version != "" && lf.Packages[j].Version != r.version) {
					continue
				}
				seen[j] = true
				lf.Packages[i].Deps = append(lf.Packages[i].Deps, lf.Packages[j].ID)
			}
		}
	}
	for name := range tlPyprojectDirect(in) {
		for _, j := range byName[name] {
			if lf.Packages[j].Source.Kind != SourceWorkspace {
				lf.Roots = append(lf.Roots, lf.Packages[j].ID)
			}
		}
	}
	return lf, nil
}

type pylockRef struct{ name, version string }

func pylockPackage(t tlTable, p *Package, defaults map[string]bool) ([]pylockRef, error) {
	// version is optional: a source tree's version is not pinned.
	err := t.pyNameVersion(p, false)
	if err != nil {
		return nil, err
	}
	for _, k := range []string{"requires-python", "index"} {
		if _, err := t.str(k, false); err != nil {
			return nil, err
		}
	}
	marker, err := t.str("marker", false)
	if err != nil {
		return nil, err
	}
	if marker != "" {
		m, err := pylParseMarker(marker)
		if err != nil {
			return nil, t.errf("marker", "%v", err)
		}
		p.Dev, p.Optional = m.devOptional(defaults)
	}

	vcs, hasVCS, err := t.table("vcs")
	if err != nil {
		return nil, err
	}
	dir, hasDir, err := t.table("directory")
	if err != nil {
		return nil, err
	}
	archive, hasArchive, err := t.table("archive")
	if err != nil {
		return nil, err
	}
	sdist, hasSdist, err := t.table("sdist")
	if err != nil {
		return nil, err
	}
	wheels, err := t.tables("wheels")
	if err != nil {
		return nil, err
	}
	hasWheels := t.has("wheels")
	n := 0
	for _, b := range []bool{hasVCS, hasDir, hasArchive, hasSdist || hasWheels} {
		if b {
			n++
		}
	}
	if n != 1 {
		return nil, t.errf("", "expected exactly one source: vcs, directory, archive, or sdist and/or wheels; found %d", n)
	}
	switch {
	case hasVCS:
		if _, err := vcs.str("type", true); err != nil {
			return nil, err
		}
		url, path, err := pylockLocation(vcs)
		if err != nil {
			return nil, err
		}
		commit, err := vcs.str("commit-id", true)
		if err != nil {
			return nil, err
		}
		if _, err := vcs.str("requested-revision", false); err != nil {
			return nil, err
		}
		p.Source = Source{Kind: SourceGit, URL: url + path, Ref: commit}
	case hasDir:
		dp, err := dir.str("path", true)
		if err != nil {
			return nil, err
		}
		editable, err := dir.boolean("editable")
		if err != nil {
			return nil, err
		}
		p.Source = Source{Kind: SourcePath, URL: dp}
		if pylockIsProjectDir(dp, editable) {
			p.Source.Kind = SourceWorkspace
		}
	case hasArchive:
		url, path, err := pylockLocation(archive)
		if err != nil {
			return nil, err
		}
		if url != "" {
			p.Source = Source{Kind: SourceURL, URL: url}
		} else {
			p.Source = Source{Kind: SourcePath, URL: path}
		}
		if p.Hashes, err = pylockFileHashes(archive); err != nil {
			return nil, err
		}
	default:
		idx, _ := t.str("index", false)
		p.Source = Source{Kind: SourceRegistry, URL: idx}
		if hasSdist {
			if p.Hashes, err = pylockFileHashes(sdist); err != nil {
				return nil, err
			}
		}
		for _, w := range wheels {
			hs, err := pylockFileHashes(w)
			if err != nil {
				return nil, err
			}
			p.Hashes = append(p.Hashes, hs...)
		}
	}

	ids, err := t.tables("attestation-identities")
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		if _, err := id.str("kind", true); err != nil {
			return nil, err
		}
	}
	if _, _, err := t.table("tool"); err != nil {
		return nil, err
	}

	deps, err := t.tables("dependencies")
	if err != nil {
		return nil, err
	}
	var out []pylockRef
	for _, d := range deps {
		name, err := d.str("name", false)
		if err != nil {
			return nil, err
		}
		version, err := d.str("version", false)
		if err != nil {
			return nil, err
		}
		if name != "" {
			out = append(out, pylockRef{pep503Name(name), version})
		}
	}
	return out, nil
}

// pylockLocation reads the url and path of a vcs or archive table; one of
// them is required.
func pylockLocation(t tlTable) (string, string, error) {
	url, err := t.str("url", false)
	if err != nil {
		return "", "", err
	}
	p, err := t.str("path", false)
	if err != nil {
		return "", "", err
	}
	if url == "" && p == "" {
		return "", "", t.errf("", "one of url and path is required")
	}
	if url != "" {
		return url, "", nil
	}
	return "", p, nil
}

// pylockFileHashes reads the hashes table of an archive, sdist or wheel
// (required by PEP 751), ordered by algorithm name.
func pylockFileHashes(f tlTable) ([]Hash, error) {
	for _, k := range []string{"name", "url", "path"} {
		if _, err := f.str(k, false); err != nil {
			return nil, err
		}
	}
	if _, _, err := f.integer("size"); err != nil {
		return nil, err
	}
	hashes, ok, err := f.table("hashes")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, f.errf("hashes", "required key is missing")
	}
	var out []Hash
	for _, alg := range tlSortedKeys(hashes.m) {
		d, err := hashes.str(alg, true)
		if err != nil {
			return nil, err
		}
		if d == "" {
			return nil, hashes.errf(alg, "empty digest")
		}
		out = append(out, Hash{Algorithm: strings.ToLower(alg), Digest: d})
	}
	if len(out) == 0 {
		return nil, f.errf("hashes", "no hash given")
	}
	return out, nil
}

// pylockIsProjectDir decides whether a directory entry is the project's own
// code: the lockfile's own directory ("."), or an editable install of a
// directory inside it. Other directories are path sources.
func pylockIsProjectDir(p string, editable bool) bool {
	p = strings.ReplaceAll(p, `\`, "/")
	c := path.Clean(p)
	if c == "." {
		return true
	}
	if !editable || path.IsAbs(c) || c == ".." || strings.HasPrefix(c, "../") || (len(c) >= 2 && c[1] == ':') {
		return false
	}
	return true
}

// ---- PEP 508 environment markers, evaluated in three-valued logic ----

type pylTriValue int8

const (
	pylFalse   pylTriValue = -1
	pylUnknown pylTriValue = 0
	pylTrue    pylTriValue = 1
)

// pylMarkerEnv says which extras and dependency groups are being installed.
// Everything else a marker can test (platform, Python version) is unknown.
type pylMarkerEnv struct {
	extras, groups       map[string]bool
	allExtras, allGroups bool
}

type pylMarkerNode struct {
	op       string // "and", "or", or a comparison operator
	kids     []*pylMarkerNode
	lhs, rhs pylMarkerTok
}

type pylMarkerTok struct {
	s      string
	quoted bool
}

func (n *pylMarkerNode) eval(env pylMarkerEnv) pylTriValue {
	switch n.op {
	case "and", "or":
		// Three-valued: one decisive kid (false for and, true for or)
		// decides; otherwise an unknown kid leaves the whole unknown.
		decisive, out := pylFalse, pylTrue
		if n.op == "or" {
			decisive, out = pylTrue, pylFalse
		}
		for _, k := range n.kids {
			switch k.eval(env) {
			case decisive:
				return decisive
			case pylUnknown:
				out = pylUnknown
			}
		}
		return out
	}
	member := func(set map[string]bool, all bool, name string) bool {
		return all || set[pep503Name(name)]
	}
	var in pylTriValue = pylUnknown
	switch {
	case n.lhs.quoted && !n.rhs.quoted && n.rhs.s == "extras" && (n.op == "in" || n.op == "not in"):
		in = pylTri(member(env.extras, env.allExtras, n.lhs.s))
	case n.lhs.quoted && !n.rhs.quoted && n.rhs.s == "dependency_groups" && (n.op == "in" || n.op == "not in"):
		in = pylTri(member(env.groups, env.allGroups, n.lhs.s))
	case !n.lhs.quoted && n.lhs.s == "extra" && n.rhs.quoted && (n.op == "==" || n.op == "!="):
		in = pylTri(member(env.extras, env.allExtras, n.rhs.s))
	case n.lhs.quoted && !n.rhs.quoted && n.rhs.s == "extra" && (n.op == "==" || n.op == "!="):
		in = pylTri(member(env.extras, env.allExtras, n.lhs.s))
	default:
		return pylUnknown
	}
	if n.op == "not in" || n.op == "!=" {
		return -in
	}
	return in
}

// devOptional decides from a package's marker whether only development or
// optional installs need it. A package a default install (default groups, no
// extras) may need is neither. Otherwise it is Optional when some extras may
// bring it in, else Dev when some dependency groups may.
func (n *pylMarkerNode) devOptional(defaults map[string]bool) (dev, optional bool) {
	if n.eval(pylMarkerEnv{groups: defaults}) != pylFalse {
		return false, false
	}
	optional = n.eval(pylMarkerEnv{groups: defaults, allExtras: true}) != pylFalse
	dev = !optional && n.eval(pylMarkerEnv{allGroups: true}) != pylFalse
	return dev, optional
}

func pylTri(b bool) pylTriValue {
	if b {
		return pylTrue
	}
	return pylFalse
}

// pylParseMarker parses a PEP 508 marker expression:
//
//	marker = and ("or" and)* ; and = expr ("and" expr)*
//	expr   = "(" marker ")" | value op value
//	op     = "<=" | "<" | "!=" | "===" | "==" | ">=" | ">" | "~=" | "in" | "not in"
func pylParseMarker(s string) (*pylMarkerNode, error) {
	toks, err := pylLexMarker(s)
	if err != nil {
		return nil, err
	}
	mp := &pylMarkerParser{toks: toks}
	n, err := mp.or(0)
	if err != nil {
		return nil, err
	}
	if mp.pos != len(mp.toks) {
		return nil, errors.New("malformed marker: unexpected " + mp.toks[mp.pos].s)
	}
	return n, nil
}

type pylMarkerLex struct {
	s      string
	kind   byte // 'v' value, 'q' quoted value, 'o' operator, '(' or ')'
	quoted bool
}

func pylLexMarker(s string) ([]pylMarkerLex, error) {
	var out []pylMarkerLex
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')':
			out = append(out, pylMarkerLex{s: string(c), kind: c})
			i++
		case c == '\'' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, errors.New("malformed marker: unterminated string")
			}
			out = append(out, pylMarkerLex{s: s[i+1 : i+1+j], kind: 'q', quoted: true})
			i += j + 2
		case strings.ContainsRune("<>=!~", rune(c)):
			j := i
			for j < len(s) && strings.ContainsRune("<>=!~", rune(s[j])) {
				j++
			}
			op := s[i:j]
			switch op {
			case "<", "<=", "!=", "==", "===", ">=", ">", "~=":
			default:
				return nil, errors.New("malformed marker: bad operator " + op)
			}
			out = append(out, pylMarkerLex{s: op, kind: 'o'})
			i = j
		case c == '_' || c == '.' || c == '-' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9'):
			j := i
			for j < len(s) {
				d := s[j]
				if d == '_' || d == '.' || d == '-' || ('a' <= d && d <= 'z') || ('A' <= d && d <= 'Z') || ('0' <= d && d <= '9') {
					j++
					continue
				}
				break
			}
			out = append(out, pylMarkerLex{s: s[i:j], kind: 'v'})
			i = j
		default:
			return nil, errors.New("malformed marker: unexpected character " + string(rune(c)))
		}
	}
	return out, nil
}

type pylMarkerParser struct {
	toks []pylMarkerLex
	pos  int
}

const pylMaxMarkerDepth = 64

func (mp *pylMarkerParser) peekWord(w string) bool {
	return mp.pos < len(mp.toks) && mp.toks[mp.pos].kind == 'v' && mp.toks[mp.pos].s == w
}

func (mp *pylMarkerParser) or(depth int) (*pylMarkerNode, error) {
	return mp.list(depth, "or", mp.and)
}

func (mp *pylMarkerParser) and(depth int) (*pylMarkerNode, error) {
	return mp.list(depth, "and", mp.expr)
}

func (mp *pylMarkerParser) list(depth int, op string, next func(int) (*pylMarkerNode, error)) (*pylMarkerNode, error) {
	first, err := next(depth)
	if err != nil {
		return nil, err
	}
	kids := []*pylMarkerNode{first}
	for mp.peekWord(op) {
		mp.pos++
		k, err := next(depth)
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &pylMarkerNode{op: op, kids: kids}, nil
}

func (mp *pylMarkerParser) expr(depth int) (*pylMarkerNode, error) {
	if mp.pos >= len(mp.toks) {
		return nil, errors.New("malformed marker: unexpected end")
	}
	if mp.toks[mp.pos].kind == '(' {
		if depth >= pylMaxMarkerDepth {
			return nil, errors.New("malformed marker: too deeply nested")
		}
		mp.pos++
		n, err := mp.or(depth + 1)
		if err != nil {
			return nil, err
		}
		if mp.pos >= len(mp.toks) || mp.toks[mp.pos].kind != ')' {
			return nil, errors.New("malformed marker: missing )")
		}
		mp.pos++
		return n, nil
	}
	lhs, err := mp.value()
	if err != nil {
		return nil, err
	}
	var op string
	switch {
	case mp.pos < len(mp.toks) && mp.toks[mp.pos].kind == 'o':
		op = mp.toks[mp.pos].s
		mp.pos++
	case mp.peekWord("in"):
		op = "in"
		mp.pos++
	case mp.peekWord("not"):
		mp.pos++
		if !mp.peekWord("in") {
			return nil, errors.New("malformed marker: expected in after not")
		}
		op = "not in"
		mp.pos++
	default:
		return nil, errors.New("malformed marker: expected an operator")
	}
	rhs, err := mp.value()
	if err != nil {
		return nil, err
	}
	return &pylMarkerNode{op: op, lhs: lhs, rhs: rhs}, nil
}

func (mp *pylMarkerParser) value() (pylMarkerTok, error) {
	if mp.pos >= len(mp.toks) {
		return pylMarkerTok{}, errors.New("malformed marker: unexpected end")
	}
	t := mp.toks[mp.pos]
	if t.kind != 'v' && t.kind != 'q' {
		return pylMarkerTok{}, errors.New("malformed marker: expected a value, found " + t.s)
	}
	if t.kind == 'v' && (t.s == "and" || t.s == "or" || t.s == "in" || t.s == "not") {
		return pylMarkerTok{}, errors.New("malformed marker: expected a value, found " + t.s)
	}
	mp.pos++
	return pylMarkerTok{s: t.s, quoted: t.quoted}, nil
}
