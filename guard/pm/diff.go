package pm

import "github.com/installguard/guard/lockfile"

// Lockfile diffing lives in lockfile (diff.go); these names keep the
// wrappers' vocabulary for what an install brings in against what was there.

// Labels of a package of an install against what the project had before:
// see lockfile.LabelNew and its siblings.
const (
	LabelNew       = lockfile.LabelNew
	LabelChanged   = lockfile.LabelChanged
	LabelLocked    = lockfile.LabelLocked
	LabelInstalled = lockfile.LabelInstalled
)

// Labeled is lockfile.Labeled.
type Labeled = lockfile.Labeled

// Key is lockfile.InstallKey.
func Key(p *lockfile.Package) string { return lockfile.InstallKey(p) }

// Added is lockfile.Added.
func Added(got *lockfile.Lockfile, known ...*lockfile.Lockfile) []lockfile.Package {
	return lockfile.Added(got, known...)
}

// LabelAs is lockfile.LabelAs.
func LabelAs(after *lockfile.Lockfile, before []*lockfile.Lockfile, had string) Labeled {
	return lockfile.LabelAs(after, before, had)
}
