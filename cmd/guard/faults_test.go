package main

// Fault injection (issue 8): a DB deleted mid-run, and two guard processes
// updating the same DB at once.

import (
	"bytes"
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/verify/advisory"
)

// copyDir copies a DB folder tree (regular files only).
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDBDeletedMidRun: the DB is opened (as guard check does first), then
// its files are removed before the query. The check must not complete: exit
// 3 with an error naming the DB, never "no vulnerabilities".
func TestDBDeletedMidRun(t *testing.T) {
	for _, remove := range []string{"ecosystem folder", "zip and index", "whole DB"} {
		t.Run(remove, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "db")
			copyDir(t, testDBDir, dir)
			db, err := advisory.OpenDB(dir, advisory.WithCacheDir(t.TempDir()))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			switch remove {
			case "ecosystem folder":
				os.RemoveAll(filepath.Join(dir, "npm"))
			case "zip and index":
				matches, _ := filepath.Glob(filepath.Join(dir, "npm", "all.*"))
				if len(matches) == 0 {
					t.Fatal("test DB has no npm/all.* files")
				}
				for _, m := range matches {
					os.Remove(m)
				}
			case "whole DB":
				os.RemoveAll(dir)
			}
			r, err := guard.Check(context.Background(), guard.Options{
				Paths: []string{project("npm-vulnerable")}, Level: guard.DefaultLevel, Mode: guard.DefaultMode,
				Advisories: db, NoProvenanceReason: "test",
			})
			if err != nil {
				t.Fatal(err)
			}
			if code := r.ExitCode(); code != guard.ExitIncomplete {
				t.Fatalf("exit %d, want %d (errors %+v, findings %d)", code, guard.ExitIncomplete, r.Errors, len(r.Findings))
			}
			found := false
			for _, e := range r.Errors {
				found = found || (e.Kind == guard.CheckError && strings.Contains(e.Message, "advisories"))
			}
			if !found {
				t.Fatalf("no advisory check error in %+v", r.Errors)
			}
		})
	}
}

// TestConcurrentDBUpdate: two guard processes run 'guard db update' on the
// same folder at once against a slow local export. Both must succeed (the
// per-ecosystem lock serialises them), the DB must be complete and
// readable afterwards, and no work-in-progress files may be left behind.
func TestConcurrentDBUpdate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the guard binary")
	}
	bin := filepath.Join(t.TempDir(), "guard")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	inner, err := newTestDBServer()
	if err != nil {
		t.Fatal(err)
	}
	defer inner.Close()
	var mu sync.Mutex
	requests := 0
	slow := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		time.Sleep(300 * time.Millisecond) // keep both updates in flight together
		resp, err := inner.Client().Get(inner.URL + r.URL.Path)
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		w.WriteHeader(resp.StatusCode)
		w.Write(buf.Bytes())
	}))
	defer slow.Close()

	// The guard binary trusts the test server through the standard
	// SSL_CERT_FILE: guard itself has no switch that weakens https.
	caFile := testCAFile(t, slow)
	dir := filepath.Join(t.TempDir(), "osv-db")
	cache := t.TempDir()
	type out struct {
		code   int
		output string
	}
	results := make([]out, 2)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, "db", "update", "--db", dir, "--url", slow.URL)
			cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache, "HOME="+cache, "SSL_CERT_FILE="+caFile)
			b, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				code = -1
			}
			results[i] = out{code, string(b)}
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Errorf("update %d: exit %d\n%s", i, r.code, r.output)
		}
	}
	if requests < 2 {
		t.Errorf("only %d export requests: the updates did not both run", requests)
	}
	// Nothing half-written left: only the ecosystem folders and lock files.
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".update-") || strings.HasSuffix(e.Name(), ".tmp") || strings.Contains(e.Name(), ".old") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	st := exec.Command(bin, "db", "status", "--db", dir)
	st.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache, "HOME="+cache)
	if b, err := st.CombinedOutput(); err != nil {
		t.Fatalf("db status after concurrent updates: %v\n%s", err, b)
	}
	// And the DB answers: the malware fixture still blocks.
	chk := exec.Command(bin, "check", "--offline", "--db", dir, project("npm-malware"))
	chk.Env = append(os.Environ(), "XDG_CACHE_HOME="+cache, "HOME="+cache, "GUARD_NO_PROVENANCE=1", "GUARD_NO_METADATA=1")
	b, _ := chk.CombinedOutput()
	if chk.ProcessState.ExitCode() != 1 {
		t.Fatalf("check after concurrent updates: exit %d, want 1\n%s", chk.ProcessState.ExitCode(), b)
	}
}

// testCAFile writes the certificate of an httptest TLS server as a PEM
// file, for SSL_CERT_FILE.
func testCAFile(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
