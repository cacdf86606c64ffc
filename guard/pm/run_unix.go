//go:build unix

package pm

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

// shouldForward: a signal guard receives goes on to the child, except a
// terminal's Ctrl-C or Ctrl-\ while guard is in the terminal's foreground
// process group: the terminal sent that to the whole group, the child
// included, and a second copy could make it abort its own clean-up.
func shouldForward(s os.Signal) bool {
	if s != syscall.SIGINT && s != syscall.SIGQUIT {
		return true
	}
	return !inForeground()
}

// inForeground reports whether guard's process group is the foreground
// group of its controlling terminal.
func inForeground() bool {
	tty, err := os.Open("/dev/tty")
	if err != nil {
		return false // no controlling terminal: nobody sent it to the group
	}
	defer tty.Close()
	pgrp, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	if err != nil {
		return false
	}
	return pgrp == unix.Getpgrp()
}

func exitCode(st *os.ProcessState) int {
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return st.ExitCode()
}

// Exec replaces guard with the real command (pass-through subcommands): no
// guard process stays between the user and the manager. It returns only
// when the command could not be executed.
func Exec(inv *Invocation, name string, args []string) (int, error) {
	path, err := inv.LookPath(name)
	if err != nil {
		return ExitNotFound, err
	}
	if err := os.Chdir(inv.Dir); err != nil {
		return ExitCannotRun, err
	}
	err = syscall.Exec(path, append([]string{name}, args...), inv.environ())
	return ExitCannotRun, err
}
