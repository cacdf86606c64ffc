package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"github.com/spf13/pflag"

	"github.com/installguard/guard/verify/advisory"
	"github.com/installguard/guard/verify/httpretry"
)

// sourceArgs choose where advisories come from.
type sourceArgs struct {
	offline  bool
	db       string
	maxDBAge string
}

const defaultMaxDBAge = "7d"

func addSourceFlags(fs *pflag.FlagSet, a *sourceArgs) {
	fs.BoolVar(&a.offline, "offline", false, "make no network calls: advisories come from the offline DB (also GUARD_OFFLINE=1)")
	fs.StringVar(&a.db, "db", "", "use the offline OSV DB in `DIR` instead of the OSV API (also GUARD_DB)")
	fs.StringVar(&a.maxDBAge, "max-db-age", defaultMaxDBAge, "an offline DB older than this is an error (e.g. 48h, 7d; 0 = no limit)")
}

// resolved is the outcome of the source flags and environment.
type resolvedSource struct {
	offline bool
	// dbDir is set when advisories come from an offline DB.
	dbDir  string
	apiURL string
	maxAge time.Duration
	// idle fails a request to the OSV API that hears nothing for this long
	// (GUARD_NET_IDLE_TIMEOUT, default 30s).
	idle time.Duration
}

func (e *env) resolveSource(a *sourceArgs) (resolvedSource, error) {
	var r resolvedSource
	r.offline = a.offline || truthy(e.getenv("GUARD_OFFLINE"))
	r.dbDir = a.db
	if r.dbDir == "" {
		r.dbDir = e.getenv("GUARD_DB")
	}
	if r.dbDir == "" && r.offline {
		dir, err := defaultDBDir()
		if err != nil {
			return r, err
		}
		r.dbDir = dir
	}
	if r.dbDir == "" {
		r.apiURL = e.getenv("GUARD_OSV_URL")
		if r.apiURL == "" {
			r.apiURL = advisory.DefaultAPIURL
		}
	}
	age, err := parseAge(a.maxDBAge)
	if err != nil {
		return r, fmt.Errorf("--max-db-age: %w", err)
	}
	r.maxAge = age
	if r.idle, err = httpretry.IdleFromEnv(e.getenv); err != nil {
		return r, err
	}
	return r, nil
}

// source opens the advisory source. A DB that cannot be opened becomes a
// source that fails every query, so that the check reports it as a check
// that could not complete (exit 3) exactly when advisories are needed.
func (r resolvedSource) source() advisory.Source {
	if r.dbDir == "" {
		c := advisory.NewClient(r.apiURL, nil)
		c.IdleTimeout = r.idle
		return c
	}
	db, err := advisory.OpenDB(r.dbDir)
	if err != nil {
		return failingSource{fmt.Errorf("%w (run 'guard db update --db %s' to create it)", err, r.dbDir)}
	}
	return db
}

type failingSource struct{ err error }

func (f failingSource) Query(context.Context, []advisory.Query) ([][]*osvschema.Vulnerability, error) {
	return nil, f.err
}

// defaultDBDir is where 'guard db update' keeps the offline DB.
func defaultDBDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder for the offline DB (%v): pass --db DIR or set GUARD_DB", err)
	}
	return filepath.Join(dir, "guard", "osv-db"), nil
}

func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// parseAge reads a Go duration ("48h", "90m") or whole days ("7d"); "0"
// means no limit.
func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a duration (use e.g. 48h or 7d)", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration (use e.g. 48h or 7d)", s)
	}
	return d, nil
}
