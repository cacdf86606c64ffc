package lockfile

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// skipDirs are folders Find never enters: installed packages, VCS data and
// build output hold lockfiles of other projects, not this one's.
var skipDirs = map[string]bool{
	"node_modules": true, ".git": true, ".hg": true, ".svn": true,
	"target": true, "__pycache__": true, ".tox": true, ".nox": true,
	".venv": true, "venv": true, ".yarn": true, ".pnpm-store": true,
}

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
// subfolders, skipping node_modules, VCS folders, Cargo target folders and
// Python virtual environments.
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
			if !recursive || skipDirs[d.Name()] || isVenv(path) {
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

// isVenv recognises a Python virtual environment by its pyvenv.cfg.
func isVenv(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "pyvenv.cfg"))
	return err == nil
}
