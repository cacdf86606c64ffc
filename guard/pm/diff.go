package pm

import (
	"sort"
	"strings"

	"github.com/installguard/guard/lockfile"
)

// Key identifies what an install fetches for a package: ecosystem, name,
// version, source and integrity hashes. Two entries with the same key are the
// same bytes from the same place, wherever they sit in the tree.
func Key(p *lockfile.Package) string {
	hs := make([]string, 0, len(p.Hashes))
	for _, h := range p.Hashes {
		hs = append(hs, h.Algorithm+"-"+h.Digest)
	}
	sort.Strings(hs)
	src := string(p.Source.Kind)
	if p.Source.Kind != lockfile.SourceRegistry {
		// Registry URLs are often omitted from lockfiles; other sources are
		// what they point at.
		src += " " + p.Source.URL + " " + p.Source.Ref
	}
	return strings.Join([]string{string(p.Ecosystem), p.Name, p.Version, p.Requirement, src, strings.Join(hs, " ")}, "\x00")
}

// looseKey identifies a registry package by ecosystem, name and version
// only: what pip reports of installed distributions, which have no hashes.
func looseKey(p *lockfile.Package) string {
	if p.Source.Kind != lockfile.SourceRegistry || p.Version == "" {
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

func newPkgSet(lfs ...*lockfile.Lockfile) *pkgSet {
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

func (s *pkgSet) add(p *lockfile.Package) {
	s.keys[Key(p)] = true
	if l := looseKey(p); l != "" {
		s.loose[l] = true
		if len(p.Hashes) == 0 {
			s.hashless[l] = true
		}
	}
}

func (s *pkgSet) has(p *lockfile.Package) bool {
	if s.keys[Key(p)] {
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
func Changed(after *lockfile.Lockfile, before []*lockfile.Lockfile) (*lockfile.Lockfile, int) {
	old := newPkgSet(before...)
	out := *after
	out.Packages = nil
	unchanged := map[string]bool{}
	for i := range after.Packages {
		p := &after.Packages[i]
		if p.Source.Kind == lockfile.SourceWorkspace {
			continue
		}
		if old.has(p) {
			unchanged[Key(p)] = true
			continue
		}
		out.Packages = append(out.Packages, *p)
	}
	if out.Packages == nil {
		out.Packages = []lockfile.Package{}
	}
	return &out, len(unchanged)
}

// Added lists the packages of got that none of known holds, once each, in
// got's order: what an install brought in that was never checked.
func Added(got *lockfile.Lockfile, known ...*lockfile.Lockfile) []lockfile.Package {
	if got == nil {
		return nil
	}
	set := newPkgSet(known...)
	var out []lockfile.Package
	for i := range got.Packages {
		p := &got.Packages[i]
		if p.Source.Kind == lockfile.SourceWorkspace || set.has(p) {
			continue
		}
		set.add(p)
		out = append(out, *p)
	}
	return out
}
