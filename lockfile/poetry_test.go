package lockfile

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tlSHA is the sha256 hex of a seed: the fixtures' made-up digests were
// generated as sha256(seed).
func tlSHA(seed string) Hash {
	s := sha256.Sum256([]byte(seed))
	return Hash{Algorithm: "sha256", Digest: hex.EncodeToString(s[:])}
}

func TestPoetryLock1x(t *testing.T) {
	lf := tlParse(t, "testdata/poetry/v1/poetry.lock", FormatPoetryLock)
	if lf.FormatVersion != "1.1" || lf.Format != FormatPoetryLock || lf.Ecosystem != PyPI {
		t.Errorf("format %q %q %q", lf.FormatVersion, lf.Format, lf.Ecosystem)
	}
	if len(lf.Packages) != 8 {
		t.Fatalf("%d packages", len(lf.Packages))
	}
	if got := strings.Join(lf.Indexes, " "); got != "https://mirror.example.org/simple" {
		t.Errorf("indexes %q", got)
	}
	tlCheckGraph(t, lf)
	jinja := []Hash{tlSHA("jinja3"), {Algorithm: "md5", Digest: "0123456789abcdef0123456789abcdef"}}
	reg := Source{Kind: SourceRegistry}
	for _, w := range []tlWant{
		// pyproject.toml next to the lockfile names Flask, localpkg and pytest.
		{name: "flask", version: "2.0.1", src: reg, direct: true, hashes: []Hash{tlSHA("flask-whl")},
			deps: []string{"jinja2@3.0.1", "jinja2@2.11.3", "click@8.0.1", "itsdangerous@2.0.1"}, line: 1},
		{name: "click", version: "8.0.1", src: reg, hashes: []Hash{tlSHA("click-whl"), tlSHA("click-sdist")},
			chain: []string{"flask@2.0.1"}, line: 20},
		{name: "itsdangerous", version: "2.0.1", src: Source{Kind: SourceRegistry, URL: "https://mirror.example.org/simple"},
			chain: []string{"flask@2.0.1"}, line: 28},
		// [metadata.files] lists files by name: both versions get both.
		{name: "jinja2", version: "3.0.1", src: reg, hashes: jinja, chain: []string{"flask@2.0.1"}, line: 41},
		{name: "jinja2", version: "2.11.3", src: reg, hashes: jinja, chain: []string{"flask@2.0.1"}, line: 49},
		{name: "pytest", version: "6.2.4", src: reg, direct: true, dev: true, hashes: []Hash{tlSHA("pytest")},
			deps: []string{"py-test-helper@0.1.0"}, line: 57},
		{name: "py-test-helper", version: "0.1.0", dev: true, optional: true,
			src:   Source{Kind: SourceGit, URL: "https://git.example.org/helper.git", Ref: "0123456789abcdef0123456789abcdef01234567"},
			chain: []string{"pytest@6.2.4"}, line: 68},
		{name: "localpkg", version: "0.3.0", src: Source{Kind: SourcePath, URL: "../localpkg"}, direct: true, line: 83},
	} {
		tlCheck(t, tlOne(t, lf, w.name, w.version), w)
	}
	if p := tlOne(t, lf, "flask", ""); p.Path != "package[0]" || p.Requirement != "" {
		t.Errorf("flask path %q requirement %q", p.Path, p.Requirement)
	}
}

func TestPoetryLock2x(t *testing.T) {
	lf := tlParse(t, "testdata/poetry/v2/poetry.lock", FormatPoetryLock)
	if lf.FormatVersion != "2.1" || len(lf.Packages) != 5 || len(lf.Indexes) != 0 {
		t.Fatalf("version %q, %d packages, indexes %v", lf.FormatVersion, len(lf.Packages), lf.Indexes)
	}
	tlCheckGraph(t, lf)
	reg := Source{Kind: SourceRegistry}
	// No pyproject.toml: nothing is known to be direct, so no chains.
	for _, w := range []tlWant{
		{name: "requests", version: "2.32.3", src: reg, hashes: []Hash{tlSHA("requests-whl"), tlSHA("requests-sdist")},
			deps: []string{"pysocks@1.7.1", "urllib3@2.2.2"}, line: 3},
		{name: "pysocks", version: "1.7.1", src: reg, optional: true, hashes: []Hash{tlSHA("pysocks")}, line: 22},
		{name: "urllib3", version: "2.2.2", src: reg, hashes: []Hash{tlSHA("urllib3")}, line: 34},
		// groups without "main": only development groups install it.
		{name: "mypy", version: "1.11.0", src: reg, dev: true, hashes: []Hash{tlSHA("mypy")}, line: 45},
		{name: "vendored", version: "1.0.0", src: Source{Kind: SourceURL, URL: "https://downloads.example.org/vendored-1.0.0.tar.gz"},
			hashes: []Hash{tlSHA("vendored")}, line: 57},
	} {
		tlCheck(t, tlOne(t, lf, w.name, w.version), w)
	}
}

func TestPoetryLockPre10(t *testing.T) {
	lf := tlParse(t, "testdata/poetry/pre10/poetry.lock", FormatPoetryLock)
	if lf.FormatVersion != "" || len(lf.Packages) != 1 {
		t.Fatalf("version %q, %d packages", lf.FormatVersion, len(lf.Packages))
	}
	tlCheck(t, &lf.Packages[0], tlWant{name: "appdirs", version: "1.4.3", src: Source{Kind: SourceRegistry},
		hashes: []Hash{tlSHA("appdirs-whl"), tlSHA("appdirs-sdist")}, line: 1})
}

func TestPoetryLockPyprojectPEP621(t *testing.T) {
	dir := t.TempDir()
	lock := "[[package]]\nname = \"Requests\"\nversion = \"2.0.0\"\noptional = false\npython-versions = \"*\"\ngroups = [\"main\"]\nfiles = []\n\n[package.dependencies]\nidna = \"*\"\n\n" +
		"[[package]]\nname = \"idna\"\nversion = \"3.0\"\noptional = false\npython-versions = \"*\"\ngroups = [\"main\"]\nfiles = []\n\n" +
		"[[package]]\nname = \"ruff\"\nversion = \"0.5.0\"\noptional = false\npython-versions = \"*\"\ngroups = [\"lint\"]\nfiles = []\n\n" +
		"[metadata]\nlock-version = \"2.1\"\npython-versions = \">=3.9\"\ncontent-hash = \"00\"\n"
	pyproject := "[project]\nname = \"x\"\ndependencies = [\"requests[socks] (>=2.0)\"]\n\n[tool.poetry.group.lint.dependencies]\nRuff = \"^0.5\"\n"
	if err := os.WriteFile(filepath.Join(dir, "poetry.lock"), []byte(lock), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(pyproject), 0o644); err != nil {
		t.Fatal(err)
	}
	lf := tlParse(t, filepath.Join(dir, "poetry.lock"), FormatPoetryLock)
	r, i, ruff := tlOne(t, lf, "requests", "2.0.0"), tlOne(t, lf, "idna", "3.0"), tlOne(t, lf, "ruff", "0.5.0")
	if !r.Direct || i.Direct || !ruff.Direct || !ruff.Dev || r.Dev {
		t.Errorf("direct/dev: requests %v/%v idna %v ruff %v/%v", r.Direct, r.Dev, i.Direct, ruff.Direct, ruff.Dev)
	}
	if strings.Join(i.Chain, ",") != "requests@2.0.0" {
		t.Errorf("idna chain %q", i.Chain)
	}
}

func TestPoetryLockErrors(t *testing.T) {
	f := FormatPoetryLock
	tlWantError(t, f, "poetry.lock", "[[package]]\nname = \"a\"\n", 1, "package[0].version", "required key is missing")
	tlWantError(t, f, "poetry.lock", "[[package]]\nname = \"a\"\nversion = \"1\"\n\n[[package]]\nname = 7\nversion = \"1\"\n", 5, "package[1].name", "expected a string, found an integer")
	tlWantError(t, f, "poetry.lock", "[[package]]\nname = \"a\"\nversion = \"1\"\noptional = \"no\"\n", 1, "package[0].optional", "expected a boolean")
	tlWantError(t, f, "poetry.lock", "[[package]]\nname = \"a\"\nversion = \"1\"\nfiles = [{file = \"a.whl\", hash = \"deadbeef\"}]\n", 1, "package[0].files[0].hash", "malformed hash")
	tlWantError(t, f, "poetry.lock", "[[package]]\nname = \"a\"\nversion = \"1\"\n[package.source]\ntype = \"svn\"\nurl = \"x\"\n", 1, "package[0].source.type", "unknown source type")
	tlWantError(t, f, "poetry.lock", "[[package]]\nname = \"a\"\nversion = \"1\"\n[package.source]\ntype = \"git\"\n", 1, "package[0].source.url", "git source without url")
	tlWantError(t, f, "poetry.lock", "[[package]]\nname = \"a\"\nversion = \"1\"\n[package.dependencies]\nb = 3\n", 1, "package[0].dependencies.b", "expected a version constraint")
	tlWantError(t, f, "poetry.lock", "[metadata]\nlock-version = \"3.0\"\n", 2, "metadata.lock-version", "unsupported poetry.lock version")
	tlWantError(t, f, "poetry.lock", "[metadata.files]\na = [{file = \"a.whl\"}]\n", 2, "metadata.files.a[0].hash", "required key is missing")
	tlWantError(t, f, "poetry.lock", "package = 3\n", 1, "package", "expected an array of tables")
	tlWantError(t, f, "poetry.lock", "[[package]]\nname = \"a\"\nname = \"b\"\n", 3, "", "invalid TOML")
}

// TestPoetryCorpus parses the real poetry.lock files and compares the
// package count with a generic decode.
func TestPoetryCorpus(t *testing.T) {
	files, _ := filepath.Glob(corpusFile(t, "lockfiles/python/poetry/*/poetry.lock"))
	if len(files) < 5 {
		t.Fatalf("found %d corpus poetry.lock files", len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lf := tlParse(t, file, FormatPoetryLock)
		if want := tlCountTables(t, data, "package"); len(lf.Packages) != want {
			t.Errorf("%s: %d packages, generic decode counts %d", file, len(lf.Packages), want)
		}
		tlCheckGraph(t, lf)
		for _, p := range lf.Packages {
			if p.Version == "" || p.Line == 0 {
				t.Errorf("%s: %s has version %q line %d", file, p.Name, p.Version, p.Line)
			}
		}
		t.Logf("%s: lock %s, %d packages", file, lf.FormatVersion, len(lf.Packages))
	}
	// Spot checks.
	lf := tlParse(t, corpusFile(t, "lockfiles/python/poetry/poetry/poetry.lock"), FormatPoetryLock)
	core := tlOne(t, lf, "poetry-core", "")
	if core.Source.Kind != SourceGit || core.Source.Ref != "e3998b0e111dc03e4aa721fd054c48e5c7de6fc5" || core.Source.URL != "https://github.com/python-poetry/poetry-core.git" {
		t.Errorf("poetry-core source %+v", core.Source)
	}
	old := tlParse(t, corpusFile(t, "lockfiles/python/poetry/poetry-fixture-old-lock-v1.0/poetry.lock"), FormatPoetryLock)
	sp := tlOne(t, old, "sampleproject", "1.3.1")
	if len(sp.Hashes) != 3 || sp.Hashes[2] != (Hash{Algorithm: "sha256", Digest: "3593ca2f1e057279d70d6144b14472fb28035b1da213dde60906b703d6f82c55"}) {
		t.Errorf("sampleproject hashes %v", sp.Hashes)
	}
	v20 := tlParse(t, corpusFile(t, "lockfiles/python/poetry/poetry-fixture-outdated-lock-v2.0/poetry.lock"), FormatPoetryLock)
	docker := tlOne(t, v20, "docker", "4.3.0")
	if len(docker.Hashes) != 2 || len(docker.Deps) != 4 {
		t.Errorf("docker: %d hashes, deps %v", len(docker.Hashes), docker.Deps)
	}
}

func BenchmarkParsePoetry(b *testing.B) {
	benchParse(b, "lockfiles/python/poetry/poetry/poetry.lock", FormatPoetryLock)
}
