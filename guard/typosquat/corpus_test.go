package typosquat

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/lockfile/corpustest"
)

// realLockfiles are the corpus's lockfiles of real projects (not the
// parser test fixtures, whose names are made up).
var realLockfiles = []string{
	"lockfiles/npm/insomnia-large-v3/package-lock.json",
	"lockfiles/npm/firebase-tools/npm-shrinkwrap.json",
	"lockfiles/npm/atom/package-lock.json",
	"lockfiles/npm/nodegoat/package-lock.json",
	"lockfiles/npm/nodejs-goof/package-lock.json",
	"lockfiles/npm/npm-cli/npm-cli-root/package-lock.json",
	"lockfiles/npm/npm-cli/smoke-large-install/package-lock.json",
	"lockfiles/npm/pdfjs-v3/package-lock.json",
	"lockfiles/npm/warehouse/package-lock.json",
	"lockfiles/npm-generated/a-express-lodash/package-lock.json",
	"lockfiles/npm-generated/b-webpack-babel/package-lock.json",
	"lockfiles/npm-generated/c-react-scripts/package-lock.json",
	"lockfiles/yarn/webpack-classic-v1/yarn.lock",
	"lockfiles/yarn/prettier-berry/yarn.lock",
	"lockfiles/pnpm/vue2-v6/pnpm-lock.yaml",
	"lockfiles/pnpm/vue3-core-v9/pnpm-lock.yaml",
	"lockfiles/pnpm/osv-dev-frontend3-v9/pnpm-lock.yaml",
	"lockfiles/python/requirements-hashes/warehouse/main.txt",
	"lockfiles/python/requirements-hashes/warehouse/deploy.txt",
	"lockfiles/python/requirements-hashes/warehouse/lint.txt",
	"lockfiles/python/requirements-hashes/warehouse/tests.txt",
	"lockfiles/python/requirements-hashes/supply-chain-firewall/requirements.txt",
	"lockfiles/python/pipfile-lock/pipenv/Pipfile.lock",
	"lockfiles/python/pipfile-lock/pipenv-examples/Pipfile.lock",
	"lockfiles/python/pylock/pipenv/pylock.toml",
	"lockfiles/python/poetry/osv-dev/poetry.lock",
	"lockfiles/python/poetry/guarddog/poetry.lock",
	"lockfiles/python/poetry/poetry/poetry.lock",
	"lockfiles/python/uv/flask/uv.lock",
	"lockfiles/python/uv/guarddog/uv.lock",
	"lockfiles/python/requirements-vulnerable/pygoat/requirements.txt",
	"lockfiles/python/requirements-vulnerable/dvpwa/requirements.txt",
}

// corpusMatches runs the detector over every registry package of the real
// lockfiles, once per distinct ecosystem and name.
func corpusMatches(t *testing.T) []string {
	seen := map[string]bool{}
	var out []string
	n := 0
	for _, rel := range realLockfiles {
		lf, err := lockfile.Parse(corpustest.Path(t, rel))
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		for _, p := range lf.Packages {
			k := string(p.Ecosystem) + ":" + p.Name
			if seen[k] || (p.Source.Kind != lockfile.SourceRegistry && p.Source.Kind != "") {
				continue
			}
			seen[k] = true
			n++
			if m, ok := Check(string(p.Ecosystem), p.Name); ok {
				out = append(out, fmt.Sprintf("%s %s imitates %s #%d (%s)", p.Ecosystem, p.Name, m.Target, m.Rank, m.How))
			}
		}
	}
	sort.Strings(out)
	t.Logf("%d distinct names checked", n)
	return out
}

// TestCorpusFindings: on the real projects' lockfiles the detector raises
// exactly these matches, each listed and explained in docs/typosquat.md
// (none is a real typosquat; all are old, real packages).
func TestCorpusFindings(t *testing.T) {
	want := []string{
		"npm npmconf imitates npm-conf #6959 (separator removed)",
		"npm objectpath imitates object-path #5495 (separator removed)",
		"npm wcwidth.js imitates wcwidth #1029 (`.js` suffix added)",
	}
	got := corpusMatches(t)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("matches on the corpus:\n%s\nwant (docs/typosquat.md lists them):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// BenchmarkCheckReactScripts checks the 1,291 packages of the corpus's
// react-scripts lockfile, as the rule does in a check (once the indexes
// are built; BenchmarkBuild measures that).
func BenchmarkCheckReactScripts(b *testing.B) {
	lf, err := lockfile.Parse(corpustest.Path(b, "lockfiles/npm-generated/c-react-scripts/package-lock.json"))
	if err != nil {
		b.Fatal(err)
	}
	Check(NPM, "warm-up")
	b.ResetTimer()
	for b.Loop() {
		for _, p := range lf.Packages {
			Check(NPM, p.Name)
		}
	}
}

// TestDataMatchesCorpus: the embedded lists are what `go generate` makes
// of the corpus files (same names, same order).
func TestDataMatchesCorpus(t *testing.T) {
	var npm struct {
		Names []string `json:"names"`
	}
	var pypi struct {
		Rows [][]any `json:"rows"`
	}
	for _, f := range []struct {
		path string
		v    any
	}{{"popular/npm-high-impact.json", &npm}, {"popular/pypi-top.json", &pypi}} {
		b, err := os.ReadFile(corpustest.Path(t, f.path))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, f.v); err != nil {
			t.Fatal(err)
		}
	}
	var py []string
	for _, r := range pypi.Rows {
		py = append(py, r[0].(string))
	}
	for _, c := range []struct {
		eco  string
		want []string
	}{{NPM, npm.Names}, {PyPI, py}} {
		got := popular(c.eco).names
		if len(got) != len(c.want) || len(got) < 15000 {
			t.Errorf("%s: %d names embedded, %d in the corpus: run go generate ./guard/typosquat", c.eco, len(got), len(c.want))
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: name %d is %q, the corpus has %q: run go generate ./guard/typosquat", c.eco, i, got[i], c.want[i])
				break
			}
		}
	}
}

// BenchmarkColdReactScripts is the rule's whole cost in a fresh process:
// loading the npm list, then checking the react-scripts lockfile's 1,291
// packages.
func BenchmarkColdReactScripts(b *testing.B) {
	lf, err := lockfile.Parse(corpustest.Path(b, "lockfiles/npm-generated/c-react-scripts/package-lock.json"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		unload()
		for _, p := range lf.Packages {
			Check(NPM, p.Name)
		}
	}
}
