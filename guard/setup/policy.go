package setup

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/guard/report"
)

// Policy is what feeds the layered policy: the org policy (--policy), the
// project's folder, and the one-run overrides the user typed (--level,
// --mode, --max-db-age: nil or empty when not typed; they may only tighten).
type Policy struct {
	Org        string
	ProjectDir string
	Offline    bool
	// Quiet leaves out the policy's notices.
	Quiet    bool
	Level    *int
	Mode     string
	MaxDBAge *string
	Stderr   io.Writer
	Getenv   func(string) string
}

// LoadPolicy layers the org policy, the project's guard.toml and the
// overrides. It prints the policy's diagnostics on p.Stderr; on failure it
// returns the exit code (2 for a bad or weakening file or flag, 3 for an
// org policy that cannot be fetched).
func LoadPolicy(ctx context.Context, p Policy) (*policy.Policy, int, bool) {
	flags := policy.Flags{Level: p.Level, Mode: p.Mode}
	if p.MaxDBAge != nil {
		age, err := ParseAge(*p.MaxDBAge)
		if err != nil {
			fmt.Fprintf(p.Stderr, "guard: --max-db-age: %v\n", err)
			return nil, guard.ExitInvalid, false
		}
		flags.MaxDBAge = &age
	}
	pol, diags, err := policy.Load(ctx, policy.Sources{Org: p.Org, ProjectDir: p.ProjectDir, Flags: flags,
		Offline: p.Offline, Getenv: p.Getenv})
	for _, d := range diags {
		if p.Quiet && d.Level == policy.LevelNotice {
			continue
		}
		fmt.Fprintf(p.Stderr, "guard: policy: %s\n", report.Escape(d.String()))
	}
	if err != nil {
		fmt.Fprintf(p.Stderr, "guard: policy: %s\n", report.Escape(err.Error()))
		if errors.Is(err, policy.ErrUnavailable) {
			return nil, guard.ExitIncomplete, false
		}
		return nil, guard.ExitInvalid, false
	}
	return pol, 0, true
}

// ShowPolicy prints the effective policy of p on stdout in format (text or
// json) and returns the exit code of guard policy show.
func ShowPolicy(ctx context.Context, p Policy, format string, stdout io.Writer) int {
	pol, code, ok := LoadPolicy(ctx, p)
	if !ok {
		return code
	}
	// Values, reasons and paths come from policy files, one of them the
	// project's: each line goes through report.Escape (in TOML and JSON
	// strings its \uXXXX escapes read the same).
	var out strings.Builder
	if err := pol.Show(&out, format); err != nil {
		fmt.Fprintf(p.Stderr, "guard policy show: %v\n", err)
		return guard.ExitInvalid
	}
	for _, line := range strings.SplitAfter(out.String(), "\n") {
		if line != "" {
			fmt.Fprint(stdout, report.Escape(strings.TrimSuffix(line, "\n"))+"\n")
		}
	}
	return guard.ExitAllow
}

// CheckPolicyFile validates one policy file (guard.toml as a project
// policy, any other as an org policy) and returns the exit code of guard
// policy check FILE.
func CheckPolicyFile(ctx context.Context, file string, stdout, stderr io.Writer, getenv func(string) string) int {
	role := policy.RoleOrg
	if filepath.Base(file) == "guard.toml" {
		role = policy.RoleProject
	}
	diags, err := policy.Check(ctx, file, role, policy.Sources{Getenv: getenv})
	for _, d := range diags {
		fmt.Fprintf(stderr, "%s\n", report.Escape(d.String()))
	}
	if err != nil {
		if !policy.HasErrors(diags) {
			fmt.Fprintf(stderr, "guard policy check: %s\n", report.Escape(err.Error()))
		}
		if errors.Is(err, policy.ErrUnavailable) {
			return guard.ExitIncomplete
		}
		return guard.ExitInvalid
	}
	fmt.Fprintf(stdout, "%s: valid %s policy\n", file, role)
	return guard.ExitAllow
}
