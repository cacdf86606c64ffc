package lockfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPylock(t *testing.T) {
	lf := tlParse(t, "testdata/pylock/project/pylock.toml", FormatPylock)
	if lf.FormatVersion != "1.0" || lf.Format != FormatPylock || lf.Ecosystem != PyPI || len(lf.Packages) != 10 {
		t.Fatalf("version %q format %q ecosystem %q, %d packages", lf.FormatVersion, lf.Format, lf.Ecosystem, len(lf.Packages))
	}
	if got := strings.Join(lf.Indexes, " "); got != "https://pypi.org/simple https://pkgs.example.org/simple" {
		t.Errorf("indexes %q", got)
	}
	tlCheckGraph(t, lf)
	pypi := Source{Kind: SourceRegistry, URL: "https://pypi.org/simple"}
	for _, w := range []tlWant{
		// directory "." is the project itself.
		{name: "demo", src: Source{Kind: SourceWorkspace, URL: "."}, deps: []string{"requests@2.32.3", "attrs@24.2.0"}, line: 9},
		// Hashes: the sdist's, then each wheel's, algorithms in name order.
		{name: "attrs", version: "24.2.0", src: pypi, direct: true, line: 17,
			hashes: []Hash{tlSHA("attrs-sdist"), {Algorithm: "md5", Digest: "0123456789abcdef0123456789abcdef"}, tlSHA("attrs-whl")}},
		{name: "requests", version: "2.32.3", src: pypi, direct: true, hashes: []Hash{tlSHA("requests-whl")},
			deps: []string{"urllib3@2.2.3", "idna@3.10"}, line: 36},
		{name: "urllib3", version: "2.2.3", src: Source{Kind: SourceURL, URL: "https://downloads.example.org/urllib3-2.2.3.tar.gz"},
			hashes: []Hash{tlSHA("urllib3-archive")}, chain: []string{"requests@2.32.3"}, line: 48},
		{name: "idna", version: "3.10", src: Source{Kind: SourceGit, URL: "https://github.com/kjd/idna.git", Ref: "89abcdef0123456789abcdef0123456789abcdef"},
			chain: []string{"requests@2.32.3"}, line: 53},
		// A platform marker decides nothing about dev or extras.
		{name: "idna", version: "3.7", src: Source{Kind: SourceRegistry, URL: "https://pkgs.example.org/simple"},
			hashes: []Hash{tlSHA("idna37")}, line: 58},
		// Direct: [dependency-groups] of pyproject.toml; Dev: 'dev' in dependency_groups.
		{name: "pytest", version: "8.3.3", src: pypi, direct: true, dev: true, hashes: []Hash{tlSHA("pytest-whl")}, line: 65},
		{name: "cryptography", version: "43.0.1", src: pypi, direct: true, optional: true, hashes: []Hash{tlSHA("crypto-whl")}, line: 74},
		// Installed by default on Python >= 3.10, so not dev.
		{name: "sibling", src: Source{Kind: SourcePath, URL: "../sibling"}, line: 83},
		{name: "local-archive", version: "1.0", src: Source{Kind: SourcePath, URL: "dist/local_archive-1.0.tar.gz"},
			hashes: []Hash{tlSHA("local-archive")}, line: 88},
	} {
		tlCheck(t, tlOne(t, lf, w.name, w.version), w)
	}
}

func TestPylockMarkers(t *testing.T) {
	defaults := map[string]bool{"default": true}
	for _, c := range []struct {
		marker        string
		dev, optional bool
	}{
		{"'dev' in dependency_groups", true, false},
		{"'Dev' in dependency_groups and python_version >= '3.9'", true, false},
		{"'dev' in dependency_groups or 'test' in dependency_groups", true, false},
		{"'default' in dependency_groups or 'dev' in dependency_groups", false, false},
		{"python_version < '3.8' or 'dev' in dependency_groups", false, false},
		{"'crypto' in extras", false, true},
		{"extra == \"crypto\"", false, true},
		{"('crypto' in extras or 'dev' in dependency_groups) and os_name == 'nt'", false, true},
		{"'dev' not in dependency_groups", false, false},
		{"sys_platform == 'win32'", false, false},
		{"(((('x' in extras))))", false, true},
	} {
		m, err := pylParseMarker(c.marker)
		if err != nil {
			t.Errorf("%s: %v", c.marker, err)
			continue
		}
		if dev, optional := m.devOptional(defaults); dev != c.dev || optional != c.optional {
			t.Errorf("%s: dev/optional %v/%v, want %v/%v", c.marker, dev, optional, c.dev, c.optional)
		}
	}
	for _, bad := range []string{"", "'a' in", "and", "'a' == 'b' or", "('a' in extras", "'a' in extras)", "a ! b", "'unterminated", "a not b", "a $ b", strings.Repeat("(", 100) + "a == b" + strings.Repeat(")", 100)} {
		if _, err := pylParseMarker(bad); err == nil {
			t.Errorf("pylParseMarker(%q) accepted", bad)
		}
	}
}

func TestPylockErrors(t *testing.T) {
	f := FormatPylock
	head := "lock-version = \"1.0\"\ncreated-by = \"t\"\n\n"
	pkg := head + "[[packages]]\nname = \"a\"\nversion = \"1\"\n"
	tlWantError(t, f, "pylock.toml", "created-by = \"t\"\npackages = []\n", 0, "lock-version", "required key is missing")
	tlWantError(t, f, "pylock.toml", "lock-version = \"2.0\"\ncreated-by = \"t\"\npackages = []\n", 1, "lock-version", "unsupported pylock.toml version")
	tlWantError(t, f, "pylock.toml", "lock-version = \"1.0\"\npackages = []\n", 0, "created-by", "required key is missing")
	tlWantError(t, f, "pylock.toml", head, 0, "packages", "required key is missing")
	tlWantError(t, f, "pylock.toml", pkg, 4, "packages[0]", "expected exactly one source")
	tlWantError(t, f, "pylock.toml", pkg+"directory = { path = \".\" }\narchive = { url = \"u\", hashes = { sha256 = \"00\" } }\n", 4, "packages[0]", "found 2")
	tlWantError(t, f, "pylock.toml", pkg+"wheels = [{ url = \"u\" }]\n", 4, "packages[0].wheels[0].hashes", "required key is missing")
	tlWantError(t, f, "pylock.toml", pkg+"sdist = { url = \"u\", hashes = {} }\n", 4, "packages[0].sdist.hashes", "no hash given")
	tlWantError(t, f, "pylock.toml", pkg+"sdist = { url = \"u\", hashes = { sha256 = 1 } }\n", 4, "packages[0].sdist.hashes.sha256", "expected a string")
	tlWantError(t, f, "pylock.toml", pkg+"vcs = { type = \"git\", url = \"u\" }\n", 4, "packages[0].vcs.commit-id", "required key is missing")
	tlWantError(t, f, "pylock.toml", pkg+"vcs = { type = \"git\", commit-id = \"c\" }\n", 4, "packages[0].vcs", "one of url and path is required")
	tlWantError(t, f, "pylock.toml", pkg+"directory = { editable = true }\n", 4, "packages[0].directory.path", "required key is missing")
	tlWantError(t, f, "pylock.toml", pkg+"marker = \"os_name ==\"\ndirectory = { path = \".\" }\n", 4, "packages[0].marker", "malformed marker")
	tlWantError(t, f, "pylock.toml", pkg+"directory = { path = \".\" }\n[[packages.attestation-identities]]\nrepository = \"x\"\n", 4, "packages[0].attestation-identities[0].kind", "required key is missing")
	tlWantError(t, f, "pylock.toml", head+"[[packages]]\nversion = \"1\"\n", 4, "packages[0].name", "required key is missing")
}

func TestPylockCorpus(t *testing.T) {
	files, _ := filepath.Glob(corpusFile(t, "lockfiles/python/pylock/*/pylock.toml"))
	if len(files) < 2 {
		t.Fatalf("found %d corpus pylock.toml files", len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lf := tlParse(t, file, FormatPylock)
		if want := tlCountTables(t, data, "packages"); len(lf.Packages) != want {
			t.Errorf("%s: %d packages, generic decode counts %d", file, len(lf.Packages), want)
		}
		tlCheckGraph(t, lf)
		for _, p := range lf.Packages {
			if len(p.Hashes) == 0 || p.Line == 0 || p.Source.Kind != SourceRegistry {
				t.Errorf("%s: %s: hashes %d line %d source %+v", file, p.ID, len(p.Hashes), p.Line, p.Source)
			}
		}
		t.Logf("%s: %d packages", file, len(lf.Packages))
	}
	lf := tlParse(t, corpusFile(t, "lockfiles/python/pylock/pipenv/pylock.toml"), FormatPylock)
	if p := tlOne(t, lf, "pytz", "2026.1.post1"); p.Dev || len(p.Hashes) != 2 {
		t.Errorf("pytz dev %v hashes %v", p.Dev, p.Hashes)
	}
	if p := tlOne(t, lf, "alabaster", "1.0.0"); !p.Dev {
		t.Error("alabaster ('dev' in dependency_groups) is not Dev")
	}
	ex := tlParse(t, corpusFile(t, "lockfiles/python/pylock/pipenv-examples/pylock.toml"), FormatPylock)
	if p := tlOne(t, ex, "cryptography", ""); !p.Optional || p.Dev {
		t.Errorf("cryptography ('crypto' in extras) optional/dev %v/%v", p.Optional, p.Dev)
	}
	if p := tlOne(t, ex, "pytest", ""); p.Optional || !p.Dev {
		t.Errorf("pytest optional/dev %v/%v", p.Optional, p.Dev)
	}
}

func BenchmarkParsePylock(b *testing.B) {
	benchParse(b, "lockfiles/python/pylock/pipenv/pylock.toml", FormatPylock)
}
