package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/guard/setup"
)

// policyArgs are the flags that feed the policy: --policy and the one-run
// overrides --level, --mode and --max-db-age (which may only tighten).
type policyArgs struct {
	policy string
}

func addPolicyFlag(fs *pflag.FlagSet, a *policyArgs) {
	fs.StringVar(&a.policy, "policy", "", "org policy `FILE` or https URL (#sha256=<hex> pins it); default GUARD_POLICY, /etc/guard/policy.toml, <user config>/guard/policy.toml")
}

// policyConfig is what the flags give guard/setup.LoadPolicy: the
// overrides only when they were typed.
func (e *env) policyConfig(fs *pflag.FlagSet, a *policyArgs, level int, mode string, maxAge string,
	projectDir string, offline, quiet bool) setup.Policy {
	p := setup.Policy{Org: a.policy, ProjectDir: projectDir, Offline: offline, Quiet: quiet, Stderr: e.stderr, Getenv: e.getenv}
	if fs.Changed("level") {
		p.Level = &level
	}
	if fs.Changed("mode") {
		p.Mode = mode
	}
	if fs.Changed("max-db-age") {
		p.MaxDBAge = &maxAge
	}
	return p
}

// loadPolicy layers the org policy, the project's guard.toml and the flags
// the user typed (guard/setup.LoadPolicy).
func (e *env) loadPolicy(ctx context.Context, fs *pflag.FlagSet, a *policyArgs, level int, mode string, maxAge string,
	projectDir string, offline, quiet bool) (*policy.Policy, int, bool) {
	return setup.LoadPolicy(ctx, e.policyConfig(fs, a, level, mode, maxAge, projectDir, offline, quiet))
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
		p := e.policyConfig(fs, &a, 0, "", "", *project, *offline || truthy(e.getenv("GUARD_OFFLINE")), false)
		return setup.ShowPolicy(ctx, p, *format, e.stdout)
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
		return setup.CheckPolicyFile(ctx, fs.Arg(0), e.stdout, e.stderr, e.getenv)
	default:
		fmt.Fprintf(e.stderr, "guard policy: unknown subcommand %q\n\n%s\n", args[0], policyUsage)
		return guard.ExitInvalid
	}
}
