package lockfile

// Pipfile.lock (pipenv): a JSON object with "_meta" (sources, the Pipfile's
// hash, pipfile-spec) and one object per package category: "default"
// ([packages]), "develop" ([dev-packages]) and any custom categories. Each
// category maps a package name to {version: "==1.2.3", hashes: ["sha256:.."],
// markers, index, extras} or, for direct references, {git|hg|svn|bzr, ref,
// subdirectory} / {path} / {file}, with editable.
//
// Decisions:
//   - A package listed in several categories with the same version and
//     source is one package; it is Dev unless one of them is "default"
//     (custom categories, like develop, are left out of a plain
//     `pipenv sync`). Different versions of one name stay separate entries.
//   - The lock records no dependency graph and no list of top-level
//     packages: those are in the Pipfile. When a Pipfile sits next to the
//     lock it is read (and listed in Includes) and the packages it names are
//     Direct; without one, no package is Direct. A Pipfile that cannot be
//     read or parsed is ignored: the lock alone decides what is installed.
//   - "index" names one of _meta.sources; its URL becomes Source.URL. A name
//     that no source has is an error (pipenv fails on it too). Without
//     "index" Source.URL is empty: the lock does not say which source.
//   - "version" is "==X" in every lock pipenv writes; anything else (a range,
//     "*") leaves Version "" and Requirement as written.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/BurntSushi/toml"
)

func init() {
	register(&format{
		Format:    FormatPipfileLock,
		Ecosystem: PyPI,
		Name:      func(base string) bool { return base == "Pipfile.lock" },
		Sniff:     sniffPipfileLock,
		Parse:     parsePipfileLock,
	})
}

func sniffPipfileLock(data []byte) bool {
	d := bytes.TrimSpace(data)
	if len(d) == 0 || d[0] != '{' {
		return false
	}
	head := d
	if len(head) > 4096 {
		head = head[:4096]
	}
	return bytes.Contains(head, []byte(`"_meta"`)) &&
		(bytes.Contains(d, []byte(`"default"`)) || bytes.Contains(d, []byte(`"develop"`)))
}

type pipfileSource struct {
	Name      string `json:"name"`
	URL       string `json:"url"`
	VerifySSL *bool  `json:"verify_ssl"`
}

type pipfileMeta struct {
	Hash        map[string]string `json:"hash"`
	PipfileSpec json.Number       `json:"pipfile-spec"`
	Requires    map[string]any    `json:"requires"`
	Sources     []pipfileSource   `json:"sources"`
}

type pipfileEntry struct {
	Version      string   `json:"version"`
	Hashes       []string `json:"hashes"`
	Markers      string   `json:"markers"`
	Index        string   `json:"index"`
	Extras       []string `json:"extras"`
	Git          string   `json:"git"`
	Hg           string   `json:"hg"`
	Svn          string   `json:"svn"`
	Bzr          string   `json:"bzr"`
	Ref          string   `json:"ref"`
	Subdirectory string   `json:"subdirectory"`
	Path         string   `json:"path"`
	File         string   `json:"file"`
	Editable     bool     `json:"editable"`
}

type pipfileParser struct {
	in      *input
	dec     *json.Decoder
	meta    *pipfileMeta
	metaEnd int
	lf      *Lockfile
	// first entry per (name, version, source), to merge categories
	seen map[string]int
	ids  map[string]bool
}

// jsonError turns a decoder error into a ParseError. The whole document's
// syntax has been checked before decoding starts, so what remains are type
// errors; the streaming decoder's offsets are not absolute, so they are
// reported at line, the line of the entry being decoded.
func (p *pipfileParser) jsonError(err error, key string, line int) error {
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		k := key
		if typ.Field != "" {
			k += "." + typ.Field
		}
		return errorf(p.in.Path, line, k, "expected %s, found %s", pipfileJSONKindOf(typ.Type), pipfileJSONValueName(typ.Value))
	}
	return errorf(p.in.Path, line, key, "%v", err)
}

// expectDelim reads the next token and checks it is the delimiter d.
func (p *pipfileParser) expectDelim(d json.Delim, key, what string) error {
	off := p.dec.InputOffset()
	tok, err := p.dec.Token()
	if err != nil {
		return p.jsonError(err, key, lineOf(p.in.Data, off))
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return errorf(p.in.Path, lineOf(p.in.Data, off+1), key, "expected %s, found %s", what, jsonKind(tok))
	}
	return nil
}

// pipfileJSONKindOf names the JSON kind a Go type decodes from.
func pipfileJSONKindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.String:
		if t == reflect.TypeOf(json.Number("")) {
			return "a number"
		}
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Pointer:
		return pipfileJSONKindOf(t.Elem())
	}
	return "a number"
}

// pipfileJSONValueName turns UnmarshalTypeError.Value ("string", "array",
// "number 6") into words.
func pipfileJSONValueName(v string) string {
	switch w, _, _ := strings.Cut(v, " "); w {
	case "array", "object":
		return "an " + w
	case "string", "number", "bool":
		if w == "bool" {
			w = "boolean"
		}
		return "a " + w
	}
	return v
}

func parsePipfileLock(in *input) (*Lockfile, error) {
	p := &pipfileParser{in: in, lf: &Lockfile{}, seen: map[string]int{}, ids: map[string]bool{}}
	p.dec = json.NewDecoder(bytes.NewReader(in.Data))
	p.dec.UseNumber()
	if len(bytes.TrimSpace(in.Data)) == 0 {
		return nil, errorf(in.Path, 0, "", "empty file: a Pipfile.lock is a JSON object")
	}
	var raw json.RawMessage
	if err := json.Unmarshal(in.Data, &raw); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, errorf(in.Path, lineOf(in.Data, syn.Offset), "", "invalid JSON: %v", syn)
		}
		return nil, errorf(in.Path, 0, "", "invalid JSON: %v", err)
	}
	if err := p.expectDelim('{', "", "a JSON object"); err != nil {
		return nil, err
	}
	type section struct {
		name string
		line int
	}
	var sections []section
	// Categories come before or after _meta; sources are needed to resolve
	// "index", so entries are decoded first and sources applied afterwards.
	type pending struct {
		section, name string
		line          int
		entry         pipfileEntry
	}
	var entries []pending
	for p.dec.More() {
		tok, err := p.dec.Token()
		if err != nil {
			return nil, p.jsonError(err, "", lineOf(in.Data, p.dec.InputOffset()))
		}
		key, _ := tok.(string)
		line := lineOf(in.Data, p.dec.InputOffset())
		if key == "_meta" {
			if p.meta != nil {
				return nil, errorf(in.Path, line, "_meta", "duplicate key")
			}
			p.meta = &pipfileMeta{}
			if err := p.dec.Decode(p.meta); err != nil {
				return nil, p.jsonError(err, "_meta", line)
			}
			p.metaEnd = line
			continue
		}
		sections = append(sections, section{key, line})
		if err := p.expectDelim('{', key, "an object of packages"); err != nil {
			return nil, err
		}
		for p.dec.More() {
			tok, err := p.dec.Token()
			if err != nil {
				return nil, p.jsonError(err, key, lineOf(in.Data, p.dec.InputOffset()))
			}
			name, _ := tok.(string)
			eline := lineOf(in.Data, p.dec.InputOffset())
			ekey := fmt.Sprintf("%s[%q]", key, name)
			// Check the value is an object before decoding, for a clear message.
			rest := bytes.TrimLeft(in.Data[p.dec.InputOffset():], " \t\r\n:")
			if len(rest) > 0 && rest[0] != '{' {
				var v any
				if err := p.dec.Decode(&v); err != nil {
					return nil, p.jsonError(err, ekey, eline)
				}
				return nil, errorf(in.Path, eline, ekey, "expected an object, found %s", jsonKind(v))
			}
			var e pipfileEntry
			if err := p.dec.Decode(&e); err != nil {
				return nil, p.jsonError(err, ekey, eline)
			}
			entries = append(entries, pending{key, name, eline, e})
		}
		if err := p.expectDelim('}', key, "'}'"); err != nil {
			return nil, err
		}
	}
	if err := p.expectDelim('}', "", "'}'"); err != nil {
		return nil, err
	}
	if p.meta == nil {
		return nil, errorf(in.Path, 1, "_meta", "missing: not a Pipfile.lock")
	}
	p.lf.FormatVersion = p.meta.PipfileSpec.String()
	sources := map[string]string{}
	for i, s := range p.meta.Sources {
		if s.URL == "" {
			return nil, errorf(in.Path, p.metaEnd, fmt.Sprintf("_meta.sources[%d].url", i), "missing")
		}
		u := redactURLPassword(s.URL)
		sources[s.Name] = u
		p.lf.Indexes = pyAppendUnique(p.lf.Indexes, u)
	}
	for _, e := range entries {
		if err := p.add(e.section, e.name, e.line, &e.entry, sources); err != nil {
			return nil, err
		}
	}
	p.markDirect()
	return p.lf, nil
}

func pyAppendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

func (p *pipfileParser) add(section, name string, line int, e *pipfileEntry, sources map[string]string) error {
	key := fmt.Sprintf("%s[%q]", section, name)
	if !validPyName(name) {
		return errorf(p.in.Path, line, key, "invalid package name %q", name)
	}
	pkg := Package{
		Name: pep503Name(name),
		Dev:  section != "default",
		Path: section + "." + name,
		Line: line,
	}
	vcs, isVCS, err := pyVCSSource(e.Ref, e.Git, e.Hg, e.Svn, e.Bzr)
	switch {
	case err != nil:
		return errorf(p.in.Path, line, key, "%v", err)
	case isVCS:
		pkg.Source = vcs
	case e.File != "":
		pkg.Source = Source{Kind: SourcePath, URL: redactURLPassword(e.File)}
		switch pipURLScheme(e.File) {
		case "http", "https", "ftp":
			pkg.Source.Kind = SourceURL
		}
	case e.Path != "":
		pkg.Source = Source{Kind: SourcePath, URL: e.Path}
	default:
		pkg.Source = Source{Kind: SourceRegistry}
		if e.Index != "" {
			u, ok := sources[e.Index]
			if !ok {
				return errorf(p.in.Path, line, key+".index", "index %q is not one of _meta.sources", e.Index)
			}
			pkg.Source.URL = u
		}
	}
	switch v := strings.TrimSpace(e.Version); {
	case v == "":
	case strings.HasPrefix(v, "===") && len(v) > 3:
		pkg.Version = v[3:]
	case strings.HasPrefix(v, "==") && !strings.ContainsAny(v[2:], "*,<>=!~ ") && len(v) > 2:
		pkg.Version = v[2:]
	default:
		pkg.Requirement = v
	}
	for i, h := range e.Hashes {
		hash, err := splitPyHash(h)
		if err != nil {
			return errorf(p.in.Path, line, fmt.Sprintf("%s.hashes[%d]", key, i), "%v", err)
		}
		pkg.Hashes = append(pkg.Hashes, hash)
	}
	// One package per name, version and source; the index of a registry
	// package is recorded on some categories' entries and not others.
	ident := pkg.Name + "\x00" + pkg.Version + "\x00" + string(pkg.Source.Kind)
	if pkg.Source.Kind != SourceRegistry {
		ident += "\x00" + pkg.Source.URL + "\x00" + pkg.Source.Ref
	}
	if i, ok := p.seen[ident]; ok {
		prev := &p.lf.Packages[i]
		if prev.Dev && !pkg.Dev {
			// The default category is where the package is really needed.
			prev.Dev, prev.Path, prev.Line = false, pkg.Path, pkg.Line
		}
		if prev.Source.URL == "" {
			prev.Source.URL = pkg.Source.URL
		}
		if len(prev.Hashes) == 0 {
			prev.Hashes = pkg.Hashes
		}
		return nil
	}
	pkg.ID = pkg.Name
	if p.ids[pkg.ID] {
		pkg.ID = section + "/" + pkg.Name
		for n := 2; p.ids[pkg.ID]; n++ {
			pkg.ID = fmt.Sprintf("%s/%s#%d", section, pkg.Name, n)
		}
	}
	p.ids[pkg.ID] = true
	p.seen[ident] = len(p.lf.Packages)
	p.lf.Packages = append(p.lf.Packages, pkg)
	return nil
}

// markDirect reads the Pipfile next to the lock, if there is one, and makes
// the packages it lists roots.
func (p *pipfileParser) markDirect() {
	if p.in.ReadFile == nil || len(p.lf.Packages) == 0 {
		return
	}
	pipfile := filepath.Join(filepath.Dir(p.in.Path), "Pipfile")
	data, err := p.in.ReadFile(pipfile)
	if err != nil {
		return
	}
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return
	}
	names := map[string]bool{}
	for table, v := range doc {
		switch table {
		case "source", "requires", "scripts", "pipenv":
			continue
		}
		pkgs, ok := v.(map[string]any)
		if !ok {
			continue
		}
		for n := range pkgs {
			names[pep503Name(n)] = true
		}
	}
	p.lf.Includes = append(p.lf.Includes, pipfile)
	for _, pkg := range p.lf.Packages {
		if names[pkg.Name] {
			p.lf.Roots = append(p.lf.Roots, pkg.ID)
		}
	}
}
