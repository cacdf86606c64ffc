package provenance

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// Every corpus dist.signatures entry: the real ones verify with the
// embedded keys, the deliberately bogus one is invalid.
func TestRegistrySignaturesCorpus(t *testing.T) {
	var doc struct {
		Signatures []struct {
			Package, Version, Integrity, Keyid, Sig string
			VerifiedHere                            bool `json:"verified_here"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(corpusRead(t, "npm-attestations/npm-registry-signatures.json"), &doc); err != nil {
		t.Fatal(err)
	}
	ks := KeySet{Keys: defaultTrust(t).NPMKeys(), Source: "embedded"}
	bogus := 0
	for _, s := range doc.Signatures {
		c := VerifyRegistrySignatures(ks, s.Package, s.Version, s.Integrity, []RegistrySignature{{KeyID: s.Keyid, Sig: s.Sig}}, time.Time{})
		want := StatusVerified
		if !s.VerifiedHere {
			want = StatusInvalid
			bogus++
		}
		if c.Status != want {
			t.Errorf("%s@%s: %s (%s), want %s", s.Package, s.Version, c.Status, c.Reason, want)
		}
		if want == StatusVerified {
			// The same signature over another version is invalid.
			c := VerifyRegistrySignatures(ks, s.Package, s.Version+"1", s.Integrity, []RegistrySignature{{KeyID: s.Keyid, Sig: s.Sig}}, time.Time{})
			if c.Status != StatusInvalid || !strings.Contains(c.Reason, "does not verify") {
				t.Errorf("%s@%s1: %s (%s), want invalid", s.Package, s.Version, c.Status, c.Reason)
			}
		}
	}
	// The corpus README speaks of 10 entries; the file holds 11, one bogus.
	if len(doc.Signatures) < 10 || bogus != 1 {
		t.Errorf("%d signatures, %d bogus; want at least 10 and 1", len(doc.Signatures), bogus)
	}
}

func TestRegistrySignaturesExpiryAndKeys(t *testing.T) {
	var doc struct {
		Signatures []struct {
			Package, Version, Integrity, Keyid, Sig string
			VerifiedHere                            bool `json:"verified_here"`
		} `json:"signatures"`
	}
	if err := json.Unmarshal(corpusRead(t, "npm-attestations/npm-registry-signatures.json"), &doc); err != nil {
		t.Fatal(err)
	}
	s := doc.Signatures[0] // signed with SHA256:jl3bw..., which expired 2025-01-29
	if !strings.HasPrefix(s.Keyid, "SHA256:jl3bw") {
		t.Fatalf("first corpus signature uses %s", s.Keyid)
	}
	sigs := []RegistrySignature{{KeyID: s.Keyid, Sig: s.Sig}}
	ks := KeySet{Keys: defaultTrust(t).NPMKeys(), Source: "embedded"}
	if c := VerifyRegistrySignatures(ks, s.Package, s.Version, s.Integrity, sigs, time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)); c.Status != StatusVerified {
		t.Errorf("published 2023: %s (%s)", c.Status, c.Reason)
	}
	c := VerifyRegistrySignatures(ks, s.Package, s.Version, s.Integrity, sigs, time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	if c.Status != StatusInvalid || !strings.Contains(c.Reason, "2025-01-29") {
		t.Errorf("published after expiry: %s (%s), want invalid naming the expiry", c.Status, c.Reason)
	}
	if c := VerifyRegistrySignatures(ks, s.Package, s.Version, s.Integrity, nil, time.Time{}); c.Status != StatusMissing {
		t.Errorf("no signatures: %s", c.Status)
	}
	unknown := []RegistrySignature{{KeyID: "SHA256:doesnotexist", Sig: s.Sig}}
	if c := VerifyRegistrySignatures(ks, s.Package, s.Version, s.Integrity, unknown, time.Time{}); c.Status != StatusUnverifiable || c.Advice == "" {
		t.Errorf("unknown key, embedded set: %s (%s)", c.Status, c.Reason)
	}
	ks.Live = true
	if c := VerifyRegistrySignatures(ks, s.Package, s.Version, s.Integrity, unknown, time.Time{}); c.Status != StatusInvalid {
		t.Errorf("unknown key, live registry set: %s (%s)", c.Status, c.Reason)
	}
}

func TestParseNPMKeys(t *testing.T) {
	tuf, err := ParseNPMKeys(embeddedNPMKeys)
	if err != nil || len(tuf) != 4 {
		t.Fatalf("TUF keys: %d, %v", len(tuf), err)
	}
	reg, err := ParseNPMKeys(corpusRead(t, "trust/npm-v1-keys.reconstructed.json"))
	if err != nil || len(reg) != 2 {
		t.Fatalf("registry keys: %d, %v", len(reg), err)
	}
	if !reg[0].End.Equal(time.Date(2025, 1, 29, 0, 0, 0, 0, time.UTC)) || !reg[1].End.IsZero() {
		t.Errorf("expiry: %v, %v", reg[0].End, reg[1].End)
	}
	// A key id that is not the key's fingerprint is refused.
	bad := strings.Replace(string(corpusRead(t, "trust/npm-v1-keys.reconstructed.json")), "SHA256:jl3bw", "SHA256:xxxxx", 1)
	if _, err := ParseNPMKeys([]byte(bad)); err == nil || !strings.Contains(err.Error(), "fingerprint") {
		t.Errorf("mismatched key id accepted: %v", err)
	}
}
