package provenance

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sigstore/sigstore/pkg/signature"
)

// RegistrySignature is one entry of a packument version's dist.signatures.
type RegistrySignature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"`
}

// SignatureCheck is the outcome of checking a version's registry signatures.
type SignatureCheck struct {
	// Status is verified, missing (the registry lists none), invalid (a
	// signature does not verify, or its key had expired when the version
	// was published) or unverifiable (signed by a key the key set does not
	// hold, and the key set is not the registry's live one).
	Status Status `json:"status"`
	KeyID  string `json:"keyId,omitempty"`
	Reason string `json:"reason,omitempty"`
	Advice string `json:"advice,omitempty"`
	// KeySource says where the keys came from.
	KeySource string `json:"keySource,omitempty"`
}

// KeySet is a set of npm registry keys and where they came from.
type KeySet struct {
	Keys []NPMKey
	// Source: "registry" for <registry>/-/npm/v1/keys, "embedded" or
	// "trust" otherwise.
	Source string
	// Live: the keys are the registry's own current answer; a key id it
	// does not list is then invalid rather than unverifiable.
	Live bool
}

// NPMKeysURL is where a registry serves its signing keys.
func NPMKeysURL(registry string) string {
	return strings.TrimRight(registry, "/") + "/-/npm/v1/keys"
}

// fetchNPMKeys fetches a registry's keys; when the registry answers 404
// (registries that do not sign, mirrors that strip the endpoint) it falls
// back to the keys in the trust material, whose validity windows still
// apply.
func fetchNPMKeys(ctx context.Context, f *fetcher, registry string, fallback []NPMKey) (KeySet, error) {
	body, err := f.get(ctx, NPMKeysURL(registry), "application/json", 1<<20)
	if errors.Is(err, ErrNotFound) {
		return KeySet{Keys: fallback, Source: "embedded (the registry's keys endpoint answered 404)"}, nil
	}
	if err != nil {
		return KeySet{Keys: fallback, Source: "embedded (the registry's keys endpoint failed)"}, err
	}
	keys, err := ParseNPMKeys(body)
	if err != nil {
		return KeySet{Keys: fallback, Source: "embedded (the registry's keys answer is unusable)"}, fmt.Errorf("%s: %w", NPMKeysURL(registry), err)
	}
	return KeySet{Keys: keys, Source: "registry", Live: true}, nil
}

// VerifyRegistrySignatures checks a version's dist.signatures: ECDSA P-256
// SHA-256 over "<name>@<version>:<integrity>", integrity being the SRI
// string as the registry states it ("sha512-<base64>"). Every signature
// must verify with a key valid when the version was published; published
// may be zero when unknown, and expiry is then not checked.
func VerifyRegistrySignatures(ks KeySet, name, version, integrity string, sigs []RegistrySignature, published time.Time) SignatureCheck {
	c := SignatureCheck{KeySource: ks.Source}
	if len(sigs) == 0 {
		c.Status = StatusMissing
		c.Reason = "the registry lists no signatures for this version"
		return c
	}
	msg := []byte(name + "@" + version + ":" + integrity)
	for _, s := range sigs {
		c.KeyID = s.KeyID
		var key *NPMKey
		for i, k := range ks.Keys {
			if k.KeyID == s.KeyID && (k.Usage == UsageNPMSignatures || k.Usage == "") {
				key = &ks.Keys[i]
				break
			}
		}
		if key == nil {
			if ks.Live {
				c.Status = StatusInvalid
				c.Reason = fmt.Sprintf("signed with key %q, which the registry does not list", s.KeyID)
			} else {
				c.Status = StatusUnverifiable
				c.Reason = fmt.Sprintf("signed with key %q, which the key set (%s) does not hold", s.KeyID, ks.Source)
				c.Advice = "refresh the trust material (guard trust update) or let guard reach the registry's keys endpoint"
			}
			return c
		}
		if !published.IsZero() && !key.ValidAt(published) {
			c.Status = StatusInvalid
			c.Reason = fmt.Sprintf("key %q is valid %s, but the version was published %s", s.KeyID, window(*key), published.UTC().Format(time.RFC3339))
			return c
		}
		sig, err := base64.StdEncoding.DecodeString(s.Sig)
		if err != nil {
			c.Status = StatusInvalid
			c.Reason = fmt.Sprintf("signature by %q is not base64: %v", s.KeyID, err)
			return c
		}
		v, err := signature.LoadECDSAVerifier(key.Key, crypto.SHA256)
		if err == nil {
			err = v.VerifySignature(bytes.NewReader(sig), bytes.NewReader(msg))
		}
		if err != nil {
			c.Status = StatusInvalid
			c.Reason = fmt.Sprintf("signature by %q does not verify over %q: %v", s.KeyID, msg, err)
			return c
		}
	}
	c.Status = StatusVerified
	c.Reason = fmt.Sprintf("%d registry signature(s) verify over %q", len(sigs), msg)
	return c
}

func window(k NPMKey) string {
	f := func(t time.Time, open string) string {
		if t.IsZero() {
			return open
		}
		return t.UTC().Format(time.RFC3339)
	}
	return "from " + f(k.Start, "the beginning") + " to " + f(k.End, "no end")
}
