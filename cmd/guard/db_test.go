package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testDBServer serves testdata/osv/<ecosystem>/*.json as OSV's export layout
// (<base>/<ecosystem>/all.zip).
func testDBServer(t testing.TB) *httptest.Server {
	t.Helper()
	srv, err := newTestDBServer()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func newTestDBServer() (*httptest.Server, error) {
	zips := map[string][]byte{}
	root := filepath.Join("..", "..", "testdata", "osv")
	ecos, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	for _, eco := range ecos {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		files, _ := filepath.Glob(filepath.Join(root, eco.Name(), "*.json"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			w, err := zw.Create(filepath.Base(f))
			if err != nil {
				return nil, err
			}
			w.Write(data)
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		zips["/"+eco.Name()+"/all.zip"] = buf.Bytes()
	}
	// https: guard db update refuses anything else. Every httptest TLS
	// server presents the same certificate, so testTransport trusts them all.
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := zips[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	return srv, nil
}

// testDB runs 'guard db update' against testDBServer into a new folder.
func testDB(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "osv-db")
	srv := testDBServer(t)
	r := runGuard(t, map[string]string{"GUARD_DB": "unused"}, false, "db", "update", "--db", dir, "--url", srv.URL)
	if r.code != 0 {
		t.Fatalf("db update: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	return dir
}

func TestDBUpdateAndStatus(t *testing.T) {
	dir := testDB(t)
	r := runGuard(t, nil, false, "db", "status", "--db", dir, "--format", "json")
	if r.code != 0 {
		t.Fatalf("db status: exit %d %s", r.code, r.stderr)
	}
	var st struct {
		Ecosystems []struct {
			Ecosystem          string
			Records, Withdrawn int
			FromMetadata       bool
			Source             string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int{"npm": {4, 1}, "PyPI": {1, 0}, "crates.io": {1, 0}}
	if len(st.Ecosystems) != len(want) {
		t.Fatalf("status %+v", st)
	}
	for _, e := range st.Ecosystems {
		if w := want[e.Ecosystem]; e.Records != w[0] || e.Withdrawn != w[1] || !e.FromMetadata || e.Source == "" {
			t.Errorf("%+v, want records/withdrawn %v", e, w)
		}
	}
	text := runGuard(t, nil, false, "db", "status", "--db", dir)
	if text.code != 0 || !strings.Contains(text.stdout, "crates.io") {
		t.Errorf("text status: %d %s", text.code, text.stdout)
	}
}

func TestDBErrors(t *testing.T) {
	srv := testDBServer(t)
	dir := filepath.Join(t.TempDir(), "db")
	if r := runGuard(t, nil, false, "db", "update", "--db", dir, "--url", srv.URL, "--ecosystem", "Hackage"); r.code != 3 {
		t.Errorf("update of an ecosystem the server lacks: exit %d, want 3: %s", r.code, r.stderr)
	}
	if r := runGuard(t, nil, false, "db", "update", "--offline", "--db", dir); r.code != 2 {
		t.Errorf("update --offline: exit %d, want 2", r.code)
	}
	if r := runGuard(t, nil, false, "db", "status", "--db", filepath.Join(t.TempDir(), "none")); r.code != 3 {
		t.Errorf("status of a missing DB: exit %d, want 3", r.code)
	}
	if r := runGuard(t, nil, false, "db", "frob"); r.code != 2 {
		t.Errorf("unknown db subcommand: exit %d", r.code)
	}
}
