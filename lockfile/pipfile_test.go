package lockfile

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestPipfileLockFixture(t *testing.T) {
	lf, err := ParseAs("testdata/pipfile/project/Pipfile.lock", FormatPipfileLock)
	if err != nil {
		t.Fatal(err)
	}
	if lf.FormatVersion != "6" || lf.Format != FormatPipfileLock || lf.Ecosystem != PyPI {
		t.Errorf("version %q format %q ecosystem %q", lf.FormatVersion, lf.Format, lf.Ecosystem)
	}
	wantIndexes := []string{"https://pypi.org/simple", "https://user:xxxxx@private.example/simple"}
	if !reflect.DeepEqual(lf.Indexes, wantIndexes) {
		t.Errorf("indexes %q", lf.Indexes)
	}
	if want := []string{filepath.FromSlash("testdata/pipfile/project/Pipfile")}; !reflect.DeepEqual(lf.Includes, want) {
		t.Errorf("includes %q", lf.Includes)
	}
	reg := Source{Kind: SourceRegistry}
	pypi := Source{Kind: SourceRegistry, URL: "https://pypi.org/simple"}
	want := []pyPkgView{
		{Name: "certifi", Version: "2024.2.2", Hashes: []Hash{pySHA256Hash("certifi-a"), pySHA256Hash("certifi-b")}, Source: reg, Path: "default.certifi", Line: 24},
		{Name: "django", Version: "4.2.1", Hashes: []Hash{pySHA256Hash("django")}, Source: Source{Kind: SourceRegistry, URL: "https://user:xxxxx@private.example/simple"}, Direct: true, Path: "default.django", Line: 32},
		{Name: "local", Source: Source{Kind: SourcePath, URL: "./local"}, Direct: true, Path: "default.local", Line: 39},
		{Name: "mylib", Source: Source{Kind: SourceGit, URL: "https://github.com/example/mylib.git", Ref: "0123456789abcdef0123456789abcdef01234567"}, Direct: true, Path: "default.mylib", Line: 43},
		{Name: "packaging", Version: "24.0", Hashes: []Hash{pySHA256Hash("packaging-24")}, Source: reg, Path: "default.packaging", Line: 47},
		{Name: "requests", Version: "2.31.0", Hashes: []Hash{pySHA256Hash("requests")}, Source: pypi, Direct: true, Path: "default.requests", Line: 53},
		// in default and develop: one package, not Dev; the index comes from develop
		{Name: "urllib3", Version: "2.2.1", Hashes: []Hash{pySHA256Hash("urllib3")}, Source: pypi, Path: "default.urllib3", Line: 63},
		{Name: "wheelfile", Hashes: []Hash{pySHA256Hash("wheelfile")}, Source: Source{Kind: SourceURL, URL: "https://example.com/dist/wheelfile-1.0-py3-none-any.whl"}, Path: "default.wheelfile", Line: 69},
		{Name: "iniconfig", Version: "2.0.0", Hashes: []Hash{pySHA256Hash("iniconfig")}, Source: reg, Dev: true, Path: "develop.iniconfig", Line: 77},
		// a second version of packaging, locked for develop only
		{Name: "packaging", Version: "23.2", Hashes: []Hash{pySHA256Hash("packaging-23")}, Source: reg, Dev: true, Path: "develop.packaging", Line: 83},
		{Name: "pytest", Version: "8.0.0", Hashes: []Hash{pySHA256Hash("pytest")}, Source: pypi, Direct: true, Dev: true, Path: "develop.pytest", Line: 89},
		{Name: "sphinx", Version: "7.2.6", Hashes: []Hash{pySHA256Hash("sphinx")}, Source: reg, Direct: true, Dev: true, Path: "docs.sphinx", Line: 105},
	}
	comparePyPackages(t, lf.Packages, want)
	ids := map[string]bool{}
	for _, p := range lf.Packages {
		if p.ID == "" || ids[p.ID] {
			t.Errorf("ID %q empty or repeated", p.ID)
		}
		ids[p.ID] = true
	}
}

func TestPipfileLockWithoutPipfile(t *testing.T) {
	lf, err := ParseAs("testdata/pipfile/one-package.json", FormatPipfileLock)
	if err != nil {
		t.Fatal(err)
	}
	comparePyPackages(t, lf.Packages, []pyPkgView{
		{Name: "six", Version: "1.16.0", Hashes: []Hash{pySHA256Hash("six")}, Source: Source{Kind: SourceRegistry}, Path: "default.six", Line: 2},
	})
	if len(lf.Includes) != 0 {
		t.Errorf("includes %q", lf.Includes)
	}
	data, _ := os.ReadFile("testdata/pipfile/one-package.json")
	if f, ok := Detect("one-package.json", data); !ok || f != FormatPipfileLock {
		t.Errorf("Detect = %q, %v", f, ok)
	}
	if f, ok := Detect("app/Pipfile.lock", nil); !ok || f != FormatPipfileLock {
		t.Errorf("Detect(Pipfile.lock) = %q, %v", f, ok)
	}
}

func TestPipfileLockVersions(t *testing.T) {
	lf, err := ParseBytes("x/Pipfile.lock", []byte(`{"_meta": {"sources": []}, "default": {
		"a": {"version": "===1.0"},
		"b": {"version": "*"},
		"c": {"version": ">=1,<2"},
		"d": {},
		"e": {"version": "==1.*"}
	}}`), FormatPipfileLock)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]string{}
	for _, p := range lf.Packages {
		got[p.Name] = [2]string{p.Version, p.Requirement}
	}
	want := map[string][2]string{"a": {"1.0", ""}, "b": {"", "*"}, "c": {"", ">=1,<2"}, "d": {"", ""}, "e": {"", "==1.*"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestPipfileLockErrors(t *testing.T) {
	tests := []struct {
		name, data string
		line       int
		want       string
	}{
		{"empty", "", 0, "empty file"},
		{"not json", "this is not json!", 1, "invalid JSON"},
		{"array", "[]", 1, "expected a JSON object"},
		{"no _meta", `{"default": {}}`, 1, "_meta: missing"},
		{"section not an object", "{\"_meta\": {},\n\"default\": []}", 2, "expected an object of packages"},
		{"entry not an object", "{\"_meta\": {},\n\"default\": {\n\"a\": \"==1\"}}", 3, "expected an object, found a string"},
		{"hashes not an array", "{\"_meta\": {},\n\"default\": {\n\"a\": {\n\"hashes\": \"sha256:00\"}}}", 3, `default["a"].hashes: expected an array, found a string`},
		{"bad hash", "{\"_meta\": {},\n\"default\": {\n\"a\": {\"hashes\": [\"nocolon\"]}}}", 3, `default["a"].hashes[0]`},
		{"unknown index", "{\"_meta\": {\"sources\": [{\"name\": \"pypi\", \"url\": \"https://pypi.org/simple\"}]},\n\"default\": {\"a\": {\"index\": \"other\"}}}", 2, `index "other" is not one of _meta.sources`},
		{"source without url", "{\"_meta\": {\"sources\": [{\"name\": \"pypi\"}]}}", 1, "_meta.sources[0].url"},
		{"bad name", "{\"_meta\": {},\n\"default\": {\"-x\": {}}}", 2, "invalid package name"},
		{"two vcs", "{\"_meta\": {},\n\"default\": {\"a\": {\"git\": \"https://a\", \"hg\": \"https://b\"}}}", 2, "more than one of git"},
		{"trailing data", "{\"_meta\": {}}\n{}", 2, "invalid JSON"},
		{"truncated", "{\"_meta\": {},\n\"default\": {\"a\": {", 2, "unexpected end of JSON"},
		{"syntax error deep inside", "{\"_meta\": {},\n\"default\": {\"a\": {\n\n\"hashes\": [1,]}}}", 4, "invalid JSON"},
		{"meta type", "{\"_meta\": {\n\"sources\": {}}}", 1, "_meta.sources: expected an array, found an object"},
		{"editable type", "{\"_meta\": {},\n\"default\": {\"a\": {\"editable\": \"yes\"}}}", 2, `default["a"].editable: expected a boolean, found a string`},
		{"duplicate meta", "{\"_meta\": {},\n\"_meta\": {}}", 2, "duplicate key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBytes("x/Pipfile.lock", []byte(tt.data), FormatPipfileLock)
			wantPyParseError(t, err, "x/Pipfile.lock", tt.line, tt.want)
		})
	}
}

// pipfileIndependentCount counts distinct (name, version) pairs over all
// categories, decoding the file generically.
func pipfileIndependentCount(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]map[string]any
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	doc = map[string]map[string]map[string]any{}
	for k, v := range raw {
		if k == "_meta" {
			continue
		}
		var sec map[string]map[string]any
		if err := json.Unmarshal(v, &sec); err != nil {
			t.Fatal(err)
		}
		doc[k] = sec
	}
	seen := map[string]bool{}
	for _, sec := range doc {
		for name, e := range sec {
			v, _ := e["version"].(string)
			seen[pep503Name(name)+" "+v] = true
		}
	}
	return len(seen)
}

func TestPipfileLockCorpus(t *testing.T) {
	files := globAll(t, filepath.Join(corpusFile(t, "lockfiles/python/pipfile-lock"), "*", "Pipfile.lock"))
	if len(files) == 0 {
		t.Fatal("no Pipfile.lock in the corpus")
	}
	for _, f := range files {
		lf, err := ParseAs(f, FormatPipfileLock)
		if err != nil {
			t.Error(err)
			continue
		}
		if want := pipfileIndependentCount(t, f); len(lf.Packages) != want {
			t.Errorf("%s: %d packages, independent count %d", f, len(lf.Packages), want)
		}
		for _, p := range lf.Packages {
			if p.Version == "" || len(p.Hashes) == 0 || p.Line == 0 {
				t.Errorf("%s: %+v", f, pyViewOf(p))
			}
		}
	}
	lf, err := ParseAs(corpusFile(t, "lockfiles/python/pipfile-lock/pipenv/Pipfile.lock"), FormatPipfileLock)
	if err != nil {
		t.Fatal(err)
	}
	if len(lf.Packages) != 105 || len(lf.Includes) != 1 {
		t.Errorf("pipenv: %d packages, includes %q", len(lf.Packages), lf.Includes)
	}
	check := map[string]struct {
		version     string
		direct, dev bool
	}{
		"pytz":         {"2026.1.post1", true, false}, // [packages]
		"requests":     {"", true, true},              // [dev-packages]
		"sphinx-click": {"", true, true},
		"iniconfig":    {"2.3.0", false, false}, // locked in both default and develop
		"certifi":      {"", false, true},
	}
	for _, p := range lf.Packages {
		c, ok := check[p.Name]
		if !ok {
			continue
		}
		delete(check, p.Name)
		if c.version != "" && p.Version != c.version || p.Direct != c.direct || p.Dev != c.dev {
			t.Errorf("pipenv %s: %+v", p.Name, pyViewOf(p))
		}
	}
	if len(check) != 0 {
		t.Errorf("missing %v", check)
	}
}

func BenchmarkParsePipfileLock(b *testing.B) {
	benchParse(b, "lockfiles/python/pipfile-lock/pipenv/Pipfile.lock", FormatPipfileLock)
}
