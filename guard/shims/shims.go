// Package shims writes and removes guard's shims: small shell scripts named
// after the package managers guard wraps, which run every command of that
// name as 'guard NAME ...'.
package shims

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/installguard/guard/guard/pm"
)

// Marker is on the second line of every shim guard writes.
const Marker = "# guard shim"

// MaxDepth bounds shims running shims (a real tool that is itself a
// shim of guard's would otherwise loop).
const MaxDepth = 8

// DefaultDir is where shims go without a folder named:
// $XDG_DATA_HOME/guard/shims, or ~/.local/share/guard/shims.
func DefaultDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "guard", "shims"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no home folder for the shims: name a folder (guard shims install DIR)")
		}
		home = h
	}
	return filepath.Join(home, ".local", "share", "guard", "shims"), nil
}

// Quote quotes s for a POSIX shell.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func script(guardPath, dir, name string) string {
	return "#!/bin/sh\n" + Marker + " (written by 'guard shims install'): runs every " + name + " command as 'guard " + name + "'.\n" +
		"# GUARD_BYPASS=1 " + name + " ... runs the real " + name + " without a check; 'guard shims remove' deletes the shims.\n" +
		"exec " + Quote(guardPath) + " --shim-dir " + Quote(dir) + " " + name + " \"$@\"\n"
}

// IsShim reports whether the file at p is a shim guard wrote.
func IsShim(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	head := make([]byte, 256)
	n, _ := io.ReadFull(f, head)
	first, rest, _ := bytes.Cut(head[:n], []byte("\n"))
	return string(first) == "#!/bin/sh" && bytes.HasPrefix(rest, []byte(Marker))
}

// guardExecutable is the absolute path of this guard binary.
func guardExecutable() (string, error) {
	p, err := os.Executable()
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	return filepath.Abs(p)
}

// Install writes (or refreshes) the shims in dir. A file of the same
// name that is not a guard shim is left alone: an error.
func Install(dir string, names []string) error {
	if runtime.GOOS == "windows" {
		return errors.New("shims are shell scripts: not supported on Windows")
	}
	if len(names) == 0 {
		names = pm.Names()
	}
	for _, n := range names {
		if !known(n) {
			return fmt.Errorf("%q is not a package manager guard wraps (%s)", n, strings.Join(pm.Names(), ", "))
		}
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	guardPath, err := guardExecutable()
	if err != nil {
		return fmt.Errorf("finding guard's own executable: %w", err)
	}
	// Nothing is written when any name is taken by a file of the user's.
	for _, n := range names {
		p := filepath.Join(abs, n)
		if _, err := os.Lstat(p); err == nil && !IsShim(p) {
			return fmt.Errorf("%s exists and is not a guard shim: not overwritten", p)
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return err
	}
	for _, n := range names {
		p := filepath.Join(abs, n)
		want := script(guardPath, abs, n)
		if old, err := os.ReadFile(p); err == nil && string(old) == want {
			continue
		}
		tmp, err := os.CreateTemp(abs, "."+n+".tmp-")
		if err != nil {
			return err
		}
		_, werr := tmp.WriteString(want)
		cerr := tmp.Close()
		if werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Chmod(tmp.Name(), 0o755)
		}
		if werr == nil {
			werr = os.Rename(tmp.Name(), p)
		}
		if werr != nil {
			os.Remove(tmp.Name())
			return werr
		}
	}
	return nil
}

// Remove deletes the guard shims of dir (and dir when it is left
// empty); other files stay.
func Remove(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := 0
	for _, en := range entries {
		p := filepath.Join(dir, en.Name())
		if IsShim(p) {
			if err := os.Remove(p); err != nil {
				return n, err
			}
			n++
		}
	}
	os.Remove(dir) // only succeeds when empty
	return n, nil
}

func known(name string) bool {
	_, ok := pm.Lookup(name)
	return ok
}
