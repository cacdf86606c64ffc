package main

import (
	"fmt"
	"strings"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/shims"
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
	return shims.Command(verb, dir, names, e.stdout, e.stderr, e.getenv)
}
