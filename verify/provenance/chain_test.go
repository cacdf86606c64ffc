package provenance

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
)

type testCert struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func makeCert(t *testing.T, tmpl *x509.Certificate, parent *testCert) *testCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p, pk := tmpl, key
	if parent != nil {
		p, pk = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p, &key.PublicKey, pk)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCert{c, key}
}

var serial int64

func caTmpl(cn string, from, to time.Time, maxPath int, zero bool) *x509.Certificate {
	serial++
	return &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn}, NotBefore: from, NotAfter: to,
		IsCA: true, BasicConstraintsValid: true, MaxPathLen: maxPath, MaxPathLenZero: zero, KeyUsage: x509.KeyUsageCertSign}
}

func leafTmpl(from, to time.Time, eku x509.ExtKeyUsage) *x509.Certificate {
	serial++
	return &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "leaf"}, NotBefore: from, NotAfter: to,
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{eku}}
}

// The anchored path decides exactly as sigstore-go's CA does: same
// accept/reject on every case, and it does decide the ordinary case itself.
func TestAnchoredCAMatchesFulcioCA(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	y := 365 * 24 * time.Hour
	rootC := makeCert(t, caTmpl("root", now.Add(-2*y), now.Add(2*y), -1, false), nil)
	inter := makeCert(t, caTmpl("intermediate", now.Add(-y), now.Add(y), 0, true), rootC)
	other := makeCert(t, caTmpl("root", now.Add(-2*y), now.Add(2*y), -1, false), nil) // same name, other key
	forged := makeCert(t, caTmpl("intermediate", now.Add(-y), now.Add(y), 0, true), other)
	pathZeroRoot := makeCert(t, caTmpl("root0", now.Add(-2*y), now.Add(2*y), 0, true), nil)
	interUnder0 := makeCert(t, caTmpl("intermediate0", now.Add(-y), now.Add(y), 0, true), pathZeroRoot)
	shortInter := makeCert(t, caTmpl("short", now.Add(-y), now.Add(-time.Hour), 0, true), rootC)

	leaf := makeCert(t, leafTmpl(now.Add(-time.Minute), now.Add(10*time.Minute), x509.ExtKeyUsageCodeSigning), inter)
	badLeaf := makeCert(t, leafTmpl(now.Add(-time.Minute), now.Add(10*time.Minute), x509.ExtKeyUsageCodeSigning), forged)
	serverLeaf := makeCert(t, leafTmpl(now.Add(-time.Minute), now.Add(10*time.Minute), x509.ExtKeyUsageServerAuth), inter)
	leaf0 := makeCert(t, leafTmpl(now.Add(-time.Minute), now.Add(10*time.Minute), x509.ExtKeyUsageCodeSigning), interUnder0)
	lateLeaf := makeCert(t, leafTmpl(now.Add(-2*time.Hour), now.Add(10*time.Minute), x509.ExtKeyUsageCodeSigning), shortInter)

	ca := func(r *testCert, ins ...*testCert) *root.FulcioCertificateAuthority {
		f := &root.FulcioCertificateAuthority{Root: r.cert}
		for _, in := range ins {
			f.Intermediates = append(f.Intermediates, in.cert)
		}
		return f
	}
	cases := []struct {
		name     string
		ca       *root.FulcioCertificateAuthority
		leaf     *testCert
		ts       time.Time
		ok, fast bool
	}{
		{"ordinary", ca(rootC, inter), leaf, now, true, true},
		{"leaf expired at ts", ca(rootC, inter), leaf, now.Add(time.Hour), false, false},
		{"leaf not yet valid", ca(rootC, inter), leaf, now.Add(-time.Hour), false, false},
		{"leaf by an intermediate the root did not sign", ca(rootC, forged), badLeaf, now, false, false},
		{"wrong extended key usage", ca(rootC, inter), serverLeaf, now, false, false},
		{"root allows no intermediate", ca(pathZeroRoot, interUnder0), leaf0, now, false, false},
		{"intermediate expired at ts", ca(rootC, shortInter), lateLeaf, now, false, false},
		{"CA validity period over", &root.FulcioCertificateAuthority{Root: rootC.cert, Intermediates: []*x509.Certificate{inter.cert}, ValidityPeriodEnd: now.Add(-time.Second)}, leaf, now, false, false},
	}
	for _, c := range cases {
		_, wantErr := c.ca.Verify(c.leaf.cert, c.ts)
		a := newAnchoredCA(c.ca)
		chains, gotErr := a.Verify(c.leaf.cert, c.ts)
		if (wantErr == nil) != c.ok || (gotErr == nil) != c.ok {
			t.Errorf("%s: sigstore-go %v, anchored %v, want ok=%v", c.name, wantErr, gotErr, c.ok)
			continue
		}
		if _, fast := a.fast(c.leaf.cert, c.ts); fast != c.fast {
			t.Errorf("%s: fast path decided=%v, want %v", c.name, fast, c.fast)
		}
		if c.ok && (len(chains) != 1 || len(chains[0]) != 3 || !chains[0][2].Equal(c.ca.Root)) {
			t.Errorf("%s: chains %v", c.name, chains)
		}
	}
}

// On the real public-good material and a real npm provenance bundle, the
// anchored path decides (the shared work is actually shared).
func TestAnchoredCAOnRealBundle(t *testing.T) {
	tr := defaultTrust(t)
	m, ok := tr.anchored.(*anchoredMaterial)
	if !ok {
		t.Fatal("public-good Fulcio CAs not wrapped")
	}
	sha := corpusSHA512(t, "npm-attestations/artifacts/sigstore-1.0.0.tgz")
	res := tr.VerifyNPMAttestations("sigstore", "1.0.0", sha, corpusRead(t, "npm-attestations/npm-cli/sigstore@1.0.0.attestations.json"))
	if res.Status != StatusVerified {
		t.Fatalf("%s: %s", res.Status, res.Reason)
	}
	decided := 0
	for _, ca := range m.cas {
		if a, ok := ca.(*anchoredCA); ok {
			decided += int(a.decided.Load())
		}
	}
	if decided == 0 {
		t.Fatal("the anchored path decided no leaf of a real bundle")
	}
}
