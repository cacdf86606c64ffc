package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/dbstatus"
	"github.com/installguard/guard/guard/setup"
	"github.com/installguard/guard/verify/advisory"
)

const dbUsage = `Usage:
  guard db update [--db DIR] [--ecosystem npm,PyPI,crates.io] [--url BASE] [--force] [--quiet]
  guard db status [--db DIR] [--format text|json]

Manages the offline OSV database: one <ecosystem>/all.zip per ecosystem, in
the layout of OSV's own export, with an index built once per update. An
update replaces each ecosystem atomically; a failed one leaves the old DB as
it was. The default DB folder is <user cache>/guard/osv-db (GUARD_DB).

The export is downloaded over https only. An update that would leave an
ecosystem with fewer than half the records it has now is refused (a
truncated or substituted export would make every later check allow
everything); --force accepts it.`

// defaultEcosystems are the ecosystems guard checks.
var defaultEcosystems = []string{"npm", "PyPI", "crates.io"}

func runDB(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stdout, dbUsage)
		if len(args) == 0 {
			return guard.ExitInvalid
		}
		return guard.ExitAllow
	}
	switch args[0] {
	case "update":
		return runDBUpdate(ctx, e, args[1:])
	case "status":
		return runDBStatus(e, args[1:])
	default:
		fmt.Fprintf(e.stderr, "guard db: unknown subcommand %q\n\n%s\n", args[0], dbUsage)
		return guard.ExitInvalid
	}
}

func dbDirFlag(fs *pflag.FlagSet) *string {
	return fs.String("db", "", "the offline DB `DIR` (default: GUARD_DB, else <user cache>/guard/osv-db)")
}

func runDBUpdate(ctx context.Context, e *env, args []string) int {
	fs := pflag.NewFlagSet("db update", pflag.ContinueOnError)
	dir := dbDirFlag(fs)
	ecos := fs.StringSlice("ecosystem", defaultEcosystems, "ecosystems to download (repeat or comma-separate)")
	base := fs.String("url", "", "base `URL` of the export (default: GUARD_OSV_DB_URL, else OSV's)")
	offline := fs.Bool("offline", false, "refuse: an update needs the network")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up an attempt at an ecosystem's download after this long")
	force := fs.Bool("force", false, "accept an export with fewer than half the records the DB has now")
	quiet := fs.BoolP("quiet", "q", false, "no progress line and no notice on standard error")
	if code, ok := parseFlags(e, fs, args, dbUsage); !ok {
		return code
	}
	if *offline || truthy(e.getenv("GUARD_OFFLINE")) {
		fmt.Fprintln(e.stderr, "guard db update: offline mode forbids network calls, and an update downloads the DB")
		return guard.ExitInvalid
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "guard db update: unexpected argument %q\n", fs.Arg(0))
		return guard.ExitInvalid
	}
	d, code, ok := setup.UpdateDB(ctx, setup.DBUpdate{Dir: *dir, Ecosystems: *ecos, URL: *base, Timeout: *timeout,
		Force: *force, Quiet: *quiet, Transport: e.transport, Progress: e.progressConfig(*quiet).Transport,
		Stderr: e.stderr, Getenv: e.getenv})
	if !ok {
		return code
	}
	return dbstatus.Print(e.stdout, e.stderr, d, "text")
}

func runDBStatus(e *env, args []string) int {
	fs := pflag.NewFlagSet("db status", pflag.ContinueOnError)
	dir := dbDirFlag(fs)
	format := fs.String("format", "text", "text or json")
	if code, ok := parseFlags(e, fs, args, dbUsage); !ok {
		return code
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(e.stderr, "guard db status: --format %q is not supported: use text or json\n", *format)
		return guard.ExitInvalid
	}
	d, err := advisory.DBDir(*dir, e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard db status: %v\n", err)
		return guard.ExitInvalid
	}
	return dbstatus.Print(e.stdout, e.stderr, d, *format)
}
