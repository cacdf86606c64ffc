package advisory_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/installguard/guard/lockfile/corpustest"
	"github.com/installguard/guard/verify/advisory"
	"github.com/installguard/guard/verify/advisory/osvtest"
	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

// corpusDir returns the shared corpus or skips (see lockfile/corpustest).
func corpusDir(t testing.TB) string { return corpustest.Dir(t) }

func record(t testing.TB, js string) *osvschema.Vulnerability {
	t.Helper()
	v, err := advisory.DecodeRecord([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func ids(vs []*osvschema.Vulnerability) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.GetId())
	}
	return out
}

// fastClient retries quickly so fault tests stay short.
func fastClient(s *osvtest.Server) *advisory.Client {
	c := advisory.NewClient(s.URL, s.Client())
	c.BackoffBase, c.BackoffMax = time.Millisecond, 5*time.Millisecond
	return c
}

// testRecords: many packages, so that batching can be observed.
func testRecords(t testing.TB, n int) []*osvschema.Vulnerability {
	var out []*osvschema.Vulnerability
	for i := range n {
		out = append(out, record(t, fmt.Sprintf(`{"id":"TEST-%04d","affected":[{"package":{"ecosystem":"npm","name":"pkg-%d"},
			"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"2.0.0"}]}]}]}`, i, i)))
	}
	return out
}

func TestClientBatching(t *testing.T) {
	s := osvtest.New(testRecords(t, 2500)...)
	defer s.Close()
	var qs []advisory.Query
	for i := range 2500 {
		qs = append(qs, advisory.Query{Ecosystem: "npm", Name: fmt.Sprintf("pkg-%d", i), Version: "1.0.0"})
	}
	qs = append(qs, advisory.Query{Ecosystem: "npm", Name: "pkg-7", Version: "2.0.0"}) // fixed
	qs = append(qs, qs[3])                                                             // duplicate
	got, err := fastClient(s).Query(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2500 {
		if g := ids(got[i]); !slices.Equal(g, []string{fmt.Sprintf("TEST-%04d", i)}) {
			t.Fatalf("query %d: %q", i, g)
		}
	}
	if len(got[2500]) != 0 || !slices.Equal(ids(got[2501]), []string{"TEST-0003"}) {
		t.Fatalf("tail: %q %q", ids(got[2500]), ids(got[2501]))
	}
	st := s.Stats()
	if st.BatchRequests != 3 || st.MaxBatchQueries != advisory.MaxBatchQueries {
		t.Errorf("want 3 querybatch requests of at most 1000 queries, got %+v", st)
	}
	if st.VulnRequests != 2500 {
		t.Errorf("want each distinct id fetched once: %+v", st)
	}
}

func TestClientPagination(t *testing.T) {
	var recs []*osvschema.Vulnerability
	for i := range 7 {
		recs = append(recs, record(t, fmt.Sprintf(`{"id":"PAGE-%d","affected":[{"package":{"ecosystem":"npm","name":"many"},"versions":["1.0.0"]}]}`, i)))
	}
	s := osvtest.New(recs...)
	defer s.Close()
	s.SetPageSize(2)
	got, err := fastClient(s).Query(context.Background(), []advisory.Query{{Ecosystem: "npm", Name: "many", Version: "1.0.0"}, {Ecosystem: "npm", Name: "many", Version: "2.0.0"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got[0]) != 7 || len(got[1]) != 0 {
		t.Fatalf("got %q / %q", ids(got[0]), ids(got[1]))
	}
	if st := s.Stats(); st.BatchRequests != 4 {
		t.Errorf("want 4 pages, got %+v", st)
	}
	c := fastClient(s)
	c.MaxPages = 2
	if _, err := c.Query(context.Background(), []advisory.Query{{Ecosystem: "npm", Name: "many", Version: "1.0.0"}}); err == nil || !strings.Contains(err.Error(), "pages") {
		t.Errorf("a capped page count must be an error, got %v", err)
	}
}

func TestClientFaults(t *testing.T) {
	recs := testRecords(t, 3)
	q := []advisory.Query{{Ecosystem: "npm", Name: "pkg-1", Version: "1.0.0"}}
	ok := func(t *testing.T, s *osvtest.Server, c *advisory.Client) {
		t.Helper()
		got, err := c.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ids(got[0]), []string{"TEST-0001"}) {
			t.Fatalf("got %q", ids(got[0]))
		}
	}
	fails := func(t *testing.T, c *advisory.Client, want ...string) error {
		t.Helper()
		got, err := c.Query(context.Background(), q)
		if err == nil {
			t.Fatalf("want an error, got %q", ids(got[0]))
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not mention %q", err, w)
			}
		}
		return err
	}
	t.Run("500 twice then success", func(t *testing.T) {
		s := osvtest.New(recs...)
		defer s.Close()
		s.Inject(osvtest.ServerError, 2, osvtest.PathQueryBatch)
		s.Inject(osvtest.ServerError, 1, osvtest.PathVulns)
		ok(t, s, fastClient(s))
		if st := s.Stats(); st.Faults != 3 || st.BatchRequests != 1 || st.VulnRequests != 1 {
			t.Errorf("stats %+v", st)
		}
	})
	t.Run("429 honours Retry-After", func(t *testing.T) {
		s := osvtest.New(recs...)
		defer s.Close()
		s.SetRetryAfter("1")
		s.Inject(osvtest.TooManyRequests, 1, osvtest.PathQueryBatch)
		start := time.Now()
		ok(t, s, fastClient(s))
		if d := time.Since(start); d < 900*time.Millisecond {
			t.Errorf("retried after %s, before Retry-After: 1", d)
		}
	})
	t.Run("429 with a Retry-After too long fails at once", func(t *testing.T) {
		s := osvtest.New(recs...)
		defer s.Close()
		s.SetRetryAfter("3600")
		s.Inject(osvtest.TooManyRequests, 1, "")
		fails(t, fastClient(s), "429", "Retry-After")
	})
	t.Run("refused then success", func(t *testing.T) {
		s := osvtest.New(recs...)
		defer s.Close()
		s.Inject(osvtest.Refuse, 2, "")
		ok(t, s, fastClient(s))
	})
	t.Run("persistent 500", func(t *testing.T) {
		s := osvtest.New(recs...)
		defer s.Close()
		s.Inject(osvtest.ServerError, 1000, "")
		c := fastClient(s)
		fails(t, c, "500", "/v1/querybatch", "4 attempts")
		if st := s.Stats(); st.Requests != c.MaxAttempts {
			t.Errorf("want %d attempts, got %+v", c.MaxAttempts, st)
		}
	})
	t.Run("persistent 500 on vulns", func(t *testing.T) {
		s := osvtest.New(recs...)
		defer s.Close()
		s.Inject(osvtest.ServerError, 1000, osvtest.PathVulns)
		fails(t, fastClient(s), "/v1/vulns/TEST-0001")
	})
	t.Run("truncated body", func(t *testing.T) {
		s := osvtest.New(recs...)
		defer s.Close()
		s.Inject(osvtest.Truncate, 1000, osvtest.PathQueryBatch)
		fails(t, fastClient(s), s.URL+"/v1/querybatch")
	})
	t.Run("truncated then whole", func(t *testing.T) {
		s := osvtest.New(recs...)
		defer s.Close()
		s.Inject(osvtest.Truncate, 1, osvtest.PathVulns)
		ok(t, s, fastClient(s))
	})
	t.Run("invalid JSON batch", func(t *testing.T) {
		s := osvtest.New(recs...)
		defer s.Close()
		s.Inject(osvtest.InvalidJSON, 1, osvtest.PathQueryBatch)
		fails(t, fastClient(s), s.URL+"/v1/querybatch", "invalid")
	})
	t.Run("invalid JSON record", func(t *testing.T) {
		s := osvtest.New(recs...)
		defer s.Close()
		s.Inject(osvtest.InvalidJSON, 1, osvtest.PathVulns)
		fails(t, fastClient(s), s.URL+"/v1/vulns/TEST-0001", "invalid")
	})
	t.Run("record vanished: 404", func(t *testing.T) {
		s := osvtest.New(recs...)
		defer s.Close()
		s.Hide("TEST-0001")
		fails(t, fastClient(s), "404", "/v1/vulns/TEST-0001")
		if st := s.Stats(); st.NotFound != 1 {
			t.Errorf("404 must not be retried: %+v", st)
		}
	})
	t.Run("timeout is bounded", func(t *testing.T) {
		s := osvtest.New(recs...)
		defer s.Close()
		s.SetDelay(10 * time.Second)
		hc := s.Client()
		hc.Timeout = 100 * time.Millisecond
		c := advisory.NewClient(s.URL, hc)
		c.BackoffBase, c.BackoffMax, c.MaxAttempts = time.Millisecond, time.Millisecond, 3
		start := time.Now()
		err := fails(t, c, "/v1/querybatch")
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("took %s: %v", d, err)
		}
	})
	t.Run("context deadline", func(t *testing.T) {
		s := osvtest.New(recs...)
		defer s.Close()
		s.SetDelay(10 * time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		_, err := fastClient(s).Query(ctx, q)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("want DeadlineExceeded, got %v", err)
		}
	})
	t.Run("oversized body", func(t *testing.T) {
		s := osvtest.New(recs...)
		defer s.Close()
		c := fastClient(s)
		c.MaxBatchBody = 10
		fails(t, c, "larger than")
	})
}

func TestClientRechecksLocally(t *testing.T) {
	recs := []*osvschema.Vulnerability{
		record(t, `{"id":"A-1","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}`),
		record(t, `{"id":"A-2","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"2.0.0"}]}]}]}`),
		record(t, `{"id":"A-3","withdrawn":"2020-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"a"},"versions":["0.5.0"]}]}`),
	}
	s := osvtest.New(recs...)
	defer s.Close()
	s.SetLoose(true) // the server answers every record naming "a"
	got, err := fastClient(s).Query(context.Background(), []advisory.Query{{Ecosystem: "npm", Name: "a", Version: "0.5.0"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got[0]), []string{"A-1"}) {
		t.Fatalf("got %q, want only A-1 (A-2 does not affect 0.5.0, A-3 is withdrawn)", ids(got[0]))
	}
}

// corpusQueries: every package of the corpus's npm lockfiles (read
// generically), plus PyPI and crates.io packages known to have advisories,
// a few version-less queries and a few malicious packages.
func corpusQueries(t testing.TB) []advisory.Query {
	dir := corpusDir(t)
	var qs []advisory.Query
	for _, lf := range []string{
		"lockfiles/npm-generated/a-express-lodash/package-lock.json",
		"lockfiles/npm-generated/b-webpack-babel/package-lock.json",
		"lockfiles/npm-generated/c-react-scripts/package-lock.json",
		"lockfiles/npm/nodegoat/package-lock.json",
	} {
		data, err := os.ReadFile(filepath.Join(dir, lf))
		if err != nil {
			t.Fatal(err)
		}
		var pl struct {
			Packages map[string]struct {
				Version string `json:"version"`
				Link    bool   `json:"link"`
			} `json:"packages"`
		}
		if err := json.Unmarshal(data, &pl); err != nil {
			t.Fatal(err)
		}
		for path, p := range pl.Packages {
			i := strings.LastIndex(path, "node_modules/")
			if path == "" || p.Link || i < 0 {
				continue
			}
			qs = append(qs, advisory.Query{Ecosystem: "npm", Name: path[i+len("node_modules/"):], Version: p.Version})
		}
	}
	for _, s := range []string{
		"PyPI Django 4.2", "PyPI PyYAML 5.1", "PyPI pyyaml 3.13", "PyPI aiohttp 3.5.3", "PyPI Jinja2 2.10",
		"PyPI urllib3 1.26.9", "PyPI Werkzeug 2.1.2", "PyPI requests 2.28.2", "PyPI Pillow 9.4.0", "PyPI certifi 2022.12.7",
		"PyPI pynetbox 2.0.1", "PyPI selenium 0.9.2", "PyPI django -", "PyPI zope.interface 4.0",
		"crates.io openssl 0.10.35", "crates.io tokio 1.16.1", "crates.io smallvec 1.4.0", "crates.io time 0.1.45",
		"crates.io dirs 2.0.0", "crates.io ammonia 1.2.0", "crates.io rustc-serialize 0.3.24", "crates.io regex -",
		"npm lodash 4.17.15", "npm lodash -", "npm @cybs_forus/test 1.0.0", "npm qs 0.6.6",
	} {
		f := strings.Fields(s)
		if f[2] == "-" {
			f[2] = ""
		}
		qs = append(qs, advisory.Query{Ecosystem: f[0], Name: f[1], Version: f[2]})
	}
	slices.SortFunc(qs, func(a, b advisory.Query) int {
		return strings.Compare(a.Ecosystem+" "+a.Name+" "+a.Version, b.Ecosystem+" "+b.Name+" "+b.Version)
	})
	return qs
}

// TestOnlineEqualsOffline: the API client against osvtest serving the
// corpus zips answers exactly what the offline DB answers, with a strict
// server and with a loose, paginating one.
func TestOnlineEqualsOffline(t *testing.T) {
	dir := corpusDir(t)
	osvDir := filepath.Join(dir, "osv")
	db, err := advisory.OpenDB(osvDir, advisory.WithCacheDir(advisory.SharedTestCache()))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := osvtest.NewFromZips(filepath.Join(osvDir, "npm", "all.zip"), filepath.Join(osvDir, "PyPI", "all.zip"), filepath.Join(osvDir, "crates.io", "all.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	qs := corpusQueries(t)
	if len(qs) < 1500 {
		t.Fatalf("only %d corpus queries", len(qs))
	}
	ctx := context.Background()
	offline, err := db.Query(ctx, qs)
	if err != nil {
		t.Fatal(err)
	}
	hits := 0
	for _, r := range offline {
		if len(r) > 0 {
			hits++
		}
	}
	if hits < 30 {
		t.Fatalf("only %d queries with hits: the comparison would be weak", hits)
	}
	for _, mode := range []string{"strict", "loose+paged"} {
		t.Run(mode, func(t *testing.T) {
			s.SetLoose(mode != "strict")
			if mode != "strict" {
				s.SetPageSize(3)
				defer s.SetPageSize(0)
			}
			online, err := fastClient(s).Query(ctx, qs)
			if err != nil {
				t.Fatal(err)
			}
			for i, q := range qs {
				if a, b := ids(online[i]), ids(offline[i]); !slices.Equal(a, b) {
					t.Errorf("%+v: online %q, offline %q", q, a, b)
				}
			}
		})
	}
	t.Logf("%d queries, %d with advisories", len(qs), hits)
}

func TestOSVTestServer(t *testing.T) {
	s := osvtest.New(testRecords(t, 2)...)
	defer s.Close()
	for path, want := range map[string]int{"/v1/vulns/TEST-0000": 200, "/v1/vulns/NOPE-1": 404, "/v2/other": 404} {
		resp, err := http.Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	// More than 1,000 queries in one request is refused, as by the real API.
	var b strings.Builder
	b.WriteString(`{"queries":[`)
	for i := range 1001 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"package":{"ecosystem":"npm","name":"x"},"version":"1"}`)
	}
	b.WriteString("]}")
	resp, err := http.Post(s.URL+"/v1/querybatch", "application/json", strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("1001 queries: %d, want 400", resp.StatusCode)
	}
}
