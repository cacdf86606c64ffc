package lockfile

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// skipDirs are the folders no walk of a project enters, whatever it looks
// for (lockfiles, workspace members, source files, files to copy):
// installed packages, VCS data, build output and tool caches hold other
// projects' files, not this one's.
var skipDirs = map[string]bool{
	// installed packages
	"node_modules": true, "bower_components": true, "jspm_packages": true, ".yarn": true, ".pnpm-store": true,
	"site-packages": true, ".venv": true, "venv": true,
	// VCS data
	".git": true, ".hg": true, ".svn": true,
	// build output and caches
	"target": true, "__pycache__": true, ".tox": true, ".nox": true, ".mypy_cache": true, ".pytest_cache": true,
	".ruff_cache": true, ".parcel-cache": true, ".turbo": true, ".next": true, ".nuxt": true, ".svelte-kit": true,
}

// SkipDir reports whether a walk of a project skips the folder at dir:
// one named in the list above, or a Python virtual environment (a folder
// holding pyvenv.cfg, whatever its name).
func SkipDir(dir string) bool {
	return skipDirs[filepath.Base(dir)] || IsVenv(dir)
}

// IsVenv recognises a Python virtual environment by its pyvenv.cfg.
func IsVenv(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "pyvenv.cfg"))
	return err == nil
}

// WorkspaceMembers lists the folders under root (slash-separated, relative
// to root, in walk order) that hold the marker file and match the workspace
// patterns: globs over slash-separated paths in which "**" matches any
// number of folders, "!pattern" excluding what it matches, as npm, yarn,
// pnpm, uv and Cargo write them. Like those tools' globs it does not look
// into dot folders, and it does not enter what SkipDir skips. It walks
// only folders a pattern could still match.
func WorkspaceMembers(root string, patterns []string, marker string) []string {
	var include, exclude [][]string
	for _, p := range patterns {
		p = strings.TrimPrefix(filepath.ToSlash(p), "./")
		if neg, ok := strings.CutPrefix(p, "!"); ok {
			exclude = append(exclude, globSegments(strings.TrimPrefix(neg, "./")))
		} else {
			include = append(include, globSegments(p))
		}
	}
	if len(include) == 0 {
		return nil
	}
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || p == root {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		segs := strings.Split(filepath.ToSlash(rel), "/")
		if strings.HasPrefix(d.Name(), ".") || SkipDir(p) || !globAny(include, segs, true) {
			return fs.SkipDir
		}
		if globAny(include, segs, false) && !globAny(exclude, segs, false) {
			if _, err := os.Stat(filepath.Join(p, marker)); err == nil {
				out = append(out, strings.Join(segs, "/"))
			}
		}
		return nil
	})
	return out
}

func globSegments(p string) []string { return strings.Split(strings.TrimSuffix(p, "/"), "/") }

// globAny reports whether a pattern matches the path segs, or with prefix
// whether one may match segs or a folder below it.
func globAny(patterns [][]string, segs []string, prefix bool) bool {
	for _, pat := range patterns {
		if globMatch(pat, segs, prefix) {
			return true
		}
	}
	return false
}

// globMatch: pat matches segs, or with prefix may match segs or a folder
// below it. Memoised over (pattern index, segment index): a pattern of many
// "**" (a hostile package.json's workspaces) costs len(pat)*len(segs)
// steps, not exponentially many.
func globMatch(pat, segs []string, prefix bool) bool {
	memo := make([]int8, (len(pat)+1)*(len(segs)+1)) // 0 unknown, 1 yes, 2 no
	var match func(i, j int, prefix bool) bool
	match = func(i, j int, prefix bool) bool {
		k := i*(len(segs)+1) + j
		if !prefix {
			// With prefix the calls run along the pattern until its first
			// "**", which ends them: only the calls without it repeat.
			if memo[k] != 0 {
				return memo[k] == 1
			}
		}
		var r bool
		switch {
		case i == len(pat):
			r = j == len(segs)
		case pat[i] == "**":
			r = prefix || match(i+1, j, false) || j < len(segs) && match(i, j+1, false)
		case j == len(segs):
			r = prefix
		default:
			ok, _ := path.Match(pat[i], segs[j])
			r = ok && match(i+1, j+1, prefix)
		}
		if !prefix {
			if r {
				memo[k] = 1
			} else {
				memo[k] = 2
			}
		}
		return r
	}
	return match(0, 0, prefix)
}
