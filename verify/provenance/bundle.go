package provenance

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// expectation says what a bundle must bind, beyond what sigstore-go checks.
type expectation struct {
	// digestAlg and digest: the artifact's digest from the lockfile. For
	// DSSE bundles a subject must carry exactly this digest; for message
	// signatures sigstore-go checks it.
	digestAlg string
	digest    []byte
	// subjectName checks the matching subject's name; nil: not checked.
	subjectName func(name string) error
	// singleSubject: the statement must have exactly one subject.
	singleSubject bool
	// identity, when set, is enforced by sigstore-go on the certificate.
	identity *verify.CertificateIdentity
	// keyOnly: the bundle must be signed by a registry key.
	keyOnly bool
	// checkType: predicateType (what the answer claims, possibly empty)
	// must equal the signed statement's.
	checkType     bool
	predicateType string
}

// bundleOutcome is one bundle's verification.
type bundleOutcome struct {
	Attestation
	summary *certificate.Summary
}

// verifyBundle verifies a bundle with sigstore-go against the trusted
// material, then checks what sigstore-go does not: the statement's payload
// type, subject digest and name, and predicateType.
func (t *Trust) verifyBundle(b *bundle.Bundle, e expectation) bundleOutcome {
	var out bundleOutcome
	vc, err := b.VerificationContent()
	if err != nil {
		out.fail(StatusInvalid, "verification material: %v", err)
		return out
	}
	var stmtPayload []byte
	var payloadType string
	if env, err := b.Envelope(); err == nil {
		payloadType = env.PayloadType
		stmtPayload, _ = decodeStd(env.Payload)
		if s, err := parseStatement(stmtPayload); err == nil {
			out.PredicateType = s.PredicateType
		}
	}
	pk := vc.PublicKey()
	if pk != nil {
		out.KeyID = pk.Hint()
	}
	if e.keyOnly && pk == nil {
		out.fail(StatusInvalid, "signed with a certificate where a registry key signature is expected")
		return out
	}

	var policy []verify.PolicyOption
	switch {
	case pk != nil:
		policy = append(policy, verify.WithKey())
	case e.identity != nil:
		policy = append(policy, verify.WithCertificateIdentity(*e.identity))
	default:
		// The identity is reported, not enforced here: guard's publisher
		// rule compares it with the policy's pins.
		policy = append(policy, verify.WithoutIdentitiesUnsafe())
	}
	var artifact verify.ArtifactPolicyOption
	if b.GetMessageSignature() != nil {
		artifact = verify.WithArtifactDigest(e.digestAlg, e.digest)
	} else {
		// The subject is checked below, so that a mismatch is reported as
		// such rather than as a signature failure.
		artifact = verify.WithoutArtifactUnsafe()
	}
	v := t.certV
	if pk != nil {
		v = t.keyV
	}
	res, err := v.Verify(b, verify.NewPolicy(artifact, policy...))
	if err != nil {
		st, advice, why := t.classify(b, vc, err)
		out.fail(st, "%s", why)
		out.advice = advice
		return out
	}
	out.SignatureVerified = true
	for _, ts := range res.VerifiedTimestamps {
		if ts.Type == "Tlog" && (out.IntegratedTime.IsZero() || ts.Timestamp.Before(out.IntegratedTime)) {
			out.IntegratedTime = ts.Timestamp.UTC()
		}
	}
	if res.Signature != nil && res.Signature.Certificate != nil {
		out.summary = res.Signature.Certificate
		out.Publisher = publisherFrom(res.Signature.Certificate)
	}

	if b.GetMessageSignature() != nil {
		out.Verified = true
		return out
	}
	if payloadType != inTotoPayloadType {
		out.fail(StatusInvalid, "payloadType is %q, not %s", payloadType, inTotoPayloadType)
		return out
	}
	s, err := parseStatement(stmtPayload)
	if err != nil {
		out.fail(StatusInvalid, "statement: %v", err)
		return out
	}
	if s.Type != inTotoStatementV01 && s.Type != inTotoStatementV1 {
		out.fail(StatusInvalid, "statement _type %q is not an in-toto statement", s.Type)
		return out
	}
	if e.checkType && e.predicateType != s.PredicateType {
		out.fail(StatusInvalid, "predicateType: the answer says %q but the signed statement says %q", e.predicateType, s.PredicateType)
		return out
	}
	if err := checkSubjects(s, e); err != nil {
		out.fail(StatusInvalid, "%v", err)
		return out
	}
	out.Verified = true
	return out
}

// checkSubjects requires a subject with exactly the expected digest and,
// when asked, the expected name.
func checkSubjects(s *statement, e expectation) error {
	if len(s.Subject) == 0 {
		return errors.New("subject: the statement has no subject")
	}
	if e.singleSubject && len(s.Subject) != 1 {
		return fmt.Errorf("subject: the statement has %d subjects, want exactly one", len(s.Subject))
	}
	want := hex.EncodeToString(e.digest)
	var seen []string
	for _, sub := range s.Subject {
		got, ok := sub.Digest[e.digestAlg]
		if !ok {
			seen = append(seen, "no "+e.digestAlg)
			continue
		}
		if !strings.EqualFold(got, want) {
			seen = append(seen, e.digestAlg+":"+got)
			continue
		}
		if e.subjectName != nil {
			if err := e.subjectName(sub.Name); err != nil {
				return fmt.Errorf("subject name: %v", err)
			}
		}
		return nil
	}
	return fmt.Errorf("subject digest: the statement covers %s, the lockfile says %s:%s", strings.Join(seen, ", "), e.digestAlg, want)
}

// classify turns a sigstore-go failure into invalid or unverifiable. A
// bundle is unverifiable when what it depends on is missing from the
// trusted material (an unknown registry key, a transparency log or CA the
// root does not list) and it claims to be newer than the material: newer
// trust material may know its signer. Otherwise it is invalid.
func (t *Trust) classify(b *bundle.Bundle, vc verify.VerificationContent, err error) (Status, string, string) {
	msg := describeVerifyError(err)
	claimed := claimedTime(b, vc)
	var gaps []string
	if pk := vc.PublicKey(); pk != nil {
		if _, ok := t.npmKey(pk.Hint(), UsageNPMAttestations); !ok {
			gaps = append(gaps, fmt.Sprintf("registry key %q", pk.Hint()))
		}
	} else if c := vc.Certificate(); c != nil && !t.knowsIssuer(c) {
		gaps = append(gaps, fmt.Sprintf("certificate issuer %q", c.Issuer.String()))
	}
	if entries, e2 := b.TlogEntries(); e2 == nil && len(entries) > 0 {
		known := false
		var ids []string
		for _, en := range entries {
			id := hex.EncodeToString([]byte(en.LogKeyID()))
			if _, ok := t.material.RekorLogs()[id]; ok {
				known = true
			}
			ids = append(ids, id)
		}
		if !known {
			gaps = append(gaps, "transparency log "+strings.Join(ids, ", "))
		}
	}
	if len(gaps) == 0 {
		return StatusInvalid, "", msg
	}
	what := strings.Join(gaps, " and ")
	if !claimed.IsZero() && claimed.After(t.AsOf) {
		return StatusUnverifiable,
			"the trust material (" + t.Source + ", as of " + t.AsOf.Format("2006-01-02") + ") is older than this attestation; refresh it (guard trust update) and check again",
			fmt.Sprintf("signed at %s by %s, which the trust material does not know (%s)", claimed.Format(time.RFC3339), what, msg)
	}
	return StatusInvalid, "", fmt.Sprintf("untrusted signer: the trust material does not know the %s (%s)", what, msg)
}

// knowsIssuer reports whether any CA in the material could have issued c.
func (t *Trust) knowsIssuer(c *x509.Certificate) bool {
	for _, ca := range t.material.FulcioCertificateAuthorities() {
		f, ok := ca.(*root.FulcioCertificateAuthority)
		if !ok {
			return true // another kind of CA: cannot tell; do not claim a gap
		}
		for _, cert := range append(append([]*x509.Certificate{}, f.Intermediates...), f.Root) {
			if cert == nil {
				continue
			}
			if len(c.AuthorityKeyId) > 0 && len(cert.SubjectKeyId) > 0 {
				if bytes.Equal(c.AuthorityKeyId, cert.SubjectKeyId) {
					return true
				}
				continue
			}
			if bytes.Equal(c.RawIssuer, cert.RawSubject) {
				return true
			}
		}
	}
	return false
}

// claimedTime is the latest time the bundle claims, verified or not: the
// log entries' integrated time, else the certificate's NotBefore.
func claimedTime(b *bundle.Bundle, vc verify.VerificationContent) time.Time {
	var t time.Time
	if entries, err := b.TlogEntries(); err == nil {
		for _, e := range entries {
			if it := e.IntegratedTime(); it.After(t) {
				t = it
			}
		}
	}
	if t.IsZero() {
		if c := vc.Certificate(); c != nil {
			t = c.NotBefore
		}
	}
	return t
}

// describeVerifyError keeps sigstore-go's message, which names the stage
// ("failed to verify log inclusion: ...", "failed to verify signature: ...").
func describeVerifyError(err error) string {
	return strings.TrimPrefix(err.Error(), "verification failed: ")
}

// publisherFrom reads the build identity from a certificate summary.
func publisherFrom(s *certificate.Summary) *Publisher {
	p := &Publisher{
		Repository:        s.SourceRepositoryURI,
		Ref:               s.SourceRepositoryRef,
		Commit:            s.SourceRepositoryDigest,
		RunURL:            s.RunInvocationURI,
		Issuer:            s.Issuer,
		SAN:               s.SubjectAlternativeName,
		BuildConfigURI:    s.BuildConfigURI,
		BuildSignerURI:    s.BuildSignerURI,
		RunnerEnvironment: s.RunnerEnvironment,
	}
	// Certificates issued before Fulcio's v2 extensions (2023) carry only
	// the GitHub-specific ones.
	if p.Repository == "" && s.GithubWorkflowRepository != "" {
		p.Repository = "https://github.com/" + s.GithubWorkflowRepository
	}
	if p.Ref == "" {
		p.Ref = s.GithubWorkflowRef
	}
	if p.Commit == "" {
		p.Commit = s.GithubWorkflowSHA
	}
	p.Workflow = workflowPath(p.Repository, p.BuildConfigURI)
	if p.Workflow == "" {
		// No build config extension: the SAN of a CI certificate names
		// the workflow the same way.
		p.Workflow = workflowPath(p.Repository, p.SAN)
	}
	if p.Workflow == "" && p.BuildConfigURI == "" && s.GithubWorkflowName != "" && strings.Contains(s.GithubWorkflowName, "/") {
		p.Workflow = s.GithubWorkflowName
	}
	return p
}

// workflowPath extracts the workflow path from a build config URI such as
// "https://github.com/o/r/.github/workflows/release.yml@refs/tags/v1" or
// "https://gitlab.com/g/p//.gitlab-ci.yml@refs/heads/main".
func workflowPath(repo, uri string) string {
	if repo == "" || uri == "" || !strings.HasPrefix(uri, repo+"/") {
		return ""
	}
	rest := strings.TrimPrefix(uri, repo+"/")
	rest = strings.TrimPrefix(rest, "/") // GitLab's "//"
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = rest[:i]
	}
	return rest
}
