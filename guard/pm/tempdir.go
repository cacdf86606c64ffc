package pm

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/installguard/guard/lockfile/regfile"
)

// tempProject is a private temporary folder (mode 0700) holding copies of
// the project files a resolution needs. Remove deletes it.
type tempProject struct {
	Dir string
}

func newTempProject(manager string) (*tempProject, error) {
	dir, err := os.MkdirTemp("", "guard-"+manager+"-")
	if err != nil {
		return nil, fmt.Errorf("creating a temporary folder: %w", err)
	}
	// MkdirTemp creates 0700 already; say so whatever the umask.
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &tempProject{Dir: dir}, nil
}

// Remove deletes the folder and everything in it.
func (t *tempProject) Remove() { os.RemoveAll(t.Dir) }

// copyIn copies the regular file src to rel inside the folder, keeping its
// permission bits. A src that does not exist is not copied: ok is false.
func (t *tempProject) copyIn(src, rel string) (ok bool, err error) {
	in, err := regfile.Open(src) // a FIFO named .npmrc is refused, not waited on
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
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
	dst := filepath.Join(t.Dir, rel)
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return false, err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, st.Mode().Perm()|0o200)
	if err != nil {
		return false, err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return false, err
	}
	if err := out.Close(); err != nil {
		return false, err
	}
	// The umask may have narrowed the mode; keep the source's bits (plus
	// owner write, so the manager can rewrite its lockfile).
	return true, os.Chmod(dst, st.Mode().Perm()|0o200)
}
