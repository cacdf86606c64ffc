package pm

import (
	"context"
	"fmt"
	"strings"

	"github.com/installguard/guard/lockfile"
)

// uvx and uv tool install|run|upgrade download a Python package (with its
// dependencies) into an environment of its own and run or install it: the
// requirements are resolved with uv pip compile and checked like an
// install.

func init() { register(uvxManager{}) }

// uvToolFetches are the uv tool subcommands that download packages.
var uvToolFetches = map[string]bool{"run": true, "install": true, "upgrade": true}

// uvxManager is `uvx ...`: uv tool run under another name.
type uvxManager struct{}

func (uvxManager) Names() []string { return []string{"uvx"} }

func (uvxManager) Classify(*Invocation) Command { return Command{Install: true} }

func (uvxManager) Resolve(ctx context.Context, inv *Invocation, cmd Command) (*Resolution, error) {
	uinv := *inv
	uinv.Args = append([]string{"tool", "run"}, inv.Args...)
	res, err := uvResolveTool(ctx, &uinv, 0)
	if res != nil && res.After != nil {
		res.After.Path = "uvx " + strings.Join(inv.Args, " ")
	}
	return res, err
}

func (uvxManager) Installed(*Invocation, Command) (*lockfile.Lockfile, error) { return nil, nil }

// uvToolValueFlags are uv tool options that take a value; uvToolSourceFlags
// of them say where packages come from and are kept for the compile.
var uvToolValueFlags = map[string]bool{
	"--from": true, "-w": true, "--with": true, "--with-editable": true, "--with-requirements": true,
	"-c": true, "--constraints": true, "--overrides": true, "-p": true, "--python": true,
	"--index": true, "--default-index": true, "-i": true, "--index-url": true, "--extra-index-url": true,
	"-f": true, "--find-links": true, "--index-strategy": true, "--keyring-provider": true,
	"--resolution": true, "--prerelease": true, "--exclude-newer": true, "--directory": true,
	"--project": true, "--cache-dir": true, "--config-file": true, "--env-file": true,
}

var uvToolSourceFlags = map[string]bool{
	"--index": true, "--default-index": true, "-i": true, "--index-url": true, "--extra-index-url": true,
	"-f": true, "--find-links": true, "--index-strategy": true, "--keyring-provider": true,
	"--resolution": true, "--prerelease": true, "--exclude-newer": true, "-p": true, "--python": true,
}

// uvToolRequirement turns uv tool's package[@version] into a requirement.
func uvToolRequirement(s string) string {
	name, v, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(s, "://") || strings.ContainsAny(name, "=<>~! ") {
		return s
	}
	if v == "latest" {
		return name
	}
	return name + "==" + v
}

// uvResolveTool: args[idx] is "tool"; what follows is SUB [options]
// PACKAGE|COMMAND [args...].
func uvResolveTool(ctx context.Context, inv *Invocation, idx int) (*Resolution, error) {
	args := inv.Args
	sub := ""
	var reqs, compile []string
	compile = append(compile, "pip", "compile")
	from, target := "", ""
	var targets []string
	for i := idx + 1; i < len(args); i++ {
		a := args[i]
		if sub == "" {
			if !strings.HasPrefix(a, "-") {
				sub = a
			}
			continue
		}
		if a == "--" {
			if target == "" && i+1 < len(args) {
				target = args[i+1]
			}
			break
		}
		if strings.HasPrefix(a, "-") {
			name, val, hasVal := strings.Cut(a, "=")
			if !hasVal && uvToolValueFlags[name] && i+1 < len(args) {
				i++
				val = args[i]
			}
			switch {
			case name == "--from":
				from = val
			case name == "-w" || name == "--with":
				for _, r := range strings.Split(val, ",") {
					if r = strings.TrimSpace(r); r != "" {
						reqs = append(reqs, absArgs(inv.Dir, []string{r})[0])
					}
				}
			case name == "--with-requirements":
				reqs = append(reqs, "-r "+absIn(inv.Dir, val))
			case name == "--with-editable":
				reqs = append(reqs, "-e "+absIn(inv.Dir, val))
			case name == "-c" || name == "--constraints":
				reqs = append(reqs, "-c "+absIn(inv.Dir, val))
			case name == "--all" && sub == "upgrade":
				return nil, &ResolveError{Step: "uv tool upgrade --all", Err: fmt.Errorf("name the tools to upgrade: guard resolves each one ('guard uv tool upgrade NAME')")}
			case uvToolSourceFlags[name]:
				compile = append(compile, name, val)
			}
			continue
		}
		if sub == "upgrade" {
			targets = append(targets, a)
			continue
		}
		if target == "" {
			target = a
			if sub == "run" {
				break // the rest are the command's own arguments
			}
		}
	}
	switch {
	case from != "":
		reqs = append([]string{absArgs(inv.Dir, []string{uvToolRequirement(from)})[0]}, reqs...)
	case sub == "upgrade":
		if len(targets) == 0 {
			return nil, nil
		}
		for _, t := range targets {
			reqs = append(reqs, uvToolRequirement(t))
		}
		compile = append(compile, "--upgrade")
	case target != "":
		reqs = append([]string{absArgs(inv.Dir, []string{uvToolRequirement(target)})[0]}, reqs...)
	default:
		return nil, nil // uv tool run with nothing to run: uv says so
	}
	res, err := uvCompile(ctx, inv, reqs, compile, "uv tool "+sub)
	if err != nil {
		return nil, err
	}
	res.Note = "uv tool " + sub + ": " + strings.Join(reqs, ", ") + " resolved with uv pip compile --generate-hashes, wheels only"
	return res, nil
}
