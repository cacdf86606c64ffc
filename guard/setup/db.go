package setup

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/verify/advisory"
	"github.com/installguard/guard/verify/httpretry"
)

// DBUpdate is what guard db update was given.
type DBUpdate struct {
	// Dir is --db ("" = GUARD_DB, else the user cache).
	Dir        string
	Ecosystems []string
	// URL is --url ("" = GUARD_OSV_DB_URL, else OSV's export).
	URL     string
	Timeout time.Duration
	Force   bool
	Quiet   bool
	// Transport sends the requests (nil: http.DefaultTransport); Progress,
	// when set, wraps it to draw a progress line.
	Transport http.RoundTripper
	Progress  func(http.RoundTripper) http.RoundTripper
	Stderr    io.Writer
	Getenv    func(string) string
}

// UpdateDB downloads the offline OSV DB as u says. It returns the DB's
// folder, or ok=false with the exit code (2 for bad input, 3 for a failed
// update) and the reason on u.Stderr.
func UpdateDB(ctx context.Context, u DBUpdate) (dir string, code int, ok bool) {
	fail := func(code int, format string, args ...any) (string, int, bool) {
		fmt.Fprintf(u.Stderr, "guard db update: "+format+"\n", args...)
		return "", code, false
	}
	d, err := advisory.DBDir(u.Dir, u.Getenv)
	if err != nil {
		return fail(guard.ExitInvalid, "%v", err)
	}
	url := u.URL
	if url == "" {
		url = u.Getenv("GUARD_OSV_DB_URL")
	}
	if url != "" && !strings.HasPrefix(strings.ToLower(url), "https://") {
		return fail(guard.ExitInvalid, "--url %q: the offline DB is only downloaded over https", url)
	}
	if !u.Quiet {
		fmt.Fprintf(u.Stderr, "guard: updating the offline OSV DB in %s (%s)\n", d, strings.Join(u.Ecosystems, ", "))
	}
	idle, err := httpretry.IdleFromEnv(u.Getenv)
	if err != nil {
		return fail(guard.ExitInvalid, "%v", err)
	}
	client := &http.Client{Timeout: u.Timeout, Transport: u.Transport}
	if u.Progress != nil {
		client.Transport = u.Progress(client.Transport)
	}
	opts := []advisory.Option{advisory.WithIdleTimeout(idle)}
	if u.Force {
		opts = append(opts, advisory.WithAllowShrink())
	}
	if err := advisory.UpdateDB(ctx, d, url, u.Ecosystems, client, opts...); err != nil {
		return fail(guard.ExitIncomplete, "%v", err)
	}
	return d, 0, true
}
