package lockfile

// npm package-lock.json and npm-shrinkwrap.json (the same format under two
// names), lockfileVersion 1, 2 and 3.
//
// v2 and v3 list every installed package under "packages", keyed by its
// install path ("node_modules/a/node_modules/b", "packages/app" for a
// workspace). v1 nests entries under "dependencies". v2 carries both; the
// "packages" map is read when present, as npm does.
//
// The file is read with encoding/json's streaming decoder so that each entry's
// line is known: offsets only grow, so counting lines as we go stays linear.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

func init() {
	register(&format{
		Format:    FormatPackageLock,
		Ecosystem: NPM,
		Name:      func(base string) bool { return base == "package-lock.json" },
		Sniff:     sniffPackageLock,
		Parse:     parseNpmLock,
	})
	register(&format{
		Format:    FormatShrinkwrap,
		Ecosystem: NPM,
		Name:      func(base string) bool { return base == "npm-shrinkwrap.json" },
		// Same content as a package-lock; a file not named
		// npm-shrinkwrap.json is detected as a package-lock.
		Parse: parseNpmLock,
	})
}

// sniffPackageLock recognises a package-lock by its top-level keys:
// "lockfileVersion" with "packages", "dependencies" or "requires", and no
// "workspaces" (which marks a bun.lock).
func sniffPackageLock(data []byte) bool {
	keys := npmTopLevelKeys(data, 64<<10)
	if !keys["lockfileVersion"] || keys["workspaces"] {
		return false
	}
	return keys["packages"] || keys["dependencies"] || keys["requires"]
}

// npmTopLevelKeys lists the keys of the top-level JSON object found in the
// first limit bytes. It skips strings, // and /* */ comments, and stops
// quietly at anything it does not understand: it is a cheap sniff, not a
// parser.
func npmTopLevelKeys(data []byte, limit int) map[string]bool {
	if len(data) > limit {
		data = data[:limit]
	}
	keys := map[string]bool{}
	depth := 0
	expectKey := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case ' ', '\t', '\r', '\n':
		case '/':
			if i+1 < len(data) && data[i+1] == '/' {
				j := bytes.IndexByte(data[i:], '\n')
				if j < 0 {
					return keys
				}
				i += j
			} else if i+1 < len(data) && data[i+1] == '*' {
				j := bytes.Index(data[i+2:], []byte("*/"))
				if j < 0 {
					return keys
				}
				i += j + 3
			} else {
				return keys
			}
		case '"':
			j := i + 1
			for j < len(data) && data[j] != '"' {
				if data[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(data) {
				return keys
			}
			if depth == 1 && expectKey {
				keys[string(data[i+1:j])] = true
			}
			expectKey = false
			i = j
		case '{', '[':
			if depth == 0 && c != '{' {
				return keys
			}
			depth++
			expectKey = c == '{' && depth == 1
		case '}', ']':
			depth--
			if depth <= 0 {
				return keys
			}
		case ',':
			expectKey = depth == 1
		default:
			if depth == 0 {
				return keys
			}
		}
	}
	return keys
}

// npmLines turns byte offsets into 1-based line numbers. Offsets are asked
// for in increasing order, so each byte is counted once; asking for an
// earlier offset restarts the count.
type npmLines struct {
	data []byte
	off  int
	line int
}

func newNpmLines(data []byte) *npmLines { return &npmLines{data: data, line: 1} }

func (l *npmLines) at(off int64) int {
	o := int(off)
	if o < 0 {
		return 0
	}
	if o > len(l.data) {
		o = len(l.data)
	}
	if o < l.off {
		l.off, l.line = 0, 1
	}
	l.line += bytes.Count(l.data[l.off:o], []byte{'\n'})
	l.off = o
	return l.line
}

// npmJSON wraps a streaming decoder over data[base:] with error reporting
// that names the file, line and key.
type npmJSON struct {
	path  string
	data  []byte // the whole file
	base  int64  // offset of the decoder's input within data
	dec   *json.Decoder
	lines *npmLines
}

// wholeNumber decodes the next value as a whole number (lockfileVersion),
// returned as its decimal string; line and key name it in errors.
func (j *npmJSON) wholeNumber(line int, key string) (string, error) {
	var raw json.RawMessage
	if err := j.decode(&raw); err != nil {
		return "", j.syntaxErr(err, key)
	}
	v, ok := npmJSONInteger(raw)
	if !ok {
		return "", errorf(j.path, line, key, "expected a whole number, found %s", raw)
	}
	return strconv.Itoa(v), nil
}

func newNpmJSON(path string, data []byte, base int64, lines *npmLines) *npmJSON {
	d := json.NewDecoder(bytes.NewReader(data[base:]))
	return &npmJSON{path: path, data: data, base: base, dec: d, lines: lines}
}

// decode reads the next value into v. encoding/json reports a syntax error
// inside a Decoded value at an offset counted from the value's start (its
// scanner restarts for each value), not from the decoder's input: decode
// makes it count from the input, like the offsets of Token's errors, so
// that errors name the right line.
func (j *npmJSON) decode(v any) error {
	err := j.dec.Decode(v)
	var se *json.SyntaxError
	if errors.As(err, &se) && strings.HasPrefix(se.Error(), "invalid character") {
		// The failed Decode leaves the input offset at the value's start.
		se.Offset += j.dec.InputOffset()
	}
	return err
}

// offset is the current absolute offset in data.
func (j *npmJSON) offset() int64 { return j.base + j.dec.InputOffset() }

func (j *npmJSON) line() int { return j.lines.at(j.offset()) }

// syntaxErr converts a decoder error into a ParseError.
func (j *npmJSON) syntaxErr(err error, key string) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return errorf(j.path, j.lines.at(j.base+se.Offset), key, "invalid JSON: %v", err)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(j.path, j.lines.at(int64(len(j.data))), key, "invalid JSON: unexpected end of file")
	}
	return errorf(j.path, j.line(), key, "invalid JSON: %v", err)
}

// valueErr converts an error from Decode into a ParseError for the value
// at key, which starts on line.
func (j *npmJSON) valueErr(err error, key string, line int) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		k := key
		if te.Field != "" {
			k += "." + te.Field
		}
		return errorf(j.path, line, k, "expected %s, found %s", npmTypeName(te.Type.String()), te.Value)
	}
	return j.syntaxErr(err, key)
}

func npmTypeName(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "map["):
		return "an object"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "float"):
		return "a number"
	}
	return "an object"
}

// openObject reads the '{' that starts an object; what names the value.
func (j *npmJSON) openObject(key string) error {
	tok, err := j.dec.Token()
	if err != nil {
		return j.syntaxErr(err, key)
	}
	// Just past the token, which holds no newline: its line.
	line := j.line()
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return errorf(j.path, line, key, "expected an object, found %s", jsonKind(tok))
	}
	return nil
}

// nextKey reads the next key of an object, or reports the end of it
// (having consumed the '}').
func (j *npmJSON) nextKey(key string) (name string, line int, more bool, err error) {
	if !j.dec.More() {
		if _, err := j.dec.Token(); err != nil {
			return "", 0, false, j.syntaxErr(err, key)
		}
		return "", 0, false, nil
	}
	tok, err := j.dec.Token()
	if err != nil {
		return "", 0, false, j.syntaxErr(err, key)
	}
	s, ok := tok.(string)
	if !ok {
		return "", 0, false, errorf(j.path, j.line(), key, "invalid JSON: expected a key")
	}
	// The offset is just past the key; keys hold no raw newlines, so this
	// is the key's line.
	return s, j.line(), true, nil
}

// object reads an object whole: each is called with every key and its
// line, the decoder just before the key's value, which each must read.
// what names the object in errors.
func (j *npmJSON) object(what string, each func(key string, line int) error) error {
	if err := j.openObject(what); err != nil {
		return err
	}
	for {
		key, line, more, err := j.nextKey(what)
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
		if err := each(key, line); err != nil {
			return err
		}
	}
}

// document reads the top-level object as object does, then requires the
// end of the input.
func (j *npmJSON) document(each func(key string, line int) error) error {
	if err := j.object("", each); err != nil {
		return err
	}
	if _, err := j.dec.Token(); err != io.EOF {
		return errorf(j.path, j.line(), "", "invalid JSON: data after the top-level object")
	}
	return nil
}

// keyed names key as the place of err when it is a ParseError.
func keyed(err error, key string) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		pe.Key = key
	}
	return err
}

// jsonKind names a JSON token or decoded value for error messages:
// "an object", "a string", "null" and so on.
func jsonKind(v any) string {
	switch t := v.(type) {
	case json.Delim:
		switch t {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return fmt.Sprintf("%q", string(t))
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", v)
}

// skip reads and discards one value.
func (j *npmJSON) skip(key string) error {
	var raw json.RawMessage
	if err := j.decode(&raw); err != nil {
		return j.syntaxErr(err, key)
	}
	return nil
}

// rawSpan reads one value and returns where it lies in data.
func (j *npmJSON) rawSpan(key string) (start, end int64, err error) {
	var raw json.RawMessage
	if err := j.decode(&raw); err != nil {
		return 0, 0, j.syntaxErr(err, key)
	}
	end = j.offset()
	return end - int64(len(raw)), end, nil
}

// npmStartCheck reports an empty file, or one that does not start like
// JSON, with a clearer message than the decoder's.
func npmStartCheck(path string, data []byte, lines *npmLines) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return errorf(path, 0, "", "empty file: expected a JSON object")
	}
	if c := trimmed[0]; !strings.ContainsRune(`{["-0123456789tfn/`, rune(c)) {
		start := trimmed
		if len(start) > 20 {
			start = start[:20]
		}
		return errorf(path, lines.at(int64(len(data)-len(trimmed))), "", "not JSON: the file starts with %q", start)
	}
	return nil
}

// npmJSONInteger parses raw as a JSON number holding an integer.
func npmJSONInteger(raw []byte) (int, bool) {
	f, err := strconv.ParseFloat(string(bytes.TrimSpace(raw)), 64)
	if err != nil || f != float64(int(f)) || f < 0 || f > 1<<31 {
		return 0, false
	}
	return int(f), true
}

// npmEntry is a "packages" entry (v2/v3).
type npmEntry struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Resolved             string            `json:"resolved"`
	Integrity            string            `json:"integrity"`
	Link                 bool              `json:"link"`
	Dev                  bool              `json:"dev"`
	Optional             bool              `json:"optional"`
	DevOptional          bool              `json:"devOptional"`
	InBundle             bool              `json:"inBundle"`
	HasInstallScript     bool              `json:"hasInstallScript"`
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`

	key  string
	line int
}

// npmV1Entry is a "dependencies" entry (v1, and v2 files without "packages").
type npmV1Entry struct {
	Version   string            `json:"version"`
	Resolved  string            `json:"resolved"`
	Integrity string            `json:"integrity"`
	From      string            `json:"from"`
	Dev       bool              `json:"dev"`
	Optional  bool              `json:"optional"`
	Bundled   bool              `json:"bundled"`
	Requires  map[string]string `json:"requires"`
}

func parseNpmLock(in *input) (*Lockfile, error) {
	data := in.Data
	lines := newNpmLines(data)
	j := newNpmJSON(in.Path, data, 0, lines)
	if err := npmStartCheck(in.Path, data, lines); err != nil {
		return nil, err
	}
	if version, packages, ok := npmFastParse(data, lines); ok {
		lf := &Lockfile{FormatVersion: version}
		npmFromPackages(lf, packages)
		return lf, nil
	}
	lf := &Lockfile{}
	var (
		packages     []npmEntry
		havePackages bool
		depsStart    int64 = -1
		depsEnd      int64
	)
	err := j.document(func(key string, line int) (err error) {
		switch key {
		case "lockfileVersion":
			lf.FormatVersion, err = j.wholeNumber(line, key)
		case "packages":
			packages, err = j.npmPackages()
			havePackages = true
		case "dependencies":
			if havePackages {
				err = j.skip(key)
			} else {
				depsStart, depsEnd, err = j.rawSpan(key)
			}
		default:
			err = j.skip(key)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if havePackages {
		npmFromPackages(lf, packages)
		return lf, nil
	}
	if depsStart >= 0 {
		sub := newNpmJSON(in.Path, data[:depsEnd], depsStart, lines)
		var entries []npmV1Node
		if err := sub.npmV1Deps(-1, &entries); err != nil {
			return nil, err
		}
		npmFromV1(lf, entries, in)
	}
	return lf, nil
}

// npmPackages reads the "packages" object.
func (j *npmJSON) npmPackages() ([]npmEntry, error) {
	var out []npmEntry
	seen := map[string]int{}
	err := j.object("packages", func(key string, line int) error {
		if strings.Count(key, "/") >= npmMaxSegments {
			return errorf(j.path, line, fmt.Sprintf("packages[%q]", key), "install path has more than %d parts: not one npm can install", npmMaxSegments)
		}
		var e npmEntry
		if err := j.decode(&e); err != nil {
			return j.valueErr(err, fmt.Sprintf("packages[%q]", key), line)
		}
		e.key, e.line = key, line
		// A repeated key replaces the earlier entry, as in JSON.parse.
		if i, dup := seen[key]; dup {
			out[i] = e
			return nil
		}
		seen[key] = len(out)
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// npmInstalledName returns the package name of an install path inside a
// node_modules folder ("node_modules/a/node_modules/@s/b" → "@s/b"), or ""
// when the path is not inside node_modules (a workspace or linked folder).
func npmInstalledName(key string) string {
	i := strings.LastIndex(key, "node_modules/")
	if i < 0 || (i > 0 && key[i-1] != '/') {
		return ""
	}
	rest := key[i+len("node_modules/"):]
	slash := strings.IndexByte(rest, '/')
	switch {
	case rest == "":
		return ""
	case slash < 0:
		return rest
	case rest[0] == '@' && slash > 1 && !strings.Contains(rest[slash+1:], "/") && slash+1 < len(rest):
		return rest
	}
	return ""
}

// npmInsideProject reports whether a path relative to the lockfile's folder
// stays inside it.
func npmInsideProject(p string) bool {
	if p == "" || strings.HasPrefix(p, "/") || strings.HasPrefix(p, "\\") || strings.HasPrefix(p, "~") ||
		(len(p) > 1 && p[1] == ':') {
		return false
	}
	c := path.Clean(strings.ReplaceAll(p, "\\", "/"))
	return c != ".." && !strings.HasPrefix(c, "../")
}

// npmMaxDepth bounds how deep install paths go: npm cannot install deeper
// than the file system's path limits allow, real lockfiles stay under 20,
// and the bound keeps the work linear in the size of the file.
const (
	npmMaxDepth    = 64  // node_modules levels in a v1 file
	npmMaxSegments = 100 // folders in a v2/v3 install path
)

// npmTree resolves dependency names the way Node does: from a package's
// folder up to the project root, the nearest node_modules folder that holds
// the name wins. Folders are numbered (0 is the project root) so that a
// lookup costs one map access per folder level, whatever the path length.
type npmTree struct {
	children map[npmSeg]int32 // (folder, name) → subfolder
	parent   []int32          // folder → parent folder; -1 for the root
	isNM     []bool           // folder is named node_modules
	holds    []bool           // folder/node_modules holds at least one entry
	entries  map[npmSeg]int   // (folder, package name) → package in folder/node_modules/<name>
}

type npmSeg struct {
	folder int32
	name   string
}

func newNpmTree() *npmTree {
	return &npmTree{
		children: map[npmSeg]int32{},
		parent:   []int32{-1},
		isNM:     []bool{false},
		holds:    []bool{false},
		entries:  map[npmSeg]int{},
	}
}

// newFolder adds a folder under parent.
func (t *npmTree) newFolder(parent int32, nm bool) int32 {
	t.parent = append(t.parent, parent)
	t.isNM = append(t.isNM, nm)
	t.holds = append(t.holds, false)
	return int32(len(t.parent) - 1)
}

// folder returns the folder of a slash-separated path relative to the
// project root, adding it and its parents as needed.
func (t *npmTree) folder(p string) int32 {
	f := int32(0)
	for p != "" {
		seg := p
		if k := strings.IndexByte(p, '/'); k >= 0 {
			seg, p = p[:k], p[k+1:]
		} else {
			p = ""
		}
		key := npmSeg{f, seg}
		child, ok := t.children[key]
		if !ok {
			child = t.newFolder(f, seg == "node_modules")
			t.children[key] = child
		}
		f = child
	}
	return f
}

// add records that folder/node_modules/<name> holds package i.
func (t *npmTree) add(folder int32, name string, i int) {
	t.entries[npmSeg{folder, name}] = i
	t.holds[folder] = true
}

// up returns the folder n levels above f (never above the root).
func (t *npmTree) up(f int32, n int) int32 {
	for ; n > 0 && t.parent[f] >= 0; n-- {
		f = t.parent[f]
	}
	return f
}

// resolve returns the package that name resolves to from folder f. A folder
// outside the project (a link to "../x") does not see the project root's
// node_modules.
func (t *npmTree) resolve(f int32, name string, outside bool) (int, bool) {
	for ; f >= 0; f = t.parent[f] {
		if f == 0 && outside {
			return 0, false
		}
		if t.isNM[f] || !t.holds[f] {
			continue
		}
		if i, ok := t.entries[npmSeg{f, name}]; ok {
			return i, true
		}
	}
	return 0, false
}

// resolveAll returns the IDs of the named dependencies of the package in
// folder f, in sorted name order, skipping names that do not resolve (npm
// tolerates missing dependencies: "npm ls" reports them, loading does not
// refuse them).
func (t *npmTree) resolveAll(pkgs []Package, f int32, outside bool, groups ...map[string]string) []string {
	var names []string
	for _, g := range groups {
		for n := range g {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var deps []string
	for k, n := range names {
		if k > 0 && names[k-1] == n {
			continue
		}
		if i, ok := t.resolve(f, n, outside); ok {
			deps = append(deps, pkgs[i].ID)
		}
	}
	return deps
}

func npmFromPackages(lf *Lockfile, entries []npmEntry) {
	var root *npmEntry
	linkName := map[string]string{} // link target → name the link installs it as
	for i := range entries {
		e := &entries[i]
		if e.key == "" {
			root = e
		} else if e.Link {
			if n := npmInstalledName(e.key); n != "" {
				if _, ok := linkName[e.Resolved]; !ok {
					linkName[e.Resolved] = n
				}
			}
		}
	}
	t := newNpmTree()
	byPath := make(map[string]int, len(entries))
	pkgs := make([]Package, 0, len(entries))
	kept := make([]*npmEntry, 0, len(entries))
	folders := make([]int32, 0, len(entries))
	for i := range entries {
		e := &entries[i]
		if e.key == "" || e.Link {
			continue
		}
		installed := npmInstalledName(e.key)
		p := Package{
			Name:     e.Name,
			Version:  e.Version,
			Hashes:   ParseSRI(e.Integrity),
			Dev:      e.Dev,
			Optional: e.Optional || e.DevOptional,
			Bundled:  e.InBundle,
			Path:     e.key,
			Line:     e.line,
			ID:       e.key,
		}
		script := e.HasInstallScript
		p.InstallScript = &script
		if p.Name == "" {
			p.Name = installed
		}
		if installed == "" {
			// A folder of the project (workspace member, file: dependency)
			// or outside it: what a link points at.
			if p.Name == "" {
				p.Name = linkName[e.key]
			}
			if p.Name == "" {
				p.Name = path.Base(e.key)
			}
			p.Source = Source{Kind: SourcePath, URL: e.key}
			if npmInsideProject(e.key) {
				p.Source.Kind = SourceWorkspace
			}
		} else {
			p.Source = npmSource(e.Resolved, p.Name, p.Version)
		}
		f := t.folder(e.key)
		if installed != "" {
			// folder/node_modules/<name>: the name has one or two parts.
			t.add(t.up(f, 2+strings.Count(installed, "/")), installed, len(pkgs))
		}
		byPath[e.key] = len(pkgs)
		pkgs = append(pkgs, p)
		kept = append(kept, e)
		folders = append(folders, f)
	}
	for i := range entries {
		e := &entries[i]
		if !e.Link || e.key == "" {
			continue
		}
		installed := npmInstalledName(e.key)
		target, ok := byPath[e.Resolved]
		if installed == "" || !ok {
			continue
		}
		t.add(t.up(t.folder(e.key), 2+strings.Count(installed, "/")), installed, target)
	}
	for i, e := range kept {
		p := &pkgs[i]
		outside := !npmInsideProject(e.key)
		if p.Source.Kind == SourceWorkspace {
			// Workspace members' own devDependencies are installed too.
			p.Deps = t.resolveAll(pkgs, folders[i], false, e.Dependencies, e.OptionalDependencies, e.PeerDependencies, e.DevDependencies)
		} else {
			p.Deps = t.resolveAll(pkgs, folders[i], outside, e.Dependencies, e.OptionalDependencies, e.PeerDependencies)
		}
	}
	if root != nil {
		lf.Roots = t.resolveAll(pkgs, 0, false, root.Dependencies, root.OptionalDependencies, root.PeerDependencies, root.DevDependencies)
	} else {
		lf.Roots = npmGuessRoots(pkgs)
	}
	lf.Packages = pkgs
}

// npmGuessRoots is used when the lockfile does not say what the project
// depends on (a v1 file without its package.json, a v2/v3 file without the
// "" entry): top-level packages that no other package depends on. It misses
// direct dependencies that something else also needs; their chains are then
// longer than they should be, never absent.
func npmGuessRoots(pkgs []Package) []string {
	needed := map[string]bool{}
	for i := range pkgs {
		for _, d := range pkgs[i].Deps {
			if d != pkgs[i].ID {
				needed[d] = true
			}
		}
	}
	var roots []string
	for i := range pkgs {
		p := &pkgs[i]
		if !needed[p.ID] && strings.Count(p.Path, "node_modules/") == 1 && strings.HasPrefix(p.Path, "node_modules/") {
			roots = append(roots, p.ID)
		}
	}
	return roots
}

// npmGitSpec reports whether a version or resolved value names a git
// repository.
func npmGitSpec(s string) bool {
	for _, p := range []string{"git+", "git://", "github:", "gitlab:", "bitbucket:", "gist:"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// npmCommit reports whether s looks like a full or abbreviated commit hash.
func npmCommit(s string) bool {
	if len(s) < 7 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// npmGitSource splits "repo#commit": Ref is the commit when the fragment is
// one; otherwise the URL keeps the fragment as written and Ref stays empty.
func npmGitSource(s string) Source {
	if repo, frag, ok := strings.Cut(s, "#"); ok && npmCommit(frag) {
		return Source{Kind: SourceGit, URL: repo, Ref: frag}
	}
	return Source{Kind: SourceGit, URL: s}
}

// npmTarballVersion returns the version in a registry tarball URL of the
// package name: .../<name>/-/<base>-<version>.tgz, the scope's slash
// possibly escaped. ok is false when u does not have that shape.
func npmTarballVersion(u, name string) (version string, ok bool) {
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") || name == "" {
		return "", false
	}
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	dir, file, ok := strings.Cut(u, "/-/")
	if !ok || strings.Contains(file, "/") {
		return "", false
	}
	base := name
	if k := strings.LastIndexByte(name, '/'); k >= 0 {
		base = name[k+1:]
	}
	if !strings.HasPrefix(file, base+"-") || !strings.HasSuffix(file, ".tgz") || len(file) <= len(base)+1+len(".tgz") {
		return "", false
	}
	version = file[len(base)+1 : len(file)-len(".tgz")]
	if strings.HasSuffix(dir, "/"+name) {
		return version, true
	}
	if scope, n, ok := strings.Cut(name, "/"); ok {
		if strings.HasSuffix(strings.ToLower(dir), "/"+strings.ToLower(scope)+"%2f"+strings.ToLower(n)) {
			return version, true
		}
	}
	return "", false
}

// npmRegistryTarball reports whether u is the registry tarball URL of
// name@version.
func npmRegistryTarball(u, name, version string) bool {
	v, ok := npmTarballVersion(u, name)
	return ok && version != "" && v == version
}

// npmSource classifies a "resolved" value.
func npmSource(resolved, name, version string) Source {
	switch {
	case resolved == "":
		// Written without resolved URLs (omit-lockfile-registry-resolved),
		// or a bundled dependency: the registry, implied.
		return Source{Kind: SourceRegistry}
	case strings.HasPrefix(resolved, "file:"):
		return Source{Kind: SourcePath, URL: resolved}
	case npmGitSpec(resolved):
		return npmGitSource(resolved)
	case npmRegistryTarball(resolved, name, version):
		return Source{Kind: SourceRegistry, URL: resolved}
	}
	return Source{Kind: SourceURL, URL: resolved}
}

// npmV1Node is one v1 entry with where it is installed.
type npmV1Node struct {
	npmV1Entry
	name   string // the key: the name it is installed under
	parent int    // index of the entry it is nested in, -1 at the top
	depth  int    // 1 at the top
	path   string // "node_modules/a/node_modules/b"
	line   int
}

// npmV1Key names node i for errors: dependencies["a"].dependencies["b"].
func npmV1Key(nodes []npmV1Node, i int) string {
	if nodes[i].parent < 0 {
		return fmt.Sprintf("dependencies[%q]", nodes[i].name)
	}
	return fmt.Sprintf("%s.dependencies[%q]", npmV1Key(nodes, nodes[i].parent), nodes[i].name)
}

// npmV1Deps reads a v1 "dependencies" object whose entries are nested in
// entry parent (-1 at the top), depth first, appending entries in file
// order.
func (j *npmJSON) npmV1Deps(parent int, out *[]npmV1Node) error {
	where := "dependencies"
	depth, parentPath := 1, ""
	if parent >= 0 {
		where = npmV1Key(*out, parent) + ".dependencies"
		depth, parentPath = (*out)[parent].depth+1, (*out)[parent].path+"/"
	}
	return j.object(where, func(name string, line int) error {
		if depth > npmMaxDepth {
			return errorf(j.path, line, where, "dependencies nested more than %d levels deep: not a tree npm can install", npmMaxDepth)
		}
		if name == "" {
			return errorf(j.path, line, where+`[""]`, "an entry without a package name")
		}
		at := len(*out)
		*out = append(*out, npmV1Node{name: name, parent: parent, depth: depth, path: parentPath + "node_modules/" + name, line: line})
		return j.npmV1Entry(at, out)
	})
}

func (j *npmJSON) npmV1Entry(at int, out *[]npmV1Node) error {
	key := func() string { return npmV1Key(*out, at) }
	if err := j.openObject(""); err != nil {
		return keyed(err, key())
	}
	var e npmV1Entry
	for {
		field, line, more, err := j.nextKey("")
		if err != nil {
			return keyed(err, key())
		}
		if !more {
			break
		}
		var dst any
		switch field {
		case "dependencies":
			if err := j.npmV1Deps(at, out); err != nil {
				return err
			}
			continue
		case "version":
			dst = &e.Version
		case "resolved":
			dst = &e.Resolved
		case "integrity":
			dst = &e.Integrity
		case "from":
			dst = &e.From
		case "dev":
			dst = &e.Dev
		case "optional":
			dst = &e.Optional
		case "bundled":
			dst = &e.Bundled
		case "requires":
			dst = &e.Requires
		default:
			if err := j.skip(""); err != nil {
				return keyed(err, key()+"."+field)
			}
			continue
		}
		if err := j.decode(dst); err != nil {
			return j.valueErr(err, key()+"."+field, line)
		}
	}
	(*out)[at].npmV1Entry = e
	return nil
}

// npmV1Package interprets a v1 "version", which holds the version, or an
// alias "npm:real@1.2.3", or the spec of a non-registry source.
func npmV1Package(n *npmV1Node) Package {
	p := Package{
		Name:    n.name,
		Version: n.Version,
		Hashes:  ParseSRI(n.Integrity),
		Dev:     n.Dev,
		// v1 has no devOptional: an entry both dev and optional carries both.
		Optional: n.Optional,
		Bundled:  n.Bundled,
		Path:     n.path,
		Line:     n.line,
		ID:       n.path,
	}
	v := n.Version
	switch {
	case strings.HasPrefix(v, "npm:"):
		spec := v[len("npm:"):]
		if k := strings.LastIndexByte(spec, '@'); k > 0 {
			p.Name, p.Version = spec[:k], spec[k+1:]
		} else {
			p.Name, p.Version = spec, ""
		}
		p.Source = npmSource(n.Resolved, p.Name, p.Version)
	case strings.HasPrefix(v, "file:"):
		p.Version, p.Requirement = "", n.From
		target := v[len("file:"):]
		switch {
		case strings.HasSuffix(target, ".tgz") || strings.HasSuffix(target, ".tar.gz") || strings.HasSuffix(target, ".tar"):
			p.Source = Source{Kind: SourcePath, URL: v}
		case npmInsideProject(target):
			p.Source = Source{Kind: SourceWorkspace, URL: v}
		default:
			p.Source = Source{Kind: SourcePath, URL: v}
		}
	case npmGitSpec(v):
		p.Version, p.Requirement = "", n.From
		p.Source = npmGitSource(v)
	case strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://"):
		// Early npm 5 wrote the registry tarball URL as the version.
		if ver, ok := npmTarballVersion(v, p.Name); ok {
			p.Version = ver
			p.Source = Source{Kind: SourceRegistry, URL: v}
			break
		}
		p.Version, p.Requirement = "", n.From
		p.Source = Source{Kind: SourceURL, URL: v}
	default:
		p.Source = npmSource(n.Resolved, p.Name, p.Version)
	}
	return p
}

func npmFromV1(lf *Lockfile, nodes []npmV1Node, in *input) {
	// Each entry is a folder, nested in its parent entry's folder.
	t := newNpmTree()
	folder := make([]int32, len(nodes))
	for i := range nodes {
		parent := int32(0)
		if nodes[i].parent >= 0 {
			parent = folder[nodes[i].parent]
		}
		folder[i] = t.newFolder(parent, false)
		// A repeated key replaces the earlier entry, with everything nested
		// in it, as in JSON.parse.
		t.add(parent, nodes[i].name, i)
	}
	pkgs := make([]Package, 0, len(nodes))
	kept := make([]int, 0, len(nodes))
	pkgOf := make([]int, len(nodes))
	for i := range nodes {
		n := &nodes[i]
		parent := int32(0)
		if n.parent >= 0 {
			parent = folder[n.parent]
		}
		if t.entries[npmSeg{parent, n.name}] != i || (n.parent >= 0 && pkgOf[n.parent] < 0) {
			pkgOf[i] = -1
			continue
		}
		pkgOf[i] = len(pkgs)
		pkgs = append(pkgs, npmV1Package(n))
		kept = append(kept, i)
	}
	for k, v := range t.entries {
		if pkgOf[v] < 0 {
			delete(t.entries, k)
		} else {
			t.entries[k] = pkgOf[v]
		}
	}
	for k, i := range kept {
		pkgs[k].Deps = t.resolveAll(pkgs, folder[i], false, nodes[i].Requires)
	}
	lf.Packages = pkgs
	// v1 does not record the project's own dependencies; npm reads them
	// from package.json, and so do we when it sits next to the lockfile.
	if roots, manifest, ok := npmManifestRoots(in, t, pkgs); ok {
		lf.Roots = roots
		lf.Includes = append(lf.Includes, manifest)
	} else {
		lf.Roots = npmGuessRoots(pkgs)
	}
}

// npmManifestRoots reads package.json next to the lockfile and resolves its
// dependencies. ok is false when there is none or it cannot be read as a
// package.json; the lockfile is still parsed.
func npmManifestRoots(in *input, t *npmTree, pkgs []Package) (roots []string, manifest string, ok bool) {
	if in.ReadFile == nil || in.Path == "" {
		return nil, "", false
	}
	manifest = filepath.Join(filepath.Dir(in.Path), "package.json")
	data, err := in.ReadFile(manifest)
	if err != nil {
		return nil, "", false
	}
	var m struct {
		Dependencies         map[string]string `json:"dependencies"`
		DevDependencies      map[string]string `json:"devDependencies"`
		OptionalDependencies map[string]string `json:"optionalDependencies"`
		PeerDependencies     map[string]string `json:"peerDependencies"`
	}
	if err := json.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &m); err != nil {
		return nil, "", false
	}
	return t.resolveAll(pkgs, 0, false, m.Dependencies, m.OptionalDependencies, m.PeerDependencies, m.DevDependencies), manifest, true
}
