package provenance

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	_ "embed"

	"github.com/installguard/guard/lockfile/regfile"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"github.com/sigstore/sigstore/pkg/signature"
	"golang.org/x/crypto/ssh"
)

// embeddedTrustedRoot is the Sigstore public-good TrustedRoot: the TUF
// target trusted_root.json of github.com/sigstore/root-signing at commit
// 60cf2ce8b2e45d600dc17c4421e8c751e75772be (Apache-2.0). Refresh it with
// UpdateTrust (TUF) or override it with a file.
//
//go:embed trust/trusted_root.json
var embeddedTrustedRoot []byte

// embeddedNPMKeys are the npm registry's public keys as Sigstore publishes
// them through TUF: the target "<npm registry host>/keys.json" of
// github.com/sigstore/root-signing at commit
// 60cf2ce8b2e45d600dc17c4421e8c751e75772be (Apache-2.0). Two keys; the
// first (SHA256:jl3bw...) expired 2025-01-29.
//
//go:embed trust/npm-keys.json
var embeddedNPMKeys []byte

// Key usages in the TUF keys target.
const (
	UsageNPMAttestations = "npm:attestations"
	UsageNPMSignatures   = "npm:signatures"
)

// NPMKey is one npm registry public key.
type NPMKey struct {
	// KeyID is npm's key id: the OpenSSH-style "SHA256:" fingerprint.
	KeyID string
	// Usage is UsageNPMAttestations, UsageNPMSignatures, or "" when the
	// source does not say (the registry's /-/npm/v1/keys answer): then the
	// key serves both.
	Usage string
	Key   *ecdsa.PublicKey
	// Start and End bound the key's validity; zero means unbounded.
	Start, End time.Time
}

// ValidAt reports whether t lies in the key's validity window.
func (k NPMKey) ValidAt(t time.Time) bool {
	if !k.Start.IsZero() && t.Before(k.Start) {
		return false
	}
	if !k.End.IsZero() && t.After(k.End) {
		return false
	}
	return true
}

// Trust is the trusted material provenance is verified against: a Sigstore
// TrustedRoot and the npm registry keys for publish attestations.
type Trust struct {
	// Source says where the material came from: "embedded", "file:<path>",
	// "cache:<path>".
	Source string
	// AsOf is the newest moment the material is known to describe: the
	// latest validity start of any key, CA or log in it, or the time a
	// TUF update fetched it. A bundle whose signer the material does not
	// know and whose log time is later than AsOf may be signed by newer
	// infrastructure: it is unverifiable, not invalid.
	AsOf time.Time

	material    root.TrustedMaterial
	npmKeys     []NPMKey
	fingerprint string
	anchored    root.TrustedMaterial // material with anchored Fulcio CAs (chain.go)
	certV       *verify.Verifier     // Fulcio certificate bundles
	keyV        *verify.Verifier     // public-key bundles
}

// DefaultTrust returns the embedded public-good trusted root and npm keys.
func DefaultTrust() (*Trust, error) {
	return NewTrust(embeddedTrustedRoot, embeddedNPMKeys, "embedded", time.Time{})
}

// NewTrust builds trusted material from a TrustedRoot JSON document and an
// npm keys document (either the TUF keys.json shape or the registry's
// /-/npm/v1/keys shape; nil for none). asOf may be zero: it is then
// derived from the validity windows in the material.
func NewTrust(trustedRootJSON, npmKeysJSON []byte, source string, asOf time.Time) (*Trust, error) {
	tr, err := root.NewTrustedRootFromJSON(trustedRootJSON)
	if err != nil {
		return nil, fmt.Errorf("trusted root: %w", err)
	}
	var keys []NPMKey
	if len(npmKeysJSON) > 0 {
		if keys, err = ParseNPMKeys(npmKeysJSON); err != nil {
			return nil, fmt.Errorf("npm keys: %w", err)
		}
	}
	h := sha256.New()
	h.Write(trustedRootJSON)
	h.Write([]byte{0})
	h.Write(npmKeysJSON)
	latest := latestStart(tr, keys)
	if asOf.Before(latest) {
		asOf = latest
	}
	tm := root.TrustedMaterialCollection{tr, npmKeyMaterial(keys, UsageNPMAttestations)}
	return newTrust(tm, keys, source, asOf, hex.EncodeToString(h.Sum(nil)))
}

// newTrust wraps trusted material; keys are the npm keys it holds.
func newTrust(tm root.TrustedMaterial, keys []NPMKey, source string, asOf time.Time, fingerprint string) (*Trust, error) {
	t := &Trust{Source: source, AsOf: asOf, npmKeys: keys, fingerprint: fingerprint, material: tm}
	var err error
	// The verifiers share the Fulcio chain work across bundles (chain.go).
	anchored := withAnchoredCAs(t.material)
	t.anchored = anchored
	// sigstore-go's public-good defaults: an SCT in the certificate, a
	// transparency log entry and an observer timestamp (the log's
	// integrated time or an RFC 3161 timestamp).
	if t.certV, err = verify.NewVerifier(anchored,
		verify.WithSignedCertificateTimestamps(1),
		verify.WithTransparencyLog(1),
		verify.WithObserverTimestamps(1),
		verify.WithoutStatementPredicate()); err != nil {
		return nil, err
	}
	// Registry-key bundles carry no certificate and so no SCT; the key's
	// validity window is checked against the verified log time.
	if t.keyV, err = verify.NewVerifier(anchored,
		verify.WithTransparencyLog(1),
		verify.WithObserverTimestamps(1),
		verify.WithoutStatementPredicate()); err != nil {
		return nil, err
	}
	return t, nil
}

// NPMKeys returns the npm registry keys in the material.
func (t *Trust) NPMKeys() []NPMKey { return append([]NPMKey(nil), t.npmKeys...) }

// Fingerprint identifies the material; results verified under different
// material are cached apart.
func (t *Trust) Fingerprint() string { return t.fingerprint }

func (t *Trust) npmKey(keyID, usage string) (NPMKey, bool) {
	for _, k := range t.npmKeys {
		if k.KeyID == keyID && (k.Usage == usage || k.Usage == "") {
			return k, true
		}
	}
	return NPMKey{}, false
}

// npmKeyMaterial exposes npm keys of one usage to sigstore-go, selected by
// the bundle's publicKey hint (the key id).
func npmKeyMaterial(keys []NPMKey, usage string) root.TrustedMaterial {
	m := map[string]*root.ExpiringKey{}
	for _, k := range keys {
		if k.Usage != usage && k.Usage != "" {
			continue
		}
		v, err := signature.LoadECDSAVerifier(k.Key, crypto.SHA256)
		if err != nil {
			continue
		}
		m[k.KeyID] = root.NewExpiringKey(v, k.Start, k.End)
	}
	return root.NewTrustedPublicKeyMaterialFromMapping(m)
}

func latestStart(tr *root.TrustedRoot, keys []NPMKey) time.Time {
	var t time.Time
	later := func(s time.Time) {
		if s.After(t) {
			t = s
		}
	}
	for _, l := range tr.RekorLogs() {
		later(l.ValidityPeriodStart)
	}
	for _, l := range tr.CTLogs() {
		later(l.ValidityPeriodStart)
	}
	for _, ca := range tr.FulcioCertificateAuthorities() {
		if f, ok := ca.(*root.FulcioCertificateAuthority); ok {
			later(f.ValidityPeriodStart)
		}
	}
	for _, ts := range tr.TimestampingAuthorities() {
		if s, ok := ts.(*root.SigstoreTimestampingAuthority); ok {
			later(s.ValidityPeriodStart)
		}
	}
	for _, k := range keys {
		later(k.Start)
	}
	return t
}

// ParseNPMKeys reads npm registry keys from either the Sigstore TUF target
// ({"keys":[{"keyId","keyUsage","publicKey":{"rawBytes","validFor"}}]}) or
// the registry's /-/npm/v1/keys answer ({"keys":[{"keyid","key","expires"}]}).
// Each key's id must be its OpenSSH-style SHA256 fingerprint.
func ParseNPMKeys(data []byte) ([]NPMKey, error) {
	var doc struct {
		Keys []struct {
			// TUF shape
			KeyIDTUF  string `json:"keyId"`
			KeyUsage  string `json:"keyUsage"`
			PublicKey *struct {
				RawBytes string `json:"rawBytes"`
				ValidFor struct {
					Start *time.Time `json:"start"`
					End   *time.Time `json:"end"`
				} `json:"validFor"`
			} `json:"publicKey"`
			// registry shape
			KeyID   string     `json:"keyid"`
			Key     string     `json:"key"`
			Expires *time.Time `json:"expires"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	var out []NPMKey
	for i, k := range doc.Keys {
		var nk NPMKey
		var raw string
		switch {
		case k.PublicKey != nil:
			nk.KeyID, nk.Usage, raw = k.KeyIDTUF, k.KeyUsage, k.PublicKey.RawBytes
			if s := k.PublicKey.ValidFor.Start; s != nil {
				nk.Start = *s
			}
			if e := k.PublicKey.ValidFor.End; e != nil {
				nk.End = *e
			}
		default:
			nk.KeyID, raw = k.KeyID, k.Key
			if k.Expires != nil {
				nk.End = *k.Expires
			}
		}
		der, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			return nil, fmt.Errorf("key %d (%s): %w", i, nk.KeyID, err)
		}
		pub, err := x509.ParsePKIXPublicKey(der)
		if err != nil {
			return nil, fmt.Errorf("key %d (%s): %w", i, nk.KeyID, err)
		}
		ec, ok := pub.(*ecdsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("key %d (%s): not an ECDSA key", i, nk.KeyID)
		}
		fp, err := sshFingerprint(ec)
		if err != nil {
			return nil, fmt.Errorf("key %d (%s): %w", i, nk.KeyID, err)
		}
		if nk.KeyID != fp {
			return nil, fmt.Errorf("key %d: stated key id %q is not the key's fingerprint %s", i, nk.KeyID, fp)
		}
		nk.Key = ec
		out = append(out, nk)
	}
	if len(out) == 0 {
		return nil, errors.New("no keys")
	}
	return out, nil
}

// sshFingerprint is npm's key id: the OpenSSH SHA256 fingerprint.
func sshFingerprint(k *ecdsa.PublicKey) (string, error) {
	pk, err := ssh.NewPublicKey(k)
	if err != nil {
		return "", err
	}
	return ssh.FingerprintSHA256(pk), nil
}

// Files in a trust directory (written by UpdateTrust).
const (
	TrustedRootFile = "trusted_root.json"
	NPMKeysFile     = "npm-keys.json"
)

// TrustOptions says where LoadTrust looks.
type TrustOptions struct {
	// TrustedRootFile, when set, is used instead of anything else
	// (guard's --trusted-root FILE). Its npm keys come from NPMKeysFile or
	// the embedded ones.
	TrustedRootFile string
	// NPMKeysFile optionally overrides the npm keys.
	NPMKeysFile string
	// Dir is the cache directory UpdateTrust writes; when it holds a
	// trusted root, that root is used instead of the embedded one.
	Dir string
}

// trustMaxSize caps a trusted root or npm keys file (real ones are a few
// KiB).
const trustMaxSize = 4 << 20

// LoadTrust loads trusted material: an explicit file, else a root cached by
// UpdateTrust in Dir, else the embedded material.
func LoadTrust(o TrustOptions) (*Trust, error) {
	keys := embeddedNPMKeys
	if o.NPMKeysFile != "" {
		b, err := regfile.Read(o.NPMKeysFile, trustMaxSize)
		if err != nil {
			return nil, err
		}
		keys = b
	}
	if o.TrustedRootFile != "" {
		b, err := regfile.Read(o.TrustedRootFile, trustMaxSize)
		if err != nil {
			return nil, err
		}
		return NewTrust(b, keys, "file:"+o.TrustedRootFile, time.Time{})
	}
	if o.Dir != "" {
		p := filepath.Join(o.Dir, TrustedRootFile)
		b, err := regfile.Read(p, trustMaxSize)
		switch {
		case err == nil:
			var asOf time.Time
			if st, err := os.Stat(p); err == nil {
				asOf = st.ModTime()
			}
			if o.NPMKeysFile == "" {
				if kb, err := regfile.Read(filepath.Join(o.Dir, NPMKeysFile), trustMaxSize); err == nil {
					keys = kb
				}
			}
			t, err := NewTrust(b, keys, "cache:"+p, asOf)
			if err != nil {
				return nil, fmt.Errorf("%s: %w (remove it or run the trust update again)", p, err)
			}
			return t, nil
		case !errors.Is(err, os.ErrNotExist):
			return nil, err
		}
	}
	return NewTrust(embeddedTrustedRoot, keys, "embedded", time.Time{})
}
