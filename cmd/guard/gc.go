package main

import (
	"os"
	"runtime/debug"
)

// guard is a short-lived process whose live heap stays small (a check of
// 1,300 packages holds ~10 MB) while it allocates several times that. With
// Go's default GOGC=100 the collector runs three or four times in such a run
// and its workers take a core that the check could use; at 400 it runs about
// once. A GOGC set by the user still wins. (issue 14: check speed)
func init() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
