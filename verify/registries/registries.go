// Package registries finds the package registries the user's own
// package-manager configuration names: npm's (environment, the project's
// and the user's .npmrc, else `npm config get registry`) and pip's or uv's
// (environment, pip.conf). guard never assumes a registry host.
//
// It lives in verify, not guard/pm, because what it finds feeds verify's
// fetchers (provenance, registry metadata, the trusted root's npm keys),
// and verify may not import guard. It reads configuration and asks npm a
// read-only question; it never runs an install, which is guard/pm's job.
package registries

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/installguard/guard/lockfile/regfile"
)

// Registries are the package registries the user's own package-manager
// configuration names. guard never assumes a registry host: it asks the
// same configuration npm and pip read, which is also what users of private
// registries need.
type Registries struct {
	NPM       string            // default npm registry URL; "" when unknown
	NPMScopes map[string]string // "@scope" -> registry URL
	PyPI      string            // PyPI simple index URL
}

// DefaultPyPIIndex is pip's own default index.
const DefaultPyPIIndex = "https://pypi.org/simple"

// Discover reads npm's and pip's configuration as they would for
// a project in dir: environment first, then the project's .npmrc, then the
// user's. When nothing names the npm registry, npm itself is asked
// (`npm config get registry`), so its built-in default applies.
//
// A configuration file that exists but is not a regular file or is over
// configMaxSize (a FIFO, a symlink to /dev/zero) is an error naming it.
func Discover(ctx context.Context, dir string, getenv func(string) string) (Registries, error) {
	r := Registries{NPMScopes: map[string]string{}}
	// npm: later files are weaker; the first value found wins.
	for _, k := range []string{"npm_config_registry", "NPM_CONFIG_REGISTRY"} {
		if v := getenv(k); v != "" && r.NPM == "" {
			r.NPM = v
		}
	}
	userrc := getenv("NPM_CONFIG_USERCONFIG")
	if userrc == "" {
		userrc = getenv("npm_config_userconfig")
	}
	if userrc == "" {
		if home, err := os.UserHomeDir(); err == nil {
			userrc = filepath.Join(home, ".npmrc")
		}
	}
	for _, rc := range []string{filepath.Join(dir, ".npmrc"), userrc} {
		if rc == "" {
			continue
		}
		def, scopes, err := ReadNpmrc(rc, getenv)
		if err != nil {
			return r, err
		}
		if r.NPM == "" {
			r.NPM = def
		}
		for s, u := range scopes {
			if _, ok := r.NPMScopes[s]; !ok {
				r.NPMScopes[s] = u
			}
		}
	}
	if r.NPM == "" {
		r.NPM = askNpmRegistry(ctx, dir)
	}

	// pip (and uv): environment, then pip's configuration files.
	for _, k := range []string{"PIP_INDEX_URL", "UV_DEFAULT_INDEX", "UV_INDEX_URL"} {
		if v := getenv(k); v != "" {
			r.PyPI = v
			break
		}
	}
	if r.PyPI == "" {
		var err error
		if r.PyPI, err = pipConfIndex(getenv); err != nil {
			return r, err
		}
	}
	if r.PyPI == "" {
		r.PyPI = DefaultPyPIIndex
	}
	return r, nil
}

// configMaxSize caps a package manager's configuration file (.npmrc,
// pip.conf); real ones are a few hundred bytes.
const configMaxSize = 1 << 20

// readConfig reads a configuration file through regfile: nil, nil when it
// does not exist.
//
// /dev/null (PIP_CONFIG_FILE=/dev/null, an .npmrc linked to it) is the
// package managers' documented way of saying "no configuration": empty.
func readConfig(path string) ([]byte, error) {
	data, err := regfile.Read(path, configMaxSize)
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		return nil, nil
	case errors.Is(err, regfile.ErrNotRegular):
		if real, rerr := filepath.EvalSymlinks(path); rerr == nil && real == os.DevNull {
			return nil, nil
		}
	}
	return data, err
}

// ReadNpmrc reads the registry settings of one .npmrc ("registry=URL",
// "@scope:registry=URL"), expanding ${VAR} in keys and values as npm does
// (ExpandNpmrc).
func ReadNpmrc(path string, getenv func(string) string) (def string, scopes map[string]string, err error) {
	scopes = map[string]string{}
	data, err := readConfig(path)
	if err != nil {
		return "", scopes, err
	}
	lookup := GetenvLookup(getenv)
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k, v = ExpandNpmrc(strings.TrimSpace(k), lookup), ExpandNpmrc(strings.Trim(strings.TrimSpace(v), `"'`), lookup)
		switch {
		case k == "registry":
			def = v
		case strings.HasPrefix(k, "@") && strings.HasSuffix(k, ":registry"):
			scopes[strings.TrimSuffix(k, ":registry")] = v
		}
	}
	return def, scopes, nil
}

// askNpmRegistry asks npm for its registry; "" when npm is not installed or
// does not answer within a few seconds.
func askNpmRegistry(ctx context.Context, dir string) string {
	if _, err := exec.LookPath("npm"); err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "config", "get", "registry")
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		cmd.Dir = dir
	}
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	u := strings.TrimSpace(string(out))
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return ""
	}
	return u
}

// pipConfIndex reads index-url from pip's configuration files (the
// site-wide, user and PIP_CONFIG_FILE files, later ones winning, as pip
// does).
func pipConfIndex(getenv func(string) string) (string, error) {
	var files []string
	files = append(files, "/etc/pip.conf")
	if home, err := os.UserHomeDir(); err == nil {
		files = append(files, filepath.Join(home, ".pip", "pip.conf"))
	}
	if cfg, err := os.UserConfigDir(); err == nil {
		files = append(files, filepath.Join(cfg, "pip", "pip.conf"))
	}
	if f := getenv("PIP_CONFIG_FILE"); f != "" {
		files = append(files, f)
	}
	index := ""
	for _, f := range files {
		data, err := readConfig(f)
		if err != nil {
			return "", err
		}
		section := ""
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
				section = strings.TrimSpace(line[1 : len(line)-1])
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			if !ok || (section != "global" && section != "install") {
				continue
			}
			if k = strings.TrimSpace(k); k == "index-url" || k == "index_url" {
				index = strings.TrimSpace(v)
			}
		}
	}
	return index, nil
}
