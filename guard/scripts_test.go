package guard

import (
	"context"
	"sort"
	"strings"
	"testing"
)

const sriA = "sha512-RQD73jlAxGXhp/cCoHAlJdS00osIKwaZJACY24bBxqQigGtYRQ9RlRRrW4y34bWnsbN/9B7QZpTO4Gh2FCntvg=="

// findingKeys lists the findings of one rule as "name id action".
func findingKeys(r *Report, rule string) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Rule == rule {
			out = append(out, f.Name+" "+f.ID+" "+string(f.Action))
		}
	}
	sort.Strings(out)
	return out
}

func TestInstallScripts(t *testing.T) {
	npmLock := `{"lockfileVersion": 3, "packages": {
  "": {"dependencies": {"vite": "5.0.0", "plain": "1.0.0"}},
  "node_modules/vite": {"version": "5.0.0", "integrity": "` + sriA + `", "dependencies": {"esbuild": "0.19.0"}},
  "node_modules/esbuild": {"version": "0.19.0", "integrity": "` + sriA + `", "hasInstallScript": true},
  "node_modules/evil": {"version": "1.0.0", "integrity": "` + sriA + `", "hasInstallScript": true, "dev": true},
  "node_modules/plain": {"version": "1.0.0", "integrity": "` + sriA + `", "hasInstallScript": false}
}}`
	pnpmLock := `lockfileVersion: '6.0'
dependencies:
  core-js:
    specifier: 3.0.0
    version: 3.0.0
  left-pad:
    specifier: 1.3.0
    version: 1.3.0
packages:
  /core-js@3.0.0:
    resolution: {integrity: ` + sriA + `}
    requiresBuild: true
    dev: false
  /left-pad@1.3.0:
    resolution: {integrity: ` + sriA + `}
    dev: false
`
	yarnLock := `# yarn lockfile v1

esbuild@0.19.0:
  version "0.19.0"
  resolved "https://npm-registry.invalid/esbuild/-/esbuild-0.19.0.tgz"
  integrity ` + sriA + `
`
	cases := []struct {
		name, file, lock, policy string
		level                    int
		want                     []string
	}{
		{name: "package-lock hasInstallScript", file: "package-lock.json", lock: npmLock, level: 3,
			want: []string{"esbuild install-script block", "evil install-script block"}},
		{name: "allow list", file: "package-lock.json", lock: npmLock,
			policy: "level = 3\n[install-scripts]\nallow = [\"npm:esbuild\"]\n",
			want:   []string{"evil install-script block"}},
		{name: "action warn", file: "package-lock.json", lock: npmLock,
			policy: "level = 3\n[install-scripts]\naction = \"warn\"\n",
			want:   []string{"esbuild install-script warn", "evil install-script warn"}},
		{name: "off below level 3", file: "package-lock.json", lock: npmLock, level: 2},
		{name: "pnpm requiresBuild", file: "pnpm-lock.yaml", lock: pnpmLock, level: 3,
			want: []string{"core-js install-script block"}},
		{name: "yarn does not record scripts", file: "yarn.lock", lock: yarnLock, level: 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, c.file, c.lock)
			opts := Options{Paths: []string{dir}, Level: c.level, Mode: Block, Advisories: &memSource{}}
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
			got := findingKeys(r, RuleInstallScripts)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got %q, want %q", got, c.want)
			}
			for _, f := range r.Findings {
				if f.Rule != RuleInstallScripts {
					continue
				}
				if f.Item != "G2.3" || !strings.Contains(f.Message, f.Name+"@"+f.Version) || f.Why == "" {
					t.Errorf("finding %+v", f)
				}
				if f.Name == "esbuild" && !strings.Contains(f.Message, "pulled in by vite@5.0.0") {
					t.Errorf("no chain in %q", f.Message)
				}
			}
		})
	}
}
