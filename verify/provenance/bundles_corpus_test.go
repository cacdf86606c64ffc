package provenance

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/bundle"
)

// TestCorpusLooseBundles decides the corpus bundles that are not registry
// answers, as EXPECTED-VERIFY.md does: against the embedded public-good
// trust material, with the artifact's digest where the corpus has the
// artifact and the bundle's own digest otherwise.
func TestCorpusLooseBundles(t *testing.T) {
	tr := defaultTrust(t)
	sigstore100 := corpusSHA512(t, "npm-attestations/artifacts/sigstore-1.0.0.tgz")
	cases := []struct {
		file   string
		digest []byte // nil: the bundle's own
		purl   string // checked when set
		ok     bool
		reason string
	}{
		{"npm-attestations/sigstore-go/sigstore@1.3.0.npm-publish.sigstore.json", corpusSHA512(t, "npm-attestations/artifacts/sigstore-1.3.0.tgz"), "pkg:npm/sigstore@1.3.0", true, ""},
		{"npm-attestations/sigstore-go/sigstore@1.3.0.slsa-v0.2-provenance.sigstore.json", corpusSHA512(t, "npm-attestations/artifacts/sigstore-1.3.0.tgz"), "pkg:npm/sigstore@1.3.0", true, ""},
		{"npm-attestations/sigstore-go/sigstore@2.0.0.slsa-v1-provenance.sigstore.json", corpusSHA512(t, "npm-attestations/artifacts/sigstore-2.0.0.tgz"), "pkg:npm/sigstore@2.0.0", true, ""},
		{"sigstore-bundles/sigstore-js/bundleV01-dsse-no-proof.sigstore", sigstore100, "pkg:npm/sigstore@1.0.0", true, ""},
		{"sigstore-bundles/sigstore-js/bundleV01-dsse-with-proof.sigstore", sigstore100, "pkg:npm/sigstore@1.0.0", true, ""},
		{"sigstore-bundles/sigstore-js/bundleV01-full-cert-chain.sigstore", sigstore100, "pkg:npm/sigstore@1.0.0", true, ""},
		{"sigstore-bundles/sigstore-js/bundleV01-intoto-no-proof.sigstore", sigstore100, "pkg:npm/sigstore@1.0.0", true, ""},
		{"sigstore-bundles/sigstore-js/bundleV01-intoto-with-proof.sigstore", sigstore100, "pkg:npm/sigstore@1.0.0", true, ""},
		{"sigstore-bundles/sigstore-js/bundleV02-dsse.sigstore", sigstore100, "pkg:npm/sigstore@1.0.0", true, ""},
		{"sigstore-bundles/sigstore-js/bundleV02-intoto.sigstore", sigstore100, "pkg:npm/sigstore@1.0.0", true, ""},
		{"sigstore-bundles/sigstore-js/bundleV03-dsse.sigstore", sigstore100, "pkg:npm/sigstore@1.0.0", true, ""},
		{"sigstore-bundles/sigstore-js/bundleV03-intoto.sigstore", sigstore100, "pkg:npm/sigstore@1.0.0", true, ""},
		// The sigstore-js bundles bind sigstore@1.0.0; any other digest is rejected.
		{"sigstore-bundles/sigstore-js/bundleV03-dsse.sigstore", corpusSHA512(t, "npm-attestations/artifacts/sigstore-1.3.0.tgz"), "", false, "subject digest"},
		{"sigstore-bundles/sigstore-go/dsse.sigstore.json", nil, "", true, ""},
		{"sigstore-bundles/sigstore-go/dsse-2sigs.sigstore.json", nil, "", false, "exactly one signature is required"},
		{"sigstore-bundles/sigstore-go/othername.sigstore.json", nil, "", false, "not enough verified log entries"},
		// A public-key bundle whose key hint no trust material here holds.
		{"sigstore-bundles/sigstore-go/public-key-validity.sigstore.json", nil, "", false, `registry key "IpekKjxVkmTfB4YqY8q5sGEAeVtF9x3m7jHdhAxpgjQ="`},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			var b bundle.Bundle
			if err := b.UnmarshalJSON(corpusRead(t, c.file)); err != nil {
				t.Fatal(err)
			}
			e := expectation{digestAlg: "sha512", digest: c.digest}
			if c.digest == nil {
				e.digestAlg, e.digest = ownDigest(t, &b)
			}
			if c.purl != "" {
				e.subjectName = func(n string) error {
					if n != c.purl {
						t.Errorf("subject %q, want %q", n, c.purl)
					}
					return nil
				}
			}
			o := tr.verifyBundle(&b, e)
			if o.Verified != c.ok || !strings.Contains(o.Err, c.reason) {
				t.Errorf("verified=%v (%s), want %v containing %q", o.Verified, o.Err, c.ok, c.reason)
			}
		})
	}
}

// ownDigest is the digest a bundle claims: its message digest or its
// statement's first subject's.
func ownDigest(t *testing.T, b *bundle.Bundle) (string, []byte) {
	if ms := b.GetMessageSignature(); ms != nil {
		return "sha256", ms.GetMessageDigest().GetDigest()
	}
	env, err := b.Envelope()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := base64.StdEncoding.DecodeString(env.Payload)
	var s statement
	if err := json.Unmarshal(p, &s); err != nil || len(s.Subject) == 0 {
		t.Fatalf("statement: %v", err)
	}
	for alg, d := range s.Subject[0].Digest {
		return alg, mustHex(t, d)
	}
	return "", nil
}

// The libnpmpublish fixtures predate the bundle format's
// verificationMaterial ("verificationData"), or are not JSON: they do not
// decode, and an answer carrying them is invalid (EXPECTED-VERIFY.md: ERR).
func TestCorpusLibnpmpublishBundles(t *testing.T) {
	tr := defaultTrust(t)
	digest := corpusSHA512(t, "npm-attestations/npm-cli/libnpmpublish/npmcli-libnpmpublish-test-1.0.0.tgz")
	for _, f := range []string{"bad-bundle.json", "bad-dsse-payload-bundle.json", "digest-mismatch-provenance-bundle.json",
		"invalid-signature-bundle.json", "multi-subject-provenance-bundle.json", "no-provenance-envelope-bundle.json",
		"no-provenance-subject-bundle.json", "valid-bundle.json"} {
		t.Run(f, func(t *testing.T) {
			raw := corpusRead(t, "npm-attestations/npm-cli/libnpmpublish/"+f)
			ans, _ := json.Marshal(map[string]any{"attestations": []map[string]any{{"predicateType": predicateSLSAv02, "bundle": json.RawMessage(raw)}}})
			if !json.Valid(raw) {
				ans = []byte(`{"attestations":[{"predicateType":"` + predicateSLSAv02 + `","bundle":` + string(raw) + `}]}`)
			}
			r := tr.VerifyNPMAttestations("@npmcli/libnpmpublish-test", "1.0.0", digest, ans)
			if r.Status != StatusInvalid {
				t.Errorf("status %s (%s), want invalid", r.Status, r.Reason)
			}
			t.Logf("%s: %s", r.Status, r.Reason)
		})
	}
}
