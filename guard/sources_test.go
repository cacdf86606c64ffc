package guard

import (
	"context"
	"strings"
	"testing"
)

func TestSources(t *testing.T) {
	entry := func(name, version, resolved string) string {
		return `,
  "node_modules/` + name + `": {"version": "` + version + `", "resolved": "` + resolved + `", "integrity": "` + sriA + `"}`
	}
	npmLock := `{"lockfileVersion": 3, "packages": {
  "": {"dependencies": {}}` +
		entry("lodash", "4.17.21", "https://npm-registry.invalid/lodash/-/lodash-4.17.21.tgz") +
		entry("internal", "1.0.0", "https://evil.example/internal/-/internal-1.0.0.tgz") +
		entry("@myorg/lib", "1.0.0", "https://npm-registry.invalid/@myorg/lib/-/lib-1.0.0.tgz") +
		entry("@myorg/ok", "1.0.0", "https://npm.myorg.example/@myorg%2fok/-/ok-1.0.0.tgz") +
		entry("poisoned", "1.0.0", "https://npm-registry.invalid/evil/-/evil-6.6.6.tgz") +
		entry("wrongver", "1.0.0", "https://npm-registry.invalid/wrongver/-/wrongver-2.0.0.tgz") +
		entry("gh", "1.0.0", "git+ssh://git@github.com/o/gh.git#0123456789abcdef0123456789abcdef01234567") +
		entry("cdn", "1.0.0", "https://cdn.example.com/cdn-1.0.0.tgz") + `,
  "node_modules/implied": {"version": "1.0.0", "integrity": "` + sriA + `"}
}}`
	full := `[sources]
resolved-match = true
[sources.npm]
registries = ["https://npm-registry.invalid/", "https://npm.myorg.example/"]
hosts = ["*.example.com"]
scoped-registries = { "@myorg" = "https://npm.myorg.example/" }
`
	cargoLock := `version = 3

[[package]]
name = "serde"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

[[package]]
name = "private"
version = "1.0.0"
source = "sparse+https://cargo.evil.example/index/"
checksum = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
`
	yarnLock := `# yarn lockfile v1

lodash@4.17.21:
  version "4.17.21"
  resolved "https://npm-registry.invalid/lodash/-/lodash-4.17.21.tgz#abc"
  integrity ` + sriA + `
`
	cases := []struct {
		name, file, lock, policy string
		want                     []string
	}{
		{name: "no policy: not restricted", file: "package-lock.json", lock: npmLock},
		{name: "registries, hosts, scopes, resolved-match", file: "package-lock.json", lock: npmLock, policy: full,
			want: []string{
				"@myorg/lib scope-registry block",
				"gh host-not-allowed block",
				"internal registry-not-allowed block",
				"poisoned resolved-mismatch block",
				"wrongver resolved-mismatch block",
			}},
		// without listed registries guard assumes no registry host: only
		// the URLs naming another package or version are findings
		{name: "resolved-match alone", file: "package-lock.json", lock: npmLock, policy: "[sources]\nresolved-match = true\naction = \"warn\"\n",
			want: []string{
				"poisoned resolved-mismatch warn",
				"wrongver resolved-mismatch warn",
			}},
		{name: "yarn lockfile on the listed registry", file: "yarn.lock", lock: yarnLock,
			policy: "[sources]\nresolved-match = true\n[sources.npm]\nregistries = [\"https://npm-registry.invalid/\"]\n"},
		{name: "cargo registries", file: "Cargo.lock", lock: cargoLock,
			policy: "[sources.\"crates.io\"]\nregistries = [\"https://index.crates.io/\"]\n",
			want:   []string{"private registry-not-allowed block"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, c.file, c.lock)
			opts := Options{Paths: []string{dir}, Level: 2, Mode: Block, Advisories: &memSource{}}
			if c.policy != "" {
				opts.Policy = projectPolicy(t, dir, c.policy)
			}
			r, err := Check(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Errors) > 0 {
				t.Fatalf("errors %+v", r.Errors)
			}
			got := findingKeys(r, RuleSources)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
			for _, f := range r.Findings {
				if f.Rule == RuleSources && (f.Item != "G2.1" || f.Why == "") {
					t.Errorf("finding %+v", f)
				}
				if f.ID == SrcResolvedMismatch && f.Name == "poisoned" && !strings.Contains(f.Message, "names evil@6.6.6, not poisoned@1.0.0") {
					t.Errorf("message %q", f.Message)
				}
			}
		})
	}
}

func TestHostOf(t *testing.T) {
	for in, want := range map[string]string{
		"git+ssh://git@GitHub.com/o/r.git#abc": "github.com",
		"git@gitlab.com:o/r.git":               "gitlab.com",
		"github:o/r":                           "github.com",
		"https://files.example.com:8443/a.tgz": "files.example.com",
		"sparse+https://index.crates.io/":      "index.crates.io",
		"not a url":                            "",
	} {
		if got := hostOf(in); got != want {
			t.Errorf("hostOf(%q) = %q, want %q", in, got, want)
		}
	}
}
