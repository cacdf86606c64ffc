// Package wrap runs one package-manager command end to end for guard's
// wrapper ('guard [flags] npm install ...'): classify the command, resolve
// what it would install in a private copy of the project, check every
// package it leaves installed, report, and run the real package manager
// only when the install is allowed, then say what it installed that was
// never checked. cmd/guard parses the flags and hands over a Config.
package wrap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/pm"
	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/guard/report"
	"github.com/installguard/guard/guard/shims"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/advisory"
	"github.com/installguard/guard/verify/atomicfile"
)

// Config is one wrapper run: guard's flags as parsed, the streams, and the
// steps that set up policy and evidence sources (cmd/guard owns those: they
// read the same flags as 'guard check').
type Config struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Terminal is true when Stderr is an interactive terminal (progress
	// lines); Color when the report may use color there.
	Terminal, Color bool

	Format  string // text or json
	Output  string // report file; "" is standard error
	Quiet   bool
	Verbose bool
	All     bool
	DryRun  bool
	// Bypass is true when GUARD_BYPASS is set: a run through a shim runs
	// the real tool without a check (a run by name still checks).
	Bypass bool
	// ShimDir is set when a shim (guard shims install) runs guard: the
	// folder of the shim, skipped when looking for the real tool.
	ShimDir string

	// Setup validates the flags and opens what the check needs; it returns
	// the check options (level and mode set). An error is invalid input.
	Setup func() (guard.Options, error)
	// Policy loads the policy once the command is known to install. It
	// prints its own diagnostics; ok false ends the run with code.
	Policy func(ctx context.Context) (p *policy.Policy, code int, ok bool)
	// Sources sets the advisory, provenance and metadata sources of o; it
	// is called only when there are packages to ask about. An error is
	// invalid input.
	Sources func(ctx context.Context, o *guard.Options) error
}

// Run runs manager with args (the user's exact arguments) in dir and
// returns guard's exit code: the package manager's own when it ran; else
// 1 blocked, 2 invalid input, 3 a check could not complete, 127 the
// package manager is not on PATH (or 128+n after signal n).
func Run(ctx context.Context, c *Config, manager string, args []string, dir string) int {
	m, ok := pm.Lookup(manager)
	if !ok {
		fmt.Fprintf(c.Stderr, "guard: name a package manager after guard's flags (%s)\n", strings.Join(pm.Names(), ", "))
		return guard.ExitInvalid
	}
	name := manager
	inv := &pm.Invocation{Manager: name, Args: args, Dir: dir}
	if c.ShimDir != "" {
		code, done := shimSetup(c, inv, c.ShimDir)
		if done {
			return code
		}
	}
	if c.ShimDir == "" && c.Bypass && !c.Quiet {
		fmt.Fprintln(c.Stderr, "guard: GUARD_BYPASS is set but applies to guard's shims only: guard was run by name, so it checks")
	}
	if c.All && !c.Quiet {
		fmt.Fprintln(c.Stderr, "guard: --all has no effect: every package of the install is always checked")
	}
	opts, err := c.Setup()
	if err != nil {
		fmt.Fprintf(c.Stderr, "guard: %v\n", err)
		return guard.ExitInvalid
	}
	cmd := m.Classify(inv)
	if !cmd.Install {
		if c.DryRun {
			// --dry-run never runs the package manager.
			fmt.Fprintf(c.Stderr, "guard: --dry-run: %s installs nothing and is not checked; it was not run: %s\n", commandLabel(name, cmd), wouldRun(inv))
			return guard.ExitAllow
		}
		// Nothing to check: guard steps aside (exec on Unix).
		code, err := pm.Exec(inv, name, inv.Args)
		if err != nil {
			fmt.Fprintf(c.Stderr, "guard: %v\n", err)
		}
		return code
	}

	pol, code, ok := c.Policy(ctx)
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
	prog := newProgress(c)
	prog.say("guard: resolving what %s would install…", label)
	res, err := m.Resolve(rctx, inv, cmd)
	prog.clear()
	signal.Stop(sigc)
	if err != nil {
		code := resolveFailure(c, label, err, rctx)
		// A SIGTERM also cancels ctx (main's signal.NotifyContext): the
		// goroutine above may have ended on that before it saw sigc, where
		// the signal then still is.
		var got os.Signal
		select {
		case got = <-gotSig:
		case got = <-sigc:
		default:
		}
		if n, ok := got.(syscall.Signal); ok {
			code = 128 + int(n)
		}
		return code
	}
	if res == nil || res.After == nil {
		// Nothing is downloaded (npm exec of an installed bin, npm ci
		// without a lockfile: the manager reports that itself).
		if res != nil && res.Note != "" && !c.Quiet {
			fmt.Fprintf(c.Stderr, "guard: %s: %s\n", label, termSafe(res.Note))
		}
		if c.DryRun {
			fmt.Fprintf(c.Stderr, "guard: --dry-run: nothing to check; it was not run: %s\n", wouldRun(inv))
			return guard.ExitAllow
		}
		return runReal(c, m, inv, cmd, nil)
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
		if err := c.Sources(ctx, &opts); err != nil {
			fmt.Fprintf(c.Stderr, "guard: %v\n", err)
			return guard.ExitInvalid
		}
	} else {
		// Nothing to ask about: no source, no network.
		opts.Advisories = failingSource{errors.New("no advisory source needed")}
	}
	prog.say("guard: checking %d packages…", len(labels.ByKey))
	r, err := guard.Check(ctx, opts)
	prog.clear()
	if err != nil {
		fmt.Fprintf(c.Stderr, "guard: %v\n", err)
		return guard.ExitInvalid
	}
	summary := fmt.Sprintf("guard: %s: %s", label, labelSummary(labels))
	if c.Verbose && res.Note != "" {
		summary += "\nguard: " + termSafe(res.Note)
	}
	if err := writeReport(c, r, summary); err != nil {
		fmt.Fprintf(c.Stderr, "guard: %v\n", err)
		return guard.ExitInvalid
	}
	if c.Format == "text" && c.Output == "" && !c.Quiet {
		printFlagged(c, r, res.After, labels)
	}
	if code := r.ExitCode(); code != guard.ExitAllow {
		if !c.Quiet {
			fmt.Fprintf(c.Stderr, "guard: %s was not run; nothing was changed\n", label)
		}
		return code
	}
	if c.DryRun {
		line := wouldRun(inv)
		if res.RunArgs != nil {
			line = wouldRunArgs(inv.Manager, res.RunArgs)
		}
		fmt.Fprintf(c.Stderr, "guard: --dry-run: allowed; it was not run: %s\n", line)
		return guard.ExitAllow
	}
	return runReal(c, m, inv, cmd, res)
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
func wouldRun(inv *pm.Invocation) string { return wouldRunArgs(inv.Manager, inv.Args) }

// wouldRunArgs is a command line, shell-quoted.
func wouldRunArgs(manager string, args []string) string {
	parts := []string{shellQuote(manager)}
	for _, a := range args {
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
func printFlagged(c *Config, r *guard.Report, after *lockfile.Lockfile, l pm.Labeled) {
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
		fmt.Fprintf(c.Stderr, "guard: packages with findings: %s\n", strings.Join(out, ", "))
	}
}

// resolveFailure maps a failed resolution to an exit code.
func resolveFailure(c *Config, label string, err error, ctx context.Context) int {
	var nf *pm.NotFoundError
	var pe *lockfile.ParseError
	switch {
	case errors.As(err, &nf):
		fmt.Fprintf(c.Stderr, "guard: %v\n", err)
		return pm.ExitNotFound
	case ctx.Err() != nil:
		fmt.Fprintf(c.Stderr, "guard: %s: interrupted; nothing was changed\n", label)
		return 130
	case errors.As(err, &pe):
		fmt.Fprintf(c.Stderr, "guard: %v\n", err)
		return guard.ExitInvalid
	}
	fmt.Fprintf(c.Stderr, "guard: could not work out what %s would install; it was not run and nothing was changed:\n%v\n", label, err)
	return guard.ExitIncomplete
}

// runReal runs the package manager with the user's exact arguments, then
// reports what it installed that was never checked. It returns the
// manager's exit code.
func runReal(c *Config, m pm.Manager, inv *pm.Invocation, cmd pm.Command, res *pm.Resolution) int {
	var before *lockfile.Lockfile
	if res != nil {
		before, _ = m.Installed(inv, cmd)
	}
	args := inv.Args
	if res != nil && res.RunArgs != nil {
		args = res.RunArgs
		if c.Verbose {
			fmt.Fprintf(c.Stderr, "guard: running %s\n", termSafe(wouldRunArgs(inv.Manager, args)))
		}
	}
	var undo func(bool) error
	if res != nil && res.Handoff != nil {
		u, err := res.Handoff.Place()
		switch {
		case err != nil:
			// Not an error: the command resolves again as it would have.
			if c.Verbose {
				fmt.Fprintf(c.Stderr, "guard: could not give %s the checked lockfile: %s\n", inv.Manager, termSafe(err.Error()))
			}
		case c.Verbose:
			fmt.Fprintf(c.Stderr, "guard: %s installs from the checked %s\n", inv.Manager, termSafe(res.Handoff.Name))
		}
		undo = u
	}
	code, err := pm.Run(inv, inv.Manager, args, pm.Stdio{Stdin: c.Stdin, Stdout: c.Stdout, Stderr: c.Stderr})
	if undo != nil {
		if uerr := undo(err == nil && code == 0); uerr != nil {
			fmt.Fprintf(c.Stderr, "guard: warning: %s failed, and its lockfile could not be put back as it was: %s\n", inv.Manager, termSafe(uerr.Error()))
		}
	}
	if err != nil {
		fmt.Fprintf(c.Stderr, "guard: %v\n", err)
		return code
	}
	if res == nil {
		return code
	}
	after, err := m.Installed(inv, cmd)
	if err != nil {
		fmt.Fprintf(c.Stderr, "guard: warning: %v\n", err)
		return code
	}
	known := append([]*lockfile.Lockfile{res.After, before}, res.Before...)
	added := pm.Added(after, known...)
	if len(added) > 0 {
		fmt.Fprintf(c.Stderr, "guard: warning: %s installed %d packages that were not checked:\n", inv.Manager+" "+cmd.Name, len(added))
		for i, p := range added {
			if i == 20 {
				fmt.Fprintf(c.Stderr, "  … and %d more\n", len(added)-i)
				break
			}
			fmt.Fprintf(c.Stderr, "  %s\n", report.Escape(p.Key()))
		}
		fmt.Fprintln(c.Stderr, "guard: run 'guard check' to check them")
	}
	return code
}

// writeReport: text on standard error, the full report only when there is
// something to say (or --verbose); JSON on standard error; or the report in
// --output with a one-line verdict on standard error.
func writeReport(c *Config, r *guard.Report, summary string) error {
	write := func(w io.Writer, color bool) error {
		rw, err := report.New(c.Format, report.Options{Color: color, Quiet: c.Quiet, Verbose: c.Verbose})
		if err != nil {
			return err
		}
		return rw.Write(w, r)
	}
	if c.Output != "" {
		if err := atomicfile.Write(c.Output, 0o644, false, func(w io.Writer) error { return write(w, false) }); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
		if !c.Quiet {
			fmt.Fprintf(c.Stderr, "%s; verdict %s, report written to %s\n", summary, r.Verdict, c.Output)
		}
		return nil
	}
	if c.Format == "text" && r.Verdict == guard.Allow && len(r.Errors) == 0 && !c.Verbose {
		if !c.Quiet {
			fmt.Fprintf(c.Stderr, "%s: allow\n", summary)
		}
		return nil
	}
	if err := write(c.Stderr, c.Color); err != nil {
		return err
	}
	if !c.Quiet && c.Format == "text" {
		fmt.Fprintln(c.Stderr, summary)
	}
	return nil
}

// progress prints one self-overwriting status line on standard error, only
// on a terminal.
type progress struct {
	c  *Config
	on bool
}

func newProgress(c *Config) *progress { return &progress{c: c, on: c.Terminal} }

func (p *progress) say(format string, args ...any) {
	if p.on {
		fmt.Fprintf(p.c.Stderr, "\r"+format+"\x1b[K", args...)
	}
}

func (p *progress) clear() {
	if p.on {
		fmt.Fprint(p.c.Stderr, "\r\x1b[K")
	}
}

// shimSetup prepares a run that came through a shim: the real tool is
// looked up past the shim's folder (and every other folder holding a guard
// shim of that name), nesting is bounded, and GUARD_BYPASS=1 runs the real
// tool at once. done is true when the run is over (code is its exit code).
func shimSetup(c *Config, inv *pm.Invocation, shimDir string) (code int, done bool) {
	inv.SkipDirs = append(inv.SkipDirs, shimDir)
	for _, d := range filepath.SplitList(c.Getenv("PATH")) {
		if d != "" && filepath.IsAbs(d) && shims.IsShim(filepath.Join(d, inv.Manager)) {
			inv.SkipDirs = append(inv.SkipDirs, d)
		}
	}
	depth, _ := strconv.Atoi(c.Getenv("GUARD_SHIM_DEPTH"))
	if depth >= shims.MaxDepth {
		fmt.Fprintf(c.Stderr, "guard: %s: guard's shims ran each other %d times; is the real %s itself a guard shim? (GUARD_SHIM_DEPTH)\n", inv.Manager, depth, inv.Manager)
		return pm.ExitCannotRun, true
	}
	inv.Env = setEnv(os.Environ(), "GUARD_SHIM_DEPTH", strconv.Itoa(depth+1))
	if c.Bypass {
		fmt.Fprintf(c.Stderr, "guard: GUARD_BYPASS is set: %s runs without a check\n", termSafe(wouldRun(inv)))
		code, err := pm.Exec(inv, inv.Manager, inv.Args)
		if err != nil {
			fmt.Fprintf(c.Stderr, "guard: %v\n", err)
		}
		return code, true
	}
	return 0, false
}

// setEnv returns env with key set to value (every earlier entry of key
// dropped: a child may read the first of duplicates).
func setEnv(env []string, key, value string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k != key {
			out = append(out, kv)
		}
	}
	return append(out, key+"="+value)
}

// failingSource is a source whose every query fails (runs that need no
// advisories).
type failingSource struct{ err error }

func (f failingSource) Query(context.Context, []advisory.Query) ([][]*osvschema.Vulnerability, error) {
	return nil, f.err
}
