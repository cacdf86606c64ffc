package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/pm"
	"github.com/installguard/guard/guard/report"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/atomicfile"
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

// wrapStdio are the streams the real package manager gets: guard's own (a
// terminal stays a terminal for the child).
func wrapStdio(e *env) pm.Stdio {
	return pm.Stdio{Stdin: os.Stdin, Stdout: e.stdout, Stderr: e.stderr}
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
	name := rest[0]
	m, _ := pm.Lookup(name)
	dir, err := os.Getwd()
	if err != nil {
		fmt.Fprintf(e.stderr, "guard: %v\n", err)
		return guard.ExitInvalid
	}
	inv := &pm.Invocation{Manager: name, Args: rest[1:], Dir: dir}
	if a.shimDir != "" {
		code, done := shimSetup(e, inv, a.shimDir)
		if done {
			return code
		}
	}
	if a.shimDir == "" && truthy(e.getenv("GUARD_BYPASS")) && !a.quiet {
		fmt.Fprintln(e.stderr, "guard: GUARD_BYPASS is set but applies to guard's shims only: guard was run by name, so it checks")
	}
	if a.all && !a.quiet {
		fmt.Fprintln(e.stderr, "guard: --all has no effect: every package of the install is always checked")
	}
	if a.format != "text" && a.format != "json" {
		fmt.Fprintf(e.stderr, "guard: --format %q is not supported: use text or json\n", a.format)
		return guard.ExitInvalid
	}
	if a.quiet && a.verbose {
		fmt.Fprintln(e.stderr, "guard: --quiet and --verbose cannot be used together")
		return guard.ExitInvalid
	}
	src, err := e.resolveSource(&a.source)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard: %v\n", err)
		return guard.ExitInvalid
	}
	opts := guard.Options{Level: a.level, Mode: guard.Action(a.mode)}
	if err := opts.Validate(); err != nil {
		fmt.Fprintf(e.stderr, "guard: %v\n", err)
		return guard.ExitInvalid
	}

	cmd := m.Classify(inv)
	if !cmd.Install {
		if a.dryRun {
			// --dry-run never runs the package manager.
			fmt.Fprintf(e.stderr, "guard: --dry-run: %s installs nothing and is not checked; it was not run: %s\n", commandLabel(name, cmd), wouldRun(inv))
			return guard.ExitAllow
		}
		// Nothing to check: guard steps aside (exec on Unix).
		code, err := pm.Exec(inv, name, inv.Args)
		if err != nil {
			fmt.Fprintf(e.stderr, "guard: %v\n", err)
		}
		return code
	}

	pol, code, ok := e.loadPolicy(ctx, fs, &a.pol, a.level, a.mode, a.source.maxDBAge, ".", src.offline, a.quiet)
	if !ok {
		return code
	}
	opts.Policy = pol

	// SIGTERM or SIGHUP while resolving: stop, remove the temporary copy and
	// exit like a process that got the signal.
	// (SIGINT cancels ctx: main's signal.NotifyContext.)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sigc := make(chan os.Signal, 1)
	signal.Notify(sigc, syscall.SIGTERM, syscall.SIGHUP)
	gotSig := make(chan os.Signal, 1)
	go func() {
		select {
		case s := <-sigc:
			gotSig <- s
			cancel()
		case <-rctx.Done():
		}
	}()
	label := commandLabel(name, cmd)
	prog := newProgress(e)
	prog.say("guard: resolving what %s would install…", label)
	res, err := m.Resolve(rctx, inv, cmd)
	prog.clear()
	signal.Stop(sigc)
	if err != nil {
		code := resolveFailure(e, label, err, rctx)
		select {
		case s := <-gotSig:
			if n, ok := s.(syscall.Signal); ok {
				code = 128 + int(n)
			}
		default:
		}
		return code
	}
	if res == nil || res.After == nil {
		// Nothing is downloaded (npm exec of an installed bin, npm ci
		// without a lockfile: the manager reports that itself).
		if res != nil && res.Note != "" && !a.quiet {
			fmt.Fprintf(e.stderr, "guard: %s: %s\n", label, termSafe(res.Note))
		}
		if a.dryRun {
			fmt.Fprintf(e.stderr, "guard: --dry-run: nothing to check; it was not run: %s\n", wouldRun(inv))
			return guard.ExitAllow
		}
		return runReal(e, m, inv, cmd, nil)
	}

	// Every package the command leaves installed is checked; what the
	// project had before only labels them.
	had := res.Had
	if had == "" {
		had = pm.LabelLocked
	}
	labels := pm.LabelAs(res.After, res.Before, had)
	opts.Lockfiles = []*lockfile.Lockfile{res.After}
	if len(labels.ByKey) > 0 {
		opts.Advisories = src.source()
		ev, err := e.provenanceSource(ctx, &a.prov, src.offline, ".")
		if err != nil {
			fmt.Fprintf(e.stderr, "guard: %v\n", err)
			return guard.ExitInvalid
		}
		ev.apply(&opts)
	} else {
		// Nothing to ask about: no source, no network.
		opts.Advisories = failingSource{errors.New("no advisory source needed")}
	}
	prog.say("guard: checking %d packages…", len(labels.ByKey))
	r, err := guard.Check(ctx, opts)
	prog.clear()
	if err != nil {
		fmt.Fprintf(e.stderr, "guard: %v\n", err)
		return guard.ExitInvalid
	}
	summary := fmt.Sprintf("guard: %s: %s", label, labelSummary(labels))
	if a.verbose && res.Note != "" {
		summary += "\nguard: " + termSafe(res.Note)
	}
	if err := writeWrapReport(e, r, a, summary); err != nil {
		fmt.Fprintf(e.stderr, "guard: %v\n", err)
		return guard.ExitInvalid
	}
	if a.format == "text" && a.output == "" && !a.quiet {
		printFlagged(e, r, res.After, labels)
	}
	if code := r.ExitCode(); code != guard.ExitAllow {
		if !a.quiet {
			fmt.Fprintf(e.stderr, "guard: %s was not run; nothing was changed\n", label)
		}
		return code
	}
	if a.dryRun {
		fmt.Fprintf(e.stderr, "guard: --dry-run: allowed; it was not run: %s\n", wouldRun(inv))
		return guard.ExitAllow
	}
	return runReal(e, m, inv, cmd, res)
}

// commandLabel names the command in messages: "npm install", "pnpm add -g"
// (made safe for a terminal: the words may come from a package.json script).
func commandLabel(name string, cmd pm.Command) string {
	if cmd.Name == "" {
		return name
	}
	return termSafe(name + " " + cmd.Name)
}

// wouldRun is the command line guard would have run, shell-quoted.
func wouldRun(inv *pm.Invocation) string {
	parts := []string{shellQuote(inv.Manager)}
	for _, a := range inv.Args {
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell when it needs it (and escapes
// control characters: the line goes to a terminal).
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./-_^") == "" {
		return s
	}
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\'':
			b.WriteString(`'\''`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, "'$'\\x%02x''", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// termSafe replaces control and bidirectional-formatting characters of
// untrusted text with U+FFFD before it reaches a terminal.
func termSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// labelSummary: "78 packages checked (2 new, 1 changed, 75 already locked)".
func labelSummary(l pm.Labeled) string {
	n := len(l.ByKey)
	noun := "packages"
	if n == 1 {
		noun = "package"
	}
	var parts []string
	for _, k := range []string{pm.LabelNew, pm.LabelChanged, pm.LabelLocked, pm.LabelInstalled} {
		if c := l.Counts[k]; c > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c, k))
		}
	}
	s := fmt.Sprintf("%d %s checked", n, noun)
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	return s
}

// printFlagged says, for each package with a finding, whether the command
// brings it in new, changes it, or it was already locked.
func printFlagged(e *env, r *guard.Report, after *lockfile.Lockfile, l pm.Labeled) {
	byNV := map[string]string{}
	for i := range after.Packages {
		p := &after.Packages[i]
		k := string(p.Ecosystem) + "\x00" + p.Name + "\x00" + p.Version
		if _, ok := byNV[k]; !ok {
			byNV[k] = l.ByKey[pm.Key(p)]
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, f := range r.Findings {
		k := string(f.Ecosystem) + "\x00" + f.Name + "\x00" + f.Version
		if seen[k] || byNV[k] == "" || f.Name == "" {
			continue
		}
		seen[k] = true
		out = append(out, termSafe(f.Name)+"@"+termSafe(f.Version)+" ("+byNV[k]+")")
	}
	if len(out) > 0 {
		fmt.Fprintf(e.stderr, "guard: packages with findings: %s\n", strings.Join(out, ", "))
	}
}

// resolveFailure maps a failed resolution to an exit code.
func resolveFailure(e *env, label string, err error, ctx context.Context) int {
	var nf *pm.NotFoundError
	var pe *lockfile.ParseError
	switch {
	case errors.As(err, &nf):
		fmt.Fprintf(e.stderr, "guard: %v\n", err)
		return pm.ExitNotFound
	case ctx.Err() != nil:
		fmt.Fprintf(e.stderr, "guard: %s: interrupted; nothing was changed\n", label)
		return 130
	case errors.As(err, &pe):
		fmt.Fprintf(e.stderr, "guard: %v\n", err)
		return guard.ExitInvalid
	}
	fmt.Fprintf(e.stderr, "guard: could not work out what %s would install; it was not run and nothing was changed:\n%v\n", label, err)
	return guard.ExitIncomplete
}

// runReal runs the package manager with the user's exact arguments, then
// reports what it installed that was never checked. It returns the
// manager's exit code.
func runReal(e *env, m pm.Manager, inv *pm.Invocation, cmd pm.Command, res *pm.Resolution) int {
	var before *lockfile.Lockfile
	if res != nil {
		before, _ = m.Installed(inv, cmd)
	}
	code, err := pm.Run(inv, inv.Manager, inv.Args, wrapStdio(e))
	if err != nil {
		fmt.Fprintf(e.stderr, "guard: %v\n", err)
		return code
	}
	if res == nil {
		return code
	}
	after, err := m.Installed(inv, cmd)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard: warning: %v\n", err)
		return code
	}
	known := append([]*lockfile.Lockfile{res.After, before}, res.Before...)
	added := pm.Added(after, known...)
	if len(added) > 0 {
		fmt.Fprintf(e.stderr, "guard: warning: %s installed %d packages that were not checked:\n", inv.Manager+" "+cmd.Name, len(added))
		for i, p := range added {
			if i == 20 {
				fmt.Fprintf(e.stderr, "  … and %d more\n", len(added)-i)
				break
			}
			fmt.Fprintf(e.stderr, "  %s\n", report.Escape(p.Key()))
		}
		fmt.Fprintln(e.stderr, "guard: run 'guard check' to check them")
	}
	return code
}

// writeWrapReport: text on standard error, the full report only when there is
// something to say (or --verbose); JSON on standard error; or the report in
// --output with a one-line verdict on standard error.
func writeWrapReport(e *env, r *guard.Report, a *wrapArgs, summary string) error {
	write := func(w io.Writer, color bool) error {
		rw, err := report.New(a.format, report.Options{Color: color, Quiet: a.quiet, Verbose: a.verbose})
		if err != nil {
			return err
		}
		return rw.Write(w, r)
	}
	if a.output != "" {
		if err := atomicfile.Write(a.output, 0o644, false, func(w io.Writer) error { return write(w, false) }); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
		if !a.quiet {
			fmt.Fprintf(e.stderr, "%s; verdict %s, report written to %s\n", summary, r.Verdict, a.output)
		}
		return nil
	}
	if a.format == "text" && r.Verdict == guard.Allow && len(r.Errors) == 0 && !a.verbose {
		if !a.quiet {
			fmt.Fprintf(e.stderr, "%s: allow\n", summary)
		}
		return nil
	}
	if err := write(e.stderr, useColor(e, e.stderr)); err != nil {
		return err
	}
	if !a.quiet && a.format == "text" {
		fmt.Fprintln(e.stderr, summary)
	}
	return nil
}

// progress prints one self-overwriting status line on standard error, only
// on a terminal.
type progress struct {
	e  *env
	on bool
}

func newProgress(e *env) *progress { return &progress{e: e, on: e.isTerminal(e.stderr)} }

func (p *progress) say(format string, args ...any) {
	if p.on {
		fmt.Fprintf(p.e.stderr, "\r"+format+"\x1b[K", args...)
	}
}

func (p *progress) clear() {
	if p.on {
		fmt.Fprint(p.e.stderr, "\r\x1b[K")
	}
}
