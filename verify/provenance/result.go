// Package provenance gathers build-provenance evidence for the packages an
// install brings in: npm attestations (SLSA provenance and the registry's
// publish attestation), npm registry signatures, PyPI PEP 740 attestations,
// and registry metadata that shows provenance downgrades. Every Sigstore
// bundle is verified with sigstore-go against the trusted material (the
// embedded public-good trusted root and npm registry keys, or a newer copy
// fetched through TUF, or a file the user names).
//
// The package gathers and verifies evidence; it never decides what to do
// about it. guard's rules (provenance, provenance-invalid,
// provenance-downgrade, publisher) read the Result.
//
// Decisions worth knowing:
//   - npm: verified needs every attestation in the answer to verify and at
//     least one SLSA build provenance signed by a Fulcio certificate; an
//     answer with only the registry's publish attestation is missing.
//     Publish attestations are verified with the npm keys of the trust
//     material (TUF), never with keys fetched from the registry;
//     dist.signatures use the registry's /-/npm/v1/keys (embedded fallback).
//   - A bundle whose signer (registry key, CA, transparency log) the trust
//     material does not know is unverifiable when its log time is later
//     than Trust.AsOf (newer material may know it), otherwise invalid: the
//     staging-signed PyPI files are invalid against the public-good root.
//   - Failing to ask (network, 5xx after retries, timeouts) is
//     unverifiable and never cached; a complete answer that does not decode
//     is invalid.
//   - PyPI: the lockfile's sha256 hashes select the index's files; every
//     selected file must carry verified provenance, else missing.
package provenance

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/installguard/guard/lockfile"
)

// Status says what is known about a package's provenance.
type Status string

const (
	// StatusVerified: build provenance is present and every attestation
	// verified against the trusted material and binds this exact artifact
	// (digest from the lockfile, package name and version).
	StatusVerified Status = "verified"
	// StatusMissing: the registry has no build provenance for this version.
	StatusMissing Status = "missing"
	// StatusInvalid: provenance is present but fails verification: a bad
	// signature, a subject digest, name or predicateType that does not match,
	// a certificate or transparency log the trusted root does not vouch for.
	// Treat it as an attack.
	StatusInvalid Status = "invalid"
	// StatusUnverifiable: the answer cannot be decided with what is at hand:
	// the bundle is newer than the trust material, the key that signed it
	// is unknown, the registry could not be reached, the lockfile pins no
	// digest to bind the attestation to. Result.Advice says what would help.
	StatusUnverifiable Status = "unverifiable"
	// StatusUnavailable: the ecosystem or source has no attestation
	// mechanism (crates.io, git, path and URL sources). Never "verified",
	// never "invalid".
	StatusUnavailable Status = "unavailable"
)

// Publisher is the build identity read from a verified Fulcio certificate.
type Publisher struct {
	// Repository is the source repository URI
	// ("https://github.com/sigstore/sigstore-js").
	Repository string `json:"repository,omitempty"`
	// Workflow is the top-level build configuration path inside the
	// repository (".github/workflows/release.yml", ".gitlab-ci.yml").
	Workflow string `json:"workflow,omitempty"`
	// Ref is the source ref the build ran on ("refs/tags/v1.0.0").
	Ref string `json:"ref,omitempty"`
	// Commit is the source repository digest (git commit).
	Commit string `json:"commit,omitempty"`
	// RunURL is the build run invocation URI.
	RunURL string `json:"runURL,omitempty"`
	// Issuer is the OIDC issuer ("https://token.actions.githubusercontent.com").
	Issuer string `json:"issuer,omitempty"`
	// SAN is the certificate's subject alternative name: for CI builds the
	// build signer URI (which differs from Workflow when a reusable
	// workflow signed), otherwise an e-mail address.
	SAN string `json:"san,omitempty"`
	// BuildConfigURI and BuildSignerURI are the certificate's extensions as
	// stated, for reports and pins that need more than Workflow.
	BuildConfigURI string `json:"buildConfigURI,omitempty"`
	BuildSignerURI string `json:"buildSignerURI,omitempty"`
	// RunnerEnvironment is "github-hosted", "self-hosted", ...
	RunnerEnvironment string `json:"runnerEnvironment,omitempty"`
}

// Attestation is the outcome for one attestation of a package.
type Attestation struct {
	// PredicateType is the signed statement's predicateType when the bundle
	// decoded, otherwise the one the answer claims.
	PredicateType string `json:"predicateType"`
	// Verified: the signature, transparency log entry and certificate (or
	// registry key) verified and the statement binds this artifact.
	Verified bool `json:"verified"`
	// SignatureVerified: sigstore-go accepted the bundle (signature, log
	// entry, timestamps, certificate chain or key), whatever the checks on
	// the statement's subject said afterwards.
	SignatureVerified bool `json:"signatureVerified"`
	// Err names what failed; empty when Verified.
	Err string `json:"error,omitempty"`
	// KeyID is the registry key id for public-key bundles.
	KeyID string `json:"keyId,omitempty"`
	// File is the distribution file name for PyPI attestations.
	File string `json:"file,omitempty"`
	// IntegratedTime is the transparency log time, when verified.
	IntegratedTime time.Time `json:"integratedTime,omitzero"`
	// Publisher is the identity from the Fulcio certificate, when verified.
	Publisher *Publisher `json:"publisher,omitempty"`

	status Status
	advice string
}

// Result is what is known about one package's provenance.
type Result struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	// Digest is the lockfile digest the attestations were checked against
	// ("sha512:<hex>", or "sha256:<hex>[,<hex>...]" for PyPI files).
	Digest string `json:"digest,omitempty"`
	Status Status `json:"status"`
	// Publisher is the build identity of the first verified build
	// provenance, set when Status is verified.
	Publisher *Publisher `json:"publisher,omitempty"`
	// Attestations lists each attestation found, verified or not.
	Attestations []Attestation `json:"attestations,omitempty"`
	// Reason names exactly what failed (or, for verified, what was checked).
	Reason string `json:"reason,omitempty"`
	// Advice tells the user what would let an unverifiable result be decided.
	Advice string `json:"advice,omitempty"`
	// Registry holds the npm registry signature check, when metadata was
	// fetched (WithNPMMetadata).
	Registry *SignatureCheck `json:"registrySignature,omitempty"`
	// Downgrade holds the evidence from the registry's metadata, when it was
	// fetched (WithNPMMetadata).
	Downgrade *Downgrade `json:"downgrade,omitempty"`
	// MetadataError says why registry metadata (WithNPMMetadata) could not
	// be read: the registry signature and downgrade evidence are unknown;
	// the provenance result stands without them.
	MetadataError string `json:"metadataError,omitempty"`
	// Cached: the result came from the result cache.
	Cached bool `json:"cached,omitempty"`
}

// VerifyByKey verifies packages as Verify does and returns the results
// keyed by PackageKey, the key guard joins evidence to packages by.
func (v *Verifier) VerifyByKey(ctx context.Context, pkgs []lockfile.Package) map[string]Result {
	res := v.Verify(ctx, pkgs)
	out := make(map[string]Result, len(pkgs))
	for i := range pkgs {
		out[PackageKey(&pkgs[i])] = res[i]
	}
	return out
}

func (a *Attestation) fail(st Status, format string, args ...any) {
	a.Verified = false
	a.status = st
	a.Err = fmt.Sprintf(format, args...)
}

// aggregate decides a package's status from its attestations. needProv says
// which predicate types count as build provenance; a package whose only
// verified attestations are of other types has no provenance.
func aggregate(r *Result, atts []Attestation, isProvenance func(string) bool) {
	r.Attestations = atts
	if len(atts) == 0 {
		r.Status = StatusMissing
		r.Reason = "the registry has no attestations for this version"
		return
	}
	var invalid, unverifiable []string
	var advice string
	for i, a := range atts {
		if a.Verified {
			continue
		}
		label := fmt.Sprintf("attestation %d (%s)", i, shortType(a.PredicateType))
		if a.File != "" {
			label = fmt.Sprintf("%s attestation %d (%s)", a.File, i, shortType(a.PredicateType))
		}
		switch a.status {
		case StatusUnverifiable:
			unverifiable = append(unverifiable, label+": "+a.Err)
			if advice == "" {
				advice = a.advice
			}
		default:
			invalid = append(invalid, label+": "+a.Err)
		}
	}
	switch {
	case len(invalid) > 0:
		r.Status = StatusInvalid
		r.Reason = strings.Join(invalid, "; ")
		return
	case len(unverifiable) > 0:
		r.Status = StatusUnverifiable
		r.Reason = strings.Join(unverifiable, "; ")
		r.Advice = advice
		return
	}
	var types []string
	for _, a := range atts {
		if isProvenance(a.PredicateType) {
			r.Status = StatusVerified
			r.Publisher = a.Publisher
			r.Reason = fmt.Sprintf("%d attestation(s) verified; build provenance %s", len(atts), a.PredicateType)
			return
		}
		types = append(types, a.PredicateType)
	}
	r.Status = StatusMissing
	r.Reason = "no build provenance; only " + strings.Join(types, ", ")
}

// shortType abbreviates well-known predicate types for messages.
func shortType(t string) string {
	switch t {
	case predicateSLSAv02:
		return "SLSA provenance v0.2"
	case predicateSLSAv1:
		return "SLSA provenance v1"
	case predicateNPMPublish:
		return "npm publish attestation v0.1"
	case predicatePyPIPublish:
		return "PyPI publish attestation v1"
	case "":
		return "unknown type"
	}
	return t
}

const (
	predicateSLSAv02     = "https://slsa.dev/provenance/v0.2"
	predicateSLSAv1      = "https://slsa.dev/provenance/v1"
	predicateNPMPublish  = "https://github.com/npm/attestation/tree/main/specs/publish/v0.1"
	predicatePyPIPublish = "https://docs.pypi.org/attestations/publish/v1"
	inTotoPayloadType    = "application/vnd.in-toto+json"
	inTotoStatementV01   = "https://in-toto.io/Statement/v0.1"
	inTotoStatementV1    = "https://in-toto.io/Statement/v1"
)
