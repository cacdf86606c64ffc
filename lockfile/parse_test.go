package lockfile

import (
	"fmt"
	"testing"
)

func TestFinishChains(t *testing.T) {
	lf := &Lockfile{Ecosystem: NPM, Packages: []Package{
		{Name: "app", ID: "ws", Source: Source{Kind: SourceWorkspace}, Deps: []string{"a"}},
		{Name: "a", Version: "1", ID: "a", Deps: []string{"b", "c"}},
		{Name: "b", Version: "1", ID: "b", Deps: []string{"c"}},
		{Name: "c", Version: "1", ID: "c", Deps: []string{"a"}}, // a cycle back to a
		{Name: "d", Version: "1", ID: "d", Deps: []string{"c"}, Direct: true},
	}}
	Finish(lf)
	// c is one step from both a and d; the walk reaches it from d first (a
	// itself is only found through the workspace member)
	want := map[string]string{"a": "[]", "b": "[a@1]", "c": "[d@1]", "d": "[]"}
	for _, p := range lf.Packages[1:] {
		if got := fmt.Sprint(p.Chain); got != want[p.Name] {
			t.Errorf("%s: chain %s, want %s", p.Name, got, want[p.Name])
		}
		if p.Ecosystem != NPM {
			t.Errorf("%s: ecosystem %q", p.Name, p.Ecosystem)
		}
	}
	if !lf.Packages[1].Direct || lf.Packages[2].Direct {
		t.Errorf("a is a workspace member's dependency: direct; b is not")
	}
}

func TestFinishLongChainIsBounded(t *testing.T) {
	const n = 5000
	lf := &Lockfile{Ecosystem: NPM}
	for i := 0; i < n; i++ {
		p := Package{Name: fmt.Sprintf("p%d", i), Version: "1", ID: fmt.Sprint(i), Direct: i == 0}
		if i+1 < n {
			p.Deps = []string{fmt.Sprint(i + 1)}
		}
		lf.Packages = append(lf.Packages, p)
	}
	Finish(lf)
	last := lf.Packages[n-1].Chain
	if len(last) != maxChain+1 || last[0] != fmt.Sprintf("… %d more", n-1-maxChain) || last[len(last)-1] != fmt.Sprintf("p%d@1", n-2) {
		t.Fatalf("chain of the deepest package: %d entries, first %q, last %q", len(last), last[0], last[len(last)-1])
	}
	if got := lf.Packages[3].Chain; fmt.Sprint(got) != "[p0@1 p1@1 p2@1]" {
		t.Errorf("short chain %v", got)
	}
}
