package pm

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/installguard/guard/lockfile"
)

// npm exec, npx and npm init <initializer> download packages into npm's
// cache and run one: the packages (with their dependency trees) are
// resolved in a private empty project and checked like an install.

func init() { register(npxManager{}) }

// npxManager is `npx ...`: npm exec under another name.
type npxManager struct{}

func (npxManager) Names() []string { return []string{"npx"} }

func (npxManager) Classify(inv *Invocation) Command {
	return Command{Install: true}
}

func (npxManager) Resolve(ctx context.Context, inv *Invocation, cmd Command) (*Resolution, error) {
	ninv := *inv
	ninv.Manager = "npm"
	ninv.Args = npxToExec(inv.Args)
	return npmManager{}.Resolve(ctx, &ninv, cmd)
}

func (npxManager) Installed(*Invocation, Command) (*lockfile.Lockfile, error) { return nil, nil }

// npxToExec turns npx's arguments into npm exec's, as npm's bin/npx-cli.js
// does: -p is --package, --shell is --script-shell, --no-install is
// --yes=false, and "--" goes in front of the first positional argument
// (everything from it on belongs to the command that runs).
func npxToExec(args []string) []string {
	out := []string{"exec"}
	valueOpts := map[string]bool{"package": true, "p": true, "cache": true, "userconfig": true, "call": true,
		"c": true, "shell": true, "npm": true, "node-arg": true, "n": true}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			return append(out, args[i:]...)
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			out = append(out, "--")
			return append(out, args[i:]...)
		}
		key, val, hasVal := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		switch key {
		case "p":
			arg = "--package"
			if hasVal {
				arg += "=" + val
			}
		case "shell":
			arg = "--script-shell"
			if hasVal {
				arg += "=" + val
			}
		case "no-install":
			arg = "--yes=false"
		}
		out = append(out, arg)
		if !hasVal && valueOpts[key] && i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
	}
	return out
}

// npmInitializer is the package npm init <initializer> runs: foo ->
// create-foo, foo@1 -> create-foo@1, @scope -> @scope/create, @scope/foo ->
// @scope/create-foo (npm's init command).
func npmInitializer(s string) string {
	if !strings.HasPrefix(s, "@") {
		return "create-" + s
	}
	spec, ver := s, ""
	if i := strings.LastIndex(s, "@"); i > 0 {
		spec, ver = s[:i], s[i:]
	}
	scope, name, hasName := strings.Cut(spec, "/")
	if !hasName {
		return scope + "/create" + ver
	}
	return scope + "/create-" + name + ver
}

// npmResolveExec works out what npm exec would download. Without
// --package, the command's own name is the package, unless a bin of that
// name is installed in the project (or a folder above it) or globally:
// then npm runs that and downloads nothing. -c without --package runs
// only what is installed.
func npmResolveExec(ctx context.Context, inv *Invocation, a npmArgs, proj npmProject) (*Resolution, error) {
	specs := a.packages
	if len(specs) == 0 {
		if a.call || len(a.positional) == 0 {
			return nil, nil // nothing is downloaded
		}
		bin := a.positional[0]
		if !strings.ContainsAny(bin, "@/:") {
			if where := npmInstalledBin(ctx, inv, proj, bin); where != "" {
				return &Resolution{Note: "npm exec runs " + where + ", already installed; nothing is downloaded"}, nil
			}
		}
		specs = []string{bin}
	}
	return npmResolveFetch(ctx, inv, a, proj, specs, "what npm exec would download: "+strings.Join(specs, " "))
}

// npmInstalledBin finds an installed bin as npm exec looks for one: in
// node_modules/.bin of the project root and every folder above it, then in
// the global bin folder. It returns where, or "".
func npmInstalledBin(ctx context.Context, inv *Invocation, proj npmProject, bin string) string {
	for d := proj.root; ; d = filepath.Dir(d) {
		if p := filepath.Join(d, "node_modules", ".bin", bin); exists(p) {
			return p
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	out, err := runOutput(ctx, inv, inv.Dir, "npm", "prefix", "-g")
	if err != nil {
		return ""
	}
	prefix := strings.TrimSpace(out)
	for _, p := range []string{filepath.Join(prefix, "bin", bin), filepath.Join(prefix, bin)} {
		if prefix != "" && exists(p) {
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p
			}
		}
	}
	return ""
}

// npmFetchFlags are the user's options that say where packages come from:
// they apply to the resolution too.
func npmFetchFlags(args []string) []string {
	keep := map[string]bool{"--registry": true, "--userconfig": true, "--globalconfig": true, "--cache": true,
		"--before": true, "--proxy": true, "--https-proxy": true, "--noproxy": true, "--cafile": true,
		"--strict-ssl": true, "--prefer-online": true, "--prefer-offline": true, "--offline": true,
		"--min-release-age": true}
	var out []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			break
		}
		name, _, hasVal := strings.Cut(arg, "=")
		if !strings.HasPrefix(name, "--") {
			continue
		}
		if keep[name] || (strings.HasPrefix(name, "--@") && strings.HasSuffix(name, ":registry")) {
			out = append(out, arg)
			if !hasVal && npmValueFlags[name] && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		}
	}
	return out
}

// npmResolveFetch resolves package specs in a private empty project (with
// the project's .npmrc, so that its registry settings apply) the way npm
// installs them into its cache, and returns the whole tree.
func npmResolveFetch(ctx context.Context, inv *Invocation, a npmArgs, proj npmProject, specs []string, note string) (*Resolution, error) {
	tmp, err := newTempProject("npm")
	if err != nil {
		return nil, err
	}
	defer tmp.Remove()
	if err := os.WriteFile(filepath.Join(tmp.Dir, "package.json"), []byte("{}\n"), 0o600); err != nil {
		return nil, err
	}
	if err := checkNpmrc(inv, proj.root); err != nil {
		return nil, err
	}
	if _, err := tmp.copyIn(filepath.Join(proj.root, ".npmrc"), ".npmrc"); err != nil {
		return nil, err
	}
	args := []string{"install"}
	for _, s := range specs {
		args = append(args, npmAbsSpec(inv.Dir, s))
	}
	args = append(args, npmFetchFlags(inv.Args)...)
	args = append(args, "--package-lock-only", "--package-lock", "--ignore-scripts", "--no-audit", "--no-fund")
	rinv := *inv
	rinv.Env = npmResolveEnv(inv.environ())
	step := "npm install --package-lock-only " + strings.Join(specs, " ")
	if err := runCaptured(ctx, &rinv, tmp.Dir, step, "npm", args...); err != nil {
		return nil, err
	}
	after, err := parseNpmLock(tmp.Dir)
	if err != nil {
		return nil, err
	}
	if after == nil {
		return nil, &ResolveError{Step: step, Err: ErrNoLockfile}
	}
	after.Path = inv.Manager + " " + strings.Join(inv.Args, " ")
	return &Resolution{After: after, Note: note}, nil
}

// npmResolveGlobalUpdate: npm update -g [names] installs the latest version
// of the named global packages (all of them without names), each as its own
// tree: resolved together in an empty project.
func npmResolveGlobalUpdate(ctx context.Context, inv *Invocation, a npmArgs, proj npmProject) (*Resolution, error) {
	names := a.positional
	if len(names) == 0 {
		args := []string{"ls", "-g", "--depth=0", "--json"}
		if a.prefix != "" {
			args = append(args, "--prefix", absIn(inv.Dir, a.prefix))
		}
		out, err := runOutput(ctx, inv, inv.Dir, "npm", args...)
		if err != nil {
			return nil, err
		}
		var ls struct {
			Dependencies map[string]json.RawMessage `json:"dependencies"`
		}
		if err := json.Unmarshal([]byte(out), &ls); err != nil {
			return nil, &ResolveError{Step: "npm ls -g", Err: fmt.Errorf("reading its answer: %w", err)}
		}
		for n := range ls.Dependencies {
			if n != "npm" && n != "corepack" {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		if len(names) == 0 {
			return nil, nil
		}
	}
	specs := make([]string, len(names))
	for i, n := range names {
		specs[i] = n
		if !strings.Contains(strings.TrimPrefix(n, "@"), "@") {
			specs[i] = n + "@latest"
		}
	}
	return npmResolveFetch(ctx, inv, a, proj, specs, "npm update -g: the latest versions, each resolved as npm installs it")
}
