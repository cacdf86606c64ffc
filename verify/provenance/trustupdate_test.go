package provenance

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// tufRepo is a local TUF repository signed with a key made here: the
// public-good TUF root's keys cannot sign new metadata, so the update's
// whole path (root → timestamp → snapshot → targets → target) is tested
// against this repository, started from its own root.
type tufRepo struct {
	srv   *httptest.Server
	root  []byte
	files map[string][]byte
}

func newTUFRepo(t *testing.T, targets map[string][]byte) *tufRepo {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := signature.LoadED25519Signer(priv)
	if err != nil {
		t.Fatal(err)
	}
	key, err := metadata.KeyFromPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(24 * time.Hour)
	root := metadata.Root(exp)
	for _, role := range []string{metadata.ROOT, metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP} {
		if err := root.Signed.AddKey(key, role); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string][]byte{}
	tg := metadata.Targets(exp)
	for name, data := range targets {
		tf, err := metadata.TargetFile().FromBytes(name, data, "sha256")
		if err != nil {
			t.Fatal(err)
		}
		tg.Signed.Targets[name] = tf
		sum := sha256.Sum256(data)
		dir, base := filepath.Split(name)
		files["/targets/"+dir+hex.EncodeToString(sum[:])+"."+base] = data
	}
	sn := metadata.Snapshot(exp)
	sn.Signed.Meta["targets.json"] = metadata.MetaFile(1)
	ts := metadata.Timestamp(exp)
	ts.Signed.Meta["snapshot.json"] = metadata.MetaFile(1)
	sign := func(name string, m interface {
		Sign(signature.Signer) (*metadata.Signature, error)
		ToBytes(bool) ([]byte, error)
	}) []byte {
		if _, err := m.Sign(signer); err != nil {
			t.Fatal(err)
		}
		b, err := m.ToBytes(false)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
		return b
	}
	r := &tufRepo{files: files}
	r.root = sign("/1.root.json", root)
	sign("/1.targets.json", tg)
	sign("/1.snapshot.json", sn)
	sign("/timestamp.json", ts)
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, ok := r.files[req.URL.Path]
		if !ok {
			http.NotFound(w, req)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func TestUpdateTrustFromLocalTUF(t *testing.T) {
	rootJSON := corpusRead(t, "trust/trusted_root.json")
	keys := corpusRead(t, "trust/npm-registry-keys.tuf.json")
	repo := newTUFRepo(t, map[string][]byte{
		"trusted_root.json":              rootJSON,
		"npm-registry.invalid/keys.json": keys,
	})
	dir := t.TempDir()
	tr, err := UpdateTrust(context.Background(), UpdateOptions{
		Dir: dir, MirrorURL: repo.srv.URL, Root: repo.root, Timeout: 10 * time.Second,
		NPMRegistry: "https://npm-registry.invalid/",
	})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(tr.AsOf) > time.Minute {
		t.Errorf("AsOf %v", tr.AsOf)
	}
	for _, f := range []string{TrustedRootFile, NPMKeysFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	// The cached root is what a verifier with WithTrustDir uses.
	reg := newTestRegistry(t)
	reg.serve(sigstore100URI, corpusRead(t, "npm-attestations/npm-cli/sigstore@1.0.0.attestations.json"))
	v, err := New(WithNPMRegistry(reg.URL), WithTrustDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(v.Trust().Source, "cache:") {
		t.Errorf("source %s", v.Trust().Source)
	}
	r := v.VerifyPackage(context.Background(), npmPkg("sigstore", "1.0.0", corpusSHA512(t, "npm-attestations/artifacts/sigstore-1.0.0.tgz")))
	if r.Status != StatusVerified {
		t.Errorf("%s (%s)", r.Status, r.Reason)
	}

	// A target whose bytes do not match the signed targets metadata is
	// refused, and the previous root stays.
	before, _ := os.ReadFile(filepath.Join(dir, TrustedRootFile))
	for p := range repo.files {
		if strings.HasSuffix(p, ".trusted_root.json") {
			repo.files[p] = append([]byte(" "), rootJSON...)
		}
	}
	os.RemoveAll(filepath.Join(dir, "tuf"))
	if _, err := UpdateTrust(context.Background(), UpdateOptions{Dir: dir, MirrorURL: repo.srv.URL, Root: repo.root, Timeout: 10 * time.Second}); err == nil {
		t.Error("tampered target accepted")
	} else {
		t.Logf("tampered target: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, TrustedRootFile))
	if string(before) != string(after) {
		t.Error("trusted root changed by a failed update")
	}
}

func TestUpdateTrustUnreachable(t *testing.T) {
	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	start := time.Now()
	_, err = UpdateTrust(context.Background(), UpdateOptions{Dir: t.TempDir(), MirrorURL: "http://" + addr, Timeout: 5 * time.Second})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("err %v after %v", err, time.Since(start))
	}
	t.Logf("%v", err)
}

func TestUpdateTrustTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		select {
		case <-release:
		case <-req.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	dir := t.TempDir()
	start := time.Now()
	_, err := UpdateTrust(context.Background(), UpdateOptions{Dir: dir, MirrorURL: srv.URL, Timeout: 300 * time.Millisecond})
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
	if !strings.Contains(err.Error(), "deadline") {
		t.Errorf("error does not say it timed out: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, TrustedRootFile)); !os.IsNotExist(err) {
		t.Errorf("a trusted root was written: %v", err)
	}
}

// LoadTrust: an explicit file wins over the cache, the cache over the
// embedded material; a broken cached root is an error, not a silent
// fallback.
func TestLoadTrust(t *testing.T) {
	tr, err := LoadTrust(TrustOptions{})
	if err != nil || tr.Source != "embedded" {
		t.Fatalf("%v %v", tr, err)
	}
	if !tr.AsOf.Equal(time.Date(2025, 9, 23, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("embedded AsOf %v", tr.AsOf)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, TrustedRootFile), corpusRead(t, "trust/staging/trusted_root.staging.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	tr, err = LoadTrust(TrustOptions{Dir: dir})
	if err != nil || !strings.HasPrefix(tr.Source, "cache:") {
		t.Fatalf("cache: %v %v", tr, err)
	}
	file := filepath.Join(corpusDir(t), "trust", "trusted_root.json")
	tr, err = LoadTrust(TrustOptions{Dir: dir, TrustedRootFile: file})
	if err != nil || tr.Source != "file:"+file {
		t.Fatalf("file: %v %v", tr, err)
	}
	os.WriteFile(filepath.Join(dir, TrustedRootFile), []byte("{"), 0o644)
	if _, err := LoadTrust(TrustOptions{Dir: dir}); err == nil {
		t.Error("broken cached root accepted")
	}
	// --trusted-root with another instance's root: public-good npm
	// attestations are then rejected as signed by an unknown instance.
	v, err := New(WithNPMRegistry("https://npm-registry.invalid"), WithTrustedRootFile(filepath.Join(corpusDir(t), "trust", "staging", "trusted_root.staging.json")))
	if err != nil {
		t.Fatal(err)
	}
	r := v.Trust().VerifyNPMAttestations("sigstore", "1.0.0", corpusSHA512(t, "npm-attestations/artifacts/sigstore-1.0.0.tgz"), corpusRead(t, "npm-attestations/npm-cli/sigstore@1.0.0.attestations.json"))
	if r.Status != StatusInvalid || !strings.Contains(r.Reason, "untrusted signer") {
		t.Errorf("%s (%s)", r.Status, r.Reason)
	}
}
