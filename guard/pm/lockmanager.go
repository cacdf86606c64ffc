package pm

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"go.yaml.in/yaml/v3"

	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/lockfile/tomlpos"
)

// lockManager is a package manager that keeps one lockfile next to its
// manifest (pnpm, yarn, uv, poetry): an install-like command is resolved by
// running the manager's lock-only equivalent in a temporary copy of the
// project, and the lockfile it writes is the package set.
type lockManager struct {
	names []string
	// commands maps what the user may type to the canonical command;
	// install lists the canonical commands that install or lock.
	commands map[string]string
	install  map[string]bool
	// noCommand is the command when none is given ("install" for yarn).
	noCommand string
	// valueFlags take the next argument as their value.
	valueFlags map[string]bool
	// dirFlags name the project folder in place of the working one
	// (pnpm -C/--dir, yarn --cwd, uv --directory/--project, poetry
	// -C/--directory/-P/--project); each is also in valueFlags.
	dirFlags []string
	// markers: the project root is the nearest folder holding one.
	markers []string
	// lockNames: the lockfile, first existing wins.
	lockNames []string
	// copyFiles are copied from the root (and from each workspace member:
	// memberFiles); copyDirs are copied whole (yarn's .yarn/releases).
	copyFiles, memberFiles, copyDirs []string
	// ancestorFiles, when set, are the manager's settings files it reads in
	// every folder above the project too: the copy mirrors them
	// (tempProject.mirror).
	ancestorFiles []string
	// members lists workspace member folders relative to the root.
	members func(root string) []string
	// workspaceRoot, when set, is the root of the workspace the project in
	// p (the nearest folder holding a marker) belongs to, or "".
	workspaceRoot func(p string) string
	// resolve returns the commands (argument lists, each run in order in
	// the copy) that write the lockfile the user's command would.
	resolve func(cmd string, args []string, idx int, hasLock bool, version string) [][]string
	// version, when set, tells the manager's version first (workDir is the
	// copy, dir the project folder); it is passed to resolve (yarn 1 and
	// yarn 2+ resolve differently).
	version func(ctx context.Context, inv *Invocation, workDir, dir string) (string, error)
	// tool is the executable the resolution runs ("" = the name as typed).
	tool string
	// frozen, when set, says that the command installs the lockfile as it
	// is (or fails): then that lockfile is the package set, and nothing is
	// resolved.
	frozen func(cmd string, args []string) bool
	// realRun, when set, says how the real command runs after the private
	// resolution: with runArgs in place of the user's arguments
	// (Resolution.RunArgs; nil: the user's), and whether the lockfile the
	// private resolution wrote is given to it (Resolution.Handoff). dir is
	// the project folder, version the manager's (version).
	realRun func(inv *Invocation, cmd, version, dir string) (runArgs []string, handoff bool)
}

// hasTrueFlag: args (before "--") hold one of the flags, not set to false.
func hasTrueFlag(args []string, flags ...string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		name, val, hasVal := strings.Cut(a, "=")
		for _, f := range flags {
			if name == f && (!hasVal || val == "true") {
				return true
			}
		}
	}
	return false
}

func (m *lockManager) Names() []string { return m.names }

// parse finds the command: the first argument that is not an option (or
// an option's value).
func (m *lockManager) parse(args []string) (cmd string, idx int) {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			break
		}
		if strings.HasPrefix(arg, "-") {
			name, _, hasVal := strings.Cut(arg, "=")
			if !hasVal && m.valueFlags[name] {
				i++
			}
			continue
		}
		if c, ok := m.commands[arg]; ok {
			return c, i
		}
		return arg, i
	}
	return m.noCommand, -1
}

// projectDir is the folder the command works in: the working folder, or
// the one a dirFlag names (the last one; a relative one is relative to the
// working folder). args are the arguments without that flag, for the
// private resolution, which runs in the copy of that folder: given to the
// manager there, the flag would point it at the user's own folder.
func (m *lockManager) projectDir(inv *Invocation) (dir string, args []string) {
	dir, args = inv.Dir, inv.Args
	if len(m.dirFlags) == 0 {
		return dir, args
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, val, hasVal := strings.Cut(a, "=")
		if !slices.Contains(m.dirFlags, name) {
			if !hasVal && m.valueFlags[name] {
				i++
			}
			continue
		}
		n := 1
		if !hasVal {
			if i+1 >= len(args) {
				break // no value: the manager says so when it runs
			}
			val, n = args[i+1], 2
		}
		dir = val
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(inv.Dir, dir)
		}
		args = append(append([]string{}, args[:i]...), args[i+n:]...)
		i--
	}
	return dir, args
}

func (m *lockManager) Classify(inv *Invocation) Command {
	c, _ := m.parse(inv.Args)
	return Command{Name: c, Install: m.install[c]}
}

func (m *lockManager) root(dir string) string {
	p := dir
	for d := dir; ; d = filepath.Dir(d) {
		if slices.ContainsFunc(m.markers, func(mk string) bool { return exists(filepath.Join(d, mk)) }) {
			p = d
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if m.workspaceRoot != nil {
		if r := m.workspaceRoot(p); r != "" {
			return r
		}
	}
	return p
}

// pnpmWorkspaceRoot is pnpm's workspace folder for the project in p: the
// nearest folder from p up holding pnpm-workspace.yaml.
func pnpmWorkspaceRoot(p string) string {
	for _, f := range upward(p, "pnpm-workspace.yaml") {
		if exists(f) {
			return filepath.Dir(f)
		}
	}
	return ""
}

// yarnWorkspaceRoot is yarn's workspace root for the project in p (yarn 1's
// findWorkspaceRoot): the first folder above p whose package.json declares
// workspaces decides: its root when p is one of its members, none when not.
func yarnWorkspaceRoot(p string) string {
	for d := filepath.Dir(p); ; d = filepath.Dir(d) {
		if members := npmStyleMembers(d); len(members) > 0 {
			rel, err := filepath.Rel(d, p)
			if err == nil && slices.Contains(members, filepath.ToSlash(rel)) {
				return d
			}
			return ""
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

func (m *lockManager) lock(dir string) (*lockfile.Lockfile, error) {
	for _, n := range m.lockNames {
		if p := filepath.Join(dir, n); exists(p) {
			return lockfile.Parse(p)
		}
	}
	return nil, nil
}

// copyProject makes a private folder for the manager and copies the
// manager's files (copyFiles) of src into it; the caller removes it.
func (m *lockManager) copyProject(src string) (*tempProject, error) {
	tmp, err := newTempProject(m.names[0])
	if err != nil {
		return nil, err
	}
	if len(m.ancestorFiles) > 0 {
		if err := tmp.mirror(src, m.ancestorFiles); err != nil {
			tmp.Remove()
			return nil, err
		}
	}
	for _, f := range m.copyFiles {
		if _, err := tmp.copyIn(filepath.Join(src, f), f); err != nil {
			tmp.Remove()
			return nil, err
		}
	}
	return tmp, nil
}

func (m *lockManager) Resolve(ctx context.Context, inv *Invocation, cmd Command) (*Resolution, error) {
	dir, args := m.projectDir(inv)
	c, idx := m.parse(args)
	root := m.root(dir)
	// A root found by its lockfile alone may be a workspace member's parent:
	// prefer the workspace root that lists the member.
	res := &Resolution{}
	before, err := m.lock(root)
	if err != nil {
		return nil, err
	}
	if before != nil {
		res.Before = append(res.Before, before)
		if m.frozen != nil && m.frozen(c, inv.Args) {
			// Installs the lockfile as it is, or fails: nothing to resolve.
			before.Path = displayPath(inv, before.Path)
			res.After = before
			res.Note = inv.Manager + " " + c + " installs the lockfile as it is"
			return res, nil
		}
	}
	tmp, err := m.copyProject(root)
	if err != nil {
		return nil, err
	}
	defer tmp.Remove()
	for _, d := range m.copyDirs {
		if err := copyTree(tmp, root, d); err != nil {
			return nil, err
		}
	}
	if m.members != nil {
		for _, mem := range m.members(root) {
			for _, f := range m.memberFiles {
				rel := filepath.Join(filepath.FromSlash(mem), f)
				if _, err := tmp.copyIn(filepath.Join(root, rel), rel); err != nil {
					return nil, err
				}
			}
		}
	}
	workDir := tmp.Dir
	if rel, err := filepath.Rel(root, dir); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
		workDir = filepath.Join(tmp.Dir, rel)
		if err := os.MkdirAll(workDir, 0o700); err != nil {
			return nil, err
		}
		// The project the command runs in, when it is no member: pnpm
		// still takes the workspace root's lockfile for it.
		if err := m.copyProjectOf(tmp, root, dir); err != nil {
			return nil, err
		}
	}
	tool := m.tool
	if tool == "" {
		tool = inv.Manager
	}
	version := ""
	if m.version != nil {
		if version, err = m.version(ctx, inv, workDir, dir); err != nil {
			return nil, err
		}
	}
	steps := m.resolve(c, absArgs(dir, args), idx, before != nil, version)
	if steps == nil {
		// This version of the manager fetches nothing for the command.
		return nil, nil
	}
	for _, args := range steps {
		step := tool + " " + strings.Join(args, " ")
		if err := runCaptured(ctx, inv, workDir, step, tool, args...); err != nil {
			return nil, err
		}
	}
	after, err := m.lock(tmp.Dir)
	if err != nil {
		return nil, err
	}
	if after == nil {
		return nil, &ResolveError{Step: tool + " " + c, Err: ErrNoLockfile}
	}
	project := filepath.Join(root, filepath.Base(after.Path))
	if m.realRun != nil {
		var handoff bool
		if res.RunArgs, handoff = m.realRun(inv, c, version, dir); handoff && !lockAbove(project) {
			if res.Handoff, err = newHandoff(inv, after.Path, project, dir); err != nil {
				return nil, err
			}
		}
	}
	after.Path = displayPath(inv, project)
	res.After = after
	return res, nil
}

// copyProjectOf copies the member files (package.json) of the nearest
// folder from dir up to root (not root) that has them, unless the copy has
// them already (a member's).
func (m *lockManager) copyProjectOf(tmp *tempProject, root, dir string) error {
	for d := dir; d != root && strings.HasPrefix(d, root+string(filepath.Separator)); d = filepath.Dir(d) {
		rel, _ := filepath.Rel(root, d)
		found := false
		for _, f := range m.memberFiles {
			if !exists(filepath.Join(d, f)) {
				continue
			}
			found = true
			if exists(filepath.Join(tmp.Dir, rel, f)) {
				continue
			}
			if _, err := tmp.copyIn(filepath.Join(d, f), filepath.Join(rel, f)); err != nil {
				return err
			}
		}
		if found {
			return nil
		}
	}
	return nil
}

// lockAbove: the project has no lockfile of that name but a folder above
// it has one. The manager may then take that folder for the project's root
// (yarn 2+ takes the nearest yarn.lock): guard does not put a lockfile
// where there was none.
func lockAbove(project string) bool {
	if exists(project) {
		return false
	}
	return slices.ContainsFunc(upward(filepath.Dir(filepath.Dir(project)), filepath.Base(project)), exists)
}

func (m *lockManager) Installed(inv *Invocation, cmd Command) (*lockfile.Lockfile, error) {
	dir, _ := m.projectDir(inv)
	return m.lock(m.root(dir))
}

// absArgs makes arguments that name local paths ("./x", "../y",
// "file:../z", "link:./w") absolute, so that they still point at the
// user's files from the copy.
func absArgs(dir string, args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		prefix, p := "", a
		for _, pre := range []string{"file:", "link:", "portal:"} {
			if rest, ok := strings.CutPrefix(a, pre); ok {
				prefix, p = pre, rest
			}
		}
		if strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") || (prefix != "" && p != "" && !filepath.IsAbs(p)) {
			out[i] = prefix + filepath.Join(dir, p)
			continue
		}
		out[i] = a
	}
	return out
}

// copyTree copies the regular files under root/rel into the copy.
func copyTree(tmp *tempProject, root, rel string) error {
	src := filepath.Join(root, rel)
	if !exists(src) {
		return nil
	}
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil || !info.Mode().IsRegular() {
			return nil
		}
		r, _ := filepath.Rel(root, p)
		_, err = tmp.copyIn(p, r)
		return err
	})
}

// withCommand replaces the command at idx (or appends it when there is
// none) and adds extra flags at the end.
func withCommand(args []string, idx int, cmd string, extra ...string) []string {
	out := append([]string{}, args...)
	if idx < 0 {
		out = append([]string{cmd}, out...)
	} else {
		out[idx] = cmd
	}
	return append(out, extra...)
}

// yarn1PnP: the private install of yarn 1.22 and later is a Plug'n'Play
// one (--pnp): yarn resolves, fetches and writes the same yarn.lock, but
// instead of copying every package from its cache into the copy's
// node_modules it writes one .pnp.js map of where they are (express: 1.05 s
// -> 0.68 s; a 1,291-package app: 11.0 s -> 6.8 s). Nothing in yarn 1's
// resolver reads the setting, only the linker, the integrity file and the
// bail-out when node_modules is up to date do (none of which the copy
// keeps); TestYarn1PnPLockfile compares the lockfiles of both modes. The
// flag also beats --disable-pnp and installConfig.pnp, which only say how
// the user's own node_modules is laid out. yarn 1.12 brought the flag;
// before 1.22 it is not tried.
func yarn1PnP(version string) bool {
	major, rest, _ := strings.Cut(strings.TrimSpace(version), ".")
	minor, _, _ := strings.Cut(rest, ".")
	n, err := strconv.Atoi(minor)
	return major == "1" && err == nil && n >= 22
}

// yarnResolveSteps: what writes the lockfile the user's yarn command would.
func yarnResolveSteps(cmd string, args []string, idx int, _ bool, version string) [][]string {
	if isYarn1(version) {
		switch cmd {
		case "up", "dedupe":
			// Not yarn 1 commands: yarn 1 runs the package.json script of
			// that name, which downloads nothing.
			return nil
		case "upgrade-interactive":
			// The same upgrades on offer, all taken (the caller adds the
			// lockfile as it was: the user may take any of them).
			cmd = "upgrade"
		}
		// yarn 1 has no lockfile-only mode: it installs into the copy,
		// scripts off (nothing runs).
		extra := []string{"--ignore-scripts", "--non-interactive", "--no-progress"}
		if yarn1PnP(version) {
			extra = append(extra, "--pnp")
		}
		return [][]string{withCommand(args, idx, cmd, extra...)}
	}
	if cmd == "upgrade" {
		cmd = "up"
	}
	// yarn 2+ writes the lockfile without linking or running scripts.
	return [][]string{withCommand(args, idx, cmd, "--mode=update-lockfile")}
}

// pnpmMembers reads pnpm-workspace.yaml's package globs.
func pnpmMembers(root string) []string {
	data, err := lockfile.ReadFile(filepath.Join(root, "pnpm-workspace.yaml"))
	if err != nil {
		return nil
	}
	var ws struct {
		Packages []string `yaml:"packages"`
	}
	if yaml.Unmarshal(data, &ws) != nil {
		return nil
	}
	return lockfile.WorkspaceMembers(root, ws.Packages, "package.json")
}

// npmStyleMembers reads package.json "workspaces" (yarn).
func npmStyleMembers(root string) []string {
	m, _ := npmWorkspaces(root)
	return m
}

// uvMembers reads pyproject.toml's [tool.uv.workspace] members (and
// exclude) and lists the member folders.
func uvMembers(root string) []string {
	data, err := lockfile.ReadFile(filepath.Join(root, "pyproject.toml"))
	if err != nil {
		return nil
	}
	var py struct {
		Tool struct {
			UV struct {
				Workspace struct {
					Members []string `toml:"members"`
					Exclude []string `toml:"exclude"`
				} `toml:"workspace"`
			} `toml:"uv"`
		} `toml:"tool"`
	}
	// The decoder's time grows superlinearly with nesting: a hostile file
	// is not decoded.
	if _, deep := tomlpos.Outline(data).DeeperThan(tomlpos.MaxNesting); deep || toml.Unmarshal(data, &py) != nil {
		return nil
	}
	patterns := py.Tool.UV.Workspace.Members
	for _, e := range py.Tool.UV.Workspace.Exclude {
		patterns = append(patterns, "!"+e)
	}
	return lockfile.WorkspaceMembers(root, patterns, "pyproject.toml")
}

func init() {
	register(&pnpmManager{&lockManager{
		names: []string{"pnpm"},
		// pnpm 9's own command names (commandNames in pnpm's source).
		commands: map[string]string{"i": "install", "add": "add", "up": "update", "upgrade": "update",
			"rm": "remove", "uninstall": "remove", "un": "remove", "uni": "remove", "it": "install-test",
			"multi": "recursive", "m": "recursive", "clean-install": "ci", "ic": "ci", "install-clean": "ci"},
		install: map[string]bool{"install": true, "add": true, "update": true, "remove": true, "install-test": true, "dedupe": true,
			"import": true, "fetch": true, "ci": true},
		noCommand: "",
		valueFlags: map[string]bool{"-C": true, "--dir": true, "--filter": true, "-F": true, "--workspace-root": false,
			"--reporter": true, "--loglevel": true, "--registry": true, "--store-dir": true, "--config": false},
		dirFlags:      []string{"-C", "--dir"},
		markers:       []string{"pnpm-workspace.yaml", "pnpm-lock.yaml", "package.json"},
		lockNames:     []string{"pnpm-lock.yaml"},
		copyFiles:     []string{"package.json", "pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc"},
		memberFiles:   []string{"package.json"},
		members:       pnpmMembers,
		workspaceRoot: pnpmWorkspaceRoot,
		frozen: func(cmd string, args []string) bool {
			return cmd == "install" && hasTrueFlag(args, "--frozen-lockfile")
		},
		resolve: func(cmd string, args []string, idx int, _ bool, _ string) [][]string {
			extra := []string{"--lockfile-only", "--ignore-scripts", "--ignore-pnpmfile"}
			switch cmd {
			case "install-test", "fetch", "import":
				cmd = "install"
			case "ci":
				// A clean install of the lockfile as it is.
				cmd, extra = "install", append(extra, "--frozen-lockfile")
			}
			return [][]string{withCommand(args, idx, cmd, extra...)}
		},
		realRun: pnpmRealRun,
	}})
	register(pnpxManager{})
	register(&yarnManager{&lockManager{
		names: []string{"yarn"},
		// yarn 1 takes exact command names only (plus the two aliases of
		// its lib/cli/aliases.js); anything else runs the package.json
		// script of that name. up and dedupe are yarn 2+ commands.
		commands: map[string]string{"install": "install", "add": "add", "up": "up", "upgrade": "upgrade",
			"upgrade-interactive": "upgrade-interactive", "upgradeInteractive": "upgrade-interactive",
			"remove": "remove", "dedupe": "dedupe"},
		install:    map[string]bool{"install": true, "add": true, "up": true, "upgrade": true, "upgrade-interactive": true, "remove": true, "dedupe": true},
		noCommand:  "install",
		valueFlags: map[string]bool{"--cwd": true, "--registry": true, "--modules-folder": true, "--cache-folder": true, "--global-folder": true, "--prefix": true},
		dirFlags:   []string{"--cwd"},
		markers:    []string{"yarn.lock", ".yarnrc.yml", "package.json"},
		lockNames:  []string{"yarn.lock"},
		copyFiles:  []string{"package.json", "yarn.lock", ".yarnrc", ".yarnrc.yml", ".npmrc"},
		// yarn 1 reads .yarnrc and .npmrc, yarn 2+ .yarnrc.yml, in every
		// folder from the working one up.
		ancestorFiles: []string{".yarnrc", ".yarnrc.yml", ".npmrc"},
		copyDirs:      []string{filepath.Join(".yarn", "releases"), filepath.Join(".yarn", "plugins"), filepath.Join(".yarn", "patches")},
		memberFiles:   []string{"package.json"},
		members:       npmStyleMembers,
		workspaceRoot: yarnWorkspaceRoot,
		version:       yarnVersion,
		resolve:       yarnResolveSteps,
		realRun: func(inv *Invocation, cmd, version, dir string) ([]string, bool) {
			return nil, yarnHandoff(inv, cmd, version, dir)
		},
		// yarn 1 --frozen-lockfile, yarn 2+ --immutable (and its old
		// spelling --frozen-lockfile).
		frozen: func(cmd string, args []string) bool {
			return cmd == "install" && hasTrueFlag(args, "--frozen-lockfile", "--immutable")
		},
	}})
	register(&uvManager{lockManager: &lockManager{
		names:      []string{"uv"},
		commands:   map[string]string{},
		install:    map[string]bool{"sync": true, "add": true, "lock": true, "remove": true, "run": true},
		valueFlags: map[string]bool{"--directory": true, "--project": true, "--python": true, "-p": true, "--index": true, "--default-index": true, "--config-file": true, "--cache-dir": true},
		dirFlags:   []string{"--directory", "--project"},
		markers:    []string{"uv.lock", "pyproject.toml"},
		lockNames:  []string{"uv.lock"},
		copyFiles:  []string{"pyproject.toml", "uv.lock", "uv.toml", ".python-version", "README.md"},
		// uv takes its settings from the nearest uv.toml, or pyproject.toml
		// with a [tool.uv] table, from the working folder up (uv's
		// documentation, "Configuration files"; uv was not installable
		// where this was written), and looks above the project for a
		// workspace that lists it.
		ancestorFiles: []string{"uv.toml", "pyproject.toml"},
		memberFiles:   []string{"pyproject.toml", "README.md"},
		members:       uvMembers,
		// --no-build: uv builds a source distribution (running its build
		// backend, the package's own code) to read the metadata of a
		// dependency that has no wheel; with --no-build that resolution fails
		// instead (exit 3). The command line wins over [tool.uv] and uv.toml.
		resolve: func(cmd string, args []string, idx int, _ bool, _ string) [][]string {
			noBuild := []string{"--no-build"}
			if hasTrueFlag(args, "--no-build") {
				noBuild = nil // uv refuses a flag given twice
			}
			switch cmd {
			case "add", "remove":
				return [][]string{withCommand(args, idx, cmd, append([]string{"--no-sync"}, noBuild...)...)}
			case "lock":
				// uv lock with the user's own options (--upgrade,
				// --upgrade-package, --prerelease, ...): the lockfile it writes.
				return [][]string{withCommand(args, idx, cmd, noBuild...)}
			}
			// sync and run: the lockfile they would use, brought up to date
			// (with the upgrades asked for) and nothing else.
			return [][]string{append(append([]string{"lock"}, uvUpgradeArgs(args)...), "--no-build")}
		},
	}})
	register(&lockManager{
		names:      []string{"poetry"},
		commands:   map[string]string{},
		install:    map[string]bool{"install": true, "add": true, "lock": true, "update": true, "remove": true, "sync": true},
		valueFlags: map[string]bool{"-C": true, "--directory": true, "-P": true, "--project": true},
		dirFlags:   []string{"-C", "--directory", "-P", "--project"},
		markers:    []string{"poetry.lock", "pyproject.toml"},
		lockNames:  []string{"poetry.lock"},
		copyFiles:  []string{"pyproject.toml", "poetry.lock", "poetry.toml", "README.md"},
		resolve: func(cmd string, args []string, idx int, _ bool, _ string) [][]string {
			switch cmd {
			case "add", "update", "remove":
				return [][]string{withCommand(args, idx, cmd, "--lock")}
			}
			return [][]string{{"lock"}}
		},
	})
}

// uvSyncValueFlags are uv sync/run options that take the next argument as
// their value (--prerelease, --resolution and --exclude-newer are passed on
// by uvUpgradeArgs).
var uvSyncValueFlags = map[string]bool{"--directory": true, "--project": true, "--python": true, "-p": true,
	"--index": true, "--default-index": true, "--index-url": true, "--extra-index-url": true, "--config-file": true,
	"--cache-dir": true, "--with": true, "--with-requirements": true, "--with-editable": true, "--extra": true,
	"--group": true, "--only-group": true, "--no-group": true, "--package": true, "--env-file": true, "--prerelease": true,
	"--resolution": true, "--exclude-newer": true, "--find-links": true, "-f": true, "--script": true, "-s": true}

// uvUpgradeArgs are the options of a uv sync/run command line (before
// "--" and before run's command) that change the lockfile it brings up to
// date: --upgrade/-U, --upgrade-package/-P NAME, --prerelease,
// --resolution and --exclude-newer.
func uvUpgradeArgs(args []string) []string {
	var out []string
	seenCmd := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") {
			if seenCmd {
				break // uv run's command and its own arguments
			}
			seenCmd = true
			continue
		}
		name, _, hasVal := strings.Cut(a, "=")
		switch {
		case name == "--upgrade" || name == "-U":
			out = append(out, a)
		case name == "--upgrade-package" || name == "-P" || name == "--prerelease" || name == "--resolution" || name == "--exclude-newer":
			out = append(out, a)
			if !hasVal && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
		case strings.HasPrefix(a, "-P") && len(a) > 2:
			out = append(out, a) // -PNAME
		case !hasVal && uvSyncValueFlags[name]:
			i++ // the option's value is not run's command
		}
	}
	return out
}
