// Package regfile opens and reads the files guard reads (lockfiles, policy
// files, .npmrc, pip.conf, package.json, the offline DB, trust material,
// caches): regular files only, opened without blocking, read through a size
// cap. It is the one place that does so; lockfile, verify and guard all use
// it, which is why it lives at the bottom of the import chain.
//
// Why: a FIFO named like a lockfile blocks open(2) forever (until a writer
// appears), /dev/zero never ends, and a symlink can point anywhere. Opening
// with O_NONBLOCK makes open return at once whatever the file is; fstat on
// the open file (not a stat of the path, which could be swapped) then
// refuses anything but a regular file; and every read stops one byte past
// the caller's cap.
package regfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// ErrNotRegular is wrapped by the error for a directory, device, FIFO or
// socket.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by the error for a file over the caller's cap.
var ErrTooLarge = errors.New("file too large")

// Error names the file a check failed for.
type Error struct {
	Path string
	Err  error  // ErrNotRegular or ErrTooLarge
	What string // e.g. "a FIFO", "larger than 1 MiB; refusing to read it"
}

func (e *Error) Error() string { return e.Path + ": " + e.What }
func (e *Error) Unwrap() error { return e.Err }

// Open opens path for reading without blocking and returns it only when it
// is a regular file (symlinks are followed, as every package manager does).
func Open(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|nonblock, 0)
	if err != nil {
		return nil, err
	}
	if err := check(f, path); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// OpenIn is Open for a name inside root (the offline DB opens its files
// through one directory handle).
func OpenIn(root *os.Root, name string) (*os.File, error) {
	f, err := root.OpenFile(name, os.O_RDONLY|nonblock, 0)
	if err != nil {
		return nil, err
	}
	if err := check(f, f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func check(f *os.File, path string) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if m := st.Mode(); !m.IsRegular() {
		return &Error{Path: path, Err: ErrNotRegular, What: "not a regular file (" + kind(m) + ")"}
	}
	return nil
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	default:
		return "not a plain file"
	}
}

// Read reads the regular file at path, at most max bytes (max > 0).
func Read(path string, max int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, path, max)
}

// ReadIn is Read for a name inside root.
func ReadIn(root *os.Root, name string, max int64) ([]byte, error) {
	f, err := OpenIn(root, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, f.Name(), max)
}

// ReadAll reads r to its end, refusing it when it holds more than max bytes;
// path names it in the error.
func ReadAll(r io.Reader, path string, max int64) ([]byte, error) {
	var data []byte
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			if st.Size() > max {
				return nil, TooLarge(path, max)
			}
			// A buffer of the file's size (plus one byte, to see the end)
			// rather than io.ReadAll's doublings: lockfiles are large.
			data = make([]byte, 0, st.Size()+1)
		}
	}
	lr := io.LimitReader(r, max+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := lr.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if int64(len(data)) > max {
		return nil, TooLarge(path, max)
	}
	return data, nil
}

// TooLarge is the error for a file over max bytes.
func TooLarge(path string, max int64) error {
	return &Error{Path: path, Err: ErrTooLarge, What: "larger than " + Size(max) + "; refusing to read it"}
}

// Size formats a cap for messages: "256 MiB", "64 KiB", "100 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// Reason is the error without the path, for callers whose own error type
// names the file (lockfile.ParseError); it still wraps ErrNotRegular or
// ErrTooLarge.
func (e *Error) Reason() error { return reason{e} }

type reason struct{ e *Error }

func (r reason) Error() string { return r.e.What }
func (r reason) Unwrap() error { return r.e.Err }
