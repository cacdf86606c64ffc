package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// runStderr runs guard with the given environment and standard error, deciding
// "is a terminal" the way guard itself does (an *os.File on a terminal).
func runStderr(t *testing.T, environ map[string]string, stderr io.Writer, args ...string) (int, string) {
	t.Helper()
	withDefaults := map[string]string{"GUARD_DB": testDBDir, "GUARD_NO_PROVENANCE": "1", "GUARD_NO_METADATA": "1", "TERM": "xterm"}
	for k, v := range environ {
		withDefaults[k] = v
	}
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: stderr, getenv: func(k string) string { return withDefaults[k] }, isTerminal: isTerminal,
		transport: testTLSTransport()}
	return run(context.Background(), e, args), out.String()
}

// testTLSTransport trusts the certificate every httptest TLS server uses
// (guard db update downloads over https only).
var testTLSTransport = sync.OnceValue(func() http.RoundTripper {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	return srv.Client().Transport
})

// onPTY runs guard with standard error on a pseudo-terminal and returns what
// the terminal received.
func onPTY(t *testing.T, environ map[string]string, args ...string) (int, string) {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer master.Close()
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(master) // ends with EIO once the slave is closed
		got <- b
	}()
	code, _ := runStderr(t, environ, slave, args...)
	slave.Close()
	return code, string(<-got)
}

var colourSGR = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// A progress line appears on a terminal, for a DB download (bytes, per
// ecosystem) and for provenance gathering (n of N packages), and nowhere
// else: not on a pipe or file, not with --quiet. NO_COLOR removes colour
// from it.
func TestProgressOnlyOnTerminal(t *testing.T) {
	// The export is served slowly, in pieces, as a real download is, so
	// that the line is redrawn while it runs.
	fast := testDBServer(t)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := fast.Client().Get(fast.URL + r.URL.Path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			w.WriteHeader(resp.StatusCode)
			return
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		for i := 0; i < 3; i++ {
			w.Write(body[i*len(body)/3 : (i+1)*len(body)/3])
			w.(http.Flusher).Flush()
			time.Sleep(110 * time.Millisecond)
		}
	}))
	defer srv.Close()
	update := func(dir string, quiet bool) []string {
		url := srv.URL
		if dir > "b" {
			url = fast.URL // nothing to see: no need to wait
		}
		a := []string{"db", "update", "--db", filepath.Join(t.TempDir(), dir), "--url", url}
		if quiet {
			a = append(a, "--quiet")
		}
		return a
	}

	code, term := onPTY(t, nil, update("a", false)...)
	if code != 0 {
		t.Fatalf("db update on a terminal: exit %d\n%q", code, term)
	}
	for _, eco := range []string{"npm", "PyPI", "crates.io"} {
		if !strings.Contains(term, eco) || !strings.Contains(term, "\r") {
			t.Errorf("no progress line for %s on the terminal:\n%q", eco, term)
		}
	}
	if !regexp.MustCompile(`\d+(\.\d+)? ?[kM]?B/`).MatchString(term) {
		t.Errorf("the download line counts no bytes:\n%q", term)
	}
	if !colourSGR.MatchString(term) {
		t.Errorf("no colour on a terminal without NO_COLOR:\n%q", term)
	}

	_, plain := onPTY(t, map[string]string{"NO_COLOR": "1"}, update("b", false)...)
	if !strings.Contains(plain, "npm") || colourSGR.MatchString(plain) {
		t.Errorf("NO_COLOR: want a progress line without colour:\n%q", plain)
	}

	_, quiet := onPTY(t, nil, update("c", true)...)
	if strings.Contains(quiet, "\r") || strings.Contains(quiet, "npm") {
		t.Errorf("--quiet: progress on the terminal:\n%q", quiet)
	}

	var pipe bytes.Buffer
	if code, _ := runStderr(t, nil, &pipe, update("d", false)...); code != 0 {
		t.Fatalf("db update to a buffer: exit %d %s", code, pipe.String())
	}
	if strings.Contains(pipe.String(), "\r") || strings.Contains(pipe.String(), "\x1b") {
		t.Errorf("progress written to a non-terminal:\n%q", pipe.String())
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if code, _ := runStderr(t, nil, f, update("e", false)...); code != 0 {
		t.Fatalf("db update to a file: exit %d", code)
	}
	if b, _ := os.ReadFile(f.Name()); bytes.ContainsAny(b, "\r\x1b") {
		t.Errorf("progress written to a file:\n%q", b)
	}
}

// Provenance gathering shows "n/N packages" on a terminal.
func TestProvenanceProgressOnTerminal(t *testing.T) {
	corpus := corpusDir(t)
	att := filepath.Join(corpus, "npm-attestations")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/-/npm/v1/attestations/sigstore@1.0.0" {
			time.Sleep(300 * time.Millisecond) // the line is redrawn meanwhile
			http.ServeFile(w, r, filepath.Join(att, "npm-cli", "sigstore@1.0.0.attestations.json"))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	data, err := os.ReadFile(filepath.Join(att, "artifacts", "sigstore@1.0.0.manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Dist struct{ Integrity string } }
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	lock := `{"lockfileVersion": 3, "packages": {"": {"dependencies": {"sigstore": "1.0.0", "left-pad": "1.3.0"}},
  "node_modules/sigstore": {"version": "1.0.0", "integrity": "` + m.Dist.Integrity + `"},
  "node_modules/left-pad": {"version": "1.3.0", "integrity": "` + m.Dist.Integrity + `"}}}`
	if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), []byte(lock), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // no cached results from other runs
	environ := map[string]string{"GUARD_NO_PROVENANCE": "", "npm_config_registry": srv.URL + "/"}

	code, term := onPTY(t, environ, "check", "--format", "json", dir)
	if code != 0 {
		t.Fatalf("exit %d\n%q", code, term)
	}
	if !strings.Contains(term, "provenance") || !strings.Contains(term, "2/2") {
		t.Errorf("no provenance progress on the terminal:\n%q", term)
	}
	_, quiet := onPTY(t, environ, "check", "--quiet", dir)
	if strings.Contains(quiet, "2/2") {
		t.Errorf("--quiet: progress on the terminal:\n%q", quiet)
	}
	var pipe bytes.Buffer
	runStderr(t, environ, &pipe, "check", "--format", "json", dir)
	if strings.Contains(pipe.String(), "\r") || strings.Contains(pipe.String(), "2/2") {
		t.Errorf("progress written to a non-terminal:\n%q", pipe.String())
	}
}
