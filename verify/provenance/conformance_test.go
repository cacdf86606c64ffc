package provenance

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
)

// TestConformanceBundleVerify runs the sigstore-conformance bundle-verify
// suite through the same verification path as npm and PyPI attestations:
// each case's bundle against its artifact (or a.txt), its identity and
// issuer (or the suite's defaults), its key.pub and its trusted_root.json
// (or the embedded public-good root). Cases named *_fail must not verify.
func TestConformanceBundleVerify(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "sigstore-bundles", "conformance", "bundle-verify")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defaultArtifact, err := os.ReadFile(filepath.Join(dir, "a.txt"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		n++
		name := e.Name()
		t.Run(name, func(t *testing.T) {
			cd := filepath.Join(dir, name)
			read := func(f string) ([]byte, bool) {
				b, err := os.ReadFile(filepath.Join(cd, f))
				return b, err == nil
			}
			artifact, ok := read("artifact")
			if !ok {
				artifact = defaultArtifact
			}
			san := "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
			issuer := "https://token.actions.githubusercontent.com"
			if b, ok := read("identity"); ok {
				san = strings.TrimSpace(string(b))
			}
			if b, ok := read("issuer"); ok {
				issuer = strings.TrimSpace(string(b))
			}
			rootJSON, ok := read("trusted_root.json")
			if !ok {
				rootJSON = embeddedTrustedRoot
			}
			wantFail := strings.HasSuffix(name, "_fail")
			tr, err := conformanceTrust(rootJSON, cd)
			if err != nil {
				if wantFail {
					t.Logf("rejected at trust material: %v", err)
					return
				}
				t.Fatal(err)
			}
			bundleJSON, _ := read("bundle.sigstore.json")
			var b bundle.Bundle
			if err := b.UnmarshalJSON(bundleJSON); err != nil {
				if wantFail {
					t.Logf("rejected: bundle does not decode: %v", err)
					return
				}
				t.Fatalf("bundle does not decode: %v", err)
			}
			id, err := verify.NewShortCertificateIdentity(issuer, "", san, "")
			if err != nil {
				t.Fatal(err)
			}
			digest := sha256.Sum256(artifact)
			o := tr.verifyBundle(&b, expectation{digestAlg: "sha256", digest: digest[:], identity: &id})
			switch {
			case wantFail && o.Verified:
				t.Errorf("verified, want failure")
			case !wantFail && !o.Verified:
				t.Errorf("not verified: %s", o.Err)
			case wantFail:
				t.Logf("rejected (%s): %s", o.status, o.Err)
			}
		})
	}
	if n != 70 {
		t.Errorf("%d cases, want 70", n)
	}
}

// conformanceTrust is a case's trusted root plus, when the case has one,
// its key.pub for any key hint.
func conformanceTrust(rootJSON []byte, caseDir string) (*Trust, error) {
	tr, err := root.NewTrustedRootFromJSON(rootJSON)
	if err != nil {
		return nil, err
	}
	mat := root.TrustedMaterialCollection{tr}
	if pemBytes, err := os.ReadFile(filepath.Join(caseDir, "key.pub")); err == nil {
		pub, err := cryptoutils.UnmarshalPEMToPublicKey(pemBytes)
		if err != nil {
			return nil, err
		}
		v, err := signature.LoadDefaultVerifier(pub)
		if err != nil {
			return nil, err
		}
		mat = append(mat, root.NewTrustedPublicKeyMaterial(func(string) (root.TimeConstrainedVerifier, error) {
			return root.NewExpiringKey(v, time.Time{}, time.Time{}), nil
		}))
	}
	return newTrust(mat, nil, "conformance", time.Now(), "conformance")
}
