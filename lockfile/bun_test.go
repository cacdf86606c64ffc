package lockfile

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestBunLock(t *testing.T) {
	const file = "testdata/bun/bun.lock"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lf, err := Parse(file)
	if err != nil {
		t.Fatal(err)
	}
	if lf.Format != FormatBun || lf.Ecosystem != NPM || lf.FormatVersion != "1" {
		t.Errorf("format %q ecosystem %q version %q", lf.Format, lf.Ecosystem, lf.FormatVersion)
	}
	reg := func(u string) Source { return Source{Kind: SourceRegistry, URL: u} }
	want := []npmView{
		{Path: "packages/lib", Name: "@demo/lib", Version: "0.1.0", Source: Source{Kind: SourceWorkspace, URL: "packages/lib"}, Direct: true, Script: "nil"},
		{Path: "a", Name: "a", Version: "1.0.0", Source: reg(""), Direct: true, Script: "nil", Hashes: "sha512"},
		{Path: "alias-b", Name: "b", Version: "2.0.0", Source: reg("https://registry.example.invalid/b/-/b-2.0.0.tgz"), Direct: true, Script: "nil", Hashes: "sha512"},
		// Needed by the workspace member: direct.
		{Path: "c", Name: "c", Version: "1.0.0", Source: reg(""), Direct: true, Script: "nil", Hashes: "sha512"},
		{Path: "dev", Name: "dev", Version: "3.0.0", Source: reg(""), Direct: true, Dev: true, Script: "nil", Hashes: "sha512"},
		{Path: "folder", Name: "folder", Source: Source{Kind: SourceWorkspace, URL: "file:libs/folder"}, Direct: true, Script: "nil"},
		{Path: "ghdep", Name: "ghdep", Source: Source{Kind: SourceGit, URL: "github:owner/ghdep", Ref: "abcdef1"}, Direct: true, Script: "nil"},
		{Path: "gitdep", Name: "gitdep", Source: Source{Kind: SourceGit, URL: "git+ssh://git@example.invalid/owner/gitdep.git", Ref: "0123456789abcdef0123456789abcdef01234567"}, Direct: true, Script: "nil"},
		{Path: "linked", Name: "linked", Source: Source{Kind: SourcePath, URL: "link:linked"}, Direct: true, Script: "nil"},
		{Path: "local-tgz", Name: "local-tgz", Source: Source{Kind: SourcePath, URL: "./vendor/local-tgz-1.0.0.tgz"}, Direct: true, Script: "nil", Hashes: "sha512"},
		{Path: "opt", Name: "opt", Version: "1.0.0", Source: reg(""), Direct: true, Optional: true, Script: "nil", Hashes: "sha512"},
		{Path: "peer", Name: "peer", Version: "1.0.0", Source: reg(""), Direct: true, Script: "nil", Hashes: "sha512"},
		{Path: "remote", Name: "remote", Source: Source{Kind: SourceURL, URL: "https://example.invalid/remote-1.0.0.tgz"}, Direct: true, Script: "nil"},
		// Reached through dev and through opt: kept by a no-dev install.
		{Path: "shared", Name: "shared", Version: "1.0.0", Source: reg(""), Optional: true, Script: "nil", Hashes: "sha512", Chain: "dev@3.0.0"},
		// The workspace member's devDependency.
		{Path: "tool", Name: "tool", Version: "1.0.0", Source: reg(""), Direct: true, Dev: true, Script: "nil", Hashes: "sha512"},
		{Path: "a/b", Name: "b", Version: "1.5.0", Source: reg(""), Script: "nil", Hashes: "sha512", Chain: "a@1.0.0"},
		{Path: "c/d", Name: "d", Version: "1.0.0", Source: reg(""), Bundled: true, Script: "nil", Hashes: "sha512", Chain: "c@1.0.0"},
	}
	npmCheckPackages(t, lf, data, want, func(p *Package) string { return "\n    \"" + p.Path + `": ` })
	// The integrity holds "//": string contents survive comment stripping.
	if d := lf.Packages[1].Hashes[0].Digest; d != "PJrVUUenFE9gZzJ8O4LqcOfFQmrdnO6k0H3CkCI5v54Em4hiXrZdAUp3GPeTVGCMqwkheCxkPwIImD//o1guQA==" {
		t.Errorf("a digest %q", d)
	}
	if got := strings.Join(lf.Packages[1].Deps, ","); got != "packages/a/b,packages/c" {
		t.Errorf("a deps %s", got)
	}
	if got := strings.Join(lf.Packages[0].Deps, ","); got != "packages/c,packages/tool" {
		t.Errorf("member deps %s", got)
	}
}

func TestStripJSONC(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"a": 1,}`, `{"a": 1 }`},
		{"[1, 2,\n]", "[1, 2 \n]"},
		{"{\"a\": [1,], // c\n}", "{\"a\": [1 ]      \n}"},
		{`{"a": 1, /* x */ }`, `{"a": 1          }`},
		{"{\"a\": 1, // trailing\r\n}", "{\"a\": 1             \r\n}"},
		{`{"u": "https://x//y/*z*/", "e": "q\"//"}`, `{"u": "https://x//y/*z*/", "e": "q\"//"}`},
		{"/* a\nb */{}", "    \n    {}"},
		// Not trailing commas: left for the decoder to refuse.
		{`[,]`, `[,]`},
		{`{"a": 1,,}`, `{"a": 1,,}`},
	}
	for _, tt := range tests {
		got, err := bunStripJSONC([]byte(tt.in))
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("bunStripJSONC(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	in := []byte(`{"a": 1} /* open`)
	if _, err := bunStripJSONC(in); err == nil {
		t.Error("unterminated comment accepted")
	}
	if string(in) != `{"a": 1} /* open` {
		t.Error("input modified")
	}
}

func TestBunErrors(t *testing.T) {
	head := "{\n\"lockfileVersion\": 1,\n\"workspaces\": {\"\": {}},\n\"packages\": {\n"
	tests := []struct {
		name, data string
		line       int
		key, msg   string
	}{
		{"unterminated comment", "{\n\"lockfileVersion\": 1, /* no end\n}", 2, "", "unterminated /* comment"},
		{"no version", "{\"workspaces\": {\"\": {}}}", 1, "lockfileVersion", "missing"},
		{"no workspaces", "{\"lockfileVersion\": 1}", 1, "workspaces", "missing"},
		{"version string", "{\n\"lockfileVersion\": \"1\", \"workspaces\": {}}", 2, "lockfileVersion", "whole number"},
		{"member without name", "{\"lockfileVersion\": 1, \"workspaces\": {\n\"packages/x\": {\"version\": \"1.0.0\"}}}", 2, `workspaces["packages/x"].name`, "needs a name"},
		{"workspace not object", "{\"lockfileVersion\": 1, \"workspaces\": {\n\"\": []}}", 2, `workspaces[""]`, "expected an object"},
		{"tuple not array", head + "\"a\": \"a@1.0.0\"}}", 5, `packages["a"]`, "expected an array"},
		{"empty tuple", head + "\"a\": []}}", 5, `packages["a"]`, "empty package tuple"},
		{"ident not string", head + "\"a\": [1, \"\", {}, \"sha512-x\"]}}", 5, `packages["a"][0]`, "expected a string"},
		{"no version in ident", head + "\"a\": [\"a\", \"\", {}, \"sha512-x\"]}}", 5, `packages["a"][0]`, "invalid package resolution"},
		{"bad version", head + "\"a\": [\"a@latest\", \"\", {}, \"sha512-x\"]}}", 5, `packages["a"][0]`, "invalid package version"},
		{"no integrity", head + "\n\"a\": [\"a@1.0.0\", \"\", {}]}}", 6, `packages["a"][3]`, "expected the integrity string, found nothing"},
		{"registry not string", head + "\"a\": [\"a@1.0.0\", null, {}, \"sha512-x\"]}}", 5, `packages["a"][1]`, "expected the registry string, found null"},
		{"info wrong type", head + "\"a\": [\"a@1.0.0\", \"\", {\"dependencies\": []}, \"sha512-x\"]}}", 5, `packages["a"][2].dependencies`, "expected an object"},
		{"info not object", head + "\"a\": [\"a@1.0.0\", \"\", \"\", \"sha512-x\"]}}", 5, `packages["a"][2]`, "expected an object, found a string"},
		// The shape osv-scanner's locks-bun-shorthash uses: bun itself
		// expects the dependencies object second for github resolutions.
		{"github npm-shaped", head + "\"a\": [\"a@github:o/r#bca26e4\", \"\", {}, \"sha512-x\"]}}", 5, `packages["a"][1]`, "expected an object, found a string"},
		{"git without tag", head + "\"a\": [\"a@git+https://x.invalid/r.git#abcdef1\", {}]}}", 5, `packages["a"][2]`, "expected the git tag"},
		{"folder without info", head + "\"a\": [\"a@file:x\"]}}", 5, `packages["a"]`, "missing the dependencies object"},
		{"duplicate key", head + "\"a\": [\"a@link:a\", {}],\n\"a\": [\"a@link:a\", {}]}}", 6, `packages["a"]`, "listed twice"},
		{"trailing data", "{\"lockfileVersion\": 1, \"workspaces\": {\"\": {}}}\n]", 2, "", "data after"},
		{"no root workspace", "{\"lockfileVersion\": 1, \"workspaces\": {}}", 1, "workspaces", "no root entry"},
		{"not json", "lockfileVersion = 1", 1, "", "not JSON"},
		{"empty", "", 0, "", "empty file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseBytes("x/bun.lock", []byte(tt.data), FormatBun)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want a *ParseError", err)
			}
			if pe.Path != "x/bun.lock" || pe.Line != tt.line || pe.Key != tt.key || !strings.Contains(pe.Err.Error(), tt.msg) {
				t.Errorf("got %q (line %d, key %q), want line %d key %q containing %q", err, pe.Line, pe.Key, tt.line, tt.key, tt.msg)
			}
			if strings.Contains(err.Error(), "internal error") {
				t.Error(err)
			}
		})
	}
}

// lockfileVersion 0 lists workspace members' dependencies in "packages".
func TestBunV0Workspace(t *testing.T) {
	data := []byte(`{
  "lockfileVersion": 0,
  "workspaces": {"": {"dependencies": {"w": "workspace:*"}}},
  "packages": {
    "w": ["w@workspace:packages/w", {"dependencies": {"a": "1.0.0"}, "devDependencies": {"t": "1.0.0"}}],
    "a": ["a@1.0.0", "", {}, "sha512-x"],
    "t": ["t@1.0.0", "", {}, "sha512-y"],
  },
}`)
	lf, err := ParseBytes("bun.lock", data, FormatBun)
	if err != nil {
		t.Fatal(err)
	}
	want := []npmView{
		{Path: "packages/w", Name: "w", Source: Source{Kind: SourceWorkspace, URL: "packages/w"}, Direct: true, Script: "nil"},
		{Path: "a", Name: "a", Version: "1.0.0", Source: Source{Kind: SourceRegistry}, Direct: true, Script: "nil", Hashes: "sha512"},
		{Path: "t", Name: "t", Version: "1.0.0", Source: Source{Kind: SourceRegistry}, Direct: true, Dev: true, Script: "nil", Hashes: "sha512"},
	}
	npmCheckPackages(t, lf, data, want, func(p *Package) string {
		if p.Path == "packages/w" {
			return `"w": [`
		}
		return `"` + p.Path + `": [`
	})
}

func TestBunKeyParts(t *testing.T) {
	for key, want := range map[string][]string{
		"a":                  {"a"},
		"a/b":                {"a", "b"},
		"@s/a":               {"@s/a"},
		"@s/a/@t/b/c":        {"@s/a", "@t/b", "c"},
		"a/@t/b":             {"a", "@t/b"},
		"@s":                 {"@s"},
		"@monorepo/legacy/x": {"@monorepo/legacy", "x"},
	} {
		if got := bunKeyParts(key); !reflect.DeepEqual(got, want) {
			t.Errorf("bunKeyParts(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestBunDetect(t *testing.T) {
	data, err := os.ReadFile("testdata/bun/bun.lock")
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := Detect("fixture.json5", data); !ok || f != FormatBun {
		t.Errorf("sniffed as %q %v", f, ok)
	}
	if f, ok := Detect("x/bun.lock", nil); !ok || f != FormatBun {
		t.Errorf("bun.lock named %q %v", f, ok)
	}
	if IsLockfileName("bun.lockb") {
		t.Error("bun.lockb (binary) is not read")
	}
	v3, err := os.ReadFile("testdata/npm/v3/package-lock.json")
	if err != nil {
		t.Fatal(err)
	}
	if sniffBunLock(v3) {
		t.Error("a package-lock sniffed as bun.lock")
	}
}

func TestBunEdgeCaseSpotChecks(t *testing.T) {
	parse := func(name string) *Lockfile {
		t.Helper()
		lf, err := ParseAs(corpusFile(t, "lockfiles/osv-scalibr-testdata/bunlock/"+name), FormatBun)
		if err != nil {
			t.Fatal(err)
		}
		return lf
	}
	summary := func(lf *Lockfile) map[string]string {
		out := map[string]string{}
		for i := range lf.Packages {
			p := &lf.Packages[i]
			s := p.Key()
			if p.Direct {
				s += " direct"
			}
			if p.Dev {
				s += " dev"
			}
			if p.Optional {
				s += " optional"
			}
			if len(p.Chain) > 0 {
				s += " < " + strings.Join(p.Chain, " < ")
			}
			out[p.Path] = s
		}
		return out
	}
	got := summary(parse("nested-dependencies.json5"))
	want := map[string]string{
		"ansi-styles":                   "ansi-styles@4.3.0 dev < chalk@4.1.2",
		"chalk":                         "chalk@4.1.2 direct dev",
		"color-convert":                 "color-convert@2.0.1 dev < chalk@4.1.2 < ansi-styles@4.3.0",
		"color-name":                    "color-name@1.1.4 dev < chalk@4.1.2 < ansi-styles@4.3.0 < color-convert@2.0.1",
		"has-flag":                      "has-flag@2.0.0 direct",
		"supports-color":                "supports-color@5.5.0 direct",
		"chalk/supports-color":          "supports-color@7.2.0 dev < chalk@4.1.2",
		"supports-color/has-flag":       "has-flag@3.0.0 < supports-color@5.5.0",
		"chalk/supports-color/has-flag": "has-flag@4.0.0 dev < chalk@4.1.2 < supports-color@7.2.0",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("nested-dependencies:\n got %v\nwant %v", got, want)
	}
	got = summary(parse("optional-package.json5"))
	want = map[string]string{
		"acorn":    "acorn@8.14.0 direct",
		"fsevents": "fsevents@0.3.8 direct optional",
		"nan":      "nan@2.22.0 optional < fsevents@0.3.8",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("optional-package:\n got %v\nwant %v", got, want)
	}
	got = summary(parse("alias.json5"))
	if got["supports-color-old"] != "supports-color@6.1.0 direct" || got["supports-color-old/has-flag"] != "has-flag@3.0.0 < supports-color@6.1.0" {
		t.Errorf("alias: %v", got)
	}
	lf := parse("files.json5")
	if p := npmFindPkg(lf, "etag"); p == nil || p.Source != (Source{Kind: SourceWorkspace, URL: "file:deps/etag"}) || !p.Dev || !p.Direct {
		t.Errorf("files: etag %+v", p)
	}
	lf = parse("commits.json5")
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if p.Source.Kind == SourceGit && !npmCommit(p.Source.Ref) {
			t.Errorf("commits: %s ref %q", p.Path, p.Source.Ref)
		}
	}
}
