package setup

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/verify/provenance"
	"github.com/installguard/guard/verify/registries"
)

// TrustUpdate is what guard trust update was given.
type TrustUpdate struct {
	// Dir is --dir ("" = <user cache>/guard/trust).
	Dir     string
	Mirror  string
	Timeout time.Duration
	Stderr  io.Writer
	Getenv  func(string) string
}

// UpdateTrust refreshes the Sigstore trusted root (and the npm registry
// keys, for the registry of the user's npm configuration) into u.Dir and
// returns the exit code of guard trust update.
func UpdateTrust(ctx context.Context, u TrustUpdate) int {
	d := u.Dir
	if d == "" {
		var err error
		if d, err = CacheDir("trust"); err != nil {
			fmt.Fprintf(u.Stderr, "guard trust update: %v\n", err)
			return guard.ExitInvalid
		}
	}
	reg, err := registries.Discover(ctx, ".", u.Getenv)
	if err != nil {
		fmt.Fprintf(u.Stderr, "guard trust update: package manager configuration: %v\n", err)
		return guard.ExitInvalid
	}
	_, err = provenance.UpdateTrust(ctx, provenance.UpdateOptions{Dir: d, MirrorURL: u.Mirror, Timeout: u.Timeout,
		NPMRegistry: reg.NPM, HTTPClient: &http.Client{Timeout: u.Timeout}})
	if err != nil {
		fmt.Fprintf(u.Stderr, "guard trust update: %v\n", err)
		return guard.ExitIncomplete
	}
	fmt.Fprintf(u.Stderr, "guard: trusted root updated in %s\n", d)
	return guard.ExitAllow
}
