package guard

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/installguard/guard/lockfile/corpustest"
	"github.com/installguard/guard/verify/advisory"
)

// corpusDir returns the shared corpus or skips (see lockfile/corpustest).
func corpusDir(t testing.TB) string { return corpustest.Dir(t) }

// TestCorpusExpressLodash checks the generated express/lodash lockfile
// against the corpus DB end to end: the advisories EXPECTED-HITS.md lists,
// plus NSWG-ECO-516 for lodash (its range >=4.17.15 <4.17.19; the hints
// only used GHSA records), and nothing else.
func TestCorpusExpressLodash(t *testing.T) {
	corpus := corpusDir(t)
	db, err := advisory.OpenDB(filepath.Join(corpus, "osv"), advisory.WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r, err := Check(context.Background(), Options{Level: 2, Mode: Block, Advisories: db,
		Paths: []string{filepath.Join(corpus, "lockfiles", "npm-generated", "a-express-lodash", "package-lock.json")}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %+v", r.Errors)
	}
	want := map[string]bool{
		"body-parser@1.19.0 GHSA-qwcr-r2fm-qrc7": true, "cookie@0.4.0 GHSA-pxg6-pf52-xh8x": true,
		"express@4.17.1 GHSA-qw6h-vgh9-j6wx": true, "express@4.17.1 GHSA-rv95-896h-c2vc": true,
		"lodash@4.17.15 GHSA-29mw-wpgm-hmr9": true, "lodash@4.17.15 GHSA-35jh-r3h4-6jhm": true,
		"lodash@4.17.15 GHSA-p6mc-m468-83gw": true, "lodash@4.17.15 NSWG-ECO-516": true,
		"path-to-regexp@0.1.7 GHSA-9wv6-86v2-598j": true, "qs@6.7.0 GHSA-hrpp-h998-j3pp": true,
		"send@0.17.1 GHSA-m6fv-jmcg-4jfg": true, "serve-static@1.14.1 GHSA-cm22-4g7w-348p": true,
	}
	got := map[string]bool{}
	for _, f := range r.Findings {
		if f.Rule != RuleVulnerability {
			t.Errorf("unexpected %s finding %s %s@%s", f.Rule, f.ID, f.Name, f.Version)
			continue
		}
		got[f.Name+"@"+f.Version+" "+f.ID] = true
		if f.Action != Block || len(f.Fixed) == 0 || f.Summary == "" {
			t.Errorf("finding %+v", f)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("missing %s", k)
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("unexpected %s", k)
		}
	}
	if r.ExitCode() != ExitBlocked {
		t.Errorf("exit %d", r.ExitCode())
	}
}

// BenchmarkCheckReactScriptsOffline is the whole check of the 1,291-package
// react-scripts lockfile against the corpus DB, index warm: parse, pinning,
// advisory lookup and matching, verdict.
func BenchmarkCheckReactScriptsOffline(b *testing.B) {
	corpus := corpusDir(b)
	cache := b.TempDir()
	lock := filepath.Join(corpus, "lockfiles", "npm-generated", "c-react-scripts", "package-lock.json")
	run := func() *Report {
		db, err := advisory.OpenDB(filepath.Join(corpus, "osv"), advisory.WithCacheDir(cache))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		r, err := Check(context.Background(), Options{Level: 2, Mode: Block, Advisories: db, Paths: []string{lock}})
		if err != nil || len(r.Errors) > 0 {
			b.Fatal(err, r.Errors)
		}
		return r
	}
	run() // build the index once, as 'guard db update' would
	b.ResetTimer()
	for b.Loop() {
		run()
	}
}
