package guard

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/advisory"
)

// memSource is an in-memory advisory source: it matches with the same
// Affects as the real sources.
type memSource struct {
	records []*osvschema.Vulnerability
	err     error
	queries int
}

func (m *memSource) Query(_ context.Context, qs []advisory.Query) ([][]*osvschema.Vulnerability, error) {
	m.queries += len(qs)
	if m.err != nil {
		return nil, m.err
	}
	out := make([][]*osvschema.Vulnerability, len(qs))
	for i, q := range qs {
		for _, r := range m.records {
			if advisory.Affects(r, q) {
				out[i] = append(out[i], r)
			}
		}
	}
	return out, nil
}

func record(t *testing.T, js string) *osvschema.Vulnerability {
	t.Helper()
	v, err := advisory.DecodeRecord([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func testRecords(t *testing.T) []*osvschema.Vulnerability {
	return []*osvschema.Vulnerability{
		record(t, `{"id":"GHSA-aaaa-bbbb-cccc","aliases":["CVE-2099-1"],"summary":"proto pollution",
			"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
			"affected":[{"package":{"ecosystem":"npm","name":"lodash"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.17.19"}]}]}]}`),
		record(t, `{"id":"NSWG-ECO-1","aliases":["CVE-2099-1"],"summary":"same issue",
			"affected":[{"package":{"ecosystem":"npm","name":"lodash"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.17.21"}]}]}]}`),
		record(t, `{"id":"MAL-2099-1","summary":"Malicious code in evil",
			"affected":[{"package":{"ecosystem":"npm","name":"evil"},"versions":["1.0.0"]}]}`),
		record(t, `{"id":"RUSTSEC-2099-1","summary":"unmaintained",
			"affected":[{"package":{"ecosystem":"crates.io","name":"old"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}],
			"database_specific":{"informational":"unmaintained"}}]}`),
	}
}

func testLockfiles() []*lockfile.Lockfile {
	return []*lockfile.Lockfile{
		{Path: "a/package-lock.json", Ecosystem: lockfile.NPM, Packages: []lockfile.Package{
			{Ecosystem: lockfile.NPM, Name: "lodash", Version: "4.17.15", Chain: []string{"x@1.0.0"}},
			{Ecosystem: lockfile.NPM, Name: "lodash", Version: "4.17.15", Path: "node_modules/y/node_modules/lodash"},
			{Ecosystem: lockfile.NPM, Name: "evil", Version: "1.0.0"},
			{Ecosystem: lockfile.NPM, Name: "evil", Version: "1.0.1"},
			{Ecosystem: lockfile.NPM, Name: "me", Version: "1.0.0", Source: lockfile.Source{Kind: lockfile.SourceWorkspace}},
			{Ecosystem: lockfile.NPM, Name: "ranged", Requirement: "^1"},
		}},
		{Path: "Cargo.lock", Ecosystem: lockfile.CratesIO, Packages: []lockfile.Package{
			{Ecosystem: lockfile.CratesIO, Name: "old", Version: "0.1.0"},
		}},
	}
}

func TestAdvisoryQueriesDistinctPinnedNonWorkspace(t *testing.T) {
	qs := advisoryQueries(testLockfiles())
	want := []advisory.Query{
		{Ecosystem: "crates.io", Name: "old", Version: "0.1.0"},
		{Ecosystem: "npm", Name: "evil", Version: "1.0.0"},
		{Ecosystem: "npm", Name: "evil", Version: "1.0.1"},
		{Ecosystem: "npm", Name: "lodash", Version: "4.17.15"},
	}
	if !slices.Equal(qs, want) {
		t.Fatalf("queries %v, want %v", qs, want)
	}
}

func TestAdvisoryFindings(t *testing.T) {
	for _, mode := range []Action{Block, Warn} {
		src := &memSource{records: testRecords(t)}
		hits, err := gatherAdvisories(context.Background(), src, 0, time.Now(), testLockfiles())
		if err != nil {
			t.Fatal(err)
		}
		fs := advisoryFindings(rcFor(t, 2, mode), hits, testLockfiles())
		byRule := map[string][]Finding{}
		for _, f := range fs {
			byRule[f.Rule] = append(byRule[f.Rule], f)
		}
		// lodash: the two aliased records are one finding, once per lockfile
		v := byRule[RuleVulnerability]
		if len(v) != 1 {
			t.Fatalf("mode %s: vulnerability findings %+v", mode, v)
		}
		if v[0].ID != "NSWG-ECO-1" && v[0].ID != "GHSA-aaaa-bbbb-cccc" || len(v[0].Aliases) != 2 {
			t.Errorf("merged finding id %s aliases %v", v[0].ID, v[0].Aliases)
		}
		if v[0].Action != mode || v[0].Item != "C2.1" || v[0].Severity != "CRITICAL" || v[0].Score != 9.8 {
			t.Errorf("vulnerability finding %+v", v[0])
		}
		if !slices.Equal(v[0].Fixed, []string{"4.17.19", "4.17.21"}) || !slices.Equal(v[0].Chain, []string{"x@1.0.0"}) {
			t.Errorf("fixed %v chain %v", v[0].Fixed, v[0].Chain)
		}
		// malware blocks in either mode, and only the listed version
		m := byRule[RuleMalware]
		if len(m) != 1 || m[0].Version != "1.0.0" || m[0].Action != Block || m[0].Item != "G2.3" {
			t.Errorf("mode %s: malware findings %+v", mode, m)
		}
		// RustSec informational: warns whatever the mode
		u := byRule[RuleUnmaintained]
		if len(u) != 1 || u[0].Action != Warn || u[0].Lockfile != "Cargo.lock" {
			t.Errorf("mode %s: unmaintained findings %+v", mode, u)
		}
	}
}

func TestAdvisoryLevels(t *testing.T) {
	src := &memSource{records: testRecords(t)}
	hits, err := gatherAdvisories(context.Background(), src, 0, time.Now(), testLockfiles())
	if err != nil {
		t.Fatal(err)
	}
	for level := 0; level <= 1; level++ {
		fs := advisoryFindings(rcFor(t, level, Block), hits, testLockfiles())
		if len(fs) != 1 || fs[0].Rule != RuleMalware {
			t.Errorf("level %d: %+v, want only the malware finding", level, fs)
		}
	}
}

func TestAdvisorySourceErrorIsIncomplete(t *testing.T) {
	src := &memSource{err: errors.New("connection refused")}
	_, err := gatherAdvisories(context.Background(), src, 0, time.Now(), testLockfiles())
	if err == nil {
		t.Fatal("a failing source must not read as no advisories")
	}
}

type statusSource struct {
	memSource
	written time.Time
}

func (s *statusSource) Status() ([]advisory.EcosystemStatus, error) {
	return []advisory.EcosystemStatus{{Ecosystem: "npm", WrittenAt: s.written}, {Ecosystem: "PyPI", WrittenAt: time.Time{}}}, nil
}

func TestMaxDBAge(t *testing.T) {
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	lfs := testLockfiles()[:1] // npm only: the ancient PyPI folder is not consulted
	fresh := &statusSource{memSource: memSource{records: testRecords(t)}, written: now.Add(-6 * 24 * time.Hour)}
	if _, err := gatherAdvisories(context.Background(), fresh, 7*24*time.Hour, now, lfs); err != nil {
		t.Fatalf("6-day-old DB with a 7-day limit: %v", err)
	}
	stale := &statusSource{memSource: memSource{records: testRecords(t)}, written: now.Add(-8 * 24 * time.Hour)}
	if _, err := gatherAdvisories(context.Background(), stale, 7*24*time.Hour, now, lfs); err == nil {
		t.Fatal("8-day-old DB with a 7-day limit passed")
	} else if stale.queries != 0 {
		t.Errorf("stale DB was queried")
	}
	if _, err := gatherAdvisories(context.Background(), stale, 0, now, lfs); err != nil {
		t.Fatalf("no limit: %v", err)
	}
}

// preparingSource is a memSource that records what it was asked to make
// ready (advisory.Preparer).
type preparingSource struct {
	memSource
	prepared [][]string
}

func (p *preparingSource) Prepare(_ context.Context, ecosystems []string) {
	p.prepared = append(p.prepared, ecosystems)
}

// Check tells a source that can get ready which ecosystems its lockfiles
// are before it reads them, once.
func TestCheckPreparesAdvisorySource(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "package-lock.json", `{"name":"x","lockfileVersion":3,"packages":{"":{"name":"x"},
		"node_modules/lodash":{"version":"4.17.15","resolved":"https://npm-registry.invalid/lodash/-/lodash-4.17.15.tgz","integrity":"sha512-AAAA"}}}`)
	writeFile(t, dir, "Cargo.lock", "version = 3\n\n[[package]]\nname = \"old\"\nversion = \"0.1.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"0000000000000000000000000000000000000000000000000000000000000000\"\n")
	src := &preparingSource{memSource: memSource{records: testRecords(t)}}
	r, err := Check(context.Background(), Options{Paths: []string{dir}, Level: 2, Mode: Block, Advisories: src})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Lockfiles) != 2 {
		t.Fatalf("%d lockfiles read", len(r.Lockfiles))
	}
	for _, p := range src.prepared {
		slices.Sort(p)
	}
	if want := [][]string{{"crates.io", "npm"}}; !slices.EqualFunc(src.prepared, want, slices.Equal) {
		t.Errorf("prepared %q, want %q", src.prepared, want)
	}
	if src.queries == 0 {
		t.Error("the source was prepared but never asked")
	}
}
