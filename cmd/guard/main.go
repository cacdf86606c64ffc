// Command guard checks what an install of npm, Python or Cargo packages
// brings in, before it runs. This file only parses flags and picks a
// subcommand; the run flow lives in package guard.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/pflag"

	"github.com/installguard/guard/guard"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

const usage = `guard checks what an install brings in before it runs.

Usage:
  guard [flags] npm|npx|pnpm|pnpx|yarn|pip|uv|uvx|poetry|cargo ARGS...
                                          check what an install brings in, then run it
  guard shell-init bash|zsh|fish          put guard's shims first on PATH (in every child process too)
  guard shims install|remove [DIR]        write or remove the shims (npm, npx, pip, ...)
  guard check [DIR|LOCKFILE...] [flags]   check lockfiles and report
  guard sbom [DIR|LOCKFILE...] [flags]    write a CycloneDX or SPDX SBOM
  guard db update|status [flags]          manage the offline OSV database
  guard trust update [flags]              refresh the Sigstore trusted root through TUF
  guard policy show|check [flags]         show the effective policy, or validate a policy file
  guard fix [DIR] [--dry-run] [flags]     upgrade vulnerable packages through the package manager
  guard explain NAME[@VERSION] [DIR...]   every rule's result for one package, and what decided it
  guard version                           print guard's version
  guard help [COMMAND]                    show help

Run 'guard help check' for the flags of a command.

Exit codes:
  0  allowed (warnings possible)
  1  blocked by policy
  2  invalid input (flags, unparsable lockfile, missing path)
  3  a check could not complete
`

// env is what a command reads from and writes to; tests pass their own.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// isTerminal reports whether the writer is an interactive terminal.
	isTerminal func(io.Writer) bool
	// transport, when set, sends guard db update's requests: tests use it
	// to trust their httptest TLS server. nil (always, outside tests) is
	// http.DefaultTransport and the system's roots.
	transport http.RoundTripper
}

func main() {
	// Ctrl-C (SIGINT) and SIGTERM cancel ctx: every wait guard makes (HTTP
	// requests, the DB's update lock, a package manager's resolution) takes
	// ctx, and no file open can block (lockfile/regfile opens non-blocking),
	// so a check ends within a second. The wrappers forward signals to a
	// running package manager themselves (guard/pm).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal the default action comes back: a second Ctrl-C
	// ends guard at once, whatever it is doing. (While a wrapper runs the
	// package manager, guard/pm catches signals itself and forwards them.)
	go func() {
		<-ctx.Done()
		stop()
	}()
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, isTerminal: isTerminal}
	os.Exit(run(ctx, e, os.Args[1:]))
}

// usageError is a problem with the command line: exit 2.
type usageError struct{ msg string }

func (u usageError) Error() string { return u.msg }

func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, usage)
		return guard.ExitInvalid
	}
	cmd, rest := args[0], args[1:]
	if code, ok := dispatchWrap(ctx, e, args); ok {
		return code // guard [flags] npm|cargo|pip ..., shell-init (wrap.go; the run itself is guard/wrap)
	}
	switch cmd {
	case "check":
		return runCheck(ctx, e, rest)
	case "db":
		return runDB(ctx, e, rest)
	case "sbom":
		return runSBOM(ctx, e, rest)
	case "trust":
		return runTrust(ctx, e, rest)
	case "policy":
		return runPolicy(ctx, e, rest)
	case "fix":
		return runFix(ctx, e, rest)
	case "explain":
		return runExplain(ctx, e, rest)
	case "version", "--version":
		fmt.Fprintf(e.stdout, "guard %s\n", version)
		return guard.ExitAllow
	case "help", "-h", "--help":
		if len(rest) > 0 {
			return helpFor(e, rest[0])
		}
		fmt.Fprint(e.stdout, usage)
		return guard.ExitAllow
	default:
		fmt.Fprintf(e.stderr, "guard: unknown command %q\n\n%s", cmd, usage)
		return guard.ExitInvalid
	}
}

func helpFor(e *env, cmd string) int {
	switch cmd {
	case "check":
		fs, _ := checkFlags(&checkArgs{})
		fmt.Fprintf(e.stdout, "%s\nFlags:\n%s", checkUsage, fs.FlagUsages())
		return guard.ExitAllow
	case "sbom":
		fs, _ := sbomFlags(&sbomArgs{})
		fmt.Fprintf(e.stdout, "%s\nFlags:\n%s", sbomUsage, fs.FlagUsages())
		return guard.ExitAllow
	case "db":
		fmt.Fprintln(e.stdout, dbUsage)
		return guard.ExitAllow
	case "trust":
		fmt.Fprintln(e.stdout, trustUsage)
		return guard.ExitAllow
	case "policy":
		fmt.Fprintln(e.stdout, policyUsage)
		return guard.ExitAllow
	case "fix":
		fmt.Fprintf(e.stdout, "%s\nFlags:\n%s", fixUsage, fixFlags(&fixArgs{}).FlagUsages())
		return guard.ExitAllow
	case "explain":
		fs, _ := checkFlags(&checkArgs{})
		fmt.Fprintf(e.stdout, "%s\nFlags:\n%s", explainUsage, fs.FlagUsages())
		return guard.ExitAllow
	default:
		fmt.Fprintf(e.stderr, "guard: no help for unknown command %q\n", cmd)
		return guard.ExitInvalid
	}
}

// parseFlags parses args into fs; a parse error or --help is reported here.
// It returns ok=false with the exit code when the command should stop.
func parseFlags(e *env, fs *pflag.FlagSet, args []string, help string) (int, bool) {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			fmt.Fprintf(e.stdout, "%s\nFlags:\n%s", help, fs.FlagUsages())
			return guard.ExitAllow, false
		}
		fmt.Fprintf(e.stderr, "guard %s: %v\nRun 'guard help %s' for usage.\n", fs.Name(), err, fs.Name())
		return guard.ExitInvalid, false
	}
	return 0, true
}
