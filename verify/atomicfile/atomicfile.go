// Package atomicfile writes files whole or not at all: through a temporary
// file in the same folder, renamed into place, so a reader (or a second
// guard process) never sees half a file. It sits under verify, the lowest
// layer that writes files, so that verify, guard and cmd share it.
package atomicfile

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes path with what fill writes, with permissions mode. With
// sync the data is flushed to disk before the rename (for files whose loss
// matters, like trust material). On any error path is left as it was.
func Write(path string, mode fs.FileMode, sync bool, fill func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return err
	}
	if err := fill(tmp); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(mode); err != nil {
		return fail(err)
	}
	if sync {
		if err := tmp.Sync(); err != nil {
			return fail(err)
		}
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}

// WriteBytes writes data to path as Write does.
func WriteBytes(path string, data []byte, mode fs.FileMode, sync bool) error {
	return Write(path, mode, sync, func(w io.Writer) error {
		_, err := io.Copy(w, bytes.NewReader(data))
		return err
	})
}
