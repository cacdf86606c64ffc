package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/pm"
)

const shimsUsage = `Usage: guard shims install [DIR] [--only NAME,...]
       guard shims remove [DIR]

install writes small executables named after the package managers guard wraps
(npm, npx, pnpm, pnpx, yarn, pip, pip3, uv, uvx, poetry, cargo) into DIR
(default: $XDG_DATA_HOME/guard/shims, or ~/.local/share/guard/shims). Put DIR
first on PATH (guard shell-init does both) and every 'npm install' runs as
'guard npm install': in your shell, and in child processes too (npm scripts,
Makefiles, bash -c, editors). A shim finds the real tool by skipping its own
folder on PATH (and any other folder of guard shims), so the real tool may
itself be a shim (corepack, pyenv, rustup).

GUARD_BYPASS=1 npm ... runs the real tool without a check; guard says so on
standard error. (It applies to shims only: 'guard npm ...' typed by name
always checks.)

remove deletes the guard shims of DIR and nothing else.
Shims are shell scripts: Unix only.`

// shimMarker is on the second line of every shim guard writes.
const shimMarker = "# guard shim"

// shimMaxDepth bounds shims running shims (a real tool that is itself a
// shim of guard's would otherwise loop).
const shimMaxDepth = 8

func defaultShimDir(e *env) (string, error) {
	if d := e.getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "guard", "shims"), nil
	}
	home := e.getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("no home folder for the shims: name a folder (guard shims install DIR)")
		}
		home = h
	}
	return filepath.Join(home, ".local", "share", "guard", "shims"), nil
}

func runShims(e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		if len(args) == 0 {
			fmt.Fprintln(e.stderr, shimsUsage)
			return guard.ExitInvalid
		}
		fmt.Fprintln(e.stdout, shimsUsage)
		return guard.ExitAllow
	}
	verb, rest := args[0], args[1:]
	var names []string
	dir := ""
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		switch {
		case a == "--only" && i+1 < len(rest):
			i++
			names = strings.Split(rest[i], ",")
		case strings.HasPrefix(a, "--only="):
			names = strings.Split(strings.TrimPrefix(a, "--only="), ",")
		case strings.HasPrefix(a, "-"):
			fmt.Fprintf(e.stderr, "guard shims: unknown flag %q\n", a)
			return guard.ExitInvalid
		case dir == "":
			dir = a
		default:
			fmt.Fprintf(e.stderr, "guard shims: one folder at most (got %q and %q)\n", dir, a)
			return guard.ExitInvalid
		}
	}
	if dir == "" {
		d, err := defaultShimDir(e)
		if err != nil {
			fmt.Fprintf(e.stderr, "guard shims: %v\n", err)
			return guard.ExitInvalid
		}
		dir = d
	}
	switch verb {
	case "install":
		if err := installShims(dir, names); err != nil {
			fmt.Fprintf(e.stderr, "guard shims: %v\n", err)
			return guard.ExitInvalid
		}
		fmt.Fprintf(e.stdout, "guard: shims written to %s; put it first on PATH (guard shell-init does)\n", dir)
	case "remove":
		n, err := removeShims(dir)
		if err != nil {
			fmt.Fprintf(e.stderr, "guard shims: %v\n", err)
			return guard.ExitInvalid
		}
		fmt.Fprintf(e.stdout, "guard: %d shims removed from %s\n", n, dir)
	default:
		fmt.Fprintf(e.stderr, "guard shims: unknown command %q: use install or remove\n", verb)
		return guard.ExitInvalid
	}
	return guard.ExitAllow
}

// singleQuote quotes s for a POSIX shell.
func singleQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func shimScript(guardPath, dir, name string) string {
	return "#!/bin/sh\n" + shimMarker + " (written by 'guard shims install'): runs every " + name + " command as 'guard " + name + "'.\n" +
		"# GUARD_BYPASS=1 " + name + " ... runs the real " + name + " without a check; 'guard shims remove' deletes the shims.\n" +
		"exec " + singleQuote(guardPath) + " --shim-dir " + singleQuote(dir) + " " + name + " \"$@\"\n"
}

// isShim reports whether the file at p is a shim guard wrote.
func isShim(p string) bool {
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
	return string(first) == "#!/bin/sh" && bytes.HasPrefix(rest, []byte(shimMarker))
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

// installShims writes (or refreshes) the shims in dir. A file of the same
// name that is not a guard shim is left alone: an error.
func installShims(dir string, names []string) error {
	if runtime.GOOS == "windows" {
		return errors.New("shims are shell scripts: not supported on Windows")
	}
	if len(names) == 0 {
		names = pm.Names()
	}
	for _, n := range names {
		if !isWrapped(n) {
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
		if _, err := os.Lstat(p); err == nil && !isShim(p) {
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
		want := shimScript(guardPath, abs, n)
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

// removeShims deletes the guard shims of dir (and dir when it is left
// empty); other files stay.
func removeShims(dir string) (int, error) {
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
		if isShim(p) {
			if err := os.Remove(p); err != nil {
				return n, err
			}
			n++
		}
	}
	os.Remove(dir) // only succeeds when empty
	return n, nil
}

// shimSetup prepares a run that came through a shim: the real tool is
// looked up past the shim's folder (and every other folder holding a guard
// shim of that name), nesting is bounded, and GUARD_BYPASS=1 runs the real
// tool at once. done is true when the run is over (code is its exit code).
func shimSetup(e *env, inv *pm.Invocation, shimDir string) (code int, done bool) {
	inv.SkipDirs = append(inv.SkipDirs, shimDir)
	for _, d := range filepath.SplitList(e.getenv("PATH")) {
		if d != "" && filepath.IsAbs(d) && isShim(filepath.Join(d, inv.Manager)) {
			inv.SkipDirs = append(inv.SkipDirs, d)
		}
	}
	depth, _ := strconv.Atoi(e.getenv("GUARD_SHIM_DEPTH"))
	if depth >= shimMaxDepth {
		fmt.Fprintf(e.stderr, "guard: %s: guard's shims ran each other %d times; is the real %s itself a guard shim? (GUARD_SHIM_DEPTH)\n", inv.Manager, depth, inv.Manager)
		return pm.ExitCannotRun, true
	}
	inv.Env = setEnv(os.Environ(), "GUARD_SHIM_DEPTH", strconv.Itoa(depth+1))
	if truthy(e.getenv("GUARD_BYPASS")) {
		fmt.Fprintf(e.stderr, "guard: GUARD_BYPASS is set: %s runs without a check\n", termSafe(wouldRun(inv)))
		code, err := pm.Exec(inv, inv.Manager, inv.Args)
		if err != nil {
			fmt.Fprintf(e.stderr, "guard: %v\n", err)
		}
		return code, true
	}
	return 0, false
}

// setEnv returns env with key set to value (every earlier entry of key
// dropped: a child may read the first of duplicates).
func setEnv(env []string, key, value string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k != key {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}
