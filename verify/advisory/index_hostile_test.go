package advisory

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeManyNamesZip writes an npm export whose records name names distinct
// packages in all (perRecord per record), streamed so that generating it
// costs little memory: the shape of issue 12 item 4 (a 6 MB all.zip naming
// 2 million packages). It returns the path and the zip's size.
func writeManyNamesZip(t testing.TB, dir string, names, perRecord int) (string, int64) {
	t.Helper()
	p := filepath.Join(dir, "all.zip")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	for r := 0; r*perRecord < names; r++ {
		w, err := zw.Create(fmt.Sprintf("MAL-%06d.json", r))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(w, `{"id":"MAL-%06d","affected":[`, r)
		for i := r * perRecord; i < min(names, (r+1)*perRecord); i++ {
			if i > r*perRecord {
				w.Write([]byte{','})
			}
			fmt.Fprintf(w, `{"package":{"ecosystem":"npm","name":"pkg-%08d"},"versions":["1.0.0"]}`, i)
		}
		w.Write([]byte(`]}`))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p, st.Size()
}

// TestIndexManyNamesBoundedMemory (issue 12 item 4): indexing an export
// that names a great many distinct packages keeps at most one run of keys
// in memory (runBudget; the rest is sorted on disk), and the index it
// writes answers every name.
func TestIndexManyNamesBoundedMemory(t *testing.T) {
	defer func(b int) { runBudget = b }(runBudget)
	runBudget = 256 << 10 // many runs from a modest input
	const names, perRecord = 60_000, 5_000
	dir := t.TempDir()
	zipPath, size := writeManyNamesZip(t, dir, names, perRecord)
	zf, err := os.Open(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zf.Close()
	idx, err := os.Create(filepath.Join(dir, "all.idx"))
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	res, err := buildIndex(context.Background(), zf, size, zipPath, [32]byte{}, "npm", Limits{}, idx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.Keys != names || res.Records != names/perRecord {
		t.Fatalf("%d keys, %d records; want %d and %d", res.Keys, res.Records, names, names/perRecord)
	}
	// One key past the budget at most: the run is flushed as it fills.
	if res.MaxRunBytes > runBudget+64 {
		t.Errorf("held a run of %d bytes in memory, budget %d", res.MaxRunBytes, runBudget)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".guard-index-build-*")); len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
	st, err := idx.Stat()
	if err != nil {
		t.Fatal(err)
	}
	r, err := newIndexReader(idx, st.Size(), zf, size, 0)
	if err != nil {
		t.Fatal(err)
	}
	c := newLookupCache()
	for _, i := range []int{0, 1, perRecord - 1, perRecord, names / 2, names - 1} {
		ids, err := r.lookup(fmt.Sprintf("pkg-%08d", i), c)
		if err != nil || len(ids) != 1 || int(ids[0]) != i/perRecord {
			t.Errorf("pkg-%08d: entries %v, %v; want [%d]", i, ids, err, i/perRecord)
		}
		data, err := r.readEntry(ids[0])
		if err != nil || !strings.Contains(string(data), fmt.Sprintf(`"pkg-%08d"`, i)) {
			t.Errorf("pkg-%08d: record does not name it: %v", i, err)
		}
	}
	if ids, err := r.lookup("pkg-x", c); err != nil || len(ids) != 0 {
		t.Errorf("unknown name: %v, %v", ids, err)
	}
}

// FuzzBuildIndex: any bytes as all.zip never panic the index build (the
// central directory is read by hand, zipscan.go), and a build that succeeds
// writes an index that opens.
func FuzzBuildIndex(f *testing.F) {
	f.Add(zipBytes(f, recordEntries(npmTestRecords...)))
	f.Add(zipBytes(f, []zipEntry{{name: "dir/", data: ""}, {name: "A.json", data: recFixed}}))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Add([]byte("PK\x06\x07" + strings.Repeat("\xff", 16) + "PK\x05\x06" + strings.Repeat("\xff", 18)))
	f.Fuzz(func(t *testing.T, z []byte) {
		var idx bytes.Buffer
		lim := Limits{MaxEntrySize: 1 << 20, MaxTotalSize: 8 << 20, MaxEntries: 10_000}
		res, err := buildIndex(context.Background(), bytes.NewReader(z), int64(len(z)), "f.zip", [32]byte{}, "npm", lim, &idx, t.TempDir())
		if err != nil {
			return
		}
		if _, err := newIndexReader(bytes.NewReader(idx.Bytes()), int64(idx.Len()), bytes.NewReader(z), int64(len(z)), lim.MaxEntrySize); err != nil {
			t.Fatalf("index of a zip that built (%+v) does not open: %v", res, err)
		}
	})
}

// TestIndexBuildHonoursContext (issue 12 item 3): Ctrl-C during an index
// build (guard db update, or a first check building its cached index) stops
// it, and its temporary files go.
func TestIndexBuildHonoursContext(t *testing.T) {
	dir := t.TempDir()
	zipPath, size := writeManyNamesZip(t, dir, 10_000, 1_000)
	zf, err := os.Open(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zf.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var idx bytes.Buffer
	if _, err := buildIndex(ctx, zf, size, zipPath, [32]byte{}, "npm", Limits{}, &idx, dir); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".guard-index-build-*")); len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
}
