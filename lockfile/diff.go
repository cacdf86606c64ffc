package lockfile

import (
	"sort"
	"strings"
)

// Lockfile diffing: which packages of one lockfile another set of lockfiles
// already holds. guard check gates on it (Changed), the package-manager
// wrappers label and recheck with it (LabelAs, Added).

// InstallKey identifies what an install fetches for a package: ecosystem, name,
// version, source and integrity hashes. Two entries with the same key are the
// same bytes from the same place, wherever they sit in the tree.
func InstallKey(p *Package) string {
	hs := make([]string, 0, len(p.Hashes))
	for _, h := range p.Hashes {
		hs = append(hs, h.Algorithm+"-"+h.Digest)
	}
	sort.Strings(hs)
	src := string(p.Source.Kind)
	if p.Source.Kind != SourceRegistry {
		// Registry URLs are often omitted from lockfiles; other sources are
		// what they point at.
		src += " " + p.Source.URL + " " + p.Source.Ref
	}
	return strings.Join([]string{string(p.Ecosystem), p.Name, p.Version, p.Requirement, src, strings.Join(hs, " ")}, "\x00")
}

// looseKey identifies a registry package by ecosystem, name and version
// only: what pip reports of installed distributions, which have no hashes.
func looseKey(p *Package) string {
	if p.Source.Kind != SourceRegistry || p.Version == "" {
		return ""
	}
	return string(p.Ecosystem) + "\x00" + p.Name + "\x00" + p.Version
}

// pkgSet answers whether a package is the same as one of a set: the same
// key, or the same registry name and version where one side has no hashes.
type pkgSet struct {
	keys     map[string]bool
	loose    map[string]bool // every registry package
	hashless map[string]bool // registry packages without hashes
}

func newPkgSet(lfs ...*Lockfile) *pkgSet {
	s := &pkgSet{keys: map[string]bool{}, loose: map[string]bool{}, hashless: map[string]bool{}}
	for _, lf := range lfs {
		if lf == nil {
			continue
		}
		for i := range lf.Packages {
			s.add(&lf.Packages[i])
		}
	}
	return s
}

func (s *pkgSet) add(p *Package) {
	s.keys[InstallKey(p)] = true
	if l := looseKey(p); l != "" {
		s.loose[l] = true
		if len(p.Hashes) == 0 {
			s.hashless[l] = true
		}
	}
}

func (s *pkgSet) has(p *Package) bool {
	if s.keys[InstallKey(p)] {
		return true
	}
	l := looseKey(p)
	if l == "" {
		return false
	}
	if len(p.Hashes) == 0 {
		return s.loose[l]
	}
	return s.hashless[l]
}

// Changed returns a copy of after that holds only the packages that are new
// or changed (name, version, source or integrity) against every lockfile of
// before, and the number of distinct packages of after that are unchanged.
// The project's own workspace members are neither: they are not installed.
func Changed(after *Lockfile, before []*Lockfile) (*Lockfile, int) {
	old := newPkgSet(before...)
	out := *after
	out.Packages = nil
	unchanged := map[string]bool{}
	for i := range after.Packages {
		p := &after.Packages[i]
		if p.Source.Kind == SourceWorkspace {
			continue
		}
		if old.has(p) {
			unchanged[InstallKey(p)] = true
			continue
		}
		out.Packages = append(out.Packages, *p)
	}
	if out.Packages == nil {
		out.Packages = []Package{}
	}
	return &out, len(unchanged)
}

// Added lists the packages of got that none of known holds, once each, in
// got's order: what an install brought in that was never checked.
func Added(got *Lockfile, known ...*Lockfile) []Package {
	if got == nil {
		return nil
	}
	set := newPkgSet(known...)
	var out []Package
	for i := range got.Packages {
		p := &got.Packages[i]
		if p.Source.Kind == SourceWorkspace || set.has(p) {
			continue
		}
		set.add(p)
		out = append(out, *p)
	}
	return out
}

// Labels of a package of an install against what the project had before.
// They only describe: every package of the install is checked whatever its
// label.
const (
	LabelNew     = "new"            // no version of it was there
	LabelChanged = "changed"        // another version (or source, or integrity) was there
	LabelLocked  = "already locked" // exactly this was there
	// LabelInstalled replaces LabelLocked where what was there is what is
	// installed (pip, uv pip) rather than a
	LabelInstalled = "already installed"
)

// Labeled is the package set of an install with each distinct package's
// label (by InstallKey) and the count of each label.
type Labeled struct {
	ByKey  map[string]string
	Counts map[string]int
}

// Label labels every package of after (workspace members aside: they are
// the project itself) against the lockfiles of before.
func Label(after *Lockfile, before []*Lockfile) Labeled {
	return LabelAs(after, before, LabelLocked)
}

// LabelAs is Label with had as the label of what was there already.
func LabelAs(after *Lockfile, before []*Lockfile, had string) Labeled {
	old := newPkgSet(before...)
	names := map[string]bool{}
	for _, lf := range before {
		if lf == nil {
			continue
		}
		for i := range lf.Packages {
			p := &lf.Packages[i]
			names[string(p.Ecosystem)+"\x00"+p.Name] = true
		}
	}
	out := Labeled{ByKey: map[string]string{}, Counts: map[string]int{}}
	if after == nil {
		return out
	}
	for i := range after.Packages {
		p := &after.Packages[i]
		if p.Source.Kind == SourceWorkspace {
			continue
		}
		k := InstallKey(p)
		if _, seen := out.ByKey[k]; seen {
			continue
		}
		l := LabelNew
		switch {
		case old.has(p):
			l = had
		case names[string(p.Ecosystem)+"\x00"+p.Name]:
			l = LabelChanged
		}
		out.ByKey[k] = l
		out.Counts[l]++
	}
	return out
}
