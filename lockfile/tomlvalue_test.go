package lockfile

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/installguard/guard/lockfile/corpustest"

	"github.com/BurntSushi/toml"
)

// Helpers shared by the tests of the TOML formats (poetry, uv, pylock,
// Cargo). Their names start with tl to keep clear of other formats' tests.

// tlParse parses a file as format f and fails the test on error.
func tlParse(t *testing.T, path string, f Format) *Lockfile {
	t.Helper()
	lf, err := ParseAs(path, f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return lf
}

// tlFind returns the packages called name@version (version "" matches any).
func tlFind(lf *Lockfile, name, version string) []*Package {
	var out []*Package
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if p.Name == name && (version == "" || p.Version == version) {
			out = append(out, p)
		}
	}
	return out
}

// tlOne returns the single package name@version or fails.
func tlOne(t *testing.T, lf *Lockfile, name, version string) *Package {
	t.Helper()
	ps := tlFind(lf, name, version)
	if len(ps) != 1 {
		t.Fatalf("%s: want exactly one %s@%s, found %d", lf.Path, name, version, len(ps))
	}
	return ps[0]
}

// tlWant is what a test expects of one package.
type tlWant struct {
	name, version string
	src           Source
	direct, dev   bool
	optional      bool
	hashes        []Hash // nil: no hashes expected
	chain         []string
	deps          []string // IDs, in order; nil: none
	line          int
}

func tlCheck(t *testing.T, p *Package, w tlWant) {
	t.Helper()
	id := w.name + "@" + w.version
	if p.Name != w.name || p.Version != w.version {
		t.Errorf("%s: got %s@%s", id, p.Name, p.Version)
	}
	if p.Source != w.src {
		t.Errorf("%s: source %+v, want %+v", id, p.Source, w.src)
	}
	if p.Direct != w.direct || p.Dev != w.dev || p.Optional != w.optional {
		t.Errorf("%s: direct/dev/optional %v/%v/%v, want %v/%v/%v", id, p.Direct, p.Dev, p.Optional, w.direct, w.dev, w.optional)
	}
	if !reflect.DeepEqual(p.Hashes, w.hashes) {
		t.Errorf("%s: hashes %v, want %v", id, p.Hashes, w.hashes)
	}
	if !reflect.DeepEqual(p.Chain, w.chain) {
		t.Errorf("%s: chain %q, want %q", id, p.Chain, w.chain)
	}
	if !reflect.DeepEqual(p.Deps, w.deps) {
		t.Errorf("%s: deps %q, want %q", id, p.Deps, w.deps)
	}
	if p.Line != w.line {
		t.Errorf("%s: line %d, want %d", id, p.Line, w.line)
	}
	if p.InstallScript != nil || p.Bundled {
		t.Errorf("%s: InstallScript/Bundled set by a format that does not record them", id)
	}
}

// tlCheckGraph checks invariants every parse must keep: unique IDs, Deps
// naming existing IDs, non-empty names, the right ecosystem.
func tlCheckGraph(t testing.TB, lf *Lockfile) {
	t.Helper()
	ids := map[string]bool{}
	for _, p := range lf.Packages {
		if p.ID == "" || ids[p.ID] {
			t.Fatalf("%s: empty or duplicate ID %q", lf.Path, p.ID)
		}
		ids[p.ID] = true
		if p.Name == "" {
			t.Fatalf("%s: package with empty name", lf.Path)
		}
		if p.Ecosystem != lf.Ecosystem {
			t.Fatalf("%s: %s has ecosystem %q", lf.Path, p.ID, p.Ecosystem)
		}
	}
	for _, p := range lf.Packages {
		for _, d := range p.Deps {
			if !ids[d] {
				t.Fatalf("%s: %s depends on unknown ID %q", lf.Path, p.ID, d)
			}
		}
	}
}

// tlWantError parses data as f and checks for a ParseError at line with
// key and message fragments.
func tlWantError(t *testing.T, f Format, name, data string, line int, key, msg string) {
	t.Helper()
	_, err := ParseBytes(filepath.Join(t.TempDir(), name), []byte(data), f)
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("want a *ParseError, got %v", err)
	}
	if strings.Contains(pe.Error(), "internal error") {
		t.Fatalf("internal error: %v", pe)
	}
	if pe.Line != line || !strings.Contains(pe.Key, key) || !strings.Contains(pe.Err.Error(), msg) {
		t.Errorf("got %q (line %d, key %q); want line %d, key containing %q, message containing %q", pe.Error(), pe.Line, pe.Key, line, key, msg)
	}
}

// tlCountTables counts the elements of a top-level array of tables by
// decoding the document generically: the independent count corpus tests
// compare against.
func tlCountTables(t testing.TB, data []byte, key string) int {
	t.Helper()
	var m map[string]any
	if err := toml.Unmarshal(data, &m); err != nil {
		t.Fatalf("generic decode: %v", err)
	}
	switch a := m[key].(type) {
	case []map[string]any:
		return len(a)
	case []any:
		return len(a)
	}
	return 0
}

func TestTOMLArrayHeaderLines(t *testing.T) {
	doc := `# [[package]] in a comment
top = """
[[package]]
in a multi-line string ""
"""
lit = '''
[[package]]
'''
arr = [
  [[1, 2]],
  "[[package]]",
]

[[package]]
name = "a" # [[package]]

  [[ "package" ]]
name = 'b'

[[package.files]]
x = 1

[[package]]
name = "c\"[[package]]"
desc = """ends with quotes"""""
[[package]]
`
	got := tlArrayHeaderLines([]byte(doc), "package")
	want := []int{14, 17, 23, 26}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	var m map[string]any
	if err := toml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	if n := len(m["package"].([]map[string]any)); n != len(want) {
		t.Errorf("document has %d packages, scanner found %d headers", n, len(want))
	}
	if got := tlArrayHeaderLines([]byte(doc), "package.files"); !slices.Equal(got, []int{20}) {
		t.Errorf("package.files: got %v", got)
	}
}

func TestTOMLSplitHash(t *testing.T) {
	if h, ok := tlSplitHash("SHA256:abcd"); !ok || h != (Hash{Algorithm: "sha256", Digest: "abcd"}) {
		t.Errorf("got %v %v", h, ok)
	}
	for _, bad := range []string{"abcd", ":abcd", "sha256:", "sha 256:ab"} {
		if _, ok := tlSplitHash(bad); ok {
			t.Errorf("tlSplitHash(%q) accepted", bad)
		}
	}
}

// tlFormats returns the four formats these files implement (those
// registered); their Sniffs must never claim each other's files.
func tlFormats() []Format {
	var out []Format
	for _, f := range []Format{FormatPoetryLock, FormatUVLock, FormatPylock, FormatCargoLock} {
		if formatByName(f) != nil {
			out = append(out, f)
		}
	}
	return out
}

func TestTOMLSniffsDoNotOverlap(t *testing.T) {
	type sample struct {
		path string
		want Format // formatUnknown: none of the four may claim it
	}
	var samples []sample
	add := func(glob string, want Format) {
		if want != formatUnknown && formatByName(want) == nil {
			return
		}
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			samples = append(samples, sample{f, want})
		}
	}
	add("testdata/poetry/*/poetry.lock", FormatPoetryLock)
	add("testdata/uv/*/uv.lock", FormatUVLock)
	add("testdata/pylock/*/pylock.toml", FormatPylock)
	add("testdata/cargo/*/Cargo.lock", FormatCargoLock)
	if root, ok := corpustest.Root(); ok {
		c := filepath.Join(root, "lockfiles")
		add(filepath.Join(c, "python/poetry/*/poetry.lock"), FormatPoetryLock)
		add(filepath.Join(c, "python/uv/*/uv.lock"), FormatUVLock)
		add(filepath.Join(c, "python/pylock/*/pylock.toml"), FormatPylock)
		add(filepath.Join(c, "cargo/*/Cargo.lock.v*"), FormatCargoLock)
		add(filepath.Join(c, "cargo/*/*/Cargo.lock"), FormatCargoLock)
		add(filepath.Join(c, "osv-scalibr-testdata/pdmlock/*.lock"), formatUnknown)
		add(filepath.Join(c, "osv-scanner-v1-fixtures/pdm/*.lock"), formatUnknown)
		add(filepath.Join(c, "python/pipfile-lock/*/Pipfile.lock"), formatUnknown)
	}
	pdm := []byte("# This file is @generated by PDM.\n# It is not intended for manual editing.\n\n[metadata]\ngroups = [\"default\"]\nstrategy = [\"cross_platform\"]\nlock_version = \"4.4\"\ncontent_hash = \"sha256:00\"\n\n[[package]]\nname = \"six\"\nversion = \"1.16.0\"\nrequires_python = \">=2.7\"\nsummary = \"x\"\nfiles = [\n    {file = \"six-1.16.0.tar.gz\", hash = \"sha256:00\"},\n]\n")
	check := func(name string, data []byte, want Format) {
		for _, f := range tlFormats() {
			got := formatByName(f).Sniff(data)
			if got != (f == want) {
				t.Errorf("%s: %s Sniff = %v", name, f, got)
			}
		}
	}
	check("pdm.lock sample", pdm, formatUnknown)
	for _, s := range samples {
		data, err := os.ReadFile(s.path)
		if err != nil {
			t.Fatal(err)
		}
		check(s.path, data, s.want)
	}
	if len(samples) < 2*len(tlFormats()) {
		t.Errorf("only %d samples", len(samples))
	}
}

func TestTOMLFormatNames(t *testing.T) {
	for base, want := range map[string]Format{
		"poetry.lock":      FormatPoetryLock,
		"uv.lock":          FormatUVLock,
		"pylock.toml":      FormatPylock,
		"pylock.spam.toml": FormatPylock,
		"Cargo.lock":       FormatCargoLock,
		"pylock..toml":     formatUnknown,
		"pylock.a.b.toml":  formatUnknown,
		"cargo.lock":       formatUnknown,
		"Cargo.lock.v1":    formatUnknown,
		"poetry.lock.bak":  formatUnknown,
		"mypylock.toml":    formatUnknown,
	} {
		var got []Format
		for _, f := range tlFormats() {
			if formatByName(f).Name(base) {
				got = append(got, f)
			}
		}
		if want != formatUnknown && formatByName(want) == nil {
			continue
		}
		if want == formatUnknown && len(got) != 0 || want != formatUnknown && (len(got) != 1 || got[0] != want) {
			t.Errorf("%s: claimed by %v, want %q", base, got, want)
		}
	}
}

// TestTOMLInlineArrayLines: packages written as an inline array of tables
// (valid TOML; pip writes pylock.toml so) get the lines of their elements,
// as [[package]] entries get their headers'.
func TestTOMLInlineArrayLines(t *testing.T) {
	for f, s := range map[Format]string{
		FormatPylock:     "lock-version = \"1.0\"\ncreated-by = \"x\"\npackages = [\n  { name = \"a\", directory = { path = \".\" } },\n  { name = \"b\", directory = { path = \"b\" } },\n]\n",
		FormatUVLock:     "version = 1\npackage = [\n\n  { name = \"a\", version = \"1\", source = { registry = \"https://pypi.org/simple\" } },\n  { name = \"b\", version = \"1\", source = { registry = \"https://pypi.org/simple\" } },\n]\n",
		FormatPoetryLock: "package = [\n\n  { name = \"a\", version = \"1\" },\n  { name = \"b\", version = \"1\" },\n]\n",
		FormatPDMLock:    "package = [\n\n  { name = \"a\", version = \"1\" },\n  { name = \"b\", version = \"1\" },\n]\n",
		FormatCargoLock:  "version = 3\npackage = [\n\n  { name = \"a\", version = \"1.0.0\" }, { name = \"b\", version = \"1.0.0\" },\n]\n",
	} {
		lf, err := ParseBytes("x", []byte(s), f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		var got []int
		for _, p := range lf.Packages {
			got = append(got, p.Line)
		}
		want := map[Format][]int{FormatPoetryLock: {3, 4}, FormatPDMLock: {3, 4}, FormatCargoLock: {4, 4}}[f]
		if want == nil {
			want = []int{4, 5}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: lines %v, want %v", f, got, want)
		}
	}
}
