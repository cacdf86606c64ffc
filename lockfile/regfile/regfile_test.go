//go:build unix

package regfile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// mkfifo makes a FIFO (nobody ever writes to it) or skips.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs on Windows")
	}
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

// within fails the test when f does not return within d: the hostile
// inputs below used to block forever (FIFO) or exhaust memory (/dev/zero).
func within(t *testing.T, d time.Duration, what string, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		t.Fatalf("%s: still blocked after %s", what, d)
		return nil
	}
}

// TestHostileFiles (issue 12 items 3 and 4): a FIFO, /dev/zero through a
// symlink, a directory and an oversized file are refused at once with an
// error naming the file; a regular file (also through a symlink) is read.
func TestHostileFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "guard.toml")
	mkfifo(t, fifo)
	big := filepath.Join(dir, "big")
	os.WriteFile(big, []byte(strings.Repeat("x", 2048)), 0o644)
	ok := filepath.Join(dir, "ok")
	os.WriteFile(ok, []byte("registry=x\n"), 0o644)
	okLink := filepath.Join(dir, ".npmrc")
	os.Symlink(ok, okLink)
	zero := filepath.Join(dir, "zero")
	os.Symlink("/dev/zero", zero)

	for _, c := range []struct {
		path string
		want error
		msg  string
	}{
		{fifo, ErrNotRegular, "a FIFO"},
		{zero, ErrNotRegular, "character device"},
		{dir, ErrNotRegular, "a directory"},
		{big, ErrTooLarge, "larger than 1 KiB"},
	} {
		err := within(t, 5*time.Second, c.path, func() error { _, err := Read(c.path, 1024); return err })
		var re *Error
		if !errors.Is(err, c.want) || !errors.As(err, &re) || re.Path != c.path || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("Read(%s) = %v; want %v naming the file and %q", c.path, err, c.want, c.msg)
		}
	}
	if data, err := Read(okLink, 1024); err != nil || string(data) != "registry=x\n" {
		t.Errorf("regular file through a symlink: %q, %v", data, err)
	}
	if _, err := Read(filepath.Join(dir, "missing"), 1024); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v, want ErrNotExist", err)
	}

	// The same through a directory handle (the offline DB's all.zip).
	root, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	err = within(t, 5*time.Second, "OpenIn FIFO", func() error { _, err := OpenIn(root, "guard.toml"); return err })
	if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "guard.toml") {
		t.Errorf("OpenIn(FIFO) = %v", err)
	}
	if _, err := ReadIn(root, "big", 100); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadIn(big) = %v", err)
	}
	if data, err := ReadIn(root, "ok", 100); err != nil || len(data) != 11 {
		t.Errorf("ReadIn(ok) = %q, %v", data, err)
	}
}

// TestReadAllCapsStreams: a reader that never ends is cut one byte past
// the cap, whatever it is.
func TestReadAllCapsStreams(t *testing.T) {
	f, err := os.Open("/dev/zero")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	if _, err := ReadAll(f, "/dev/zero", 1<<20); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("ReadAll(/dev/zero) = %v", err)
	}
}
