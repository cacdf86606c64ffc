// Command cputime runs a command and prints its wall time and CPU time
// (user + system, from wait4's rusage: microsecond resolution, where
// /usr/bin/time rounds to 10 ms) in microseconds, then the command's exit
// code: "WALL_US CPU_US EXIT". The command's output goes where cputime's
// goes. Used by bench/check-speed.sh.
//
//	go run ./bench/cputime CMD [ARGS...]
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: cputime CMD [ARGS...]")
		os.Exit(2)
	}
	cmd := exec.Command(os.Args[1], os.Args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		fmt.Fprintln(os.Stderr, "cputime:", err)
		os.Exit(2)
	}
	st := cmd.ProcessState
	fmt.Fprintf(os.Stderr, "%d %d %d\n", wall.Microseconds(), (st.UserTime() + st.SystemTime()).Microseconds(), st.ExitCode())
}
