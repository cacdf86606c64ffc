// Package pm holds the package-manager wrappers behind `guard npm|cargo|pip
// ...`: for each manager it tells install-like subcommands from the rest,
// works out the exact package set an install would bring in without running
// any package code (in a private temporary copy of the project), compares
// package sets, and runs the real command with stdio, environment, working
// directory, exit code and signals passed through. It decides nothing: the
// caller checks the package set with guard.Check.
package pm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/installguard/guard/lockfile"
)

// Invocation is one `guard <manager> <args...>` as the user typed it.
type Invocation struct {
	// Manager is the package manager's name as typed ("npm", "pip3").
	Manager string
	// Args are everything after the manager's name, untouched.
	Args []string
	// Dir is the working directory the user ran guard in (absolute).
	Dir string
	// Env is the environment for every child process; nil means os.Environ().
	Env []string
	// SkipDirs are folders LookPath never takes an executable from: guard's
	// own shim folders (guard shims install), so that a shim finds the real
	// tool behind it and never itself. They stay on the real command's PATH
	// (its child processes are guarded too) but are taken off the PATH of
	// guard's resolution steps.
	SkipDirs []string
}

func (inv *Invocation) environ() []string {
	if inv.Env == nil {
		return os.Environ()
	}
	return inv.Env
}

// Getenv reads a variable of the invocation's environment.
func (inv *Invocation) Getenv(key string) string {
	v, _ := inv.LookupEnv(key)
	return v
}

// LookupEnv reads a variable of the invocation's environment and says
// whether it is set.
func (inv *Invocation) LookupEnv(key string) (string, bool) {
	env := inv.environ()
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// LookPath finds the manager's executable on the invocation's PATH,
// skipping SkipDirs.
func (inv *Invocation) LookPath(name string) (string, error) {
	path := inv.Getenv("PATH")
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(inv.Dir, dir)
		}
		if inv.skipped(dir) {
			continue
		}
		p, err := exec.LookPath(filepath.Join(dir, name))
		if err == nil {
			return p, nil
		}
	}
	return "", &NotFoundError{Name: name}
}

func (inv *Invocation) skipped(dir string) bool {
	for _, s := range inv.SkipDirs {
		if sameDir(s, dir) {
			return true
		}
	}
	return false
}

// sameDir: a and b name the same folder (same path, or the same file
// once symbolic links are followed).
func sameDir(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// resolveEnviron is the environment of guard's own resolution steps: the
// invocation's, with SkipDirs taken off PATH so that nothing a resolution
// starts comes back through a shim.
func (inv *Invocation) resolveEnviron() []string {
	env := inv.environ()
	if len(inv.SkipDirs) == 0 {
		return env
	}
	out := make([]string, 0, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == "PATH" {
			var keep []string
			for _, d := range filepath.SplitList(v) {
				if d != "" && filepath.IsAbs(d) && inv.skipped(d) {
					continue
				}
				keep = append(keep, d)
			}
			kv = "PATH=" + strings.Join(keep, string(os.PathListSeparator))
		}
		out = append(out, kv)
	}
	return out
}

// NotFoundError: the package manager is not on PATH.
type NotFoundError struct{ Name string }

func (e *NotFoundError) Error() string { return e.Name + ": command not found on PATH" }

// Command is what a manager makes of its arguments.
type Command struct {
	// Name is the canonical subcommand ("install" for "npm i"), "" when
	// there is none.
	Name string
	// Install: the subcommand can download and install packages, so it is
	// checked first. Everything else runs straight through.
	Install bool
}

// Resolution is the package set an install would bring in.
type Resolution struct {
	// Before holds what the project already has (its lockfile before the
	// install, or what is installed now); nil when there is nothing.
	Before []*lockfile.Lockfile
	// After is what the install would bring in, with Path set to the
	// project's lockfile as the user sees it.
	After *lockfile.Lockfile
	// Note says how the set was worked out, for the report.
	Note string
	// Had names what Before is, as a label for the packages After shares
	// with it: "already locked" (the default) or "already installed".
	Had string
	// RunArgs, when not nil, are the arguments the real command runs with
	// in place of the user's: theirs with what guard adds (--prefer-offline
	// after a private resolution that filled the cache the real command
	// reads; see preferoffline.go).
	RunArgs []string
	// Handoff, when not nil, is the checked lockfile to put in the project
	// before the real command runs (see Handoff).
	Handoff *Handoff
}

// Manager wraps one package manager.
type Manager interface {
	// Names lists the executable names the manager answers to ("pip", "pip3").
	Names() []string
	// Classify says what the arguments ask the manager to do.
	Classify(inv *Invocation) Command
	// Resolve works out the package set of an install-like command without
	// running package code and without changing the user's files.
	Resolve(ctx context.Context, inv *Invocation, cmd Command) (*Resolution, error)
	// Installed reads the package set after the real command ran (nil, nil
	// when there is nothing to compare).
	Installed(inv *Invocation, cmd Command) (*lockfile.Lockfile, error)
}

var managers []Manager

func register(m Manager) { managers = append(managers, m) }

// Lookup returns the manager answering to an executable name.
func Lookup(name string) (Manager, bool) {
	for _, m := range managers {
		for _, n := range m.Names() {
			if n == name {
				return m, true
			}
		}
	}
	return nil, false
}

// Names lists every executable name a wrapper exists for, sorted.
func Names() []string {
	var out []string
	for _, m := range managers {
		out = append(out, m.Names()...)
	}
	sort.Strings(out)
	return out
}

// ResolveError: the manager could not work out the package set. Output is
// what it printed on stderr.
type ResolveError struct {
	Step   string
	Err    error
	Output string
}

func (e *ResolveError) Error() string {
	msg := fmt.Sprintf("%s: %v", e.Step, e.Err)
	if out := strings.TrimSpace(e.Output); out != "" {
		msg += "\n" + out
	}
	return msg
}

func (e *ResolveError) Unwrap() error { return e.Err }

// ErrNoLockfile: the resolved project has no lockfile to read.
var ErrNoLockfile = errors.New("no lockfile was written")

// runCaptured runs a resolution step: stdin empty, stdout discarded (kept
// for errors), stderr captured and returned in the error on failure.
func runCaptured(ctx context.Context, inv *Invocation, dir, step, name string, args ...string) error {
	path, err := inv.LookPath(name)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	cmd.Env = resolveEnvFor(name, inv.resolveEnviron())
	var out strings.Builder
	cmd.Stdout = io.Discard
	cmd.Stderr = &limitedWriter{b: &out, n: 64 << 10}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &ResolveError{Step: step, Err: err, Output: out.String()}
	}
	return nil
}

// limitedWriter keeps the first n bytes and drops the rest.
type limitedWriter struct {
	b *strings.Builder
	n int
}

func (w *limitedWriter) Write(p []byte) (int, error) {
	if room := w.n - w.b.Len(); room > 0 {
		w.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

// runOutput runs a resolution helper and returns its standard output.
func runOutput(ctx context.Context, inv *Invocation, dir, name string, args ...string) (string, error) {
	path, err := inv.LookPath(name)
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = dir
	cmd.Env = resolveEnvFor(name, inv.resolveEnviron())
	var errb strings.Builder
	cmd.Stderr = &limitedWriter{b: &errb, n: 16 << 10}
	out, err := cmd.Output()
	if err != nil {
		return "", &ResolveError{Step: name + " " + strings.Join(args, " "), Err: err, Output: errb.String()}
	}
	return string(out), nil
}
