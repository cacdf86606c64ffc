package guard

import (
	"testing"

	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/provenance"
)

func TestPyPIStatusFindings(t *testing.T) {
	pkg := func(name string, idx *provenance.IndexStatus) PackageResult {
		return PackageResult{Lockfile: "uv.lock", Package: lockfile.Package{Ecosystem: lockfile.PyPI, Name: name, Version: "1.0"},
			Metadata: &provenance.Metadata{Status: provenance.MetadataRead, Known: true, Index: idx}}
	}
	pkgs := []PackageResult{
		pkg("fine", nil),
		pkg("withdrawn", &provenance.IndexStatus{Yanked: []string{"withdrawn-1.0.tar.gz: broken build"}}),
		pkg("evil", &provenance.IndexStatus{ProjectStatus: "quarantined", ProjectStatusReason: "reported malware"}),
		pkg("old", &provenance.IndexStatus{ProjectStatus: "archived"}),
	}
	got := map[string]Action{}
	for _, f := range pypiStatusFindings(rcFor(t, 2, Block), pkgs) {
		got[f.Rule+" "+f.Name+" "+f.ID] = f.Action
		if f.Message == "" || f.Item == "" {
			t.Errorf("finding %+v", f)
		}
	}
	want := map[string]Action{
		"yanked withdrawn yanked":         Block,
		"quarantined evil quarantined":    Block,
		"deprecated old project-archived": Warn,
	}
	if len(got) != len(want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
	for k, a := range want {
		if got[k] != a {
			t.Errorf("%s: %q, want %q", k, got[k], a)
		}
	}
	if fs := pypiStatusFindings(rcFor(t, 1, Block), pkgs); len(fs) != 0 {
		t.Errorf("level 1: %+v", fs)
	}
}
