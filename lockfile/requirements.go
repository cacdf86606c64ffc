package lockfile

// requirements.txt: a hand-written parser, because no kept library reads
// pip's requirements-file format. It reads a file the way pip does
// (pip/_internal/req/req_file.py and req/constructors.py):
//
//   - lines are split like Python's str.splitlines; a line ending in "\" is
//     joined with the next one (unless it is a comment line), and the joined
//     line keeps the number of its first line;
//   - comments ("#" at the start or after whitespace) are stripped after
//     joining, then blank lines dropped;
//   - each line is split into the requirement (the words before the first
//     word starting with "-") and options (the rest, split like a shell and
//     read like pip's optparse, long options abbreviable);
//   - -r/--requirement and -c/--constraint include further files relative
//     to the including file; a file that includes one of its own includers
//     is an error, as in pip (older pip recursed until it crashed).
//
// Decisions where pip's behaviour does not map onto a lockfile directly:
//
//   - ${VAR} is NOT expanded. pip expands it from the environment at install
//     time, but guard reports what the file says, and expanding would copy
//     secrets (index tokens) into reports. A version that is a ${VAR} leaves
//     the entry unpinned: Version "", Requirement "==${VAR}".
//   - Constraints files (-c) add no packages, as in pip: a name listed only
//     there is not installed. Their exact pins (and hashes) are applied to
//     requirements of the same name that pin no version themselves (pip
//     resolves those to the constrained version and, since pip 22.1, filters
//     downloads by the constraint's hashes). Such an entry gets the
//     constraint's version (Requirement then ""), the constraint's hashes if
//     it has none of its own, and keeps the Path of the requirement line.
//     Conflicting pins for one name are not applied (pip fails on them).
//   - Every requirement line becomes one package, duplicates included, and
//     every one is Direct: the file has no dependency graph.
//   - Direct references (VCS, URL, local path, -e) are packages with Source
//     git/url/path and Version "" unless a wheel (or an sdist named after the
//     project) states the version in its file name. Without "name @" or
//     "#egg=name" the project name is unknown until pip builds it: Name is ""
//     then rather than a guess.
//   - Environment markers are not evaluated: every line is reported whatever
//     platform it targets.
//   - Remote includes (-r https://...) are a ParseError: lockfile/ reads no
//     network, and skipping them would hide packages.
//   - Included files are read once per mode (requirements/constraints) even
//     when several files include them; pip would read them again and list
//     the same requirements twice.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

func init() {
	register(&format{
		Format:    FormatRequirements,
		Ecosystem: PyPI,
		Name:      isRequirementsName,
		Sniff:     sniffRequirements,
		Parse:     parseRequirements,
	})
}

// isRequirementsName matches requirements*.txt, *requirements.txt and
// constraints.txt, in any letter case.
func isRequirementsName(base string) bool {
	b := strings.ToLower(base)
	if !strings.HasSuffix(b, ".txt") {
		return false
	}
	return strings.HasPrefix(b, "requirements") || strings.HasSuffix(b, "requirements.txt") || b == "constraints.txt"
}

// maxIncludeDepth bounds nesting of -r/-c includes. Cycles are caught
// exactly; this only stops endless chains of distinct paths (a directory
// symlink pointing at its parent).
const maxIncludeDepth = 64

type reqConstraint struct {
	version  string
	hashes   []Hash
	conflict bool
}

type reqParser struct {
	in          *input
	lf          *Lockfile
	included    map[string]bool // display paths in lf.Includes
	done        map[string]bool // abs path + mode already read
	stack       []string        // abs paths of the files being read, outermost first
	stackShown  []string        // their display paths
	constraints map[string]*reqConstraint
	indexes     map[string]bool
}

func parseRequirements(in *input) (*Lockfile, error) {
	p := &reqParser{
		in:          in,
		lf:          &Lockfile{},
		included:    map[string]bool{},
		done:        map[string]bool{},
		constraints: map[string]*reqConstraint{},
		indexes:     map[string]bool{},
	}
	if err := p.parseFile(in.Path, in.Data, false); err != nil {
		return nil, err
	}
	p.applyConstraints()
	return p.lf, nil
}

func pipAbsPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

func (p *reqParser) parseFile(shown string, data []byte, constraint bool) error {
	abs := pipAbsPath(shown)
	mode := "r:"
	if constraint {
		mode = "c:"
	}
	if p.done[mode+abs] {
		return nil
	}
	p.done[mode+abs] = true
	text, err := decodePipText(data)
	if err != nil {
		return errorf(shown, 0, "", "%v", err)
	}
	p.stack = append(p.stack, abs)
	p.stackShown = append(p.stackShown, shown)
	defer func() {
		p.stack = p.stack[:len(p.stack)-1]
		p.stackShown = p.stackShown[:len(p.stackShown)-1]
	}()
	for _, ln := range pipLogicalLines(text) {
		if err := p.line(shown, ln, constraint); err != nil {
			return err
		}
	}
	return nil
}

func (p *reqParser) line(file string, ln pipLine, constraint bool) error {
	// Errors quote the line's first word (the requirement or option),
	// never the whole line: a file may hold anything (an include of a
	// secrets file), and reports must not copy it.
	key := pyToken(ln.text)
	args, optText := breakArgsOptions(ln.text)
	toks, err := shlexSplit(optText)
	if err != nil {
		return errorf(file, ln.num, key, "cannot split the options: %v", err)
	}
	opts, err := parsePipOptions(toks)
	if err != nil {
		return errorf(file, ln.num, "", "%v", err)
	}
	switch {
	case args != "" || len(opts.editables) > 0:
		editable := args == ""
		text := args
		if editable {
			text = opts.editables[0]
		}
		pkg, err := pipRequirement(text, editable, opts.hashes)
		if err != nil {
			return errorf(file, ln.num, key, "%v", err)
		}
		if constraint {
			return p.addConstraint(file, ln, key, pkg, editable)
		}
		p.addOptions(file, ln, opts)
		pkg.Path = fmt.Sprintf("%s:%d", file, ln.num)
		pkg.ID = pkg.Path
		pkg.Line = ln.num
		pkg.Direct = true
		p.lf.Packages = append(p.lf.Packages, *pkg)
	case len(opts.requirements) > 0:
		// pip reads only the first -r of a line, and ignores the line's
		// other options.
		return p.include(file, ln, "-r "+opts.requirements[0], opts.requirements[0], false)
	case len(opts.constraints) > 0:
		return p.include(file, ln, "-c "+opts.constraints[0], opts.constraints[0], true)
	default:
		p.addOptions(file, ln, opts)
		if opts.indexURL != "" {
			p.addIndex(opts.indexURL)
		}
		for _, u := range opts.extraIndexURLs {
			p.addIndex(u)
		}
	}
	return nil
}

func (p *reqParser) addIndex(u string) {
	u = redactURLPassword(u)
	if !p.indexes[u] {
		p.indexes[u] = true
		p.lf.Indexes = append(p.lf.Indexes, u)
	}
}

// addOptions records the options a line sets (pip applies them file-wide,
// or to the line's requirement).
func (p *reqParser) addOptions(file string, ln pipLine, opts *pipOpts) {
	for _, o := range opts.seen {
		p.lf.Options = append(p.lf.Options, Option{Path: file, Line: ln.num, Name: "--" + o.long, Value: redactURLPassword(o.value)})
	}
}

func (p *reqParser) addConstraint(file string, ln pipLine, key string, pkg *Package, editable bool) error {
	// pip refuses these in constraints files.
	if editable {
		return errorf(file, ln.num, key, "editable requirements are not allowed as constraints")
	}
	if pkg.Name == "" {
		return errorf(file, ln.num, key, "unnamed requirements are not allowed as constraints")
	}
	if pkg.Source.Kind != SourceRegistry || pkg.Version == "" {
		return nil // a range or a link constrains nothing guard can pin
	}
	c := p.constraints[pkg.Name]
	if c == nil {
		p.constraints[pkg.Name] = &reqConstraint{version: pkg.Version, hashes: pkg.Hashes}
		return nil
	}
	if c.version != pkg.Version {
		c.conflict = true
	}
	return nil
}

func (p *reqParser) applyConstraints() {
	if len(p.constraints) == 0 {
		return
	}
	for i := range p.lf.Packages {
		pkg := &p.lf.Packages[i]
		c := p.constraints[pkg.Name]
		if c == nil || c.conflict || pkg.Source.Kind != SourceRegistry {
			continue
		}
		if pkg.Version == "" {
			pkg.Version = c.version
			pkg.Requirement = ""
		}
		if pkg.Version == c.version && len(pkg.Hashes) == 0 && len(c.hashes) > 0 {
			pkg.Hashes = append([]Hash(nil), c.hashes...)
		}
	}
}

func (p *reqParser) include(file string, ln pipLine, key, target string, constraint bool) error {
	shown, err := pipIncludePath(file, target)
	if err != nil {
		return errorf(file, ln.num, key, "%v", err)
	}
	if p.in.Root != "" && !Within(p.in.Root, shown) {
		// Not opened at all: -r /proc/self/environ or ../../x must not put
		// a file outside the project into findings, reports or queries.
		name := "--requirement"
		if constraint {
			name = "--constraint"
		}
		p.lf.Options = append(p.lf.Options, Option{Path: file, Line: ln.num, Name: name, Value: target, NotRead: true})
		return nil
	}
	abs := pipAbsPath(shown)
	for i, s := range p.stack {
		if s == abs {
			chain := append(append([]string(nil), p.stackShown[i:]...), shown)
			return errorf(file, ln.num, key, "include cycle: %s (pip refuses files that include themselves)", strings.Join(chain, " -> "))
		}
	}
	if len(p.stack) >= maxIncludeDepth {
		return errorf(file, ln.num, key, "requirements files nested more than %d deep", maxIncludeDepth)
	}
	if p.in.ReadFile == nil {
		return errorf(file, ln.num, key, "cannot read included file %s: no file access", shown)
	}
	data, err := p.in.ReadFile(shown)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return errorf(file, ln.num, key, "included file %s does not exist", shown)
		}
		return errorf(file, ln.num, key, "cannot read included file %s: %v", shown, err)
	}
	if !p.included[shown] {
		p.included[shown] = true
		p.lf.Includes = append(p.lf.Includes, shown)
	}
	return p.parseFile(shown, bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), constraint)
}

// pipIncludePath resolves an include target relative to the including file.
func pipIncludePath(from, target string) (string, error) {
	switch pipURLScheme(target) {
	case "http", "https":
		return "", fmt.Errorf("remote requirements file %s is not read: guard reads no network; download it and include the local copy", redactURLPassword(target))
	case "file":
		u, err := url.Parse(target)
		if err != nil {
			return "", fmt.Errorf("invalid file URL %q: %v", target, err)
		}
		if u.Host != "" && u.Host != "localhost" {
			return "", fmt.Errorf("file URL %q names a remote host", target)
		}
		if u.Path == "" {
			return "", fmt.Errorf("file URL %q has no path", target)
		}
		return filepath.FromSlash(u.Path), nil
	}
	if filepath.IsAbs(target) {
		return filepath.Clean(target), nil
	}
	return filepath.Join(filepath.Dir(from), target), nil
}

// pipRequirement turns the requirement part of a line (or the value of -e)
// into a package, as pip's parse_req_from_line / parse_editable read it.
func pipRequirement(text string, editable bool, optHashes []Hash) (*Package, error) {
	if editable {
		return pipEditable(text)
	}
	sep := ";"
	if isPipURL(text) {
		sep = "; " // a URL may contain ";" itself
	}
	spec, marker, hasMarker := strings.Cut(text, sep)
	if hasMarker && strings.TrimSpace(marker) == "" {
		return nil, fmt.Errorf("empty environment marker after ';'")
	}
	spec = strings.TrimSpace(spec)
	var pkg *Package
	var err error
	switch {
	case isPipURL(spec):
		pkg, err = pipLink(spec, "", true)
	case isNamedDirectRef(spec):
		pkg, err = pep508Package(spec)
	case looksLikePipPath(spec):
		pkg, err = pipLink(stripPathExtras(spec), "", true)
	default:
		pkg, err = pep508Package(spec)
	}
	if err != nil {
		return nil, err
	}
	pkg.Hashes = append(pkg.Hashes, optHashes...)
	return pkg, nil
}

// pep508Package reads "name[extras] specifiers" or "name @ url".
func pep508Package(spec string) (*Package, error) {
	r, err := parsePEP508(spec)
	if err != nil {
		return nil, fmt.Errorf("invalid requirement: %v", err)
	}
	if r.URL != "" {
		return pipLink(r.URL, r.Name, false)
	}
	pkg := &Package{Name: pep503Name(r.Name), Source: Source{Kind: SourceRegistry}}
	if v := r.Pinned(); v != "" {
		pkg.Version = v
	} else {
		pkg.Requirement = r.SpecString()
	}
	return pkg, nil
}

// isNamedDirectRef recognises "name [extras] @ ..." (PEP 508 direct
// reference), which pip reads as a requirement even though it holds a "/".
func isNamedDirectRef(s string) bool {
	i := 0
	for i < len(s) && isPyNameChar(s[i]) {
		i++
	}
	if i == 0 {
		return false
	}
	i = skipPySpace(s, i)
	if i < len(s) && s[i] == '[' {
		end := strings.IndexByte(s[i:], ']')
		if end < 0 {
			return false
		}
		i = skipPySpace(s, i+end+1)
	}
	return i < len(s) && s[i] == '@'
}

// looksLikePipPath mirrors pip's _looks_like_path plus its archive check.
func looksLikePipPath(s string) bool {
	return strings.ContainsAny(s, `/\`) || strings.HasPrefix(s, ".") || pipArchiveExt(stripPathExtras(s)) != ""
}

// stripPathExtras removes a trailing "[extras]" from a path.
func stripPathExtras(s string) string {
	if strings.HasSuffix(s, "]") {
		if i := strings.LastIndexByte(s, '['); i > 0 {
			return s[:i]
		}
	}
	return s
}

// pipLink describes a direct reference: a URL (VCS or archive) or a local
// path. name is the name stated beside it ("name @ url"), if any. strict
// makes an unreadable wheel file name an error, as pip treats a bare wheel
// link.
func pipLink(link, name string, strict bool) (*Package, error) {
	pkg := &Package{}
	frag := linkFragment(link)
	file := linkFileName(link)
	scheme := pipURLScheme(link)
	if strings.HasSuffix(strings.ToLower(file), ".whl") && !pipVCSSchemes[scheme] {
		n, v, ok := wheelNameVersion(file)
		switch {
		case ok && (name == "" || pep503Name(name) == n):
			pkg.Name, pkg.Version = n, v
		case strict && !ok:
			return nil, fmt.Errorf("%q is not a valid wheel file name", file)
		}
	}
	if pkg.Name == "" && name != "" {
		pkg.Name = pep503Name(name)
	}
	if pkg.Name == "" {
		if egg := frag["egg"]; egg != "" {
			n, _, ok := pep508Name(egg)
			if !ok {
				return nil, fmt.Errorf("invalid #egg=%s: not a project name", pyClip(egg, 40))
			}
			pkg.Name = pep503Name(n)
		}
	}
	if pkg.Version == "" && !pipVCSSchemes[scheme] {
		pkg.Version = sdistVersion(file, pkg.Name)
	}
	pkg.Source = Source{URL: redactURLPassword(link)}
	switch {
	case pipVCSSchemes[scheme]:
		pkg.Source.Kind = SourceGit
		if rev := vcsRevision(link); isFullCommitID(rev) {
			pkg.Source.Ref = rev
		}
	case scheme == "file" || scheme == "":
		pkg.Source.Kind = SourcePath
	case len(scheme) == 1: // a Windows drive letter, C:\...
		pkg.Source.Kind = SourcePath
	default:
		pkg.Source.Kind = SourceURL
	}
	pkg.Hashes = fragmentHashes(frag)
	return pkg, nil
}

// pipEditable reads the value of -e: a local project directory or a VCS URL.
// pip ignores --hash on editable lines, and so does guard: they protect
// nothing.
func pipEditable(text string) (*Package, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, fmt.Errorf("-e needs a path or VCS URL")
	}
	scheme := pipURLScheme(text)
	switch {
	case pipVCSSchemes[scheme] || scheme == "file":
		return pipLink(text, "", false)
	case scheme == "http" || scheme == "https" || scheme == "ftp":
		return nil, fmt.Errorf("%s is not a valid editable requirement: it should be a path to a local project or a VCS URL (git+https://...)", pyClip(redactURLPassword(text), 80))
	case isNamedDirectRef(text):
		return pep508Package(text)
	}
	return pipLink(stripPathExtras(text), "", false)
}

// decodePipText decodes a requirements file: UTF-8, or UTF-16/32 with a
// byte-order mark (what Windows PowerShell writes for `pip freeze >`), as
// pip's auto_decode does. Other bytes pass through unchanged; only ASCII
// matters to the syntax.
func decodePipText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe, 0, 0}):
		return decodeUTF32(data[4:], false)
	case bytes.HasPrefix(data, []byte{0, 0, 0xfe, 0xff}):
		return decodeUTF32(data[4:], true)
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}):
		return decodeUTF16(data[2:], false)
	case bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		return decodeUTF16(data[2:], true)
	}
	return string(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))), nil
}

func decodeUTF16(b []byte, bigEndian bool) (string, error) {
	if len(b)%2 != 0 {
		return "", errors.New("file starts with a UTF-16 byte-order mark but has an odd length")
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	return string(utf16.Decode(u)), nil
}

func decodeUTF32(b []byte, bigEndian bool) (string, error) {
	if len(b)%4 != 0 {
		return "", errors.New("file starts with a UTF-32 byte-order mark but its length is not a multiple of 4")
	}
	var sb strings.Builder
	for i := 0; i < len(b); i += 4 {
		var r uint32
		if bigEndian {
			r = uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3])
		} else {
			r = uint32(b[i+3])<<24 | uint32(b[i+2])<<16 | uint32(b[i+1])<<8 | uint32(b[i])
		}
		if r > utf8.MaxRune {
			return "", fmt.Errorf("invalid UTF-32 code point at byte %d", i+4)
		}
		sb.WriteRune(rune(r))
	}
	return sb.String(), nil
}

type pipLine struct {
	num  int // 1-based number of the first physical line
	text string
}

// splitPyLines splits like Python's str.splitlines.
func splitPyLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		n := 0
		switch c {
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e:
			n = 1
		case '\r':
			n = 1
			if i+1 < len(s) && s[i+1] == '\n' {
				n = 2
			}
		case 0xc2:
			if i+1 < len(s) && s[i+1] == 0x85 {
				n = 2
			}
		case 0xe2:
			if i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xa8 || s[i+2] == 0xa9) {
				n = 3
			}
		}
		if n == 0 {
			i++
			continue
		}
		out = append(out, s[start:i])
		i += n
		start = i
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func isPipSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// isPipCommentLine: the line is whitespace then "#" (pip's COMMENT_RE.match).
func isPipCommentLine(s string) bool {
	i := 0
	for i < len(s) && isPipSpace(s[i]) {
		i++
	}
	return i < len(s) && s[i] == '#'
}

// stripPipComment removes the first "#" that starts the line or follows
// whitespace, the whitespace before it and everything after.
func stripPipComment(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && (i == 0 || isPipSpace(s[i-1])) {
			j := i
			for j > 0 && isPipSpace(s[j-1]) {
				j--
			}
			return s[:j]
		}
	}
	return s
}

// pipLogicalLines joins continuation lines, strips comments and drops blank
// lines, numbering each logical line by its first physical line.
func pipLogicalLines(text string) []pipLine {
	var out []pipLine
	emit := func(num int, s string) {
		if s = strings.TrimSpace(stripPipComment(s)); s != "" {
			out = append(out, pipLine{num: num, text: s})
		}
	}
	var joined strings.Builder
	inCont, first := false, 0
	for i, line := range splitPyLines(text) {
		num := i + 1
		comment := isPipCommentLine(line)
		if !strings.HasSuffix(line, `\`) || comment {
			if comment {
				line = " " + line // keeps the comment a comment once joined
			}
			if inCont {
				joined.WriteString(line)
				emit(first, joined.String())
				joined.Reset()
				inCont = false
			} else {
				emit(num, line)
			}
			continue
		}
		if !inCont {
			first, inCont = num, true
		}
		joined.WriteString(strings.Trim(line, `\`))
	}
	if inCont {
		emit(first, joined.String())
	}
	return out
}

// breakArgsOptions splits a line at the first space-separated word that
// starts with "-": the requirement before, the options after. (Markers in
// the requirement must not go through shell splitting.)
func breakArgsOptions(line string) (args, options string) {
	toks := strings.Split(line, " ")
	for i, t := range toks {
		if strings.HasPrefix(t, "-") {
			return strings.TrimSpace(strings.Join(toks[:i], " ")), strings.Join(toks[i:], " ")
		}
	}
	return strings.TrimSpace(line), ""
}

// shlexSplit splits like Python's shlex.split (POSIX mode, no comments).
func shlexSplit(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inTok := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ' ', '\t', '\r', '\n':
			if inTok {
				out = append(out, cur.String())
				cur.Reset()
				inTok = false
			}
		case '\\':
			inTok = true
			if i+1 >= len(s) {
				return nil, errors.New("no escaped character")
			}
			i++
			cur.WriteByte(s[i])
		case '\'':
			inTok = true
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("no closing quotation")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case '"':
			inTok = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("no closing quotation")
			}
		default:
			inTok = true
			cur.WriteByte(c)
		}
	}
	if inTok {
		out = append(out, cur.String())
	}
	return out, nil
}

type pipOptKind int

const (
	optOther pipOptKind = iota
	optIndexURL
	optExtraIndexURL
	optRequirement
	optConstraint
	optEditable
	optHash
)

type pipOption struct {
	long  string
	short byte
	arg   bool
	kind  pipOptKind
}

// pipOptions are the options pip accepts in requirements files, plus a few
// older pips accepted (install-option, process-dependency-links,
// allow-external, allow-unverified, allow-all-external, always-unzip):
// files written for those pips are still read, and a pip that no longer
// knows them fails on its own.
var pipOptions = []pipOption{
	{long: "index-url", short: 'i', arg: true, kind: optIndexURL},
	{long: "extra-index-url", arg: true, kind: optExtraIndexURL},
	{long: "no-index"},
	{long: "constraint", short: 'c', arg: true, kind: optConstraint},
	{long: "requirement", short: 'r', arg: true, kind: optRequirement},
	{long: "editable", short: 'e', arg: true, kind: optEditable},
	{long: "find-links", short: 'f', arg: true},
	{long: "no-binary", arg: true},
	{long: "only-binary", arg: true},
	{long: "prefer-binary"},
	{long: "require-hashes"},
	{long: "pre"},
	{long: "trusted-host", arg: true},
	{long: "use-feature", arg: true},
	{long: "global-option", arg: true},
	{long: "hash", arg: true, kind: optHash},
	{long: "config-settings", short: 'C', arg: true},
	{long: "install-option", arg: true},
	{long: "process-dependency-links"},
	{long: "allow-external", arg: true},
	{long: "allow-unverified", arg: true},
	{long: "allow-all-external"},
	{long: "always-unzip", short: 'Z'},
}

type pipOpts struct {
	indexURL       string
	extraIndexURLs []string
	requirements   []string
	constraints    []string
	editables      []string
	hashes         []Hash
	// seen are the other options, in order (Lockfile.Options).
	seen []seenOption
}

type seenOption struct{ long, value string }

// matchLongOption finds a long option by name or unambiguous prefix, as
// optparse does.
func matchLongOption(name string) (*pipOption, error) {
	var found *pipOption
	n := 0
	for i := range pipOptions {
		o := &pipOptions[i]
		if o.long == name {
			return o, nil
		}
		if strings.HasPrefix(o.long, name) {
			found = o
			n++
		}
	}
	switch {
	case n == 1 && name != "":
		return found, nil
	case n > 1 && name != "":
		return nil, fmt.Errorf("ambiguous option: --%s", name)
	}
	return nil, fmt.Errorf("no such option: --%s", name)
}

func shortOption(c byte) *pipOption {
	for i := range pipOptions {
		if pipOptions[i].short == c {
			return &pipOptions[i]
		}
	}
	return nil
}

// parsePipOptions reads option words the way optparse does. Words that are
// not options are ignored, as pip ignores them.
func parsePipOptions(args []string) (*pipOpts, error) {
	o := &pipOpts{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		if strings.HasPrefix(a, "--") {
			name, val, hasVal := strings.Cut(a[2:], "=")
			opt, err := matchLongOption(name)
			if err != nil {
				return nil, err
			}
			switch {
			case opt.arg && !hasVal:
				if i+1 >= len(args) {
					return nil, fmt.Errorf("--%s option requires 1 argument", opt.long)
				}
				i++
				val = args[i]
			case !opt.arg && hasVal:
				return nil, fmt.Errorf("--%s option does not take a value", opt.long)
			}
			if err := o.set(opt, val); err != nil {
				return nil, err
			}
			continue
		}
		for j := 1; j < len(a); j++ {
			opt := shortOption(a[j])
			if opt == nil {
				return nil, fmt.Errorf("no such option: -%c", a[j])
			}
			if !opt.arg {
				continue
			}
			val := a[j+1:]
			if val == "" {
				if i+1 >= len(args) {
					return nil, fmt.Errorf("-%c option requires 1 argument", a[j])
				}
				i++
				val = args[i]
			}
			if err := o.set(opt, val); err != nil {
				return nil, err
			}
			break
		}
	}
	return o, nil
}

func (o *pipOpts) set(opt *pipOption, val string) error {
	switch opt.kind {
	case optOther, optIndexURL, optExtraIndexURL:
		o.seen = append(o.seen, seenOption{opt.long, val})
	}
	switch opt.kind {
	case optIndexURL:
		o.indexURL = val
	case optExtraIndexURL:
		o.extraIndexURLs = append(o.extraIndexURLs, val)
	case optRequirement:
		o.requirements = append(o.requirements, val)
	case optConstraint:
		o.constraints = append(o.constraints, val)
	case optEditable:
		o.editables = append(o.editables, val)
	case optHash:
		alg, digest, ok := strings.Cut(val, ":")
		if !ok {
			return fmt.Errorf("--hash=%s: arguments to --hash must be a hash name followed by a value, like --hash=sha256:abcde...", pyClip(val, 40))
		}
		if !pipStrongHashes[alg] {
			return fmt.Errorf("--hash=%s: allowed hash algorithms for --hash are sha256, sha384, sha512", pyClip(val, 40))
		}
		o.hashes = append(o.hashes, Hash{Algorithm: alg, Digest: digest})
	}
	return nil
}

// sniffRequirements recognises a requirements file by content: within the
// first 64 KiB, every logical line must read as a requirement or as known
// options, and at least one must carry something no plain word list has (a
// version specifier, a direct reference, a hash, or an option).
func sniffRequirements(data []byte) bool {
	if len(data) > 64<<10 {
		data = data[:64<<10]
		if i := bytes.LastIndexByte(data, '\n'); i > 0 {
			data = data[:i]
		}
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return false
	}
	signal := false
	for _, ln := range pipLogicalLines(string(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))) {
		args, optText := breakArgsOptions(ln.text)
		toks, err := shlexSplit(optText)
		if err != nil {
			return false
		}
		opts, err := parsePipOptions(toks)
		if err != nil {
			return false
		}
		if args == "" {
			if len(toks) == 0 || len(toks[0]) < 2 {
				return false
			}
			signal = true
			continue
		}
		spec, _, _ := strings.Cut(args, ";")
		spec = strings.TrimSpace(spec)
		switch {
		case pipVCSSchemes[pipURLScheme(spec)]:
			signal = true
			continue
		case isPipURL(spec) || looksLikePipPath(spec) && !isNamedDirectRef(spec):
			continue
		}
		r, err := parsePEP508(spec)
		if err != nil {
			return false
		}
		if len(r.Specs) > 0 || r.URL != "" || len(opts.hashes) > 0 {
			signal = true
		}
	}
	return signal
}
