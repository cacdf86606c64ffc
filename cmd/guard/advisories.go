package main

import (
	"github.com/spf13/pflag"

	"github.com/installguard/guard/guard/setup"
)

// sourceArgs choose where advisories come from (guard/setup.ResolveSource).
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

func (a *sourceArgs) config() setup.Source {
	return setup.Source{Offline: a.offline, DB: a.db, MaxDBAge: a.maxDBAge}
}

func (e *env) resolveSource(a *sourceArgs) (setup.Resolved, error) {
	return setup.ResolveSource(a.config(), e.getenv)
}

var truthy = setup.Truthy
