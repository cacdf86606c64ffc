package pm

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/installguard/guard/lockfile"
)

// Configuration files inside the checked project may tighten guard, never
// make the package manager run a program while guard works out what an
// install brings in. Each switch below was tried against the real package
// manager (npm 11, pnpm 9, yarn 1; docs/security.md, issue 12 item 2):
//
//   - npm's `git` (.npmrc) names the program npm runs to list and clone git
//     dependencies, during `npm install --package-lock-only` too. Refused:
//     the real command, run untouched after the check, would run it as
//     well, so overriding it for the resolution alone would still let it run.
//   - yarn 1's `yarn-path` (.yarnrc) and `yarnPath` (.yarnrc.yml, read by
//     yarn 1.22 too) run a JavaScript file of the project in place of yarn,
//     for every command (`yarn --version` included). yarn 2+ loads the
//     `plugins` of .yarnrc.yml (JavaScript files) on every command. Refused
//     unless the user trusts the project's yarn: GUARD_TRUST_PROJECT_YARN=1
//     in the environment (outside the repository).
//   - pnpm 9's `manage-package-manager-versions=true` (.npmrc) downloads
//     the pnpm version package.json's packageManager names and runs it.
//     Neutralised: every pnpm step of the resolution runs with
//     npm_config_manage_package_manager_versions=false (the environment
//     wins over a project .npmrc; pnpm's command line does not).
//
// Not refused because they run nothing during the resolution: npm's
// ignore-scripts=false, script-shell, shell, node-options (the command
// line's --ignore-scripts wins, and npm runs no script with
// --package-lock-only); pnpm's pnpmfile, global-pnpmfile and .pnpmfile.cjs
// (--ignore-pnpmfile covers all three), ignore-scripts=false and git; yarn
// 1's rc-file `--ignore-scripts false` (the command line wins).

// ConfigError: a configuration file of the project that would make the
// package manager run a program while guard resolves the install.
type ConfigError struct {
	// Where names the file and line (".npmrc:3").
	Where string
	// Key is the setting as the file spells it.
	Key string
	// Why says what the package manager does with it.
	Why string
	// Escape, when set, says how the user may allow it.
	Escape string
}

func (e *ConfigError) Error() string {
	msg := fmt.Sprintf("%s: %s %s; guard refuses it: a file inside the project may not make the package manager run a program before anything is checked",
		e.Where, e.Key, e.Why)
	if e.Escape != "" {
		msg += " (" + e.Escape + ")"
	}
	return msg
}

// rcKey returns the key of one line of an ini-style (.npmrc) or yarn 1
// (.yarnrc) configuration line, unquoted and lower-cased, or "".
func rcKey(line string, sep string) string {
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' || line[0] == ';' || line[0] == '[' {
		return ""
	}
	key := line
	if i := strings.IndexAny(line, sep); i >= 0 {
		key = line[:i]
	}
	key = strings.TrimSpace(key)
	key = strings.Trim(key, `"'`)
	key = strings.TrimSuffix(key, ":")
	return strings.ToLower(strings.TrimSpace(key))
}

// readProjectFile reads a configuration file of the project through the
// regular-file reader; a missing file is (nil, nil).
func readProjectFile(p string) ([]byte, error) {
	data, err := lockfile.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// scanLines calls f with each line (1-based) of data until f returns an error.
func scanLines(data []byte, f func(n int, line string) error) error {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), len(data)+1)
	for n := 1; sc.Scan(); n++ {
		if err := f(n, sc.Text()); err != nil {
			return err
		}
	}
	return sc.Err()
}

// checkNpmrc refuses a project .npmrc (in root) that names a program npm
// runs during the resolution.
func checkNpmrc(inv *Invocation, root string) error {
	p := filepath.Join(root, ".npmrc")
	data, err := readProjectFile(p)
	if err != nil || data == nil {
		return err
	}
	return scanLines(data, func(n int, line string) error {
		if rcKey(line, "=") == "git" {
			return &ConfigError{Where: fmt.Sprintf("%s:%d", displayPath(inv, p), n), Key: "git",
				Why: "names the program npm runs to fetch git dependencies"}
		}
		return nil
	})
}

// trustProjectYarn: the user (not the project) said that the project's
// own yarn release and plugins may run.
func trustProjectYarn(inv *Invocation) bool {
	return truthyEnv(inv.Getenv("GUARD_TRUST_PROJECT_YARN"))
}

const yarnEscape = "set GUARD_TRUST_PROJECT_YARN=1 in your environment if you trust this project's yarn release and plugins"

// checkYarnrc refuses the yarn configuration files that run JavaScript in
// place of, or inside, yarn, in every folder yarn reads them from (the
// working folder upwards) that may belong to a project: from dir up to,
// not including, the user's home folder (the user's own settings), or up
// to the root for a project outside it. Not only up to the project's root:
// a project may sit inside another repository the user cloned, and guard's
// private copy reads what yarn reads above the project.
func checkYarnrc(inv *Invocation, dir string) error {
	if trustProjectYarn(inv) {
		return nil
	}
	home := inv.Getenv("HOME")
	if home != "" {
		home = filepath.Clean(home)
	}
	for d := dir; d != home; d = filepath.Dir(d) {
		if err := checkYarnrcIn(inv, d); err != nil {
			return err
		}
		if filepath.Dir(d) == d {
			return nil
		}
	}
	return nil
}

func checkYarnrcIn(inv *Invocation, d string) error {
	p := filepath.Join(d, ".yarnrc")
	data, err := readProjectFile(p)
	if err != nil {
		return err
	}
	if data != nil {
		err := scanLines(data, func(n int, line string) error {
			if k := rcKey(line, " \t:"); k == "yarn-path" || k == "yarnpath" {
				return &ConfigError{Where: fmt.Sprintf("%s:%d", displayPath(inv, p), n), Key: "yarn-path",
					Why: "runs a JavaScript file of the project in place of yarn", Escape: yarnEscape}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	p = filepath.Join(d, ".yarnrc.yml")
	data, err = readProjectFile(p)
	if err != nil || data == nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return &ConfigError{Where: displayPath(inv, p), Key: "(the file)",
			Why: fmt.Sprintf("cannot be read (%v), so guard cannot tell whether it names a yarn release or plugins", err)}
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		switch k.Value {
		case "yarnPath":
			if v.Kind == yaml.ScalarNode && v.Value == "" {
				continue
			}
			return &ConfigError{Where: fmt.Sprintf("%s:%d", displayPath(inv, p), k.Line), Key: "yarnPath",
				Why: "runs a JavaScript file of the project in place of yarn", Escape: yarnEscape}
		case "plugins":
			if v.Kind == yaml.SequenceNode && len(v.Content) == 0 {
				continue
			}
			return &ConfigError{Where: fmt.Sprintf("%s:%d", displayPath(inv, p), k.Line), Key: "plugins",
				Why: "loads JavaScript files of the project into yarn", Escape: yarnEscape}
		}
	}
	return nil
}

// resolveEnvFor adds what neutralises a project's code-execution switches
// for the package manager a resolution step runs.
func resolveEnvFor(name string, env []string) []string {
	switch filepath.Base(name) {
	case "pnpm", "pnpx":
		// A project .npmrc's manage-package-manager-versions=true makes pnpm
		// download and run the pnpm package.json's packageManager names.
		return append(env, "npm_config_manage_package_manager_versions=false")
	}
	return env
}
