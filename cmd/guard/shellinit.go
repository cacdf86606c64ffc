package main

import (
	"fmt"
	"strings"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/pm"
)

const shellInitUsage = `Usage: guard shell-init bash|zsh|fish [MANAGER...]

Prints shell functions that route the package managers (default: every one
guard wraps) through guard, so that 'npm install x' runs 'guard npm install x'.
Add to your shell's start-up file:

  bash:  eval "$(guard shell-init bash)"        (~/.bashrc)
  zsh:   eval "$(guard shell-init zsh)"         (~/.zshrc)
  fish:  guard shell-init fish | source         (~/.config/fish/config.fish)

'command npm ...' (bash, zsh, fish) still runs npm itself.`

func runShellInit(e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		if len(args) == 0 {
			fmt.Fprintln(e.stderr, shellInitUsage)
			return guard.ExitInvalid
		}
		fmt.Fprintln(e.stdout, shellInitUsage)
		return guard.ExitAllow
	}
	shell, names := args[0], args[1:]
	if len(names) == 0 {
		names = pm.Names()
	}
	for _, n := range names {
		if !isWrapped(n) {
			fmt.Fprintf(e.stderr, "guard shell-init: %q is not a package manager guard wraps (%s)\n", n, strings.Join(pm.Names(), ", "))
			return guard.ExitInvalid
		}
	}
	var b strings.Builder
	switch shell {
	case "bash", "zsh":
		fmt.Fprintf(&b, "# guard: check installs before they run (guard shell-init %s)\n", shell)
		for _, n := range names {
			fmt.Fprintf(&b, "%s() { command guard %s \"$@\"; }\n", n, n)
		}
	case "fish":
		b.WriteString("# guard: check installs before they run (guard shell-init fish)\n")
		for _, n := range names {
			fmt.Fprintf(&b, "function %s --wraps %s --description 'guard %s'\n    command guard %s $argv\nend\n", n, n, n, n)
		}
	default:
		fmt.Fprintf(e.stderr, "guard shell-init: unsupported shell %q: use bash, zsh or fish\n", shell)
		return guard.ExitInvalid
	}
	fmt.Fprint(e.stdout, b.String())
	return guard.ExitAllow
}
