package pm

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/lockfile/regfile"
)

// pnpm and yarn commands that download packages outside the project (dlx,
// create, global installs, self-update) and yarn 1's upgrade commands.

// pnpmManager is pnpm's project commands (a lockManager) plus dlx, create,
// self-update and global (-g) commands.
type pnpmManager struct{ *lockManager }

// pnpmGlobalCommands change pnpm's global project with -g.
var pnpmGlobalCommands = map[string]bool{"add": true, "update": true, "remove": true, "install": true}

// pnpmCommand is the command pnpm runs: "pnpm recursive install" (and its
// aliases multi, m) is install.
func (m *pnpmManager) command(args []string) (string, int) {
	c, idx := m.parse(args)
	if c == "recursive" && idx >= 0 {
		sub, sidx := m.parse(args[idx+1:])
		if sidx >= 0 {
			return sub, idx + 1 + sidx
		}
		return "install", -1
	}
	return c, idx
}

func hasGlobalFlag(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if a == "-g" || a == "--global" || a == "--global=true" {
			return true
		}
	}
	return false
}

func (m *pnpmManager) Classify(inv *Invocation) Command {
	c, _ := m.command(inv.Args)
	switch {
	case c == "dlx" || c == "create" || c == "self-update":
		return Command{Name: c, Install: true}
	case hasGlobalFlag(inv.Args) && pnpmGlobalCommands[c]:
		return Command{Name: c + " -g", Install: true}
	}
	return Command{Name: c, Install: m.install[c]}
}

// dlxSpecs are the packages `<tool> dlx` fetches: its --package values, or
// the command (first positional argument after dlx).
func dlxSpecs(args []string, idx int, valueFlags map[string]bool) []string {
	var pkgs []string
	for i := idx + 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if len(pkgs) == 0 && i+1 < len(args) {
				return []string{args[i+1]}
			}
			break
		}
		if strings.HasPrefix(a, "-") {
			name, val, hasVal := strings.Cut(a, "=")
			if name == "--package" || name == "-p" {
				if !hasVal && i+1 < len(args) {
					i++
					val = args[i]
				}
				pkgs = append(pkgs, val)
				continue
			}
			if !hasVal && valueFlags[name] {
				i++
			}
			continue
		}
		if len(pkgs) > 0 {
			return pkgs
		}
		return []string{a}
	}
	return pkgs
}

// firstPositional is the first argument after idx that is no option.
func firstPositional(args []string, idx int) string {
	for i := idx + 1; i < len(args); i++ {
		if args[i] == "--" {
			break
		}
		if !strings.HasPrefix(args[i], "-") {
			return args[i]
		}
	}
	return ""
}

func (m *pnpmManager) Resolve(ctx context.Context, inv *Invocation, cmd Command) (*Resolution, error) {
	c, idx := m.command(inv.Args)
	switch {
	case c == "dlx":
		specs := dlxSpecs(inv.Args, idx, map[string]bool{"--allow-build": true, "--reporter": true})
		if len(specs) == 0 {
			return nil, nil
		}
		return pnpmResolveFetch(ctx, inv, specs, "what pnpm dlx would download: "+strings.Join(specs, " "))
	case c == "create":
		p := firstPositional(inv.Args, idx)
		if p == "" {
			return nil, nil
		}
		return pnpmResolveFetch(ctx, inv, []string{npmInitializer(p)}, "pnpm create "+p+" runs "+npmInitializer(p))
	case c == "self-update":
		v := firstPositional(inv.Args, idx)
		if v == "" {
			v = "latest"
		}
		return pnpmResolveFetch(ctx, inv, []string{"pnpm@" + v}, "pnpm self-update installs pnpm@"+v)
	case hasGlobalFlag(inv.Args) && pnpmGlobalCommands[c]:
		return m.resolveGlobal(ctx, inv, c, idx)
	}
	return m.lockManager.Resolve(ctx, inv, cmd)
}

// resolveGlobal: pnpm's global packages are one project (the folder above
// `pnpm root -g`). Its package.json and lockfile are copied into a private
// folder and the user's command runs there without -g: the global folder
// itself is never written.
func (m *pnpmManager) resolveGlobal(ctx context.Context, inv *Invocation, c string, idx int) (*Resolution, error) {
	out, err := runOutput(ctx, inv, inv.Dir, "pnpm", "root", "-g")
	if err != nil {
		return nil, err
	}
	global := filepath.Dir(strings.TrimSpace(out))
	var args []string
	for i, a := range absArgs(inv.Dir, inv.Args) {
		switch {
		case a == "-g" || a == "--global" || a == "--global=true":
			continue
		case i == idx:
			a = c
		}
		args = append(args, a)
	}
	args = append(args, "--lockfile-only", "--ignore-scripts", "--ignore-pnpmfile")
	return m.resolveCopyOf(ctx, inv, global, "pnpm", [][]string{args}, "pnpm "+strings.Join(inv.Args, " "),
		"pnpm global packages ("+global+"): the command run on a private copy")
}

// resolveCopyOf copies the manager's files of src into a private folder,
// runs the steps there and reads the lockfile they leave. Before is src's
// own lockfile.
func (m *lockManager) resolveCopyOf(ctx context.Context, inv *Invocation, src, tool string, steps [][]string, display, note string) (*Resolution, error) {
	res := &Resolution{Note: note}
	before, err := m.lock(src)
	if err != nil {
		return nil, err
	}
	if before != nil {
		res.Before = append(res.Before, before)
	}
	tmp, err := m.copyProject(src)
	if err != nil {
		return nil, err
	}
	defer tmp.Remove()
	if !exists(filepath.Join(tmp.Dir, "package.json")) {
		if err := os.WriteFile(filepath.Join(tmp.Dir, "package.json"), []byte("{}\n"), 0o600); err != nil {
			return nil, err
		}
	}
	for _, args := range steps {
		step := tool + " " + strings.Join(args, " ")
		if err := runCaptured(ctx, inv, tmp.Dir, step, tool, args...); err != nil {
			return nil, err
		}
	}
	after, err := m.lock(tmp.Dir)
	if err != nil {
		return nil, err
	}
	if after == nil {
		return nil, &ResolveError{Step: tool + " " + strings.Join(steps[len(steps)-1], " "), Err: ErrNoLockfile}
	}
	after.Path = display
	res.After = after
	return res, nil
}

// pnpmResolveFetch resolves package specs as pnpm dlx installs them: in a
// private empty project (with the project's .npmrc for its registry
// settings), lockfile only.
func pnpmResolveFetch(ctx context.Context, inv *Invocation, specs []string, note string) (*Resolution, error) {
	m, _ := Lookup("pnpm")
	pm := m.(*pnpmManager)
	tmp, err := newTempProject("pnpm")
	if err != nil {
		return nil, err
	}
	defer tmp.Remove()
	if _, err := tmp.copyIn(filepath.Join(pm.root(inv.Dir), ".npmrc"), ".npmrc"); err != nil {
		return nil, err
	}
	args := append([]string{"add"}, absArgs(inv.Dir, specs)...)
	args = append(args, "--lockfile-only", "--ignore-scripts", "--ignore-pnpmfile")
	return pm.resolveCopyOf(ctx, inv, tmp.Dir, "pnpm", [][]string{args}, inv.Manager+" "+strings.Join(inv.Args, " "), note)
}

// pnpxManager is `pnpx ...`: pnpm dlx under another name.
type pnpxManager struct{}

func (pnpxManager) Names() []string { return []string{"pnpx"} }

func (pnpxManager) Classify(*Invocation) Command { return Command{Install: true} }

func (pnpxManager) Resolve(ctx context.Context, inv *Invocation, cmd Command) (*Resolution, error) {
	m, _ := Lookup("pnpm")
	pinv := *inv
	pinv.Args = append([]string{"dlx"}, inv.Args...)
	res, err := m.Resolve(ctx, &pinv, cmd)
	if res != nil && res.After != nil {
		res.After.Path = "pnpx " + strings.Join(inv.Args, " ")
	}
	return res, err
}

func (pnpxManager) Installed(*Invocation, Command) (*lockfile.Lockfile, error) { return nil, nil }

// yarnManager is yarn's project commands (a lockManager) plus yarn 1's
// global commands, upgrade and upgrade-interactive, and yarn 2+'s dlx.
type yarnManager struct{ *lockManager }

// yarnGlobalCommands are the `yarn global` subcommands that fetch.
var yarnGlobalCommands = map[string]bool{"add": true, "upgrade": true, "upgrade-interactive": true, "upgradeInteractive": true, "remove": true}

func (m *yarnManager) Classify(inv *Invocation) Command {
	c, idx := m.parse(inv.Args)
	switch c {
	case "global":
		sub := firstPositional(inv.Args, idx)
		return Command{Name: "global " + sub, Install: yarnGlobalCommands[sub]}
	case "dlx", "create":
		return Command{Name: c, Install: true}
	}
	return m.lockManager.Classify(inv)
}

func isYarn1(version string) bool {
	return strings.HasPrefix(version, "0.") || strings.HasPrefix(version, "1.")
}

// yarnVersion is the version of the yarn that runs in cwd for the project
// in dir: yarnInstalledVersion, else yarn --version's answer.
func yarnVersion(ctx context.Context, inv *Invocation, cwd, dir string) (string, error) {
	if v := yarnInstalledVersion(inv, dir); v != "" {
		return v, nil
	}
	out, err := runOutput(ctx, inv, cwd, "yarn", "--version")
	return strings.TrimSpace(out), err
}

// yarnInstalledVersion reads the version of yarn from its installation
// instead of starting it (yarn --version is a node start: 0.13-0.19 s of
// every guarded yarn 1 command, 0.26-0.29 s with yarn 4): when the yarn on
// PATH is, through its symbolic links, a yarn release's own bin/yarn.js or
// bin/yarn (npm's global install of yarn 1 or of yarn 2+'s
// @yarnpkg/cli-dist, yarn 1's release tarball), the package.json beside
// bin/ names it. "" — ask yarn — when that package is neither, when the
// layout is anything else (corepack's shims, a wrapper script), or when
// yarn could run another yarn in its place: a yarnrc either reads
// (yarnrcFiles) mentioning yarn-path or yarnPath, a yarnrc named on the
// command line (yarn 1's --use-yarnrc), or the variables that set yarn
// 2+'s yarnPath or rc file name.
func yarnInstalledVersion(inv *Invocation, dir string) string {
	namesYarn := func(s string) bool {
		l := strings.ToLower(s)
		return strings.Contains(l, "yarn-path") || strings.Contains(l, "yarnpath")
	}
	for _, a := range inv.Args {
		if a == "--" {
			break
		}
		if strings.Contains(strings.ToLower(a), "yarnrc") || namesYarn(a) {
			return ""
		}
	}
	if inv.Getenv("YARN_YARN_PATH") != "" || inv.Getenv("YARN_RC_FILENAME") != "" {
		return ""
	}
	p, err := inv.LookPath("yarn")
	if err != nil {
		return ""
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil || filepath.Base(filepath.Dir(real)) != "bin" {
		return ""
	}
	if b := filepath.Base(real); b != "yarn.js" && b != "yarn" {
		return ""
	}
	data, err := regfile.Read(filepath.Join(filepath.Dir(filepath.Dir(real)), "package.json"), 1<<20)
	if err != nil {
		return ""
	}
	var pkg struct{ Name, Version string }
	if json.Unmarshal(data, &pkg) != nil || strings.ContainsAny(pkg.Version, " \t\r\n") ||
		!(pkg.Name == "yarn" && strings.HasPrefix(pkg.Version, "1.") || pkg.Name == "@yarnpkg/cli-dist" && pkg.Version != "" && !isYarn1(pkg.Version)) {
		return ""
	}
	if anyFileSays(yarnrcFiles(inv, dir), namesYarn) {
		return ""
	}
	return pkg.Version
}

func (m *yarnManager) Resolve(ctx context.Context, inv *Invocation, cmd Command) (*Resolution, error) {
	c, idx := m.parse(inv.Args)
	// Every path below runs yarn (yarn --version first): the project's
	// yarn release and plugins are refused before any of them.
	if err := checkYarnrc(inv, inv.Dir); err != nil {
		return nil, err
	}
	switch c {
	case "global", "dlx", "create":
	case "upgrade-interactive":
		v, err := yarnVersion(ctx, inv, inv.Dir, m.root(inv.Dir))
		if err != nil {
			return nil, err
		}
		if !isYarn1(v) {
			return nil, &ResolveError{Step: "yarn upgrade-interactive", Err: fmt.Errorf("guard cannot know which upgrades you will pick in yarn %s: run 'guard yarn up NAME@VERSION' for each", v)}
		}
		fallthrough
	default:
		res, err := m.lockManager.Resolve(ctx, inv, cmd)
		if err == nil && res != nil && res.After != nil && c == "upgrade-interactive" {
			// The user picks which upgrades to take: every mix of the old and
			// the upgraded lockfile is checked.
			res.After.Packages = append(res.After.Packages, lockPackages(res.Before)...)
			res.Note = "yarn upgrade-interactive: the lockfile as it is and after every upgrade on offer"
		}
		return res, err
	}
	v, err := yarnVersion(ctx, inv, inv.Dir, m.root(inv.Dir))
	if err != nil {
		return nil, err
	}
	yarn1 := isYarn1(v)
	switch {
	case c == "dlx" && yarn1:
		// yarn 1 has no dlx: it runs the package.json script of that name.
		return nil, nil
	case c == "dlx":
		specs := dlxSpecs(inv.Args, idx, map[string]bool{})
		if len(specs) == 0 {
			return nil, nil
		}
		return yarnResolveFetch(ctx, inv, specs, "what yarn dlx would download: "+strings.Join(specs, " ")+" (resolved with npm)")
	case c == "create":
		p := firstPositional(inv.Args, idx)
		if p == "" {
			return nil, nil
		}
		if yarn1 {
			// yarn 1: yarn global add create-<name>, then run it.
			return m.resolveGlobal(ctx, inv, "add", []string{npmInitializer(p)})
		}
		return yarnResolveFetch(ctx, inv, []string{npmInitializer(p)}, "yarn create "+p+" runs "+npmInitializer(p)+" (resolved with npm)")
	case !yarn1:
		// yarn 2+ has no global commands: yarn itself says so.
		return nil, nil
	}
	// yarn 1 global SUB ARGS.
	sub := ""
	var rest []string
	for i := idx + 1; i < len(inv.Args); i++ {
		a := inv.Args[i]
		if sub == "" && !strings.HasPrefix(a, "-") {
			sub = a
			continue
		}
		rest = append(rest, a)
	}
	return m.resolveGlobal(ctx, inv, sub, rest)
}

// yarnGlobalOnlyFlags are options of yarn global that name the global
// folders: they tell guard which folder to copy and are left out of the
// copy's command.
var yarnGlobalOnlyFlags = map[string]bool{"--prefix": true, "--global-folder": true, "--modules-folder": true, "--cwd": true}

// resolveGlobal: yarn 1's global packages are one project in `yarn global
// dir`. Its package.json and yarn.lock are copied into a private folder and
// the subcommand runs there as a project command with scripts off: the
// global folder and its bin links are never written.
func (m *yarnManager) resolveGlobal(ctx context.Context, inv *Invocation, sub string, rest []string) (*Resolution, error) {
	dirArgs := []string{"global", "dir"}
	var args []string
	for i := 0; i < len(inv.Args); i++ {
		name, _, hasVal := strings.Cut(inv.Args[i], "=")
		if name == "--global-folder" {
			dirArgs = append(dirArgs, inv.Args[i])
			if !hasVal && i+1 < len(inv.Args) {
				dirArgs = append(dirArgs, absIn(inv.Dir, inv.Args[i+1]))
			}
		}
	}
	out, err := runOutput(ctx, inv, inv.Dir, "yarn", dirArgs...)
	if err != nil {
		return nil, err
	}
	global := strings.TrimSpace(out)
	if sub == "upgrade-interactive" || sub == "upgradeInteractive" {
		sub = "upgrade"
	}
	args = append(args, sub)
	for i := 0; i < len(rest); i++ {
		name, _, hasVal := strings.Cut(rest[i], "=")
		if yarnGlobalOnlyFlags[name] {
			if !hasVal {
				i++
			}
			continue
		}
		args = append(args, absArgs(inv.Dir, rest[i:i+1])...)
	}
	args = append(args, "--ignore-scripts", "--non-interactive", "--no-progress", "--no-bin-links")
	return m.resolveCopyOf(ctx, inv, global, "yarn", [][]string{args}, "yarn "+strings.Join(inv.Args, " "),
		"yarn global packages ("+global+"): the command run on a private copy")
}

// yarnResolveFetch resolves what yarn 2+'s dlx fetches. yarn 2+ needs a
// project of its own to resolve in; npm resolves the same registry
// packages with the same semver rules, so npm does it.
func yarnResolveFetch(ctx context.Context, inv *Invocation, specs []string, note string) (*Resolution, error) {
	ninv := *inv
	ninv.Manager = "yarn"
	proj := findNpmProject(inv, "")
	res, err := npmResolveFetch(ctx, &ninv, npmArgs{}, proj, specs, note)
	if err != nil {
		return nil, fmt.Errorf("resolving with npm (for yarn %s): %w", strings.Join(specs, " "), err)
	}
	return res, nil
}

func lockPackages(lfs []*lockfile.Lockfile) []lockfile.Package {
	var out []lockfile.Package
	for _, lf := range lfs {
		if lf != nil {
			out = append(out, lf.Packages...)
		}
	}
	return out
}
