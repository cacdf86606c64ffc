package reach

import (
	"path/filepath"
	"testing"

	"github.com/installguard/guard/lockfile"
)

func analyze(t *testing.T, dir, lock string) map[string]Status {
	t.Helper()
	imp, err := Scan(filepath.Join("testdata", dir))
	if err != nil {
		t.Fatal(err)
	}
	lf, err := lockfile.Parse(filepath.Join("testdata", dir, lock))
	if err != nil {
		t.Fatal(err)
	}
	res := Analyze(lf.Packages, imp)
	out := map[string]Status{}
	for i, p := range lf.Packages {
		out[p.Name] = res.Status[i]
	}
	return out
}

func check(t *testing.T, got map[string]Status, want map[string]Status) {
	t.Helper()
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %q, want %q", name, got[name], w)
		}
	}
}

func TestNPM(t *testing.T) {
	got := analyze(t, "npm-app", "package-lock.json")
	check(t, got, map[string]Status{
		"lodash":      Reachable, // import _ from 'lodash' (ESM)
		"@scope/used": Reachable, // scoped, deep subpath, multi-line import
		"deep":        Reachable, // only through @scope/used
		"dyn":         Reachable, // import('dyn')
		"cjs-dep":     Reachable, // require() in .cjs
		"reexported":  Reachable, // export ... from in .ts
		"unused-vuln": Unreachable,
		// required only from node_modules/unused-vuln, which is not the project's code
		"unused-transitive": Unreachable,
		// required only from fixtures/, which is skipped
		"only-fixture": Unreachable,
	})
}

func TestPythonVenvAndGraph(t *testing.T) {
	got := analyze(t, "py-app", "uv.lock")
	check(t, got, map[string]Status{
		"requests":      Reachable, // from requests.adapters import ...
		"urllib3":       Reachable, // through requests
		"pyyaml":        Reachable, // import yaml, mapped by the venv's top_level.txt
		"django-helper": Reachable, // importlib.import_module("django_helper")
		"unused-lib":    Unreachable,
		"unused-dep":    Unreachable,
	})
}

func TestPythonNoGraph(t *testing.T) {
	got := analyze(t, "py-req", "requirements.txt")
	check(t, got, map[string]Status{
		"flask":     Reachable,
		"jinja2":    Unknown, // may be flask's dependency: no graph says
		"unrelated": Unknown,
	})
}

func TestNoSources(t *testing.T) {
	pkgs := []lockfile.Package{{Ecosystem: lockfile.NPM, Name: "x", Version: "1"}}
	res := Analyze(pkgs, &Imports{NPM: map[string]bool{}})
	if res.Status[0] != Unknown || res.Note == "" {
		t.Fatalf("%+v", res)
	}
}

func TestPythonUnmappedImportIsUnknown(t *testing.T) {
	pkgs := []lockfile.Package{{Ecosystem: lockfile.PyPI, Name: "weird-dist", Version: "1", ID: "a", Deps: []string{"b"}},
		{Ecosystem: lockfile.PyPI, Name: "other", Version: "1", ID: "b"}}
	imp := &Imports{PyFiles: 1, Python: map[string]bool{"wd": true, "os": true}, Local: map[string]bool{}}
	res := Analyze(pkgs, imp)
	if res.Status[0] != Unknown || res.Status[1] != Unknown {
		t.Fatalf("an import naming no known distribution must leave the rest unknown: %+v", res)
	}
}

func TestNPMPackageOf(t *testing.T) {
	for spec, want := range map[string]string{"lodash": "lodash", "lodash/fp": "lodash", "@a/b/c": "@a/b", "@a": "",
		"./x": "", "../x": "", "/abs": "", "node:fs": "", "https://x/y.js": "", "#internal": ""} {
		if got := npmPackageOf(spec); got != want {
			t.Errorf("npmPackageOf(%q) = %q, want %q", spec, got, want)
		}
	}
}
