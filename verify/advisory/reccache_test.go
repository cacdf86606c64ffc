package advisory

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	osvschema "github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/proto"
)

// recordCacheQueries are queries for npm names of the corpus zip: for each
// of its first records, the names it affects at a low version and at each
// version it lists.
func recordCacheQueries(t *testing.T, zipPath string) []Query {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var qs []Query
	for _, f := range zr.File[:min(400, len(zr.File))] {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		v, err := DecodeRecord(b.Bytes())
		if err != nil {
			continue
		}
		for _, a := range v.GetAffected() {
			name := a.GetPackage().GetName()
			qs = append(qs, Query{"npm", name, "0.0.1"})
			for _, ver := range a.GetVersions()[:min(2, len(a.GetVersions()))] {
				qs = append(qs, Query{"npm", name, ver})
			}
		}
	}
	return qs
}

func queryDB(t *testing.T, dbDir, cacheDir string, qs []Query) [][]*osvschema.Vulnerability {
	t.Helper()
	db, err := OpenDB(dbDir, WithCacheDir(cacheDir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Query(context.Background(), qs)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func sameAnswers(t *testing.T, what string, want, got [][]*osvschema.Vulnerability) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%s: %d answers, want %d", what, len(got), len(want))
	}
	hits := 0
	for i := range want {
		if len(want[i]) != len(got[i]) {
			t.Fatalf("%s: query %d: %q, want %q", what, i, ids(got[i]), ids(want[i]))
		}
		for j := range want[i] {
			if !proto.Equal(want[i][j], got[i][j]) {
				t.Fatalf("%s: query %d: record %s differs from the zip's", what, i, want[i][j].GetId())
			}
			hits++
		}
	}
	if hits == 0 {
		t.Fatalf("%s: no query had an answer", what)
	}
}

// A second query of the same names is answered from the record cache alone,
// with records equal to the zip's: the zip's record data is zeroed in place
// (same size and time, so the same cache) before it, and any read of it
// would fail its CRC.
func TestRecordCacheAnswersLikeTheZip(t *testing.T) {
	dbDir, cacheDir := t.TempDir(), t.TempDir()
	zipPath := filepath.Join(dbDir, "npm", "all.zip")
	data, err := os.ReadFile(filepath.Join(corpusDir(t), "osv", "npm", "all.zip"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, zipPath, data)
	qs := recordCacheQueries(t, zipPath)
	first := queryDB(t, dbDir, cacheDir, qs)

	st, _ := os.Stat(zipPath)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		off, err := f.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		clear(data[off : off+int64(f.CompressedSize64)])
	}
	writeFile(t, zipPath, data)
	os.Chtimes(zipPath, st.ModTime(), st.ModTime())
	sameAnswers(t, "from the record cache", first, queryDB(t, dbDir, cacheDir, qs))
}

// A record cache that is damaged, or that holds a record that does not
// decode, is read past: the answers are the zip's, and the file is written
// again whole.
func TestRecordCacheDamaged(t *testing.T) {
	z := zipBytes(t, recordEntries(npmTestRecords...))
	qs := []Query{{"npm", "lodash", "1.0.0"}, {"npm", "lodash", "4.17.20"}, {"npm", "minimist", "0.0.1"}}
	dbDir, cacheDir := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(dbDir, "npm", "all.zip"), z)
	want := queryDB(t, dbDir, cacheDir, qs)
	caches, _ := filepath.Glob(filepath.Join(cacheDir, "*", recCacheName))
	if len(caches) != 1 {
		t.Fatalf("record caches: %q", caches)
	}
	good, err := os.ReadFile(caches[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := parseRecordCache(good); !ok {
		t.Fatal("the written cache does not parse")
	}
	notProto := []byte(recCacheMagic + "\x00\x03\xff\xff\xff")
	for i := 1; ; i++ { // every id, pointing at bytes that are no record
		if recs, _ := parseRecordCache(good); len(recs) < i {
			break
		}
		notProto = append(notProto, byte(i), 3, 0xff, 0xff, 0xff)
	}
	for name, damaged := range map[string][]byte{
		"empty":          {},
		"garbage":        bytes.Repeat([]byte{0xff}, 100),
		"other magic":    append([]byte("guard-osv-records 2\n"), good[len(recCacheMagic):]...),
		"truncated":      good[:len(good)-7],
		"length too big": append([]byte(recCacheMagic), 0, 0xff, 0xff, 0xff, 0xff, 0x0f),
		"not protobuf":   notProto,
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(caches[0], damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			sameAnswers(t, name, want, queryDB(t, dbDir, cacheDir, qs))
			again, err := os.ReadFile(caches[0])
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := parseRecordCache(again); !ok {
				t.Errorf("the cache was not written again whole: %q", again)
			}
		})
	}
}

// Past its bounds the cache keeps only the records of the last query.
func TestRecordCacheBounds(t *testing.T) {
	dir := t.TempDir()
	var sum [32]byte
	c := openRecordCache(dir, sum)
	small, _ := proto.Marshal(&osvschema.Vulnerability{Id: "X"})
	for i := range recCacheMaxRecords {
		c.recs[uint32(i)] = small
	}
	read := map[uint32]*osvschema.Vulnerability{recCacheMaxRecords + 5: {Id: "NEW"}}
	if err := c.add(read, []uint32{3, recCacheMaxRecords + 5}); err != nil {
		t.Fatal(err)
	}
	c = openRecordCache(dir, sum)
	if len(c.recs) != 2 {
		t.Fatalf("%d records kept, want the query's 2", len(c.recs))
	}
	if v, ok := c.get(recCacheMaxRecords + 5); !ok || v.GetId() != "NEW" {
		t.Errorf("get: %v %v", v, ok)
	}
	// A file listing more records than the bound is not read.
	within := []byte(recCacheMagic)
	for i := range recCacheMaxRecords {
		within = binary.AppendUvarint(within, uint64(i))
		within = append(within, 0)
	}
	if _, ok := parseRecordCache(within); !ok {
		t.Error("a cache within the record bound did not parse")
	}
	big := append(binary.AppendUvarint(within, recCacheMaxRecords), 0)
	if _, ok := parseRecordCache(big); ok {
		t.Error("a cache over the record bound parsed")
	}
}

func FuzzParseRecordCache(f *testing.F) {
	f.Add([]byte(recCacheMagic))
	f.Add([]byte(recCacheMagic + "\x01\x02ab\x03\x00"))
	f.Add([]byte(recCacheMagic + "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"))
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, ok := parseRecordCache(data)
		if !ok {
			return
		}
		for _, b := range recs {
			if len(b) > len(data) {
				t.Fatalf("a record longer than the file")
			}
		}
	})
}

// Prepare opens folders ahead of a query without changing its answers, and
// leaves the errors of folders it cannot open for the query to report.
func TestPrepare(t *testing.T) {
	ctx := context.Background()
	dbDir, cacheDir := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(dbDir, "npm", "all.zip"), zipBytes(t, recordEntries(npmTestRecords...)))
	qs := []Query{{"npm", "lodash", "1.0.0"}, {"npm", "lodash", "4.17.20"}}
	want := queryDB(t, dbDir, cacheDir, qs)

	db, err := OpenDB(dbDir, WithCacheDir(cacheDir))
	if err != nil {
		t.Fatal(err)
	}
	db.Prepare(ctx, []string{"npm", "PyPI", "", "../x"})
	got, err := db.Query(ctx, qs)
	if err != nil {
		t.Fatal(err)
	}
	sameAnswers(t, "after Prepare", want, got)
	if _, err := db.Query(ctx, []Query{{"PyPI", "django", "1.0"}}); err == nil || !strings.Contains(err.Error(), "PyPI") {
		t.Errorf("a folder Prepare could not open: %v, want the query's own error", err)
	}
	db.Close()
	db.mu.Lock()
	n := len(db.ecos)
	db.mu.Unlock()
	if n != 0 {
		t.Errorf("%d folders open after Close", n)
	}

	// A cancelled Prepare opens nothing a query needs: the query opens it.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	db2, err := OpenDB(dbDir, WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	db2.Prepare(cctx, []string{"npm"})
	got, err = db2.Query(ctx, qs)
	if err != nil {
		t.Fatal(err)
	}
	sameAnswers(t, "after a cancelled Prepare", want, got)
	db2.Close()
}

// Queries of one DB may run at once: the record cache is read and written
// under its lock (run with -race).
func TestRecordCacheConcurrentQueries(t *testing.T) {
	dbDir, cacheDir := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(dbDir, "npm", "all.zip"), zipBytes(t, recordEntries(npmTestRecords...)))
	want := queryDB(t, dbDir, cacheDir, []Query{{"npm", "lodash", "1.0.0"}})
	db, err := OpenDB(dbDir, WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	answers := make([][][]*osvschema.Vulnerability, 8)
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			answers[i], errs[i] = db.Query(context.Background(), []Query{{"npm", "lodash", "1.0.0"}})
		})
	}
	wg.Wait()
	for i := range answers {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		sameAnswers(t, "concurrent", want, answers[i])
	}
}
