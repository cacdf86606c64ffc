package pm

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/installguard/guard/lockfile"
)

func init() { register(npmManager{}) }

type npmManager struct{}

func (npmManager) Names() []string { return []string{"npm"} }

// npmCommands and npmAliases are npm's own command list and aliases
// (lib/utils/cmd-list.js of npm 11); npm also accepts any unambiguous
// abbreviation of them, and so does npmDeref.
var npmCommands = []string{
	"access", "adduser", "approve-scripts", "audit", "bugs", "cache", "ci", "completion", "config",
	"dedupe", "deny-scripts", "deprecate", "diff", "dist-tag", "docs", "doctor", "edit", "exec",
	"explain", "explore", "find-dupes", "fund", "get", "help", "help-search", "init", "install",
	"install-ci-test", "install-scripts", "install-test", "link", "ll", "login", "logout", "ls", "org",
	"outdated", "owner", "pack", "ping", "pkg", "prefix", "profile", "prune", "publish", "query",
	"rebuild", "repo", "restart", "root", "run", "sbom", "search", "set", "shrinkwrap", "stage",
	"star", "stars", "start", "stop", "team", "test", "token", "trust", "undeprecate", "uninstall",
	"unpublish", "unstar", "update", "version", "view", "whoami",
}

var npmAliases = map[string]string{
	"author": "owner", "home": "docs", "issues": "bugs", "info": "view", "show": "view", "find": "search",
	"add": "install", "unlink": "uninstall", "remove": "uninstall", "rm": "uninstall", "r": "uninstall",
	"un": "uninstall", "rb": "rebuild", "list": "ls", "ln": "link", "create": "init", "i": "install",
	"it": "install-test", "cit": "install-ci-test", "u": "update", "up": "update", "c": "config",
	"s": "search", "se": "search", "tst": "test", "t": "test", "ddp": "dedupe", "v": "view",
	"run-script": "run", "clean-install": "ci", "clean-install-test": "install-ci-test", "x": "exec",
	"why": "explain", "la": "ll", "verison": "version", "ic": "ci", "innit": "init", "in": "install",
	"ins": "install", "inst": "install", "insta": "install", "instal": "install", "isnt": "install",
	"isnta": "install", "isntal": "install", "isntall": "install", "install-clean": "ci",
	"isntall-clean": "ci", "hlep": "help", "dist-tags": "dist-tag", "upgrade": "update",
	"udpate": "update", "rum": "run", "sit": "install-ci-test", "urn": "run", "ogr": "org",
	"add-user": "adduser",
	// npm 6 and older.
	"isntal-clean": "ci", "ic-test": "install-ci-test",
}

// npmInstallCommands are the canonical commands that download packages into
// the project: they are checked first. uninstall and dedupe rebuild the
// whole tree (and install whatever the lockfile lists that is missing).
var npmInstallCommands = map[string]bool{
	"install": true, "ci": true, "update": true, "install-test": true, "install-ci-test": true,
	"dedupe": true, "uninstall": true,
}

// npmDeref maps what the user typed to npm's canonical command, as npm
// does: exact command, alias, then unambiguous abbreviation (resolved
// through aliases); camelCase is read as kebab-case.
func npmDeref(c string) string {
	if c == "" {
		return ""
	}
	if strings.ToLower(c) != c {
		var b strings.Builder
		for _, r := range c {
			if r >= 'A' && r <= 'Z' {
				b.WriteByte('-')
				r += 'a' - 'A'
			}
			b.WriteRune(r)
		}
		c = b.String()
	}
	for _, x := range npmCommands {
		if x == c {
			return c
		}
	}
	if a, ok := npmAliases[c]; ok {
		return a
	}
	// abbrev: c is the unique word starting with c, or a prefix of exactly
	// one word.
	match := ""
	for _, w := range npmWords() {
		if strings.HasPrefix(w, c) {
			if match != "" {
				return ""
			}
			match = w
		}
	}
	for npmAliases[match] != "" {
		match = npmAliases[match]
	}
	return match
}

func npmWords() []string {
	ws := append([]string{}, npmCommands...)
	for a := range npmAliases {
		ws = append(ws, a)
	}
	return ws
}

// npmValueFlags are npm options that take the next argument as their value
// when written without "=" (so that value is not the command).
var npmValueFlags = map[string]bool{
	"--prefix": true, "-C": true, "--registry": true, "--cache": true, "--userconfig": true,
	"--globalconfig": true, "--loglevel": true, "--workspace": true, "-w": true, "--tag": true,
	"--omit": true, "--include": true, "--install-strategy": true, "--location": true, "-L": true,
	"--script-shell": true, "--node-options": true, "--otp": true, "--scope": true, "--before": true,
	"--auth-type": true, "--cafile": true, "--proxy": true, "--https-proxy": true, "--noproxy": true,
	"--save-prefix": true, "--fetch-retries": true, "--fetch-timeout": true, "--cache-max": true,
	"--cache-min": true, "--local-address": true, "--maxsockets": true, "--user-agent": true,
	"--cpu": true, "--os": true, "--libc": true, "--editor": true,
	"--shell": true, "--min-release-age": true, "--allow-git": true,
	"--package": true, "-c": true, "--call": true,
}

// npmArgs is what guard needs to know of an npm command line.
type npmArgs struct {
	cmd      string // canonical command
	cmdIndex int    // index of the command in args, -1 when there is none
	global   bool
	prefix   string // --prefix / -C value
	// positional are the arguments after the command that are no option
	// or option value (everything after "--" included).
	positional []string
	packages   []string // --package values (npm exec)
	call       bool     // -c / --call (npm exec)
}

func parseNpmArgs(args []string, getenv func(string) string) npmArgs {
	a := npmArgs{cmdIndex: -1}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			if a.cmdIndex >= 0 {
				a.positional = append(a.positional, args[i+1:]...)
			}
			break
		}
		if strings.HasPrefix(arg, "-") && arg != "-" {
			name, val, hasVal := strings.Cut(arg, "=")
			switch name {
			case "--package":
				if !hasVal && i+1 < len(args) {
					val = args[i+1]
				}
				a.packages = append(a.packages, val)
			case "-c", "--call":
				a.call = true
			case "-g", "--global":
				a.global = !hasVal || val == "true"
			case "--location", "-L":
				if !hasVal && i+1 < len(args) {
					val = args[i+1]
				}
				a.global = val == "global"
			case "--prefix", "-C":
				if !hasVal && i+1 < len(args) {
					val = args[i+1]
				}
				a.prefix = val
			}
			if !hasVal && npmValueFlags[name] {
				i++
			}
			continue
		}
		if a.cmdIndex < 0 {
			if c := npmDeref(arg); c != "" {
				a.cmd, a.cmdIndex = c, i
			}
			continue
		}
		a.positional = append(a.positional, arg)
	}
	if !a.global && (truthyEnv(getenv("npm_config_global")) || getenv("npm_config_location") == "global") {
		a.global = true
	}
	return a
}

func truthyEnv(s string) bool { return s == "true" || s == "1" }

func (npmManager) Classify(inv *Invocation) Command {
	a := parseNpmArgs(inv.Args, inv.Getenv)
	return npmClassify(a)
}

func npmClassify(a npmArgs) Command {
	switch {
	case a.cmd == "exec":
		// Downloads the package (and its dependencies) and runs it.
		return Command{Name: "exec", Install: true}
	case a.cmd == "init" && len(a.positional) > 0:
		// npm init <initializer> is npm exec create-<initializer>.
		return Command{Name: "init", Install: true}
	case a.cmd == "audit" && len(a.positional) > 0 && a.positional[0] == "fix":
		return Command{Name: "audit fix", Install: true}
	case a.global && a.cmd == "uninstall":
		// Removes global packages: nothing is fetched.
		return Command{Name: a.cmd}
	}
	return Command{Name: a.cmd, Install: npmInstallCommands[a.cmd]}
}

// npmLockNames are the lockfiles npm writes, the one it prefers first.
var npmLockNames = []string{"npm-shrinkwrap.json", "package-lock.json"}

// npmProject is where npm would work: its root (npm's "local prefix") and
// the user's folder relative to it.
type npmProject struct {
	root string
	rel  string
}

// findNpmProject follows npm's own rule: with --prefix that folder;
// otherwise the nearest folder from the working directory up that holds a
// package.json or node_modules, or the root of the workspace that folder
// belongs to.
func findNpmProject(inv *Invocation, prefix string) npmProject {
	if prefix != "" {
		if !filepath.IsAbs(prefix) {
			prefix = filepath.Join(inv.Dir, prefix)
		}
		return npmProject{root: filepath.Clean(prefix), rel: "."}
	}
	found := ""
	for d := inv.Dir; ; d = filepath.Dir(d) {
		if exists(filepath.Join(d, "package.json")) || exists(filepath.Join(d, "node_modules")) {
			found = d
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	if found == "" {
		return npmProject{root: inv.Dir, rel: "."}
	}
	root := found
	for d := filepath.Dir(found); d != filepath.Dir(d); d = filepath.Dir(d) {
		if members, err := npmWorkspaces(d); err == nil && len(members) > 0 {
			rel, _ := filepath.Rel(d, found)
			for _, m := range members {
				if m == filepath.ToSlash(rel) {
					root = d
				}
			}
			if root == d {
				break
			}
		}
	}
	rel, err := filepath.Rel(root, inv.Dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = "."
	}
	return npmProject{root: root, rel: rel}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// npmManifest is the part of package.json guard reads.
type npmManifest struct {
	Workspaces json.RawMessage `json:"workspaces"`
}

// npmWorkspaces lists the workspace member folders (slash-separated,
// relative to dir) that dir's package.json declares and that exist.
func npmWorkspaces(dir string) ([]string, error) {
	data, err := lockfile.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, err
	}
	var m npmManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	var patterns []string
	if len(m.Workspaces) > 0 {
		if err := json.Unmarshal(m.Workspaces, &patterns); err != nil {
			var obj struct {
				Packages []string `json:"packages"`
			}
			if json.Unmarshal(m.Workspaces, &obj) == nil {
				patterns = obj.Packages
			}
		}
	}
	return lockfile.WorkspaceMembers(dir, patterns, "package.json"), nil
}

// parseNpmLock parses the project's lockfile in dir (shrinkwrap first), or
// returns nil when there is none.
func parseNpmLock(dir string) (*lockfile.Lockfile, error) {
	for _, n := range npmLockNames {
		p := filepath.Join(dir, n)
		if !exists(p) {
			continue
		}
		return lockfile.Parse(p)
	}
	return nil, nil
}

// parseNpmHidden parses node_modules/.package-lock.json, npm's record of
// what is installed, or returns nil when there is none.
func parseNpmHidden(root string) (*lockfile.Lockfile, error) {
	p := filepath.Join(root, "node_modules", ".package-lock.json")
	if !exists(p) {
		return nil, nil
	}
	return lockfile.ParseAs(p, lockfile.FormatPackageLock)
}

// displayPath names a file of the project as the user sees it from their folder.
func displayPath(inv *Invocation, p string) string {
	if rel, err := filepath.Rel(inv.Dir, p); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}

func (npmManager) Resolve(ctx context.Context, inv *Invocation, cmd Command) (*Resolution, error) {
	a := parseNpmArgs(inv.Args, inv.Getenv)
	proj := findNpmProject(inv, a.prefix)
	switch {
	case a.cmd == "ci" || a.cmd == "install-ci-test":
		return npmResolveCI(inv, proj)
	case a.cmd == "exec":
		return npmResolveExec(ctx, inv, a, proj)
	case a.cmd == "init" && len(a.positional) > 0:
		return npmResolveFetch(ctx, inv, a, proj, []string{npmInitializer(a.positional[0])},
			"npm init "+a.positional[0]+" runs "+npmInitializer(a.positional[0]))
	case a.global && a.cmd == "update":
		return npmResolveGlobalUpdate(ctx, inv, a, proj)
	}
	res := &Resolution{}
	if a.global && len(a.positional) == 0 && (a.cmd == "install" || a.cmd == "install-test") {
		// npm install -g with no package installs the current folder's
		// package globally, with what it depends on: resolved as the
		// folder's own install.
		a.global = false
		proj = findNpmProject(inv, "")
		res.Note = "npm install -g of this folder: its dependency tree"
	}
	if !a.global {
		before, err := parseNpmLock(proj.root)
		if err != nil {
			return nil, err
		}
		if before != nil {
			res.Before = append(res.Before, before)
		}
	}

	tmp, err := newTempProject("npm")
	if err != nil {
		return nil, err
	}
	defer tmp.Remove()
	workDir := tmp.Dir
	if a.global {
		// A global install: what the named packages bring in, resolved in an
		// empty project.
		if err := os.WriteFile(filepath.Join(tmp.Dir, "package.json"), []byte("{}\n"), 0o600); err != nil {
			return nil, err
		}
		res.Note = "global install: resolved in an empty project"
	} else {
		if err := checkNpmrc(inv, proj.root); err != nil {
			return nil, err
		}
		if err := copyNpmProject(tmp, proj); err != nil {
			return nil, err
		}
		workDir = filepath.Join(tmp.Dir, proj.rel)
		if err := os.MkdirAll(workDir, 0o700); err != nil {
			return nil, err
		}
	}
	args := npmResolveArgs(inv, a)
	cfg := npmConfig(inv, proj.root)
	handoff := !a.global && npmHandoff(a, cfg)
	if handoff {
		// The tarball URLs let the real npm skip the packuments (see Handoff).
		args = append(args, "--omit-lockfile-registry-resolved=false")
	}
	rinv := *inv
	rinv.Env = npmResolveEnv(inv.environ())
	if err := runCaptured(ctx, &rinv, workDir, "npm "+a.cmd+" --package-lock-only", "npm", args...); err != nil {
		return nil, err
	}
	after, err := parseNpmLock(tmp.Dir)
	if err != nil {
		return nil, err
	}
	if after == nil {
		return nil, &ResolveError{Step: "npm " + a.cmd + " --package-lock-only", Err: ErrNoLockfile}
	}
	name := filepath.Base(after.Path)
	if handoff {
		if res.Handoff, err = newHandoff(inv, after.Path, filepath.Join(proj.root, name), filepath.Join(proj.root, proj.rel)); err != nil {
			return nil, err
		}
	}
	after.Path = displayPath(inv, filepath.Join(proj.root, name))
	if a.global {
		after.Path = "npm " + strings.Join(inv.Args, " ")
	}
	res.After = after
	res.RunArgs = npmRunArgs(cfg)
	return res, nil
}

// npmResolveCI: npm ci installs the lockfile as it is; what is installed
// already (node_modules/.package-lock.json) is what the project had.
func npmResolveCI(inv *Invocation, proj npmProject) (*Resolution, error) {
	after, err := parseNpmLock(proj.root)
	if err != nil || after == nil {
		return nil, err // no lockfile: npm ci refuses to run; nothing to check
	}
	after.Path = displayPath(inv, after.Path)
	// npm ci deletes node_modules and installs the lockfile as it is: every
	// package of it is checked, and every one is "already locked".
	return &Resolution{After: after, Before: []*lockfile.Lockfile{after}, Note: "npm ci installs the lockfile as it is"}, nil
}

// copyNpmProject copies what npm reads to resolve: the root's package.json,
// lockfiles and .npmrc, and the package.json of every workspace member.
func copyNpmProject(tmp *tempProject, proj npmProject) error {
	for _, n := range []string{"package.json", "package-lock.json", "npm-shrinkwrap.json", ".npmrc"} {
		if _, err := tmp.copyIn(filepath.Join(proj.root, n), n); err != nil {
			return err
		}
	}
	members, _ := npmWorkspaces(proj.root)
	for _, m := range members {
		rel := filepath.FromSlash(m)
		if _, err := tmp.copyIn(filepath.Join(proj.root, rel, "package.json"), filepath.Join(rel, "package.json")); err != nil {
			return err
		}
	}
	return nil
}

// npmResolveArgs are the user's arguments made safe for a resolution in the
// temporary copy: the canonical command (install-test resolves as install),
// no --prefix/-C or global location, paths made absolute, and
// --package-lock-only --ignore-scripts --no-audit --no-fund appended.
func npmResolveArgs(inv *Invocation, a npmArgs) []string {
	var out []string
	args := inv.Args
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if i == a.cmdIndex {
			c := a.cmd
			if c == "install-test" {
				c = "install"
			}
			out = append(out, c)
			continue
		}
		if strings.HasPrefix(arg, "-") && arg != "-" {
			name, _, hasVal := strings.Cut(arg, "=")
			switch name {
			case "--prefix", "-C", "--location", "-L":
				if !hasVal {
					i++
				}
				continue
			case "-g", "--global", "--package-lock", "--no-package-lock", "--package-lock-only", "--dry-run":
				continue
			}
			out = append(out, arg)
			if !hasVal && npmValueFlags[name] && i+1 < len(args) {
				i++
				out = append(out, args[i])
			}
			continue
		}
		out = append(out, npmAbsSpec(inv.Dir, arg))
	}
	if a.cmd == "audit" {
		// npm audit fix asks the registry's audit endpoint what to fix.
		return append(out, "--package-lock-only", "--package-lock", "--ignore-scripts", "--no-fund")
	}
	return append(out, "--package-lock-only", "--package-lock", "--ignore-scripts", "--no-audit", "--no-fund")
}

// npmAbsSpec makes a local path spec ("./lib", "../x.tgz", "file:../y")
// absolute, so that it still points at the user's file from the copy.
func npmAbsSpec(dir, spec string) string {
	prefix := ""
	p := spec
	if rest, ok := strings.CutPrefix(spec, "file:"); ok {
		prefix, p = "file:", rest
	}
	if strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../") || p == "." || p == ".." ||
		(prefix != "" && !filepath.IsAbs(p)) {
		return prefix + filepath.Join(dir, p)
	}
	return spec
}

// npmResolveEnv drops the environment's global-install settings: the
// resolution always works on the temporary project.
func npmResolveEnv(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch strings.ToLower(k) {
		case "npm_config_global", "npm_config_location", "npm_config_prefix", "npm_config_dry_run":
			continue
		}
		out = append(out, kv)
	}
	return out
}

func (npmManager) Installed(inv *Invocation, cmd Command) (*lockfile.Lockfile, error) {
	a := parseNpmArgs(inv.Args, inv.Getenv)
	if a.global {
		return nil, nil
	}
	proj := findNpmProject(inv, a.prefix)
	// What is installed now; the lockfile when npm was told to write none.
	lf, err := parseNpmHidden(proj.root)
	if err == nil && lf == nil {
		lf, err = parseNpmLock(proj.root)
	}
	if err != nil {
		return nil, fmt.Errorf("reading what npm installed: %w", err)
	}
	return lf, nil
}
