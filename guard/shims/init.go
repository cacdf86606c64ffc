package shims

import (
	"fmt"
	"strings"

	"github.com/installguard/guard/guard/pm"
)

// InitScript is the shell code guard shell-init prints for shell (bash,
// zsh or fish): it puts dir, the folder of the shims of names (every
// package manager guard wraps when names is nil), first on PATH, once.
func InitScript(shell, dir string, names []string) string {
	list := names
	if len(list) == 0 {
		list = pm.Names()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# guard: check installs before they run (guard shell-init %s)\n", shell)
	fmt.Fprintf(&b, "# guard's shims (%s) come first on PATH, in child processes too.\n", strings.Join(list, ", "))
	b.WriteString("# GUARD_BYPASS=1 npm ... runs the real tool without a check.\n")
	switch shell {
	case "bash", "zsh":
		q := Quote(dir)
		fmt.Fprintf(&b, "case \"$PATH\" in %s|%s:*) ;; *) PATH=%s\"${PATH:+:$PATH}\"; export PATH ;; esac\n", q, q, q)
		b.WriteString("hash -r 2>/dev/null || true\n")
	case "fish":
		q := fishQuote(dir)
		fmt.Fprintf(&b, "if test \"$PATH[1]\" != %s\n    set -gx PATH %s $PATH\nend\n", q, q)
	}
	return b.String()
}

// fishQuote quotes s for fish: single quotes, with \ and ' escaped.
func fishQuote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
