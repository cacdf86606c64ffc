package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/report"
	"github.com/installguard/guard/guard/sbom"
	"github.com/installguard/guard/guard/setup"
)

const checkUsage = `Usage: guard check [DIR|LOCKFILE...] [flags]

Checks every supported lockfile in the given folders (default: the current
folder) or the given lockfiles, reports findings and decides allow, warn or
block. Nothing is installed.`

type checkArgs struct {
	format    string
	output    string
	recursive bool
	level     int
	mode      string
	quiet     bool
	verbose   bool
	source    sourceArgs
	prov      provenanceArgs
	pol       policyArgs
	base      string
	baseLock  string
	// sbom, sbomFormat: --sbom FILE, --sbom-format (sbom.go).
	sbom, sbomFormat string
}

func checkFlags(a *checkArgs) (*pflag.FlagSet, *checkArgs) {
	fs := pflag.NewFlagSet("check", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.StringVar(&a.format, "format", "text", "report format: text, json, sarif or markdown")
	fs.StringVarP(&a.output, "output", "o", "", "write the report to `FILE` instead of standard output")
	fs.BoolVarP(&a.recursive, "recursive", "r", false, "search folders recursively (skips node_modules, .git, target, virtual envs)")
	fs.IntVar(&a.level, "level", guard.DefaultLevel, "principle level 0-3: which items are on (may only raise the policy's)")
	fs.StringVar(&a.mode, "mode", string(guard.DefaultMode), "what a finding does: block or warn (may only tighten the policy's)")
	addPolicyFlag(fs, &a.pol)
	addSourceFlags(fs, &a.source)
	addProvenanceFlags(fs, &a.prov)
	fs.StringVar(&a.base, "base", "", "check only packages new or changed against git `REF` (e.g. origin/main)")
	fs.StringVar(&a.baseLock, "base-lockfile", "", "check only packages new or changed against this base lockfile `FILE`")
	checkSBOMFlags(fs, &a.sbom, &a.sbomFormat)
	fs.BoolVarP(&a.quiet, "quiet", "q", false, "print only blocking findings, errors and the verdict")
	fs.BoolVarP(&a.verbose, "verbose", "v", false, "also list every package and what decided each finding")
	return fs, a
}

func runCheck(ctx context.Context, e *env, args []string) int {
	fs, a := checkFlags(&checkArgs{})
	if code, ok := parseFlags(e, fs, args, checkUsage); !ok {
		return code
	}
	if !slices.Contains(report.Formats(), a.format) {
		fmt.Fprintf(e.stderr, "guard check: --format %q is not supported: use text, json, sarif or markdown\n", a.format)
		return guard.ExitInvalid
	}
	if a.quiet && a.verbose {
		fmt.Fprintln(e.stderr, "guard check: --quiet and --verbose cannot be used together")
		return guard.ExitInvalid
	}
	// the level is checked against the effective policy below
	if err := sbom.CheckRequest(a.sbom, a.sbomFormat, 3); err != nil {
		fmt.Fprintf(e.stderr, "guard check: %v\n", err)
		return guard.ExitInvalid
	}
	a.prov.progress = e.progressConfig(a.quiet).Counter("provenance", "packages")
	// What goes wrong before the check (a policy that cannot be loaded, a
	// bad source or baseline) is printed on stderr and, with --output, is
	// also the report: the file never keeps an older verdict.
	var setup bytes.Buffer
	ec := *e
	ec.stderr = io.MultiWriter(e.stderr, &setup)
	opts, code, ok := ec.checkOptions(ctx, fs, a, fs.Args(), "guard check")
	if !ok {
		if a.output != "" {
			if err := writeReport(e, guard.SetupFailure(code, setup.String()), a); err != nil {
				fmt.Fprintf(e.stderr, "guard check: %v\n", err)
			}
		}
		return code
	}
	r, err := guard.Check(ctx, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard check: %v\n", err)
		return guard.ExitInvalid
	}
	if a.sbom != "" && r.Level < 3 {
		fmt.Fprintf(e.stderr, "guard check: --sbom is a level 3 item (C3.1): the level is %d; use --level 3 or a policy at level 3\n", r.Level)
		return guard.ExitInvalid
	}
	if err := writeReport(e, r, a); err != nil {
		fmt.Fprintf(e.stderr, "guard check: %v\n", err)
		return guard.ExitInvalid
	}
	if err := sbom.WriteRequested(e.stderr, r, a.sbom, a.sbomFormat, a.quiet, sbom.Options{ToolVersion: version}); err != nil {
		fmt.Fprintf(e.stderr, "guard check: %v\n", err)
		return guard.ExitInvalid
	}
	return r.ExitCode()
}

// checkOptions turns check's flags into the options of guard.Check
// (guard/setup.CheckOptions). ok is false, with the exit code, when the
// flags or the policy are wrong.
func (e *env) checkOptions(ctx context.Context, fs *pflag.FlagSet, a *checkArgs, paths []string, who string) (guard.Options, int, bool) {
	return setup.CheckOptions(ctx, setup.Check{Paths: paths, Recursive: a.recursive, Level: a.level, Mode: a.mode,
		Source: a.source.config(), Evidence: a.prov.config(),
		Policy: e.policyConfig(fs, &a.pol, a.level, a.mode, a.source.maxDBAge, "", false, a.quiet),
		Base:   a.base, BaseLockfile: a.baseLock, Who: who, Stderr: e.stderr, Getenv: e.getenv})
}

// writeReport writes the report where the flags say (guard/report.Emit).
func writeReport(e *env, r *guard.Report, a *checkArgs) error {
	return report.Emit(e.stdout, e.stderr, r, a.format, a.output,
		report.Options{Color: a.output == "" && useColor(e, e.stdout), Quiet: a.quiet, Verbose: a.verbose, Version: version})
}

// useColor: colour only on a terminal, and never when NO_COLOR is set
// (https://no-color.org) or TERM is dumb.
func useColor(e *env, w io.Writer) bool {
	if e.getenv("NO_COLOR") != "" || e.getenv("TERM") == "dumb" {
		return false
	}
	return e.isTerminal(w)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
