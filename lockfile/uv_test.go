package lockfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUVLock(t *testing.T) {
	lf := tlParse(t, "testdata/uv/project/uv.lock", FormatUVLock)
	if lf.FormatVersion != "1" || lf.Format != FormatUVLock || lf.Ecosystem != PyPI || len(lf.Packages) != 13 {
		t.Fatalf("version %q format %q ecosystem %q, %d packages", lf.FormatVersion, lf.Format, lf.Ecosystem, len(lf.Packages))
	}
	if got := strings.Join(lf.Indexes, " "); got != "https://pypi.org/simple https://pkgs.example.org/simple" {
		t.Errorf("indexes %q", got)
	}
	tlCheckGraph(t, lf)
	pypi := Source{Kind: SourceRegistry, URL: "https://pypi.org/simple"}
	private := Source{Kind: SourceRegistry, URL: "https://pkgs.example.org/simple"}
	six := tlFind(lf, "six", "1.16.0")
	if len(six) != 2 {
		t.Fatalf("%d six entries", len(six))
	}
	for _, w := range []tlWant{
		{name: "certifi", version: "2024.8.30", src: pypi, hashes: []Hash{tlSHA("certifi-sdist"), tlSHA("certifi-whl")},
			chain: []string{"requests@2.32.3"}, line: 11},
		// The project itself: its dependencies, extras and groups.
		{name: "demo", version: "0.1.0", src: Source{Kind: SourceWorkspace, URL: "."},
			deps: []string{"demo-lib", "requests@2.32.3", "six@1.16.0#9", "orjson@3.10.7", "pytest@8.3.3", "tool@0.5.0"}, line: 20},
		// A workspace member ([manifest] members) with a dynamic version.
		{name: "demo-lib", version: "", src: Source{Kind: SourceWorkspace, URL: "packages/demo-lib"},
			deps: []string{"localwheel@0.1.0", "six@1.16.0"}, line: 58},
		{name: "localwheel", version: "0.1.0", src: Source{Kind: SourcePath, URL: "wheels/localwheel-0.1.0-py3-none-any.whl"},
			direct: true, hashes: []Hash{tlSHA("localwheel")}, line: 66},
		// Only the project's "fast" extra brings it.
		{name: "orjson", version: "3.10.7", src: pypi, direct: true, optional: true,
			hashes: []Hash{tlSHA("orjson-sdist"), tlSHA("orjson-whl1"), tlSHA("orjson-whl2")}, line: 74},
		// Only the dev group asks for requests[socks].
		{name: "pysocks", version: "1.7.1", src: pypi, dev: true, hashes: []Hash{tlSHA("pysocks-sdist")},
			chain: []string{"requests@2.32.3"}, line: 84},
		{name: "pytest", version: "8.3.3", src: pypi, direct: true, dev: true, hashes: []Hash{tlSHA("pytest-sdist")},
			deps: []string{"tomli@2.0.1"}, line: 90},
		{name: "requests", version: "2.32.3", src: pypi, direct: true, hashes: []Hash{tlSHA("requests-sdist")},
			deps: []string{"certifi@2024.8.30", "urllib3@2.2.3", "pysocks@1.7.1"}, line: 99},
		{name: "tomli", version: "2.0.1", dev: true,
			src:   Source{Kind: SourceGit, URL: "https://github.com/hukkin/tomli?rev=2.0.1", Ref: "0123456789abcdef0123456789abcdef01234567"},
			chain: []string{"pytest@8.3.3"}, line: 126},
		{name: "tool", version: "0.5.0", src: Source{Kind: SourcePath, URL: "../tool"}, direct: true, dev: true, line: 131},
		{name: "urllib3", version: "2.2.3", src: Source{Kind: SourceURL, URL: "https://downloads.example.org/urllib3-2.2.3.tar.gz"},
			hashes: []Hash{tlSHA("urllib3-sdist")}, chain: []string{"requests@2.32.3"}, line: 136},
	} {
		tlCheck(t, tlOne(t, lf, w.name, w.version), w)
	}
	// Two six 1.16.0 from two indexes: references with version and source
	// pick the right one.
	tlCheck(t, six[0], tlWant{name: "six", version: "1.16.0", src: private, direct: true, hashes: []Hash{tlSHA("six-private")}, line: 114})
	tlCheck(t, six[1], tlWant{name: "six", version: "1.16.0", src: pypi, direct: true, hashes: []Hash{tlSHA("six-pypi")}, line: 120})
	if six[0].ID != "six@1.16.0" || six[1].ID != "six@1.16.0#9" || six[0].Path != "package[8]" {
		t.Errorf("six IDs %q %q path %q", six[0].ID, six[1].ID, six[0].Path)
	}
}

func TestUVLockExtrasOfDependencies(t *testing.T) {
	// b[x] is asked for by the root, so c (b's extra x) is a plain
	// dependency; d is in b's extra y, which nothing asks for.
	lock := `version = 1
requires-python = ">=3.9"

[[package]]
name = "a"
version = "1.0"
source = { virtual = "." }
dependencies = [{ name = "b", extra = ["x"] }]

[[package]]
name = "b"
version = "1.0"
source = { registry = "https://pypi.org/simple" }

[package.optional-dependencies]
x = [{ name = "c" }]
y = [{ name = "d" }]

[[package]]
name = "c"
version = "1.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "d"
version = "1.0"
source = { registry = "https://pypi.org/simple" }
`
	lf, err := ParseBytes("uv.lock", []byte(lock), FormatUVLock)
	if err != nil {
		t.Fatal(err)
	}
	c, d := tlOne(t, lf, "c", "1.0"), tlOne(t, lf, "d", "1.0")
	if c.Dev || c.Optional || d.Dev || d.Optional || strings.Join(c.Chain, ",") != "b@1.0" {
		t.Errorf("c %v/%v %q, d %v/%v", c.Dev, c.Optional, c.Chain, d.Dev, d.Optional)
	}
	if a := tlOne(t, lf, "a", "1.0"); a.Source.Kind != SourceWorkspace || a.Source.URL != "." {
		t.Errorf("a source %+v", a.Source)
	}
}

func TestUVLockErrors(t *testing.T) {
	f := FormatUVLock
	pkg := "[[package]]\nname = \"a\"\nversion = \"1\"\n"
	tlWantError(t, f, "uv.lock", pkg, 0, "version", "required key is missing")
	tlWantError(t, f, "uv.lock", "version = \"1\"\n", 1, "version", "expected an integer")
	tlWantError(t, f, "uv.lock", "version = 2\n", 1, "version", "unsupported uv.lock version 2")
	tlWantError(t, f, "uv.lock", "version = 1\n\n"+pkg, 3, "package[0].source", "required key is missing")
	tlWantError(t, f, "uv.lock", "version = 1\n\n"+pkg+"source = { registry = \"x\", git = \"y\" }\n", 3, "package[0].source", "exactly one of")
	tlWantError(t, f, "uv.lock", "version = 1\n\n"+pkg+"source = { registry = 1 }\n", 3, "package[0].source.registry", "expected a string")
	tlWantError(t, f, "uv.lock", "version = 1\n\n"+pkg+"source = { registry = \"x\" }\ndependencies = [{ name = \"b\" }]\n", 3, "package[0].dependencies[0]", `dependency "b" is not in the lockfile`)
	tlWantError(t, f, "uv.lock", "version = 1\n\n"+pkg+"source = { registry = \"x\" }\ndependencies = [{ version = \"1\" }]\n", 3, "package[0].dependencies[0].name", "required key is missing")
	tlWantError(t, f, "uv.lock", "version = 1\n\n"+pkg+"source = { registry = \"x\" }\nsdist = { hash = \"abc\" }\n", 3, "package[0].sdist.hash", "malformed hash")
	tlWantError(t, f, "uv.lock", "version = 1\n\n"+pkg+"source = { registry = \"x\" }\nwheels = [{ size = \"big\" }]\n", 3, "package[0].wheels[0].size", "expected an integer")
	tlWantError(t, f, "uv.lock", "version = 1\n\n[[distribution]]\nname = \"a\"\n", 3, "distribution", "pre-release uv")
	tlWantError(t, f, "uv.lock", "version = 1\n[[package]\n", 2, "", "invalid TOML")
}

func TestUVCorpus(t *testing.T) {
	files, _ := filepath.Glob(corpusFile(t, "lockfiles/python/uv/*/uv.lock"))
	if len(files) < 2 {
		t.Fatalf("found %d corpus uv.lock files", len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lf := tlParse(t, file, FormatUVLock)
		// Every [[package]] table is a package, the project's own included.
		if want := tlCountTables(t, data, "package"); len(lf.Packages) != want {
			t.Errorf("%s: %d packages, generic decode counts %d", file, len(lf.Packages), want)
		}
		tlCheckGraph(t, lf)
		ws := 0
		for _, p := range lf.Packages {
			if p.Source.Kind == SourceWorkspace {
				ws++
			} else if len(p.Hashes) == 0 || p.Line == 0 {
				t.Errorf("%s: %s has no hashes or line", file, p.ID)
			}
		}
		if ws != 1 {
			t.Errorf("%s: %d workspace entries", file, ws)
		}
		t.Logf("%s: %d packages", file, len(lf.Packages))
	}
	lf := tlParse(t, corpusFile(t, "lockfiles/python/uv/flask/uv.lock"), FormatUVLock)
	flask := tlOne(t, lf, "flask", "")
	if flask.Source != (Source{Kind: SourceWorkspace, URL: "."}) {
		t.Errorf("flask source %+v", flask.Source)
	}
	werkzeug := tlOne(t, lf, "werkzeug", "")
	if !werkzeug.Direct || werkzeug.Dev || werkzeug.Optional {
		t.Errorf("werkzeug direct/dev/optional %v/%v/%v", werkzeug.Direct, werkzeug.Dev, werkzeug.Optional)
	}
	if dotenv := tlOne(t, lf, "python-dotenv", ""); !dotenv.Optional || dotenv.Dev {
		t.Errorf("python-dotenv (extra dotenv, also in groups) optional/dev %v/%v", dotenv.Optional, dotenv.Dev)
	}
	if sphinx := tlFind(lf, "sphinx", ""); len(sphinx) != 2 || !sphinx[0].Dev || !sphinx[1].Dev {
		t.Errorf("sphinx: %d entries", len(sphinx))
	}
}

func BenchmarkParseUV(b *testing.B) {
	benchParse(b, "lockfiles/python/uv/flask/uv.lock", FormatUVLock)
}
