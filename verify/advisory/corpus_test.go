package advisory

import (
	"archive/zip"
	"bufio"
	"context"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/installguard/guard/lockfile/corpustest"
	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/proto"
)

// corpusDir returns the shared corpus or skips (see lockfile/corpustest).
func corpusDir(t testing.TB) string { return corpustest.Dir(t) }

// sharedCache holds the corpus indexes for all tests of one run, so each
// corpus zip is indexed once per run.
var sharedCache = sync.OnceValue(func() string {
	d, err := os.MkdirTemp("", "guard-osv-index-test-")
	if err != nil {
		panic(err)
	}
	return d
})

func TestMain(m *testing.M) {
	code := m.Run()
	os.RemoveAll(sharedCache())
	os.Exit(code)
}

// corpusDB opens the corpus OSV DB (read-only) with its index cached in the
// run's shared cache.
func corpusDB(t testing.TB) *DB {
	t.Helper()
	db, err := OpenDB(filepath.Join(corpusDir(t), "osv"), WithCacheDir(sharedCache()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// expectedHit is one line of EXPECTED-HITS.md.
type expectedHit struct {
	section string
	q       Query
	ids     []string
	partial bool // the hint list was cut ("...")
}

var (
	hitNPM  = regexp.MustCompile(`^- (@?[^@\s]+)@(\S+): (.+)$`)
	hitPyPI = regexp.MustCompile(`^- (\S+)==(\S+): \d+ -> (.+)$`)
)

func expectedHits(t testing.TB) []expectedHit {
	f, err := os.Open(filepath.Join(corpusDir(t), "EXPECTED-HITS.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []expectedHit
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			section = line[3:]
			continue
		}
		eco := "npm"
		switch {
		case strings.Contains(section, "osv/PyPI"):
			eco = "PyPI"
		case strings.Contains(section, "osv/crates.io"):
			eco = "crates.io"
		}
		var m []string
		if eco == "PyPI" {
			m = hitPyPI.FindStringSubmatch(line)
		} else {
			m = hitNPM.FindStringSubmatch(line)
		}
		if m == nil {
			continue
		}
		list := strings.TrimSpace(m[3])
		h := expectedHit{section: section, q: Query{eco, m[1], m[2]}}
		if strings.HasSuffix(list, "...") {
			h.partial = true
			list = strings.TrimSpace(strings.TrimSuffix(list, "..."))
		}
		for _, id := range strings.Split(list, ",") {
			h.ids = append(h.ids, strings.TrimSpace(id))
		}
		out = append(out, h)
	}
	return out
}

// corpusRecords decodes every record of a corpus zip, independently of the
// DB code (archive/zip + DecodeRecord).
func corpusRecords(t testing.TB, eco string) []*osvschema.Vulnerability {
	t.Helper()
	zr, err := zip.OpenReader(filepath.Join(corpusDir(t), "osv", eco, "all.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var out []*osvschema.Vulnerability
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		v, err := DecodeRecord(data)
		if err != nil {
			t.Fatalf("%s/%s: %v", eco, f.Name, err)
		}
		out = append(out, v)
	}
	return out
}

func TestCorpusDBStatus(t *testing.T) {
	db := corpusDB(t)
	st, err := db.Status()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{"npm": {3470, 0}, "PyPI": {2661, 10}, "crates.io": {1206, 13}}
	if len(st) != len(want) {
		t.Fatalf("ecosystems: %+v", st)
	}
	for _, s := range st {
		w := want[s.Ecosystem]
		if s.Records != w[0] || s.Withdrawn != w[1] {
			t.Errorf("%s: %d records (%d withdrawn), want %d (%d)", s.Ecosystem, s.Records, s.Withdrawn, w[0], w[1])
		}
		if s.FromMetadata || s.WrittenAt.IsZero() {
			t.Errorf("%s: the corpus has no metadata: %+v", s.Ecosystem, s)
		}
	}
}

func TestCorpusQuery(t *testing.T) {
	db := corpusDB(t)
	qs := []Query{
		{"npm", "lodash", "4.17.15"},
		{"npm", "lodash", "4.17.21"},
		{"npm", "express", "4.17.1"},
		{"PyPI", "pyyaml", "5.1"},
		{"PyPI", "PyYAML", "5.1"},
		{"crates.io", "smallvec", "1.4.0"},
		{"crates.io", "regex", "1.5.4"},
	}
	got, err := db.Query(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		// The three GHSA records of EXPECTED-HITS, plus the Node.js WG's
		// advisory for >=4.17.15 <4.17.19 (the hints only used GHSA records).
		{"GHSA-29mw-wpgm-hmr9", "GHSA-35jh-r3h4-6jhm", "GHSA-p6mc-m468-83gw", "NSWG-ECO-516"},
		{},
		{"GHSA-qw6h-vgh9-j6wx", "GHSA-rv95-896h-c2vc"},
		{"PYSEC-2020-176", "PYSEC-2020-96", "PYSEC-2021-142"},
		{"PYSEC-2020-176", "PYSEC-2020-96", "PYSEC-2021-142"},
		{"RUSTSEC-2021-0003"},
		{"RUSTSEC-2022-0013"},
	}
	for i, q := range qs {
		if g := ids(got[i]); !slices.Equal(g, want[i]) {
			t.Errorf("%+v: got %q, want %q", q, g, want[i])
		}
	}
	fixed := FixedVersions(got[0][0], qs[0])
	if !slices.Equal(fixed, []string{"4.17.21"}) {
		t.Errorf("lodash GHSA-29mw fixed in %q", fixed)
	}
}

// TestCorpusExpectedHits compares with the hints of EXPECTED-HITS.md. The
// hints come from a naive matcher over the GHSA records only (npm) and over
// all records (PyPI, crates.io); every hinted id must be found, and the only
// extra ids allowed are the npm DB's non-GHSA records (NSWG-ECO-*) and ids
// beyond a list the hints cut short ("...").
func TestCorpusExpectedHits(t *testing.T) {
	db := corpusDB(t)
	hits := expectedHits(t)
	if len(hits) < 90 {
		t.Fatalf("parsed only %d hints from EXPECTED-HITS.md", len(hits))
	}
	var qs []Query
	for _, h := range hits {
		qs = append(qs, h.q)
	}
	got, err := db.Query(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hits {
		g := ids(got[i])
		for _, id := range h.ids {
			if !slices.Contains(g, id) {
				t.Errorf("%s %s@%s: hinted %s not found (got %q)", h.section, h.q.Name, h.q.Version, id, g)
			}
		}
		for _, id := range g {
			if slices.Contains(h.ids, id) || h.partial || (h.q.Ecosystem == "npm" && !strings.HasPrefix(id, "GHSA-")) {
				continue
			}
			t.Errorf("%s %s@%s: %s found but not hinted", h.section, h.q.Name, h.q.Version, id)
		}
	}
}

func TestCorpusWithdrawnNeverReturned(t *testing.T) {
	db := corpusDB(t)
	for _, eco := range []string{"PyPI", "crates.io"} {
		var withdrawn []*osvschema.Vulnerability
		for _, v := range corpusRecords(t, eco) {
			if v.GetWithdrawn() != nil {
				withdrawn = append(withdrawn, v)
			}
		}
		for _, v := range withdrawn {
			p := v.GetAffected()[0].GetPackage()
			q := Query{eco, p.GetName(), ""}
			// Not vacuous: without the withdrawn mark the record would match
			// (except records that list no ranges or versions at all).
			c := proto.Clone(v).(*osvschema.Vulnerability)
			c.Withdrawn = nil
			if !Affects(c, q) {
				if len(v.GetAffected()[0].GetRanges())+len(v.GetAffected()[0].GetVersions()) == 0 {
					continue
				}
				t.Fatalf("%s: record would not match %+v anyway", v.GetId(), q)
			}
			got, err := db.Query(context.Background(), []Query{q})
			if err != nil {
				t.Fatal(err)
			}
			if slices.Contains(ids(got[0]), v.GetId()) {
				t.Errorf("withdrawn %s returned for %+v", v.GetId(), q)
			}
		}
	}
}

func TestCorpusKindAndSeverity(t *testing.T) {
	want := map[string]map[Class]int{
		"npm":       {Malware: 2990, Vulnerability: 480},
		"PyPI":      {Vulnerability: 2661},
		"crates.io": {Malware: 2, Unmaintained: 267, Unsound: 203, Notice: 6, Vulnerability: 728},
	}
	for eco, w := range want {
		counts := map[Class]int{}
		for _, v := range corpusRecords(t, eco) {
			k := Kind(v)
			counts[k]++
			if strings.HasPrefix(v.GetId(), "LWA-") && k != Malware {
				t.Errorf("%s: %s", v.GetId(), k)
			}
			// Every CVSS vector of the corpus scores, except NSWG-ECO-504's
			// "CVSS:3.0/.../C:H/I:U/A:U" ("U" is no value of I or A).
			bad := v.GetId() == "NSWG-ECO-504"
			for _, s := range v.GetSeverity() {
				if _, ok := scoreVector(s.GetType(), s.GetScore()); ok == bad {
					t.Errorf("%s: vector %q scores: %v", v.GetId(), s.GetScore(), ok)
				}
			}
			if sev := SeverityOf(v); len(v.GetSeverity()) > 0 && (sev.Vector == "") != bad {
				t.Errorf("%s: severity %+v", v.GetId(), sev)
			}
		}
		if !maps.Equal(counts, w) {
			t.Errorf("%s kinds: %v, want %v", eco, counts, w)
		}
	}
}
