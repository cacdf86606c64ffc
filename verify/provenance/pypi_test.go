package provenance

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/installguard/guard/lockfile"
)

func pyPkg(name, version string, sha256s ...[]byte) lockfile.Package {
	p := lockfile.Package{Ecosystem: lockfile.PyPI, Name: name, Version: version, Source: lockfile.Source{Kind: lockfile.SourceRegistry}}
	for _, s := range sha256s {
		p.Hashes = append(p.Hashes, lockfile.Hash{Algorithm: "sha256", Digest: hex.EncodeToString(s)})
	}
	return p
}

// An httptest index speaking PEP 691 JSON with PEP 740 provenance URLs.
func TestPyPIIndex(t *testing.T) {
	sdist := corpusSHA256(t, pyDir+"pypi_attestations-0.0.19.tar.gz")
	wheel := make([]byte, 32)
	wheel[0] = 1
	prov := corpusRead(t, pyDir+"pypi_attestations-0.0.19.tar.gz.provenance")
	page := map[string]any{
		"meta": map[string]string{"api-version": "1.1"},
		"name": "pypi-attestations",
		"files": []map[string]any{
			{"filename": "pypi_attestations-0.0.19.tar.gz", "url": "../../files/a.tar.gz", "hashes": map[string]string{"sha256": hex.EncodeToString(sdist)},
				"provenance": "../../integrity/pypi-attestations/0.0.19/pypi_attestations-0.0.19.tar.gz/provenance"},
			{"filename": "pypi_attestations-0.0.19-py3-none-any.whl", "url": "../../files/b.whl", "hashes": map[string]string{"sha256": hex.EncodeToString(wheel)}, "provenance": nil},
		},
	}
	pb, _ := json.Marshal(page)
	reg := newTestRegistry(t)
	reg.handle("/simple/pypi-attestations/", func(w http.ResponseWriter, req *http.Request) {
		if req.Header.Get("Accept") != acceptSimpleJSON {
			t.Errorf("Accept %q", req.Header.Get("Accept"))
		}
		w.Write(pb)
	})
	provURI := "/integrity/pypi-attestations/0.0.19/pypi_attestations-0.0.19.tar.gz/provenance"
	reg.serve(provURI, prov)
	v, err := New(WithPyPIIndex(reg.URL+"/simple"), WithTrust(defaultTrust(t)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// The sdist alone (name spelled unnormalized): verified, with the
	// Trusted Publisher's identity.
	r := v.VerifyPackage(ctx, pyPkg("PyPI_Attestations", "0.0.19", sdist))
	if r.Status != StatusVerified || r.Publisher == nil || r.Publisher.Repository != "https://github.com/trailofbits/pypi-attestations" || r.Publisher.Workflow != ".github/workflows/release.yml" {
		t.Fatalf("sdist: %s (%s) %+v", r.Status, r.Reason, r.Publisher)
	}
	// sdist and a wheel without provenance: the wheel may be what pip
	// installs, so provenance is missing for it.
	r = v.VerifyPackage(ctx, pyPkg("pypi-attestations", "0.0.19", sdist, wheel))
	if r.Status != StatusMissing || !strings.Contains(r.Reason, "no provenance for pypi_attestations-0.0.19-py3-none-any.whl") {
		t.Errorf("sdist+wheel: %s (%s)", r.Status, r.Reason)
	}
	// A lockfile hash the index does not list.
	other := make([]byte, 32)
	if r := v.VerifyPackage(ctx, pyPkg("pypi-attestations", "0.0.19", other)); r.Status != StatusUnverifiable {
		t.Errorf("unknown hash: %s (%s)", r.Status, r.Reason)
	}
	// No hashes at all.
	if r := v.VerifyPackage(ctx, pyPkg("pypi-attestations", "0.0.19")); r.Status != StatusUnverifiable || !strings.Contains(r.Reason, "sha256") {
		t.Errorf("no hash: %s (%s)", r.Status, r.Reason)
	}
	// A provenance object whose publisher is not the certificate's: invalid.
	var po map[string]any
	json.Unmarshal(prov, &po)
	po["attestation_bundles"].([]any)[0].(map[string]any)["publisher"].(map[string]any)["repository"] = "evil/pypi-attestations"
	bad, _ := json.Marshal(po)
	reg.serve(provURI, bad)
	v, _ = New(WithPyPIIndex(reg.URL+"/simple"), WithTrust(defaultTrust(t)))
	r = v.VerifyPackage(ctx, pyPkg("pypi-attestations", "0.0.19", sdist))
	if r.Status != StatusInvalid || !strings.Contains(r.Reason, "publisher repository https://github.com/evil/pypi-attestations") {
		t.Errorf("wrong publisher: %s (%s)", r.Status, r.Reason)
	}
	// Another file's genuine provenance served for this one: invalid.
	reg.serve(provURI, corpusRead(t, "pypi-attestations/warehouse/sampleproject-4.0.0.tar.gz.provenance"))
	v, _ = New(WithPyPIIndex(reg.URL+"/simple"), WithTrust(defaultTrust(t)))
	r = v.VerifyPackage(ctx, pyPkg("pypi-attestations", "0.0.19", sdist))
	if r.Status != StatusInvalid || !strings.Contains(r.Reason, "subject digest") {
		t.Errorf("other file's provenance: %s (%s)", r.Status, r.Reason)
	}
	// Provenance 404: missing.
	reg.handle(provURI, http.NotFound)
	v, _ = New(WithPyPIIndex(reg.URL+"/simple"), WithTrust(defaultTrust(t)))
	if r := v.VerifyPackage(ctx, pyPkg("pypi-attestations", "0.0.19", sdist)); r.Status != StatusMissing {
		t.Errorf("provenance 404: %s (%s)", r.Status, r.Reason)
	}
}

func TestPyPIPublisherMapping(t *testing.T) {
	tr := defaultTrust(t)
	cases := []struct {
		file, filename string
		pub            PyPIPublisher
		ok             bool
		reason         string
	}{
		{"warehouse/sampleproject-3.0.0.tar.gz.publish.attestation", "sampleproject-3.0.0.tar.gz", PyPIPublisher{Kind: "Google", Email: "919436158236-compute@developer.gserviceaccount.com"}, true, ""},
		{"warehouse/sampleproject-3.0.0.tar.gz.publish.attestation", "sampleproject-3.0.0.tar.gz", PyPIPublisher{Kind: "Google", Email: "someone@example.invalid"}, false, "publisher e-mail"},
		{"warehouse/sampleproject-3.0.0.tar.gz.publish.attestation", "sampleproject-3.0.0.tar.gz", PyPIPublisher{Kind: "GitHub", Repository: "pypa/sampleproject", Workflow: "release.yml"}, false, "issuer"},
		{"pypi-attestations/gitlab_oidc_project-0.0.3.tar.gz.publish.attestation", "gitlab_oidc_project-0.0.3.tar.gz", PyPIPublisher{Kind: "GitLab", Repository: "facutuesca/gitlab-oidc-project", WorkflowFilepath: ".gitlab-ci.yml"}, true, ""},
		{"pypi-attestations/gitlab_oidc_project-0.0.3.tar.gz.publish.attestation", "gitlab_oidc_project-0.0.3.tar.gz", PyPIPublisher{Kind: "GitLab", Repository: "facutuesca/gitlab-oidc-project", WorkflowFilepath: "release.yml"}, false, "build config URI"},
		{"pypi-attestations/pypi_attestations-0.0.19.tar.gz.publish.attestation", "pypi_attestations-0.0.19.tar.gz", PyPIPublisher{Kind: "GitHub", Repository: "trailofbits/pypi-attestations", Workflow: "other.yml"}, false, "build config URI"},
		{"pypi-attestations/pypi_attestations-0.0.19.tar.gz.publish.attestation", "pypi_attestations-0.0.19.tar.gz", PyPIPublisher{Kind: "ActiveState"}, false, "unknown Trusted Publisher kind"},
		// The right file content under another file name.
		{"pypi-attestations/pypi_attestations-0.0.19.tar.gz.publish.attestation", "pypi_attestations-0.0.20.tar.gz", PyPIPublisher{Kind: "GitHub", Repository: "trailofbits/pypi-attestations", Workflow: "release.yml"}, false, "subject name"},
	}
	for _, c := range cases {
		dir := c.file[:strings.LastIndex(c.file, "/")+1]
		sum := corpusSHA256(t, "pypi-attestations/"+dir+strings.Replace(c.filename, "0.0.20", "0.0.19", 1))
		a := tr.VerifyPEP740Attestation(c.filename, sum, corpusRead(t, "pypi-attestations/"+c.file), &c.pub)
		if a.Verified != c.ok || !strings.Contains(a.Err, c.reason) {
			t.Errorf("%s %+v: verified=%v (%s), want %v containing %q", c.file, c.pub, a.Verified, a.Err, c.ok, c.reason)
		}
	}
}

func TestNormalizeDist(t *testing.T) {
	for a, b := range map[string]string{
		"pep740-sampleproject-1.0.0.tar.gz":                                    "pep740_sampleproject-1.0.0.tar.gz",
		"Foo.Bar-1.0-py3-none-any.whl":                                         "foo_bar-1.0-py3-none-any.whl",
		"spt3g-1.0-cp310-cp310-manylinux_2_17_x86_64.manylinux2014_x86_64.whl": "spt3g-1.0-cp310-cp310-manylinux2014_x86_64.manylinux_2_17_x86_64.whl",
	} {
		if normalizeDist(a) != normalizeDist(b) || normalizeDist(a) == "" {
			t.Errorf("%s ~ %s: %q vs %q", a, b, normalizeDist(a), normalizeDist(b))
		}
	}
	if normalizeDist("a-1.0.tar.gz") == normalizeDist("a-1.1.tar.gz") {
		t.Error("versions conflated")
	}
}

// TestPyPIIndexStatus: the PEP 592 yanked marks of the lockfile's files and
// the PEP 792 project status come back with the registry metadata.
func TestPyPIIndexStatus(t *testing.T) {
	mine, other := make([]byte, 32), make([]byte, 32)
	mine[0], other[0] = 1, 2
	page := func(status string, yanked any) []byte {
		p := map[string]any{
			"meta": map[string]string{"api-version": "1.4"},
			"name": "demo",
			"files": []map[string]any{
				{"filename": "demo-1.0-py3-none-any.whl", "url": "x.whl", "hashes": map[string]string{"sha256": hex.EncodeToString(mine)}, "yanked": yanked},
				{"filename": "demo-1.1-py3-none-any.whl", "url": "y.whl", "hashes": map[string]string{"sha256": hex.EncodeToString(other)}, "yanked": "not ours"},
			},
		}
		if status != "" {
			p["project-status"] = map[string]string{"status": status, "reason": "flagged by the index"}
		}
		b, _ := json.Marshal(p)
		return b
	}
	cases := []struct {
		status string
		yanked any
		want   *IndexStatus
	}{
		{"", false, nil},
		{"active", false, nil},
		{"", true, &IndexStatus{Yanked: []string{"demo-1.0-py3-none-any.whl"}}},
		{"", "broken metadata", &IndexStatus{Yanked: []string{"demo-1.0-py3-none-any.whl: broken metadata"}}},
		{"quarantined", false, &IndexStatus{ProjectStatus: "quarantined", ProjectStatusReason: "flagged by the index"}},
	}
	// PEP 700: the project's versions and its files' upload times.
	history := func() []byte {
		var p map[string]any
		json.Unmarshal(page("", false), &p)
		p["versions"] = []string{"1.0", "1.1"}
		files := p["files"].([]any)
		files[0].(map[string]any)["upload-time"] = "2024-03-02T10:00:00.123456Z"
		files[1].(map[string]any)["upload-time"] = "2023-01-05T09:30:00Z"
		b, _ := json.Marshal(p)
		return b
	}
	cases = append(cases, struct {
		status string
		yanked any
		want   *IndexStatus
	}{"history", false, &IndexStatus{Versions: 2, FirstUpload: time.Date(2023, 1, 5, 9, 30, 0, 0, time.UTC)}})
	for _, c := range cases {
		reg := newTestRegistry(t)
		body := page(c.status, c.yanked)
		if c.status == "history" {
			body = history()
		}
		reg.handle("/simple/demo/", func(w http.ResponseWriter, req *http.Request) { w.Write(body) })
		g, err := NewRegistry(WithPyPIIndex(reg.URL + "/simple"))
		if err != nil {
			t.Fatal(err)
		}
		m := g.PackageMetadata(context.Background(), pyPkg("demo", "1.0", mine))
		if m.Status != MetadataRead || !m.Known {
			t.Errorf("status %q yanked %v: metadata %+v", c.status, c.yanked, m)
		}
		got, _ := json.Marshal(m.Index)
		want, _ := json.Marshal(c.want)
		if string(got) != string(want) {
			t.Errorf("status %q yanked %v: index %s, want %s", c.status, c.yanked, got, want)
		}
	}
}
