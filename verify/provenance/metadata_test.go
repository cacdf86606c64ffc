package provenance

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/installguard/guard/lockfile"
)

// TestMetadataStatuses: a registry that answers gives "read"; one that
// fails (5xx after retries, 404) gives "error" with the reason; a registry
// that offers nothing to read (none configured, an index without PEP 691
// JSON, crates.io, a git source) gives "unavailable". Failures are asked
// once per run.
func TestMetadataStatuses(t *testing.T) {
	reg := newTestRegistry(t)
	reg.handle("/down", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) })
	reg.handle("/simple/html/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html><body><a href=\"html-1.0.tar.gz\">html-1.0.tar.gz</a></body></html>"))
	})
	g, err := NewRegistry(WithNPMRegistry(reg.URL), WithPyPIIndex(reg.URL+"/simple"), WithAttempts(2))
	if err != nil {
		t.Fatal(err)
	}
	g.fetch.backoff = 0
	npm := func(name string) lockfile.Package {
		return lockfile.Package{Ecosystem: lockfile.NPM, Name: name, Version: "1.0.0", Source: lockfile.Source{Kind: lockfile.SourceRegistry}}
	}
	git := npm("from-git")
	git.Source = lockfile.Source{Kind: lockfile.SourceGit, URL: "https://example.test/x.git"}
	crate := lockfile.Package{Ecosystem: lockfile.CratesIO, Name: "serde", Version: "1.0.0"}
	ctx := context.Background()
	for _, c := range []struct {
		p      lockfile.Package
		status MetadataStatus
		reason string
	}{
		{npm("down"), MetadataError, "503"},
		{npm("down"), MetadataError, "503"},
		{npm("gone"), MetadataError, "404"},
		{pyPkg("html", "1.0", make([]byte, 32)), MetadataUnavailable, "not a PEP 691 JSON answer"},
		{crate, MetadataUnavailable, "crates.io"},
		{git, MetadataUnavailable, "git source"},
	} {
		m := g.PackageMetadata(ctx, c.p)
		if m.Status != c.status || !strings.Contains(m.Reason, c.reason) || m.Name != c.p.Name {
			t.Errorf("%s: %+v, want %s %q", c.p.Name, m, c.status, c.reason)
		}
	}
	if n := reg.hitCount("/down"); n != 2 {
		t.Errorf("a failing packument was asked %d times, want 2 (one fetch, two attempts)", n)
	}
	none, _ := NewRegistry()
	if m := none.PackageMetadata(ctx, npm("x")); m.Status != MetadataUnavailable || !strings.Contains(m.Reason, "no npm registry configured") {
		t.Errorf("no registry: %+v", m)
	}
	if m := none.PackageMetadata(ctx, pyPkg("x", "1.0")); m.Status != MetadataUnavailable || !strings.Contains(m.Reason, "no Python package index") {
		t.Errorf("no index: %+v", m)
	}
}
