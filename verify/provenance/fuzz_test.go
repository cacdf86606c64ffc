package provenance

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/installguard/guard/lockfile/corpustest"
)

// corpusSeed reads a corpus file for a fuzz seed, nil when the corpus is absent.
func corpusSeed(rel string) []byte {
	dir, _ := corpustest.Root()
	b, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	return b
}

var fuzzStatuses = map[Status]bool{StatusVerified: true, StatusMissing: true, StatusInvalid: true, StatusUnverifiable: true}

// FuzzNPMAttestations feeds arbitrary registry answers through the decoder
// and the whole verification path: it must never panic, and a verified
// result must rest on verified build provenance.
func FuzzNPMAttestations(f *testing.F) {
	for _, s := range []string{
		"npm-attestations/npm-cli/sigstore@1.0.0.attestations.json",
		"npm-attestations/pacote/sigstore@0.4.0.unsupported-attestations.json",
	} {
		if b := corpusSeed(s); b != nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"attestations":[{"predicateType":"x","bundle":{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}}]}`))
	f.Add([]byte(`{"attestations":[]}`))
	f.Add([]byte(`{"attestations":[{"bundle":null}]}`))
	tr, err := DefaultTrust()
	if err != nil {
		f.Fatal(err)
	}
	sha := make([]byte, 64)
	if b := corpusSeed("npm-attestations/artifacts/sigstore-1.0.0.tgz"); b != nil {
		sha = corpusSHA512(f, "npm-attestations/artifacts/sigstore-1.0.0.tgz")
	}
	f.Fuzz(func(t *testing.T, answer []byte) {
		r := tr.VerifyNPMAttestations("sigstore", "1.0.0", sha, answer)
		if !fuzzStatuses[r.Status] {
			t.Fatalf("status %q", r.Status)
		}
		if r.Status == StatusVerified {
			ok := false
			for _, a := range r.Attestations {
				if !a.Verified {
					t.Fatalf("verified with a failed attestation: %+v", a)
				}
				ok = ok || (isNPMProvenance(a.PredicateType) && a.Publisher != nil)
			}
			if !ok || r.Publisher == nil {
				t.Fatalf("verified without build provenance: %+v", r)
			}
		}
		if r.Status == StatusInvalid && r.Reason == "" {
			t.Fatal("invalid without a reason")
		}
	})
}

// FuzzPEP740 feeds arbitrary provenance objects through the PEP 740
// decoder, the conversion to a Sigstore bundle and verification.
func FuzzPEP740(f *testing.F) {
	for _, s := range []string{
		"pypi-attestations/pypi-attestations/pypi_attestations-0.0.19.tar.gz.provenance",
		"pypi-attestations/warehouse/sampleproject-4.0.0.tar.gz.provenance",
	} {
		if b := corpusSeed(s); b != nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"version":1,"attestation_bundles":[{"publisher":{"kind":"GitHub"},"attestations":[{"version":1,"verification_material":{"certificate":"AA==","transparency_entries":[{}]},"envelope":{"statement":"e30=","signature":"AA=="}}]}]}`))
	tr, err := DefaultTrust()
	if err != nil {
		f.Fatal(err)
	}
	sha := make([]byte, 32)
	if b := corpusSeed("pypi-attestations/pypi-attestations/pypi_attestations-0.0.19.tar.gz"); b != nil {
		sha = corpusSHA256(f, "pypi-attestations/pypi-attestations/pypi_attestations-0.0.19.tar.gz")
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, a := range tr.VerifyPyPIProvenance("pypi_attestations-0.0.19.tar.gz", sha, raw) {
			if a.Verified && (a.Err != "" || a.Publisher == nil) {
				t.Fatalf("verified attestation without identity: %+v", a)
			}
			if !a.Verified && a.Err == "" {
				t.Fatalf("failed attestation without a reason: %+v", a)
			}
		}
	})
}
