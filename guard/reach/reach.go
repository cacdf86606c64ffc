// Package reach works out, for npm and Python projects, which locked
// packages the project's own code can reach: a static scan of the project's
// import statements gives the imported top-level packages, and the lockfile
// graph gives what those depend on, transitively.
//
// It is import-level, not call-level: a package counts as reachable when
// the project imports it (or imports something that depends on it), whether
// or not the vulnerable function is ever called. Imports built at run time
// from non-literal strings, plugins loaded by configuration (babel, eslint,
// webpack loaders named in config files), CLIs run from package.json
// scripts, and Python entry points are not seen; that is why a package is
// only "unreachable" when the project has source files to scan.
package reach

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/lockfile/regfile"
)

// Status of one package.
type Status string

const (
	Reachable   Status = "reachable"
	Unreachable Status = "unreachable"
	Unknown     Status = "unknown"
)

// Imports are what a project's own code imports.
type Imports struct {
	// JSFiles and PyFiles count the source files scanned.
	JSFiles, PyFiles int
	// NPM holds package names ("lodash", "@scope/name").
	NPM map[string]bool
	// Python holds top-level module names ("yaml", "django").
	Python map[string]bool
	// Local holds the project's own Python module names (every x.py and
	// every folder with __init__.py under the scanned folder), which are
	// not distributions.
	Local map[string]bool
	// Dists maps a module name to the distributions installed in the
	// project's virtual env that provide it (top_level.txt, RECORD); nil
	// when no virtual env was found.
	Dists map[string][]string
}

// notSource are folders that hold code but not the project's own source,
// skipped on top of what every walk of a project skips (lockfile.SkipDir):
// build output, coverage reports, test fixtures, virtual envs by their
// usual names.
var notSource = map[string]bool{
	"env": true, ".env": true, "dist": true, "build": true, "out": true, "coverage": true, ".cache": true,
	"fixtures": true, "__fixtures__": true, "testdata": true,
}

var jsExts = map[string]bool{".js": true, ".mjs": true, ".cjs": true, ".jsx": true, ".ts": true, ".tsx": true,
	".mts": true, ".cts": true, ".vue": true, ".svelte": true}

const maxFile = 2 << 20

var (
	// from 'x' (import ... from, export ... from), import 'x', import('x'),
	// require('x'), require.resolve('x').
	jsImport = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire(?:\.resolve)?\s*\(\s*)['"]([^'"\s]+)['"]`)
	})
	pyImport = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*import\s+(.+)$`) })
	pyFrom   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*from\s+([A-Za-z_][\w.]*)\s+import\b`) })
	pyDyn    = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\b(?:import_module|__import__)\s*\(\s*['"]([A-Za-z_][\w.]*)['"]`)
	})
)

// Scan reads the project's own JS/TS and Python files under dir, skipping
// dependency folders (node_modules, virtual envs), VCS folders, build
// output and test fixtures (fixtures, __fixtures__, testdata). Test code
// itself is scanned: it runs too (in CI, with its secrets).
func Scan(dir string) (*Imports, error) {
	imp := &Imports{NPM: map[string]bool{}, Python: map[string]bool{}, Local: map[string]bool{}}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			return nil
		}
		if d.IsDir() {
			if path != dir && (notSource[d.Name()] || lockfile.SkipDir(path)) {
				return filepath.SkipDir
			}
			if path != dir {
				if _, err := os.Stat(filepath.Join(path, "__init__.py")); err == nil {
					imp.Local[d.Name()] = true
				}
			}
			return nil
		}
		ext := filepath.Ext(d.Name())
		isJS, isPy := jsExts[ext] && !strings.HasSuffix(d.Name(), ".min.js") && !strings.HasSuffix(d.Name(), ".d.ts"), ext == ".py"
		if !isJS && !isPy {
			return nil
		}
		if info, err := d.Info(); err != nil || info.Size() > maxFile {
			return nil
		}
		data, err := regfile.Read(path, maxFile) // a FIFO or device named *.js is skipped, not waited on
		if err != nil {
			return nil
		}
		if isJS {
			imp.JSFiles++
			scanJS(data, imp.NPM)
		} else {
			imp.PyFiles++
			scanPy(data, imp.Python)
			imp.Local[strings.TrimSuffix(d.Name(), ".py")] = true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	imp.Dists = venvDists(dir)
	return imp, nil
}

func scanJS(data []byte, out map[string]bool) {
	for _, m := range jsImport().FindAllSubmatch(data, -1) {
		if name := npmPackageOf(string(m[1])); name != "" {
			out[name] = true
		}
	}
}

// npmPackageOf maps a bare specifier to its package name: "@s/n/x" → "@s/n",
// "n/x" → "n". Relative and absolute paths, URLs and node: builtins are not
// packages.
func npmPackageOf(spec string) string {
	if spec == "" || strings.HasPrefix(spec, ".") || strings.HasPrefix(spec, "/") || strings.HasPrefix(spec, "#") ||
		strings.Contains(spec, ":") || strings.Contains(spec, "\\") {
		return ""
	}
	parts := strings.Split(spec, "/")
	if strings.HasPrefix(spec, "@") {
		if len(parts) < 2 || parts[1] == "" {
			return ""
		}
		return parts[0] + "/" + parts[1]
	}
	return parts[0]
}

func scanPy(data []byte, out map[string]bool) {
	// Only identifiers are module names: text that is not (a string, a
	// stray "import ." in a file that is not Python) is no import.
	add := func(mod string) {
		if name := strings.SplitN(mod, ".", 2)[0]; isPyIdent(name) {
			out[name] = true
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), maxFile)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		// "import os; import sys": one statement at a time.
		for _, stmt := range strings.Split(line, ";") {
			if m := pyFrom().FindStringSubmatch(stmt); m != nil {
				add(m[1])
			} else if m := pyImport().FindStringSubmatch(stmt); m != nil {
				for _, item := range strings.Split(strings.TrimRight(strings.TrimSpace(m[1]), "\\"), ",") {
					f := strings.Fields(item)
					if len(f) == 0 {
						continue
					}
					add(strings.Trim(f[0], "()"))
				}
			}
		}
		for _, m := range pyDyn().FindAllStringSubmatch(line, -1) {
			add(m[1])
		}
	}
}

// isPyIdent reports whether s is a Python identifier (PEP 3131, roughly:
// a letter or underscore, then letters, digits and underscores).
func isPyIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || unicode.IsLetter(r) || i > 0 && unicode.IsDigit(r) {
			continue
		}
		return false
	}
	return true
}

// venvDists reads the dist-info folders of a virtual env in the project
// (.venv, venv, env or any folder with pyvenv.cfg at the top level) and
// maps each top-level module to the distributions that install it.
func venvDists(dir string) map[string][]string {
	var sitePkgs []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !e.IsDir() || !lockfile.IsVenv(filepath.Join(dir, e.Name())) {
			continue
		}
		for _, pat := range []string{"lib/python*/site-packages", "lib64/python*/site-packages", "Lib/site-packages"} {
			m, _ := filepath.Glob(filepath.Join(dir, e.Name(), filepath.FromSlash(pat)))
			sitePkgs = append(sitePkgs, m...)
		}
	}
	if len(sitePkgs) == 0 {
		return nil
	}
	out := map[string][]string{}
	for _, sp := range sitePkgs {
		infos, _ := filepath.Glob(filepath.Join(sp, "*.dist-info"))
		for _, info := range infos {
			base := strings.TrimSuffix(filepath.Base(info), ".dist-info")
			dist := NormalizePy(strings.SplitN(base, "-", 2)[0])
			mods := map[string]bool{}
			if data, err := regfile.Read(filepath.Join(info, "top_level.txt"), maxFile); err == nil {
				for _, l := range strings.Fields(string(data)) {
					mods[strings.SplitN(l, "/", 2)[0]] = true
				}
			} else if data, err := regfile.Read(filepath.Join(info, "RECORD"), 32<<20); err == nil {
				for _, l := range strings.Split(string(data), "\n") {
					p := strings.SplitN(strings.SplitN(l, ",", 2)[0], "/", 2)[0]
					if p == "" || strings.HasSuffix(p, ".dist-info") || strings.HasSuffix(p, ".data") ||
						p == "__pycache__" || p == ".." || strings.HasSuffix(p, ".pth") {
						continue
					}
					mods[strings.TrimSuffix(strings.TrimSuffix(p, ".py"), ".pyi")] = true
				}
			}
			for m := range mods {
				out[m] = append(out[m], dist)
			}
		}
	}
	return out
}

// NormalizePy normalises a Python distribution name (PEP 503).
func NormalizePy(name string) string {
	return pySep().ReplaceAllString(strings.ToLower(name), "-")
}

var pySep = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[-_.]+`) })

// knownPyModules are well-known import names that differ from their
// distribution's name, used when no virtual env says.
var knownPyModules = map[string][]string{
	"yaml": {"pyyaml"}, "PIL": {"pillow"}, "bs4": {"beautifulsoup4"}, "sklearn": {"scikit-learn"},
	"cv2": {"opencv-python", "opencv-python-headless", "opencv-contrib-python"}, "dateutil": {"python-dateutil"},
	"jwt": {"pyjwt"}, "Crypto": {"pycryptodome", "pycrypto"}, "Cryptodome": {"pycryptodomex"}, "attr": {"attrs"},
	"dotenv": {"python-dotenv"}, "magic": {"python-magic"}, "OpenSSL": {"pyopenssl"}, "serial": {"pyserial"},
	"git": {"gitpython"}, "jose": {"python-jose"}, "docx": {"python-docx"}, "multipart": {"python-multipart"},
	"google": {"protobuf"}, "MySQLdb": {"mysqlclient"}, "psycopg2": {"psycopg2", "psycopg2-binary"},
	"skimage": {"scikit-image"}, "Levenshtein": {"python-levenshtein"}, "socks": {"pysocks"},
	"usb": {"pyusb"}, "zmq": {"pyzmq"}, "nacl": {"pynacl"}, "gi": {"pygobject"}, "win32api": {"pywin32"},
	"markdown": {"markdown"}, "slugify": {"python-slugify"}, "telegram": {"python-telegram-bot"},
	"engineio": {"python-engineio"}, "socketio": {"python-socketio"}, "ldap": {"python-ldap"},
}

// Result says, per package of one lockfile (same order), whether the
// project reaches it, and why a whole lockfile is Unknown.
type Result struct {
	Status []Status
	// Note explains an all-Unknown result.
	Note string
}

// Analyze decides, for the packages of one lockfile, which the project's
// imports reach. Packages of other ecosystems than npm and PyPI, and all
// packages when the project has no source files of the lockfile's
// ecosystem, are Unknown. Without a dependency graph in the lockfile
// (requirements.txt), an imported package is Reachable and any other is
// Unknown: it may be a dependency of an imported one.
func Analyze(pkgs []lockfile.Package, imp *Imports) Result {
	res := Result{Status: make([]Status, len(pkgs))}
	for i := range res.Status {
		res.Status[i] = Unknown
	}
	if len(pkgs) == 0 || imp == nil {
		res.Note = "no import scan"
		return res
	}
	eco := pkgs[0].Ecosystem
	var imported func(p *lockfile.Package) bool
	complete := true // every import resolves, so "not imported" means it
	switch eco {
	case lockfile.NPM:
		if imp.JSFiles == 0 {
			res.Note = "no JavaScript/TypeScript source files found to scan"
			return res
		}
		imported = func(p *lockfile.Package) bool { return imp.NPM[p.Name] }
	case lockfile.PyPI:
		if imp.PyFiles == 0 {
			res.Note = "no Python source files found to scan"
			return res
		}
		dists := map[string]bool{}
		for mod := range imp.Python {
			if pythonStdlib[mod] || imp.Local[mod] {
				continue
			}
			var names []string
			if imp.Dists != nil {
				names = imp.Dists[mod]
			}
			if len(names) == 0 {
				names = append(knownPyModules[mod], NormalizePy(mod))
			}
			found := false
			for _, n := range names {
				n = NormalizePy(n)
				dists[n] = true
				for j := range pkgs {
					if NormalizePy(pkgs[j].Name) == n {
						found = true
					}
				}
			}
			if !found {
				complete = false // some import names no locked distribution we know of
			}
		}
		imported = func(p *lockfile.Package) bool { return dists[NormalizePy(p.Name)] }
	default:
		res.Note = "reachability is only worked out for npm and Python"
		return res
	}
	hasGraph := false
	byID := map[string][]int{}
	for i := range pkgs {
		if len(pkgs[i].Deps) > 0 {
			hasGraph = true
		}
		if pkgs[i].ID != "" {
			byID[pkgs[i].ID] = append(byID[pkgs[i].ID], i)
		}
	}
	reach := make([]bool, len(pkgs))
	var stack []int
	for i := range pkgs {
		if imported(&pkgs[i]) {
			reach[i] = true
			stack = append(stack, i)
		}
	}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, d := range pkgs[i].Deps {
			for _, j := range byID[d] {
				if !reach[j] {
					reach[j] = true
					stack = append(stack, j)
				}
			}
		}
	}
	for i := range pkgs {
		switch {
		case reach[i]:
			res.Status[i] = Reachable
		case !hasGraph:
			res.Status[i] = Unknown
		case !complete:
			// An import we could not map to a distribution might be this
			// package or pull it in.
			res.Status[i] = Unknown
		default:
			res.Status[i] = Unreachable
		}
	}
	if !hasGraph {
		res.Note = "the lockfile records no dependency graph"
	} else if !complete {
		res.Note = "some Python imports name no locked distribution guard can map (no virtual env to read)"
	}
	return res
}
