package lockfile

import (
	"errors"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const pnpmCommit = "0123456789abcdef0123456789abcdef01234567"

func TestPnpmV5(t *testing.T) {
	lf, err := ParseAs(filepath.Join("testdata", "pnpm", "v5", "pnpm-lock.yaml"), FormatPnpm)
	if err != nil {
		t.Fatal(err)
	}
	if lf.Format != FormatPnpm || lf.Ecosystem != NPM || lf.FormatVersion != "5.4" {
		t.Errorf("format %q ecosystem %q version %q", lf.Format, lf.Ecosystem, lf.FormatVersion)
	}
	no, yes := jsBool(false), jsBool(true)
	jsCheck(t, lf, map[string]jsWant{
		// "_" inside the name is not a peer suffix
		"/@types/babel__core/7.1.14": {Name: "@types/babel__core", Version: "7.1.14", Kind: SourceRegistry,
			Hashes: sri("sha512-uzvTBgvNLX1W7OrhYasPxgqxSiJST9hTd0fcbEFNUtalHk79Env/UBO1hUYshGl6JwL51F0SdMZx9nV1g1Wxdg=="), Direct: true, InstallScript: no, Line: 30},
		"/devtool/3.0.1": {Name: "devtool", Version: "3.0.1", Kind: SourceRegistry,
			Hashes: sri("sha512-eVRpJ1E2pmFL8YEJX7TWrTJ5ucAhKtva4y32o2ntGW52ohHebyyhReXgxGJ9iHk5BQ06E3MfnUUl24h166gNyg=="), Direct: true, Dev: true, InstallScript: no, Line: 34},
		// requiresBuild: true -> install script; optional: true
		"/fsx/1.0.2": {Name: "fsx", Version: "1.0.2", Kind: SourceRegistry,
			Hashes: sri("sha512-M3z+CtngoW8jnLq3uEGGmdamePt8i3WztpLJb5DAo1kfKpFDggnOt2lXOJMZQP091QFQBGZxTa7k2biR0EF0+w=="), Direct: true, Optional: true, InstallScript: yes, Line: 44},
		// integrity + tarball under a registry key: registry with the tarball URL
		"/helper/1.2.0": {Name: "helper", Version: "1.2.0", Kind: SourceRegistry, URL: "https://npm-registry.invalid/helper/-/helper-1.2.0.tgz",
			Hashes: sri("sha512-i80s4VVzm6IkeMlPohG+FD/o3K37EUI0ANtfPaFW9upI0hrx+QTfoY38KWabic6nhIJ+en4MhEPg3j0utfXy9w=="), Dev: true, InstallScript: no,
			Chain: []string{"devtool@3.0.1"}, Line: 52},
		// hashed peer suffix stripped from the version
		"/orphan/2.0.0_3tldoaxl4vdnqv57zvg5o3qfbm": {Name: "orphan", Version: "2.0.0", Kind: SourceRegistry,
			Hashes: sri("sha512-PBV1ywU1oKIxg3Gf5Jp6C+IyK/zAV98PRn0irhpoinYMeeTv/90Dro19qhjwSrv/6LfATgYC88Y30NgslyCM3g=="), Dev: true, InstallScript: no,
			Chain: []string{"devtool@3.0.1"}, Line: 56},
		// two peer variants (dev: false and dev: true): one package, not dev
		"/react-dom/18.2.0_react@18.2.0": {Name: "react-dom", Version: "18.2.0", Kind: SourceRegistry,
			Hashes: sri("sha512-uGbH3MK5Cp8oU312LBBHtOgglPpa8HJkw4Z1g7tvg5Om866GWo2nl3TxoThOnzHQRKpAvM/Wnb3BsmfnCinvlA=="), Direct: true, InstallScript: no, Line: 60},
		"/react/18.2.0": {Name: "react", Version: "18.2.0", Kind: SourceRegistry,
			Hashes: sri("sha512-52RzcGNqKrpCZeDLQfx6KbctYpTPXFzQvrMOLCTbFCmaYLUS7HrXzOfGIahGMgoby6ms2YlkFmOKNvRohjg1Rw=="), Direct: true, InstallScript: no, Line: 78},
		"/react/18.3.0": {Name: "react", Version: "18.3.0", Kind: SourceRegistry,
			Hashes: sri("sha512-DHBePe9E3ti0i4V92CI36DYxrKLX6xLn4s6eEVQQIrP5qLGwk1DrpV8+uTZeA/iU9R/lH6o6uJEZImXIuTd9wg=="), Dev: true, InstallScript: no,
			Chain: []string{"devtool@3.0.1"}, Line: 83},
		// no dev field: used by dev and prod
		"/scheduler/0.23.0": {Name: "scheduler", Version: "0.23.0", Kind: SourceRegistry,
			Hashes: sri("sha512-upHycxBFG5VmazVjJXs3kgx5zDUpXhd7FWV6StNibeMkFp3MFvncDi+s+Dj6bx/Y5VtRGnSWC+aP+T8qctm61g=="), InstallScript: no,
			Chain: []string{"react-dom@18.2.0"}, Line: 87},
		"file:../local": {Name: "local", Version: "0.1.0", Kind: SourcePath, URL: "../local", Direct: true, InstallScript: no, Line: 90},
		"github.com/owner/gitdep/" + pnpmCommit: {Name: "gitdep", Version: "1.0.0", Kind: SourceGit,
			URL: "https://codeload.github.com/owner/gitdep/tar.gz/" + pnpmCommit, Ref: pnpmCommit, Direct: true, InstallScript: no, Line: 98},
		// a non-default registry: name and version from the key
		"registry.example.invalid/custom/1.0.0": {Name: "custom", Version: "1.0.0", Kind: SourceRegistry, URL: "https://registry.example.invalid/custom/-/custom-1.0.0.tgz",
			Hashes: sri("sha512-cm5DPyS4o1ZEYw2trtRkcSjq4Cwtidjv1rmGsivDlTsHaIGp9noNE6+mz3u/cv3d1k3Hu3fsS0OcYM3UdpMDbw=="), Direct: true, InstallScript: no, Line: 104},
	})
	for _, p := range lf.Packages {
		if p.Name == "react-dom" {
			want := []string{"/react/18.2.0", "/scheduler/0.23.0", "/react/18.3.0"}
			if !reflect.DeepEqual(p.Deps, want) {
				t.Errorf("react-dom deps %v, want the union of its variants' %v", p.Deps, want)
			}
		}
	}
}

func TestPnpmV6(t *testing.T) {
	lf, err := ParseAs(filepath.Join("testdata", "pnpm", "v6", "pnpm-lock.yaml"), FormatPnpm)
	if err != nil {
		t.Fatal(err)
	}
	if lf.FormatVersion != "6.0" {
		t.Errorf("format version %q", lf.FormatVersion)
	}
	no, yes := jsBool(false), jsBool(true)
	jsCheck(t, lf, map[string]jsWant{
		"/@types/node@20.10.3": {Name: "@types/node", Version: "20.10.3", Kind: SourceRegistry,
			Hashes: sri("sha512-Z5cKqsg9m+J4uA2Y9R9J2NzwNCUrYdl1IsLiB9fuVGxYmo2x4cSCxKP8zTeJJe+U9TUnrgbF0THiQfHGu8MUZQ=="), Dev: true, InstallScript: no,
			Chain: []string{"vitest@1.0.4"}, Line: 37},
		// a dependency of the workspace project packages/lib: direct
		"/ansi-regex@5.0.1": {Name: "ansi-regex", Version: "5.0.1", Kind: SourceRegistry,
			Hashes: sri("sha512-3O4tYoqqPVDN61voiNoI/Zh2nV+AKk7BOhJhINjWajXNROOCUFp6FJBLVEteygKnAw7yxshFbLqGSVBxxPJ9pg=="), Direct: true, InstallScript: no, Line: 41},
		"/esbuild@0.19.8": {Name: "esbuild", Version: "0.19.8", Kind: SourceRegistry,
			Hashes: sri("sha512-M4Hh4J8ojO3D1V17xBbkn7oU7ZYx4NoJQ5MSXP98+uBSXbDjVdBzctOoSWDLwUOlcgB6GwsNN+b6UDkUjYg+EA=="), Dev: true, InstallScript: yes,
			Chain: []string{"vitest@1.0.4"}, Line: 46},
		// reached through the alias string-width-cjs
		"/string-width@4.2.3": {Name: "string-width", Version: "4.2.3", Kind: SourceRegistry,
			Hashes: sri("sha512-oqYby23lmQTlEFA+XJvsccdSYlPdlhlv9hIOpsRntN9KNdJ8e/h0yLgbB2aeY24jeaLfk6Q2yQM8whNi521znQ=="), Direct: true, InstallScript: no, Line: 53},
		// "(peer)" suffix stripped from the version
		"/vitest@1.0.4(@types/node@20.10.3)": {Name: "vitest", Version: "1.0.4", Kind: SourceRegistry,
			Hashes: sri("sha512-ix9BBiCU+r+UrnQ/Nvxz0AaXMdaOH/Z8cFymyjM7bPy+6ZZzUvgbqUjtD4DQBoZBFDu00wYk6hXp/EMg/YT1kA=="), Direct: true, Dev: true, InstallScript: no, Line: 59},
		"github.com/owner/gitpkg/" + pnpmCommit: {Name: "@scope/gitpkg", Version: "2.0.0", Kind: SourceGit,
			URL: "https://github.com/owner/gitpkg.git", Ref: pnpmCommit, Direct: true, InstallScript: no, Line: 69},
		// the workspace project, named by its package.json
		"importers/packages/lib": {Name: "@fixture/lib", Version: "0.3.0", Kind: SourceWorkspace, URL: "packages/lib", Line: 26},
		// a link outside the workspace
		"link:../outside": {Name: "outside", Kind: SourcePath, URL: "../outside", Direct: true, Line: 15},
	})
}

func TestPnpmV9(t *testing.T) {
	lf, err := ParseAs(filepath.Join("testdata", "pnpm", "v9", "pnpm-lock.yaml"), FormatPnpm)
	if err != nil {
		t.Fatal(err)
	}
	if lf.FormatVersion != "9.0" {
		t.Errorf("format version %q", lf.FormatVersion)
	}
	jsCheck(t, lf, map[string]jsWant{
		// the env document: pnpm itself, fetched for every install
		"pnpm@11.0.0": {Name: "pnpm", Version: "11.0.0", Kind: SourceRegistry,
			Hashes: sri("sha512-0hzWRxFc6c+VNBwfx/4/OHef64RZsuKYn1B6KH4LoaPDJ0mEeWExppUxlQWdEf97cOqfQQpGLfImoIh7K67e9Q=="), Direct: true, Line: 15},
		"@scope/gitpkg@git+https://github.com/owner/gitpkg.git#" + pnpmCommit: {Name: "@scope/gitpkg", Version: "2.0.0", Kind: SourceGit,
			URL: "https://github.com/owner/gitpkg.git", Ref: pnpmCommit, Direct: true, Line: 73},
		// only reached from a devDependency: dev, computed from the graph
		"devhelper@1.0.0": {Name: "devhelper", Version: "1.0.0", Kind: SourceRegistry,
			Hashes: sri("sha512-/SKTNeuEH+VJVprYFtQVTwK7cRjEnFDj32d/Nwvss6SU4i1Wxms+XgiKIKm41lwWKYgofv+8igSOKKUH6z0+rA=="), Dev: true,
			Chain: []string{"devtool@3.0.1"}, Line: 77},
		"devtool@3.0.1": {Name: "devtool", Version: "3.0.1", Kind: SourceRegistry,
			Hashes: sri("sha512-eVRpJ1E2pmFL8YEJX7TWrTJ5ucAhKtva4y32o2ntGW52ohHebyyhReXgxGJ9iHk5BQ06E3MfnUUl24h166gNyg=="), Direct: true, Dev: true, Line: 80},
		// two snapshots, one package
		"fdir@6.5.0": {Name: "fdir", Version: "6.5.0", Kind: SourceRegistry,
			Hashes: sri("sha512-vgLrhLoq33j2jyqQ++8OaiFb9uTIfmuLdAUAAsD1Z8XtJEwKH4rTQ1X0zQ06MJ5fKgmCkaxszOaSI+pgzP/u7Q=="), Direct: true, Line: 84},
		// snapshot optional: true
		"fsx@1.0.2": {Name: "fsx", Version: "1.0.2", Kind: SourceRegistry,
			Hashes: sri("sha512-M3z+CtngoW8jnLq3uEGGmdamePt8i3WztpLJb5DAo1kfKpFDggnOt2lXOJMZQP091QFQBGZxTa7k2biR0EF0+w=="), Direct: true, Optional: true, Line: 93},
		"gitdep@https://codeload.github.com/owner/gitdep/tar.gz/" + pnpmCommit: {Name: "gitdep", Version: "1.0.0", Kind: SourceGit,
			URL: "https://codeload.github.com/owner/gitdep/tar.gz/" + pnpmCommit, Ref: pnpmCommit, Direct: true, Line: 97},
		// reached from devtool and, through the alias helper-alias, from the workspace project lib
		"helper@1.2.0": {Name: "helper", Version: "1.2.0", Kind: SourceRegistry, URL: "https://npm-registry.invalid/helper/-/helper-1.2.0.tgz",
			Hashes: sri("sha512-i80s4VVzm6IkeMlPohG+FD/o3K37EUI0ANtfPaFW9upI0hrx+QTfoY38KWabic6nhIJ+en4MhEPg3j0utfXy9w=="), Direct: true, Line: 101},
		"local@file:../local": {Name: "local", Version: "0.1.0", Kind: SourcePath, URL: "../local", Direct: true, Line: 104},
		"picomatch@4.0.4": {Name: "picomatch", Version: "4.0.4", Kind: SourceRegistry,
			Hashes: sri("sha512-f9pX2HcijdfF8M65gQFLYtwBgRnJSkvr548MGIWy9m9xLYgF91zsPjgVNZcnYYbhna/tG19hELqgj4F7fFcFyw=="), Chain: []string{"devtool@3.0.1"}, Line: 108},
		// a devDependency of the root, but also reached from the workspace project lib
		"picomatch@4.0.5": {Name: "picomatch", Version: "4.0.5", Kind: SourceRegistry,
			Hashes: sri("sha512-gQooCcgOxyBCwgBvvP3L8c3MicphqyaMGZWd2x0EBThxGSQqCGRWZ5e1m+j+7iTcK+lSZp0vfhHd+68AbKC/1w=="), Direct: true, Line: 112},
		// no package.json here: named by the link that points at it
		"importers/packages/lib": {Name: "lib", Kind: SourceWorkspace, URL: "packages/lib", Line: 59},
		// link: inside a local package is relative to that package's folder
		"link:../sibling": {Name: "sibling", Kind: SourcePath, URL: "../sibling", Chain: []string{"local@0.1.0"}, Line: 145},
	})
	for _, p := range lf.Packages {
		if p.Name == "fdir" && !reflect.DeepEqual(p.Deps, []string{"picomatch@4.0.4", "picomatch@4.0.5"}) {
			t.Errorf("fdir deps %v, want both snapshots' picomatch", p.Deps)
		}
	}
}

func TestPnpmErrors(t *testing.T) {
	dir := t.TempDir()
	v9 := "lockfileVersion: '9.0'\n\n"
	v6 := "lockfileVersion: '6.0'\n\n"
	v5 := "lockfileVersion: 5.4\n\n"
	integrity := "sha512-f9pX2HcijdfF8M65gQFLYtwBgRnJSkvr548MGIWy9m9xLYgF91zsPjgVNZcnYYbhna/tG19hELqgj4F7fFcFyw=="
	tests := []struct {
		name, data string
		line       int
		subs       []string
	}{
		{"not a mapping", "this is not a lockfile\n", 1, []string{"expected a mapping"}},
		{"yaml syntax", v9 + "packages:\n  a@1.0.0: {resolution: [\n", 0, []string{"invalid YAML"}},
		{"missing lockfileVersion", "packages: {}\n", 1, []string{"missing lockfileVersion"}},
		{"old lockfileVersion", "lockfileVersion: 4\n", 1, []string{"not supported"}},
		{"garbage lockfileVersion", "lockfileVersion: abc\n", 1, []string{"cannot read lockfileVersion"}},
		{"lockfileVersion mapping", "lockfileVersion: {a: 1}\n", 1, []string{"lockfileVersion"}},
		{"packages list", v9 + "packages: [a]\n", 3, []string{"packages", "expected a mapping"}},
		{"empty entry", v5 + "packages:\n  /a/1.0.0:\n", 4, []string{`packages["/a/1.0.0"]`, "resolution is required"}},
		{"missing resolution", v6 + "packages:\n  /a@1.0.0:\n    dev: false\n", 4, []string{`packages["/a@1.0.0"]`, "missing resolution"}},
		{"empty resolution", v9 + "packages:\n  a@1.0.0:\n    resolution: {}\n", 5, []string{`packages["a@1.0.0"].resolution`, "no integrity"}},
		{"resolution variations", v9 + "packages:\n  node@runtime:22.0.0:\n    resolution: {type: variations}\n    version: 22.0.0\n", 5, []string{"unsupported resolution type"}},
		{"git without repo", v9 + "packages:\n  a@1.0.0:\n    resolution: {commit: " + pnpmCommit + "}\n", 5, []string{"without repo"}},
		{"malformed integrity", v9 + "packages:\n  a@1.0.0:\n    resolution: {integrity: nohash}\n", 5, []string{".integrity", "malformed integrity"}},
		{"dev not a bool", v6 + "packages:\n  /a@1.0.0:\n    resolution: {integrity: " + integrity + "}\n    dev: yes\n", 6, []string{`packages["/a@1.0.0"].dev`, "true or false"}},
		{"no name", v5 + "packages:\n  /@x:\n    resolution: {integrity: " + integrity + "}\n", 4, []string{"cannot tell the package name"}},
		{"no version", v5 + "packages:\n  github.com/o/r/" + pnpmCommit + ":\n    resolution: {tarball: https://codeload.github.com/o/r/tar.gz/" + pnpmCommit + "}\n    name: r\n", 4, []string{"cannot tell the package version"}},
		{"dependencies list", v6 + "packages:\n  /a@1.0.0:\n    resolution: {integrity: " + integrity + "}\n    dependencies: [b]\n", 6, []string{`packages["/a@1.0.0"].dependencies`}},
		{"snapshot without package", v9 + "packages:\n  a@1.0.0:\n    resolution: {integrity: " + integrity + "}\n\nsnapshots:\n  b@2.0.0: {}\n", 8, []string{`snapshots["b@2.0.0"]`, "no packages entry"}},
		{"snapshot list", v9 + "packages:\n  a@1.0.0:\n    resolution: {integrity: " + integrity + "}\n\nsnapshots:\n  a@1.0.0: [x]\n", 8, []string{`snapshots["a@1.0.0"]`}},
		{"importer list", v9 + "importers:\n  .: [a]\n", 4, []string{`importers["."]`}},
		{"importer dep without version", v9 + "importers:\n  .:\n    dependencies:\n      a:\n        specifier: ^1\n", 7, []string{`importers["."].dependencies.a`, "missing version"}},
		{"second document broken", v9 + "---\nlockfileVersion: '9.0'\npackages:\n  a@1.0.0: 3\n", 6, []string{`packages["a@1.0.0"]`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "pnpm-lock.yaml")
			_, err := ParseBytes(p, []byte(tc.data), FormatPnpm)
			if err == nil {
				t.Fatal("no error")
			}
			jsParseError(t, err, tc.line, append(tc.subs, p)...)
		})
	}
}

func TestPnpmRefs(t *testing.T) {
	tests := []struct {
		style           int
		name, ref       string
		wantID, wantLnk string
	}{
		{5, "a", "1.0.0", "/a/1.0.0", ""},
		{5, "a", "1.0.0_react@18.2.0+@types+react@18.0.0", "/a/1.0.0", ""},
		{5, "a", "1.0.0_3tldoaxl4vdnqv57zvg5o3qfbm", "/a/1.0.0", ""},
		{5, "a", "1.0.0_patch_hash=3tldoaxl4vdnqv57zvg5o3qfbm", "/a/1.0.0", ""},
		{5, "a", "github.com/o/my_repo", "github.com/o/my_repo", ""},
		{5, "alias", "/real/1.0.0", "/real/1.0.0", ""},
		{5, "@s/a", "1.0.0", "/@s/a/1.0.0", ""},
		{5, "a", "file:../a", "file:../a", ""},
		{5, "a", "file:.._react@18.2.0", "file:..", ""},
		{5, "a", "github.com/o/r/" + pnpmCommit, "github.com/o/r/" + pnpmCommit, ""},
		{6, "a", "1.0.0(react@18.2.0(react-dom@18.2.0))", "/a@1.0.0", ""},
		{6, "alias", "/real@1.0.0", "/real@1.0.0", ""},
		{6, "a", "file:", "file:", ""},
		{6, "a", "1.0.0(patch_hash=abc)(react@18.2.0)", "/a@1.0.0", ""},
		{6, "a", "link:../a", "", "../a"},
		{9, "a", "1.0.0(react@18.2.0)", "a@1.0.0", ""},
		{9, "alias", "real@1.0.0", "real@1.0.0", ""},
		{9, "alias", "@s/real@1.0.0(x@1)", "@s/real@1.0.0", ""},
		{9, "a", "https://codeload.github.com/o/r/tar.gz/" + pnpmCommit, "a@https://codeload.github.com/o/r/tar.gz/" + pnpmCommit, ""},
		{9, "a", "git+ssh://git@github.com/o/r.git#" + pnpmCommit, "a@git+ssh://git@github.com/o/r.git#" + pnpmCommit, ""},
		{9, "a", "file:../a", "a@file:../a", ""},
		{9, "a", "link:packages/a", "", "packages/a"},
	}
	for _, tc := range tests {
		id, link := pnpmRefID(tc.style, tc.name, tc.ref)
		if id != tc.wantID || link != tc.wantLnk {
			t.Errorf("v%d %s: %q: got %q %q, want %q %q", tc.style, tc.name, tc.ref, id, link, tc.wantID, tc.wantLnk)
		}
	}
}

func TestPnpmDetect(t *testing.T) {
	for _, v := range []string{"v5", "v6", "v9"} {
		data, err := os.ReadFile(filepath.Join("testdata", "pnpm", v, "pnpm-lock.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := Detect("one-package."+v+".yaml", data); !ok || f != FormatPnpm {
			t.Errorf("Detect(%s) = %q, %v", v, f, ok)
		}
	}
	if f, ok := Detect("pnpm-lock.yaml", nil); !ok || f != FormatPnpm {
		t.Errorf("Detect(pnpm-lock.yaml) = %q, %v", f, ok)
	}
	for _, other := range []string{
		"# yarn lockfile v1\n\na@^1:\n  version \"1\"\n",
		"__metadata:\n  version: 8\n",
		"{\n  \"lockfileVersion\": 1,\n  \"workspaces\": {}\n}\n",
		`{"name": "x", "lockfileVersion": 3, "packages": {}}`,
	} {
		if sniffPnpm([]byte(other)) {
			t.Errorf("sniffPnpm claims %q", other)
		}
	}
}

var pnpmPeerSuffix = regexp.MustCompile(`\(.*$`)

// pnpmIndependentCount counts, by generic YAML decoding, what the parser
// must report: one package per distinct packages key once "(peer)" suffixes
// are removed (9.x keys have none; several snapshots of one key are one
// artifact), plus one workspace package per importer other than ".", plus
// one path package per distinct link: target outside the importers.
func pnpmIndependentCount(t *testing.T, data []byte) int {
	var doc struct {
		Packages  map[string]any `yaml:"packages"`
		Importers map[string]map[string]map[string]struct {
			Version string `yaml:"version"`
		} `yaml:"importers"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{}
	for k := range doc.Packages {
		keys[pnpmPeerSuffix.ReplaceAllString(k, "")] = true
	}
	n := len(keys)
	links := map[string]bool{}
	for imp, groups := range doc.Importers {
		if imp != "." {
			n++
		}
		for _, deps := range groups {
			for _, d := range deps {
				if l, ok := strings.CutPrefix(d.Version, "link:"); ok {
					t := path.Clean(path.Join(imp, l))
					if _, isImporter := doc.Importers[t]; !isImporter && t != "." {
						links[t] = true
					}
				}
			}
		}
	}
	return n + len(links)
}

type pnpmCorpusSpot struct {
	version    string
	workspaces int
	spot       func(t *testing.T, lf *Lockfile)
}

// pnpmCorpusSpots are per-project checks on top of the generic ones.
var pnpmCorpusSpots = map[string]pnpmCorpusSpot{
	"vue2-v6": {"6.0", 3, func(t *testing.T, lf *Lockfile) {
		jsSpot(t, lf, "vitest", "1.0.4", func(p *Package) bool {
			return p.Direct && p.Dev && strings.HasPrefix(p.Path, "/vitest@1.0.4(")
		})
		jsSpot(t, lf, "esbuild", "0.19.8", func(p *Package) bool { return p.InstallScript != nil && *p.InstallScript && p.Dev })
		// the 'file:' entry is the root project itself (directory ''),
		// versioned by the package.json next to the lock
		jsSpot(t, lf, "vue", "2.7.16", func(p *Package) bool { return p.Source.Kind == SourceWorkspace && p.Path == "file:" })
		jsSpot(t, lf, "@vue/compiler-sfc", "", func(p *Package) bool { return p.Source.Kind == SourceWorkspace })
	}},
	"vue3-core-v9": {"9.0", 17, func(t *testing.T, lf *Lockfile) {
		jsSpot(t, lf, "fdir", "6.5.0", func(p *Package) bool { return len(p.Deps) == 2 && p.Dev && len(p.Chain) > 0 })
		jsSpot(t, lf, "vitest", "4.1.10", func(p *Package) bool { return p.Direct && p.Dev && p.InstallScript == nil })
	}},
	"osv-dev-frontend3-v9": {"9.0", 0, func(t *testing.T, lf *Lockfile) {
		jsSpot(t, lf, "lit", "3.3.3", func(p *Package) bool { return p.Direct && !p.Dev })
		jsSpot(t, lf, "lodash", "4.18.1", func(p *Package) bool { return !p.Direct && p.Dev && len(p.Chain) > 0 })
		for _, p := range lf.Packages {
			if p.Source.Kind != SourceRegistry || len(p.Hashes) != 1 || p.Hashes[0].Algorithm != "sha512" {
				t.Errorf("%s: source %+v hashes %v", p.Key(), p.Source, p.Hashes)
			}
		}
	}},
}

// TestPnpmCorpus parses every lockfiles/pnpm/*/pnpm-lock.yaml of the corpus
// and compares the package count with one computed without the parser.
func TestPnpmCorpus(t *testing.T) {
	dir := corpusDir(t)
	seen := map[string]bool{}
	for _, path := range globAll(t, filepath.Join(dir, "lockfiles", "pnpm", "*", "pnpm-lock.yaml")) {
		project := filepath.Base(filepath.Dir(path))
		seen[project] = true
		t.Run(project, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			lf, err := ParseAs(path, FormatPnpm)
			if err != nil {
				t.Fatal(err)
			}
			if want := pnpmIndependentCount(t, data); len(lf.Packages) != want || want == 0 {
				t.Errorf("%d packages, independent count %d", len(lf.Packages), want)
			}
			ws := 0
			for _, p := range lf.Packages {
				if strings.HasPrefix(p.Path, "importers/") {
					ws++
				}
				if strings.ContainsAny(p.Version, "()_") {
					t.Errorf("%s: peer suffix leaked into version %q", p.Path, p.Version)
				}
				if p.Name == "" {
					t.Errorf("%s: no name", p.Path)
				}
			}
			spot, ok := pnpmCorpusSpots[project]
			if !ok {
				return
			}
			if lf.FormatVersion != spot.version {
				t.Errorf("format version %q, want %q", lf.FormatVersion, spot.version)
			}
			if ws != spot.workspaces {
				t.Errorf("%d workspace projects, want %d", ws, spot.workspaces)
			}
			spot.spot(t, lf)
		})
	}
	for project := range pnpmCorpusSpots {
		if !seen[project] {
			t.Errorf("corpus project %s missing", project)
		}
	}
}

func BenchmarkParsePnpmVue2V6(b *testing.B) {
	benchParse(b, "lockfiles/pnpm/vue2-v6/pnpm-lock.yaml", FormatPnpm)
}

func BenchmarkParsePnpmVue3V9(b *testing.B) {
	benchParse(b, "lockfiles/pnpm/vue3-core-v9/pnpm-lock.yaml", FormatPnpm)
}

// TestPnpmYAMLErrorLines: YAML errors name a line even where yaml.v3 leaves
// it out (its first line, its reader's errors).
func TestPnpmYAMLErrorLines(t *testing.T) {
	for in, line := range map[string]int{
		"!! ": 1,
		"lockfileVersion: '9.0'\nx: 1\ny: \x01\n": 3,
		"lockfileVersion: '9.0'\nx: \xff\n":       2,
		"lockfileVersion: '9.0'\npackages: [\n":   2,
		"'unterminated":                           1,
	} {
		for _, f := range []Format{FormatPnpm, FormatYarn} {
			data := in
			if f == FormatYarn {
				data = "__metadata:\n  version: 8\n" + in
				line += 2
			}
			_, err := ParseBytes("lock", []byte(data), f)
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Line != line {
				t.Errorf("%s %q: %v; want a ParseError at line %d", f, data, err, line)
			}
		}
	}
}
