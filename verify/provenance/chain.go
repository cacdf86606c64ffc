package provenance

// Sharing certificate-chain work across bundles (issue 14).
//
// Every npm build-provenance bundle carries a fresh Fulcio leaf certificate
// issued by the same Fulcio intermediate, itself signed by the same root.
// sigstore-go verifies each leaf with crypto/x509 from scratch: two P-384
// signature checks per bundle (leaf by intermediate, intermediate by root),
// the largest single cost of verifying a package. The second never changes:
// anchoredCA checks each trusted intermediate against its root once, then
// verifies leaves with that intermediate as the trust anchor, adding back
// every check crypto/x509 would have made on the root and the
// intermediate (validity at the observer time, CA-ness, path length,
// extensions, key usage, name and policy constraints). Whenever a
// certificate falls outside what this path reproduces exactly (another
// chain shape, constraints on the root, policy constraints), or the leaf
// does not verify this way, the CA's own Verify decides, so the result is
// never more permissive than sigstore-go's. The once-only check is tied to
// the exact certificates held by the trusted material, not to anything a
// bundle supplies.

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// anchoredMaterial is trusted material whose Fulcio CAs are anchoredCAs.
type anchoredMaterial struct {
	root.TrustedMaterial
	cas []root.CertificateAuthority
}

func (m *anchoredMaterial) FulcioCertificateAuthorities() []root.CertificateAuthority {
	return m.cas
}

// withAnchoredCAs wraps tm's Fulcio certificate authorities.
func withAnchoredCAs(tm root.TrustedMaterial) root.TrustedMaterial {
	cas := tm.FulcioCertificateAuthorities()
	out := make([]root.CertificateAuthority, len(cas))
	wrapped := false
	for i, ca := range cas {
		out[i] = ca
		if f, ok := ca.(*root.FulcioCertificateAuthority); ok && f.Root != nil {
			out[i] = newAnchoredCA(f)
			wrapped = true
		}
	}
	if !wrapped {
		return tm
	}
	return &anchoredMaterial{TrustedMaterial: tm, cas: out}
}

type anchoredCA struct {
	ca      *root.FulcioCertificateAuthority
	rootOK  bool // the root imposes nothing beyond what fast re-checks
	anchors []*anchor
	decided atomic.Int64 // leaves verified by fast (tests)
}

// anchor is one trusted intermediate directly under the root.
type anchor struct {
	cert *x509.Certificate
	pool *x509.CertPool
	once sync.Once
	ok   bool // signed by the root, a CA, nothing fast cannot reproduce
}

func newAnchoredCA(ca *root.FulcioCertificateAuthority) *anchoredCA {
	a := &anchoredCA{ca: ca, rootOK: plainRoot(ca.Root)}
	for _, in := range ca.Intermediates {
		if in == nil || !bytes.Equal(in.RawIssuer, ca.Root.RawSubject) {
			continue
		}
		p := x509.NewCertPool()
		p.AddCert(in)
		a.anchors = append(a.anchors, &anchor{cert: in, pool: p})
	}
	return a
}

// Verify implements root.CertificateAuthority.
func (a *anchoredCA) Verify(cert *x509.Certificate, observerTimestamp time.Time) ([][]*x509.Certificate, error) {
	if chains, ok := a.fast(cert, observerTimestamp); ok {
		return chains, nil
	}
	return a.ca.Verify(cert, observerTimestamp)
}

// fast verifies leaf -> intermediate -> root with the intermediate's
// signature by the root checked once. ok=false: not decided here.
func (a *anchoredCA) fast(cert *x509.Certificate, ts time.Time) ([][]*x509.Certificate, bool) {
	ca := a.ca
	if !a.rootOK || cert == nil || !noPolicyConstraints(cert) {
		return nil, false
	}
	// The CA's validity period, as its Verify checks first.
	if (!ca.ValidityPeriodStart.IsZero() && ts.Before(ca.ValidityPeriodStart)) ||
		(!ca.ValidityPeriodEnd.IsZero() && ts.After(ca.ValidityPeriodEnd)) {
		return nil, false
	}
	// The root's validity at ts (crypto/x509 checks every certificate of
	// the chain, the root included).
	if ts.Before(ca.Root.NotBefore) || ts.After(ca.Root.NotAfter) {
		return nil, false
	}
	for _, an := range a.anchors {
		if !bytes.Equal(cert.RawIssuer, an.cert.RawSubject) || !an.check(ca.Root) {
			continue
		}
		// With the intermediate as anchor crypto/x509 still checks the
		// leaf, the leaf's signature by the intermediate (which must be a
		// CA allowed to sign certificates), the intermediate's validity
		// at ts, its name constraints and extended key usages.
		chains, err := cert.Verify(x509.VerifyOptions{
			CurrentTime: ts,
			Roots:       an.pool,
			KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		})
		if err != nil {
			return nil, false
		}
		for i := range chains {
			chains[i] = append(chains[i], ca.Root)
		}
		a.decided.Add(1)
		return chains, true
	}
	return nil, false
}

// check verifies, once, what crypto/x509 checks of the intermediate as an
// intermediate: the root's signature over it (and that the root may sign
// certificates), that it is a CA, and that it has no extension x509 would
// reject or that the anchored path would not apply.
func (an *anchor) check(rootCert *x509.Certificate) bool {
	an.once.Do(func() {
		in := an.cert
		an.ok = in.BasicConstraintsValid && in.IsCA &&
			len(in.UnhandledCriticalExtensions) == 0 &&
			noPolicyConstraints(in) &&
			in.CheckSignatureFrom(rootCert) == nil
	})
	return an.ok
}

// plainRoot reports whether the root adds no constraint that the anchored
// path would skip: no unhandled critical extension, a path length allowing
// one intermediate, no extended key usage restriction, no name or policy
// constraints.
func plainRoot(c *x509.Certificate) bool {
	if c == nil || len(c.UnhandledCriticalExtensions) > 0 {
		return false
	}
	if c.BasicConstraintsValid && c.MaxPathLen >= 0 && c.MaxPathLen < 1 {
		return false
	}
	if len(c.ExtKeyUsage) > 0 || len(c.UnknownExtKeyUsage) > 0 {
		return false
	}
	for _, e := range c.Extensions {
		if e.Id.Equal(oidNameConstraints) {
			return false
		}
	}
	if c.PermittedDNSDomainsCritical || len(c.PermittedDNSDomains) > 0 || len(c.ExcludedDNSDomains) > 0 ||
		len(c.PermittedIPRanges) > 0 || len(c.ExcludedIPRanges) > 0 ||
		len(c.PermittedEmailAddresses) > 0 || len(c.ExcludedEmailAddresses) > 0 ||
		len(c.PermittedURIDomains) > 0 || len(c.ExcludedURIDomains) > 0 {
		return false
	}
	return noPolicyConstraints(c)
}

var oidNameConstraints = asn1.ObjectIdentifier{2, 5, 29, 30}

// noPolicyConstraints: no policy constraints, inhibit-any-policy or policy
// mappings, so that RFC 5280 policy processing cannot fail whichever
// certificate is the anchor.
func noPolicyConstraints(c *x509.Certificate) bool {
	return c.RequireExplicitPolicy == 0 && !c.RequireExplicitPolicyZero &&
		c.InhibitPolicyMapping == 0 && !c.InhibitPolicyMappingZero &&
		c.InhibitAnyPolicy == 0 && !c.InhibitAnyPolicyZero &&
		len(c.PolicyMappings) == 0
}
