package pm

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/installguard/guard/lockfile"
)

// Package code never runs while guard resolves a Python install. guard
// resolves with wheels only (--only-binary :all:), but pip and uv build a
// source distribution (running its setup.py or build backend: arbitrary
// code) whenever something asks for one, and pip applies a requirements
// file's options after the command line's: a `--no-binary :all:` line in
// requirements.txt undoes guard's --only-binary, even for a --dry-run.
// So before running the resolver guard reads every input that can ask for
// a build and refuses the install (exit 3, naming the file and line, or
// the variable, and the option) when one does:
//
//   - --no-binary (any value but :none:), in requirements files (with their
//     -r/-c includes), on the command line, in PIP_NO_BINARY or pip's
//     configuration files (`pip config list`);
//   - build switches: --no-build-isolation, --use-pep517, --no-use-pep517,
//     --config-settings/-C, --global-option, --build-option,
//     --install-option (their only effect is on builds);
//   - requirements that can only be built: editables (-e), VCS URLs, local
//     project folders and sdist archives or URLs (a wheel file or URL is
//     fine: installing a wheel runs no code);
//   - requirements includes outside the project folder (guard does not
//     read them, so cannot tell what they ask for), and remote includes.
//
// --only-binary and --prefer-binary are fine.

// BuildError: an install guard refuses to resolve because resolving it
// could build a source distribution.
type BuildError struct {
	// Where names the place: "requirements.txt:3", "the command line",
	// "PIP_NO_BINARY", "pip configuration (install.no-binary)".
	Where string
	// Option is the offending token as written (a URL's password redacted).
	Option string
	// Why says what it would build.
	Why string
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("%s: %s %s; guard refuses it: building a source distribution runs the package's own code before anything is checked, so guard resolves Python installs with wheels only",
		e.Where, e.Option, e.Why)
}

// buildOptions are the options whose only effect is on builds, with what
// each does. --no-binary is handled apart (":none:" is harmless).
var buildOptions = map[string]string{
	"--no-binary":                  "asks for source distributions, which are built",
	"--no-build-isolation":         "changes how source distributions are built",
	"--use-pep517":                 "changes how source distributions are built",
	"--no-use-pep517":              "runs setup.py of source distributions",
	"--config-settings":            "passes settings to a build backend",
	"--global-option":              "passes options to setup.py",
	"--build-option":               "passes options to setup.py",
	"--install-option":             "passes options to setup.py",
	"--editable":                   "installs a project in editable mode, which builds it",
	"--no-build-isolation-package": "changes how source distributions are built", // uv
	"--config-setting":             "passes settings to a build backend",         // uv
}

// refusedOption returns the build option a command-line option (possibly
// abbreviated, as pip's option parser allows) names, or "".
func refusedOption(name string, known map[string]bool) string {
	if !strings.HasPrefix(name, "--") || len(name) < 4 {
		return ""
	}
	if _, ok := buildOptions[name]; ok {
		return name
	}
	if known[name] {
		return "" // an exact option of its own (--user)
	}
	for o := range buildOptions {
		if strings.HasPrefix(o, name) {
			return o
		}
	}
	return ""
}

// pipLongOption expands an abbreviated long option ("--req" for
// "--requirement") as pip's option parser does: an exact name, or the one
// known option it is a prefix of. Anything else is returned as given.
func pipLongOption(name string, known map[string]bool) string {
	if known[name] || len(name) < 4 {
		return name
	}
	// The options that name files or builds first: were pip to find such
	// an abbreviation ambiguous, it fails anyway; were guard to miss one,
	// pip would read a file guard did not.
	for _, o := range []string{"--requirement", "--constraint", "--editable"} {
		if strings.HasPrefix(o, name) {
			return o
		}
	}
	found := ""
	for k := range known {
		if strings.HasPrefix(k, "--") && strings.HasPrefix(k, name) {
			if found != "" {
				return name
			}
			found = k
		}
	}
	if found == "" {
		return name
	}
	return found
}

// noBinaryHarmless: --no-binary :none: empties the set; nothing is built.
func noBinaryHarmless(v string) bool { return strings.TrimSpace(v) == ":none:" }

// pipInstallValueFlags are pip install/download/wheel options that take a
// value (pipValueFlags holds pip's general ones).
var pipInstallValueFlags = map[string]bool{
	"-r": true, "--requirement": true, "-c": true, "--constraint": true, "-e": true, "--editable": true,
	"-i": true, "--index-url": true, "--extra-index-url": true, "-f": true, "--find-links": true,
	"--no-binary": true, "--only-binary": true, "-t": true, "--target": true, "--platform": true,
	"--python-version": true, "--implementation": true, "--abi": true, "--root": true, "--prefix": true,
	"--src": true, "--upgrade-strategy": true, "-C": true, "--config-settings": true, "--global-option": true,
	"--build-option": true, "--install-option": true, "--progress-bar": true, "--report": true,
	"--root-user-action": true, "-d": true, "--dest": true, "-w": true, "--wheel-dir": true, "--group": true,
}

// pipShortValue are the short options that take a value.
const pipShortValue = "rceiftdwC"

// buildScan collects what the inputs of a Python install say: the
// requirements files, and the index options the sources rule needs.
type buildScan struct {
	inv     *Invocation
	options []lockfile.Option
	indexes []string
}

// pipNoBuild checks a pip install/download/wheel command line (idx: the
// subcommand's index) and everything it reads for a way to build a source
// distribution. It returns the index options it found (for the sources
// rule) or a *BuildError (or a *lockfile.ParseError for a file it cannot
// read).
func pipNoBuild(ctx context.Context, inv *Invocation, idx int) (*buildScan, error) {
	s := &buildScan{inv: inv}
	known := map[string]bool{}
	for k := range buildOptions {
		known[k] = true
	}
	for k := range pipValueFlags {
		known[k] = true
	}
	for k := range pipInstallValueFlags {
		known[k] = true
	}
	for _, k := range []string{"--user", "--upgrade", "--pre", "--prefer-binary", "--no-deps", "--no-index",
		"--dry-run", "--isolated", "--require-hashes", "--ignore-installed", "--force-reinstall", "--no-input",
		"--no-cache-dir", "--quiet", "--verbose", "--no-clean", "--no-compile", "--compile", "--check-build-dependencies",
		"--break-system-packages", "--require-virtualenv", "--no-color", "--debug", "--no-warn-conflicts",
		"--no-warn-script-location", "--ignore-requires-python", "--disable-pip-version-check"} {
		known[k] = true
	}
	args := inv.Args
	for i := 0; i < len(args); i++ {
		if i == idx {
			continue
		}
		arg := args[i]
		if arg == "--" {
			for _, a := range args[i+1:] {
				if err := s.spec(a); err != nil {
					return nil, err
				}
			}
			break
		}
		if strings.HasPrefix(arg, "--") {
			typed, val, hasVal := strings.Cut(arg, "=")
			name := pipLongOption(typed, known)
			takes := pipValueFlags[name] || pipInstallValueFlags[name]
			if !hasVal && takes {
				if i+1 < len(args) {
					val = args[i+1]
				}
				i++
			}
			if err := s.cliOption(name, typed, val, takes || hasVal, known); err != nil {
				return nil, err
			}
			continue
		}
		if strings.HasPrefix(arg, "-") && len(arg) > 1 {
			// A cluster of short options: "-qr req.txt", "-rreq.txt".
			for j := 1; j < len(arg); j++ {
				c := arg[j]
				if !strings.ContainsRune(pipShortValue, rune(c)) {
					continue
				}
				val := arg[j+1:]
				if val == "" && i+1 < len(args) {
					i++
					val = args[i]
				}
				long := map[byte]string{'r': "--requirement", 'c': "--constraint", 'e': "--editable", 'i': "--index-url",
					'f': "--find-links", 't': "--target", 'd': "--dest", 'w': "--wheel-dir", 'C': "--config-settings"}[c]
				if err := s.cliOption(long, long, val, true, known); err != nil {
					return nil, err
				}
				break
			}
			continue
		}
		if i > idx {
			if err := s.spec(arg); err != nil {
				return nil, err
			}
		}
	}
	if err := s.env([]string{"PIP_NO_BINARY", "PIP_NO_BUILD_ISOLATION", "PIP_USE_PEP517", "PIP_NO_USE_PEP517",
		"PIP_CONFIG_SETTINGS", "PIP_GLOBAL_OPTION", "PIP_BUILD_OPTION", "PIP_INSTALL_OPTION", "PIP_EDITABLE"}); err != nil {
		return nil, err
	}
	if err := s.pipConfig(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// cliOption checks one command-line option: name is its full long
// spelling, typed what the user wrote.
func (s *buildScan) cliOption(name, typed, val string, hasVal bool, known map[string]bool) error {
	if o := refusedOption(name, known); o != "" {
		if o == "--no-binary" && hasVal && noBinaryHarmless(val) {
			return nil
		}
		tok := typed
		if hasVal {
			tok += " " + val
		}
		return &BuildError{Where: "the command line", Option: tok, Why: buildOptions[o]}
	}
	switch name {
	case "--requirement", "--constraint":
		return s.file(val)
	case "--index-url", "--extra-index-url", "--find-links", "--trusted-host", "--index", "--default-index":
		s.options = append(s.options, lockfile.Option{Path: "the command line", Name: name, Value: val})
		if name != "--find-links" && name != "--trusted-host" {
			s.indexes = append(s.indexes, val)
		}
	}
	return nil
}

// spec checks a requirement given on the command line ("flask==3.0",
// "./proj", "git+https://...", "x.tar.gz").
func (s *buildScan) spec(arg string) error {
	if strings.ContainsAny(arg, "\r\n") {
		return &BuildError{Where: "the command line", Option: fmt.Sprintf("%q", arg), Why: "is a requirement with a line break"}
	}
	lf, err := lockfile.ParseBytes(filepath.Join(s.inv.Dir, "(command line)"), []byte(arg+"\n"), lockfile.FormatRequirements)
	if err != nil {
		return err
	}
	for i := range lf.Packages {
		if why := buildsPackage(&lf.Packages[i]); why != "" {
			return &BuildError{Where: "the command line", Option: lf.Packages[i].Source.URL, Why: why}
		}
	}
	// pip reads the whole argument as one requirement; guard's reading
	// found options in it ("x --no-binary :all:", " -r y"): refused alike.
	for _, o := range lf.Options {
		if why, ok := buildOptions[o.Name]; o.NotRead || ok && !(o.Name == "--no-binary" && noBinaryHarmless(o.Value)) {
			if o.NotRead {
				why = "includes a file outside the project folder"
			}
			return &BuildError{Where: "the command line", Option: fmt.Sprintf("%q", arg), Why: why}
		}
	}
	return nil
}

// show is how a file read while checking top (path, displayed as shown)
// appears in messages: relative to the top file's folder as the user named
// it.
func (s *buildScan) show(path, shown, file string) string {
	if file == path {
		return shown
	}
	if rel, err := filepath.Rel(filepath.Dir(path), file); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.Join(filepath.Dir(shown), rel)
	}
	return file
}

// file checks a requirements or constraints file (named shown, as written)
// and its includes.
func (s *buildScan) file(shown string) error {
	path := absIn(s.inv.Dir, shown)
	lf, err := lockfile.ParseAsWithin(path, lockfile.FormatRequirements, lockfile.ProjectFolder(path, s.inv.Dir))
	if err != nil {
		return err
	}
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if why := buildsPackage(p); why != "" {
			return &BuildError{Where: fmt.Sprintf("%s:%d", s.show(path, shown, p.Path[:strings.LastIndexByte(p.Path, ':')]), p.Line), Option: p.Source.URL, Why: why}
		}
	}
	for _, o := range lf.Options {
		where := fmt.Sprintf("%s:%d", s.show(path, shown, o.Path), o.Line)
		if o.NotRead {
			return &BuildError{Where: where, Option: shortInclude(o.Name) + " " + o.Value,
				Why: "includes a file outside the project folder, which guard does not read, so it cannot tell what that file asks pip to build"}
		}
		if why, ok := buildOptions[o.Name]; ok && !(o.Name == "--no-binary" && noBinaryHarmless(o.Value)) {
			return &BuildError{Where: where, Option: o.Name + " " + o.Value, Why: why}
		}
	}
	s.options = append(s.options, lf.Options...)
	s.indexes = append(s.indexes, lf.Indexes...)
	return nil
}

func shortInclude(long string) string {
	if long == "--constraint" {
		return "-c"
	}
	return "-r"
}

// buildsPackage says why installing a requirement builds it, or "".
func buildsPackage(p *lockfile.Package) string {
	u := p.Source.URL
	if i := strings.IndexAny(u, "#?"); i >= 0 {
		u = u[:i]
	}
	switch p.Source.Kind {
	case lockfile.SourceGit:
		return "is a VCS requirement, which pip builds from source"
	case lockfile.SourcePath, lockfile.SourceURL:
		if strings.HasSuffix(strings.ToLower(u), ".whl") {
			return ""
		}
		if p.Source.Kind == lockfile.SourcePath {
			return "is a local project or source archive, which pip builds (running its setup.py or build backend)"
		}
		return "is a source archive URL, which pip builds"
	}
	return ""
}

// env checks the variables pip reads as the build options. (pip config
// list shows them too; checking them directly does not depend on pip.)
func (s *buildScan) env(names []string) error {
	for _, n := range names {
		v := s.inv.Getenv(n)
		if v == "" {
			continue
		}
		if strings.HasSuffix(n, "_NO_BINARY") && noBinaryHarmless(v) {
			continue
		}
		long := "--" + strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(n, "PIP_"), "UV_")), "_", "-")
		why := buildOptions[long]
		if why == "" {
			why = "changes how source distributions are built"
		}
		return &BuildError{Where: "the environment", Option: n + "=" + pyRedact(v), Why: why}
	}
	for _, n := range []string{"PIP_REQUIREMENT", "PIP_CONSTRAINT"} {
		for _, f := range strings.Fields(s.inv.Getenv(n)) {
			if err := s.file(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// pyRedact hides a URL's password.
func pyRedact(v string) string {
	if i := strings.Index(v, "://"); i >= 0 {
		if at := strings.IndexByte(v[i+3:], '@'); at >= 0 {
			if c := strings.IndexByte(v[i+3:i+3+at], ':'); c >= 0 {
				return v[:i+3+c+1] + "****" + v[i+3+at:]
			}
		}
	}
	return v
}

// pipConfig asks pip which configuration it reads (its files: global,
// user, the virtual environment's, PIP_CONFIG_FILE; and PIP_* variables)
// and checks the build options and requirements files set there. If pip
// cannot tell, guard cannot either: the install is refused.
func (s *buildScan) pipConfig(ctx context.Context) error {
	path, err := s.inv.LookPath(s.inv.Manager)
	if err != nil {
		return err
	}
	c := exec.CommandContext(ctx, path, "config", "list")
	c.Dir = s.inv.Dir
	c.Env = s.inv.environ()
	var errb strings.Builder
	c.Stderr = &limitedWriter{b: &errb, n: 16 << 10}
	out, err := c.Output()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &ResolveError{Step: s.inv.Manager + " config list", Err: fmt.Errorf("%w (guard reads pip's configuration to make sure nothing in it builds a source distribution)", err), Output: errb.String()}
	}
	for _, line := range strings.Split(string(out), "\n") {
		key, val, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok {
			continue
		}
		section, name, ok := strings.Cut(key, ".")
		if !ok {
			continue
		}
		val = pyUnquote(val)
		where := "pip configuration (" + key + ")"
		if section == ":env:" {
			where = "the environment (PIP_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + ")"
		}
		switch name {
		case "requirement", "constraint":
			for _, f := range strings.Fields(val) {
				if err := s.file(f); err != nil {
					return err
				}
			}
			continue
		case "editable":
			return &BuildError{Where: where, Option: name + " = " + pyRedact(val), Why: buildOptions["--editable"]}
		}
		long := "--" + name
		if why, ok := buildOptions[long]; ok {
			if name == "no-binary" && noBinaryHarmless(val) {
				continue
			}
			return &BuildError{Where: where, Option: name + " = " + pyRedact(val), Why: why}
		}
	}
	return nil
}

// pyUnquote reads the Python repr of a string that pip config list prints.
func pyUnquote(v string) string {
	if len(v) >= 2 && (v[0] == '\'' || v[0] == '"') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
		v = strings.NewReplacer(`\\`, `\`, `\'`, `'`, `\"`, `"`, `\n`, "\n", `\t`, "\t").Replace(v)
	}
	return v
}

// uvPipNoBuild checks `uv pip install|sync` (idx: the subcommand's index)
// like pipNoBuild. uv's own configuration files cannot undo the compile's
// --no-build, which guard adds as well.
func uvPipNoBuild(inv *Invocation, sub string, idx int) (*buildScan, error) {
	s := &buildScan{inv: inv}
	rest := inv.Args[idx+1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		name, val, hasVal := strings.Cut(a, "=")
		takes := !hasVal && (uvPipValueFlags[name] || pipInstallValueFlags[name] || name == "--config-setting" ||
			name == "--no-build-isolation-package" || name == "--no-binary-package")
		if takes && i+1 < len(rest) {
			val = rest[i+1]
			i++
		}
		switch {
		case name == "-e" || name == "--editable" || name == "-C" || name == "--config-setting" || name == "--config-settings" ||
			name == "--no-build-isolation" || name == "--no-build-isolation-package":
			long := map[string]string{"-e": "--editable", "-C": "--config-setting"}[name]
			if long == "" {
				long = name
			}
			return nil, &BuildError{Where: "the command line", Option: strings.TrimSpace(name + " " + val), Why: buildOptions[long]}
		case name == "--no-binary" || name == "--no-binary-package":
			if !noBinaryHarmless(val) {
				return nil, &BuildError{Where: "the command line", Option: name + " " + val, Why: buildOptions["--no-binary"]}
			}
		case name == "-r" || name == "--requirement" || name == "-c" || name == "--constraint" || name == "--override":
			if err := s.file(val); err != nil {
				return nil, err
			}
		case strings.HasPrefix(a, "-"):
		case sub == "sync":
			if err := s.file(a); err != nil {
				return nil, err
			}
		default:
			if err := s.spec(a); err != nil {
				return nil, err
			}
		}
	}
	if err := s.env([]string{"UV_NO_BINARY", "UV_NO_BINARY_PACKAGE", "UV_NO_BUILD_ISOLATION", "UV_NO_BUILD_ISOLATION_PACKAGE"}); err != nil {
		return nil, err
	}
	return s, nil
}

// pipHook is a sitecustomize module guard puts on PYTHONPATH for the one
// `pip install --dry-run --report` it runs: a backstop for what no option
// can forbid. A wheel's metadata may depend on a direct URL
// (`Requires-Dist: x @ https://host/x-1.0.tar.gz`), and pip builds such a
// source distribution to read its metadata whatever --only-binary says.
// The hook makes pip's one entry point for preparing a source distribution
// (pip._internal.distributions.sdist.SourceDistribution.
// prepare_distribution_metadata, every pip since 19.3) raise instead, and
// writes the acknowledgement file once it has patched it: a resolution
// without the acknowledgement is not trusted. Written by hand: pip has no
// option for this.
const pipHook = `# Written by guard for one pip resolution; see guard/pm/pipbuild.go.
import os, sys

# The variables stay set: a pip that runs another interpreter's pip
# (pip --python) passes the hook on to it.
_ack = os.environ.get("GUARD_PIP_NO_BUILD_ACK", "")

if _ack:
    _TARGET = "pip._internal.distributions.sdist"

    def _refuse(self, *args, **kwargs):
        from pip._internal.exceptions import InstallationError
        raise InstallationError(
            "guard: refusing to build %s from source while resolving: building a source "
            "distribution runs the package's own code (guard resolves with wheels only)"
            % (getattr(self, "req", "a source distribution"),))

    def _patch(module):
        module.SourceDistribution.prepare_distribution_metadata = _refuse
        with open(_ack, "w") as f:
            f.write("patched\n")

    class _GuardFinder(object):
        def find_spec(self, name, path=None, target=None):
            if name != _TARGET:
                return None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    break
            else:
                return None
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                _patch(module)

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, _GuardFinder())
`

// pipHookInvocation returns the invocation to resolve with: pipHook
// installed as sitecustomize (in a folder under dir) and the path of its
// acknowledgement file.
func pipHookInvocation(inv *Invocation, dir string) (*Invocation, string, error) {
	hookDir := filepath.Join(dir, "guard-pip-hook")
	if err := os.MkdirAll(hookDir, 0o700); err != nil {
		return nil, "", err
	}
	if err := os.WriteFile(filepath.Join(hookDir, "sitecustomize.py"), []byte(pipHook), 0o600); err != nil {
		return nil, "", err
	}
	ack := filepath.Join(dir, "guard-pip-hook.ack")
	pythonPath := hookDir
	var env []string
	for _, kv := range inv.environ() {
		if v, found := strings.CutPrefix(kv, "PYTHONPATH="); found {
			if v != "" {
				pythonPath = hookDir + string(os.PathListSeparator) + v
			}
			continue
		}
		if strings.HasPrefix(kv, "GUARD_PIP_") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "PYTHONPATH="+pythonPath, "GUARD_PIP_NO_BUILD_ACK="+ack)
	out := *inv
	out.Env = env
	return &out, ack, nil
}

// checkPipHook: after a resolution, the hook must have been active.
func checkPipHook(inv *Invocation, ack string) error {
	if _, err := os.Stat(ack); err != nil {
		return &ResolveError{Step: inv.Manager + " install --dry-run --report",
			Err: fmt.Errorf("guard could not make sure that pip built no source distribution (its sitecustomize hook was not loaded: a Python started with -S or -I, or a pip older than 19.3); the package set is not trusted")}
	}
	return nil
}
