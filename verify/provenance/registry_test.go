package provenance

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/installguard/guard/lockfile"
)

// testRegistry is an httptest npm registry serving corpus answers. Tests
// name it npm-registry.invalid where a host name is needed; the verifier
// only ever sees the URL it is given.
type testRegistry struct {
	*httptest.Server
	mu      sync.Mutex
	routes  map[string]http.HandlerFunc // by request URI
	hits    map[string]int
	fallbck http.HandlerFunc
}

func newTestRegistry(t testing.TB) *testRegistry {
	r := &testRegistry{routes: map[string]http.HandlerFunc{}, hits: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		h, ok := r.routes[req.RequestURI]
		r.hits[req.RequestURI]++
		fb := r.fallbck
		r.mu.Unlock()
		switch {
		case ok:
			h(w, req)
		case fb != nil:
			fb(w, req)
		default:
			http.NotFound(w, req)
		}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *testRegistry) handle(uri string, h http.HandlerFunc) {
	r.mu.Lock()
	r.routes[uri] = h
	r.mu.Unlock()
}

func (r *testRegistry) serve(uri string, body []byte) {
	r.handle(uri, func(w http.ResponseWriter, _ *http.Request) { w.Write(body) })
}

func (r *testRegistry) hitCount(uri string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits[uri]
}

func npmPkg(name, version string, sha512 []byte) lockfile.Package {
	return lockfile.Package{
		Ecosystem: lockfile.NPM, Name: name, Version: version,
		Hashes: []lockfile.Hash{{Algorithm: "sha512", Digest: base64.StdEncoding.EncodeToString(sha512)}},
		Source: lockfile.Source{Kind: lockfile.SourceRegistry},
	}
}

func newTestVerifier(t testing.TB, reg string, opts ...Option) *Verifier {
	t.Helper()
	v, err := New(append([]Option{WithNPMRegistry(reg), WithTrust(defaultTrust(t))}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	v.fetch.backoff = 10 * time.Millisecond
	return v
}

const sigstore100URI = "/-/npm/v1/attestations/sigstore@1.0.0"

func TestRegistryVerified(t *testing.T) {
	reg := newTestRegistry(t)
	reg.serve(sigstore100URI, corpusRead(t, "npm-attestations/npm-cli/sigstore@1.0.0.attestations.json"))
	// Scoped names are escaped as npm escapes them.
	reg.serve("/-/npm/v1/attestations/@laurentsimon%2fprovenance-npm-test@1.0.5", corpusRead(t, "npm-attestations/slsa-verifier/provenance-npm-test-ossf.tgz.json"))
	v := newTestVerifier(t, reg.URL)
	rs := v.Verify(context.Background(), []lockfile.Package{
		npmPkg("sigstore", "1.0.0", corpusSHA512(t, "npm-attestations/artifacts/sigstore-1.0.0.tgz")),
		npmPkg("@laurentsimon/provenance-npm-test", "1.0.5", corpusSHA512(t, "npm-attestations/slsa-verifier/provenance-npm-test-ossf.tgz")),
	})
	for _, r := range rs {
		if r.Status != StatusVerified || r.Publisher == nil {
			t.Fatalf("%s: %s (%s)", r.Name, r.Status, r.Reason)
		}
	}
	p := rs[0].Publisher
	if p.Repository != "https://github.com/sigstore/sigstore-js" || p.Workflow != ".github/workflows/publish.yml" || p.Ref != "refs/tags/v1.0.0" || p.Issuer != "https://token.actions.githubusercontent.com" {
		t.Errorf("publisher %+v", p)
	}
	// A reusable workflow signed: the SAN names it, Workflow the caller.
	p = rs[1].Publisher
	if !strings.Contains(p.SAN, "slsa-github-generator") || p.RunURL == "" {
		t.Errorf("publisher %+v", p)
	}
	t.Logf("%+v", *p)
}

func TestRegistryNotFoundIsMissing(t *testing.T) {
	reg := newTestRegistry(t)
	v := newTestVerifier(t, reg.URL)
	r := v.VerifyPackage(context.Background(), npmPkg("sigstore", "1.0.0", make([]byte, 64)))
	if r.Status != StatusMissing || !strings.Contains(r.Reason, "404") {
		t.Errorf("%s (%s)", r.Status, r.Reason)
	}
}

func TestRegistry5xxRetriedThenVerified(t *testing.T) {
	reg := newTestRegistry(t)
	body := corpusRead(t, "npm-attestations/npm-cli/sigstore@1.0.0.attestations.json")
	var n atomic.Int32
	reg.handle(sigstore100URI, func(w http.ResponseWriter, _ *http.Request) {
		switch n.Add(1) {
		case 1:
			w.WriteHeader(http.StatusBadGateway)
		case 2:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			w.Write(body)
		}
	})
	v := newTestVerifier(t, reg.URL)
	r := v.VerifyPackage(context.Background(), npmPkg("sigstore", "1.0.0", corpusSHA512(t, "npm-attestations/artifacts/sigstore-1.0.0.tgz")))
	if r.Status != StatusVerified || n.Load() != 3 {
		t.Errorf("%s (%s) after %d requests", r.Status, r.Reason, n.Load())
	}
}

func TestRegistry5xxBounded(t *testing.T) {
	reg := newTestRegistry(t)
	reg.handle(sigstore100URI, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusServiceUnavailable) })
	v := newTestVerifier(t, reg.URL, WithAttempts(4))
	r := v.VerifyPackage(context.Background(), npmPkg("sigstore", "1.0.0", make([]byte, 64)))
	if r.Status != StatusUnverifiable || !strings.Contains(r.Reason, "503") || r.Advice == "" {
		t.Errorf("%s (%s)", r.Status, r.Reason)
	}
	if got := reg.hitCount(sigstore100URI); got != 4 {
		t.Errorf("%d requests, want 4", got)
	}
	// A failure to ask is not cached: the next run asks again.
	v.VerifyPackage(context.Background(), npmPkg("sigstore", "1.0.0", make([]byte, 64)))
	if got := reg.hitCount(sigstore100URI); got != 8 {
		t.Errorf("%d requests after a second run, want 8", got)
	}
}

func TestRegistrySlowBounded(t *testing.T) {
	reg := newTestRegistry(t)
	release := make(chan struct{})
	defer close(release)
	reg.handle(sigstore100URI, func(w http.ResponseWriter, req *http.Request) {
		select {
		case <-release:
		case <-req.Context().Done():
		}
	})
	v := newTestVerifier(t, reg.URL, WithRequestTimeout(150*time.Millisecond), WithAttempts(2))
	start := time.Now()
	r := v.VerifyPackage(context.Background(), npmPkg("sigstore", "1.0.0", make([]byte, 64)))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	if r.Status != StatusUnverifiable || !strings.Contains(r.Reason, "deadline") {
		t.Errorf("%s (%s)", r.Status, r.Reason)
	}
	// The caller's context bounds it too.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	v = newTestVerifier(t, reg.URL, WithRequestTimeout(time.Hour))
	start = time.Now()
	r = v.VerifyPackage(ctx, npmPkg("sigstore", "1.0.0", make([]byte, 64)))
	if d := time.Since(start); d > 2*time.Second || r.Status != StatusUnverifiable {
		t.Errorf("context: %s after %v", r.Status, d)
	}
}

func TestRegistryTruncated(t *testing.T) {
	body := corpusRead(t, "npm-attestations/npm-cli/sigstore@1.0.0.attestations.json")
	sha := corpusSHA512(t, "npm-attestations/artifacts/sigstore-1.0.0.tgz")
	// The connection is cut mid-answer: the client sees it, retries, and
	// the package stays undecided.
	reg := newTestRegistry(t)
	reg.handle(sigstore100URI, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.Write(body[:len(body)/2])
		hj, _ := w.(http.Hijacker)
		conn, buf, _ := hj.Hijack()
		buf.Flush()
		conn.Close()
	})
	v := newTestVerifier(t, reg.URL)
	r := v.VerifyPackage(context.Background(), npmPkg("sigstore", "1.0.0", sha))
	if r.Status != StatusUnverifiable || !strings.Contains(r.Reason, "reading the response") {
		t.Errorf("cut connection: %s (%s)", r.Status, r.Reason)
	}
	if got := reg.hitCount(sigstore100URI); got != 3 {
		t.Errorf("%d requests, want 3", got)
	}
	// A complete HTTP answer whose JSON is cut short is invalid.
	reg2 := newTestRegistry(t)
	reg2.serve(sigstore100URI, body[:len(body)/2])
	v = newTestVerifier(t, reg2.URL)
	r = v.VerifyPackage(context.Background(), npmPkg("sigstore", "1.0.0", sha))
	if r.Status != StatusInvalid || !strings.Contains(r.Reason, "not valid JSON") {
		t.Errorf("truncated JSON: %s (%s)", r.Status, r.Reason)
	}
	// An answer larger than the cap is refused, not read.
	reg3 := newTestRegistry(t)
	reg3.handle(sigstore100URI, func(w http.ResponseWriter, _ *http.Request) {
		chunk := []byte(strings.Repeat(" ", 1<<20))
		for range 6 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	v = newTestVerifier(t, reg3.URL)
	r = v.VerifyPackage(context.Background(), npmPkg("sigstore", "1.0.0", sha))
	if r.Status != StatusUnverifiable || !strings.Contains(r.Reason, "larger than the limit") {
		t.Errorf("oversized: %s (%s)", r.Status, r.Reason)
	}
}

// An answer for another package or version, however genuine, is invalid.
func TestRegistryWrongPackage(t *testing.T) {
	reg := newTestRegistry(t)
	// sigstore@1.0.0's real answer served for sigstore@0.4.0.
	reg.serve("/-/npm/v1/attestations/sigstore@0.4.0", corpusRead(t, "npm-attestations/npm-cli/sigstore@1.0.0.attestations.json"))
	// tuf-js@1.0.0's real answer served for sigstore@1.0.0, with a
	// lockfile that also claims tuf-js's digest: the name still differs.
	reg.serve(sigstore100URI, corpusRead(t, "npm-attestations/npm-cli/tuf-js@1.0.0.attestations.json"))
	v := newTestVerifier(t, reg.URL)
	rs := v.Verify(context.Background(), []lockfile.Package{
		npmPkg("sigstore", "0.4.0", corpusSHA512(t, "npm-attestations/artifacts/sigstore-0.4.0.tgz")),
		npmPkg("sigstore", "1.0.0", corpusSHA512(t, "npm-attestations/artifacts/tuf-js-1.0.0.tgz")),
	})
	if r := rs[0]; r.Status != StatusInvalid || !strings.Contains(r.Reason, "subject digest") {
		t.Errorf("other version: %s (%s)", r.Status, r.Reason)
	}
	if r := rs[1]; r.Status != StatusInvalid || !strings.Contains(r.Reason, `subject name: the statement names "pkg:npm/tuf-js@1.0.0", the package is "pkg:npm/sigstore@1.0.0"`) {
		t.Errorf("other package: %s (%s)", r.Status, r.Reason)
	}
	for _, r := range rs {
		for _, a := range r.Attestations {
			if !a.SignatureVerified || a.Verified {
				t.Errorf("%s: attestation %+v", r.Name, a)
			}
		}
	}
}

func TestVerifyPackageKinds(t *testing.T) {
	reg := newTestRegistry(t)
	reg.serve(sigstore100URI, corpusRead(t, "npm-attestations/npm-cli/sigstore@1.0.0.attestations.json"))
	v := newTestVerifier(t, reg.URL)
	noSHA := npmPkg("sigstore", "1.0.0", nil)
	noSHA.Hashes = []lockfile.Hash{{Algorithm: "sha1", Digest: "KCwMX6k20mQyFkNYG2XT3lwK9u0="}}
	berry := npmPkg("sigstore", "1.0.0", corpusSHA512(t, "npm-attestations/artifacts/sigstore-1.0.0.tgz"))
	berry.Hashes[0].Of = "yarn-cache-zip:10c0"
	gitPkg := npmPkg("x", "1.0.0", nil)
	gitPkg.Source = lockfile.Source{Kind: lockfile.SourceGit, URL: "git+https://example.invalid/x.git"}
	ws := npmPkg("app", "1.0.0", nil)
	ws.Source.Kind = lockfile.SourceWorkspace
	bundled := npmPkg("y", "1.0.0", nil)
	bundled.Bundled = true
	crate := lockfile.Package{Ecosystem: lockfile.CratesIO, Name: "serde", Version: "1.0.0", Source: lockfile.Source{Kind: lockfile.SourceRegistry}}
	rs := v.Verify(context.Background(), []lockfile.Package{noSHA, berry, gitPkg, ws, bundled, crate})
	want := []Status{StatusUnverifiable, StatusUnverifiable, StatusUnavailable, StatusUnavailable, StatusUnavailable, StatusUnavailable}
	for i, r := range rs {
		if r.Status != want[i] {
			t.Errorf("%d %s: %s (%s), want %s", i, r.Name, r.Status, r.Reason, want[i])
		}
	}
	if !strings.Contains(rs[0].Reason, "sha512") || rs[0].Advice == "" {
		t.Errorf("no sha512: %s / %s", rs[0].Reason, rs[0].Advice)
	}
	if !strings.Contains(rs[5].Reason, "crates.io publishes no attestations") {
		t.Errorf("crate: %s", rs[5].Reason)
	}
}

func TestResultCache(t *testing.T) {
	reg := newTestRegistry(t)
	reg.serve(sigstore100URI, corpusRead(t, "npm-attestations/npm-cli/sigstore@1.0.0.attestations.json"))
	dir := t.TempDir()
	p := npmPkg("sigstore", "1.0.0", corpusSHA512(t, "npm-attestations/artifacts/sigstore-1.0.0.tgz"))
	v := newTestVerifier(t, reg.URL, WithResultCache(dir))
	// The same package twice in one run is fetched once.
	rs := v.Verify(context.Background(), []lockfile.Package{p, p})
	if rs[0].Status != StatusVerified || rs[1].Status != StatusVerified || reg.hitCount(sigstore100URI) != 1 {
		t.Fatalf("%s %s, %d requests", rs[0].Status, rs[1].Status, reg.hitCount(sigstore100URI))
	}
	if r := v.VerifyPackage(context.Background(), p); !r.Cached || reg.hitCount(sigstore100URI) != 1 {
		t.Errorf("memory cache missed")
	}
	// A new verifier reads the disk cache.
	v2 := newTestVerifier(t, reg.URL, WithResultCache(dir))
	if r := v2.VerifyPackage(context.Background(), p); !r.Cached || r.Status != StatusVerified || r.Publisher == nil || reg.hitCount(sigstore100URI) != 1 {
		t.Errorf("disk cache missed: %+v", r)
	}
	// Another digest for the same name and version is another key.
	other := npmPkg("sigstore", "1.0.0", make([]byte, 64))
	if r := v2.VerifyPackage(context.Background(), other); r.Cached || r.Status != StatusInvalid {
		t.Errorf("other digest: cached=%v %s", r.Cached, r.Status)
	}
	// Other trust material does not read it.
	v3, err := New(WithNPMRegistry(reg.URL), WithTrust(stagingTrust(t)), WithResultCache(dir))
	if err != nil {
		t.Fatal(err)
	}
	if r := v3.VerifyPackage(context.Background(), p); r.Cached {
		t.Errorf("cache read under other trust material")
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

// With registry metadata: signatures checked with the embedded keys when
// the keys endpoint answers 404; downgrade evidence from the packument.
func TestRegistryMetadata(t *testing.T) {
	var sigs struct {
		Signatures []struct{ Package, Version, Integrity, Keyid, Sig string } `json:"signatures"`
	}
	if err := json.Unmarshal(corpusRead(t, "npm-attestations/npm-registry-signatures.json"), &sigs); err != nil {
		t.Fatal(err)
	}
	var entry struct{ Integrity, Keyid, Sig string }
	for _, s := range sigs.Signatures {
		if s.Package == "sigstore" && s.Version == "1.0.0" {
			entry.Integrity, entry.Keyid, entry.Sig = s.Integrity, s.Keyid, s.Sig
		}
	}
	if entry.Sig == "" {
		t.Fatal("no corpus signature for sigstore@1.0.0")
	}
	pack := map[string]any{
		"name": "sigstore",
		"time": map[string]string{"0.4.0": "2023-01-11T17:31:00.000Z", "1.0.0": "2023-02-09T17:56:00.000Z"},
		"versions": map[string]any{
			"0.4.0": map[string]any{"version": "0.4.0", "repository": map[string]string{"url": "git+https://github.com/sigstore/sigstore-js.git"},
				"dist": map[string]any{"attestations": map[string]any{"url": "x", "provenance": map[string]string{"predicateType": predicateSLSAv02}}}},
			"1.0.0": map[string]any{"version": "1.0.0", "repository": map[string]string{"url": "git+https://github.com/sigstore/sigstore-js.git"},
				"dist": map[string]any{"integrity": entry.Integrity, "signatures": []map[string]string{{"keyid": entry.Keyid, "sig": entry.Sig}},
					"attestations": map[string]any{"url": "x", "provenance": map[string]string{"predicateType": predicateSLSAv02}}}},
		},
	}
	pb, _ := json.Marshal(pack)
	reg := newTestRegistry(t)
	reg.serve(sigstore100URI, corpusRead(t, "npm-attestations/npm-cli/sigstore@1.0.0.attestations.json"))
	reg.handle("/sigstore", func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Accept") != "application/json" {
			t.Errorf("packument Accept %q", req.Header.Get("Accept"))
		}
		w.Write(pb)
	})
	g, err := NewRegistry(WithNPMRegistry(reg.URL))
	if err != nil {
		t.Fatal(err)
	}
	v := newTestVerifier(t, reg.URL, WithNPMMetadata(true), WithRegistry(g))
	pkg := npmPkg("sigstore", "1.0.0", corpusSHA512(t, "npm-attestations/artifacts/sigstore-1.0.0.tgz"))
	r := v.VerifyPackage(context.Background(), pkg)
	// The registry metadata reads the packument provenance fetched: one
	// request for both.
	m := g.Metadata(context.Background(), []lockfile.Package{pkg})[PackageKey(&pkg)]
	if m.Status != MetadataRead || !m.Known || m.PublishedAt.Format(time.RFC3339) != "2023-02-09T17:56:00Z" || m.Versions != 2 {
		t.Errorf("metadata %+v", m)
	}
	if n := reg.hitCount("/sigstore"); n != 1 {
		t.Errorf("packument fetched %d times, want 1", n)
	}
	if r.Status != StatusVerified || r.Registry == nil || r.Registry.Status != StatusVerified || !strings.Contains(r.Registry.KeySource, "404") {
		t.Fatalf("%s, registry %+v, metadata error %q", r.Status, r.Registry, r.MetadataError)
	}
	if d := r.Downgrade; d == nil || !d.HasProvenance || d.EarlierWithProvenance != 1 || d.RepositoryChanged {
		t.Errorf("downgrade %+v", r.Downgrade)
	}
	if reg.hitCount("/-/npm/v1/keys") != 1 {
		t.Errorf("keys endpoint asked %d times", reg.hitCount("/-/npm/v1/keys"))
	}
}

// npm's "no attestations" answer is kept on disk for missingTTL, per
// registry: a second run does not ask again, another registry does, and an
// expired entry is not read.
func TestMissingResultCache(t *testing.T) {
	reg := newTestRegistry(t)
	dir := t.TempDir()
	p := npmPkg("left-pad", "1.3.0", make([]byte, 64))
	uri := "/-/npm/v1/attestations/left-pad@1.3.0"
	v := newTestVerifier(t, reg.URL, WithResultCache(dir))
	if r := v.VerifyPackage(context.Background(), p); r.Status != StatusMissing || r.Cached || reg.hitCount(uri) != 1 {
		t.Fatalf("first run: %s cached=%v, %d requests", r.Status, r.Cached, reg.hitCount(uri))
	}
	v2 := newTestVerifier(t, reg.URL, WithResultCache(dir))
	if r := v2.VerifyPackage(context.Background(), p); r.Status != StatusMissing || !r.Cached || reg.hitCount(uri) != 1 {
		t.Fatalf("second run: %s cached=%v, %d requests", r.Status, r.Cached, reg.hitCount(uri))
	}
	// Another registry is asked itself.
	other := newTestRegistry(t)
	v3 := newTestVerifier(t, other.URL, WithResultCache(dir))
	if r := v3.VerifyPackage(context.Background(), p); r.Cached || other.hitCount(uri) != 1 {
		t.Fatalf("other registry: cached=%v, %d requests", r.Cached, other.hitCount(uri))
	}
	// An expired entry is asked again.
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		path := filepath.Join(dir, e.Name())
		b, _ := os.ReadFile(path)
		var ce cacheEntry
		if json.Unmarshal(b, &ce) != nil || ce.Result.Status != StatusMissing {
			t.Fatalf("cache entry %s: %s", e.Name(), b)
		}
		ce.Expires = time.Now().Add(-time.Minute)
		b, _ = json.Marshal(ce)
		os.WriteFile(path, b, 0o600)
	}
	v4 := newTestVerifier(t, reg.URL, WithResultCache(dir))
	if r := v4.VerifyPackage(context.Background(), p); r.Cached || reg.hitCount(uri) != 2 {
		t.Fatalf("expired entry: cached=%v, %d requests", r.Cached, reg.hitCount(uri))
	}
	// A failed request is never kept.
	fail := newTestRegistry(t)
	fail.handle(uri, func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) })
	v5 := newTestVerifier(t, fail.URL, WithResultCache(t.TempDir()))
	if r := v5.VerifyPackage(context.Background(), p); r.Status == StatusMissing {
		t.Fatalf("a 403 read as missing: %s", r.Reason)
	}
}
