package lockfile

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// A Base gives a lockfile's base versions for a diff-aware check: the
// lockfiles its packages are compared with (Changed). None means the
// lockfile is new and every package is checked.
type Base func(lf *Lockfile) ([]*Lockfile, error)

// BaseFile reads one base lockfile: it is the base of lockfiles of its own
// format; lockfiles of other formats have none.
func BaseFile(path string) (Base, error) {
	base, err := Parse(path)
	if err != nil {
		return nil, err
	}
	return func(lf *Lockfile) ([]*Lockfile, error) {
		if lf.Format != base.Format {
			return nil, nil
		}
		return []*Lockfile{base}, nil
	}, nil
}

// BaseAtRef reads each lockfile as it is at the git commit ref (`git show
// REF:PATH` in the work tree holding it). A lockfile that does not exist
// at ref has none; an unknown ref or a lockfile outside a git work tree is
// an error.
func BaseAtRef(ctx context.Context, ref string) Base {
	return func(lf *Lockfile) ([]*Lockfile, error) {
		data, found, err := gitShow(ctx, ref, lf.Path)
		if err != nil || !found {
			return nil, err
		}
		base, err := ParseBytes(lf.Path+"@"+ref, data, lf.Format)
		if err != nil {
			return nil, err
		}
		return []*Lockfile{base}, nil
	}
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
		return nil, false, fmt.Errorf("%s is not in a git work tree (its base at %s is read with git)", path, ref)
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
		return nil, false, fmt.Errorf("%s is not a commit in %s", ref, topDir)
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
