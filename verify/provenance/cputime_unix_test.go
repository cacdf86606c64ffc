//go:build unix

package provenance

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) the process has used: on a
// machine shared with other work it moves far less than wall time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
