package fix

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/pm"
	"github.com/installguard/guard/guard/report"
)

// Command is what guard fix was given, its check options built.
type Command struct {
	// Dir is the project's absolute folder.
	Dir    string
	DryRun bool
	// Offline: versions and parent resolutions are not asked of the
	// registry.
	Offline bool
	// Format is text or json.
	Format string
	Check  guard.Options
	// Color colours the text report.
	Color          bool
	Stdout, Stderr io.Writer
}

// RunCommand runs guard fix: the plan, the changes (unless DryRun), the
// check of the result, and their output. It returns the exit code.
func RunCommand(ctx context.Context, c Command) int {
	inv := &pm.Invocation{Dir: c.Dir}
	ro := RunOptions{Dir: c.Dir, DryRun: c.DryRun, Inv: inv, Setup: Setup{Check: c.Check}}
	if !c.Offline {
		// Versions and parent resolutions come from the registry of the
		// user's npm configuration.
		ro.Versions = func(d string) VersionLister { return NpmVersions{Inv: inv, Dir: d} }
		ro.Resolve = NpmResolver(inv)
		ro.Progress = func(msg string) { fmt.Fprintf(c.Stderr, "guard fix: %s\n", report.Escape(msg)) }
	}
	out, err := Run(ctx, ro)
	if err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			fmt.Fprintf(c.Stderr, "guard fix: %v\n", err)
			return guard.ExitInvalid
		}
		if c.Format == "json" {
			WriteJSON(c.Stdout, Outcome{DryRun: c.DryRun, Error: err.Error()})
		}
		fmt.Fprintf(c.Stderr, "guard fix: could not complete: %s\n", report.Escape(err.Error()))
		return guard.ExitIncomplete
	}
	if code := out.ExitCode(); out.DryRun && out.Plan == nil && (code == guard.ExitInvalid || code == guard.ExitIncomplete) {
		fmt.Fprintln(c.Stderr, "guard fix: the check could not complete, so nothing was planned (see the report's errors)")
	}
	if c.Format == "json" {
		WriteJSON(c.Stdout, out)
		return out.ExitCode()
	}
	WriteOutcome(c.Stdout, out)
	// The check's report after the plan or the changes: blocking findings,
	// errors and the verdict, as 'guard check --quiet' prints them.
	rw, _ := report.New("text", report.Options{Color: c.Color, Quiet: true})
	rw.Write(c.Stdout, out.Report)
	return out.ExitCode()
}
