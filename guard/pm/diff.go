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

// keySet holds the keys of every package of the lockfiles.
func keySet(lfs ...*lockfile.Lockfile) map[string]bool {
	set := map[string]bool{}
	for _, lf := range lfs {
		if lf == nil {
			continue
		}
		for i := range lf.Packages {
			set[Key(&lf.Packages[i])] = true
		}
	}
	return set
}

// Changed returns a copy of after that holds only the packages that are new
// or changed (name, version, source or integrity) against every lockfile of
// before, and the number of distinct packages of after that are unchanged.
// The project's own workspace members are neither: they are not installed.
func Changed(after *lockfile.Lockfile, before []*lockfile.Lockfile) (*lockfile.Lockfile, int) {
	old := keySet(before...)
	out := *after
	out.Packages = nil
	unchanged := map[string]bool{}
	for i := range after.Packages {
		if after.Packages[i].Source.Kind == lockfile.SourceWorkspace {
			continue
		}
		k := Key(&after.Packages[i])
		if old[k] {
			unchanged[k] = true
			continue
		}
		out.Packages = append(out.Packages, after.Packages[i])
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
	set := keySet(known...)
	var out []lockfile.Package
	for i := range got.Packages {
		k := Key(&got.Packages[i])
		if set[k] {
			continue
		}
		set[k] = true
		out = append(out, got.Packages[i])
	}
	return out
}
