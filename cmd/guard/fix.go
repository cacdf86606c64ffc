package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/fix"
	"github.com/installguard/guard/guard/pm"
	"github.com/installguard/guard/guard/report"
	"github.com/installguard/guard/lockfile"
)

const fixUsage = `Usage: guard fix [DIR] [flags]

Upgrades every package version with known vulnerabilities in the lockfiles of
DIR (default: the current folder) to the smallest version that clears every
advisory of that package, through the package manager itself, then checks
the result like 'guard check'. Malicious versions are reported for removal.
--dry-run prints the plan and changes nothing.

Exit codes: 0 fixed (or nothing to fix) and allowed; 1 still blocked after
the fix (with --dry-run: the plan lists something to fix); 2 invalid input;
3 the fix could not complete and every file was restored.`

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
	fs.IntVar(&a.level, "level", guard.DefaultLevel, "principle level 0-3 of the re-check")
	fs.StringVar(&a.mode, "mode", string(guard.DefaultMode), "what a finding does in the re-check: block or warn")
	addPolicyFlag(fs, &a.pol)
	addSourceFlags(fs, &a.source)
	return fs
}

// fixOutput is the JSON form of a fix run.
type fixOutput struct {
	DryRun    bool          `json:"dryRun"`
	Plan      *fix.Plan     `json:"plan,omitempty"`
	Applied   [][]fix.Item  `json:"applied,omitempty"`
	Skipped   []fix.Item    `json:"skipped,omitempty"`
	Remaining *fix.Plan     `json:"remaining,omitempty"`
	Report    *guard.Report `json:"report,omitempty"`
	Error     string        `json:"error,omitempty"`
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
	opts := guard.Options{Paths: []string{abs}, Level: a.level, Mode: guard.Action(a.mode),
		NoProvenanceReason: "guard fix does not gather provenance"}
	if err := opts.Validate(); err != nil {
		fmt.Fprintf(e.stderr, "guard fix: %v\n", err)
		return guard.ExitInvalid
	}
	pol, code, ok := e.loadPolicy(ctx, fs, &a.pol, a.level, a.mode, a.source.maxDBAge, abs, src.offline, false)
	if !ok {
		return code
	}
	opts.Policy = pol
	paths, err := lockfile.Find(abs, false)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard fix: %v\n", err)
		return guard.ExitInvalid
	}
	if len(paths) == 0 {
		fmt.Fprintf(e.stderr, "guard fix: %s: no supported lockfile found\n", dir)
		return guard.ExitInvalid
	}
	adv := src.source()
	opts.Advisories = adv
	inv := &pm.Invocation{Dir: abs}
	var versions func(string) fix.VersionLister
	if !src.offline {
		versions = func(d string) fix.VersionLister { return fix.NpmVersions{Inv: inv, Dir: d} }
	}

	if a.dryRun {
		var lfs []*lockfile.Lockfile
		for _, p := range paths {
			lf, err := lockfile.Parse(p)
			if err != nil {
				fmt.Fprintf(e.stderr, "guard fix: %v\n", err)
				return guard.ExitInvalid
			}
			lfs = append(lfs, lf)
		}
		po := fix.Options{Lockfiles: lfs, Advisories: adv}
		if versions != nil {
			po.Versions = versions(abs)
		}
		plan, err := fix.MakePlan(ctx, po)
		if err != nil {
			fmt.Fprintf(e.stderr, "guard fix: advisories: %v\n", err)
			return guard.ExitIncomplete
		}
		if a.format == "json" {
			fix.WriteJSON(e.stdout, fixOutput{DryRun: true, Plan: plan})
		} else {
			fix.WriteText(e.stdout, plan)
			fmt.Fprintln(e.stdout, "guard fix: dry run, nothing was changed")
		}
		if len(plan.Items) > 0 {
			return guard.ExitBlocked
		}
		return guard.ExitAllow
	}

	var r *guard.Report
	res, err := fix.Apply(ctx, fix.ApplyOptions{
		Lockfiles:  paths,
		Advisories: adv,
		Versions:   versions,
		Inv:        inv,
		Verify: func(ctx context.Context) error {
			var err error
			r, err = guard.Check(ctx, opts)
			if err != nil {
				return err
			}
			if code := r.ExitCode(); code == guard.ExitInvalid || code == guard.ExitIncomplete {
				msg := "the re-check could not complete"
				if len(r.Errors) > 0 {
					msg += ": " + r.Errors[0].Message
				}
				return errors.New(msg)
			}
			return nil
		},
	})
	if err != nil {
		var pe *lockfile.ParseError
		var re *fix.RestoredError
		if !errors.As(err, &re) && errors.As(err, &pe) {
			fmt.Fprintf(e.stderr, "guard fix: %v\n", err)
			return guard.ExitInvalid
		}
		if a.format == "json" {
			fix.WriteJSON(e.stdout, fixOutput{Error: err.Error()})
		}
		fmt.Fprintf(e.stderr, "guard fix: could not complete: %s\n", report.Escape(err.Error()))
		return guard.ExitIncomplete
	}
	if a.format == "json" {
		fix.WriteJSON(e.stdout, fixOutput{Applied: res.Rounds, Skipped: res.Skipped, Remaining: res.Remaining, Report: r})
		return r.ExitCode()
	}
	if !res.Changed() {
		fmt.Fprintln(e.stdout, "guard fix: nothing was changed")
	}
	for i, round := range res.Rounds {
		for _, it := range round {
			fmt.Fprintf(e.stdout, "applied (round %d): %s %s -> %s (%s)\n", i+1, report.Escape(it.Name), report.Escape(it.Version), report.Escape(it.To), report.Escape(string(it.Method)))
		}
	}
	for _, it := range res.Skipped {
		fmt.Fprintf(e.stdout, "not applied: %s %s -> %s: %s\n", report.Escape(it.Name), report.Escape(it.Version), report.Escape(it.To), report.Escape(it.Note))
	}
	if len(res.Remaining.Items) > 0 {
		fmt.Fprintln(e.stdout, "still to do:")
		fix.WriteText(e.stdout, res.Remaining)
	}
	if res.Changed() {
		fmt.Fprintln(e.stdout, "guard fix: manifests and lockfiles were updated; nothing was installed: install the fixed set through guard (guard npm ci, guard pip install -r ..., guard cargo build)")
	}
	report.Text(e.stdout, r, report.TextOptions{Color: useColor(e, e.stdout), Quiet: true})
	return r.ExitCode()
}
