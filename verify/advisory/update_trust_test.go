package advisory

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/installguard/guard/verify/httpretry"
)

// TestUpdateDBOnlyHTTPS (issue 12 item 8): the DB decides what every later
// check allows, so it is never fetched over plain http, not even through a
// redirect from https.
func TestUpdateDBOnlyHTTPS(t *testing.T) {
	ctx := context.Background()
	zs := &zipServer{zips: map[string][]byte{"npm": zipBytes(t, recordEntries(npmTestRecords...))}, fail: map[string]int{}, trunc: map[string]bool{}}
	plain := httptest.NewServer(zs)
	defer plain.Close()
	dbDir := t.TempDir()
	err := UpdateDB(ctx, dbDir, plain.URL, []string{"npm"}, plain.Client())
	if err == nil || !strings.Contains(err.Error(), "not an https URL") {
		t.Fatalf("http URL: %v", err)
	}
	if n := zs.hits.Load(); n != 0 {
		t.Errorf("%d requests to the http server; want none", n)
	}
	redirect := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path, http.StatusFound)
	}))
	defer redirect.Close()
	err = UpdateDB(ctx, dbDir, redirect.URL, []string{"npm"}, redirect.Client())
	if err == nil || !strings.Contains(err.Error(), "only downloaded over https") || zs.hits.Load() != 0 {
		t.Fatalf("redirect to http: %v (%d requests to it)", err, zs.hits.Load())
	}
	assertNoLeftovers(t, dbDir)
}

// TestUpdateDBRefusesShrink (issue 12 item 8): an export with fewer than
// half the records the ecosystem has now (a one-record DB replacing
// thousands would allow everything afterwards) is refused and the old DB
// kept, unless WithAllowShrink (guard db update --force).
func TestUpdateDBRefusesShrink(t *testing.T) {
	ctx := context.Background()
	zs := &zipServer{zips: map[string][]byte{"npm": zipBytes(t, recordEntries(npmTestRecords...))}, fail: map[string]int{}, trunc: map[string]bool{}}
	srv := httptest.NewTLSServer(zs)
	defer srv.Close()
	dbDir, cache := t.TempDir(), t.TempDir()
	if err := UpdateDB(ctx, dbDir, srv.URL, []string{"npm"}, srv.Client()); err != nil {
		t.Fatal(err)
	}
	records := func() int {
		db, err := OpenDB(dbDir, WithCacheDir(cache))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		st, err := db.Status()
		if err != nil {
			t.Fatal(err)
		}
		return st[0].Records
	}
	before := records()

	zs.mu.Lock()
	zs.zips["npm"] = zipBytes(t, recordEntries(recFixed))
	zs.mu.Unlock()
	err := UpdateDB(ctx, dbDir, srv.URL, []string{"npm"}, srv.Client())
	if err == nil || !strings.Contains(err.Error(), "more than half") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("shrinking update: %v", err)
	}
	if got := records(); got != before {
		t.Errorf("after a refused update the DB has %d records, want the old %d", got, before)
	}
	assertNoLeftovers(t, dbDir)

	// Exactly half is not "more than half".
	zs.mu.Lock()
	zs.zips["npm"] = zipBytes(t, recordEntries(npmTestRecords[:(before+1)/2]...))
	zs.mu.Unlock()
	if err := UpdateDB(ctx, dbDir, srv.URL, []string{"npm"}, srv.Client()); err != nil {
		t.Fatalf("update to half the records: %v", err)
	}
	zs.mu.Lock()
	zs.zips["npm"] = zipBytes(t, recordEntries(recFixed))
	zs.mu.Unlock()
	if err := UpdateDB(ctx, dbDir, srv.URL, []string{"npm"}, srv.Client(), WithAllowShrink()); err != nil {
		t.Fatalf("forced update: %v", err)
	}
	if got := records(); got != 1 {
		t.Errorf("after the forced update: %d records, want 1", got)
	}
}

// TestUpdateDBSilentServer (issue 12 item 7): an export server that accepts
// connections and never answers (not even the TLS handshake) fails the
// update once the idle deadline passes, without retries, and leaves
// nothing behind.
func TestUpdateDBSilentServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns atomic.Int32
	held := make(chan net.Conn, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			held <- c
		}
	}()
	defer func() {
		ln.Close()
		for len(held) > 0 {
			(<-held).Close()
		}
	}()
	dbDir := t.TempDir()
	err = UpdateDB(context.Background(), dbDir, "https://"+ln.Addr().String(), []string{"npm"}, nil, WithIdleTimeout(200*time.Millisecond))
	if !errors.Is(err, httpretry.ErrSilent) || !strings.Contains(err.Error(), "sent nothing for 200ms") {
		t.Fatalf("err = %v", err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1 (a silent server is not retried)", n)
	}
	assertNoLeftovers(t, dbDir)
}
