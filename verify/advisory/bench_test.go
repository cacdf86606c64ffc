package advisory

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/bits"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"
)

// countingReaderAt counts ReadAt calls and bytes.
type countingReaderAt struct {
	r     io.ReaderAt
	calls atomic.Int64
	bytes atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.calls.Add(1)
	n, err := c.r.ReadAt(p, off)
	c.bytes.Add(int64(n))
	return n, err
}

// lockfileNames returns the name@version pairs of a corpus package-lock.
func lockfileNames(t testing.TB, rel string) []Query {
	data, err := os.ReadFile(filepath.Join(corpusDir(t), rel))
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
	var qs []Query
	for path, p := range pl.Packages {
		i := strings.LastIndex(path, "node_modules/")
		if path == "" || p.Link || i < 0 {
			continue
		}
		qs = append(qs, Query{"npm", path[i+len("node_modules/"):], p.Version})
	}
	return qs
}

const reactScripts = "lockfiles/npm-generated/c-react-scripts/package-lock.json"

// generatedDB returns a DB directory whose npm/all.zip holds the corpus npm
// records under their own names plus clones of their shapes under new
// names, n records in all. It is generated once and kept under the system
// temp dir (guard-bench-osv-<n>), with its index cache next to it.
func generatedDB(b testing.TB, n int) (dbDir, cacheDir string) {
	root := filepath.Join(os.TempDir(), fmt.Sprintf("guard-bench-osv-%d-v1", n))
	dbDir, cacheDir = filepath.Join(root, "db"), filepath.Join(root, "cache")
	zipPath := filepath.Join(dbDir, "npm", "all.zip")
	if _, err := os.Stat(zipPath); err == nil {
		return dbDir, cacheDir
	}
	var templates [][]byte
	zr, err := zip.OpenReader(filepath.Join(corpusDir(b), "osv", "npm", "all.zip"))
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range zr.File {
		rc, _ := f.Open()
		data, _ := io.ReadAll(rc)
		rc.Close()
		templates = append(templates, data)
	}
	zr.Close()
	if err := os.MkdirAll(filepath.Dir(zipPath), 0o755); err != nil {
		b.Fatal(err)
	}
	tmp := zipPath + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		b.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	for i := range n {
		data := templates[i%len(templates)]
		if i >= len(templates) {
			v, err := DecodeRecord(data)
			if err != nil {
				b.Fatal(err)
			}
			v.Id = fmt.Sprintf("GEN-%07d", i)
			for _, a := range v.GetAffected() {
				if p := a.GetPackage(); p != nil {
					p.Name = fmt.Sprintf("gen-%d-%s", i, p.GetName())
				}
			}
			v.Aliases = nil
			data, _ = protojson.Marshal(v)
		}
		v := &osvschema.Vulnerability{}
		if err := protojson.Unmarshal(data, v); err != nil {
			b.Fatal(err)
		}
		w, err := zw.Create(v.GetId() + ".json")
		if err != nil {
			b.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		b.Fatal(err)
	}
	bw.Flush()
	f.Close()
	if err := os.Rename(tmp, zipPath); err != nil {
		b.Fatal(err)
	}
	return dbDir, cacheDir
}

// benchQuery opens the DB (index already cached), queries qs and closes,
// per iteration: what one guard run pays. It reports the index and zip
// reads of one run.
func benchQuery(b *testing.B, dbDir, cacheDir string, qs []Query) {
	// Warm: build (or find) the cached index once, outside the timing.
	db, err := OpenDB(dbDir, WithCacheDir(cacheDir))
	if err != nil {
		b.Fatal(err)
	}
	st, err := db.Status()
	if err != nil {
		b.Fatal(err)
	}
	db.Close()
	records := 0
	for _, s := range st {
		if s.Ecosystem == "npm" {
			records = s.Records
		}
	}

	// One instrumented run for the read counts.
	db, _ = OpenDB(dbDir, WithCacheDir(cacheDir))
	e, err := db.eco(context.Background(), "npm")
	if err != nil {
		b.Fatal(err)
	}
	idx, zr := &countingReaderAt{r: e.r.idx}, &countingReaderAt{r: e.r.zip}
	e.r.idx, e.r.zip = idx, zr
	res, err := db.Query(context.Background(), qs)
	if err != nil {
		b.Fatal(err)
	}
	db.Close()
	hits := 0
	for _, r := range res {
		hits += len(r)
	}

	b.ResetTimer()
	for b.Loop() {
		db, err := OpenDB(dbDir, WithCacheDir(cacheDir))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Query(context.Background(), qs); err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
	b.ReportMetric(float64(records), "records")
	b.ReportMetric(float64(len(qs)), "queries")
	b.ReportMetric(float64(hits), "hits")
	b.ReportMetric(float64(idx.calls.Load()), "idx-reads/op")
	b.ReportMetric(float64(idx.bytes.Load()), "idx-bytes/op")
	b.ReportMetric(float64(zr.calls.Load()), "zip-reads/op")
}

// BenchmarkQueryCorpusNPM: the 1,291 packages of react-scripts against the
// corpus npm DB (3,470 records), index cached.
func BenchmarkQueryCorpusNPM(b *testing.B) {
	dir := corpusDir(b)
	benchQuery(b, filepath.Join(dir, "osv"), b.TempDir(), lockfileNames(b, reactScripts))
}

// BenchmarkQueryGenerated200k: the same queries against a generated DB of
// 200,000 records (the corpus records plus clones under new names). The
// time and reads per run should stay close to BenchmarkQueryCorpusNPM: the
// cost follows the number of queried names (× log of the DB's names), not
// the DB size.
func BenchmarkQueryGenerated200k(b *testing.B) {
	dbDir, cacheDir := generatedDB(b, 200_000)
	benchQuery(b, dbDir, cacheDir, lockfileNames(b, reactScripts))
}

// BenchmarkBuildIndexCorpusNPM: the one-off cost of indexing the corpus
// npm zip (paid once per DB update, or once per zip in the cache).
func BenchmarkBuildIndexCorpusNPM(b *testing.B) {
	zipPath := filepath.Join(corpusDir(b), "osv", "npm", "all.zip")
	f, err := os.Open(zipPath)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	for b.Loop() {
		if _, err := buildIndex(context.Background(), f, st.Size(), zipPath, [32]byte{}, "npm", Limits{}, io.Discard, b.TempDir()); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLookupReadsAreLogarithmic checks the read count of lookups on a DB
// with many names: at most 2 reads per binary-search probe plus the
// postings, entry rows and record reads.
func TestLookupReadsAreLogarithmic(t *testing.T) {
	const names = 20_000
	var recs []zipEntry
	for i := range names {
		recs = append(recs, zipEntry{name: fmt.Sprintf("R-%d.json", i),
			data: fmt.Sprintf(`{"id":"R-%d","affected":[{"package":{"ecosystem":"npm","name":"package-with-a-long-shared-prefix-%d"},"versions":["1.0.0"]}]}`, i, i)})
	}
	dbDir, cacheDir := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(dbDir, "npm", "all.zip"), zipBytes(t, recs))
	db, err := OpenDB(dbDir, WithCacheDir(cacheDir))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	e, err := db.eco(context.Background(), "npm")
	if err != nil {
		t.Fatal(err)
	}
	idx := &countingReaderAt{r: e.r.idx}
	e.r.idx = idx
	probes := bits.Len(uint(names)) // ceil(log2(names+1))
	for _, i := range []int{0, 1, 777, names / 2, names - 1, names + 5} {
		idx.calls.Store(0)
		q := Query{"npm", fmt.Sprintf("package-with-a-long-shared-prefix-%d", i), "1.0.0"}
		got, err := db.Query(context.Background(), []Query{q})
		if err != nil {
			t.Fatal(err)
		}
		if (i < names) != (len(got[0]) == 1) {
			t.Fatalf("%s: %q", q.Name, ids(got[0]))
		}
		if n := idx.calls.Load(); n > int64(2*probes+2) {
			t.Errorf("%s: %d index reads, want at most %d for %d names", q.Name, n, 2*probes+2, names)
		}
	}
}
