package fix

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/installguard/guard/lockfile"
)

// fakeRegistry resolves parent candidates from a table: the version of
// each dependency that a version of the parent locks.
type fakeRegistry struct {
	// deps[parent][version] = dependency name -> locked version
	deps  map[string]map[string]map[string]string
	tried []string
}

func (f *fakeRegistry) Versions(_ context.Context, _, name string) ([]string, error) {
	var out []string
	for v := range f.deps[name] {
		out = append(out, v)
	}
	return out, nil
}

func (f *fakeRegistry) resolve(_ context.Context, lf *lockfile.Lockfile, name, version string) (*lockfile.Lockfile, error) {
	f.tried = append(f.tried, name+"@"+version)
	deps, ok := f.deps[name][version]
	if !ok {
		return nil, fmt.Errorf("no such version %s@%s", name, version)
	}
	out := &lockfile.Lockfile{Path: lf.Path, Format: lf.Format, Ecosystem: lf.Ecosystem}
	for _, p := range lf.Packages {
		if p.ID == "node_modules/"+name || strings.HasPrefix(p.ID, "node_modules/"+name+"/") {
			continue
		}
		out.Packages = append(out.Packages, p)
	}
	parent := lockfile.Package{Ecosystem: lockfile.NPM, Name: name, Version: version, Direct: true, ID: "node_modules/" + name}
	for dn, dv := range deps {
		id := "node_modules/" + name + "/node_modules/" + dn
		parent.Deps = append(parent.Deps, id)
		out.Packages = append(out.Packages, lockfile.Package{Ecosystem: lockfile.NPM, Name: dn, Version: dv, ID: id})
	}
	out.Packages = append(out.Packages, parent)
	return out, nil
}

// writeTree writes a package-lock.json v3: the root depends on the given
// direct dependencies, whose own dependencies are nested under them.
func writeTree(t *testing.T, dir string, direct map[string]string, nested map[string]map[string]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{"name": "p", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {`)
	fmt.Fprintf(&b, `"": {"name": "p", "version": "1.0.0", "dependencies": %s}`, jsonMap(direct))
	for name, v := range direct {
		fmt.Fprintf(&b, `, "node_modules/%s": {"version": %q, "integrity": "sha512-AAAA", "dependencies": %s}`, name, v, jsonMap(nested[name]))
		for dn, dv := range nested[name] {
			fmt.Fprintf(&b, `, "node_modules/%s/node_modules/%s": {"version": %q, "integrity": "sha512-AAAA"}`, name, dn, dv)
		}
	}
	b.WriteString("}}\n")
	path := filepath.Join(dir, "package-lock.json")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "package.json"), []byte(fmt.Sprintf(`{"name": "p", "version": "1.0.0", "dependencies": %s}`+"\n", jsonMap(direct))), 0o644)
	return path
}

func planWithRegistry(t *testing.T, lock string, reg *fakeRegistry) map[string]Item {
	t.Helper()
	lf, err := lockfile.Parse(lock)
	if err != nil {
		t.Fatal(err)
	}
	src := fakeSource{rec(t, "GHSA-x", "npm", "x", "introduced:0", "fixed:1.0.1")}
	s := Setup{Check: checkOptions(src), Versions: func(string) VersionLister { return reg }, Resolve: reg.resolve}
	p, err := s.checkAndPlan(context.Background(), []*lockfile.Lockfile{lf})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Item{}
	for _, it := range p.Items {
		out[it.Name] = it
	}
	return out
}

// The smallest parent version whose resolved tree clears wins, tried in
// ascending order after the highest; no override is planned.
func TestPlanParentUpgrade(t *testing.T) {
	lock := writeTree(t, t.TempDir(), map[string]string{"p": "1.0.0"}, map[string]map[string]string{"p": {"x": "1.0.0"}})
	reg := &fakeRegistry{deps: map[string]map[string]map[string]string{
		"p": {"1.0.0": {"x": "1.0.0"}, "1.0.1": {"x": "1.0.0"}, "1.1.0": {"x": "1.0.1"}, "1.2.0": {"x": "1.0.2"}, "2.0.0": {"x": "1.0.1"}},
		"x": {"1.0.0": nil, "1.0.1": nil, "1.0.2": nil},
	}}
	items := planWithRegistry(t, lock, reg)
	it, ok := items["p"]
	if !ok || len(items) != 1 || it.To != "1.1.0" || it.Method != MethodDirect || len(it.Clears) != 1 ||
		it.Clears[0].Name != "x" || strings.Join(it.Clears[0].Locked, ",") != "1.0.1" || len(it.Advisories) != 0 {
		t.Fatalf("plan %+v, want only p 1.0.0 -> 1.1.0 clearing x", items)
	}
	if got := strings.Join(reg.tried, " "); got != "p@1.0.1 p@1.1.0" {
		t.Errorf("resolutions tried: %s, want ascending until one clears", got)
	}
}

// With more candidates than the budget, release lines are tried in
// ascending order, each gated by its highest version.
func TestPlanParentReleaseLines(t *testing.T) {
	lock := writeTree(t, t.TempDir(), map[string]string{"p": "1.0.0"}, map[string]map[string]string{"p": {"x": "1.0.0"}})
	reg := &fakeRegistry{deps: map[string]map[string]map[string]string{
		"p": {"1.0.0": {"x": "1.0.0"}, "1.0.1": {"x": "1.0.0"}, "1.1.0": {"x": "1.0.0"},
			"2.0.0": {"x": "1.0.0"}, "2.1.0": {"x": "1.0.1"}, "2.2.0": {"x": "1.0.1"}, "3.0.0": {"x": "1.0.1"}},
		"x": {"1.0.0": nil, "1.0.1": nil},
	}}
	lf, err := lockfile.Parse(lock)
	if err != nil {
		t.Fatal(err)
	}
	src := fakeSource{rec(t, "GHSA-x", "npm", "x", "introduced:0", "fixed:1.0.1")}
	s := Setup{Check: checkOptions(src)}
	r, err := s.check(context.Background(), []*lockfile.Lockfile{lf})
	if err != nil {
		t.Fatal(err)
	}
	p, err := MakePlan(context.Background(), Options{Lockfiles: []*lockfile.Lockfile{lf}, Report: r, Advisories: src,
		Versions: reg, Check: s.check, Resolve: reg.resolve, MaxParentTries: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 1 || p.Items[0].Name != "p" || p.Items[0].To != "2.1.0" {
		t.Fatalf("plan %+v, want p -> 2.1.0", p.Items)
	}
	if got := strings.Join(reg.tried, " "); got != "p@1.1.0 p@2.2.0 p@2.0.0 p@2.1.0" {
		t.Errorf("resolutions tried: %s", got)
	}
}

// When no parent version clears, the transitive package gets an override,
// with a note saying why.
func TestPlanParentFallsBackToOverride(t *testing.T) {
	lock := writeTree(t, t.TempDir(), map[string]string{"p": "1.0.0"}, map[string]map[string]string{"p": {"x": "1.0.0"}})
	reg := &fakeRegistry{deps: map[string]map[string]map[string]string{
		"p": {"1.0.0": {"x": "1.0.0"}, "1.1.0": {"x": "1.0.0"}, "2.0.0": {"x": "1.0.0"}},
		"x": {"1.0.0": nil, "1.0.1": nil},
	}}
	items := planWithRegistry(t, lock, reg)
	if _, ok := items["p"]; ok {
		t.Errorf("a parent upgrade that clears nothing was planned: %+v", items["p"])
	}
	it := items["x"]
	if it.Method != MethodOverride || it.To != "1.0.1" || !strings.Contains(it.Note, "no upgrade of p clears") {
		t.Fatalf("x: %+v, want an override to 1.0.1 with a note", it)
	}
	if got := strings.Join(reg.tried, " "); got != "p@1.1.0 p@2.0.0" {
		t.Errorf("resolutions tried: %s, want every candidate, ascending", got)
	}
}

// A package under two direct dependencies is covered only when both
// upgrades clear it; otherwise it keeps an item of its own.
func TestPlanParentCoversOnlyWhenEveryParentClears(t *testing.T) {
	lock := writeTree(t, t.TempDir(), map[string]string{"p": "1.0.0", "q": "1.0.0"},
		map[string]map[string]string{"p": {"x": "1.0.0"}, "q": {"x": "1.0.0"}})
	reg := &fakeRegistry{deps: map[string]map[string]map[string]string{
		"p": {"1.0.0": {"x": "1.0.0"}, "1.1.0": {"x": "1.0.1"}},
		"q": {"1.0.0": {"x": "1.0.0"}, "1.1.0": {"x": "1.0.0"}},
		"x": {"1.0.0": nil, "1.0.1": nil},
	}}
	items := planWithRegistry(t, lock, reg)
	if it := items["p"]; it.To != "1.1.0" || len(it.Clears) != 0 {
		t.Errorf("p: %+v, want an upgrade to 1.1.0 that does not claim x (q still brings it)", it)
	}
	if it := items["x"]; it.Action != Upgrade || it.To != "1.0.1" {
		t.Errorf("x: %+v, want its own upgrade", it)
	}
	if _, ok := items["q"]; ok {
		t.Errorf("q: no version clears, no item expected: %+v", items["q"])
	}
}
