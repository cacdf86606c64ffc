package advisory

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

type zipEntry struct {
	name  string
	data  string
	store bool // zip.Store instead of zip.Deflate
}

func zipBytes(t testing.TB, entries []zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		m := zip.Deflate
		if e.store {
			m = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: m})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// records as zip entries named <id>.json
func recordEntries(recs ...string) []zipEntry {
	var out []zipEntry
	for i, r := range recs {
		v, err := DecodeRecord([]byte(r))
		name := fmt.Sprintf("rec-%d.json", i)
		if err == nil {
			name = v.GetId() + ".json"
		}
		// Both compression methods are read back.
		out = append(out, zipEntry{name: name, data: r, store: i%2 == 1})
	}
	return out
}

var npmTestRecords = []string{
	recFixed, recTwoWindows, recLastAffected, recVersions, recMulti, recPre, recEmptyEntry,
	`{"id":"T-NPM-WITHDRAWN","withdrawn":"2020-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"lodash"},
		"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}`,
	`{"id":"T-OTHER-ECO","affected":[{"package":{"ecosystem":"PyPI","name":"lodash"},
		"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}`,
}

var pypiTestRecords = []string{recPyPI, recSuffix, recWithdrawn,
	`{"id":"T-DJANGO","affected":[{"package":{"ecosystem":"PyPI","name":"Django"},
		"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"4.0"},{"fixed":"4.2.1"}]}]}]}`,
}

func newTestDB(t testing.TB) (dbDir, cacheDir string) {
	t.Helper()
	dbDir, cacheDir = t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(dbDir, "npm", "all.zip"), zipBytes(t, recordEntries(npmTestRecords...)))
	writeFile(t, filepath.Join(dbDir, "PyPI", "all.zip"), zipBytes(t, recordEntries(pypiTestRecords...)))
	return dbDir, cacheDir
}

func ids(vs []*osvschema.Vulnerability) []string {
	out := []string{}
	for _, v := range vs {
		out = append(out, v.GetId())
	}
	return out
}

func TestDBQuery(t *testing.T) {
	dbDir, cacheDir := newTestDB(t)
	db, err := OpenDB(dbDir, WithCacheDir(cacheDir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	qs := []Query{
		{"npm", "lodash", "4.17.11"},
		{"npm", "lodash", "4.17.15"},
		{"npm", "lodash-es", "4.17.15"},
		{"npm", "@evil/pkg", "1.0.1"},
		{"npm", "qs", "6.2.2"},
		{"npm", "not-in-db", "1.0.0"},
		{"PyPI", "DJANGO", "4.1"},
		{"PyPI", "zope_interface", "4.0.0"},
		{"PyPI", "jinja2", "2.9"},
		{"PyPI", "django", "4.2.1"},
		{"npm", "lodash", ""},
	}
	got, err := db.Query(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"T-FIXED", "T-MULTI"},
		{"T-FIXED"},
		{"T-MULTI"},
		{"T-VERSIONS"},
		{"T-WINDOWS"},
		{},
		{"T-DJANGO"},
		{"T-PYPI"},
		{"T-SUFFIX"},
		{},
		{"T-FIXED", "T-MULTI"},
	}
	for i := range qs {
		if g := ids(got[i]); !slices.Equal(g, want[i]) {
			t.Errorf("%+v: got %q, want %q", qs[i], g, want[i])
		}
	}

	st, err := db.Status()
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 2 || st[0].Ecosystem != "PyPI" || st[1].Ecosystem != "npm" {
		t.Fatalf("status: %+v", st)
	}
	if st[0].Records != len(pypiTestRecords) || st[0].Withdrawn != 1 || st[1].Records != len(npmTestRecords) || st[1].Withdrawn != 1 {
		t.Errorf("counts: %+v", st)
	}
	if st[1].FromMetadata || st[1].WrittenAt.IsZero() || st[1].Age < 0 {
		t.Errorf("npm status without metadata: %+v", st[1])
	}
	if !strings.HasPrefix(st[1].IndexPath, cacheDir) {
		t.Errorf("index not cached under %s: %s", cacheDir, st[1].IndexPath)
	}
}

func TestDBCacheReusedAndRebuiltWhenZipChanges(t *testing.T) {
	dbDir, cacheDir := newTestDB(t)
	open := func() string {
		t.Helper()
		db, err := OpenDB(dbDir, WithCacheDir(cacheDir))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		st, err := db.Status()
		if err != nil {
			t.Fatal(err)
		}
		return st[1].IndexPath
	}
	first := open()
	fi1, _ := os.Stat(first)
	if second := open(); second != first {
		t.Fatalf("index path changed without a zip change: %s -> %s", first, second)
	}
	fi2, _ := os.Stat(first)
	if !fi1.ModTime().Equal(fi2.ModTime()) {
		t.Errorf("cached index was rewritten on the second open")
	}

	// Replace the zip: one record fewer, one more.
	recs := append(slices.Clone(npmTestRecords[1:]), `{"id":"T-NEW","affected":[{"package":{"ecosystem":"npm","name":"lodash"},"versions":["4.17.15"]}]}`)
	writeFile(t, filepath.Join(dbDir, "npm", "all.zip"), zipBytes(t, recordEntries(recs...)))
	future := time.Now().Add(time.Hour)
	os.Chtimes(filepath.Join(dbDir, "npm", "all.zip"), future, future)
	if third := open(); third == first {
		t.Fatalf("index not rebuilt after the zip changed")
	}
	db, err := OpenDB(dbDir, WithCacheDir(cacheDir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Query(context.Background(), []Query{{"npm", "lodash", "4.17.15"}})
	if err != nil {
		t.Fatal(err)
	}
	if g := ids(got[0]); !slices.Equal(g, []string{"T-NEW"}) {
		t.Errorf("after zip change: %q", g)
	}
}

func TestDBErrorsAreNeverEmptyAnswers(t *testing.T) {
	ctx := context.Background()
	t.Run("missing ecosystem folder", func(t *testing.T) {
		dbDir, cacheDir := newTestDB(t)
		db, err := OpenDB(dbDir, WithCacheDir(cacheDir))
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.Query(ctx, []Query{{"crates.io", "smallvec", "1.0.0"}})
		if err == nil || !strings.Contains(err.Error(), "crates.io") {
			t.Fatalf("want a missing-ecosystem error, got %v", err)
		}
	})
	t.Run("no DB at all", func(t *testing.T) {
		if _, err := OpenDB(filepath.Join(t.TempDir(), "nope")); err == nil {
			t.Fatal("want error")
		}
		if _, err := OpenDB(t.TempDir()); err == nil {
			t.Fatal("want error for a directory without ecosystems")
		}
	})
	t.Run("zip is garbage", func(t *testing.T) {
		dbDir, cacheDir := t.TempDir(), t.TempDir()
		writeFile(t, filepath.Join(dbDir, "npm", "all.zip"), []byte("this is not a zip"))
		db, err := OpenDB(dbDir, WithCacheDir(cacheDir))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Query(ctx, []Query{{"npm", "lodash", "1.0.0"}}); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("want ErrCorrupt, got %v", err)
		}
		if _, err := db.Status(); err == nil {
			t.Fatal("status must report the unreadable folder")
		}
	})
	t.Run("zip truncated", func(t *testing.T) {
		dbDir, cacheDir := t.TempDir(), t.TempDir()
		z := zipBytes(t, recordEntries(npmTestRecords...))
		writeFile(t, filepath.Join(dbDir, "npm", "all.zip"), z[:len(z)/2])
		db, _ := OpenDB(dbDir, WithCacheDir(cacheDir))
		if _, err := db.Query(ctx, []Query{{"npm", "lodash", "1.0.0"}}); err == nil {
			t.Fatal("want error")
		}
	})
	t.Run("invalid record", func(t *testing.T) {
		dbDir, cacheDir := t.TempDir(), t.TempDir()
		writeFile(t, filepath.Join(dbDir, "npm", "all.zip"), zipBytes(t, append(recordEntries(recFixed), zipEntry{name: "BAD.json", data: `{"id": 5}`})))
		db, _ := OpenDB(dbDir, WithCacheDir(cacheDir))
		if _, err := db.Query(ctx, []Query{{"npm", "lodash", "1.0.0"}}); err == nil || !strings.Contains(err.Error(), "BAD.json") {
			t.Fatalf("want an error naming the entry, got %v", err)
		}
	})
	t.Run("zip damaged after indexing", func(t *testing.T) {
		dbDir, cacheDir := t.TempDir(), t.TempDir()
		zipPath := filepath.Join(dbDir, "npm", "all.zip")
		z := zipBytes(t, []zipEntry{{name: "T-FIXED.json", data: recFixed, store: true}})
		writeFile(t, zipPath, z)
		db, _ := OpenDB(dbDir, WithCacheDir(cacheDir))
		if _, err := db.Query(ctx, []Query{{"npm", "lodash", "1.0.0"}}); err != nil {
			t.Fatal(err)
		}
		db.Close()
		st, _ := os.Stat(zipPath)
		i := bytes.Index(z, []byte(`"lodash"`))
		z[i+1] = 'L' // same size, same mtime: the locator still matches
		writeFile(t, zipPath, z)
		os.Chtimes(zipPath, st.ModTime(), st.ModTime())
		// The record cache answers with the record as it was read before
		// the damage (reccache.go): the same answer, not an empty one.
		db, _ = OpenDB(dbDir, WithCacheDir(cacheDir))
		if got, err := db.Query(ctx, []Query{{"npm", "lodash", "1.0.0"}}); err != nil || !slices.Equal(ids(got[0]), []string{"T-FIXED"}) {
			t.Fatalf("from the record cache: %v %v, want T-FIXED", got, err)
		}
		db.Close()
		caches, _ := filepath.Glob(filepath.Join(cacheDir, "*", recCacheName))
		if len(caches) != 1 {
			t.Fatalf("record caches: %q", caches)
		}
		os.Remove(caches[0])
		db, _ = OpenDB(dbDir, WithCacheDir(cacheDir))
		if _, err := db.Query(ctx, []Query{{"npm", "lodash", "1.0.0"}}); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("want ErrCorrupt for a record that no longer matches its CRC, got %v", err)
		}
	})
}

func TestDBHostileZips(t *testing.T) {
	ctx := context.Background()
	small := Limits{MaxEntrySize: 64 << 10, MaxTotalSize: 256 << 10}
	bomb := strings.Repeat(" ", 1<<20) // 1 MiB of spaces: deflates to ~1 KiB
	tests := []struct {
		name    string
		entries []zipEntry
		wantErr string
	}{
		{"path traversal", append(recordEntries(recFixed), zipEntry{name: "../../etc/x.json", data: recFixed}), "path traversal"},
		{"absolute path", append(recordEntries(recFixed), zipEntry{name: "/etc/x.json", data: recFixed}), "absolute"},
		{"backslash", append(recordEntries(recFixed), zipEntry{name: `..\x.json`, data: recFixed}), "backslash"},
		{"entry bomb", append(recordEntries(recFixed), zipEntry{name: "BOMB.json", data: `{"id":"B","details":"` + bomb + `"}`}), "limit"},
		{"total bomb", func() []zipEntry {
			var es []zipEntry
			for i := range 8 {
				es = append(es, zipEntry{name: fmt.Sprintf("B%d.json", i), data: `{"id":"B","details":"` + bomb[:60<<10] + `"}`})
			}
			return es
		}(), "total limit"},
		{"no records", []zipEntry{{name: "README.txt", data: "hi"}}, "no OSV records"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dbDir, cacheDir := t.TempDir(), t.TempDir()
			writeFile(t, filepath.Join(dbDir, "npm", "all.zip"), zipBytes(t, tt.entries))
			db, err := OpenDB(dbDir, WithCacheDir(cacheDir), WithLimits(small))
			if err != nil {
				t.Fatal(err)
			}
			_, err = db.Query(ctx, []Query{{"npm", "lodash", "1.0.0"}})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("want error containing %q, got %v", tt.wantErr, err)
			}
		})
	}
}

func TestDBLyingZipHeader(t *testing.T) {
	// An entry whose central directory claims a small size but inflates to
	// more: archive/zip reports it, and our cap stops reading past the limit.
	z := zipBytes(t, []zipEntry{{name: "A.json", data: `{"id":"A","details":"` + strings.Repeat("x", 200<<10) + `"}`}})
	// Patch the uncompressed size in the central directory to 100 bytes.
	cd := bytes.LastIndex(z, []byte("PK\x01\x02"))
	putLE32(z[cd+24:], 100)
	dbDir, cacheDir := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(dbDir, "npm", "all.zip"), z)
	db, _ := OpenDB(dbDir, WithCacheDir(cacheDir), WithLimits(Limits{MaxEntrySize: 64 << 10}))
	if _, err := db.Query(context.Background(), []Query{{"npm", "a", "1"}}); err == nil {
		t.Fatal("want error")
	}
}

func putLE32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}

// zipServer serves <eco>/all.zip from a map that tests can change.
type zipServer struct {
	mu    sync.Mutex
	zips  map[string][]byte
	fail  map[string]int // HTTP status to answer instead
	trunc map[string]bool
	hits  atomic.Int32
}

func (z *zipServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	z.hits.Add(1)
	z.mu.Lock()
	defer z.mu.Unlock()
	eco, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, "/"), "/all.zip")
	if !ok {
		http.NotFound(w, r)
		return
	}
	if code := z.fail[eco]; code != 0 {
		http.Error(w, "nope", code)
		return
	}
	data, ok := z.zips[eco]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if z.trunc[eco] {
		w.Header().Set("Content-Length", fmt.Sprint(len(data)))
		w.Write(data[:len(data)/2])
		return
	}
	w.Write(data)
}

func TestUpdateDB(t *testing.T) {
	ctx := context.Background()
	zs := &zipServer{zips: map[string][]byte{
		"npm":  zipBytes(t, recordEntries(npmTestRecords...)),
		"PyPI": zipBytes(t, recordEntries(pypiTestRecords...)),
	}, fail: map[string]int{}, trunc: map[string]bool{}}
	srv := httptest.NewTLSServer(zs)
	defer srv.Close()
	dbDir := t.TempDir()
	emptyCache := t.TempDir()

	if err := UpdateDB(ctx, dbDir, srv.URL, []string{"npm", "PyPI"}, srv.Client()); err != nil {
		t.Fatal(err)
	}
	db, err := OpenDB(dbDir, WithCacheDir(emptyCache))
	if err != nil {
		t.Fatal(err)
	}
	st, err := db.Status()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st {
		if !s.FromMetadata || time.Since(s.WrittenAt) > time.Minute || s.Source == "" || !strings.HasPrefix(s.IndexPath, dbDir) {
			t.Errorf("status after update: %+v", s)
		}
	}
	got, err := db.Query(ctx, []Query{{"npm", "lodash", "4.17.15"}, {"PyPI", "django", "4.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(got[0]), []string{"T-FIXED"}) || !slices.Equal(ids(got[1]), []string{"T-DJANGO"}) {
		t.Errorf("query after update: %q %q", ids(got[0]), ids(got[1]))
	}
	db.Close()
	// Only the record caches of the zips queried (reccache.go): no index.
	filepath.WalkDir(emptyCache, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != recCacheName {
			t.Errorf("an updated DB must not need the index cache; it has %s", p)
		}
		return nil
	})
	oldStatus := st

	// Failed updates leave the old DB intact.
	failures := []struct {
		name  string
		setup func()
	}{
		{"HTTP 500", func() { zs.fail["npm"] = 500 }},
		{"not a zip", func() { zs.zips["npm"] = []byte("<html>oops</html>") }},
		{"truncated body", func() { zs.trunc["npm"] = true }},
		{"invalid record", func() {
			zs.zips["npm"] = zipBytes(t, append(recordEntries(recFixed), zipEntry{name: "X.json", data: "{not json"}))
		}},
		{"records of another ecosystem", func() { zs.zips["npm"] = zipBytes(t, recordEntries(pypiTestRecords...)) }},
		{"path traversal", func() {
			zs.zips["npm"] = zipBytes(t, append(recordEntries(recFixed), zipEntry{name: "../evil.json", data: recFixed}))
		}},
	}
	good := zs.zips["npm"]
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			zs.mu.Lock()
			f.setup()
			zs.mu.Unlock()
			defer func() {
				zs.mu.Lock()
				zs.zips["npm"], zs.fail, zs.trunc = good, map[string]int{}, map[string]bool{}
				zs.mu.Unlock()
			}()
			if err := UpdateDB(ctx, dbDir, srv.URL, []string{"npm"}, srv.Client()); err == nil {
				t.Fatal("update must fail")
			}
			db, err := OpenDB(dbDir, WithCacheDir(emptyCache))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			st, err := db.Status()
			if err != nil {
				t.Fatal(err)
			}
			if st[1].ZipSHA256 != oldStatus[1].ZipSHA256 || !st[1].WrittenAt.Equal(oldStatus[1].WrittenAt) {
				t.Errorf("old DB replaced by a failed update: %+v", st[1])
			}
			assertNoLeftovers(t, dbDir)
		})
	}

	t.Run("concurrent updates", func(t *testing.T) {
		zs.mu.Lock()
		zs.zips["npm"] = zipBytes(t, recordEntries(append(slices.Clone(npmTestRecords), `{"id":"T-LATER","affected":[{"package":{"ecosystem":"npm","name":"x"},"versions":["1"]}]}`)...))
		zs.mu.Unlock()
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = UpdateDB(ctx, dbDir, srv.URL, []string{"npm"}, srv.Client())
			}()
		}
		// Readers during the updates always see a complete DB.
		for range 20 {
			db, err := OpenDB(dbDir, WithCacheDir(emptyCache))
			if err != nil {
				t.Fatal(err)
			}
			got, err := db.Query(ctx, []Query{{"npm", "lodash", "4.17.15"}})
			db.Close()
			if err != nil || !slices.Equal(ids(got[0]), []string{"T-FIXED"}) {
				t.Fatalf("reader during update: %q %v", ids(got[0]), err)
			}
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		db, err := OpenDB(dbDir, WithCacheDir(emptyCache))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		st, err := db.Status()
		if err != nil || st[1].Records != len(npmTestRecords)+1 {
			t.Fatalf("after concurrent updates: %+v %v", st, err)
		}
		assertNoLeftovers(t, dbDir)
	})

	t.Run("corrupt index written by update", func(t *testing.T) {
		idx := filepath.Join(dbDir, "npm", "all.idx")
		b, err := os.ReadFile(idx)
		if err != nil {
			t.Fatal(err)
		}
		b[40] ^= 0xff // inside the header: checksum mismatch
		writeFile(t, idx, b)
		db, err := OpenDB(dbDir, WithCacheDir(emptyCache))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Query(ctx, []Query{{"npm", "lodash", "1.0.0"}}); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("want ErrCorrupt, got %v", err)
		}
	})
}

func assertNoLeftovers(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".update-") || strings.HasPrefix(e.Name(), ".old-") {
			t.Errorf("leftover %s", e.Name())
		}
	}
}

func TestDBDuplicateRecordAnsweredOnce(t *testing.T) {
	dbDir, cacheDir := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(dbDir, "npm", "all.zip"), zipBytes(t, []zipEntry{
		{name: "T-FIXED.json", data: recFixed}, {name: "copy/T-FIXED.json", data: recFixed, store: true}}))
	db, err := OpenDB(dbDir, WithCacheDir(cacheDir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Query(context.Background(), []Query{{"npm", "lodash", "1.0.0"}})
	if err != nil || !slices.Equal(ids(got[0]), []string{"T-FIXED"}) {
		t.Fatalf("got %q, %v", ids(got[0]), err)
	}
}

func TestIndexLookupLongNames(t *testing.T) {
	// Keys longer than the 16-byte prefix and keys sharing long prefixes.
	var recs []string
	names := []string{"a", "ab", "abcdefghijklmnop", "abcdefghijklmnopq", "abcdefghijklmnopqr", "abcdefghijklmnopz",
		"@scope/very-long-package-name-1", "@scope/very-long-package-name-2", "zz"}
	for i, n := range names {
		recs = append(recs, fmt.Sprintf(`{"id":"L-%d","affected":[{"package":{"ecosystem":"npm","name":%q},"versions":["1.0.0"]}]}`, i, n))
	}
	dbDir, cacheDir := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(dbDir, "npm", "all.zip"), zipBytes(t, recordEntries(recs...)))
	db, err := OpenDB(dbDir, WithCacheDir(cacheDir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var qs []Query
	for _, n := range append(names, "abcdefghijklmnopp", "abcdefghijklmno", "@scope/very-long-package-name-3", "b") {
		qs = append(qs, Query{"npm", n, "1.0.0"})
	}
	got, err := db.Query(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	for i, q := range qs {
		want := []string{}
		if i < len(names) {
			want = []string{fmt.Sprintf("L-%d", i)}
		}
		if g := ids(got[i]); !slices.Equal(g, want) {
			t.Errorf("%s: got %q want %q", q.Name, g, want)
		}
	}
}
