package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/installguard/guard/lockfile"
)

// baseline returns the function that gives a lockfile's base version for a
// diff-aware check: from a git ref (--base REF, read with `git show`) or
// from one base lockfile (--base-lockfile FILE, used for lockfiles of its
// format). A lockfile that does not exist at the base is new: every package
// is checked.
func baseline(ctx context.Context, ref, file string) (func(*lockfile.Lockfile) ([]*lockfile.Lockfile, error), string, error) {
	switch {
	case ref != "" && file != "":
		return nil, "", fmt.Errorf("--base and --base-lockfile cannot be used together")
	case file != "":
		base, err := lockfile.Parse(file)
		if err != nil {
			return nil, "", fmt.Errorf("--base-lockfile: %w", err)
		}
		return func(lf *lockfile.Lockfile) ([]*lockfile.Lockfile, error) {
			if lf.Format != base.Format {
				return nil, nil
			}
			return []*lockfile.Lockfile{base}, nil
		}, file, nil
	case ref != "":
		return func(lf *lockfile.Lockfile) ([]*lockfile.Lockfile, error) {
			data, found, err := gitShow(ctx, ref, lf.Path)
			if err != nil || !found {
				return nil, err
			}
			base, err := lockfile.ParseBytes(lf.Path+"@"+ref, data, lf.Format)
			if err != nil {
				return nil, err
			}
			return []*lockfile.Lockfile{base}, nil
		}, ref, nil
	}
	return nil, "", nil
}

// gitShow reads path as it is at ref. found is false when the file does not
// exist at ref (a new lockfile); an unknown ref or a folder outside a git
// work tree is an error.
func gitShow(ctx context.Context, ref, path string) (data []byte, found bool, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, false, err
	}
	dir := filepath.Dir(abs)
	top, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return nil, false, fmt.Errorf("%s is not in a git work tree (--base needs one)", path)
	}
	topDir := strings.TrimSpace(string(top))
	if r, err := filepath.EvalSymlinks(topDir); err == nil {
		topDir = r
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	rel, err := filepath.Rel(topDir, abs)
	if err != nil {
		return nil, false, err
	}
	if err := exec.CommandContext(ctx, "git", "-C", topDir, "rev-parse", "--verify", "--quiet", ref+"^{commit}").Run(); err != nil {
		return nil, false, fmt.Errorf("--base %s: not a commit in %s", ref, topDir)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", "-C", topDir, "show", ref+":"+filepath.ToSlash(rel))
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		// the ref exists, so the file does not exist there: a new lockfile
		return nil, false, nil
	}
	return out, true, nil
}
