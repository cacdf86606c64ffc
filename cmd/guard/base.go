package main

import (
	"context"
	"fmt"

	"github.com/installguard/guard/lockfile"
)

// baseline returns the function that gives a lockfile's base version for a
// diff-aware check, from --base REF (lockfile.BaseAtRef) or --base-lockfile
// FILE (lockfile.BaseFile), and the base's name for the report.
func baseline(ctx context.Context, ref, file string) (func(*lockfile.Lockfile) ([]*lockfile.Lockfile, error), string, error) {
	switch {
	case ref != "" && file != "":
		return nil, "", fmt.Errorf("--base and --base-lockfile cannot be used together")
	case file != "":
		base, err := lockfile.BaseFile(file)
		if err != nil {
			return nil, "", fmt.Errorf("--base-lockfile: %w", err)
		}
		return base, file, nil
	case ref != "":
		return lockfile.BaseAtRef(ctx, ref), ref, nil
	}
	return nil, "", nil
}
