package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/installguard/guard/verify/advisory"
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

// resolvedSource is the outcome of the source flags and environment.
type resolvedSource struct {
	offline bool
	// loc is where advisories come from (verify/advisory.Locate).
	loc    advisory.Location
	maxAge time.Duration
}

func (e *env) resolveSource(a *sourceArgs) (resolvedSource, error) {
	var r resolvedSource
	r.offline = a.offline || truthy(e.getenv("GUARD_OFFLINE"))
	loc, err := advisory.Locate(a.db, r.offline, e.getenv)
	if err != nil {
		return r, err
	}
	r.loc = loc
	age, err := parseAge(a.maxDBAge)
	if err != nil {
		return r, fmt.Errorf("--max-db-age: %w", err)
	}
	r.maxAge = age
	return r, nil
}

// source opens the advisory source; one that cannot be opened fails every
// query (exit 3 exactly when advisories are needed).
func (r resolvedSource) source() advisory.Source { return r.loc.Open() }

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
