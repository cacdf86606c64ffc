package provenance

import (
	"strings"
	"testing"
	"time"
)

// A publish attestation signed by a registry key the trust material does
// not hold is unverifiable when it is newer than the material (a key the
// registry rotated to later), and invalid when it is not.
func TestUnknownRegistryKey(t *testing.T) {
	answer := corpusRead(t, "npm-attestations/npm-cli/sigstore@1.0.0.attestations.json")
	sha := corpusSHA512(t, "npm-attestations/artifacts/sigstore-1.0.0.tgz")
	// Trust material holding only the newer key (SHA256:DhQ8...).
	keys := `{"keys":[{"keyid":"SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U","key":"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEY6Ya7W++7aUPzvMTrezH6Ycx3c+HOKYCcNGybJZSCJq/fd7Qa8uuAKtdIkUQtQiEKERhAmE5lMMJhP8OkDOa2g=="}]}`
	for _, c := range []struct {
		asOf time.Time
		want Status
	}{
		{time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), StatusUnverifiable}, // material older than the 2023 signature
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), StatusInvalid},
	} {
		tr, err := NewTrust(embeddedTrustedRoot, []byte(keys), "test", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		tr.AsOf = c.asOf
		r := tr.VerifyNPMAttestations("sigstore", "1.0.0", sha, answer)
		if r.Status != c.want || !strings.Contains(r.Reason, `registry key "SHA256:jl3bw`) {
			t.Errorf("as of %v: %s (%s)", c.asOf, r.Status, r.Reason)
		}
		if c.want == StatusUnverifiable && !strings.Contains(r.Advice, "guard trust update") {
			t.Errorf("advice %q", r.Advice)
		}
	}
}
