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
//
// GOGC=400 lets the heap grow to five times what is live, which matters for
// the few runs that hold more (building the offline DB index from a hostile
// export peaks at ~240 MiB at 400, ~100 MiB at 100): a soft memory limit of
// 160 MiB makes the collector run as often as needed near it, so peak memory
// stays under the 300 MiB guard promises (docs/security.md). A GOMEMLIMIT set
// by the user still wins.
func init() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(160 << 20)
	}
}
