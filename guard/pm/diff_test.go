package pm

import (
	"testing"

	"github.com/installguard/guard/lockfile"
)

func pkg(name, version, digest string) lockfile.Package {
	return lockfile.Package{Ecosystem: lockfile.NPM, Name: name, Version: version,
		Hashes: []lockfile.Hash{{Algorithm: "sha512", Digest: digest}}, Source: lockfile.Source{Kind: lockfile.SourceRegistry}}
}

func TestChangedAndAdded(t *testing.T) {
	before := &lockfile.Lockfile{Packages: []lockfile.Package{pkg("a", "1.0.0", "AA"), pkg("b", "1.0.0", "BB"), pkg("c", "1.0.0", "CC")}}
	after := &lockfile.Lockfile{Path: "package-lock.json", Packages: []lockfile.Package{
		pkg("a", "1.0.0", "AA"), // unchanged
		pkg("a", "1.0.0", "AA"), // the same package at another path
		pkg("b", "1.0.1", "BB"), // new version
		pkg("c", "1.0.0", "XX"), // same version, other bytes
		pkg("d", "1.0.0", "DD"), // new
		{Ecosystem: lockfile.NPM, Name: "app", Source: lockfile.Source{Kind: lockfile.SourceWorkspace}},
	}}
	gate, unchanged := Changed(after, []*lockfile.Lockfile{before, nil})
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
	empty, n := Changed(before, []*lockfile.Lockfile{before})
	if empty.Packages == nil || len(empty.Packages) != 0 || n != 3 {
		t.Errorf("nothing changed: %+v %d", empty.Packages, n)
	}

	installed := &lockfile.Lockfile{Packages: []lockfile.Package{pkg("a", "1.0.0", "AA"), pkg("e", "2.0.0", "EE"), pkg("e", "2.0.0", "EE")}}
	added := Added(installed, after, nil)
	if len(added) != 1 || added[0].Key() != "e@2.0.0" {
		t.Errorf("added %+v", added)
	}
	if Added(nil, after) != nil {
		t.Error("nothing installed: nothing added")
	}
}

func TestKeySeparatesSources(t *testing.T) {
	a := pkg("x", "1.0.0", "AA")
	g := a
	g.Source = lockfile.Source{Kind: lockfile.SourceGit, URL: "https://example.invalid/x.git", Ref: "abc"}
	if Key(&a) == Key(&g) {
		t.Error("a registry package and a git package have the same key")
	}
	r := a
	r.Source.URL = "https://mirror.invalid/x.tgz"
	if Key(&a) != Key(&r) {
		t.Error("a registry URL (often omitted from lockfiles) changed the key")
	}
}

// Installed Python distributions have no hashes: they match a hashed
// registry entry of the same name and version, either way round.
func TestHashlessMatchesByVersion(t *testing.T) {
	installed := &lockfile.Lockfile{Packages: []lockfile.Package{
		{Ecosystem: lockfile.PyPI, Name: "flask", Version: "3.0.0", Source: lockfile.Source{Kind: lockfile.SourceRegistry}}}}
	resolved := &lockfile.Lockfile{Packages: []lockfile.Package{
		{Ecosystem: lockfile.PyPI, Name: "flask", Version: "3.0.0", Hashes: []lockfile.Hash{{Algorithm: "sha256", Digest: "ab"}}, Source: lockfile.Source{Kind: lockfile.SourceRegistry}},
		{Ecosystem: lockfile.PyPI, Name: "flask", Version: "3.0.1", Hashes: []lockfile.Hash{{Algorithm: "sha256", Digest: "cd"}}, Source: lockfile.Source{Kind: lockfile.SourceRegistry}}}}
	gate, unchanged := Changed(resolved, []*lockfile.Lockfile{installed})
	if unchanged != 1 || len(gate.Packages) != 1 || gate.Packages[0].Version != "3.0.1" {
		t.Errorf("gate %+v unchanged %d", gate.Packages, unchanged)
	}
	if added := Added(installed, resolved); len(added) != 0 {
		t.Errorf("added %+v", added)
	}
	// Two hashed entries with different hashes stay different.
	other := &lockfile.Lockfile{Packages: []lockfile.Package{resolved.Packages[0]}}
	other.Packages[0].Hashes = []lockfile.Hash{{Algorithm: "sha256", Digest: "ef"}}
	if added := Added(other, resolved); len(added) != 1 {
		t.Errorf("a different hash is not the same package: %+v", added)
	}
}
