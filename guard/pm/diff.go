package pm

import "github.com/installguard/guard/lockfile"

// Lockfile diffing lives in lockfile (lockfile/diff.go); these names stay
// for pm's callers.

// Key identifies what an install fetches for a package (lockfile.FetchKey).
func Key(p *lockfile.Package) string { return lockfile.FetchKey(p) }

// Changed returns a copy of after that holds only the packages that are new
// or changed against every lockfile of before, and the number of distinct
// packages of after that are unchanged (lockfile.Changed).
func Changed(after *lockfile.Lockfile, before []*lockfile.Lockfile) (*lockfile.Lockfile, int) {
	return lockfile.Changed(after, before)
}

// Added lists the packages of got that none of known holds, once each, in
// got's order (lockfile.Added).
func Added(got *lockfile.Lockfile, known ...*lockfile.Lockfile) []lockfile.Package {
	return lockfile.Added(got, known...)
}
