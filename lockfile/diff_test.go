package lockfile

import (
	"testing"
)

func diffPkg(name, version, digest string) Package {
	return Package{Ecosystem: NPM, Name: name, Version: version,
		Hashes: []Hash{{Algorithm: "sha512", Digest: digest}}, Source: Source{Kind: SourceRegistry}}
}

func TestChangedAndAdded(t *testing.T) {
	before := &Lockfile{Packages: []Package{diffPkg("a", "1.0.0", "AA"), diffPkg("b", "1.0.0", "BB"), diffPkg("c", "1.0.0", "CC")}}
	after := &Lockfile{Path: "package-lock.json", Packages: []Package{
		diffPkg("a", "1.0.0", "AA"), // unchanged
		diffPkg("a", "1.0.0", "AA"), // the same package at another path
		diffPkg("b", "1.0.1", "BB"), // new version
		diffPkg("c", "1.0.0", "XX"), // same version, other bytes
		diffPkg("d", "1.0.0", "DD"), // new
		{Ecosystem: NPM, Name: "app", Source: Source{Kind: SourceWorkspace}},
	}}
	gate, unchanged := Changed(after, []*Lockfile{before, nil})
	if unchanged != 1 || len(gate.Packages) != 3 || gate.Path != "package-lock.json" {
		t.Fatalf("gate %+v unchanged %d", gate.Packages, unchanged)
	}
	for i, want := range []string{"b@1.0.1", "c@1.0.0", "d@1.0.0"} {
		if gate.Packages[i].Key() != want {
			t.Errorf("gate[%d] = %s, want %s", i, gate.Packages[i].Key(), want)
		}
	}
	if len(after.Packages) != 6 {
		t.Error("Changed modified its input")
	}
	empty, n := Changed(before, []*Lockfile{before})
	if empty.Packages == nil || len(empty.Packages) != 0 || n != 3 {
		t.Errorf("nothing changed: %+v %d", empty.Packages, n)
	}

	installed := &Lockfile{Packages: []Package{diffPkg("a", "1.0.0", "AA"), diffPkg("e", "2.0.0", "EE"), diffPkg("e", "2.0.0", "EE")}}
	added := Added(installed, after, nil)
	if len(added) != 1 || added[0].Key() != "e@2.0.0" {
		t.Errorf("added %+v", added)
	}
	if Added(nil, after) != nil {
		t.Error("nothing installed: nothing added")
	}
}

func TestInstallKeySeparatesSources(t *testing.T) {
	a := diffPkg("x", "1.0.0", "AA")
	g := a
	g.Source = Source{Kind: SourceGit, URL: "https://example.invalid/x.git", Ref: "abc"}
	if InstallKey(&a) == InstallKey(&g) {
		t.Error("a registry package and a git package have the same key")
	}
	r := a
	r.Source.URL = "https://mirror.invalid/x.tgz"
	if InstallKey(&a) != InstallKey(&r) {
		t.Error("a registry URL (often omitted from lockfiles) changed the key")
	}
}

// Installed Python distributions have no hashes: they match a hashed
// registry entry of the same name and version, either way round.
func TestHashlessMatchesByVersion(t *testing.T) {
	installed := &Lockfile{Packages: []Package{
		{Ecosystem: PyPI, Name: "flask", Version: "3.0.0", Source: Source{Kind: SourceRegistry}}}}
	resolved := &Lockfile{Packages: []Package{
		{Ecosystem: PyPI, Name: "flask", Version: "3.0.0", Hashes: []Hash{{Algorithm: "sha256", Digest: "ab"}}, Source: Source{Kind: SourceRegistry}},
		{Ecosystem: PyPI, Name: "flask", Version: "3.0.1", Hashes: []Hash{{Algorithm: "sha256", Digest: "cd"}}, Source: Source{Kind: SourceRegistry}}}}
	gate, unchanged := Changed(resolved, []*Lockfile{installed})
	if unchanged != 1 || len(gate.Packages) != 1 || gate.Packages[0].Version != "3.0.1" {
		t.Errorf("gate %+v unchanged %d", gate.Packages, unchanged)
	}
	if added := Added(installed, resolved); len(added) != 0 {
		t.Errorf("added %+v", added)
	}
	// Two hashed entries with different hashes stay different.
	other := &Lockfile{Packages: []Package{resolved.Packages[0]}}
	other.Packages[0].Hashes = []Hash{{Algorithm: "sha256", Digest: "ef"}}
	if added := Added(other, resolved); len(added) != 1 {
		t.Errorf("a different hash is not the same package: %+v", added)
	}
}

func TestLabel(t *testing.T) {
	before := &Lockfile{Packages: []Package{diffPkg("a", "1.0.0", "AA"), diffPkg("b", "1.0.0", "BB"), diffPkg("c", "1.0.0", "CC")}}
	after := &Lockfile{Packages: []Package{
		diffPkg("a", "1.0.0", "AA"), diffPkg("a", "1.0.0", "AA"), diffPkg("b", "1.0.1", "BB"), diffPkg("c", "1.0.0", "XX"), diffPkg("d", "1.0.0", "DD"),
		{Ecosystem: NPM, Name: "app", Source: Source{Kind: SourceWorkspace}},
	}}
	l := Label(after, []*Lockfile{before, nil})
	want := map[string]string{"a@1.0.0": LabelLocked, "b@1.0.1": LabelChanged, "c@1.0.0": LabelChanged, "d@1.0.0": LabelNew}
	for i := range after.Packages[:5] {
		p := &after.Packages[i]
		if got := l.ByKey[InstallKey(p)]; got != want[p.Key()] {
			t.Errorf("%s: %q, want %q", p.Key(), got, want[p.Key()])
		}
	}
	if l.Counts[LabelLocked] != 1 || l.Counts[LabelChanged] != 2 || l.Counts[LabelNew] != 1 || len(l.ByKey) != 4 {
		t.Errorf("counts %v (%d keys)", l.Counts, len(l.ByKey))
	}
	// A fresh project: everything is new, and still labelled.
	if l := Label(after, nil); l.Counts[LabelNew] != 4 {
		t.Errorf("no baseline: %v", l.Counts)
	}
}
