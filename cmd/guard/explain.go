package main

import (
	"context"
	"fmt"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/report"
)

const explainUsage = `Usage: guard explain NAME[@VERSION] [DIR|LOCKFILE...] [flags]

Checks like 'guard check' (same flags), then shows, for every entry of the
package NAME (at VERSION, when given): where it is, its provenance, and
every rule's result for it, with the policy line or default that decided
each finding and what would change the outcome. Exit codes are those of
'guard check' for that package alone; 2 when no lockfile has the package.`

func runExplain(ctx context.Context, e *env, args []string) int {
	fs, a := checkFlags(&checkArgs{})
	if code, ok := parseFlags(e, fs, args, explainUsage); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(e.stderr, "guard explain: which package?\n\n%s\n", explainUsage)
		return guard.ExitInvalid
	}
	opts, code, ok := e.checkOptions(ctx, fs, a, fs.Args()[1:], "guard explain")
	if !ok {
		return code
	}
	r, err := guard.Check(ctx, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard explain: %v\n", err)
		return guard.ExitInvalid
	}
	return report.Explain(e.stdout, e.stderr, r, fs.Arg(0))
}
