package lockfile

import (
	"io/fs"
	"path/filepath"
	"sort"
)

// IsLockfileName reports whether a base name is one Find picks up.
func IsLockfileName(base string) bool {
	for _, f := range formats {
		if f.Name != nil && f.Name(base) {
			return true
		}
	}
	return false
}

// Find lists the lockfiles in dir, sorted. With recursive it descends into
// subfolders, skipping those SkipDir names (installed packages, VCS
// folders, build output, Python virtual environments).
func Find(dir string, recursive bool) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			// An unreadable subfolder is not this project's lockfile.
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if path == dir {
				return nil
			}
			if !recursive || SkipDir(path) {
				return fs.SkipDir
			}
			return nil
		}
		if IsLockfileName(d.Name()) && (d.Type().IsRegular() || d.Type()&fs.ModeSymlink != 0) {
			out = append(out, path)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
