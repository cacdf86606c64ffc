package provenance

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func stagingTrust(t testing.TB) *Trust {
	t.Helper()
	tr, err := NewTrust(corpusRead(t, "trust/staging/trusted_root.staging.json"), nil, "staging", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func mustHex(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const pyDir = "pypi-attestations/pypi-attestations/"

// pyCase is one corpus PEP 740 attestation, provenance object or bundle.
type pyCase struct {
	file     string // under pypi-attestations/
	kind     string // "attestation", "provenance", "bundle"
	filename string // the distribution file
	sha256   string // hex; "" = sha256 of pypi-attestations/<dir>/<filename>
	staging  bool
	want     Status
	reason   string
	san      string
}

var pyCases = []pyCase{
	{"pypi-attestations/gitlab_oidc_project-0.0.3.tar.gz.publish.attestation", "attestation", "gitlab_oidc_project-0.0.3.tar.gz", "", false, StatusVerified, "", "https://gitlab.com/facutuesca/gitlab-oidc-project//.gitlab-ci.yml@refs/heads/main"},
	{"pypi-attestations/pypi_attestation_models-0.0.4a2.tar.gz.attestation", "attestation", "pypi_attestation_models-0.0.4a2.tar.gz", "", false, StatusVerified, "", "https://github.com/trailofbits/pypi-attestation-models/.github/workflows/release.yml@refs/tags/v0.0.4a2"},
	{"pypi-attestations/pypi_attestations-0.0.19.tar.gz.publish.attestation", "attestation", "pypi_attestations-0.0.19.tar.gz", "", false, StatusVerified, "", "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19"},
	{"pypi-attestations/pypi_attestations-0.0.19.tar.gz.slsa.attestation", "attestation", "pypi_attestations-0.0.19.tar.gz", "", false, StatusVerified, "", "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19"},
	{"warehouse/sampleproject-3.0.0.tar.gz.publish.attestation", "attestation", "sampleproject-3.0.0.tar.gz", "", false, StatusVerified, "", "919436158236-compute@developer.gserviceaccount.com"},
	{"pypi-attestations/pypi_attestations-0.0.19.tar.gz.provenance", "provenance", "pypi_attestations-0.0.19.tar.gz", "", false, StatusVerified, "", "https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19"},
	// The file name differs from the signed subject's (pep740_sampleproject)
	// only by normalization.
	{"warehouse/pep740-sampleproject-1.0.0.tar.gz.provenance", "provenance", "pep740-sampleproject-1.0.0.tar.gz", "6cdd4a1a0a49aeef47265e7bf8ec1667257b397d34d731dc7b7af349deca1cd8", false, StatusVerified, "", "https://gitlab.com/pep740-example/sampleproject//.gitlab-ci.yml@refs/heads/main"},
	{"warehouse/sampleproject-4.0.0.tar.gz.provenance", "provenance", "sampleproject-4.0.0.tar.gz", "0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b", false, StatusVerified, "", "https://github.com/pypa/sampleproject/.github/workflows/release.yml@refs/heads/main"},
	{"pypi-attestations/pypi_attestation_models-0.0.4a2.tar.gz.sigstore", "bundle", "pypi_attestation_models-0.0.4a2.tar.gz", "", false, StatusVerified, "", "https://github.com/trailofbits/pypi-attestation-models/.github/workflows/release.yml@refs/tags/v0.0.4a2"},

	// Staging-signed (sigstage.dev): with the public-good root their
	// transparency log and CA are unknown and they were signed (2024)
	// before the trust material's date, so a newer public-good root cannot
	// help: they are invalid (untrusted signer), as a bundle from any other
	// Sigstore instance would be. EXPECTED-VERIFY.md reports the same
	// failure ("not enough verified log entries"). With the staging root
	// they verify.
	{"pypi-attestations/rfc8785-0.1.2-py3-none-any.whl.attestation", "attestation", "rfc8785-0.1.2-py3-none-any.whl", "", false, StatusInvalid, "untrusted signer: the trust material does not know the certificate issuer", ""},
	{"pypi-attestations/rfc8785-0.1.2-py3-none-any.whl.publish.attestation", "attestation", "rfc8785-0.1.2-py3-none-any.whl", "", false, StatusInvalid, "untrusted signer", ""},
	{"pypi-attestations/spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl.publish.attestation", "attestation", "spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "d2772f9a5199f05ed1be8d9aa78b879e51772e3ead9d73fe8057257b1aec7cf8", false, StatusInvalid, "transparency log", ""},
	{"pypi-attestations/rfc8785-0.1.2-py3-none-any.whl.sigstore", "bundle", "rfc8785-0.1.2-py3-none-any.whl", "", false, StatusInvalid, "untrusted signer", ""},
	{"pypi-attestations/rfc8785-0.1.2-py3-none-any.whl.attestation", "attestation", "rfc8785-0.1.2-py3-none-any.whl", "", true, StatusVerified, "", "william@yossarian.net"},
	{"pypi-attestations/rfc8785-0.1.2-py3-none-any.whl.publish.attestation", "attestation", "rfc8785-0.1.2-py3-none-any.whl", "", true, StatusVerified, "", "william@yossarian.net"},
	{"pypi-attestations/spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl.publish.attestation", "attestation", "spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "d2772f9a5199f05ed1be8d9aa78b879e51772e3ead9d73fe8057257b1aec7cf8", true, StatusVerified, "", "william@yossarian.net"},
	{"pypi-attestations/rfc8785-0.1.2-py3-none-any.whl.sigstore", "bundle", "rfc8785-0.1.2-py3-none-any.whl", "", true, StatusVerified, "", "william@yossarian.net"},
}

func TestPyPICorpus(t *testing.T) {
	pub := defaultTrust(t)
	stg := stagingTrust(t)
	for _, c := range pyCases {
		name := c.file
		if c.staging {
			name += "(staging)"
		}
		t.Run(name, func(t *testing.T) {
			tr := pub
			if c.staging {
				tr = stg
			}
			var digest []byte
			if c.sha256 != "" {
				digest = mustHex(t, c.sha256)
			} else {
				dir := c.file[:strings.LastIndex(c.file, "/")+1]
				digest = corpusSHA256(t, "pypi-attestations/"+dir+c.filename)
			}
			raw := corpusRead(t, "pypi-attestations/"+c.file)
			var atts []Attestation
			switch c.kind {
			case "attestation":
				atts = []Attestation{tr.VerifyPEP740Attestation(c.filename, digest, raw, nil)}
			case "bundle":
				atts = []Attestation{tr.VerifyPyPIBundle(c.filename, digest, raw)}
			case "provenance":
				atts = tr.VerifyPyPIProvenance(c.filename, digest, raw)
			}
			var r Result
			aggregate(&r, atts, isPyPIProvenance)
			if testing.Verbose() {
				b, _ := json.MarshalIndent(r, "", " ")
				t.Logf("%s", b)
			}
			if r.Status != c.want || !strings.Contains(r.Reason, c.reason) {
				t.Fatalf("SUMMARY status %s (%s), want %s containing %q", r.Status, r.Reason, c.want, c.reason)
			}
			if c.want == StatusVerified && (r.Publisher == nil || r.Publisher.SAN != c.san) {
				t.Errorf("publisher %+v, want SAN %s", r.Publisher, c.san)
			}
		})
	}
}
