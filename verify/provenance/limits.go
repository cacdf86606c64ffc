package provenance

import (
	"errors"
	"time"
)

// cacheMaxSize caps one cached verification result read back from disk
// (regfile: a regular file, opened without blocking).
const cacheMaxSize = 4 << 20

// DefaultBudget is the default total time provenance may take in one run.
const DefaultBudget = 3 * time.Minute

// WithIdleTimeout fails a request when its server sends nothing for d
// (default httpretry.DefaultIdle, 30s), without retries; later requests to
// that host in the same run fail at once. A hanging attestation endpoint so
// costs d once, not d per package.
func WithIdleTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return errors.New("idle timeout must be positive")
		}
		c.idle = d
		return nil
	}
}

// WithBudget bounds the time all of the Verifier's requests may take
// together, counted from the first (default DefaultBudget). Packages still
// undecided when it is spent are unverifiable, with ErrBudget as reason.
func WithBudget(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return errors.New("budget must be positive")
		}
		c.budget = d
		return nil
	}
}
