package main

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// dbWith builds an offline DB holding the given OSV records: ecosystem ->
// file name -> JSON.
func dbWith(t *testing.T, records map[string]map[string]string) string {
	t.Helper()
	zips := map[string][]byte{}
	for eco, files := range records {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, data := range files {
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, data)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		zips["/"+eco+"/all.zip"] = buf.Bytes()
	}
	var ecos []string
	for eco := range records {
		ecos = append(ecos, eco)
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := zips[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "osv-db")
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }, isTerminal: func(io.Writer) bool { return false }, transport: srv.Client().Transport}
	if code := run(context.Background(), e, []string{"db", "update", "--db", dir, "--url", srv.URL, "--ecosystem", strings.Join(ecos, ",")}); code != 0 {
		t.Fatalf("db update: %d %s", code, errb.String())
	}
	return dir
}

// osvRecord is a vulnerability record for name in ecosystem, fixed in fixed.
func osvRecord(id, ecosystem, name, fixed string) string {
	rangeType := "ECOSYSTEM"
	if ecosystem != "PyPI" {
		rangeType = "SEMVER"
	}
	return `{"schema_version":"1.6.0","id":"` + id + `","modified":"2026-11-01T00:00:00Z","summary":"guard wrapper test record",
"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
"affected":[{"package":{"ecosystem":"` + ecosystem + `","name":"` + name + `"},
"ranges":[{"type":"` + rangeType + `","events":[{"introduced":"0"},{"fixed":"` + fixed + `"}]}]}]}`
}
