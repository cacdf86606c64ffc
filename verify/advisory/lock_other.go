//go:build !unix

package advisory

import (
	"context"
	"errors"
	"os"
	"time"
)

// lockFile takes an exclusive lock by creating path exclusively, waiting
// until it is free or ctx ends. Without flock a crashed update leaves the
// file behind; a lock older than staleLock is taken over.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	const staleLock = 30 * time.Minute
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			f.Close()
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		if st, err := os.Stat(path); err == nil && time.Since(st.ModTime()) > staleLock {
			os.Remove(path)
			continue
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
