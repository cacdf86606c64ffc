//go:build !linux

package advisory

import "errors"

// exchangeDirs is not available here; replaceDir falls back to two renames.
func exchangeDirs(a, b string) error { return errors.ErrUnsupported }
