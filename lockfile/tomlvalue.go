package lockfile

// Helpers shared by the TOML lockfile formats (poetry.lock, uv.lock,
// pylock.toml, Cargo.lock): decoding with positioned errors, typed access to
// the generic map the decoder returns, and the lines of array-of-tables
// headers, which github.com/BurntSushi/toml does not expose per element
// (lockfile/tomlpos finds them).

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/installguard/guard/lockfile/tomlpos"
)

// tlDecode decodes a TOML document into a generic map. Syntax errors become
// ParseErrors carrying the decoder's line and last key.
func tlDecode(in *input) (map[string]any, error) {
	var m map[string]any
	if err := toml.Unmarshal(in.Data, &m); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			// The decoder counts a newline it stops at as the next line;
			// the byte offset is exact.
			line := pe.Position.Line
			if pe.Position.Start > 0 {
				line = lineOf(in.Data, int64(pe.Position.Start))
			}
			return nil, &ParseError{Path: in.Path, Line: line, Key: pe.LastKey, Err: fmt.Errorf("invalid TOML: %s", pe.Message)}
		}
		return nil, errorf(in.Path, 0, "", "invalid TOML: %v", err)
	}
	if m == nil {
		m = map[string]any{}
	}
	return m, nil
}

// tlTable is one TOML table with what is needed to report errors in it.
type tlTable struct {
	m    map[string]any
	file string
	key  string // dotted key of the table, "" for the document root
	line int    // line of the table's header or entry, 0 when unknown
	// Errors in a table without a line (the document root and the tables
	// below it) find the line of their key through pos; segs is the
	// table's key path.
	pos  *tlPositions
	segs []string
}

// tlDocument decodes a TOML lockfile into its root table.
func tlDocument(in *input) (tlTable, error) {
	root, err := tlDecode(in)
	if err != nil {
		return tlTable{}, err
	}
	return tlTable{m: root, file: in.Path, pos: &tlPositions{data: in.Data}}, nil
}

// tlEmptyOrParse is the Parse of a TOML format whose empty document (no
// keys) is an empty lockfile, as it has nothing to install; other documents
// go to parse with their root table.
func tlEmptyOrParse(parse func(in *input, doc tlTable) (*Lockfile, error)) func(*input) (*Lockfile, error) {
	return func(in *input) (*Lockfile, error) {
		doc, err := tlDocument(in)
		if err != nil {
			return nil, err
		}
		if len(doc.m) == 0 {
			return &Lockfile{}, nil
		}
		return parse(in, doc)
	}
}

// tlPositions scans a document's key positions once, when the first error
// that needs one is reported: parses that succeed never pay for it.
type tlPositions struct {
	data  []byte
	lines map[string]int
}

// line is the line of the key path segs, or of its nearest ancestor that
// has one; 0 when none does.
func (p *tlPositions) line(segs []string) int {
	if p == nil {
		return 0
	}
	if p.lines == nil {
		p.lines = tomlpos.Scan(p.data).Lines
	}
	for n := len(segs); n > 0; n-- {
		if l, ok := p.lines[tomlpos.Key(segs[:n]...)]; ok {
			return l
		}
	}
	return 0
}

// path is t's key path extended by more.
func (t tlTable) path(more ...string) []string {
	return append(t.segs[:len(t.segs):len(t.segs)], more...)
}

// lineOf is the line to report for key path segs below t.
func (t tlTable) lineOf(more ...string) int {
	if t.line != 0 {
		return t.line
	}
	return t.pos.line(t.path(more...))
}

func (t tlTable) sub(k string) string {
	if k == "" {
		return t.key
	}
	if t.key == "" {
		return k
	}
	return t.key + "." + k
}

func (t tlTable) errf(k, format string, args ...any) error {
	return errorf(t.file, t.lineOf(k), t.sub(k), format, args...)
}

func (t tlTable) has(k string) bool {
	_, ok := t.m[k]
	return ok
}

// str returns the string at k; "" when absent and not required.
func (t tlTable) str(k string, required bool) (string, error) {
	v, ok := t.m[k]
	if !ok {
		if required {
			return "", t.errf(k, "required key is missing")
		}
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", t.errf(k, "expected a string, found %s", tomlpos.TypeName(v))
	}
	return s, nil
}

// boolean returns the boolean at k; false when absent.
func (t tlTable) boolean(k string) (bool, error) {
	v, ok := t.m[k]
	if !ok {
		return false, nil
	}
	b, ok := v.(bool)
	if !ok {
		return false, t.errf(k, "expected a boolean, found %s", tomlpos.TypeName(v))
	}
	return b, nil
}

// integer returns the integer at k and whether it is present.
func (t tlTable) integer(k string) (int64, bool, error) {
	v, ok := t.m[k]
	if !ok {
		return 0, false, nil
	}
	n, ok := v.(int64)
	if !ok {
		return 0, false, t.errf(k, "expected an integer, found %s", tomlpos.TypeName(v))
	}
	return n, true, nil
}

// table returns the table at k and whether it is present.
func (t tlTable) table(k string) (tlTable, bool, error) {
	v, ok := t.m[k]
	if !ok {
		return tlTable{}, false, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return tlTable{}, false, t.errf(k, "expected a table, found %s", tomlpos.TypeName(v))
	}
	return tlTable{m: m, file: t.file, key: t.sub(k), line: t.line, pos: t.pos, segs: t.path(k)}, true, nil
}

// tlArray returns v as a list of values: TOML arrays decode as []any, arrays
// of tables as []map[string]any.
func tlArray(v any) ([]any, bool) {
	switch a := v.(type) {
	case []any:
		return a, true
	case []map[string]any:
		out := make([]any, len(a))
		for i := range a {
			out[i] = a[i]
		}
		return out, true
	}
	return nil, false
}

// tables returns the array of tables at k (absent: nil), each keyed k[i].
func (t tlTable) tables(k string) ([]tlTable, error) {
	v, ok := t.m[k]
	if !ok {
		return nil, nil
	}
	return t.tablesOf(k, v)
}

// pkgName returns the required, non-empty "name" of a package table.
func (t tlTable) pkgName() (string, error) {
	name, err := t.str("name", true)
	if err == nil && name == "" {
		err = t.errf("name", "empty package name")
	}
	return name, err
}

// pyNameVersion fills p's name (PEP 503 normalised) and version from a
// Python package table; versionRequired says whether "version" must be
// there.
func (t tlTable) pyNameVersion(p *Package, versionRequired bool) error {
	name, err := t.pkgName()
	if err != nil {
		return err
	}
	p.Name = pep503Name(name)
	p.Version, err = t.str("version", versionRequired)
	return err
}

// headedTables is tables for an array of tables at key k of the document
// root, each element given the line of its [[k]] header (or, inline, of
// its element) where those lines match the elements one to one.
func (t tlTable) headedTables(k string) ([]tlTable, error) {
	out, err := t.tables(k)
	if err != nil {
		return nil, err
	}
	if lines := tlArrayHeaderLines(t.pos.data, k); len(lines) == len(out) {
		for i := range out {
			out[i].line = lines[i]
		}
	}
	return out, nil
}

// tablesOf interprets v, found at key k of t, as an array of tables.
func (t tlTable) tablesOf(k string, v any) ([]tlTable, error) {
	arr, ok := tlArray(v)
	if !ok {
		return nil, t.errf(k, "expected an array of tables, found %s", tomlpos.TypeName(v))
	}
	out := make([]tlTable, len(arr))
	for i, e := range arr {
		key := fmt.Sprintf("%s[%d]", t.sub(k), i)
		m, ok := e.(map[string]any)
		if !ok {
			return nil, errorf(t.file, t.lineOf(k, tomlpos.Index(i)), key, "expected a table, found %s", tomlpos.TypeName(e))
		}
		out[i] = tlTable{m: m, file: t.file, key: key, line: t.line, pos: t.pos, segs: t.path(k, tomlpos.Index(i))}
	}
	return out, nil
}

// strs returns the array of strings at k (absent: nil).
func (t tlTable) strs(k string) ([]string, error) {
	v, ok := t.m[k]
	if !ok {
		return nil, nil
	}
	arr, ok := tlArray(v)
	if !ok {
		return nil, t.errf(k, "expected an array of strings, found %s", tomlpos.TypeName(v))
	}
	out := make([]string, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			return nil, errorf(t.file, t.lineOf(k, tomlpos.Index(i)), fmt.Sprintf("%s[%d]", t.sub(k), i), "expected a string, found %s", tomlpos.TypeName(e))
		}
		out[i] = s
	}
	return out, nil
}

// tlSortedKeys returns the keys of m in order, so that output built from a
// TOML table (whose order the decoder does not keep) is deterministic.
func tlSortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// tlSplitHash splits a Python-style "algorithm:hexdigest" hash.
func tlSplitHash(s string) (Hash, bool) {
	alg, digest, ok := strings.Cut(s, ":")
	if !ok || alg == "" || digest == "" || strings.ContainsAny(alg, " \t") {
		return Hash{}, false
	}
	return Hash{Algorithm: strings.ToLower(alg), Digest: digest}, true
}

// tlArrayHeaderLines returns the 1-based lines of the `[[key]]` headers of a
// TOML document, in order, so that the i-th element of that array of tables
// can be given a line (text that looks like a header inside strings,
// comments and values is not one). Callers use the result only when its
// length equals the number of decoded elements. A document without such
// headers may hold the array inline ("package = [{...}, ...]", valid TOML
// that pip writes for pylock.toml): then the lines are its elements'.
func tlArrayHeaderLines(data []byte, key string) []int {
	if lines := tomlpos.Outline(data).ArrayHeaderLines(key); len(lines) > 0 {
		return lines
	}
	doc := tomlpos.Scan(data)
	segs := strings.Split(key, ".")
	var out []int
	for i := 0; ; i++ {
		line, ok := doc.Lines[tomlpos.Key(append(segs[:len(segs):len(segs)], tomlpos.Index(i))...)]
		if !ok {
			return out
		}
		out = append(out, line)
	}
}

// tlLines reports which of the given prefixes start a line of data (after
// leading whitespace). Sniffers use it to look for keys and headers cheaply.
func tlLines(data []byte, prefixes ...string) []bool {
	found := make([]bool, len(prefixes))
	for len(data) > 0 {
		var l []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			l, data = data, nil
		}
		l = bytes.TrimLeft(l, " \t")
		for i, p := range prefixes {
			if !found[i] && bytes.HasPrefix(l, []byte(p)) {
				found[i] = true
			}
		}
	}
	return found
}
