package guard

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/provenance"
)

// fakeProvenance answers from a table keyed by name@version.
type fakeProvenance map[string]provenance.Result

func (f fakeProvenance) VerifyByKey(_ context.Context, pkgs []lockfile.Package) map[string]provenance.Result {
	out := make(map[string]provenance.Result, len(pkgs))
	for _, p := range pkgs {
		r, ok := f[p.Key()]
		if !ok {
			r = provenance.Result{Status: provenance.StatusMissing}
		}
		r.Name, r.Version = p.Name, p.Version
		out[provenance.PackageKey(&p)] = r
	}
	return out
}

// fakeMetadata answers registry metadata from a table keyed by
// name@version; other packages read, with nothing to say.
type fakeMetadata map[string]provenance.Metadata

func (f fakeMetadata) Metadata(_ context.Context, pkgs []lockfile.Package) map[string]provenance.Metadata {
	out := make(map[string]provenance.Metadata, len(pkgs))
	for _, p := range pkgs {
		m, ok := f[p.Key()]
		if !ok {
			m = provenance.Metadata{Status: provenance.MetadataRead, Known: true}
		}
		m.Ecosystem, m.Name, m.Version = string(p.Ecosystem), p.Name, p.Version
		out[provenance.PackageKey(&p)] = m
	}
	return out
}

func provenanceLockfile(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(t, dir, "package-lock.json", `{"lockfileVersion": 3, "packages": {
  "": {"dependencies": {"good": "1.0.0", "bad": "1.0.0", "dropped": "2.0.0", "@myorg/lib": "1.0.0", "moved": "3.0.0", "renamed": "1.0.0"}},
  "node_modules/good": {"version": "1.0.0", "integrity": "sha512-RQD73jlAxGXhp/cCoHAlJdS00osIKwaZJACY24bBxqQigGtYRQ9RlRRrW4y34bWnsbN/9B7QZpTO4Gh2FCntvg=="},
  "node_modules/bad": {"version": "1.0.0", "integrity": "sha512-RQD73jlAxGXhp/cCoHAlJdS00osIKwaZJACY24bBxqQigGtYRQ9RlRRrW4y34bWnsbN/9B7QZpTO4Gh2FCntvg=="},
  "node_modules/dropped": {"version": "2.0.0", "integrity": "sha512-RQD73jlAxGXhp/cCoHAlJdS00osIKwaZJACY24bBxqQigGtYRQ9RlRRrW4y34bWnsbN/9B7QZpTO4Gh2FCntvg=="},
  "node_modules/moved": {"version": "3.0.0", "integrity": "sha512-RQD73jlAxGXhp/cCoHAlJdS00osIKwaZJACY24bBxqQigGtYRQ9RlRRrW4y34bWnsbN/9B7QZpTO4Gh2FCntvg=="},
  "node_modules/renamed": {"version": "1.0.0", "integrity": "sha512-RQD73jlAxGXhp/cCoHAlJdS00osIKwaZJACY24bBxqQigGtYRQ9RlRRrW4y34bWnsbN/9B7QZpTO4Gh2FCntvg=="},
  "node_modules/@myorg/lib": {"version": "1.0.0", "integrity": "sha512-RQD73jlAxGXhp/cCoHAlJdS00osIKwaZJACY24bBxqQigGtYRQ9RlRRrW4y34bWnsbN/9B7QZpTO4Gh2FCntvg=="}
}}`)
	return dir
}

var provenanceAnswers = fakeProvenance{
	"good@1.0.0": {Status: provenance.StatusVerified, Publisher: &provenance.Publisher{
		Repository: "https://github.com/o/good", Workflow: ".github/workflows/release.yml", Ref: "refs/tags/v1.0.0"}},
	"bad@1.0.0": {Status: provenance.StatusInvalid, Reason: "attestation 0: subject digest does not match the lockfile's sha512"},
	"dropped@2.0.0": {Status: provenance.StatusMissing, Downgrade: &provenance.Downgrade{Version: "2.0.0", Known: true,
		ProvenanceDropped: true, EarlierWithProvenance: 3, LastWithProvenance: "1.9.0"}},
	"moved@3.0.0": {Status: provenance.StatusVerified, Downgrade: &provenance.Downgrade{Version: "3.0.0", Known: true,
		RepositoryChanged: true, Repository: "github.com/evil/moved", PreviousRepository: "github.com/o/moved", PreviousVersion: "2.9.0",
		EarlierWithProvenance: 2, HasProvenance: true}},
	// a repository change between versions that never had provenance is
	// no finding: self-declared repository fields change with transfers
	"renamed@1.0.0": {Status: provenance.StatusMissing, Downgrade: &provenance.Downgrade{Version: "1.0.0", Known: true,
		RepositoryChanged: true, Repository: "github.com/new/renamed", PreviousRepository: "github.com/old/renamed", PreviousVersion: "0.9.0"}},
}

func TestProvenanceRules(t *testing.T) {
	dir := provenanceLockfile(t)
	pol := projectPolicy(t, dir, `[provenance]
require = ["npm:@myorg/*"]

[[provenance.publisher]]
package = "npm:good"
repository = "github.com/o/*"
workflow = ".github/workflows/release.yml"

[[provenance.publisher]]
package = "npm:moved"
repository = "github.com/o/*"
`)
	r, err := Check(context.Background(), Options{Paths: []string{dir}, Policy: pol,
		Advisories: &memSource{}, Provenance: provenanceAnswers})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Action{}
	for _, f := range r.Findings {
		got[f.Rule+" "+f.Name+" "+f.ID] = f.Action
		if f.Item != "Z3.3" || f.Message == "" {
			t.Errorf("finding %+v", f)
		}
	}
	want := map[string]Action{
		"provenance-invalid bad attestation-invalid":      Block,
		"provenance-downgrade dropped provenance-dropped": Block,
		"provenance-downgrade moved repository-changed":   Block,
		// moved\'s verified identity names no repository matching its pin
		"publisher moved publisher-mismatch": Block,
		"provenance @myorg/lib missing":      Block,
	}
	if len(got) != len(want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	for k, a := range want {
		if got[k] != a {
			t.Errorf("%s: %q, want %q (all %v)", k, got[k], a, got)
		}
	}
	for _, p := range r.Packages {
		if p.Provenance == nil {
			t.Fatalf("%s has no provenance in the report", p.Name)
		}
		if p.Name == "good" && (p.Provenance.Status != provenance.StatusVerified || p.Provenance.Publisher.Workflow != ".github/workflows/release.yml") {
			t.Errorf("good: %+v", p.Provenance)
		}
	}
}

func TestProvenanceInvalidBlocksAtEveryLevelAndMode(t *testing.T) {
	dir := provenanceLockfile(t)
	for _, opts := range []Options{{Level: 0, Mode: Block}, {Level: 2, Mode: Warn}} {
		opts.Paths, opts.Advisories, opts.Provenance = []string{dir}, &memSource{}, provenanceAnswers
		r, err := Check(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if r.Verdict != VerdictBlock {
			t.Errorf("level %d mode %s: verdict %s", opts.Level, opts.Mode, r.Verdict)
		}
	}
}

func TestProvenanceNotGathered(t *testing.T) {
	dir := provenanceLockfile(t)
	r, err := Check(context.Background(), Options{Paths: []string{dir}, Level: 2, Mode: Block, Advisories: &memSource{}, NoProvenanceReason: "offline"})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range r.Items {
		if strings.HasPrefix(it.Rule, "provenance") && (it.Status != "not checked" || it.Note != "offline") {
			t.Errorf("item %+v", it)
		}
	}
	if r.ExitCode() != ExitAllow {
		t.Errorf("exit %d", r.ExitCode())
	}
	// a requirement that cannot be checked fails closed
	pol := projectPolicy(t, dir, "[provenance]\nrequire = [\"good\"]\n")
	r, _ = Check(context.Background(), Options{Paths: []string{dir}, Policy: pol, Advisories: &memSource{}, NoProvenanceReason: "offline"})
	if r.ExitCode() != ExitIncomplete {
		t.Errorf("required but not gathered: exit %d", r.ExitCode())
	}
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// projectPolicy loads a project policy (guard.toml in dir) with no org
// policy, as 'guard check' would.
func projectPolicy(t *testing.T, dir, toml string) *policy.Policy {
	t.Helper()
	writeFile(t, dir, "guard.toml", toml)
	p, diags, err := policy.Load(context.Background(), policy.Sources{ProjectDir: dir, NoDiscovery: true})
	if err != nil {
		t.Fatalf("policy: %v %v", err, diags)
	}
	return p
}
