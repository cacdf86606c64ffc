package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/pm"
	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/guard/setup"
	"github.com/installguard/guard/guard/wrap"
)

const wrapUsage = `Usage: guard [flags] <package manager> <args...>

Package managers: %s

Runs the package manager with the arguments exactly as given, after checking
what it would install. Everything after the package manager's name goes to it
untouched; guard's own flags come before it.

Subcommands that install (npm install/i/add/ci/update/dedupe/uninstall/...)
are resolved first in a private temporary copy of the project (manifest,
lockfile, .npmrc) with install scripts off, and every package the command
leaves installed is checked, whatever the project held before ("new",
"changed" and "already locked" only label them). Commands that download and
run packages (npm exec, npx, pnpm dlx, pnpx, yarn dlx, npm init <name>,
global installs, uvx, uv tool, pip download, cargo install) are resolved in
a private empty project and checked the same way. Only an allowed command
runs. A blocked one exits 1 and leaves every file of the project and of the
global folders as it was. Other subcommands run straight through, unchecked.

--dry-run never runs the package manager: it checks what it would, prints the
report and the command it would have run, and exits with the verdict.

The report goes to standard error; standard output is the package manager's.
Exit codes: the package manager's own when it ran; else 1 blocked, 2 invalid
input, 3 a check could not complete (or the package set could not be worked
out), 127 the package manager is not on PATH.`

type wrapArgs struct {
	format  string
	output  string
	level   int
	mode    string
	source  sourceArgs
	prov    provenanceArgs
	pol     policyArgs
	quiet   bool
	verbose bool
	all     bool
	dryRun  bool
	// shimDir is set when a shim (guard shims install) runs guard: the
	// folder of the shim, skipped when looking for the real tool.
	shimDir string
}

func wrapFlags(a *wrapArgs) *pflag.FlagSet {
	fs := pflag.NewFlagSet("wrap", pflag.ContinueOnError)
	fs.SortFlags = false
	// Everything from the package manager's name on is the manager's.
	fs.SetInterspersed(false)
	fs.StringVar(&a.format, "format", "text", "report format: text or json (on standard error, or in --output)")
	fs.StringVarP(&a.output, "output", "o", "", "write the report to `FILE`; standard error gets a one-line verdict")
	fs.IntVar(&a.level, "level", guard.DefaultLevel, "principle level 0-3: which items are on")
	fs.StringVar(&a.mode, "mode", string(guard.DefaultMode), "what a finding does: block or warn")
	addPolicyFlag(fs, &a.pol)
	addSourceFlags(fs, &a.source)
	addProvenanceFlags(fs, &a.prov)
	fs.BoolVar(&a.all, "all", false, "no effect: every package of the install is always checked")
	fs.BoolVar(&a.dryRun, "dry-run", false, "resolve and check, print what would run, and never run the package manager")
	fs.StringVar(&a.shimDir, "shim-dir", "", "set by guard's shims: the shim folder, skipped when looking for the real tool")
	fs.MarkHidden("shim-dir")
	fs.BoolVarP(&a.quiet, "quiet", "q", false, "print only blocking findings, errors and the verdict")
	fs.BoolVarP(&a.verbose, "verbose", "v", false, "print the full report even when the install is allowed")
	return fs
}

// dispatchWrap runs the wrapper commands: `guard [flags] <manager> ...`,
// `guard shell-init` and their help. ok is false when args are none of them.
func dispatchWrap(ctx context.Context, e *env, args []string) (code int, ok bool) {
	if len(args) == 0 {
		return 0, false
	}
	first := args[0]
	switch {
	case first == "shell-init":
		return runShellInit(e, args[1:]), true
	case first == "shims":
		return runShims(e, args[1:]), true
	case first == "help" && len(args) > 1 && (isWrapped(args[1]) || args[1] == "shell-init" || args[1] == "shims" || args[1] == "wrap"):
		switch args[1] {
		case "shell-init":
			fmt.Fprintln(e.stdout, shellInitUsage)
		case "shims":
			fmt.Fprintln(e.stdout, shimsUsage)
		default:
			fmt.Fprintf(e.stdout, wrapUsage+"\n\nFlags:\n%s", strings.Join(pm.Names(), ", "), wrapFlags(&wrapArgs{}).FlagUsages())
		}
		return guard.ExitAllow, true
	case isWrapped(first):
		return runWrap(ctx, e, args), true
	case strings.HasPrefix(first, "-") && first != "-h" && first != "--help" && first != "--version":
		for _, a := range args {
			if isWrapped(a) {
				return runWrap(ctx, e, args), true
			}
		}
	}
	return 0, false
}

func isWrapped(name string) bool {
	_, ok := pm.Lookup(name)
	return ok
}

func runWrap(ctx context.Context, e *env, args []string) int {
	a := &wrapArgs{}
	fs := wrapFlags(a)
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		fmt.Fprintf(e.stderr, "guard: %v\nRun 'guard help wrap' for usage.\n", err)
		return guard.ExitInvalid
	}
	rest := fs.Args()
	if len(rest) == 0 || !isWrapped(rest[0]) {
		fmt.Fprintf(e.stderr, "guard: name a package manager after guard's flags (%s)\n", strings.Join(pm.Names(), ", "))
		return guard.ExitInvalid
	}
	dir, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(e.stderr, "guard: %v\n", err)
		return guard.ExitInvalid
	}
	var src setup.Resolved
	c := &wrap.Config{
		Stdin: os.Stdin, Stdout: e.stdout, Stderr: e.stderr, Getenv: e.getenv,
		Terminal: e.isTerminal(e.stderr), Color: useColor(e, e.stderr),
		Format: a.format, Output: a.output, Quiet: a.quiet, Verbose: a.verbose,
		All: a.all, DryRun: a.dryRun, ShimDir: a.shimDir, Bypass: truthy(e.getenv("GUARD_BYPASS")),
		Setup: func() (guard.Options, error) {
			if a.format != "text" && a.format != "json" {
				return guard.Options{}, fmt.Errorf("--format %q is not supported: use text or json", a.format)
			}
			if a.quiet && a.verbose {
				return guard.Options{}, errors.New("--quiet and --verbose cannot be used together")
			}
			var err error
			if src, err = e.resolveSource(&a.source); err != nil {
				return guard.Options{}, err
			}
			opts := guard.Options{Level: a.level, Mode: guard.Action(a.mode)}
			return opts, opts.Validate()
		},
		Policy: func(ctx context.Context) (*policy.Policy, int, bool) {
			return e.loadPolicy(ctx, fs, &a.pol, a.level, a.mode, a.source.maxDBAge, ".", src.Offline, a.quiet)
		},
		Sources: func(ctx context.Context, o *guard.Options) error {
			o.Advisories = src.Advisories()
			ev, err := setup.OpenEvidence(ctx, a.prov.config(), src.Offline, ".", e.getenv)
			if err != nil {
				return err
			}
			setup.ApplyEvidence(ev, o)
			return nil
		},
	}
	return wrap.Run(ctx, c, rest[0], rest[1:], dir)
}
