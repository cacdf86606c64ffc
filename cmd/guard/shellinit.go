package main

import (
	"fmt"
	"strings"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/pm"
	"github.com/installguard/guard/guard/shims"
)

const shellInitUsage = `Usage: guard shell-init bash|zsh|fish [--dir DIR] [MANAGER...]

Writes guard's shims (see 'guard help shims'; default: every package manager
guard wraps, in $XDG_DATA_HOME/guard/shims or ~/.local/share/guard/shims, or
DIR) and prints the shell code that puts their folder first on PATH, so that
'npm install x' runs 'guard npm install x': in the shell, and in every child
process too (npm scripts, Makefiles, bash -c, editors started from it).
Add to your shell's start-up file:

  bash:  eval "$(guard shell-init bash)"        (~/.bashrc)
  zsh:   eval "$(guard shell-init zsh)"         (~/.zshrc)
  fish:  guard shell-init fish | source         (~/.config/fish/config.fish)

The explicit escape: GUARD_BYPASS=1 npm ... runs the real npm without a
check, and guard says so on standard error.`

func runShellInit(e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		if len(args) == 0 {
			fmt.Fprintln(e.stderr, shellInitUsage)
			return guard.ExitInvalid
		}
		fmt.Fprintln(e.stdout, shellInitUsage)
		return guard.ExitAllow
	}
	shell := args[0]
	dir := ""
	var names []string
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--dir" && i+1 < len(args):
			i++
			dir = args[i]
		case strings.HasPrefix(a, "--dir="):
			dir = strings.TrimPrefix(a, "--dir=")
		case strings.HasPrefix(a, "-"):
			fmt.Fprintf(e.stderr, "guard shell-init: unknown flag %q\n", a)
			return guard.ExitInvalid
		default:
			names = append(names, a)
		}
	}
	for _, n := range names {
		if !isWrapped(n) {
			fmt.Fprintf(e.stderr, "guard shell-init: %q is not a package manager guard wraps (%s)\n", n, strings.Join(pm.Names(), ", "))
			return guard.ExitInvalid
		}
	}
	if shell != "bash" && shell != "zsh" && shell != "fish" {
		fmt.Fprintf(e.stderr, "guard shell-init: unsupported shell %q: use bash, zsh or fish\n", shell)
		return guard.ExitInvalid
	}
	return shims.ShellInit(shell, dir, names, e.stdout, e.stderr, e.getenv)
}
