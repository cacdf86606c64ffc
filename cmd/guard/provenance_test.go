package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/installguard/guard/lockfile/corpustest"
)

// corpusDir returns the shared corpus or skips (see lockfile/corpustest).
func corpusDir(t testing.TB) string { return corpustest.Dir(t) }

// TestProvenanceEndToEnd points npm's configuration at a local registry
// serving real attestation answers from the corpus: a genuine one, a
// tampered one, and none at all.
func TestProvenanceEndToEnd(t *testing.T) {
	corpus := corpusDir(t)
	att := filepath.Join(corpus, "npm-attestations")
	answers := map[string]string{
		"/-/npm/v1/attestations/sigstore@1.0.0": filepath.Join(att, "npm-cli", "sigstore@1.0.0.attestations.json"),
		"/-/npm/v1/attestations/sigstore@0.4.0": filepath.Join(att, "pacote", "sigstore@0.4.0.mismatched-subject-digest-attestations.json"),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if f, ok := answers[r.URL.Path]; ok {
			http.ServeFile(w, r, f)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()

	integrity := func(v string) string {
		data, err := os.ReadFile(filepath.Join(att, "artifacts", "sigstore@"+v+".manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m struct{ Dist struct{ Integrity string } }
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		return m.Dist.Integrity
	}
	lock := func(version string) string {
		dir := t.TempDir()
		content := `{"lockfileVersion": 3, "packages": {"": {"dependencies": {"sigstore": "` + version + `", "left-pad": "1.3.0"}},
  "node_modules/sigstore": {"version": "` + version + `", "integrity": "` + integrity(version) + `"},
  "node_modules/left-pad": {"version": "1.3.0", "integrity": "` + integrity("1.0.0") + `"}}}`
		if err := os.WriteFile(filepath.Join(dir, "package-lock.json"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	environ := map[string]string{"GUARD_NO_PROVENANCE": "", "npm_config_registry": srv.URL + "/"}

	r := runGuard(t, environ, false, "check", "--format", "json", lock("1.0.0"))
	var rep struct {
		Packages []struct {
			Name       string
			Provenance *struct {
				Status    string
				Publisher *struct{ Repository, Workflow, Ref string }
			}
		}
		Findings []struct{ Rule string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("exit %d: %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	if r.code != 0 || len(rep.Findings) != 0 {
		t.Fatalf("genuine provenance: exit %d, findings %+v\n%s", r.code, rep.Findings, r.stdout)
	}
	status := map[string]string{}
	for _, p := range rep.Packages {
		if p.Provenance == nil {
			t.Fatalf("%s: no provenance in the report", p.Name)
		}
		status[p.Name] = p.Provenance.Status
		if p.Name == "sigstore" && (p.Provenance.Publisher == nil || !strings.Contains(p.Provenance.Publisher.Repository, "sigstore/sigstore-js") ||
			p.Provenance.Publisher.Workflow != ".github/workflows/publish.yml" || p.Provenance.Publisher.Ref != "refs/tags/v1.0.0") {
			t.Errorf("publisher %+v", p.Provenance.Publisher)
		}
	}
	if status["sigstore"] != "verified" || status["left-pad"] != "missing" {
		t.Errorf("statuses %v", status)
	}

	bad := runGuard(t, environ, false, "check", "--mode", "warn", lock("0.4.0"))
	if bad.code != 1 || !strings.Contains(bad.stdout, "provenance-invalid") {
		t.Fatalf("tampered attestation: exit %d\n%s", bad.code, bad.stdout)
	}
	// --no-provenance: not gathered, and the summary says so
	skip := runGuard(t, environ, false, "check", "--no-provenance", lock("0.4.0"))
	if skip.code != 0 || !strings.Contains(skip.stdout, "not checked") {
		t.Fatalf("--no-provenance: exit %d\n%s", skip.code, skip.stdout)
	}
}

func TestReadNpmrc(t *testing.T) {
	dir := t.TempDir()
	rc := filepath.Join(dir, ".npmrc")
	os.WriteFile(rc, []byte("; comment\n# comment\nregistry = \"https://npm.example.test/${TEAM}/\"\n@myorg:registry=https://npm.myorg.test/\n//npm.myorg.test/:_authToken=secret\n"), 0o600)
	def, scopes, _ := readNpmrc(rc, func(k string) string { return map[string]string{"TEAM": "core"}[k] })
	if def != "https://npm.example.test/core/" || scopes["@myorg"] != "https://npm.myorg.test/" || len(scopes) != 1 {
		t.Fatalf("registry %q scopes %v", def, scopes)
	}
	e := &env{getenv: func(k string) string {
		return map[string]string{"npm_config_registry": "https://env.example.test/", "NPM_CONFIG_USERCONFIG": filepath.Join(dir, "none"), "PIP_INDEX_URL": "https://pypi.example.test/simple"}[k]
	}}
	r, err := e.discoverRegistries(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if r.npm != "https://env.example.test/" || r.npmScopes["@myorg"] != "https://npm.myorg.test/" || r.pypi != "https://pypi.example.test/simple" {
		t.Fatalf("%+v", r)
	}
}
