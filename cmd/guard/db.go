package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/dbstatus"
	"github.com/installguard/guard/verify/advisory"
	"github.com/installguard/guard/verify/httpretry"
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
	d, err := advisory.DBDir(*dir, e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard db update: %v\n", err)
		return guard.ExitInvalid
	}
	url := *base
	if url == "" {
		url = e.getenv("GUARD_OSV_DB_URL")
	}
	if url != "" && !strings.HasPrefix(strings.ToLower(url), "https://") {
		fmt.Fprintf(e.stderr, "guard db update: --url %q: the offline DB is only downloaded over https\n", url)
		return guard.ExitInvalid
	}
	if !*quiet {
		fmt.Fprintf(e.stderr, "guard: updating the offline OSV DB in %s (%s)\n", d, strings.Join(*ecos, ", "))
	}
	idle, err := httpretry.IdleFromEnv(e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard db update: %v\n", err)
		return guard.ExitInvalid
	}
	client := &http.Client{Timeout: *timeout, Transport: e.transport}
	client.Transport = e.progressConfig(*quiet).Transport(client.Transport)
	opts := []advisory.Option{advisory.WithIdleTimeout(idle)}
	if *force {
		opts = append(opts, advisory.WithAllowShrink())
	}
	if err := advisory.UpdateDB(ctx, d, url, *ecos, client, opts...); err != nil {
		fmt.Fprintf(e.stderr, "guard db update: %v\n", err)
		return guard.ExitIncomplete
	}
	return printDBStatus(e, d, "text")
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
	return printDBStatus(e, d, *format)
}

// printDBStatus prints each ecosystem of the DB (guard/dbstatus); a DB or
// ecosystem that cannot be read is exit 3.
func printDBStatus(e *env, dir, format string) int {
	db, err := advisory.OpenDB(dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard db status: %v\n", err)
		return guard.ExitIncomplete
	}
	defer db.Close()
	statuses, err := db.Status()
	code := guard.ExitAllow
	if err != nil {
		code = guard.ExitIncomplete
	}
	if format == "json" {
		if err := dbstatus.JSON(e.stdout, dir, statuses); err != nil {
			return guard.ExitIncomplete
		}
		return code
	}
	dbstatus.Text(e.stdout, dir, statuses)
	return code
}
