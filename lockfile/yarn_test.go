package lockfile

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// jsWant is what a test expects of one package, found by its Path.
type jsWant struct {
	Name, Version string
	Kind          SourceKind
	URL, Ref      string
	Hashes        []Hash
	Direct        bool
	Dev           bool
	Optional      bool
	InstallScript *bool
	Chain         []string
	Line          int
}

func jsBool(b bool) *bool { return &b }

// jsCheck compares every field of every package with want, keyed by Path,
// and fails on packages want does not list.
func jsCheck(t *testing.T, lf *Lockfile, want map[string]jsWant) {
	t.Helper()
	got := map[string]*Package{}
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if _, dup := got[p.Path]; dup {
			t.Errorf("two packages with Path %q", p.Path)
		}
		got[p.Path] = p
		if p.Ecosystem != NPM {
			t.Errorf("%s: ecosystem %q", p.Path, p.Ecosystem)
		}
		if _, ok := want[p.Path]; !ok {
			t.Errorf("unexpected package %q (%s@%s)", p.Path, p.Name, p.Version)
		}
	}
	for path, w := range want {
		p := got[path]
		if p == nil {
			t.Errorf("missing package %q", path)
			continue
		}
		if p.Name != w.Name || p.Version != w.Version {
			t.Errorf("%s: name@version %s@%s, want %s@%s", path, p.Name, p.Version, w.Name, w.Version)
		}
		if p.Source != (Source{Kind: w.Kind, URL: w.URL, Ref: w.Ref}) {
			t.Errorf("%s: source %+v, want %+v", path, p.Source, Source{Kind: w.Kind, URL: w.URL, Ref: w.Ref})
		}
		if !(len(p.Hashes) == 0 && len(w.Hashes) == 0) && !reflect.DeepEqual(p.Hashes, w.Hashes) {
			t.Errorf("%s: hashes %v, want %v", path, p.Hashes, w.Hashes)
		}
		if p.Direct != w.Direct || p.Dev != w.Dev || p.Optional != w.Optional {
			t.Errorf("%s: direct/dev/optional %v/%v/%v, want %v/%v/%v", path, p.Direct, p.Dev, p.Optional, w.Direct, w.Dev, w.Optional)
		}
		if (p.InstallScript == nil) != (w.InstallScript == nil) || (p.InstallScript != nil && *p.InstallScript != *w.InstallScript) {
			t.Errorf("%s: installScript %v, want %v", path, fmtBoolPtr(p.InstallScript), fmtBoolPtr(w.InstallScript))
		}
		if !(len(p.Chain) == 0 && len(w.Chain) == 0) && !reflect.DeepEqual(p.Chain, w.Chain) {
			t.Errorf("%s: chain %q, want %q", path, p.Chain, w.Chain)
		}
		if p.Line != w.Line {
			t.Errorf("%s: line %d, want %d", path, p.Line, w.Line)
		}
		if p.Bundled || p.Requirement != "" {
			t.Errorf("%s: unexpected bundled=%v requirement=%q", path, p.Bundled, p.Requirement)
		}
	}
}

func fmtBoolPtr(b *bool) string {
	if b == nil {
		return "nil"
	}
	if *b {
		return "true"
	}
	return "false"
}

// jsParseError asserts err is a *ParseError at line (0: any) mentioning all
// of the substrings, and never an internal error.
func jsParseError(t *testing.T, err error, line int, subs ...string) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *ParseError", err, err)
	}
	if strings.Contains(err.Error(), "internal error") {
		t.Fatalf("internal error: %v", err)
	}
	if line != 0 && pe.Line != line {
		t.Errorf("error %q: line %d, want %d", err, pe.Line, line)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
}

func sri(s string) []Hash { return ParseSRI(s) }

const (
	yarnSRIRealPkg  = "sha1-j+Te26Yx/BwylTwQl+HmgoEMgcI= sha512-brou+k+9m3STWFAt34z+PlmTen7WWpioiBR7Kfm+LGj3poG1+eD1Zy23hdSpnvm4AUr0B8XyqSts51U220VBhQ=="
	yarnSRIDevtool  = "sha512-N2mWcPlym1RQZJqnYnZIVf9sJP43dmddaghRHpkNbndVD3MnlS56Ly8KQbwvhF16fvWtgW56PgSDHa0OAQV8ug=="
	yarnSRIFsx      = "sha512-TKgx65JEE11COkRSiaYeBT5jcUTVkU2pnV2z1jHk3WdlPunDU2swkVGy6vzmSJ7I2ymrwwN8z9M6OFpbCqMKIg=="
	yarnSRILeftPad  = "sha512-XRcglhh3p2lHAu4gFg75i5owZ3/uttIZh11iKj+W2fqc4Iu8OvwIHkDSftaw4gURo0WA2fT2oguwTa4HChLwJw=="
	yarnSRIOrphan   = "sha512-dDvfOdNgaWSRGxxq+ETmunL/NiSYNm4qln7aNrjL2GhnnXfXLp2vXDH92I1dXL2n3N2bGcT9R9Vhfkjmjt/lTA=="
	yarnSRIShared   = "sha512-IDo+gkxEwZHGPilvuXd/3tWgPPN7CH3d79hj6KV5+N0SnjoRg+4oYIYf3j/A+iGqtLFiPL4nysO0F8c57XI0kw=="
	yarnCommit      = "0123456789abcdef0123456789abcdef01234567"
	yarnRegistryURL = "https://npm-registry.invalid/"
)

func yarnClassicWant(withManifest bool) map[string]jsWant {
	w := map[string]jsWant{
		"alias-pkg@npm:real-pkg@^2.0.0": {Name: "real-pkg", Version: "2.1.0", Kind: SourceRegistry,
			URL: yarnRegistryURL + "real-pkg/-/real-pkg-2.1.0.tgz", Hashes: sri(yarnSRIRealPkg), Direct: true, Line: 6},
		"devtool@^3.0.0": {Name: "devtool", Version: "3.0.1", Kind: SourceRegistry,
			URL: yarnRegistryURL + "devtool/-/devtool-3.0.1.tgz", Hashes: sri(yarnSRIDevtool), Direct: true, Dev: true, Line: 11},
		"fsx@^1.0.0": {Name: "fsx", Version: "1.0.2", Kind: SourceRegistry,
			URL: yarnRegistryURL + "fsx/-/fsx-1.0.2.tgz", Hashes: sri(yarnSRIFsx), Direct: true, Optional: true, Line: 21},
		"gitdep@github:owner/gitdep#v1": {Name: "gitdep", Version: "1.0.0", Kind: SourceGit,
			URL: "https://codeload.github.com/owner/gitdep/tar.gz/" + yarnCommit, Ref: yarnCommit, Direct: true, Line: 26},
		// no integrity: the #sha1 fragment of resolved is the only hash
		"helper@^1.0.0": {Name: "helper", Version: "1.2.0", Kind: SourceRegistry,
			URL: yarnRegistryURL + "helper/-/helper-1.2.0.tgz", Hashes: []Hash{{Algorithm: "sha1", Digest: "623c73a6f24d88d84d2235c8a639c80b80004b70"}},
			Dev: true, Chain: []string{"devtool@3.0.1"}, Line: 30},
		"left-pad@^1.0.0, left-pad@^1.3.0": {Name: "left-pad", Version: "1.3.0", Kind: SourceRegistry,
			URL: yarnRegistryURL + "left-pad/-/left-pad-1.3.0.tgz", Hashes: sri(yarnSRILeftPad), Direct: true, Line: 34},
		"local@file:./local": {Name: "local", Version: "0.1.0", Kind: SourcePath, URL: "./local", Direct: true, Line: 41},
		// not reachable from the manifest: neither direct nor dev
		"orphan@https://example.invalid/orphan-9.0.0.tar.gz": {Name: "orphan", Version: "9.0.0", Kind: SourceURL,
			URL: "https://example.invalid/orphan-9.0.0.tar.gz", Hashes: sri(yarnSRIOrphan), Line: 44},
		// resolved without a commit; the key pins it
		"@scope/repo@git+ssh://git@github.com/owner/repo.git#" + yarnCommit: {Name: "@scope/repo", Version: "4.0.0", Kind: SourceGit,
			URL: "git+ssh://git@github.com/owner/repo.git", Ref: yarnCommit, Direct: true, Line: 49},
		// reached from left-pad (prod) and devtool (dev): not dev
		"shared@^1.0.0, shared@^1.1.0": {Name: "shared", Version: "1.1.0", Kind: SourceRegistry,
			URL: yarnRegistryURL + "shared/-/shared-1.1.0.tgz", Hashes: sri(yarnSRIShared), Chain: []string{"devtool@3.0.1"}, Line: 53},
	}
	if !withManifest {
		for k, v := range w {
			v.Direct, v.Dev, v.Optional, v.Chain = false, false, false, nil
			w[k] = v
		}
	}
	return w
}

func TestYarnClassic(t *testing.T) {
	lf, err := ParseAs(filepath.Join("testdata", "yarn", "classic", "yarn.lock"), FormatYarn)
	if err != nil {
		t.Fatal(err)
	}
	if lf.Format != FormatYarn || lf.Ecosystem != NPM || lf.FormatVersion != "1" {
		t.Errorf("format %q ecosystem %q version %q", lf.Format, lf.Ecosystem, lf.FormatVersion)
	}
	jsCheck(t, lf, yarnClassicWant(true))
	// Deps resolve "name@range" through the entries' key lists.
	for _, p := range lf.Packages {
		if p.Name == "devtool" && len(p.Deps) != 3 {
			t.Errorf("devtool deps %v, want helper, shared and fsx", p.Deps)
		}
	}
}

func TestYarnClassicWithoutManifest(t *testing.T) {
	lf, err := ParseAs(filepath.Join("testdata", "yarn", "classic-nomanifest", "yarn.lock"), FormatYarn)
	if err != nil {
		t.Fatal(err)
	}
	jsCheck(t, lf, yarnClassicWant(false))
	if len(lf.Roots) != 0 {
		t.Errorf("roots %v without a package.json", lf.Roots)
	}
}

func TestYarnBerry(t *testing.T) {
	lf, err := ParseAs(filepath.Join("testdata", "yarn", "berry", "yarn.lock"), FormatYarn)
	if err != nil {
		t.Fatal(err)
	}
	if lf.FormatVersion != "8" {
		t.Errorf("format version %q, want 8", lf.FormatVersion)
	}
	// berry checksums hash yarn's cache zip, not the registry's tarball: Of says so
	h := func(hexDigest string) []Hash {
		return []Hash{{Algorithm: "sha512", Digest: hexDigest, Of: "yarn-cache-zip:10c0"}}
	}
	jsCheck(t, lf, map[string]jsWant{
		"alias@npm:real-pkg@^2.0.0": {Name: "real-pkg", Version: "2.1.0", Kind: SourceRegistry, Direct: true, Line: 9,
			Hashes: h("d2b5f5ef676bc052083d4b77a909c9b31d1c6efcb71b3a6a6d756bc3b833dc02cb690da63ec8024562c149ebf2da47765b2d1f712838bd422e246d84650a7d71")},
		"app@workspace:.": {Name: "app", Version: "0.0.0-use.local", Kind: SourceWorkspace, URL: ".", Line: 16},
		"devtool@npm:^3.0.0": {Name: "devtool", Version: "3.0.1", Kind: SourceRegistry, Direct: true, Dev: true, Line: 34,
			Hashes: h("cd95e449f55b9a68ab8cda8d68e6e36a50294f1371d690a6b6b5a323f32ac707e266eba9de97013b5ef50c81c55bca5c1b9f2f5e76b4aa19fc1fdddf817c6962")},
		"fsx@npm:^1.0.0": {Name: "fsx", Version: "1.0.2", Kind: SourceRegistry, Direct: true, Optional: true, Line: 43,
			Hashes: h("5311d0188fed793e5fb233ecaf857af3b57f292de0d2c3958bbfb232506eeead5e133310ef0ce41c809e36bd79fdb8e4ba87fd10e4923442bfaacdadcc1ea709")},
		"gitdep@https://github.com/owner/gitdep.git#v1": {Name: "gitdep", Version: "1.0.0", Kind: SourceGit,
			URL: "https://github.com/owner/gitdep.git", Ref: yarnCommit, Direct: true, Line: 51,
			Hashes: h("6ea1eedbf6a717b3102e9292d2f392bd2c18678f5840d92c94627b36c1e852f6dc0e62fd8fd595a0ba68dfffe2e0ef55fd4a3fb43c542531f4e4be7e76c020a8")},
		// a custom archive URL travels in the locator's parameters
		"helper@npm:^1.0.0": {Name: "helper", Version: "1.2.0", Kind: SourceRegistry, URL: yarnRegistryURL + "helper/-/helper-1.2.0.tgz",
			Dev: true, Chain: []string{"devtool@3.0.1"}, Line: 58,
			Hashes: h("fdf6ea9d588049d328588bb6d60355265c992cc11e4ad60ff8db3d165938350edddd3b272ffa92c05de7d48891cb861996dd94220c267ed314baa71936a013d4")},
		"left-pad@npm:^1.3.0": {Name: "left-pad", Version: "1.3.0", Kind: SourceRegistry, Direct: true, Line: 65,
			Hashes: h("d1454f882eb9993d98a81db577b92c17f8f9a0772f2a0d145541a7df662295f7820e975e1bab5516e5e22d966e8f2b24f79de330ed409a70c9128663e6722cb8")},
		"lib@workspace:^, lib@workspace:packages/lib": {Name: "lib", Version: "0.0.0-use.local", Kind: SourceWorkspace, URL: "packages/lib", Line: 72},
		// the dependent writes the unbound descriptor "file:./local"
		"localdep@file:./local::locator=app%40workspace%3A.": {Name: "localdep", Version: "0.1.0", Kind: SourcePath, URL: "./local", Direct: true, Line: 80,
			Hashes: h("c87d3f6c2d0f608ffbfa86468beaa87756cf9414ff61671540ad59fa96d8560029d086a176262b6948545918670ee61d67a81fb7b3728d46f851571b2ad10ad0")},
		// a dependency of the workspace member lib: direct; old-style checksum without cacheKey
		"shared@npm:^1.0.0": {Name: "shared", Version: "1.1.0", Kind: SourceRegistry, Direct: true, Line: 87,
			Hashes: []Hash{{Algorithm: "sha512", Digest: "d4fd4f6ba9a3f13514c45be0ae3b048dd835a84746ed3171f78517d96dfa0802438710d15da99896652e339fd47f052cdfd7ab6457aa4b823883d1d1c194fb4c", Of: "yarn-cache-zip"}}},
		"typescript@npm:5.4.5": {Name: "typescript", Version: "5.4.5", Kind: SourceRegistry, Direct: true, Line: 94,
			Hashes: h("af4b27acc21f77c5ef045a762418161d15c33a2a4f253fa0c462cdf292b2b56f9d9a20abd65fd1108aa9dd7c0a009cb650b631c79b58dc6905f416665d3981f0")},
		// the built-in compat patch applies to whoever depends on typescript@npm:5.4.5
		"typescript@patch:typescript@npm%3A5.4.5#optional!builtin<compat/typescript>": {Name: "typescript", Version: "5.4.5", Kind: SourceRegistry, Direct: true, Line: 103,
			Hashes: h("b3d82939e4376b6b871a1974fda6edd278bbeca71aa532d1b8a2d1183afa165a1e701c9aad4194ca14f52e8054ed29b9c977004554913c2f4e82a4c56031d496")},
	})
	for _, p := range lf.Packages {
		if strings.HasPrefix(p.Path, "typescript@patch:") && (len(p.Deps) != 1 || p.Deps[0] != "typescript@npm:5.4.5") {
			t.Errorf("patched typescript deps %v, want the unpatched entry", p.Deps)
		}
	}
}

func TestYarnErrors(t *testing.T) {
	dir := t.TempDir() // no package.json next to these
	classic := "# yarn lockfile v1\n\n"
	berry := "__metadata:\n  version: 8\n  cacheKey: 10c0\n\n"
	tests := []struct {
		name, data string
		line       int
		subs       []string
	}{
		{"odd indentation", classic + "a@^1:\n   version \"1.0.0\"\n", 4, []string{"multiple of 2"}},
		{"tab indentation", classic + "a@^1:\n\tversion \"1.0.0\"\n", 4, []string{"tabs"}},
		{"indentation jump", classic + "a@^1:\n    version \"1.0.0\"\n", 4, []string{"unexpected indentation"}},
		{"unterminated string", classic + "\"a@^1:\n  version \"1.0.0\"\n", 3, []string{"unterminated"}},
		{"unquoted colon in key", classic + "a@github:o/r:\n  version \"1.0.0\"\n", 3, []string{"expected keys"}},
		{"three tokens", classic + "a@^1:\n  version \"1.0.0\" extra\n", 4, []string{"expected a key and a value"}},
		{"missing version", classic + "a@^1:\n  resolved \"https://npm-registry.invalid/a/-/a-1.0.0.tgz\"\n", 3, []string{"a@^1", "missing version"}},
		{"version block", classic + "a@^1:\n  version:\n    x y\n", 4, []string{"a@^1.version", "expected a value"}},
		{"dependencies value", classic + "a@^1:\n  version \"1.0.0\"\n  dependencies \"b\"\n", 5, []string{"a@^1.dependencies"}},
		{"top-level value", classic + "a \"1.0.0\"\n", 3, []string{"expected an entry"}},
		{"malformed integrity", classic + "a@^1:\n  version \"1.0.0\"\n  integrity nohash\n", 3, []string{"a@^1.integrity", "malformed integrity"}},
		{"bad json escape", classic + "\"a@\\q\":\n  version \"1.0.0\"\n", 3, []string{"invalid string"}},
		{"berry yaml syntax", berry + "\"a@npm:^1\":\n  version: [1\n", 0, []string{"invalid YAML"}},
		{"berry not a mapping", "__metadata:\n  version: 8\n" + "\"a@npm:^1\": 3\n", 3, []string{"a@npm:^1", "expected a mapping"}},
		{"berry missing resolution", berry + "\"a@npm:^1\":\n  version: 1.0.0\n", 5, []string{"missing resolution"}},
		{"berry missing version", berry + "\"a@npm:^1\":\n  resolution: \"a@npm:1.0.0\"\n", 5, []string{"missing version"}},
		{"berry bad resolution", berry + "\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"nonsense\"\n", 5, []string{"a@npm:^1.resolution", "not a name@reference"}},
		{"berry bad checksum", berry + "\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n  checksum: 10c0/xyz\n", 5, []string{"a@npm:^1.checksum", "SHA-512"}},
		{"berry dependencies list", berry + "\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n  dependencies: [b]\n", 8, []string{"a@npm:^1.dependencies"}},
		{"berry duplicate key", berry + "\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n\"a@npm:^1\":\n  version: 1.0.0\n  resolution: \"a@npm:1.0.0\"\n", 0, []string{}},
		{"berry metadata list", "__metadata: [1]\n", 1, []string{"__metadata"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBytes(filepath.Join(dir, "yarn.lock"), []byte(tc.data), FormatYarn)
			if err == nil {
				t.Fatal("no error")
			}
			jsParseError(t, err, tc.line, append(tc.subs, filepath.Join(dir, "yarn.lock"))...)
		})
	}
}

func TestYarnClassicCRLFAndComments(t *testing.T) {
	data := "# yarn lockfile v1\r\n\r\na@^1, \"a@~1.0\":\r\n  # a comment\r\n  version \"1.0.0\" # trailing\r\n  resolved \"https://npm-registry.invalid/a/-/a-1.0.0.tgz#16c385a6cbd7c6ad06cd6a7195aafae4932fcf3d\"\r\n  uid \"\"\r\n"
	lf, err := ParseBytes(filepath.Join(t.TempDir(), "yarn.lock"), []byte(data), FormatYarn)
	if err != nil {
		t.Fatal(err)
	}
	jsCheck(t, lf, map[string]jsWant{
		"a@^1, a@~1.0": {Name: "a", Version: "1.0.0", Kind: SourceRegistry, URL: "https://npm-registry.invalid/a/-/a-1.0.0.tgz",
			Hashes: []Hash{{Algorithm: "sha1", Digest: "16c385a6cbd7c6ad06cd6a7195aafae4932fcf3d"}}, Line: 3},
	})
}

func TestYarnTokenize(t *testing.T) {
	toks, err := yarnTokenize(`  "a\"b\u0041", c@^1 : # comment`)
	if err != nil {
		t.Fatal(err)
	}
	want := []yarnTok{{kind: 's', text: `a"bA`}, {kind: ','}, {kind: 's', text: "c@^1"}, {kind: ':'}}
	if !reflect.DeepEqual(toks, want) {
		t.Errorf("tokens %+v, want %+v", toks, want)
	}
}

func TestYarnDetect(t *testing.T) {
	classic, _ := os.ReadFile(filepath.Join("testdata", "yarn", "classic", "yarn.lock"))
	berry, _ := os.ReadFile(filepath.Join("testdata", "yarn", "berry", "yarn.lock"))
	for name, data := range map[string][]byte{"one-package.v1.lock": classic, "one-package.v2.lock": berry} {
		if f, ok := Detect(name, data); !ok || f != FormatYarn {
			t.Errorf("Detect(%s) = %q, %v", name, f, ok)
		}
	}
	if f, ok := Detect("yarn.lock", nil); !ok || f != FormatYarn {
		t.Errorf("Detect(yarn.lock) = %q, %v", f, ok)
	}
	for _, other := range []string{
		"lockfileVersion: '9.0'\n\nimporters:\n",
		`{"name": "x", "lockfileVersion": 3, "packages": {}}`,
		"[[package]]\nname = \"x\"\n",
	} {
		if sniffYarn([]byte(other)) {
			t.Errorf("sniffYarn claims %q", other)
		}
	}
}

func TestYarnSource(t *testing.T) {
	tests := []struct {
		resolved string
		want     Source
	}{
		{"https://github.com/o/r/archive/" + yarnCommit + ".tar.gz", Source{Kind: SourceGit, URL: "https://github.com/o/r/archive/" + yarnCommit + ".tar.gz", Ref: yarnCommit}},
		{"https://bitbucket.org/o/r/get/" + yarnCommit[:12] + ".tar.gz", Source{Kind: SourceGit, URL: "https://bitbucket.org/o/r/get/" + yarnCommit[:12] + ".tar.gz", Ref: yarnCommit[:12]}},
		{"https://gitlab.com/o/r/repository/archive.tar.gz?ref=" + yarnCommit, Source{Kind: SourceGit, URL: "https://gitlab.com/o/r/repository/archive.tar.gz?ref=" + yarnCommit, Ref: yarnCommit}},
		{"https://github.com/o/r/archive/v1.0.0.tar.gz", Source{Kind: SourceURL, URL: "https://github.com/o/r/archive/v1.0.0.tar.gz"}},
		{"git://github.com/o/r.git#" + yarnCommit, Source{Kind: SourceGit, URL: "git://github.com/o/r.git", Ref: yarnCommit}},
		{"https://registry.example.invalid/@s/p/-/p-1.0.0.tgz", Source{Kind: SourceRegistry, URL: "https://registry.example.invalid/@s/p/-/p-1.0.0.tgz"}},
		{"file:../vendored.tgz", Source{Kind: SourcePath, URL: "../vendored.tgz"}},
	}
	for _, tc := range tests {
		got, _, err := yarnClassicSource([]string{"p@x"}, tc.resolved, "")
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.resolved, got, err, tc.want)
		}
	}
}

func TestYarnBerryLocator(t *testing.T) {
	tests := []struct {
		loc, name string
		want      Source
	}{
		{"a@npm:1.0.0", "a", Source{Kind: SourceRegistry}},
		{"@s/a@npm:1.0.0", "@s/a", Source{Kind: SourceRegistry}},
		{"a@workspace:packages/a", "a", Source{Kind: SourceWorkspace, URL: "packages/a"}},
		{"a@portal:../a::locator=app%40workspace%3A.", "a", Source{Kind: SourcePath, URL: "../a"}},
		{"a@link:../a::locator=app%40workspace%3A.", "a", Source{Kind: SourcePath, URL: "../a"}},
		{"a@https://github.com/o/r.git#commit:" + yarnCommit, "a", Source{Kind: SourceGit, URL: "https://github.com/o/r.git", Ref: yarnCommit}},
		{"a@ssh://git@github.com:o/r.git#commit=" + yarnCommit, "a", Source{Kind: SourceGit, URL: "ssh://git@github.com:o/r.git", Ref: yarnCommit}},
		{"a@https://example.invalid/a-1.0.0.tgz", "a", Source{Kind: SourceURL, URL: "https://example.invalid/a-1.0.0.tgz"}},
		{"a@patch:a@npm%3A1.0.0#~/.yarn/patches/a.patch::version=1.0.0&hash=abc", "a", Source{Kind: SourceRegistry}},
		{"a@patch:a@patch%3Aa@npm%253A1.0.0%23x.patch#y.patch", "a", Source{Kind: SourceRegistry}},
	}
	for _, tc := range tests {
		name, src, err := yarnBerryLocator(tc.loc)
		if err != nil || name != tc.name || src != tc.want {
			t.Errorf("%s: %q %+v %v; want %q %+v", tc.loc, name, src, err, tc.name, tc.want)
		}
	}
	deep := "a@npm:1.0.0"
	for i := 0; i < 12; i++ {
		deep = "a@patch:" + url.PathEscape(deep) + "#p.patch"
	}
	if _, _, err := yarnBerryLocator(deep); err == nil || !strings.Contains(err.Error(), "nests too deeply") {
		t.Errorf("deeply nested patch: %v", err)
	}
	for _, bad := range []string{"a@1.0.0", "@npm:1.0.0", "a b@npm:1.0.0", "a@"} {
		if _, _, err := yarnBerryLocator(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// yarnClassicEntryCount counts top-level entries of a classic lockfile
// independently of the parser: non-indented, non-comment lines ending in ':'.
func yarnClassicEntryCount(data []byte) int {
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if line != "" && line[0] != ' ' && line[0] != '#' && strings.HasSuffix(line, ":") {
			n++
		}
	}
	return n
}

// yarnCorpusSpots are per-project checks on top of the generic ones.
var yarnCorpusSpots = map[string]func(t *testing.T, lf *Lockfile){
	"webpack-classic-v1": func(t *testing.T, lf *Lockfile) {
		if lf.FormatVersion != "1" {
			t.Errorf("format version %q", lf.FormatVersion)
		}
		// package.json: 19 dependencies + 94 devDependencies, all in the lock.
		direct := 0
		for _, p := range lf.Packages {
			if p.Direct {
				direct++
			}
		}
		if direct < 100 {
			t.Errorf("only %d direct packages", direct)
		}
		jsSpot(t, lf, "tooling", "1.28.1", func(p *Package) bool {
			return p.Source.Kind == SourceGit && p.Source.Ref == "4c13a00ac84cf0e2dd57c457cd1ce46faa9e456a" && p.Direct && p.Dev && len(p.Hashes) == 0
		})
		jsSpot(t, lf, "acorn", "8.18.0", func(p *Package) bool {
			return p.Source.Kind == SourceRegistry && p.Direct && !p.Dev && len(p.Hashes) == 1 && p.Hashes[0].Algorithm == "sha512"
		})
		jsSpot(t, lf, "acorn", "7.4.1", func(p *Package) bool { return !p.Direct && p.Dev && len(p.Chain) > 0 })
	},
	"prettier-berry": func(t *testing.T, lf *Lockfile) {
		if lf.FormatVersion != "10" {
			t.Errorf("format version %q", lf.FormatVersion)
		}
		workspaces := 0
		for _, p := range lf.Packages {
			if p.Source.Kind == SourceWorkspace {
				workspaces++
			}
		}
		if workspaces != 1 {
			t.Errorf("%d workspace packages, want 1", workspaces)
		}
		jsSpot(t, lf, "prettier", "0.0.0-use.local", func(p *Package) bool { return p.Source.Kind == SourceWorkspace && p.Source.URL == "." })
		jsSpot(t, lf, "@angular/compiler", "22.0.8", func(p *Package) bool {
			return p.Direct && p.Source.Kind == SourceRegistry && len(p.Hashes) == 1 && p.Hashes[0].Hex() != ""
		})
		jsSpot(t, lf, "fsevents", "2.3.3", func(p *Package) bool {
			return strings.Contains(p.Path, "@patch:") && len(p.Hashes) == 0 && p.Optional && len(p.Chain) > 0
		})
		jsSpot(t, lf, "lodash", "4.18.1", func(p *Package) bool { return !p.Direct && p.Dev && len(p.Chain) > 0 })
	},
}

// TestYarnCorpus parses every lockfiles/yarn/*/yarn.lock of the corpus and
// compares the package count with one computed without the parser.
func TestYarnCorpus(t *testing.T) {
	dir := corpusDir(t)
	files := globAll(t, filepath.Join(dir, "lockfiles", "yarn", "*", "yarn.lock"))
	seen := map[string]bool{}
	for _, path := range files {
		project := filepath.Base(filepath.Dir(path))
		seen[project] = true
		t.Run(project, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			lf, err := ParseAs(path, FormatYarn)
			if err != nil {
				t.Fatal(err)
			}
			var want int
			if yarnIsBerry(data) {
				// Every top-level YAML key except __metadata. Workspace
				// entries (e.g. the root "prettier@workspace:.") count:
				// they are Packages with Source workspace.
				var generic map[string]any
				if err := yaml.Unmarshal(data, &generic); err != nil {
					t.Fatal(err)
				}
				want = len(generic) - 1
			} else {
				want = yarnClassicEntryCount(data)
			}
			if len(lf.Packages) != want || want == 0 {
				t.Errorf("%d packages, independent count %d", len(lf.Packages), want)
			}
			for _, p := range lf.Packages {
				if p.Name == "" || (p.Version == "" && p.Source.Kind != SourcePath) {
					t.Errorf("%s: name %q version %q", p.Path, p.Name, p.Version)
				}
			}
			if spot := yarnCorpusSpots[project]; spot != nil {
				spot(t, lf)
			}
		})
	}
	for project := range yarnCorpusSpots {
		if !seen[project] {
			t.Errorf("corpus project %s missing", project)
		}
	}
}

// jsSpot asserts that some package name@version satisfies ok.
func jsSpot(t *testing.T, lf *Lockfile, name, version string, ok func(*Package) bool) {
	t.Helper()
	found := false
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if p.Name == name && p.Version == version {
			found = true
			if ok(p) {
				return
			}
		}
	}
	if !found {
		t.Errorf("%s@%s not found", name, version)
	} else {
		t.Errorf("%s@%s does not have the expected fields", name, version)
	}
}

func BenchmarkParseYarnClassicWebpack(b *testing.B) {
	benchParse(b, "lockfiles/yarn/webpack-classic-v1/yarn.lock", FormatYarn)
}

func BenchmarkParseYarnBerryPrettier(b *testing.B) {
	benchParse(b, "lockfiles/yarn/prettier-berry/yarn.lock", FormatYarn)
}

// A manifest spec the lock does not list (edited since the lock was
// written) still finds the only entry of that name, aliases included.
func TestYarnClassicManifestFallback(t *testing.T) {
	dir := t.TempDir()
	lock := "# yarn lockfile v1\n\n" +
		"left-pad@^1.0.0, left-pad@^1.3.0:\n  version \"1.3.0\"\n\n" +
		"\"alias-pkg@npm:real-pkg@^2.0.0\":\n  version \"2.1.0\"\n\n" +
		"two@^1.0.0:\n  version \"1.0.0\"\n\ntwo@^2.0.0:\n  version \"2.0.0\"\n"
	manifest := `{"dependencies": {"left-pad": "^1.2.0", "alias-pkg": "npm:real-pkg@^2.1.0", "two": "^3.0.0"}}`
	if err := os.WriteFile(filepath.Join(dir, "yarn.lock"), []byte(lock), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	lf, err := ParseAs(filepath.Join(dir, "yarn.lock"), FormatYarn)
	if err != nil {
		t.Fatal(err)
	}
	jsCheck(t, lf, map[string]jsWant{
		"left-pad@^1.0.0, left-pad@^1.3.0": {Name: "left-pad", Version: "1.3.0", Kind: SourceRegistry, Direct: true, Line: 3},
		"alias-pkg@npm:real-pkg@^2.0.0":    {Name: "real-pkg", Version: "2.1.0", Kind: SourceRegistry, Direct: true, Line: 6},
		// two entries of that name: which one is meant is unknown
		"two@^1.0.0": {Name: "two", Version: "1.0.0", Kind: SourceRegistry, Line: 9},
		"two@^2.0.0": {Name: "two", Version: "2.0.0", Kind: SourceRegistry, Line: 12},
	})
}
