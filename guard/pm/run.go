package pm

import (
	"io"
	"os"
	"os/exec"
	"os/signal"
)

// Stdio is where the real command reads and writes: normally guard's own
// standard streams, so that a terminal stays a terminal for the child.
type Stdio struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Run runs the real command (name found on the invocation's PATH, args
// exactly as given) in the invocation's folder with its environment and the
// given streams, and returns its exit code: 128+n when a signal n killed it.
// While it runs, signals guard receives are forwarded to it (see
// shouldForward). err is set only when the command could not be started.
func Run(inv *Invocation, name string, args []string, stdio Stdio) (int, error) {
	path, err := inv.LookPath(name)
	if err != nil {
		return ExitNotFound, err
	}
	cmd := exec.Command(path, args...)
	cmd.Args[0] = name
	cmd.Dir = inv.Dir
	cmd.Env = inv.environ()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdio.Stdin, stdio.Stdout, stdio.Stderr

	// Catch the signals before the child exists so that none is lost (or
	// kills guard) between Start and the forwarding loop; they queue in the
	// channel until the child can receive them.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return ExitCannotRun, err
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				if shouldForward(s) {
					cmd.Process.Signal(s)
				}
			case <-done:
				return
			}
		}
	}()
	cmd.Wait()
	close(done)
	return exitCode(cmd.ProcessState), nil
}

// Exit codes of a command that could not run, as shells use them.
const (
	ExitCannotRun = 126
	ExitNotFound  = 127
)
