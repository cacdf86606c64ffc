//go:build !unix

package pm

import "os"

// On Windows a console's Ctrl-C reaches every process attached to it, the
// child included; nothing is forwarded.
var forwardedSignals = []os.Signal{os.Interrupt}

func shouldForward(os.Signal) bool { return false }

func exitCode(st *os.ProcessState) int { return st.ExitCode() }

// Exec runs the real command as a child with guard's streams (Windows cannot
// replace a process).
func Exec(inv *Invocation, name string, args []string) (int, error) {
	return Run(inv, name, args, Stdio{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
}
