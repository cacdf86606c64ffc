package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/guard/report"
)

// policyArgs are the flags that feed the policy: --policy and the one-run
// overrides --level, --mode and --max-db-age (which may only tighten).
type policyArgs struct {
	policy string
}

func addPolicyFlag(fs *pflag.FlagSet, a *policyArgs) {
	fs.StringVar(&a.policy, "policy", "", "org policy `FILE` or https URL (#sha256=<hex> pins it); default GUARD_POLICY, /etc/guard/policy.toml, <user config>/guard/policy.toml")
}

// loadPolicy layers the org policy, the project's guard.toml and the flags
// the user typed. It prints the policy's diagnostics on stderr; on failure
// it returns the exit code (2 for a bad or weakening file or flag, 3 for an
// org policy that cannot be fetched).
func (e *env) loadPolicy(ctx context.Context, fs *pflag.FlagSet, a *policyArgs, level int, mode string, maxAge string,
	projectDir string, offline, quiet bool) (*policy.Policy, int, bool) {
	var flags policy.Flags
	if fs.Changed("level") {
		flags.Level = &level
	}
	if fs.Changed("mode") {
		flags.Mode = mode
	}
	if fs.Changed("max-db-age") {
		age, err := parseAge(maxAge)
		if err != nil {
			fmt.Fprintf(e.stderr, "guard: --max-db-age: %v\n", err)
			return nil, guard.ExitInvalid, false
		}
		flags.MaxDBAge = &age
	}
	p, diags, err := policy.Load(ctx, policy.Sources{Org: a.policy, ProjectDir: projectDir, Flags: flags,
		Offline: offline, Getenv: e.getenv})
	for _, d := range diags {
		if quiet && d.Level == policy.LevelNotice {
			continue
		}
		fmt.Fprintf(e.stderr, "guard: policy: %s\n", report.Escape(d.String()))
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "guard: policy: %s\n", report.Escape(err.Error()))
		if errors.Is(err, policy.ErrUnavailable) {
			return nil, guard.ExitIncomplete, false
		}
		return nil, guard.ExitInvalid, false
	}
	return p, 0, true
}

const policyUsage = `Usage:
  guard policy show [--policy FILE|URL] [--project DIR] [--format text|json]
  guard policy check [FILE]

show prints the effective policy (org policy, the project's guard.toml, and
defaults, layered) with where each value came from. check validates one
policy file (guard.toml as a project policy, any other as an org policy),
or, without FILE, the policies that apply here. Exit 2 when a file is
invalid or a project file weakens the org policy, 3 when a remote org
policy cannot be fetched.`

func runPolicy(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stdout, policyUsage)
		if len(args) == 0 {
			return guard.ExitInvalid
		}
		return guard.ExitAllow
	}
	switch args[0] {
	case "show":
		fs := pflag.NewFlagSet("policy show", pflag.ContinueOnError)
		var a policyArgs
		addPolicyFlag(fs, &a)
		project := fs.String("project", ".", "project `DIR` whose guard.toml applies")
		format := fs.String("format", "text", "text or json")
		offline := fs.Bool("offline", false, "read a remote org policy from the cache only")
		if code, ok := parseFlags(e, fs, args[1:], policyUsage); !ok {
			return code
		}
		if *format != "text" && *format != "json" {
			fmt.Fprintf(e.stderr, "guard policy show: --format %q is not supported: use text or json\n", *format)
			return guard.ExitInvalid
		}
		p, code, ok := e.loadPolicy(ctx, fs, &a, 0, "", "", *project, *offline || truthy(e.getenv("GUARD_OFFLINE")), false)
		if !ok {
			return code
		}
		// Values, reasons and paths come from policy files, one of them
		// the project's: each line goes through report.Escape (in TOML and
		// JSON strings its \uXXXX escapes read the same).
		var out strings.Builder
		if err := p.Show(&out, *format); err != nil {
			fmt.Fprintf(e.stderr, "guard policy show: %v\n", err)
			return guard.ExitInvalid
		}
		for _, line := range strings.SplitAfter(out.String(), "\n") {
			if line != "" {
				fmt.Fprint(e.stdout, report.Escape(strings.TrimSuffix(line, "\n"))+"\n")
			}
		}
		return guard.ExitAllow
	case "check":
		fs := pflag.NewFlagSet("policy check", pflag.ContinueOnError)
		var a policyArgs
		addPolicyFlag(fs, &a)
		if code, ok := parseFlags(e, fs, args[1:], policyUsage); !ok {
			return code
		}
		if fs.NArg() > 1 {
			fmt.Fprintln(e.stderr, "guard policy check: give at most one FILE")
			return guard.ExitInvalid
		}
		if fs.NArg() == 0 {
			if _, code, ok := e.loadPolicy(ctx, fs, &a, 0, "", "", ".", truthy(e.getenv("GUARD_OFFLINE")), false); !ok {
				return code
			}
			fmt.Fprintln(e.stdout, "guard: the policies that apply here are valid")
			return guard.ExitAllow
		}
		file := fs.Arg(0)
		role := policy.RoleOrg
		if filepath.Base(file) == "guard.toml" {
			role = policy.RoleProject
		}
		diags, err := policy.Check(ctx, file, role, policy.Sources{Getenv: e.getenv})
		for _, d := range diags {
			fmt.Fprintf(e.stderr, "%s\n", report.Escape(d.String()))
		}
		if err != nil {
			if !policy.HasErrors(diags) {
				fmt.Fprintf(e.stderr, "guard policy check: %s\n", report.Escape(err.Error()))
			}
			if errors.Is(err, policy.ErrUnavailable) {
				return guard.ExitIncomplete
			}
			return guard.ExitInvalid
		}
		fmt.Fprintf(e.stdout, "%s: valid %s policy\n", file, role)
		return guard.ExitAllow
	default:
		fmt.Fprintf(e.stderr, "guard policy: unknown subcommand %q\n\n%s\n", args[0], policyUsage)
		return guard.ExitInvalid
	}
}
