package provenance

import (
	"testing"
)

func TestDowngradeEvidence(t *testing.T) {
	doc := `{
 "name": "@acme/widget",
 "repository": {"type": "git", "url": "git+https://github.com/acme/widget.git"},
 "time": {"1.0.0": "2024-01-01T00:00:00.000Z", "1.1.0": "2024-02-01T00:00:00.000Z", "1.2.0": "2024-03-01T00:00:00.000Z", "1.10.0": "2024-04-01T00:00:00.000Z", "2.0.0": "2024-05-01T00:00:00.000Z"},
 "versions": {
  "1.0.0": {"version": "1.0.0", "repository": "github:acme/widget", "dist": {}},
  "1.1.0": {"version": "1.1.0", "repository": {"url": "git@github.com:Acme/widget.git"}, "dist": {"attestations": {"url": "x", "provenance": {"predicateType": "https://slsa.dev/provenance/v1"}}}},
  "1.2.0": {"version": "1.2.0", "repository": {"url": "git+https://github.com/acme/widget.git"}, "dist": {"attestations": {"url": "x", "provenance": {"predicateType": "https://slsa.dev/provenance/v1"}}}},
  "1.10.0": {"version": "1.10.0", "repository": {"url": "https://github.com/evil/widget"}, "deprecated": "use 2", "dist": {}},
  "2.0.0": {"version": "2.0.0", "repository": {"url": "https://github.com/acme/widget"}, "dist": {"attestations": {"url": "x", "provenance": {"predicateType": "https://slsa.dev/provenance/v1"}}}}
 }
}`
	p, err := ParsePackument([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	// 1.10.0 sorts above 1.2.0 (semver, not string order): provenance
	// dropped, repository changed.
	d := DowngradeEvidence(p, "1.10.0")
	if !d.Known || d.HasProvenance || !d.ProvenanceDropped || d.EarlierWithProvenance != 2 || d.LastWithProvenance != "1.2.0" {
		t.Errorf("1.10.0 provenance: %+v", d)
	}
	if !d.RepositoryChanged || d.Repository != "github.com/evil/widget" || d.PreviousRepository != "github.com/acme/widget" || d.PreviousVersion != "1.2.0" {
		t.Errorf("1.10.0 repository: %+v", d)
	}
	// Publish time and deprecation are registry metadata, not provenance.
	if m := NPMMetadata(p, "1.10.0"); m.Deprecated != "use 2" || m.PublishedAt.IsZero() || !m.Known || m.Status != MetadataRead {
		t.Errorf("1.10.0 metadata: %+v", m)
	}
	// 2.0.0: has provenance; the repository differs from 1.10.0's.
	if d := DowngradeEvidence(p, "2.0.0"); !d.HasProvenance || d.ProvenanceDropped || !d.RepositoryChanged {
		t.Errorf("2.0.0: %+v", d)
	}
	// 1.2.0: the spellings of acme/widget are one repository.
	if d := DowngradeEvidence(p, "1.2.0"); d.RepositoryChanged || d.ProvenanceDropped {
		t.Errorf("1.2.0: %+v", d)
	}
	if d := DowngradeEvidence(p, "1.0.0"); d.EarlierWithProvenance != 0 || d.ProvenanceDropped {
		t.Errorf("1.0.0: %+v", d)
	}
	if d := DowngradeEvidence(p, "9.9.9"); d.Known {
		t.Errorf("unknown version: %+v", d)
	}
	if m := NPMMetadata(p, "9.9.9"); m.Known || !m.PublishedAt.IsZero() {
		t.Errorf("unknown version metadata: %+v", m)
	}
	// Without "created", the package's first publish is its earliest
	// version's; the count is of every version.
	if m := NPMMetadata(p, "1.0.0"); m.Versions != 5 || !m.Created.Equal(p.PublishedAt("1.0.0")) {
		t.Errorf("created %v, versions %d", m.Created, m.Versions)
	}
	p.Time["created"] = "2023-12-31T00:00:00.000Z"
	if c := p.Created(); c.Format("2006-01-02") != "2023-12-31" {
		t.Errorf("created = %v", c)
	}
}

func TestNormalizeRepo(t *testing.T) {
	for in, want := range map[string]string{
		"git+https://github.com/sigstore/sigstore-js.git":        "github.com/sigstore/sigstore-js",
		"git@github.com:Sigstore/sigstore-js.git":                "github.com/sigstore/sigstore-js",
		"git://github.com/sigstore/sigstore-js":                  "github.com/sigstore/sigstore-js",
		"github:sigstore/sigstore-js":                            "github.com/sigstore/sigstore-js",
		"sigstore/sigstore-js":                                   "github.com/sigstore/sigstore-js",
		"https://gitlab.com/g/sub/p/":                            "gitlab.com/g/sub/p",
		"ssh://git@github.com/a/b.git#main":                      "github.com/a/b",
		"https://www.github.com/DefinitelyTyped/DefinitelyTyped": "github.com/definitelytyped/definitelytyped",
		"https://github.com/zkochan/packages/tree/main/which-pm": "github.com/zkochan/packages",
		"https://gitlab.com/g/sub/p/-/tree/main/pkg":             "gitlab.com/g/sub/p",
		"": "",
	} {
		if got := normalizeRepo(in); got != want {
			t.Errorf("normalizeRepo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNPMNames(t *testing.T) {
	if got := NPMPurl("@laurentsimon/provenance-npm-test", "1.0.0"); got != "pkg:npm/%40laurentsimon/provenance-npm-test@1.0.0" {
		t.Errorf("purl %s", got)
	}
	if got := NPMAttestationsURL("https://npm-registry.invalid/", "@scope/pkg", "1.0.0"); got != "https://npm-registry.invalid/-/npm/v1/attestations/@scope%2fpkg@1.0.0" {
		t.Errorf("url %s", got)
	}
	if err := checkNPMPurl("a", "1.0.0+build.1")("pkg:npm/a@1.0.0%2Bbuild.1"); err != nil {
		t.Error(err)
	}
	if err := checkNPMPurl("a", "1.0.0")("pkg:npm/b@1.0.0"); err == nil {
		t.Error("another package accepted")
	}
}
