package pm

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/lockfile/regfile"
)

// tempProject is a private temporary folder (mode 0700) holding copies of
// the project files a resolution needs. Remove deletes it.
type tempProject struct {
	Dir string
	// base is the folder made for it (Dir, or a folder above Dir: mirror).
	base string
}

// The copies are not made in the system's temporary folder. The package
// managers read settings from files in every folder above the one they run
// in (yarn 1 .yarnrc and .npmrc, yarn 2+ .yarnrc.yml, pnpm
// pnpm-workspace.yaml and the .npmrc beside it, cargo .cargo/config.toml,
// uv uv.toml), and any local user can create such a file in /tmp: a
// /tmp/.yarnrc naming a yarn-path ran that program as the user on every
// guarded yarn command, and a /tmp/.npmrc could point the private
// resolution at another registry. They are made under tempBase instead:
// GUARD_TMPDIR when set, else guard's folder in the user's cache, and only
// when no folder from there up to the root can be written by another user
// (privateAncestors; Unix).

// tempBaseEnv names the folder the private copies are made in.
const tempBaseEnv = "GUARD_TMPDIR"

// tempBase is the folder private copies are made in, made if need be.
func tempBase() (string, error) {
	base := os.Getenv(tempBaseEnv)
	if base == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("a private folder for the resolution: %w (set %s)", err, tempBaseEnv)
		}
		base = filepath.Join(cache, "guard", "tmp")
	}
	if err := os.MkdirAll(base, 0o700); err != nil {
		return "", fmt.Errorf("a private folder for the resolution: %w", err)
	}
	real, err := filepath.EvalSymlinks(base)
	if err != nil {
		return "", fmt.Errorf("a private folder for the resolution: %w", err)
	}
	if err := privateAncestors(real); err != nil {
		return "", fmt.Errorf("a private folder for the resolution: %w: the package managers would read settings another user can put there; set %s to a folder no other user can write in or above", err, tempBaseEnv)
	}
	sweepStale(real, time.Now().Add(-staleAfter))
	return real, nil
}

// staleAfter: a private copy older than this was left by a guard that was
// killed outright (a resolution takes seconds to minutes); the system no
// longer clears it on reboot as it did /tmp.
const staleAfter = 24 * time.Hour

// sweepStale removes guard's copies in base last changed before cutoff
// (best effort).
func sweepStale(base string, cutoff time.Time) {
	ents, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range ents {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), "guard-") {
			continue
		}
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			os.RemoveAll(filepath.Join(base, e.Name()))
		}
	}
}

func newTempProject(manager string) (*tempProject, error) {
	base, err := tempBase()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(base, "guard-"+manager+"-")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary folder: %w", err)
	}
	// MkdirTemp creates 0700 already; say so whatever the umask.
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &tempProject{Dir: dir, base: dir}, nil
}

// Remove deletes the folder and everything in it.
func (t *tempProject) Remove() { os.RemoveAll(t.base) }

// mirror moves the copy's root to the project folder's own path inside the
// temporary folder and copies there, from every folder above the project,
// the files named (those present): a package manager that reads settings
// from each folder above the one it runs in (yarn's .yarnrc, .yarnrc.yml
// and .npmrc) then finds in the copy's folders above it what it would find
// above the project, and nothing else of them, whatever folder the copy is
// in. Call it before copying anything in.
func (t *tempProject) mirror(project string, files []string) error {
	abs, err := filepath.Abs(project)
	if err != nil {
		return err
	}
	rel := strings.TrimPrefix(abs, filepath.VolumeName(abs))
	t.Dir = filepath.Join(t.base, rel)
	if err := os.MkdirAll(t.Dir, 0o700); err != nil {
		return err
	}
	for _, src := range upward(filepath.Dir(abs), files...) {
		if _, err := t.copyTo(src, filepath.Join(t.base, strings.TrimPrefix(src, filepath.VolumeName(src)))); err != nil {
			return err
		}
	}
	return nil
}

// copyIn copies the regular file src to rel inside the folder, keeping its
// permission bits. A src that does not exist is not copied: ok is false.
func (t *tempProject) copyIn(src, rel string) (ok bool, err error) {
	return t.copyTo(src, filepath.Join(t.Dir, rel))
}

// copyTo is copyIn to the path dst.
func (t *tempProject) copyTo(src, dst string) (ok bool, err error) {
	in, err := regfile.Open(src) // a FIFO named .npmrc is refused, not waited on
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return false, nil // (ENOTDIR: a file named .cargo, say)
	}
	if err != nil {
		return false, err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return false, err
	}
	if !st.Mode().IsRegular() {
		return false, fmt.Errorf("%s: not a regular file", src)
	}
	// What is copied is read by guard or a package manager as settings,
	// manifests and lockfiles: none is larger than a lockfile may be.
	if st.Size() > lockfile.MaxFileSize {
		return false, regfile.TooLarge(src, lockfile.MaxFileSize)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return false, err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, st.Mode().Perm()|0o200)
	if err != nil {
		return false, err
	}
	// (The cap again while copying: the file may grow meanwhile.)
	if n, err := io.Copy(out, io.LimitReader(in, lockfile.MaxFileSize+1)); err != nil || n > lockfile.MaxFileSize {
		out.Close()
		if err == nil {
			err = regfile.TooLarge(src, lockfile.MaxFileSize)
		}
		return false, err
	}
	if err := out.Close(); err != nil {
		return false, err
	}
	// The umask may have narrowed the mode; keep the source's bits (plus
	// owner write, so the manager can rewrite its lockfile).
	return true, os.Chmod(dst, st.Mode().Perm()|0o200)
}
