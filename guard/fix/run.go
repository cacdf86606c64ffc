package fix

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/pm"
	"github.com/installguard/guard/lockfile"
)

// RunOptions configure one `guard fix`.
type RunOptions struct {
	Setup
	// Dir is the project folder (its lockfiles, not subfolders').
	Dir string
	// DryRun plans and changes nothing.
	DryRun bool
	// Inv carries the environment the package managers run with.
	Inv *pm.Invocation
}

// Outcome is what one `guard fix` did (its JSON form).
type Outcome struct {
	DryRun bool `json:"dryRun"`
	// Plan is the dry run's plan, made from Report's decided findings.
	Plan *Plan `json:"plan,omitempty"`
	// Applied lists the items applied in each round, with the versions
	// the package manager locked.
	Applied   [][]Item `json:"applied,omitempty"`
	Skipped   []Item   `json:"skipped,omitempty"`
	Remaining *Plan    `json:"remaining,omitempty"`
	// Report is guard.Check's result: of the project as it is (dry run) or
	// as the fix left it.
	Report *guard.Report `json:"report,omitempty"`
	Error  string        `json:"error,omitempty"`
}

// Changed reports whether anything was applied.
func (o *Outcome) Changed() bool {
	for _, round := range o.Applied {
		if len(round) > 0 {
			return true
		}
	}
	return false
}

// ExitCode is the check's exit code: a dry run exits as `guard check` of
// the same project and policy does, a fix as the re-check of its result.
func (o *Outcome) ExitCode() int {
	if o.Report == nil {
		return guard.ExitIncomplete
	}
	return o.Report.ExitCode()
}

// InputError: the project cannot be fixed as given (no folder, no
// lockfile, a lockfile that cannot be read). Nothing was changed.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// Run is `guard fix`: guard.Check of the project, a plan from its decided
// findings, and (unless DryRun) the plan applied in rounds through the
// package managers, then the project checked again. An *InputError means
// nothing was changed because the input is invalid; any other error means
// the fix could not complete (a *RestoredError once files were touched:
// they were put back).
func Run(ctx context.Context, o RunOptions) (*Outcome, error) {
	if st, err := os.Stat(o.Dir); err != nil || !st.IsDir() {
		return nil, &InputError{fmt.Errorf("%s is not a folder", o.Dir)}
	}
	paths, err := lockfile.Find(o.Dir, false)
	if err != nil {
		return nil, &InputError{err}
	}
	if len(paths) == 0 {
		return nil, &InputError{fmt.Errorf("%s: no supported lockfile found", o.Dir)}
	}
	if o.Inv == nil {
		o.Inv = &pm.Invocation{Dir: o.Dir}
	}
	co := o.Check
	co.Paths, co.Lockfiles, co.Recursive, co.WhatIf = []string{o.Dir}, nil, false, false
	if o.DryRun {
		lfs, err := parseAll(paths)
		if err != nil {
			return nil, &InputError{err}
		}
		// The same check `guard check DIR` runs, with the same policy.
		r, err := guard.Check(ctx, co)
		if err != nil {
			return nil, err
		}
		out := &Outcome{DryRun: true, Report: r}
		if code := r.ExitCode(); code == guard.ExitInvalid || code == guard.ExitIncomplete {
			return out, nil // nothing to plan from; the report says why
		}
		if out.Plan, err = o.Plan(ctx, lfs, r); err != nil {
			return nil, err
		}
		return out, nil
	}
	var r *guard.Report
	res, err := Apply(ctx, ApplyOptions{Setup: o.Setup, Lockfiles: paths, Inv: o.Inv,
		Verify: func(ctx context.Context) error {
			var err error
			if r, err = guard.Check(ctx, co); err != nil {
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
		}})
	if err != nil {
		var pe *lockfile.ParseError
		var re *RestoredError
		if !errors.As(err, &re) && errors.As(err, &pe) {
			return nil, &InputError{err}
		}
		return nil, err
	}
	return &Outcome{Applied: res.Rounds, Skipped: res.Skipped, Remaining: res.Remaining, Report: r}, nil
}
