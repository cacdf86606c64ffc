package lockfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// npmView is the part of a Package the table tests compare.
type npmView struct {
	Path, Name, Version, Requirement string
	Source                           Source
	Direct, Dev, Optional, Bundled   bool
	Script                           string // "nil", "true", "false"
	Hashes                           string // "sha512 sha1"
	Chain                            string // "a@1.0.0 > c@1.0.0"
}

func npmViewOf(p *Package) npmView {
	v := npmView{
		Path: p.Path, Name: p.Name, Version: p.Version, Requirement: p.Requirement,
		Source: p.Source, Direct: p.Direct, Dev: p.Dev, Optional: p.Optional, Bundled: p.Bundled,
		Script: "nil", Chain: strings.Join(p.Chain, " > "),
	}
	if p.InstallScript != nil {
		v.Script = "false"
		if *p.InstallScript {
			v.Script = "true"
		}
	}
	var algs []string
	for _, h := range p.Hashes {
		algs = append(algs, h.Algorithm)
	}
	v.Hashes = strings.Join(algs, " ")
	return v
}

// npmLineOfText returns the 1-based line of the first occurrence of needle.
func npmLineOfText(t *testing.T, data []byte, needle string) int {
	t.Helper()
	i := bytes.Index(data, []byte(needle))
	if i < 0 {
		t.Fatalf("fixture has no %q", needle)
	}
	if needle[0] == '\n' {
		i++ // the needle's leading newline anchors it at a line start
	}
	return bytes.Count(data[:i], []byte("\n")) + 1
}

func npmCheckPackages(t *testing.T, lf *Lockfile, data []byte, want []npmView, keyText func(p *Package) string) {
	t.Helper()
	if len(lf.Packages) != len(want) {
		var got []string
		for i := range lf.Packages {
			got = append(got, lf.Packages[i].Path)
		}
		t.Fatalf("got %d packages, want %d: %v", len(lf.Packages), len(want), got)
	}
	ids := map[string]bool{}
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if got := npmViewOf(p); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("package %d:\n got %+v\nwant %+v", i, got, want[i])
		}
		if p.Ecosystem != NPM {
			t.Errorf("%s: ecosystem %q", p.Path, p.Ecosystem)
		}
		if ids[p.ID] {
			t.Errorf("duplicate ID %q", p.ID)
		}
		ids[p.ID] = true
		if keyText != nil {
			if wl := npmLineOfText(t, data, keyText(p)); p.Line != wl {
				t.Errorf("%s: line %d, want %d", p.Path, p.Line, wl)
			}
		}
	}
}

func TestNpmV3(t *testing.T) {
	const file = "testdata/npm/v3/package-lock.json"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lf, err := ParseAs(file, FormatPackageLock)
	if err != nil {
		t.Fatal(err)
	}
	if lf.Format != FormatPackageLock || lf.Ecosystem != NPM || lf.FormatVersion != "3" {
		t.Errorf("format %q ecosystem %q version %q", lf.Format, lf.Ecosystem, lf.FormatVersion)
	}
	if len(lf.Includes) != 0 {
		t.Errorf("includes %v: v3 needs no package.json", lf.Includes)
	}
	reg := func(u string) Source { return Source{Kind: SourceRegistry, URL: u} }
	want := []npmView{
		{Path: "../outside", Name: "outside", Version: "0.1.0", Source: Source{Kind: SourcePath, URL: "../outside"}, Direct: true, Script: "false"},
		{Path: "node_modules/@scope/dev", Name: "@scope/dev", Version: "3.0.0", Source: reg("https://npm-registry.invalid/@scope/dev/-/dev-3.0.0.tgz"), Direct: true, Dev: true, Script: "false", Hashes: "sha512"},
		{Path: "node_modules/a", Name: "a", Version: "1.0.0", Source: reg("https://npm-registry.invalid/a/-/a-1.0.0.tgz"), Direct: true, Script: "true", Hashes: "sha512 sha1"},
		{Path: "node_modules/a/node_modules/b", Name: "b", Version: "1.5.0", Source: reg("https://npm-registry.invalid/b/-/b-1.5.0.tgz"), Script: "false", Hashes: "sha512", Chain: "a@1.0.0"},
		{Path: "node_modules/alias-b", Name: "b", Version: "2.0.0", Source: reg("https://npm-registry.invalid/b/-/b-2.0.0.tgz"), Direct: true, Script: "false", Hashes: "sha512"},
		{Path: "node_modules/c", Name: "c", Version: "1.0.0", Source: reg(""), Script: "false", Hashes: "sha512", Chain: "a@1.0.0"},
		{Path: "node_modules/c/node_modules/d", Name: "d", Version: "1.0.0", Source: reg(""), Bundled: true, Script: "false", Chain: "a@1.0.0 > c@1.0.0"},
		{Path: "node_modules/gitdep", Name: "gitdep", Version: "1.2.0", Source: Source{Kind: SourceGit, URL: "git+ssh://git@github.com/owner/gitdep.git", Ref: "0123456789abcdef0123456789abcdef01234567"}, Direct: true, Script: "false"},
		{Path: "node_modules/local-tgz", Name: "local-tgz", Version: "1.0.0", Source: Source{Kind: SourcePath, URL: "file:vendor/local-tgz-1.0.0.tgz"}, Direct: true, Script: "false", Hashes: "sha512"},
		{Path: "node_modules/opt", Name: "opt", Version: "1.0.0", Source: reg("https://npm-registry.invalid/opt/-/opt-1.0.0.tgz"), Direct: true, Optional: true, Script: "false", Hashes: "sha512"},
		{Path: "node_modules/peer", Name: "peer", Version: "1.0.0", Source: reg("https://npm-registry.invalid/peer/-/peer-1.0.0.tgz"), Direct: true, Script: "false", Hashes: "sha512"},
		{Path: "node_modules/remote", Name: "remote", Version: "1.0.0", Source: Source{Kind: SourceURL, URL: "https://example.invalid/remote-1.0.0.tgz"}, Direct: true, Script: "false", Hashes: "sha512"},
		// devOptional: kept by --omit=dev (opt needs it), so Optional, not Dev.
		{Path: "node_modules/shared", Name: "shared", Version: "1.0.0", Source: reg("https://npm-registry.invalid/shared/-/shared-1.0.0.tgz"), Optional: true, Script: "false", Hashes: "sha512", Chain: "@scope/dev@3.0.0"},
		// A workspace member's devDependency: direct.
		{Path: "node_modules/tool", Name: "tool", Version: "1.0.0", Source: reg("https://npm-registry.invalid/tool/-/tool-1.0.0.tgz"), Direct: true, Dev: true, Script: "false", Hashes: "sha512"},
		{Path: "packages/app", Name: "@demo/app", Version: "0.0.1", Source: Source{Kind: SourceWorkspace, URL: "packages/app"}, Script: "false"},
		{Path: "packages/app/node_modules/left-pad", Name: "left-pad", Version: "1.3.0", Source: reg("https://npm-registry.invalid/left-pad/-/left-pad-1.3.0.tgz"), Direct: true, Script: "false", Hashes: "sha512"},
		// No name field: the name comes from the link that installs it.
		{Path: "packages/lib", Name: "lib", Version: "0.0.2", Source: Source{Kind: SourceWorkspace, URL: "packages/lib"}, Script: "false"},
	}
	npmCheckPackages(t, lf, data, want, func(p *Package) string { return `"` + p.Path + `": {` })
	a := &lf.Packages[2]
	if a.Hashes[0].Digest != "wx2m4IkMILExi9Jc7ud6Q4wmuoXfrvBA/WrD4hfM6s8WrceyzDvjcSYWTeArY6ufV1OXBOf5moN/oBstRp3ZtA==" ||
		a.Hashes[1].Digest != "A4YIWHrmieyqx4zHq3eQtKD/cng=" {
		t.Errorf("a hashes %+v", a.Hashes)
	}
	if got := strings.Join(a.Deps, ","); got != "node_modules/a/node_modules/b,node_modules/c" {
		t.Errorf("a deps %s", got)
	}
	// ../outside does not see the project's node_modules.
	if d := lf.Packages[0].Deps; len(d) != 0 {
		t.Errorf("../outside deps %v", d)
	}
}

func TestNpmV1(t *testing.T) {
	const file = "testdata/npm/v1/package-lock.json"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lf, err := Parse(file)
	if err != nil {
		t.Fatal(err)
	}
	if lf.FormatVersion != "1" {
		t.Errorf("version %q", lf.FormatVersion)
	}
	if want := []string{filepath.Join("testdata", "npm", "v1", "package.json")}; !reflect.DeepEqual(lf.Includes, want) {
		t.Errorf("includes %v, want %v", lf.Includes, want)
	}
	reg := func(u string) Source { return Source{Kind: SourceRegistry, URL: u} }
	want := []npmView{
		{Path: "node_modules/a", Name: "a", Version: "1.0.0", Source: reg("https://npm-registry.invalid/a/-/a-1.0.0.tgz"), Direct: true, Script: "nil", Hashes: "sha512"},
		{Path: "node_modules/a/node_modules/b", Name: "b", Version: "1.5.0", Source: reg("https://npm-registry.invalid/b/-/b-1.5.0.tgz"), Script: "nil", Hashes: "sha1", Chain: "a@1.0.0"},
		{Path: "node_modules/alias-b", Name: "b", Version: "2.0.0", Source: reg("https://npm-registry.invalid/b/-/b-2.0.0.tgz"), Direct: true, Script: "nil", Hashes: "sha512"},
		// Required by the local folder dependency (project code): direct.
		{Path: "node_modules/b", Name: "b", Version: "1.0.0", Source: reg("https://npm-registry.invalid/b/-/b-1.0.0.tgz"), Direct: true, Dev: true, Optional: true, Script: "nil", Hashes: "sha512"},
		{Path: "node_modules/gitdep", Name: "gitdep", Requirement: "github:owner/gitdep#main", Source: Source{Kind: SourceGit, URL: "github:owner/gitdep", Ref: "0123456789abcdef0123456789abcdef01234567"}, Direct: true, Script: "nil"},
		{Path: "node_modules/local", Name: "local", Source: Source{Kind: SourceWorkspace, URL: "file:libs/local"}, Direct: true, Script: "nil"},
		{Path: "node_modules/remote", Name: "remote", Source: Source{Kind: SourceURL, URL: "https://example.invalid/remote.tgz"}, Direct: true, Script: "nil", Hashes: "sha512"},
		// Early npm 5 wrote the tarball URL as the version.
		{Path: "node_modules/tarball", Name: "tarball", Version: "3.1.4", Source: reg("https://npm-registry.invalid/tarball/-/tarball-3.1.4.tgz"), Direct: true, Script: "nil", Hashes: "sha1"},
		{Path: "node_modules/withbundle", Name: "withbundle", Version: "1.0.0", Source: reg("https://npm-registry.invalid/withbundle/-/withbundle-1.0.0.tgz"), Direct: true, Script: "nil", Hashes: "sha512"},
		{Path: "node_modules/withbundle/node_modules/inner", Name: "inner", Version: "1.0.0", Source: reg(""), Bundled: true, Script: "nil", Chain: "withbundle@1.0.0"},
	}
	keyText := func(p *Package) string {
		name := p.Path[strings.LastIndex(p.Path, "/")+1:]
		if p.Path == "node_modules/a/node_modules/b" || p.Path == "node_modules/withbundle/node_modules/inner" {
			return "\n        \"" + name + `": {`
		}
		return "\n    \"" + name + `": {`
	}
	npmCheckPackages(t, lf, data, want, keyText)
}

// Without package.json, a v1 lockfile's direct dependencies are guessed:
// top-level entries nothing else requires.
func TestNpmV1WithoutManifest(t *testing.T) {
	data, err := os.ReadFile("testdata/npm/v1/package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	lf, err := ParseBytes(filepath.Join(t.TempDir(), "package-lock.json"), data, FormatPackageLock)
	if err != nil {
		t.Fatal(err)
	}
	if len(lf.Includes) != 0 {
		t.Errorf("includes %v", lf.Includes)
	}
	direct := map[string]bool{}
	for _, p := range lf.Packages {
		if p.Direct {
			direct[p.Path] = true
		}
	}
	// a is required by gitdep, so it is not guessed direct; b is required by
	// the local folder, which makes it direct anyway.
	for _, p := range []string{"node_modules/alias-b", "node_modules/gitdep", "node_modules/local", "node_modules/b", "node_modules/withbundle"} {
		if !direct[p] {
			t.Errorf("%s not direct", p)
		}
	}
	if direct["node_modules/a"] || direct["node_modules/withbundle/node_modules/inner"] {
		t.Errorf("direct: %v", direct)
	}
}

// v2 carries both "packages" and "dependencies"; "packages" wins.
func TestNpmV2PrefersPackages(t *testing.T) {
	data := []byte(`{
  "lockfileVersion": 2,
  "requires": true,
  "dependencies": {
    "old": {"version": "0.0.1"}
  },
  "packages": {
    "": {"dependencies": {"new": "^1.0.0"}},
    "node_modules/new": {"version": "1.0.0", "integrity": "sha512-J0f+0ISgw87BNkowLsxzWXQgsI8ar3s7SL96Mws/PqbnXWSlHYykq5KnV1+pTIyxbAKzgu2dDC/08FQEjJcFlw=="}
  }
}`)
	lf, err := ParseBytes("package-lock.json", data, FormatPackageLock)
	if err != nil {
		t.Fatal(err)
	}
	want := []npmView{{Path: "node_modules/new", Name: "new", Version: "1.0.0", Source: Source{Kind: SourceRegistry}, Direct: true, Script: "false", Hashes: "sha512"}}
	npmCheckPackages(t, lf, data, want, func(p *Package) string { return `"` + p.Path + `"` })
	// A v2 file with only "dependencies" is read like v1.
	data = []byte(`{"lockfileVersion": 2, "dependencies": {"old": {"version": "0.0.1"}}}`)
	lf, err = ParseBytes("package-lock.json", data, FormatPackageLock)
	if err != nil {
		t.Fatal(err)
	}
	if len(lf.Packages) != 1 || lf.Packages[0].Key() != "old@0.0.1" || lf.Packages[0].InstallScript != nil || lf.FormatVersion != "2" {
		t.Errorf("got %+v", lf.Packages)
	}
}

func TestNpmErrors(t *testing.T) {
	tests := []struct {
		name, data string
		line       int
		key, msg   string
	}{
		{"wrong type", "{\n \"lockfileVersion\": 3,\n \"packages\": {\n  \"\": {},\n  \"node_modules/a\": {\"version\": 1}\n }\n}", 5, `packages["node_modules/a"].version`, "expected a string"},
		{"wrong dep type", "{\n \"lockfileVersion\": 3,\n \"packages\": {\n  \"node_modules/a\": {\n   \"dependencies\": {\"b\": true}\n  }\n }\n}", 4, `packages["node_modules/a"].dependencies`, "expected a string"},
		{"entry not object", "{\"lockfileVersion\": 3,\n\"packages\": {\"node_modules/a\": \"1.0.0\"}}", 2, `packages["node_modules/a"]`, "expected an object"},
		{"packages not object", "{\"lockfileVersion\": 3,\n\n\"packages\": []}", 3, "packages", "expected an object, found an array"},
		{"version string", "{\n\"lockfileVersion\": \"3\"}", 2, "lockfileVersion", "expected a whole number"},
		{"top-level null", "null", 1, "", "expected an object, found null"},
		{"top-level array", "\n[]", 2, "", "expected an object, found an array"},
		{"empty", "  \n", 0, "", "empty file"},
		{"truncated", "{\"lockfileVersion\": 3,\n\"packages\": {\n", 3, "packages", "unexpected end"},
		{"syntax", "{\n\"lockfileVersion\": 3,\n\"packages\": {\"node_modules/a\": {\"version\": 1.0.0}}}", 3, `packages["node_modules/a"]`, "invalid JSON"},
		{"trailing data", "{\"lockfileVersion\": 3}\n{}", 2, "", "data after"},
		{"v1 requires", "{\"lockfileVersion\": 1,\n\"dependencies\": {\n\"a\": {\n\"requires\": [\"b\"]}}}", 4, `dependencies["a"].requires`, "expected an object"},
		{"v1 nested", "{\"lockfileVersion\": 1, \"dependencies\": {\"a\": {\"dependencies\": {\n\"b\": {\"dev\": \"yes\"}}}}}", 2, `dependencies["a"].dependencies["b"].dev`, "expected true or false"},
		{"v1 entry not object", "{\"lockfileVersion\": 1, \"dependencies\": {\n\"a\": 1}}", 2, `dependencies["a"]`, "expected an object"},
		{"not json", "this is not json", 1, "", "invalid JSON"},
		{"v1 empty name", "{\"lockfileVersion\": 1, \"dependencies\": {\"a\": {\"dependencies\": {\n\"\": {}}}}}", 2, `dependencies["a"].dependencies[""]`, "without a package name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBytes("x/package-lock.json", []byte(tt.data), FormatPackageLock)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			if pe.Path != "x/package-lock.json" || pe.Line != tt.line || pe.Key != tt.key || !strings.Contains(pe.Err.Error(), tt.msg) {
				t.Errorf("got %q (line %d, key %q), want line %d key %q containing %q", err, pe.Line, pe.Key, tt.line, tt.key, tt.msg)
			}
			if strings.Contains(err.Error(), "internal error") {
				t.Errorf("internal error: %v", err)
			}
		})
	}
}

func TestNpmDetect(t *testing.T) {
	v3, err := os.ReadFile("testdata/npm/v3/package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	v1, err := os.ReadFile("testdata/npm/v1/package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		data []byte
		want Format
		ok   bool
	}{
		{"package-lock.json", nil, FormatPackageLock, true},
		{"sub/npm-shrinkwrap.json", nil, FormatShrinkwrap, true},
		{"one-package.v2.json", v3, FormatPackageLock, true},
		{"old.json", v1, FormatPackageLock, true},
		{"bun.json", []byte(`{"lockfileVersion": 1, "workspaces": {"": {}}, "packages": {}}`), FormatPackageLock, false},
		{"Pipfile.json", []byte(`{"_meta": {}, "default": {}, "develop": {}}`), FormatPackageLock, false},
		{"package.json", []byte(`{"name": "x", "dependencies": {}}`), FormatPackageLock, false},
	}
	for _, tt := range tests {
		got, ok := Detect(tt.path, tt.data)
		if tt.ok && (got != tt.want || !ok) {
			t.Errorf("%s: got %q %v, want %q", tt.path, got, ok, tt.want)
		}
		if !tt.ok && (got == FormatPackageLock || got == FormatShrinkwrap) {
			t.Errorf("%s: claimed as %q", tt.path, got)
		}
	}
	if IsLockfileName(".package-lock.json") {
		t.Error(".package-lock.json (npm's hidden lockfile) is not a project lockfile")
	}
}

func TestNpmSourceHelpers(t *testing.T) {
	tests := []struct {
		resolved, name, version string
		want                    Source
	}{
		{"", "a", "1.0.0", Source{Kind: SourceRegistry}},
		{"https://npm-registry.invalid/a/-/a-1.0.0.tgz", "a", "1.0.0", Source{Kind: SourceRegistry, URL: "https://npm-registry.invalid/a/-/a-1.0.0.tgz"}},
		{"https://mirror.invalid/api/npm/npm/@s/p/-/p-1.0.0-beta.1.tgz?x=1", "@s/p", "1.0.0-beta.1", Source{Kind: SourceRegistry, URL: "https://mirror.invalid/api/npm/npm/@s/p/-/p-1.0.0-beta.1.tgz?x=1"}},
		{"https://mirror.invalid/@s%2fp/-/p-1.0.0.tgz", "@s/p", "1.0.0", Source{Kind: SourceRegistry, URL: "https://mirror.invalid/@s%2fp/-/p-1.0.0.tgz"}},
		// The tarball of another version or package is not this package's.
		{"https://npm-registry.invalid/a/-/a-1.0.1.tgz", "a", "1.0.0", Source{Kind: SourceURL, URL: "https://npm-registry.invalid/a/-/a-1.0.1.tgz"}},
		{"https://npm-registry.invalid/evil/-/a-1.0.0.tgz", "a", "1.0.0", Source{Kind: SourceURL, URL: "https://npm-registry.invalid/evil/-/a-1.0.0.tgz"}},
		{"https://codeload.github.invalid/o/r/tar.gz/abc", "r", "1.0.0", Source{Kind: SourceURL, URL: "https://codeload.github.invalid/o/r/tar.gz/abc"}},
		{"git+https://github.com/o/r.git#main", "r", "1.0.0", Source{Kind: SourceGit, URL: "git+https://github.com/o/r.git#main"}},
		{"github:o/r#abcdef1", "r", "1.0.0", Source{Kind: SourceGit, URL: "github:o/r", Ref: "abcdef1"}},
		{"file:../x.tgz", "x", "1.0.0", Source{Kind: SourcePath, URL: "file:../x.tgz"}},
	}
	for _, tt := range tests {
		if got := npmSource(tt.resolved, tt.name, tt.version); got != tt.want {
			t.Errorf("npmSource(%q, %q, %q) = %+v, want %+v", tt.resolved, tt.name, tt.version, got, tt.want)
		}
	}
	for p, want := range map[string]bool{"packages/a": true, "a": true, "./a/../b": true, "../a": false, "a/../../b": false, "/abs": false, "C:/x": false, "": false} {
		if got := npmInsideProject(p); got != want {
			t.Errorf("npmInsideProject(%q) = %v", p, got)
		}
	}
	for p, want := range map[string]string{
		"node_modules/a": "a", "node_modules/@s/a": "@s/a", "node_modules/a/node_modules/@s/b": "@s/b",
		"packages/x": "", "packages/x/node_modules/y": "y", "node_modules/": "", "node_modules/@s": "@s", "xnode_modules/a": "",
	} {
		if got := npmInstalledName(p); got != want {
			t.Errorf("npmInstalledName(%q) = %q, want %q", p, got, want)
		}
	}
}

// corpusNpmLockfiles lists the real npm lockfiles of the corpus.
func corpusNpmLockfiles(t testing.TB) []string {
	root := corpusDir(t)
	var out []string
	for _, dir := range []string{"lockfiles/npm", "lockfiles/npm-generated"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && (d.Name() == "package-lock.json" || d.Name() == "npm-shrinkwrap.json") {
				out = append(out, p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// npmIndependentCount counts entries by generic decoding: non-root,
// non-link "packages" entries, or else nested "dependencies" entries.
func npmIndependentCount(t *testing.T, data []byte) int {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if pk, ok := doc["packages"].(map[string]any); ok {
		n := 0
		for k, v := range pk {
			if e, _ := v.(map[string]any); k != "" && e["link"] != true {
				n++
			}
		}
		return n
	}
	var count func(deps map[string]any) int
	count = func(deps map[string]any) int {
		n := 0
		for _, v := range deps {
			n++
			if e, ok := v.(map[string]any); ok {
				if sub, ok := e["dependencies"].(map[string]any); ok {
					n += count(sub)
				}
			}
		}
		return n
	}
	deps, _ := doc["dependencies"].(map[string]any)
	return count(deps)
}

// Real lockfiles that are deliberately not lockfiles.
var npmCorpusBroken = map[string]string{
	"npm/npm-cli/arborist-fixtures/workspace3/packages/a/npm-shrinkwrap.json": "a text file posing as a shrinkwrap (npm's own fixture)",
}

func TestNpmCorpus(t *testing.T) {
	root := corpusDir(t)
	files := corpusNpmLockfiles(t)
	if len(files) < 30 {
		t.Fatalf("only %d npm lockfiles found in the corpus", len(files))
	}
	for _, file := range files {
		rel, _ := filepath.Rel(filepath.Join(root, "lockfiles"), file)
		rel = filepath.ToSlash(rel)
		t.Run(rel, func(t *testing.T) {
			lf, err := Parse(file)
			if why, broken := npmCorpusBroken[rel]; broken {
				var pe *ParseError
				if !errors.As(err, &pe) || strings.Contains(err.Error(), "internal error") {
					t.Fatalf("%s (%s): got %v, want a ParseError", rel, why, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if want := npmIndependentCount(t, data); len(lf.Packages) != want {
				t.Errorf("%d packages, independent count %d", len(lf.Packages), want)
			}
			ids := map[string]bool{}
			for i := range lf.Packages {
				p := &lf.Packages[i]
				if p.Name == "" || p.ID == "" || ids[p.ID] || p.Line <= 0 {
					t.Errorf("bad entry %+v", p)
				}
				ids[p.ID] = true
				if p.Source.Kind == SourceRegistry && p.Source.URL == "" && len(p.Hashes) == 0 && !p.Bundled {
					t.Logf("%s: %s registry entry without resolved URL or integrity", rel, p.Path)
				}
			}
		})
	}
}

func npmFindPkg(lf *Lockfile, path string) *Package {
	for i := range lf.Packages {
		if lf.Packages[i].Path == path {
			return &lf.Packages[i]
		}
	}
	return nil
}

func TestNpmCorpusSpotChecks(t *testing.T) {
	lf, err := Parse(corpusFile(t, "lockfiles/npm-generated/a-express-lodash/package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(lf.Packages) != 51 {
		t.Errorf("%d packages, want 51", len(lf.Packages))
	}
	for _, c := range []struct {
		path, key string
		direct    bool
		chain     string
	}{
		{"node_modules/express", "express@4.17.1", true, ""},
		{"node_modules/lodash", "lodash@4.17.15", true, ""},
		{"node_modules/body-parser", "body-parser@1.19.0", false, "express@4.17.1"},
		{"node_modules/raw-body", "raw-body@2.4.0", false, "express@4.17.1 > body-parser@1.19.0"},
	} {
		p := npmFindPkg(lf, c.path)
		if p == nil {
			t.Errorf("%s missing", c.path)
			continue
		}
		if p.Key() != c.key || p.Direct != c.direct || strings.Join(p.Chain, " > ") != c.chain || p.Dev {
			t.Errorf("%s: %s direct=%v chain=%v dev=%v", c.path, p.Key(), p.Direct, p.Chain, p.Dev)
		}
		if p.Source.Kind != SourceRegistry || !strings.HasPrefix(p.Source.URL, "https://npm-registry.invalid/") || len(p.Hashes) != 1 || p.Hashes[0].Algorithm != "sha512" {
			t.Errorf("%s: source %+v hashes %+v", c.path, p.Source, p.Hashes)
		}
	}

	// insomnia: v3 with workspaces and a git dependency.
	lf, err = Parse(corpusFile(t, "lockfiles/npm/insomnia-large-v3/package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	ws := 0
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if p.Source.Kind == SourceWorkspace {
			ws++
			if !strings.HasPrefix(p.Path, "packages/") || p.Name == "" || p.Version == "" {
				t.Errorf("workspace %+v", p)
			}
		}
		if !p.Direct && len(p.Chain) == 0 && p.Source.Kind != SourceWorkspace {
			t.Errorf("%s: neither direct nor reached", p.Path)
		}
	}
	if ws != 5 {
		t.Errorf("%d workspace members, want 5", ws)
	}

	// atom: v1 with package.json next to it.
	lf, err = Parse(corpusFile(t, "lockfiles/npm/atom/package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if lf.FormatVersion != "1" || len(lf.Includes) != 1 {
		t.Errorf("atom: version %q includes %v", lf.FormatVersion, lf.Includes)
	}
	git := 0
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if p.InstallScript != nil {
			t.Errorf("%s: v1 records no install scripts", p.Path)
		}
		if p.Source.Kind == SourceGit {
			git++
			if len(p.Source.Ref) != 40 {
				t.Errorf("%s: git ref %q", p.Path, p.Source.Ref)
			}
		}
	}
	if git == 0 {
		t.Error("atom: no git dependencies found")
	}

	// firebase-tools: a shrinkwrap.
	lf, err = Parse(corpusFile(t, "lockfiles/npm/firebase-tools/npm-shrinkwrap.json"))
	if err != nil {
		t.Fatal(err)
	}
	if lf.Format != FormatShrinkwrap || lf.FormatVersion != "2" {
		t.Errorf("firebase-tools: %s v%s", lf.Format, lf.FormatVersion)
	}
}

func TestNpmEdgeCaseSpotChecks(t *testing.T) {
	dir := "lockfiles/osv-scalibr-testdata/packagelockjson/"
	lf, err := ParseAs(corpusFile(t, dir+"workspaces.v3.json"), FormatPackageLock)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for i := range lf.Packages {
		p := &lf.Packages[i]
		got[p.Path] = string(p.Source.Kind) + " " + p.Key() + " direct=" + map[bool]string{true: "y", false: "n"}[p.Direct]
	}
	want := map[string]string{
		"client":                            "workspace @my-monorepo/client@1.0.0 direct=n",
		"packages/pkg-a":                    "workspace @my-monorepo/pkg-a@1.0.0 direct=n",
		"packages/excluded":                 "workspace @my-monorepo/excluded@1.0.0 direct=n",
		"node_modules/dotenv":               "registry dotenv@16.0.0 direct=y",
		"packages/pkg-a/node_modules/debug": "registry debug@4.3.4 direct=y",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("workspaces.v3.json:\n got %v\nwant %v", got, want)
	}

	lf, err = ParseAs(corpusFile(t, dir+"commits.v1.json"), FormatPackageLock)
	if err != nil {
		t.Fatal(err)
	}
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if p.Source.Kind == SourceRegistry {
			continue
		}
		if p.Source.Kind != SourceGit || p.Version != "" || !npmCommit(p.Source.Ref) {
			t.Errorf("commits.v1.json %s: %+v", p.Path, p)
		}
	}
}

func BenchmarkParseInsomnia(b *testing.B) {
	file := corpusFile(b, "lockfiles/npm/insomnia-large-v3/package-lock.json")
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseBytes(file, data, FormatPackageLock); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAtomV1(b *testing.B) {
	file := corpusFile(b, "lockfiles/npm/atom/package-lock.json")
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseBytes(file, data, FormatPackageLock); err != nil {
			b.Fatal(err)
		}
	}
}

// A repeated key replaces the earlier entry, with what is nested in it, as
// JSON.parse does.
func TestNpmDuplicateKeys(t *testing.T) {
	v1 := `{"lockfileVersion": 1, "dependencies": {
"a": {"version": "1.0.0", "dependencies": {"x": {"version": "1.0.0"}}},
"a": {"version": "2.0.0", "requires": {"x": "1"}}}}`
	lf, err := ParseBytes("package-lock.json", []byte(v1), FormatPackageLock)
	if err != nil {
		t.Fatal(err)
	}
	if len(lf.Packages) != 1 || lf.Packages[0].Key() != "a@2.0.0" || lf.Packages[0].Line != 3 || len(lf.Packages[0].Deps) != 0 {
		t.Errorf("v1: %+v", lf.Packages)
	}
	v3 := `{"lockfileVersion": 3, "packages": {
"node_modules/a": {"version": "1.0.0"},
"node_modules/a": {"version": "2.0.0"}}}`
	lf, err = ParseBytes("package-lock.json", []byte(v3), FormatPackageLock)
	if err != nil {
		t.Fatal(err)
	}
	if len(lf.Packages) != 1 || lf.Packages[0].Key() != "a@2.0.0" || lf.Packages[0].Line != 3 {
		t.Errorf("v3: %+v", lf.Packages)
	}
}

// Install paths deeper than npm could create are refused, which keeps the
// work linear in the size of the file.
func TestNpmDepthLimits(t *testing.T) {
	nest := func(depth int) string {
		var b strings.Builder
		b.WriteString(`{"lockfileVersion": 1, "dependencies": `)
		for i := 0; i < depth; i++ {
			b.WriteString(`{"a": {"version": "1.0.0", "requires": {"a": "1", "b": "1"}, "dependencies": `)
		}
		b.WriteString(`{}`)
		for i := 0; i < depth; i++ {
			b.WriteString(`}}`)
		}
		b.WriteString(`}`)
		return b.String()
	}
	lf, err := ParseBytes("package-lock.json", []byte(nest(npmMaxDepth)), FormatPackageLock)
	if err != nil {
		t.Fatal(err)
	}
	if len(lf.Packages) != npmMaxDepth {
		t.Errorf("%d packages", len(lf.Packages))
	}
	// Each a depends on the a nested in it; Finish lists the maxChain
	// nearest dependents and counts the rest.
	if p := lf.Packages[npmMaxDepth-1]; len(p.Chain) != maxChain+1 || p.Chain[0] != fmt.Sprintf("… %d more", npmMaxDepth-1-maxChain) {
		t.Errorf("deepest chain has %d links, first %q", len(p.Chain), p.Chain[0])
	}
	_, err = ParseBytes("package-lock.json", []byte(nest(npmMaxDepth+1)), FormatPackageLock)
	var pe *ParseError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "nested more than") {
		t.Errorf("depth %d: %v", npmMaxDepth+1, err)
	}

	key := strings.Repeat("x/", npmMaxSegments-1) + "node_modules/a"
	_, err = ParseBytes("package-lock.json", []byte(`{"lockfileVersion": 3, "packages": {"`+key+`": {}}}`), FormatPackageLock)
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "more than") {
		t.Errorf("long path: %v", err)
	}
	key = strings.Repeat("x/", npmMaxSegments-2) + "node_modules/a"
	if _, err := ParseBytes("package-lock.json", []byte(`{"lockfileVersion": 3, "packages": {"`+key+`": {}}}`), FormatPackageLock); err != nil {
		t.Errorf("path of %d parts: %v", npmMaxSegments, err)
	}
}
