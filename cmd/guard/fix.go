package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/fix"
)

const fixUsage = `Usage: guard fix [DIR] [flags]

Checks the lockfiles of DIR (default: the current folder) like 'guard check'
with the same policy, and fixes what it blocks or warns on from advisories:
for npm, the smallest upgrade of the direct dependency whose resolved tree
clears them (npm overrides only where none does); otherwise the smallest
version that clears the package's flagged advisories. Changes go through
the package manager itself (lockfile only, no install), then the project is
checked again. Malicious versions are reported for removal. --dry-run prints
the plan and changes nothing.

Exit codes: as 'guard check' of the result: 0 allowed (nothing left that
blocks); 1 still blocked (with --dry-run: the project as it is); 2 invalid
input; 3 the check or the fix could not complete (every file was restored).`

type fixArgs struct {
	format string
	level  int
	mode   string
	dryRun bool
	source sourceArgs
	pol    policyArgs
}

func fixFlags(a *fixArgs) *pflag.FlagSet {
	fs := pflag.NewFlagSet("fix", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.BoolVar(&a.dryRun, "dry-run", false, "print the plan and change nothing")
	fs.StringVar(&a.format, "format", "text", "output format: text or json")
	fs.IntVar(&a.level, "level", guard.DefaultLevel, "principle level 0-3 of the check")
	fs.StringVar(&a.mode, "mode", string(guard.DefaultMode), "what a finding does in the check: block or warn")
	addPolicyFlag(fs, &a.pol)
	addSourceFlags(fs, &a.source)
	return fs
}

func runFix(ctx context.Context, e *env, args []string) int {
	a := &fixArgs{}
	fs := fixFlags(a)
	if code, ok := parseFlags(e, fs, args, fixUsage); !ok {
		return code
	}
	if a.format != "text" && a.format != "json" {
		fmt.Fprintf(e.stderr, "guard fix: --format %q is not supported: use text or json\n", a.format)
		return guard.ExitInvalid
	}
	if fs.NArg() > 1 {
		fmt.Fprintln(e.stderr, "guard fix: give one project folder")
		return guard.ExitInvalid
	}
	dir := "."
	if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard fix: %v\n", err)
		return guard.ExitInvalid
	}
	if st, err := os.Stat(abs); err != nil || !st.IsDir() {
		fmt.Fprintf(e.stderr, "guard fix: %s is not a folder\n", dir)
		return guard.ExitInvalid
	}
	src, err := e.resolveSource(&a.source)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard fix: %v\n", err)
		return guard.ExitInvalid
	}
	opts := guard.Options{Level: a.level, Mode: guard.Action(a.mode),
		NoProvenanceReason: "guard fix does not gather provenance"}
	if err := opts.Validate(); err != nil {
		fmt.Fprintf(e.stderr, "guard fix: %v\n", err)
		return guard.ExitInvalid
	}
	pol, code, ok := e.loadPolicy(ctx, fs, &a.pol, a.level, a.mode, a.source.maxDBAge, abs, src.Offline, false)
	if !ok {
		return code
	}
	opts.Policy = pol
	opts.Advisories = src.Advisories()
	return fix.RunCommand(ctx, fix.Command{Dir: abs, DryRun: a.dryRun, Offline: src.Offline, Format: a.format,
		Check: opts, Color: useColor(e, e.stdout), Stdout: e.stdout, Stderr: e.stderr})
}
