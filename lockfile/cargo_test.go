package lockfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const tlCratesIO = "https://github.com/rust-lang/crates.io-index"

func TestCargoLockV1(t *testing.T) {
	lf := tlParse(t, "testdata/cargo/v1/Cargo.lock", FormatCargoLock)
	if lf.FormatVersion != "1" || lf.Format != FormatCargoLock || lf.Ecosystem != CratesIO || len(lf.Packages) != 4 {
		t.Fatalf("version %q format %q ecosystem %q, %d packages", lf.FormatVersion, lf.Format, lf.Ecosystem, len(lf.Packages))
	}
	if strings.Join(lf.Indexes, " ") != tlCratesIO {
		t.Errorf("indexes %q", lf.Indexes)
	}
	tlCheckGraph(t, lf)
	reg := Source{Kind: SourceRegistry, URL: tlCratesIO}
	for _, w := range []tlWant{
		// No Cargo.toml next to the lockfile: sourceless is a member.
		{name: "app", version: "0.1.0", src: Source{Kind: SourceWorkspace},
			deps: []string{"itoa@0.4.8", "serde@1.0.130", "gitdep@0.2.0"}, line: 1},
		{name: "gitdep", version: "0.2.0", direct: true, deps: []string{"itoa@0.4.8"}, line: 10,
			src: Source{Kind: SourceGit, URL: "https://github.com/example/gitdep?branch=main", Ref: "0123456789abcdef0123456789abcdef01234567"}},
		// The checksum comes from [metadata].
		{name: "itoa", version: "0.4.8", src: reg, direct: true, hashes: []Hash{tlSHA("itoa")}, line: 18},
		// "<none>": no checksum.
		{name: "serde", version: "1.0.130", src: reg, direct: true, deps: []string{"itoa@0.4.8"}, line: 23},
	} {
		tlCheck(t, tlOne(t, lf, w.name, w.version), w)
	}
}

func TestCargoLockV3(t *testing.T) {
	lf := tlParse(t, "testdata/cargo/v3/Cargo.lock", FormatCargoLock)
	// [[patch.unused]] entries are not installed and not counted.
	if lf.FormatVersion != "3" || len(lf.Packages) != 6 {
		t.Fatalf("version %q, %d packages", lf.FormatVersion, len(lf.Packages))
	}
	if strings.Join(lf.Indexes, " ") != "sparse+https://index.crates.io/" {
		t.Errorf("indexes %q", lf.Indexes)
	}
	tlCheckGraph(t, lf)
	sparse := Source{Kind: SourceRegistry, URL: "sparse+https://index.crates.io/"}
	bytes := tlFind(lf, "bytes", "1.2.1")
	if len(bytes) != 2 {
		t.Fatalf("%d bytes 1.2.1", len(bytes))
	}
	tlCheck(t, tlOne(t, lf, "bytes", "0.6.0"), tlWant{name: "bytes", version: "0.6.0", src: sparse, direct: true, hashes: []Hash{tlSHA("bytes06")}, line: 5})
	tlCheck(t, bytes[0], tlWant{name: "bytes", version: "1.2.1", direct: true, line: 11,
		src: Source{Kind: SourceGit, URL: "https://github.com/example/bytes?rev=abc", Ref: "89abcdef0123456789abcdef0123456789abcdef"}})
	// Only other@2.0.0 depends on it, and nothing on other.
	tlCheck(t, bytes[1], tlWant{name: "bytes", version: "1.2.1", src: sparse, hashes: []Hash{tlSHA("bytes121")}, line: 16})
	tlCheck(t, tlOne(t, lf, "helper", "0.1.0"), tlWant{name: "helper", version: "0.1.0", src: Source{Kind: SourceWorkspace}, line: 22})
	// "missing-crate" is in no [[package]]: ignored, as Cargo does.
	tlCheck(t, tlOne(t, lf, "main-crate", "0.1.0"), tlWant{name: "main-crate", version: "0.1.0", src: Source{Kind: SourceWorkspace},
		deps: []string{"bytes@0.6.0", "bytes@1.2.1", "helper@0.1.0"}, line: 26})
	tlCheck(t, tlOne(t, lf, "other", "2.0.0"), tlWant{name: "other", version: "2.0.0", src: sparse, hashes: []Hash{tlSHA("other")},
		deps: []string{"bytes@1.2.1#2"}, line: 36})
}

func TestCargoLockWorkspaceManifest(t *testing.T) {
	lf := tlParse(t, "testdata/cargo/ws/Cargo.lock", FormatCargoLock)
	if lf.FormatVersion != "4" || len(lf.Packages) != 6 {
		t.Fatalf("version %q, %d packages", lf.FormatVersion, len(lf.Packages))
	}
	tlCheckGraph(t, lf)
	ws := Source{Kind: SourceWorkspace}
	for _, w := range []tlWant{
		// A member through the "crates/*" glob.
		{name: "app", version: "0.1.0", src: ws, deps: []string{"inner@0.1.0", "serde@1.0.210"}, line: 5},
		// A path dependency inside the workspace folder is a member too.
		{name: "inner", version: "0.1.0", src: ws, line: 13},
		// A path dependency outside it is not.
		{name: "outside", version: "0.3.0", src: Source{Kind: SourcePath}, direct: true, deps: []string{"serde@1.0.210"}, line: 17},
		{name: "root-app", version: "1.0.0", src: ws, deps: []string{"app@0.1.0", "outside@0.3.0", "util-crate@0.2.0"}, line: 24},
		{name: "serde", version: "1.0.210", src: Source{Kind: SourceRegistry, URL: tlCratesIO}, direct: true, hashes: []Hash{tlSHA("serde")}, line: 33},
		// Member folder crates/util, package util-crate.
		{name: "util-crate", version: "0.2.0", src: ws, line: 39},
	} {
		tlCheck(t, tlOne(t, lf, w.name, w.version), w)
	}
}

func TestCargoSource(t *testing.T) {
	for in, want := range map[string]Source{
		"registry+https://github.com/rust-lang/crates.io-index": {Kind: SourceRegistry, URL: tlCratesIO},
		"sparse+https://index.crates.io/":                       {Kind: SourceRegistry, URL: "sparse+https://index.crates.io/"},
		"git+https://github.com/a/b#0123":                       {Kind: SourceGit, URL: "https://github.com/a/b", Ref: "0123"},
		"git+https://github.com/a/b?tag=v1":                     {Kind: SourceGit, URL: "https://github.com/a/b?tag=v1"},
		"path+file:///src/x":                                    {Kind: SourcePath, URL: "file:///src/x"},
	} {
		got, err := cargoSource(in)
		if err != nil || got != want {
			t.Errorf("cargoSource(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"registry", "registry+", "svn+https://x", "+x"} {
		if _, err := cargoSource(bad); err == nil {
			t.Errorf("cargoSource(%q) accepted", bad)
		}
	}
}

func TestCargoLockErrors(t *testing.T) {
	f := FormatCargoLock
	pkg := "[[package]]\nname = \"a\"\nversion = \"1.0.0\"\n"
	tlWantError(t, f, "Cargo.lock", "version = 5\n", 1, "version", "unsupported Cargo.lock version 5")
	tlWantError(t, f, "Cargo.lock", "version = \"3\"\n", 1, "version", "expected an integer")
	tlWantError(t, f, "Cargo.lock", "version = 3\n\n[[package]]\nname = \"a\"\n", 3, "package[0].version", "required key is missing")
	tlWantError(t, f, "Cargo.lock", "version = 3\n\n"+pkg+"source = \"svn+https://x\"\n", 3, "package[0].source", `unknown source kind "svn"`)
	tlWantError(t, f, "Cargo.lock", "version = 3\n\n"+pkg+"source = \"\"\n", 3, "package[0].source", "malformed source")
	tlWantError(t, f, "Cargo.lock", "version = 3\n\n"+pkg+"dependencies = [1]\n", 3, "package[0].dependencies[0]", "expected a string")
	tlWantError(t, f, "Cargo.lock", "version = 3\n\n"+pkg+"dependencies = [\"b 1.0 registry+x\"]\n", 3, "package[0].dependencies[0]", "malformed package reference")
	tlWantError(t, f, "Cargo.lock", "version = 3\n\n"+pkg+"\n"+pkg, 7, "package[1]", "package a 1.0.0 is listed twice")
	tlWantError(t, f, "Cargo.lock", pkg+"source = \"registry+x\"\nchecksum = \"00\"\n\n[metadata]\n\"checksum a 1.0.0 (registry+x)\" = \"00\"\n", 7, "metadata", "checksums both in [[package]] and in [metadata]")
	tlWantError(t, f, "Cargo.lock", "[metadata]\n\"checksum a 1.0.0 (registry+x\" = \"00\"\n", 2, "metadata.checksum a 1.0.0 (registry+x", "malformed package reference")
	tlWantError(t, f, "Cargo.lock", "[metadata]\n\"checksum a 1.0.0 (registry+x)\" = 0\n", 2, "metadata.checksum a 1.0.0 (registry+x)", "expected a string")
	tlWantError(t, f, "Cargo.lock", "version = 3\n[[package]]\nname = \"a\"\n[package]\n", 4, "", "invalid TOML")
}

// tlCargoCorpusFiles lists the corpus's Cargo.lock files, including the
// rustsec fixtures named Cargo.lock.<variant>.
func tlCargoCorpusFiles(t *testing.T) []string {
	var files []string
	root := corpusFile(t, "lockfiles/cargo")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), "Cargo.lock") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestCargoCorpus(t *testing.T) {
	files := tlCargoCorpusFiles(t)
	if len(files) < 20 {
		t.Fatalf("found %d corpus Cargo.lock files", len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		// rustsec-cargo-lock-fixtures/Cargo.lock is a git symlink stored
		// as a file holding its target's name.
		if target := strings.TrimSpace(string(data)); len(data) < 64 && strings.HasPrefix(target, "Cargo.lock.") {
			t.Logf("%s: symlink placeholder for %s, checked with its target", file, target)
			continue
		}
		lf := tlParse(t, file, FormatCargoLock)
		want := tlCountTables(t, data, "package")
		if strings.Contains(string(data), "\n[root]") {
			want++
		}
		if len(lf.Packages) != want {
			t.Errorf("%s: %d packages, generic decode counts %d", file, len(lf.Packages), want)
		}
		tlCheckGraph(t, lf)
		for _, p := range lf.Packages {
			if p.Line == 0 || (p.Source.Kind == SourceRegistry && len(p.Hashes) != 1) {
				t.Errorf("%s: %s line %d hashes %v", file, p.ID, p.Line, p.Hashes)
			}
		}
		t.Logf("%s: version %s, %d packages", file, lf.FormatVersion, len(lf.Packages))
	}
	for v, want := range map[string]string{"v1": "1", "v2": "2", "v3": "3", "v4": "4"} {
		lf := tlParse(t, corpusFile(t, "lockfiles/cargo/rustsec-cargo-lock-fixtures/Cargo.lock."+v), FormatCargoLock)
		if lf.FormatVersion != want {
			t.Errorf("Cargo.lock.%s: version %q", v, lf.FormatVersion)
		}
	}
	v1 := tlParse(t, corpusFile(t, "lockfiles/cargo/rustsec-cargo-lock-fixtures/Cargo.lock.v1"), FormatCargoLock)
	if p := tlOne(t, v1, "adler32", "1.0.4"); len(p.Hashes) != 1 || p.Hashes[0].Digest != "5d2e7343e7fc9de883d1b0341e0b13970f764c14101234857d2ddafa1cb1cac2" || len(p.Chain) == 0 {
		t.Errorf("adler32 (v1): hashes %v chain %v", p.Hashes, p.Chain)
	}
	// cargo-deny's example has a Cargo.toml: its package is the member.
	deny := tlParse(t, corpusFile(t, "lockfiles/cargo/cargo-deny-advisories-example-v3/Cargo.lock"), FormatCargoLock)
	if p := tlOne(t, deny, "advisories", "0.1.0"); p.Source.Kind != SourceWorkspace {
		t.Errorf("advisories source %+v", p.Source)
	}
	if p := tlOne(t, deny, "ammonia", "0.7.0"); !p.Direct {
		t.Error("ammonia 0.7.0 is not direct")
	}
	if ps := tlFind(deny, "ammonia", "1.2.0"); len(ps) != 1 || ps[0].Direct || len(ps[0].Chain) == 0 {
		t.Errorf("ammonia 1.2.0 (through artifact_serde): %v", ps)
	}
	sd := tlParse(t, corpusFile(t, "lockfiles/cargo/rustsec-cargo-lock-fixtures/source_disambiguation/Cargo.lock.single_version_different_source_types"), FormatCargoLock)
	if ex := tlOne(t, sd, "example", "0.1.0"); strings.Join(ex.Deps, " ") != "bytes@1.2.1#1 bytestring@1.1.0" {
		t.Errorf("example deps %q", ex.Deps)
	}
}

func BenchmarkParseCargo(b *testing.B) {
	benchParse(b, "lockfiles/cargo/cargo-audit-fixtures/branch-regression/Cargo.lock", FormatCargoLock)
}
