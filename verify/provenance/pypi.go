package provenance

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	protobundle "github.com/sigstore/protobuf-specs/gen/pb-go/bundle/v1"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	protodsse "github.com/sigstore/protobuf-specs/gen/pb-go/dsse"
	protorekor "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/fulcio/certificate"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/installguard/guard/lockfile"
)

// PEP740Attestation is a PEP 740 attestation object.
type PEP740Attestation struct {
	Version              int `json:"version"`
	VerificationMaterial struct {
		// Certificate is base64(DER).
		Certificate string `json:"certificate"`
		// TransparencyEntries are Rekor TransparencyLogEntry objects in
		// protobuf JSON form.
		TransparencyEntries []json.RawMessage `json:"transparency_entries"`
	} `json:"verification_material"`
	Envelope struct {
		// Statement is base64 of the in-toto statement JSON.
		Statement string `json:"statement"`
		// Signature is base64 of the DSSE signature.
		Signature string `json:"signature"`
	} `json:"envelope"`
}

// PyPIPublisher is a PEP 740 Trusted Publisher.
type PyPIPublisher struct {
	// Kind is "GitHub", "GitLab", "Google", ...
	Kind string `json:"kind"`
	// Repository is "owner/repo" (GitHub) or "group/[subgroup/]project" (GitLab).
	Repository string `json:"repository,omitempty"`
	// Workflow is the GitHub workflow file name ("release.yml").
	Workflow string `json:"workflow,omitempty"`
	// WorkflowFilepath is the GitLab CI file path (".gitlab-ci.yml").
	WorkflowFilepath string `json:"workflow_filepath,omitempty"`
	// Environment is optional and not in the certificate: it is reported,
	// never checked.
	Environment *string `json:"environment,omitempty"`
	// Email is the Google service account.
	Email string `json:"email,omitempty"`
}

// PEP740Provenance is the provenance object (the index's Integrity API
// answer) for one distribution file.
type PEP740Provenance struct {
	Version            int `json:"version"`
	AttestationBundles []struct {
		Publisher    PyPIPublisher       `json:"publisher"`
		Attestations []PEP740Attestation `json:"attestations"`
	} `json:"attestation_bundles"`
}

// Bundle converts the attestation mechanically into a Sigstore bundle
// (v0.3): certificate → verification material, transparency entries → tlog
// entries, statement and signature → a DSSE envelope of payload type
// application/vnd.in-toto+json.
func (a *PEP740Attestation) Bundle() (*bundle.Bundle, error) {
	if a.Version != 1 {
		return nil, fmt.Errorf("attestation version %d, want 1", a.Version)
	}
	cert, err := base64.StdEncoding.DecodeString(a.VerificationMaterial.Certificate)
	if err != nil || len(cert) == 0 {
		return nil, fmt.Errorf("certificate is not base64 DER: %v", err)
	}
	if len(a.VerificationMaterial.TransparencyEntries) == 0 {
		return nil, errors.New("no transparency entries")
	}
	var entries []*protorekor.TransparencyLogEntry
	for i, raw := range a.VerificationMaterial.TransparencyEntries {
		var e protorekor.TransparencyLogEntry
		if err := protojson.Unmarshal(raw, &e); err != nil {
			return nil, fmt.Errorf("transparency entry %d: %v", i, err)
		}
		entries = append(entries, &e)
	}
	stmt, err := base64.StdEncoding.DecodeString(a.Envelope.Statement)
	if err != nil {
		return nil, fmt.Errorf("envelope statement is not base64: %v", err)
	}
	sig, err := base64.StdEncoding.DecodeString(a.Envelope.Signature)
	if err != nil {
		return nil, fmt.Errorf("envelope signature is not base64: %v", err)
	}
	pb := &protobundle.Bundle{
		MediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
		VerificationMaterial: &protobundle.VerificationMaterial{
			Content: &protobundle.VerificationMaterial_Certificate{
				Certificate: &protocommon.X509Certificate{RawBytes: cert},
			},
			TlogEntries: entries,
		},
		Content: &protobundle.Bundle_DsseEnvelope{DsseEnvelope: &protodsse.Envelope{
			Payload:     stmt,
			PayloadType: inTotoPayloadType,
			Signatures:  []*protodsse.Signature{{Sig: sig}},
		}},
	}
	return bundle.NewBundle(pb)
}

func isPyPIProvenance(t string) bool {
	return t == predicatePyPIPublish || t == predicateSLSAv1
}

// VerifyPEP740Attestation verifies one attestation for a distribution file
// (its name and sha256 from the lockfile). A non-nil publisher must match
// the certificate's identity.
func (t *Trust) VerifyPEP740Attestation(filename string, sha256 []byte, raw []byte, pub *PyPIPublisher) Attestation {
	var a PEP740Attestation
	if err := json.Unmarshal(raw, &a); err != nil {
		out := Attestation{File: filename}
		out.fail(StatusInvalid, "attestation does not decode: %v", err)
		return out
	}
	return t.verifyPEP740(filename, sha256, &a, pub)
}

func (t *Trust) verifyPEP740(filename string, sha256 []byte, a *PEP740Attestation, pub *PyPIPublisher) Attestation {
	b, err := a.Bundle()
	if err != nil {
		out := Attestation{File: filename}
		out.fail(StatusInvalid, "attestation does not convert to a Sigstore bundle: %v", err)
		return out
	}
	return t.verifyPyPIBundle(filename, sha256, b, pub)
}

// VerifyPyPIBundle verifies a Sigstore bundle for a distribution file.
func (t *Trust) VerifyPyPIBundle(filename string, sha256 []byte, raw []byte) Attestation {
	var b bundle.Bundle
	if err := b.UnmarshalJSON(raw); err != nil {
		out := Attestation{File: filename}
		out.fail(StatusInvalid, "bundle does not decode: %v", err)
		return out
	}
	return t.verifyPyPIBundle(filename, sha256, &b, nil)
}

func (t *Trust) verifyPyPIBundle(filename string, sha256 []byte, b *bundle.Bundle, pub *PyPIPublisher) Attestation {
	o := t.verifyBundle(b, expectation{
		digestAlg:     "sha256",
		digest:        sha256,
		subjectName:   checkDistName(filename),
		singleSubject: true,
	})
	a := o.Attestation
	a.File = filename
	if !a.Verified {
		return a
	}
	if o.summary == nil {
		a.fail(StatusInvalid, "signed with a key, not a Trusted Publisher's certificate")
		return a
	}
	if pub != nil {
		st, err := checkPublisher(*pub, o.summary)
		if err != nil {
			a.fail(st, "publisher: %v", err)
			if st == StatusUnverifiable {
				a.advice = "guard cannot map this kind of Trusted Publisher to a certificate identity"
			}
			return a
		}
	}
	return a
}

// VerifyPyPIProvenance verifies a provenance object (the Integrity API
// answer) for one distribution file: every attestation of every bundle,
// each against its bundle's Trusted Publisher.
func (t *Trust) VerifyPyPIProvenance(filename string, sha256 []byte, raw []byte) []Attestation {
	var p PEP740Provenance
	if err := json.Unmarshal(raw, &p); err != nil {
		a := Attestation{File: filename}
		a.fail(StatusInvalid, "provenance object does not decode: %v", err)
		return []Attestation{a}
	}
	if p.Version != 1 {
		a := Attestation{File: filename}
		a.fail(StatusInvalid, "provenance object version %d, want 1", p.Version)
		return []Attestation{a}
	}
	var out []Attestation
	for _, ab := range p.AttestationBundles {
		pub := ab.Publisher
		for i := range ab.Attestations {
			out = append(out, t.verifyPEP740(filename, sha256, &ab.Attestations[i], &pub))
		}
	}
	return out
}

// checkPublisher maps a Trusted Publisher to the certificate identity it
// implies (as PyPI's reference implementation, pypi-attestations, does) and
// compares it with the certificate. The ref part of the build config URI is
// the certificate's own claim (its source ref or commit).
func checkPublisher(p PyPIPublisher, s *certificate.Summary) (Status, error) {
	buildConfig := func(prefix string) error {
		for _, suffix := range []string{s.SourceRepositoryDigest, s.SourceRepositoryRef} {
			if suffix != "" && s.BuildConfigURI == prefix+"@"+suffix {
				return nil
			}
		}
		return fmt.Errorf("the certificate's build config URI %q is not %s@<ref or commit>", s.BuildConfigURI, prefix)
	}
	switch p.Kind {
	case "GitHub":
		if s.Issuer != "https://token.actions.githubusercontent.com" {
			return StatusInvalid, fmt.Errorf("GitHub publisher, but the certificate's issuer is %q", s.Issuer)
		}
		if want := "https://github.com/" + p.Repository; s.SourceRepositoryURI != want {
			return StatusInvalid, fmt.Errorf("publisher repository %s, certificate's source repository %q", want, s.SourceRepositoryURI)
		}
		return StatusInvalid, buildConfig("https://github.com/" + p.Repository + "/.github/workflows/" + p.Workflow)
	case "GitLab":
		if s.Issuer != "https://gitlab.com" {
			return StatusInvalid, fmt.Errorf("GitLab publisher, but the certificate's issuer is %q", s.Issuer)
		}
		if want := "https://gitlab.com/" + p.Repository; s.SourceRepositoryURI != want {
			return StatusInvalid, fmt.Errorf("publisher repository %s, certificate's source repository %q", want, s.SourceRepositoryURI)
		}
		return StatusInvalid, buildConfig("https://gitlab.com/" + p.Repository + "//" + p.WorkflowFilepath)
	case "Google":
		if s.Issuer != "https://accounts.google.com" {
			return StatusInvalid, fmt.Errorf("Google publisher, but the certificate's issuer is %q", s.Issuer)
		}
		if s.SubjectAlternativeName != p.Email {
			return StatusInvalid, fmt.Errorf("publisher e-mail %q, certificate's %q", p.Email, s.SubjectAlternativeName)
		}
		return StatusInvalid, nil
	}
	return StatusUnverifiable, fmt.Errorf("unknown Trusted Publisher kind %q", p.Kind)
}

// checkDistName compares a statement's subject name with the distribution
// file name, after normalizing both as PyPI does (project names per PEP
// 503/427 with "_", compressed wheel tag sets sorted). Hand-written: no
// kept Go library parses wheel and sdist file names.
func checkDistName(filename string) func(string) error {
	want := normalizeDist(filename)
	return func(got string) error {
		if got == filename || (want != "" && normalizeDist(got) == want) {
			return nil
		}
		return fmt.Errorf("the statement names %q, the file is %q", got, filename)
	}
}

var distNameRun = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[-_.]+`) })

func normalizeDist(f string) string {
	name := func(n string) string { return strings.ToLower(distNameRun().ReplaceAllString(n, "_")) }
	tags := func(t string) string {
		parts := strings.Split(strings.ToLower(t), ".")
		sort.Strings(parts)
		return strings.Join(parts, ".")
	}
	switch {
	case strings.HasSuffix(f, ".whl"):
		p := strings.Split(strings.TrimSuffix(f, ".whl"), "-")
		if len(p) != 5 && len(p) != 6 {
			return ""
		}
		n := len(p)
		out := []string{name(p[0]), strings.ToLower(p[1])}
		if n == 6 {
			out = append(out, p[2])
		}
		out = append(out, tags(p[n-3]), tags(p[n-2]), tags(p[n-1]))
		return strings.Join(out, "-") + ".whl"
	case strings.HasSuffix(f, ".tar.gz"), strings.HasSuffix(f, ".zip"):
		ext := ".tar.gz"
		if strings.HasSuffix(f, ".zip") {
			ext = ".zip"
		}
		base := strings.TrimSuffix(f, ext)
		i := strings.LastIndex(base, "-")
		if i <= 0 {
			return ""
		}
		return name(base[:i]) + "-" + strings.ToLower(base[i+1:]) + ext
	}
	return ""
}

// PEP503Name normalizes a project name for the simple API path.
func PEP503Name(n string) string {
	return strings.ToLower(distNameRun().ReplaceAllString(n, "-"))
}

// pySHA256s are the package's sha256 digests from the lockfile, hex, sorted.
func pySHA256s(p *lockfile.Package) []string {
	seen := map[string]bool{}
	var out []string
	for _, h := range p.Hashes {
		if h.Algorithm != "sha256" || h.Of != "" {
			continue
		}
		if x := h.Hex(); len(x) == 64 && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	sort.Strings(out)
	return out
}

// simpleProject is the PEP 691 JSON simple API answer for a project, with
// PEP 740's per-file provenance URL.
type simpleProject struct {
	Files []struct {
		Filename   string            `json:"filename"`
		URL        string            `json:"url"`
		Hashes     map[string]string `json:"hashes"`
		Provenance *string           `json:"provenance"`
		// Yanked (PEP 592): false, true, or the reason as a string.
		Yanked any `json:"yanked"`
		// UploadTime (PEP 700): when the file was uploaded.
		UploadTime string `json:"upload-time"`
	} `json:"files"`
	// Versions (PEP 700): every version of the project.
	Versions []string `json:"versions"`
	// ProjectStatus (PEP 792): active, archived, quarantined or deprecated.
	ProjectStatus *struct {
		Status string `json:"status"`
		Reason string `json:"reason"`
	} `json:"project-status"`
}

// IndexStatus is what a Python package index says of a project and of the
// lockfile's files (Metadata.Index), read from the PEP 691 page the
// provenance is found through.
type IndexStatus struct {
	// Yanked lists the lockfile's files the index marks yanked (PEP 592),
	// each "file: reason" (the reason when the index gives one).
	Yanked []string `json:"yanked,omitempty"`
	// ProjectStatus is the PEP 792 status ("" when the index states none,
	// which means active); ProjectStatusReason its reason.
	ProjectStatus       string `json:"projectStatus,omitempty"`
	ProjectStatusReason string `json:"projectStatusReason,omitempty"`
	// FirstUpload is the earliest upload time of any of the project's
	// files and Versions the number of its versions (PEP 700; zero when
	// the index does not say). The typosquat rule reads them: a look-alike
	// that is new and has few versions is the usual typosquat.
	FirstUpload time.Time `json:"firstUpload,omitzero"`
	Versions    int       `json:"versions,omitempty"`
}

// yankedReason reads PEP 592's yanked value: ok is false when not yanked.
func yankedReason(v any) (string, bool) {
	switch y := v.(type) {
	case bool:
		return "", y
	case string:
		return y, true
	}
	return "", false
}

const (
	acceptSimpleJSON = "application/vnd.pypi.simple.v1+json"
	acceptIntegrity  = "application/vnd.pypi.integrity.v1+json, application/json;q=0.9"
)

// PyPIProjectURL is the simple API page of a project.
func PyPIProjectURL(index, name string) string {
	return strings.TrimRight(index, "/") + "/" + PEP503Name(name) + "/"
}

func (v *Verifier) verifyPyPI(ctx context.Context, p lockfile.Package) (Result, bool) {
	r := Result{Ecosystem: string(lockfile.PyPI), Name: p.Name, Version: p.Version}
	hashes := pySHA256s(&p)
	if len(hashes) > 0 {
		r.Digest = "sha256:" + strings.Join(hashes, ",")
	}
	if v.cfg.pypiIndex == "" {
		r.Status = StatusUnverifiable
		r.Reason = "no Python package index configured"
		r.Advice = "tell guard the index pip uses (PIP_INDEX_URL, pip or uv configuration)"
		return r, false
	}
	if len(hashes) == 0 {
		r.Status = StatusUnverifiable
		r.Reason = "the lockfile records no sha256 for this package, so attestations cannot be bound to what is installed"
		r.Advice = "lock with hashes (pip --require-hashes, uv, poetry, pylock.toml)"
		return r, false
	}
	sp, page, err := v.reg.pypiProject(ctx, p.Name)
	if err != nil {
		r.Status = StatusUnverifiable
		r.Reason = err.Error()
		r.Advice = "check the index URL and the network, and run again"
		return r, false
	}
	base, _ := url.Parse(page)
	want := map[string]bool{}
	for _, h := range hashes {
		want[h] = true
	}
	var atts []Attestation
	var without []string
	matched := 0
	for _, f := range sp.Files {
		h := strings.ToLower(f.Hashes["sha256"])
		if !want[h] {
			continue
		}
		matched++
		digest, _ := hex.DecodeString(h)
		if f.Provenance == nil || *f.Provenance == "" {
			without = append(without, f.Filename)
			continue
		}
		u, err := base.Parse(*f.Provenance)
		if err != nil {
			a := Attestation{File: f.Filename}
			a.fail(StatusInvalid, "provenance URL %q: %v", *f.Provenance, err)
			atts = append(atts, a)
			continue
		}
		pb, err := v.fetch.get(ctx, u.String(), acceptIntegrity, 8<<20)
		switch {
		case errors.Is(err, ErrNotFound):
			without = append(without, f.Filename)
			continue
		case err != nil:
			r.Status = StatusUnverifiable
			r.Reason = fmt.Sprintf("fetching provenance of %s: %v", f.Filename, err)
			r.Advice = "check the network and run again"
			return r, false
		}
		atts = append(atts, v.trust.VerifyPyPIProvenance(f.Filename, digest, pb)...)
	}
	if matched == 0 {
		r.Status = StatusUnverifiable
		r.Reason = fmt.Sprintf("the index lists no file of %s with the lockfile's sha256", p.Name)
		r.Advice = "the package may come from another index; point guard at it"
		return r, true
	}
	aggregate(&r, atts, isPyPIProvenance)
	if len(without) > 0 && (r.Status == StatusVerified || len(atts) == 0) {
		r.Status = StatusMissing
		r.Publisher = nil
		r.Reason = "no provenance for " + strings.Join(without, ", ")
		if len(atts) > 0 {
			r.Reason += fmt.Sprintf(" (%d attestation(s) of other files verified)", len(atts))
		}
	}
	return r, true
}
