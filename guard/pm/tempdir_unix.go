//go:build unix

package pm

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// privateAncestors: dir and every folder above it belong to this user or to
// root, and no other user can write in them (group write only for this
// user's own group).
func privateAncestors(dir string) error {
	uid, gid := uint32(os.Getuid()), uint32(os.Getgid())
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			return err
		}
		sys, ok := st.Sys().(*syscall.Stat_t)
		if !ok {
			return fmt.Errorf("%s: no owner", d)
		}
		perm := st.Mode().Perm()
		switch {
		case sys.Uid != uid && sys.Uid != 0:
			return fmt.Errorf("%s belongs to another user (uid %d)", d, sys.Uid)
		case perm&0o002 != 0:
			return fmt.Errorf("%s can be written by every user (%v)", d, st.Mode())
		case perm&0o020 != 0 && sys.Gid != gid:
			return fmt.Errorf("%s can be written by group %d (%v)", d, sys.Gid, st.Mode())
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
}
