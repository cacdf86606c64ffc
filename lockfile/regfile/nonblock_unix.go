//go:build unix

package regfile

import "syscall"

// nonblock makes open(2) of a FIFO return at once instead of waiting for a
// writer. Reads of a regular file ignore it.
const nonblock = syscall.O_NONBLOCK
