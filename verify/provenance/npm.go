package provenance

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/bundle"
)

// EscapeNPMName escapes a package name for a registry path the way npm does
// (npm-package-arg's escapedName): the scope's slash becomes "%2f", the "@"
// stays literal.
func EscapeNPMName(name string) string {
	return strings.Replace(name, "/", "%2f", 1)
}

// NPMAttestationsURL is where a registry serves a version's attestations.
func NPMAttestationsURL(registry, name, version string) string {
	return strings.TrimRight(registry, "/") + "/-/npm/v1/attestations/" + EscapeNPMName(name) + "@" + url.PathEscape(version)
}

// NPMPurl is the package URL npm writes as the attestation subject name:
// "pkg:npm/%40scope/name@version" or "pkg:npm/name@version".
func NPMPurl(name, version string) string {
	var b strings.Builder
	b.WriteString("pkg:npm/")
	if scope, rest, ok := strings.Cut(name, "/"); ok && strings.HasPrefix(scope, "@") {
		b.WriteString("%40" + purlEscape(scope[1:]) + "/" + purlEscape(rest))
	} else {
		b.WriteString(purlEscape(name))
	}
	b.WriteString("@" + purlEscape(version))
	return b.String()
}

// purlEscape percent-encodes what the purl spec does not allow literally in
// a name or version segment (written by hand: no kept library builds purls).
func purlEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// checkNPMPurl compares a subject name with the package's purl: exactly,
// or after percent-decoding both (packageurl-js and other writers differ in
// which characters of a version they escape).
func checkNPMPurl(name, version string) func(string) error {
	want := NPMPurl(name, version)
	return func(got string) error {
		if got == want {
			return nil
		}
		gd, err1 := url.PathUnescape(got)
		wd, err2 := url.PathUnescape(want)
		if err1 == nil && err2 == nil && gd == wd {
			return nil
		}
		return fmt.Errorf("the statement names %q, the package is %q", got, want)
	}
}

func isNPMProvenance(t string) bool {
	return strings.HasPrefix(t, "https://slsa.dev/provenance/")
}

// npmAttestationsAnswer is the registry's /-/npm/v1/attestations answer.
type npmAttestationsAnswer struct {
	Attestations []struct {
		PredicateType string          `json:"predicateType"`
		Bundle        json.RawMessage `json:"bundle"`
	} `json:"attestations"`
}

// VerifyNPMAttestations decides a registry attestations answer for one
// package version. sha512 is the package's integrity digest from the
// lockfile (raw bytes). Every bundle must verify; at least one must be SLSA
// build provenance for the result to be verified.
func (t *Trust) VerifyNPMAttestations(name, version string, sha512 []byte, answer []byte) Result {
	r := Result{Ecosystem: "npm", Name: name, Version: version, Digest: "sha512:" + hex.EncodeToString(sha512)}
	var ans npmAttestationsAnswer
	if err := json.Unmarshal(answer, &ans); err != nil {
		r.Status = StatusInvalid
		r.Reason = "attestations answer is not valid JSON: " + err.Error()
		return r
	}
	atts := make([]Attestation, 0, len(ans.Attestations))
	for _, entry := range ans.Attestations {
		atts = append(atts, t.verifyNPMEntry(name, version, sha512, entry.PredicateType, entry.Bundle))
	}
	aggregate(&r, atts, isNPMProvenance)
	return r
}

func (t *Trust) verifyNPMEntry(name, version string, sha512 []byte, outerType string, raw json.RawMessage) Attestation {
	a := Attestation{PredicateType: outerType}
	if len(raw) == 0 || string(raw) == "null" {
		a.fail(StatusInvalid, "the answer carries no bundle")
		return a
	}
	var b bundle.Bundle
	if err := b.UnmarshalJSON(raw); err != nil {
		a.fail(StatusInvalid, "bundle does not decode: %v", err)
		return a
	}
	o := t.verifyBundle(&b, expectation{
		digestAlg:     "sha512",
		digest:        sha512,
		subjectName:   checkNPMPurl(name, version),
		singleSubject: true,
		predicateType: outerType,
		checkType:     true,
	})
	a = o.Attestation
	if a.PredicateType == "" {
		a.PredicateType = outerType
	}
	if !a.Verified {
		return a
	}
	switch {
	case isNPMProvenance(a.PredicateType) && o.summary == nil:
		a.fail(StatusInvalid, "build provenance signed with key %q instead of a Fulcio certificate", a.KeyID)
		a.Publisher = nil
	case a.PredicateType == predicateNPMPublish && o.summary != nil:
		a.fail(StatusInvalid, "publish attestation signed with a certificate instead of the registry key")
		a.Publisher = nil
	}
	return a
}
