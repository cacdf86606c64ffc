package pm

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/installguard/guard/verify/registries"
)

// After guard's private resolution of `npm install ...` (or pnpm's), npm's
// cache holds every packument that resolution needed, revalidated against
// the registry moments ago. The real command is then run with
// --prefer-offline added: npm takes those packuments from the cache instead
// of revalidating each one again (faster), and the real install resolves
// from the same metadata guard checked, so a version published between the
// check and the install is not picked up. Missing metadata and tarballs are
// still fetched.
//
// guard adds nothing when the user said how fresh the metadata must be
// (offline, prefer-offline, prefer-online, cache-min, cache-max on the
// command line, in the environment or in an npmrc guard reads), or when the
// private run may have used another cache than the real one (a relative
// cache folder is taken relative to the working folder, which differs).

// freshnessKeys are the npm (and pnpm) settings that say whether cached
// metadata may be used as it is.
var freshnessKeys = []string{"offline", "prefer-offline", "prefer-online", "cache-min", "cache-max"}

// normKey lowers an option or setting name and reads "_" as "-" (npm's
// environment spelling), without the leading dashes or a "no-".
func normKey(s string) string {
	s = strings.TrimLeft(s, "-")
	s = strings.ToLower(strings.ReplaceAll(s, "_", "-"))
	return strings.TrimPrefix(s, "no-")
}

// namesFreshness: the option (as typed) is a freshness setting or an
// abbreviation npm would expand to one (npm accepts unambiguous
// abbreviations of long options; a shorter prefix is taken as one too).
func namesFreshness(key string) bool {
	if len(key) < 3 {
		return false
	}
	for _, k := range freshnessKeys {
		if strings.HasPrefix(k, key) {
			return true
		}
	}
	return false
}

// cacheKeys are the settings naming the folder whose cache the private run
// shares with the real one: npm's cache, pnpm's cache-dir.
var cacheKeys = map[string]bool{"cache": true, "cache-dir": true}

// offlineSetting tells, for one setting, whether guard must leave the
// command as it is: it names metadata freshness, or a cache folder given
// relative to the working folder.
func offlineSetting(key, val string, lookup func(string) (string, bool)) (blocks bool) {
	key = normKey(key)
	if cacheKeys[key] {
		val = registries.ExpandNpmrc(strings.Trim(strings.TrimSpace(val), `"'`), lookup)
		return !filepath.IsAbs(val) && !strings.HasPrefix(val, "~/")
	}
	return namesFreshness(key)
}

// A setting tells, for one configuration key and its value as written,
// whether guard must leave the real command as it is.
type setting func(key, val string) bool

// offline is offlineSetting as a setting.
func offline(lookup func(string) (string, bool)) setting {
	return func(k, v string) bool { return offlineSetting(k, v, lookup) }
}

// argsSet: the command line (before "--") holds an option set holds.
// valueFlags says which options take the next argument as their value (and
// a cache option always does).
func argsSet(args []string, set setting, valueFlags map[string]bool) bool {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			return false
		}
		if !strings.HasPrefix(arg, "--") {
			continue
		}
		name, val, hasVal := strings.Cut(arg, "=")
		if cacheKeys[normKey(name)] && !hasVal {
			if i+1 >= len(args) {
				return true
			}
			val = args[i+1]
		}
		if set(name, val) {
			return true
		}
		if !hasVal && valueFlags[name] {
			i++
		}
	}
	return false
}

// envSet: the environment has a setting set holds (npm reads npm_config_*
// whatever the case; pnpm also pnpm_config_*).
func envSet(env []string, set setting) bool {
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		lk := strings.ToLower(k)
		var key string
		switch {
		case strings.HasPrefix(lk, "npm_config_"):
			key = k[len("npm_config_"):]
		case strings.HasPrefix(lk, "pnpm_config_"):
			key = k[len("pnpm_config_"):]
		default:
			continue
		}
		if set(key, v) {
			return true
		}
	}
	return false
}

// rcSet: one of the npmrc files has a setting set holds. A file that
// exists but cannot be read counts as one.
func rcSet(files []string, set setting) bool {
	for _, p := range files {
		data, err := readProjectFile(p)
		if err != nil {
			return true
		}
		found := false
		scanLines(data, func(_ int, line string) error {
			k := rcKey(line, "=")
			if k == "" {
				return nil
			}
			_, v, _ := strings.Cut(line, "=")
			if set(k, v) {
				found = true
			}
			return nil
		})
		if found {
			return true
		}
	}
	return false
}

// withFlag returns a copy of args with flag added before "--" (or at the end).
func withFlag(args []string, flag string) []string {
	out := make([]string, 0, len(args)+1)
	for i, a := range args {
		if a == "--" {
			out = append(out, flag)
			return append(out, args[i:]...)
		}
		out = append(out, a)
	}
	return append(out, flag)
}

// npmrcFiles are the configuration files npm may read for a command run
// in the project at root: the project's .npmrc, npm's builtin npmrc, the
// user's and the global one. Where a file is named by a setting
// (userconfig, globalconfig, prefix: command line, environment, an npmrc),
// every value found anywhere is listed, the default too: a superset of what
// either run reads. ok is false when a file cannot be located (a relative
// path is taken relative to the working folder, which differs between the
// private run and the real one).
func npmrcFiles(inv *Invocation, args []string, root string) (files []string, ok bool) {
	// values of key from the command line and the environment
	values := func(key string) []string {
		var out []string
		for i := 0; i < len(args); i++ {
			if args[i] == "--" {
				break
			}
			n, v, hasVal := strings.Cut(args[i], "=")
			if normKey(n) == key && strings.HasPrefix(n, "--") {
				if !hasVal && i+1 < len(args) {
					v = args[i+1]
				}
				out = append(out, v)
			}
		}
		for _, kv := range inv.environ() {
			if k, v, _ := strings.Cut(kv, "="); strings.EqualFold(k, "npm_config_"+key) {
				out = append(out, v)
			}
		}
		return out
	}
	// ... and from the npmrc files read so far
	fromFiles := func(key string) []string {
		var out []string
		for _, p := range files {
			data, _ := readProjectFile(p)
			scanLines(data, func(_ int, line string) error {
				if normKey(rcKey(line, "=")) == key {
					_, v, _ := strings.Cut(line, "=")
					out = append(out, strings.Trim(strings.TrimSpace(v), `"'`))
				}
				return nil
			})
		}
		return out
	}
	add := func(p string) bool {
		p = registries.ExpandNpmrc(p, inv.LookupEnv)
		if strings.HasPrefix(p, "~/") {
			p = filepath.Join(inv.Getenv("HOME"), p[2:])
		}
		if !filepath.IsAbs(p) {
			return false
		}
		files = append(files, filepath.Clean(p))
		return true
	}
	files = append(files, filepath.Join(root, ".npmrc"))
	if npmPath, err := inv.LookPath("npm"); err == nil {
		if real, err := filepath.EvalSymlinks(npmPath); err == nil {
			// npm-cli.js lives in <npm>/bin; the builtin config is <npm>/npmrc.
			files = append(files, filepath.Join(filepath.Dir(filepath.Dir(real)), "npmrc"))
		}
	}
	home := inv.Getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return nil, false
		}
		home = h
	}
	users := append(values("userconfig"), fromFiles("userconfig")...)
	users = append(users, filepath.Join(home, ".npmrc"))
	for _, u := range users {
		if !add(u) {
			return nil, false
		}
	}
	globals := append(values("globalconfig"), fromFiles("globalconfig")...)
	prefixes := append(values("prefix"), fromFiles("prefix")...)
	if p := inv.Getenv("PREFIX"); p != "" {
		prefixes = append(prefixes, p)
	} else if node, err := inv.LookPath("node"); err == nil {
		prefixes = append(prefixes, filepath.Dir(filepath.Dir(node)))
	} else {
		return nil, false
	}
	for _, p := range prefixes {
		globals = append(globals, filepath.Join(p, "etc", "npmrc"))
	}
	for _, g := range globals {
		if !add(g) {
			return nil, false
		}
	}
	return files, true
}

// userConfig is where the user's settings for one package-manager command
// are: the command line (valueFlags say which options take the next
// argument as their value), the environment and the rc files the manager
// reads (ok false: one could not be located, which counts as holding any
// setting).
type userConfig struct {
	inv        *Invocation
	valueFlags map[string]bool
	files      []string
	ok         bool
}

// sets: the user's configuration holds a setting set holds.
func (u userConfig) sets(set setting) bool {
	return argsSet(u.inv.Args, set, u.valueFlags) || envSet(u.inv.environ(), set) || !u.ok || rcSet(u.files, set)
}

// npmConfig is npm's configuration for a command in the project at root.
func npmConfig(inv *Invocation, root string) userConfig {
	files, ok := npmrcFiles(inv, inv.Args, root)
	return userConfig{inv: inv, valueFlags: npmValueFlags, files: files, ok: ok}
}

// npmRunArgs are the arguments of the real npm command after guard's
// private resolution ran: the user's with --prefer-offline added, or nil
// (run the user's arguments as they are) when the user's configuration
// says how fresh metadata must be or the caches may differ.
func npmRunArgs(cfg userConfig) []string {
	if cfg.sets(offline(cfg.inv.LookupEnv)) {
		return nil
	}
	return withFlag(cfg.inv.Args, "--prefer-offline")
}

// pnpmValueFlags are the pnpm options whose value is the next argument.
var pnpmValueFlags = map[string]bool{"-C": true, "--dir": true, "--filter": true, "-F": true, "--reporter": true,
	"--loglevel": true, "--registry": true, "--store-dir": true, "--cache-dir": true, "--userconfig": true}

// pnpmConfig is pnpm's configuration for a command in the working folder:
// npm's files (pnpm reads the same settings), every .npmrc from the working
// folder up and pnpm's own global rc.
func pnpmConfig(inv *Invocation) userConfig {
	files, ok := npmrcFiles(inv, inv.Args, inv.Dir)
	cfg := inv.Getenv("XDG_CONFIG_HOME")
	if cfg == "" {
		if home := inv.Getenv("HOME"); home != "" {
			cfg = filepath.Join(home, ".config")
		} else {
			ok = false
		}
	}
	if !ok {
		return userConfig{inv: inv, valueFlags: pnpmValueFlags}
	}
	files = append(files, upward(filepath.Dir(inv.Dir), ".npmrc")...)
	files = append(files, filepath.Join(cfg, "pnpm", "rc"))
	return userConfig{inv: inv, valueFlags: pnpmValueFlags, files: files, ok: true}
}

// pnpmResolved are the pnpm commands whose private run resolved the
// project's dependencies (pnpm ci installs the lockfile as it is).
var pnpmResolved = map[string]bool{"install": true, "add": true, "update": true, "remove": true, "install-test": true, "dedupe": true}

// pnpmRealRun says how the real pnpm command runs after the private
// resolution: with the arguments pnpmRunArgs gives, and with the checked
// lockfile handed over when pnpmHandoff says so; both read the same
// configuration. With -C/--dir naming another folder (dir is the project
// folder lockManager.projectDir found), neither: the real run reads
// another folder's configuration than the one guard read.
func pnpmRealRun(inv *Invocation, cmd, _, dir string) (runArgs []string, handoff bool) {
	if dir != inv.Dir {
		return nil, false
	}
	cfg := pnpmConfig(inv)
	return pnpmRunArgs(cmd, cfg), pnpmHandoff(cmd, dir, cfg)
}

// pnpmRunArgs is npmRunArgs for pnpm: pnpm keeps the registry metadata the
// private run fetched in its cache folder (cache-dir), which both runs
// share unless it is given relative to the working folder, and its
// --prefer-offline takes that metadata without a staleness check.
func pnpmRunArgs(cmd string, cfg userConfig) []string {
	if !pnpmResolved[cmd] || cfg.sets(offline(cfg.inv.LookupEnv)) {
		return nil
	}
	return withFlag(cfg.inv.Args, "--prefer-offline")
}

// upward lists each of names in dir and in every folder above it, up to
// the root.
func upward(dir string, names ...string) []string {
	var out []string
	for d := dir; ; d = filepath.Dir(d) {
		for _, n := range names {
			out = append(out, filepath.Join(d, n))
		}
		if filepath.Dir(d) == d {
			return out
		}
	}
}
