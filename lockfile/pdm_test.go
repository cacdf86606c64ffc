package lockfile

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestPDMLockFixture(t *testing.T) {
	lf, err := ParseAs("testdata/pdm/project/pdm.lock", FormatPDMLock)
	if err != nil {
		t.Fatal(err)
	}
	if lf.FormatVersion != "4.5.0" || lf.Format != FormatPDMLock || lf.Ecosystem != PyPI {
		t.Errorf("version %q format %q ecosystem %q", lf.FormatVersion, lf.Format, lf.Ecosystem)
	}
	if want := []string{filepath.FromSlash("testdata/pdm/project/pyproject.toml")}; !reflect.DeepEqual(lf.Includes, want) {
		t.Errorf("includes %q", lf.Includes)
	}
	reg := Source{Kind: SourceRegistry}
	want := []pyPkgView{
		{Name: "certifi", Version: "2024.2.2", Hashes: []Hash{pySHA256Hash("certifi-whl"), pySHA256Hash("certifi-sdist")}, Source: reg, Path: "package[0]", Line: 13, Chain: []string{"mylib@1.0.0"}},
		{Name: "helper", Version: "0.2.0", Source: Source{Kind: SourcePath, URL: "./tools/helper"}, Direct: true, Dev: true, Path: "package[1]", Line: 24},
		{Name: "iniconfig", Version: "2.0.0", Hashes: []Hash{pySHA256Hash("iniconfig")}, Source: reg, Dev: true, Path: "package[2]", Line: 33, Chain: []string{"pytest@8.0.0"}},
		{Name: "mylib", Version: "1.0.0", Source: Source{Kind: SourceGit, URL: "https://github.com/example/mylib.git", Ref: "0123456789abcdef0123456789abcdef01234567"}, Direct: true, Path: "package[3]", Line: 43},
		{Name: "pluggy", Version: "1.4.0", Hashes: []Hash{pySHA256Hash("pluggy")}, Source: reg, Dev: true, Path: "package[4]", Line: 56, Chain: []string{"pytest@8.0.0"}},
		{Name: "pysocks", Version: "1.7.1", Hashes: []Hash{pySHA256Hash("pysocks")}, Source: reg, Path: "package[5]", Line: 66, Chain: []string{"requests@2.31.0"}},
		{Name: "pytest", Version: "8.0.0", Hashes: []Hash{pySHA256Hash("pytest")}, Source: reg, Direct: true, Dev: true, Path: "package[6]", Line: 75},
		// an optional-dependencies group: Optional, not Dev
		{Name: "pyyaml", Version: "6.0.1", Hashes: []Hash{pySHA256Hash("pyyaml")}, Source: reg, Direct: true, Optional: true, Path: "package[7]", Line: 90},
		{Name: "requests", Version: "2.31.0", Hashes: []Hash{pySHA256Hash("requests")}, Source: reg, Direct: true, Path: "package[8]", Line: 100},
		{Name: "requests", Version: "2.31.0", Hashes: []Hash{pySHA256Hash("requests")}, Source: reg, Direct: true, Path: "package[9]", Line: 114},
		{Name: "ruff", Version: "0.3.0", Hashes: []Hash{pySHA256Hash("ruff")}, Source: reg, Direct: true, Dev: true, Path: "package[10]", Line: 129},
		{Name: "urllib3", Version: "2.2.1", Hashes: []Hash{pySHA256Hash("urllib3")}, Source: reg, Path: "package[11]", Line: 139, Chain: []string{"requests@2.31.0"}},
		{Name: "wheel-url", Version: "1.0", Hashes: []Hash{pySHA256Hash("wheel-url")}, Source: Source{Kind: SourceURL, URL: "https://example.com/dist/wheel_url-1.0-py3-none-any.whl"}, Path: "package[12]", Line: 149, Chain: []string{"mylib@1.0.0"}},
	}
	comparePyPackages(t, lf.Packages, want)
	// The extras entry depends on its base entry and on the extra's
	// dependency; IDs keep the two requests entries apart.
	if got := lf.Packages[9]; got.ID != "requests[socks]@2.31.0" || !reflect.DeepEqual(got.Deps, []string{"pysocks@1.7.1", "requests@2.31.0"}) {
		t.Errorf("requests[socks]: ID %q deps %q", got.ID, got.Deps)
	}
	if got := lf.Packages[6].Deps; !reflect.DeepEqual(got, []string{"iniconfig@2.0.0", "pluggy@1.4.0"}) {
		t.Errorf("pytest deps %q (tomli is not locked: no edge)", got)
	}
}

func TestPDMLockWithoutManifest(t *testing.T) {
	lf, err := ParseAs("testdata/pdm/bare/pdm.lock", FormatPDMLock)
	if err != nil {
		t.Fatal(err)
	}
	reg := Source{Kind: SourceRegistry}
	comparePyPackages(t, lf.Packages, []pyPkgView{
		{Name: "a", Version: "1.0", Hashes: []Hash{pySHA256Hash("a")}, Source: reg, Direct: true, Path: "package[0]", Line: 10},
		// in "default" and "dev": not Dev
		{Name: "b", Version: "2.0", Hashes: []Hash{pySHA256Hash("b")}, Source: reg, Path: "package[1]", Line: 17, Chain: []string{"a@1.0"}},
		{Name: "c", Version: "3.0", Hashes: []Hash{pySHA256Hash("c")}, Source: reg, Direct: true, Dev: true, Path: "package[2]", Line: 23},
	})
	if len(lf.Includes) != 0 {
		t.Errorf("includes %q", lf.Includes)
	}
}

func TestPDMLockOldLayout(t *testing.T) {
	lf, err := ParseAs("testdata/pdm/old/pdm.lock", FormatPDMLock)
	if err != nil {
		t.Fatal(err)
	}
	reg := Source{Kind: SourceRegistry}
	comparePyPackages(t, lf.Packages, []pyPkgView{
		{Name: "six", Version: "1.16.0", Hashes: []Hash{pySHA256Hash("six-whl"), pySHA256Hash("six-sdist")}, Source: reg, Direct: true, Path: "package[0]", Line: 2},
		{Name: "toml", Version: "0.10.2", Hashes: []Hash{pySHA256Hash("toml")}, Source: reg, Direct: true, Dev: true, Path: "package[1]", Line: 9},
	})
	if lf.FormatVersion != "3.1" {
		t.Errorf("format version %q", lf.FormatVersion)
	}
}

func TestPDMLockErrors(t *testing.T) {
	tests := []struct {
		name, data string
		line       int
		want       string
	}{
		{"not toml", "this is not valid toml! (I think)\n", 1, "invalid TOML"},
		{"missing name", "[metadata]\n\n[[package]]\nversion = \"1\"\n", 3, "package[0].name: missing"},
		{"bad name", "[[package]]\nname = \"-x\"\n", 1, "invalid package name"},
		{"bad hash", "[[package]]\nname = \"a\"\n\n[[package]]\nname = \"b\"\nfiles = [{file = \"b.whl\", hash = \"nocolon\"}]\n", 4, "package[1].files[0].hash"},
		{"wrong type", "[[package]]\nname = \"a\"\nversion = 1\n", 3, "package.version: invalid value: incompatible types"},
		{"files not an array", "[[package]]\nname = \"a\"\nfiles = \"x\"\n", 3, "package.files: invalid value"},
		{"dependency without a name", "[[package]]\nname = \"a\"\ndependencies = [\"@@@\"]\n", 1, "package[0].dependencies[0]"},
		{"two vcs", "[[package]]\nname = \"a\"\ngit = \"https://a\"\nhg = \"https://b\"\n", 1, "more than one of git"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBytes("x/pdm.lock", []byte(tt.data), FormatPDMLock)
			wantPyParseError(t, err, "x/pdm.lock", tt.line, tt.want)
		})
	}
}

func TestPDMLockDetect(t *testing.T) {
	if f, ok := Detect("x/pdm.lock", nil); !ok || f != FormatPDMLock {
		t.Errorf("Detect(pdm.lock) = %q, %v", f, ok)
	}
	data, err := os.ReadFile("testdata/pdm/bare/pdm.lock")
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := Detect("bare.toml", data); !ok || f != FormatPDMLock {
		t.Errorf("Detect(bare.toml) = %q, %v", f, ok)
	}
	for _, s := range []string{
		"[metadata]\nlock-version = \"2.0\"\n", // poetry
		"version = 1\n[[package]]\nname = \"a\"\n",
		"lock-version = \"1.0\"\n[[packages]]\n",
	} {
		if sniffPDMLock([]byte(s)) {
			t.Errorf("sniffPDMLock(%q) = true", s)
		}
	}
}

// TestPDMLockEdgeCaseCounts: every corpus edge case that is TOML yields one
// package per [[package]] table, decoded generically (the sweep itself is
// in the conformance suite).
func TestPDMLockEdgeCaseCounts(t *testing.T) {
	root := corpusFile(t, "lockfiles")
	files := globAll(t,
		filepath.Join(root, "osv-scanner-v1-fixtures/pdm/*"),
		filepath.Join(root, "osv-scalibr-testdata/pdmlock/*"),
	)
	if len(files) == 0 {
		t.Fatal("no pdm edge cases in the corpus")
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		var doc struct {
			Package []map[string]any `toml:"package"`
		}
		if _, err := toml.Decode(string(data), &doc); err != nil {
			continue
		}
		lf, err := ParseBytes(f, data, FormatPDMLock)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if len(lf.Packages) != len(doc.Package) {
			t.Errorf("%s: %d packages, %d [[package]] tables", f, len(lf.Packages), len(doc.Package))
		}
	}
}

// BenchmarkParsePDMLock parses a generated lock of 2,000 packages, each
// depending on the next two (the corpus holds no large pdm.lock).
func BenchmarkParsePDMLock(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("[metadata]\ngroups = [\"default\"]\nlock_version = \"4.4.1\"\n\n")
	const n = 2000
	for i := 0; i < n; i++ {
		fmt.Fprintf(&sb, "[[package]]\nname = \"pkg-%d\"\nversion = \"1.%d.0\"\ngroups = [\"default\"]\ndependencies = [\"pkg-%d>=1\", \"pkg-%d[extra]; python_version < '3.12'\"]\nfiles = [\n    {file = \"pkg_%d-1.%d.0-py3-none-any.whl\", hash = \"sha256:%s\"},\n    {file = \"pkg_%d-1.%d.0.tar.gz\", hash = \"sha256:%s\"},\n]\n\n",
			i, i, (i+1)%n, (i+2)%n, i, i, pyFakeSHA256(fmt.Sprint("w", i)), i, i, pyFakeSHA256(fmt.Sprint("s", i)))
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		lf, err := ParseBytes("bench/pdm.lock", data, FormatPDMLock)
		if err != nil || len(lf.Packages) != n {
			b.Fatal(err)
		}
	}
}
