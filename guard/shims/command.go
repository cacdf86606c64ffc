package shims

import (
	"fmt"
	"io"

	"github.com/installguard/guard/guard"
)

// Command runs guard shims install|remove (verb) on dir ("" = DefaultDir)
// for names (nil = every package manager guard wraps; install only) and
// returns the exit code.
func Command(verb, dir string, names []string, stdout, stderr io.Writer, getenv func(string) string) int {
	dir, err := dirOrDefault(dir, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "guard shims: %v\n", err)
		return guard.ExitInvalid
	}
	switch verb {
	case "install":
		if err := Install(dir, names); err != nil {
			fmt.Fprintf(stderr, "guard shims: %v\n", err)
			return guard.ExitInvalid
		}
		fmt.Fprintf(stdout, "guard: shims written to %s; put it first on PATH (guard shell-init does)\n", dir)
	case "remove":
		n, err := Remove(dir)
		if err != nil {
			fmt.Fprintf(stderr, "guard shims: %v\n", err)
			return guard.ExitInvalid
		}
		fmt.Fprintf(stdout, "guard: %d shims removed from %s\n", n, dir)
	default:
		fmt.Fprintf(stderr, "guard shims: unknown command %q: use install or remove\n", verb)
		return guard.ExitInvalid
	}
	return guard.ExitAllow
}

// ShellInit writes the shims of names into dir ("" = DefaultDir) and
// prints InitScript for shell on stdout: guard shell-init. It returns the
// exit code.
func ShellInit(shell, dir string, names []string, stdout, stderr io.Writer, getenv func(string) string) int {
	dir, err := dirOrDefault(dir, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "guard shell-init: %v\n", err)
		return guard.ExitInvalid
	}
	if err := Install(dir, names); err != nil {
		fmt.Fprintf(stderr, "guard shell-init: %v\n", err)
		return guard.ExitIncomplete
	}
	fmt.Fprint(stdout, InitScript(shell, dir, names))
	return guard.ExitAllow
}

// dirOrDefault is dir, or DefaultDir when dir is "".
func dirOrDefault(dir string, getenv func(string) string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	return DefaultDir(getenv)
}
