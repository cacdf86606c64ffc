package advisory

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/installguard/guard/verify/httpretry"
)

// Environment variables that choose the advisory source.
const (
	// EnvDB names the offline DB folder (like guard's --db).
	EnvDB = "GUARD_DB"
	// EnvAPIURL overrides DefaultAPIURL.
	EnvAPIURL = "GUARD_OSV_URL"
)

// Location says where a run's advisories come from: an offline DB or the
// OSV API.
type Location struct {
	// DBDir is set when advisories come from an offline DB.
	DBDir string
	// APIURL is the OSV API's root when DBDir is empty.
	APIURL string
	// IdleTimeout fails a request to the OSV API that hears nothing for
	// this long (GUARD_NET_IDLE_TIMEOUT, default 30s).
	IdleTimeout time.Duration
}

// Locate chooses the advisory source: the DB folder dbDir when set, else
// GUARD_DB's; with neither, DefaultDBDir when offline, else the OSV API at
// GUARD_OSV_URL or DefaultAPIURL.
func Locate(dbDir string, offline bool, getenv func(string) string) (Location, error) {
	var l Location
	l.DBDir = dbDir
	if l.DBDir == "" {
		l.DBDir = getenv(EnvDB)
	}
	if l.DBDir == "" && offline {
		dir, err := DefaultDBDir()
		if err != nil {
			return l, err
		}
		l.DBDir = dir
	}
	if l.DBDir == "" {
		l.APIURL = getenv(EnvAPIURL)
		if l.APIURL == "" {
			l.APIURL = DefaultAPIURL
		}
	}
	idle, err := httpretry.IdleFromEnv(getenv)
	if err != nil {
		return l, err
	}
	l.IdleTimeout = idle
	return l, nil
}

// Open opens the advisory source. A DB that cannot be opened becomes a
// source that fails every query, so that the check reports it as a check
// that could not complete (exit 3) exactly when advisories are needed.
func (l Location) Open() Source {
	if l.DBDir == "" {
		c := NewClient(l.APIURL, nil)
		c.IdleTimeout = l.IdleTimeout
		return c
	}
	db, err := OpenDB(l.DBDir)
	if err != nil {
		return Failing(fmt.Errorf("%w (run 'guard db update --db %s' to create it)", err, l.DBDir))
	}
	return db
}

// Failing returns a source whose every query fails with err: an answer
// that could not be had, never "no advisories".
func Failing(err error) Source { return failingSource{err} }

type failingSource struct{ err error }

func (f failingSource) Query(context.Context, []Query) ([][]*osvschema.Vulnerability, error) {
	return nil, f.err
}

// DBDir is the offline DB folder: dir when set, else GUARD_DB's, else
// DefaultDBDir.
func DBDir(dir string, getenv func(string) string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	if d := getenv(EnvDB); d != "" {
		return d, nil
	}
	return DefaultDBDir()
}

// DefaultDBDir is where 'guard db update' keeps the offline DB:
// <user cache>/guard/osv-db.
func DefaultDBDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder for the offline DB (%v): pass --db DIR or set GUARD_DB", err)
	}
	return filepath.Join(dir, "guard", "osv-db"), nil
}
