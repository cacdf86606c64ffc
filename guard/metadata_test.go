package guard_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	osvschema "github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/guard/report"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/lockfile/corpustest"
	"github.com/installguard/guard/verify/advisory"
	"github.com/installguard/guard/verify/provenance"
)

// noAdvisories answers every query with no advisories.
type noAdvisories struct{}

func (noAdvisories) Query(_ context.Context, qs []advisory.Query) ([][]*osvschema.Vulnerability, error) {
	return make([][]*osvschema.Vulnerability, len(qs)), nil
}

// metaRegistry is a loopback npm registry and PEP 691 index serving
// packuments built from the corpus's real version manifests and index
// pages listing the corpus's real distributions (by their sha256).
type metaRegistry struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
	fail map[string]bool // paths answering 503
}

// metaFixture is the project the tests check: an npm lockfile and a
// hashed requirements file, both pinning corpus artifacts.
type metaFixture struct {
	dir string
	reg *metaRegistry
}

func newMetaFixture(t *testing.T, now time.Time) *metaFixture {
	t.Helper()
	corpus := corpustest.Dir(t)
	art := filepath.Join(corpus, "npm-attestations", "artifacts")
	manifest := func(v string) map[string]any {
		b, err := os.ReadFile(filepath.Join(art, "sigstore@"+v+".manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	versions := map[string]any{}
	integrity := map[string]string{}
	for _, v := range []string{"0.4.0", "1.0.0", "1.3.0", "2.0.0"} {
		m := manifest(v)
		integrity[v] = m["dist"].(map[string]any)["integrity"].(string)
		versions[v] = m
	}
	// `npm deprecate` writes the notice into the version's manifest.
	versions["1.0.0"].(map[string]any)["deprecated"] = "1.x is unsupported, use sigstore@2"
	packument, _ := json.Marshal(map[string]any{
		"name": "sigstore", "versions": versions,
		"dist-tags": map[string]string{"latest": "2.0.0"},
		"time": map[string]string{
			"created": "2022-10-04T18:02:07.000Z", "modified": now.Add(-24 * time.Hour).Format(time.RFC3339Nano),
			"0.4.0": "2023-01-11T17:31:00.000Z", "1.0.0": "2023-02-09T17:56:00.000Z", "1.3.0": "2023-04-10T20:01:00.000Z",
			// published yesterday: inside a 7-day cooldown
			"2.0.0": now.Add(-24 * time.Hour).Format(time.RFC3339Nano),
		},
	})

	tuf, err := os.ReadFile(filepath.Join(art, "tuf-js@1.0.0.manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tufManifest map[string]any
	if err := json.Unmarshal(tuf, &tufManifest); err != nil {
		t.Fatal(err)
	}
	integrity["tuf-js"] = tufManifest["dist"].(map[string]any)["integrity"].(string)
	tufPackument, _ := json.Marshal(map[string]any{"name": "tuf-js", "versions": map[string]any{"1.0.0": tufManifest},
		"time": map[string]string{"created": "2022-11-01T00:00:00.000Z", "1.0.0": "2023-01-20T00:00:00.000Z"}})

	py := filepath.Join(corpus, "pypi-attestations")
	dist := func(rel string) (name, sum string) {
		b, err := os.ReadFile(filepath.Join(py, rel))
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(b)
		return filepath.Base(rel), hex.EncodeToString(s[:])
	}
	page := func(project string, status map[string]string, files ...map[string]any) []byte {
		p := map[string]any{"meta": map[string]string{"api-version": "1.4"}, "name": project, "files": files,
			"versions": []string{"0.0.1", "0.0.2"}}
		if status != nil {
			p["project-status"] = status
		}
		b, _ := json.Marshal(p)
		return b
	}
	sampleFile, sampleSum := dist("warehouse/sampleproject-3.0.0.tar.gz")
	rfcFile, rfcSum := dist("pypi-attestations/rfc8785-0.1.2-py3-none-any.whl")
	attFile, attSum := dist("pypi-attestations/pypi_attestations-0.0.19.tar.gz")
	file := func(name, sum string, yanked any) map[string]any {
		return map[string]any{"filename": name, "url": "../../files/" + name, "hashes": map[string]string{"sha256": sum},
			"requires-python": ">=3.8", "yanked": yanked, "upload-time": "2024-05-01T10:00:00.000000Z", "size": 1000}
	}
	pages := map[string][]byte{
		"/sigstore":                  packument,
		"/tuf-js":                    tufPackument,
		"/simple/sampleproject/":     page("sampleproject", nil, file(sampleFile, sampleSum, "broken metadata")),
		"/simple/rfc8785/":           page("rfc8785", map[string]string{"status": "quarantined", "reason": "reported as malware"}, file(rfcFile, rfcSum, false)),
		"/simple/pypi-attestations/": page("pypi-attestations", nil, file(attFile, attSum, false)),
	}
	reg := &metaRegistry{hits: map[string]int{}, fail: map[string]bool{}}
	reg.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reg.mu.Lock()
		reg.hits[r.URL.Path]++
		fail := reg.fail[r.URL.Path]
		reg.mu.Unlock()
		body, ok := pages[r.URL.Path]
		switch {
		case fail:
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		case !ok:
			http.NotFound(w, r)
		default:
			w.Write(body)
		}
	}))
	t.Cleanup(reg.Close)

	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("package-lock.json", `{"lockfileVersion": 3, "packages": {
  "": {"dependencies": {"sigstore": "2.0.0", "tuf-js": "1.0.0"}},
  "node_modules/sigstore": {"version": "2.0.0", "integrity": "`+integrity["2.0.0"]+`"},
  "node_modules/tuf-js": {"version": "1.0.0", "integrity": "`+integrity["tuf-js"]+`", "dependencies": {"sigstore": "1.0.0"}},
  "node_modules/tuf-js/node_modules/sigstore": {"version": "1.0.0", "integrity": "`+integrity["1.0.0"]+`"}
}}`)
	write("requirements.txt", "sampleproject==3.0.0 --hash=sha256:"+sampleSum+"\n"+
		"rfc8785==0.1.2 --hash=sha256:"+rfcSum+"\n"+
		"pypi-attestations==0.0.19 --hash=sha256:"+attSum+"\n")
	return &metaFixture{dir: dir, reg: reg}
}

func (f *metaFixture) registry(t *testing.T) *provenance.Registry {
	t.Helper()
	g, err := provenance.NewRegistry(provenance.WithNPMRegistry(f.reg.URL), provenance.WithPyPIIndex(f.reg.URL+"/simple"),
		provenance.WithAttempts(1))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func (f *metaFixture) policy(t *testing.T, org, project string) *policy.Policy {
	t.Helper()
	src := policy.Sources{ProjectDir: f.dir, NoDiscovery: true}
	if project != "" {
		if err := os.WriteFile(filepath.Join(f.dir, "guard.toml"), []byte(project), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if org != "" {
		p := filepath.Join(t.TempDir(), "org.toml")
		if err := os.WriteFile(p, []byte(org), 0o644); err != nil {
			t.Fatal(err)
		}
		src.Org = p
	}
	pol, diags, err := policy.Load(context.Background(), src)
	if err != nil {
		t.Fatalf("policy: %v %v", err, diags)
	}
	return pol
}

func items(r *guard.Report) map[string]guard.ItemResult {
	out := map[string]guard.ItemResult{}
	for _, it := range r.Items {
		out[it.Rule] = it
	}
	return out
}

func keys(r *guard.Report, rules ...string) []string {
	var out []string
	for _, f := range r.Findings {
		for _, rule := range rules {
			if f.Rule == rule {
				out = append(out, f.Rule+" "+f.Name+"@"+f.Version+" "+f.ID)
			}
		}
	}
	return out
}

// TestNoProvenanceKeepsMetadataRules: registry metadata is its own
// evidence. With provenance skipped (--no-provenance), cooldown,
// deprecated, yanked and quarantined still read the packument and the
// index pages, and find what they find with provenance on; only the
// provenance items read "not checked". Each document is fetched once
// although two lockfile entries share the packument.
func TestNoProvenanceKeepsMetadataRules(t *testing.T) {
	now := time.Now().UTC()
	f := newMetaFixture(t, now)
	r, err := guard.Check(context.Background(), guard.Options{Paths: []string{f.dir}, Advisories: noAdvisories{},
		Policy: f.policy(t, "", "[cooldown]\nmin-age = \"7d\"\n"), NoProvenanceReason: "skipped (--no-provenance)",
		Metadata: f.registry(t), Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("errors %+v", r.Errors)
	}
	got := strings.Join(keys(r, guard.RuleCooldown, guard.RuleDeprecated, guard.RuleYanked, guard.RuleQuarantined), "|")
	for _, want := range []string{
		"cooldown sigstore@2.0.0 too-new",
		"deprecated sigstore@1.0.0 deprecated",
		"yanked sampleproject@3.0.0 yanked",
		"quarantined rfc8785@0.1.2 quarantined",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("findings %q lack %q", got, want)
		}
	}
	if strings.Count(got, "|") != 3 {
		t.Errorf("findings %q, want 4", got)
	}
	it := items(r)
	for rule, want := range map[string]string{
		guard.RuleCooldown: guard.StatusBlock, guard.RuleDeprecated: guard.StatusWarn, guard.RuleYanked: guard.StatusBlock,
		guard.RuleQuarantined:         guard.StatusBlock,
		guard.RuleProvenanceInvalid:   guard.StatusNotChecked,
		guard.RuleProvenanceDowngrade: guard.StatusNotChecked,
	} {
		if it[rule].Status != want {
			t.Errorf("%s item %+v, want %s", rule, it[rule], want)
		}
	}
	if n := f.reg.hits["/sigstore"]; n != 1 {
		t.Errorf("packument fetched %d times", n)
	}
	var b bytes.Buffer
	if err := writeReport(t, "json", &b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"metadata": {`) || !strings.Contains(b.String(), `"deprecated": "1.x is unsupported, use sigstore@2"`) {
		t.Errorf("JSON report lacks the packages' metadata:\n%s", b.String())
	}
}

// TestMetadataFetchFailureIsNotAPass: a packument or index page that could
// not be read leaves cooldown, deprecated, yanked and quarantined "error"
// (never "pass") in JSON and text, and fails the run (exit 3) unless the
// org policy's on-error says warn; the items stay "error" then too, and
// the findings that could be made still block.
func TestMetadataFetchFailureIsNotAPass(t *testing.T) {
	now := time.Now().UTC()
	for _, c := range []struct {
		name, org string
		exit      int
		verdict   guard.Verdict
	}{
		{name: "default", exit: guard.ExitIncomplete, verdict: guard.VerdictError},
		// The failure no longer fails the run; the findings made still block.
		{name: "on-error warn", org: "on-error = \"warn\"\n", exit: guard.ExitBlocked, verdict: guard.VerdictBlock},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newMetaFixture(t, now)
			// Everything read fine but for one npm packument and one
			// project page: no finding is possible for them.
			f.reg.fail["/sigstore"] = true
			f.reg.fail["/simple/pypi-attestations/"] = true
			r, err := guard.Check(context.Background(), guard.Options{Paths: []string{f.dir}, Advisories: noAdvisories{},
				Policy:             f.policy(t, c.org, "[cooldown]\nmin-age = \"7d\"\n[deprecated]\naction = \"block\"\n"),
				NoProvenanceReason: "skipped (--no-provenance)", Metadata: f.registry(t), Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			if r.ExitCode() != c.exit || r.Verdict != c.verdict {
				t.Errorf("exit %d verdict %s, want %d %s; errors %+v", r.ExitCode(), r.Verdict, c.exit, c.verdict, r.Errors)
			}
			it := items(r)
			for _, rule := range []string{guard.RuleCooldown, guard.RuleDeprecated} {
				if it[rule].Status != guard.StatusError || !strings.Contains(it[rule].Note, "registry metadata") {
					t.Errorf("%s item %+v, want error", rule, it[rule])
				}
			}
			// yanked and quarantined found what they could, and still
			// read as findings: block wins over error.
			for _, rule := range []string{guard.RuleYanked, guard.RuleQuarantined} {
				if it[rule].Status != guard.StatusBlock {
					t.Errorf("%s item %+v", rule, it[rule])
				}
			}
			var js, txt bytes.Buffer
			if err := writeReport(t, "json", &js, r); err != nil {
				t.Fatal(err)
			}
			if err := writeReport(t, "text", &txt, r); err != nil {
				t.Fatal(err)
			}
			var doc struct {
				Items []struct {
					Rule, Status string
				} `json:"items"`
			}
			if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			for _, i := range doc.Items {
				if (i.Rule == guard.RuleCooldown || i.Rule == guard.RuleDeprecated) && i.Status != "error" {
					t.Errorf("JSON item %s: %s", i.Rule, i.Status)
				}
			}
			seen := 0
			for _, line := range strings.Split(txt.String(), "\n") {
				for _, rule := range []string{guard.RuleCooldown, guard.RuleDeprecated} {
					if fields := strings.Fields(line); len(fields) > 2 && fields[1] == rule {
						seen++
						if fields[2] != "error" {
							t.Errorf("text item line %q does not read error", line)
						}
					}
				}
			}
			if seen != 2 {
				t.Errorf("text report has %d of the 2 item lines:\n%s", seen, txt.String())
			}
			if !strings.Contains(txt.String(), "registry metadata: could not be read for 3 of 6 packages") {
				t.Errorf("text report does not say what failed:\n%s", txt.String())
			}
		})
	}
	// Only yanked-relevant data missing (a PyPI page): the npm-only
	// failure above aside, quarantined and yanked read error when a page
	// fails and nothing else is found.
	f := newMetaFixture(t, now)
	f.reg.fail["/simple/pypi-attestations/"] = true
	f.reg.fail["/simple/sampleproject/"] = true
	f.reg.fail["/simple/rfc8785/"] = true
	r, _ := guard.Check(context.Background(), guard.Options{Paths: []string{f.dir}, Advisories: noAdvisories{},
		Policy: f.policy(t, "", ""), NoProvenanceReason: "skipped (--no-provenance)", Metadata: f.registry(t)})
	it := items(r)
	for _, rule := range []string{guard.RuleYanked, guard.RuleQuarantined} {
		if it[rule].Status != guard.StatusError {
			t.Errorf("%s item %+v, want error", rule, it[rule])
		}
	}
}

// TestMetadataOffline: without registry metadata (offline) its rules read
// "not checked" with the reason, never pass.
func TestMetadataOffline(t *testing.T) {
	f := newMetaFixture(t, time.Now())
	r, err := guard.Check(context.Background(), guard.Options{Paths: []string{f.dir}, Advisories: noAdvisories{},
		Policy: f.policy(t, "", "[cooldown]\nmin-age = \"7d\"\n"), NoProvenanceReason: "skipped (offline)",
		NoMetadataReason: "registry metadata was not read (offline)"})
	if err != nil {
		t.Fatal(err)
	}
	it := items(r)
	for _, rule := range []string{guard.RuleCooldown, guard.RuleDeprecated, guard.RuleYanked, guard.RuleQuarantined} {
		if it[rule].Status != guard.StatusNotChecked || !strings.Contains(it[rule].Note, "offline") {
			t.Errorf("%s item %+v", rule, it[rule])
		}
	}
	if r.ExitCode() != guard.ExitAllow {
		t.Errorf("exit %d", r.ExitCode())
	}
	for _, h := range f.reg.hits {
		if h > 0 {
			t.Errorf("offline run asked the registry: %v", f.reg.hits)
		}
	}
}

// shuffledMetadata answers as the Registry does, but reorders the packages
// before asking: answers are joined by key, so order cannot matter.
type shuffledMetadata struct{ g *provenance.Registry }

func (s shuffledMetadata) Metadata(ctx context.Context, pkgs []lockfile.Package) map[string]provenance.Metadata {
	cp := append([]lockfile.Package(nil), pkgs...)
	rand.New(rand.NewSource(int64(len(cp)))).Shuffle(len(cp), func(i, j int) { cp[i], cp[j] = cp[j], cp[i] })
	return s.g.Metadata(ctx, cp)
}

// TestEvidenceJoinedByKey: each package's metadata is its own whatever
// order the source works in, across two lockfiles.
func TestEvidenceJoinedByKey(t *testing.T) {
	f := newMetaFixture(t, time.Now())
	r, err := guard.Check(context.Background(), guard.Options{Paths: []string{f.dir}, Advisories: noAdvisories{},
		Policy: f.policy(t, "", ""), NoProvenanceReason: "skipped (--no-provenance)", Metadata: shuffledMetadata{f.registry(t)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Packages) != 6 {
		t.Fatalf("%d packages", len(r.Packages))
	}
	for _, p := range r.Packages {
		m := p.Metadata
		if m == nil || m.Name != p.Name || m.Version != p.Version || m.Status != provenance.MetadataRead {
			t.Errorf("%s: metadata %+v", p.Key(), m)
		}
	}
	got := keys(r, guard.RuleDeprecated, guard.RuleYanked, guard.RuleQuarantined)
	sort.Strings(got)
	if want := "deprecated sigstore@1.0.0 deprecated|quarantined rfc8785@0.1.2 quarantined|yanked sampleproject@3.0.0 yanked"; strings.Join(got, "|") != want {
		t.Errorf("findings %q, want %q", got, want)
	}
}

// writeReport writes r in format through the report package's one Writer.
func writeReport(t *testing.T, format string, w io.Writer, r *guard.Report) error {
	t.Helper()
	rw, err := report.New(format, report.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return rw.Write(w, r)
}
