//go:build linux

package advisory

import "golang.org/x/sys/unix"

// exchangeDirs atomically swaps two directories (renameat2 RENAME_EXCHANGE):
// readers see either the old or the new folder, never neither.
func exchangeDirs(a, b string) error {
	return unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
}
