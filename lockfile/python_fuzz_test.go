package lockfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// The fuzz targets call the parsers directly (not through parseData, which
// turns panics into errors) so that a panic fails the run. Includes and
// companion manifests come from a small in-memory file set, never the disk.

func pyMemReadFile(files map[string]string) func(string) ([]byte, error) {
	return func(p string) ([]byte, error) {
		if s, ok := files[filepath.ToSlash(p)]; ok {
			return []byte(s), nil
		}
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	}
}

func pyFuzzParse(t *testing.T, parse func(*input) (*Lockfile, error), path string, data []byte, files map[string]string) {
	lf, err := parse(&input{Path: path, Data: data, ReadFile: pyMemReadFile(files)})
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %v is a %T, not a *ParseError", err, err)
		}
		return
	}
	lf.Ecosystem = PyPI
	Finish(lf)
	ids := map[string]bool{}
	for _, p := range lf.Packages {
		if p.ID == "" || ids[p.ID] {
			t.Fatalf("empty or repeated ID %q", p.ID)
		}
		ids[p.ID] = true
		if p.Name != pep503Name(p.Name) {
			t.Fatalf("name %q is not normalised", p.Name)
		}
		if p.Source.Kind == "" {
			t.Fatalf("%s: no source kind", p.ID)
		}
	}
}

func pyAddSeedFiles(f *testing.F, patterns ...string) {
	for _, p := range patterns {
		files, _ := filepath.Glob(p)
		for _, file := range files {
			if data, err := os.ReadFile(file); err == nil {
				f.Add(data)
			}
		}
	}
}

func pyCorpusSeeds(f *testing.F, patterns ...string) {
	dir := os.Getenv("GUARD_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "corpus")
	}
	if _, err := os.Stat(filepath.Join(dir, "lockfiles")); err != nil {
		return
	}
	for i := range patterns {
		patterns[i] = filepath.Join(dir, "lockfiles", patterns[i])
	}
	pyAddSeedFiles(f, patterns...)
}

var fuzzReqFiles = map[string]string{
	"fz/inc.txt":  "a==1 --hash=sha256:00\n-r inc2.txt\n",
	"fz/inc2.txt": "b>=2\n-c c.txt\n",
	"fz/c.txt":    "b==2.1 --hash=sha256:11\n",
	"fz/self.txt": "-r self.txt\n",
}

func FuzzParseRequirements(f *testing.F) {
	pyAddSeedFiles(f, "testdata/requirements/*.txt", "testdata/requirements/*/*.txt")
	pyCorpusSeeds(f, "osv-scanner-v1-fixtures/pip/*", "osv-scalibr-testdata/requirements/*", "python/requirements-vulnerable/*/*.txt")
	for _, s := range []string{
		"-r inc.txt\n-r self.txt\n",
		"foo[bar]==1.0 ; python_version < '3' --hash sha256:00 \\\n --hash=sha384:11\n",
		"-e git+https://h/x.git@0123456789012345678901234567890123456789#egg=x\n",
		"x @ https://h/x-1.0-py3-none-any.whl#sha256=00\n./a/b-1.0.tar.gz[extra]\n",
		"\xff\xfea\x00=\x00=\x001\x00",
		"--index-url=https://u:p@h/simple -c c.txt\nb\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sniffRequirements(data)
		pyFuzzParse(t, parseRequirements, "fz/requirements.txt", data, fuzzReqFiles)
	})
}

var fuzzPipfile = map[string]string{
	"fz/Pipfile": "[packages]\nrequests = \"*\"\n[dev-packages]\npytest = \"*\"\n",
}

func FuzzParsePipfileLock(f *testing.F) {
	pyAddSeedFiles(f, "testdata/pipfile/*.json", "testdata/pipfile/*/Pipfile.lock")
	pyCorpusSeeds(f, "osv-scanner-v1-fixtures/pipenv/*", "osv-scalibr-testdata/pipfilelock/*")
	f.Add([]byte(`{"_meta": {"sources": [{"name": "a", "url": "https://x:y@h/simple"}]}, "default": {"requests": {"version": "==1", "index": "a", "hashes": ["sha256:00"]}}, "develop": {"requests": {"version": "==1"}, "pytest": {"git": "https://h/p", "ref": "0123456789012345678901234567890123456789"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sniffPipfileLock(data)
		pyFuzzParse(t, parsePipfileLock, "fz/Pipfile.lock", data, fuzzPipfile)
	})
}

var fuzzPyproject = map[string]string{
	"fz/pyproject.toml": "[project]\ndependencies = [\"a[x]>=1\"]\n[project.optional-dependencies]\nopt = [\"b\"]\n[tool.pdm.dev-dependencies]\ndev = [\"-e file:///${PROJECT_ROOT}/c#egg=c\"]\n",
}

func FuzzParsePDMLock(f *testing.F) {
	pyAddSeedFiles(f, "testdata/pdm/*/pdm.lock")
	pyCorpusSeeds(f, "osv-scanner-v1-fixtures/pdm/*", "osv-scalibr-testdata/pdmlock/*")
	f.Add([]byte("[[package]]\nname = \"a\"\nversion = \"1\"\nextras = [\"x\"]\ngroups = [\"opt\"]\ndependencies = [\"a==1\", \"b\", \"-e ./c#egg=c\"]\n[[package]]\nname = \"a\"\nversion = \"1\"\n[[package]]\nname = \"b\"\nversion = \"2\"\n[metadata.files]\n\"b 2\" = [{url = \"u\", hash = \"sha256:00\"}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sniffPDMLock(data)
		pyFuzzParse(t, parsePDMLock, "fz/pdm.lock", data, fuzzPyproject)
	})
}
