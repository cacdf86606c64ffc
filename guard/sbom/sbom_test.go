package sbom

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	spdxjson "github.com/spdx/tools-golang/json"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/lockfile/corpustest"
	"github.com/installguard/guard/verify/advisory"
	"github.com/installguard/guard/verify/provenance"
)

var fixedNow = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

// cdxSchema compiles the official CycloneDX 1.6 JSON schema that
// cyclonedx-go ships in its module (schema/bom-1.6.schema.json, with the
// spdx and jsf schemas it references).
var cdxSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/CycloneDX/cyclonedx-go").Output()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "schema")
	c := jsonschema.NewCompiler()
	// The module names the JSF schema jsf-0.82.schemax.json; bom-1.6
	// refers to it as jsf-0.82.schema.json.
	for f, file := range map[string]string{"bom-1.6.schema.json": "bom-1.6.schema.json",
		"spdx.schema.json": "spdx.schema.json", "jsf-0.82.schema.json": "jsf-0.82.schemax.json"} {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		if err := c.AddResource("http://cyclonedx.org/schema/"+f, doc); err != nil {
			return nil, err
		}
	}
	return c.Compile("http://cyclonedx.org/schema/bom-1.6.schema.json")
})

func validateCycloneDX(t *testing.T, data []byte) map[string]any {
	t.Helper()
	sch, err := cdxSchema()
	if err != nil {
		t.Fatalf("CycloneDX 1.6 schema: %v", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("CycloneDX output does not validate against bom-1.6.schema.json: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m["specVersion"] != "1.6" {
		t.Fatalf("specVersion %v", m["specVersion"])
	}
	// bom-refs are unique and every reference points at one.
	refs := map[string]bool{}
	add := func(c map[string]any) {
		ref, _ := c["bom-ref"].(string)
		if refs[ref] {
			t.Errorf("duplicate bom-ref %q", ref)
		}
		refs[ref] = true
	}
	add(m["metadata"].(map[string]any)["component"].(map[string]any))
	comps, _ := m["components"].([]any)
	for _, c := range comps {
		add(c.(map[string]any))
	}
	deps, _ := m["dependencies"].([]any)
	for _, d := range deps {
		d := d.(map[string]any)
		if !refs[d["ref"].(string)] {
			t.Errorf("dependency ref %q names no component", d["ref"])
		}
		on, _ := d["dependsOn"].([]any)
		for _, o := range on {
			if !refs[o.(string)] {
				t.Errorf("dependsOn %q names no component", o)
			}
		}
	}
	vulns, _ := m["vulnerabilities"].([]any)
	for _, v := range vulns {
		for _, a := range v.(map[string]any)["affects"].([]any) {
			if r := a.(map[string]any)["ref"].(string); !refs[r] {
				t.Errorf("affects ref %q names no component", r)
			}
		}
	}
	return m
}

var spdxIDRe = regexp.MustCompile(`^SPDXRef-[a-zA-Z0-9.-]+$`)

// validateSPDX checks SPDX 2.3 JSON. The official SPDX 2.3 JSON schema is
// not shipped by any module available offline here, so this checks what the
// schema requires structurally (required fields, SPDXID pattern, enumerated
// values, relationships naming existing elements) and that tools-golang
// reads the document back.
func validateSPDX(t *testing.T, data []byte) map[string]any {
	t.Helper()
	if _, err := spdxjson.Read(bytes.NewReader(data)); err != nil {
		t.Fatalf("tools-golang cannot read the SPDX output back: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"spdxVersion", "dataLicense", "SPDXID", "name", "documentNamespace", "creationInfo"} {
		if m[k] == nil || m[k] == "" {
			t.Errorf("document: required %s missing", k)
		}
	}
	if m["spdxVersion"] != "SPDX-2.3" || m["dataLicense"] != "CC0-1.0" || m["SPDXID"] != "SPDXRef-DOCUMENT" {
		t.Errorf("document header %v %v %v", m["spdxVersion"], m["dataLicense"], m["SPDXID"])
	}
	ci := m["creationInfo"].(map[string]any)
	if _, err := time.Parse(time.RFC3339, ci["created"].(string)); err != nil || len(ci["creators"].([]any)) == 0 {
		t.Errorf("creationInfo %v", ci)
	}
	ids := map[string]bool{"SPDXRef-DOCUMENT": true}
	algs := map[string]bool{"SHA1": true, "SHA224": true, "SHA256": true, "SHA384": true, "SHA512": true, "MD5": true,
		"SHA3-256": true, "SHA3-384": true, "SHA3-512": true, "BLAKE2b-256": true, "BLAKE2b-384": true, "BLAKE2b-512": true, "BLAKE3": true}
	cats := map[string]bool{"SECURITY": true, "PACKAGE-MANAGER": true, "PACKAGE_MANAGER": true, "PERSISTENT-ID": true, "OTHER": true}
	for _, p := range m["packages"].([]any) {
		p := p.(map[string]any)
		id, _ := p["SPDXID"].(string)
		if !spdxIDRe.MatchString(id) || ids[id] {
			t.Errorf("bad or duplicate SPDXID %q", id)
		}
		ids[id] = true
		if p["name"] == nil || p["downloadLocation"] == nil {
			t.Errorf("package %s: name/downloadLocation missing", id)
		}
		cs, _ := p["checksums"].([]any)
		for _, c := range cs {
			c := c.(map[string]any)
			if !algs[c["algorithm"].(string)] || !regexp.MustCompile(`^[0-9a-f]+$`).MatchString(c["checksumValue"].(string)) {
				t.Errorf("package %s: checksum %v", id, c)
			}
		}
		er, _ := p["externalRefs"].([]any)
		for _, e := range er {
			e := e.(map[string]any)
			if !cats[e["referenceCategory"].(string)] || e["referenceType"] == "" || e["referenceLocator"] == "" {
				t.Errorf("package %s: externalRef %v", id, e)
			}
		}
		an, _ := p["annotations"].([]any)
		for _, a := range an {
			a := a.(map[string]any)
			for _, k := range []string{"annotationDate", "annotationType", "annotator", "comment"} {
				if a[k] == nil || a[k] == "" {
					t.Errorf("package %s: annotation lacks %s", id, k)
				}
			}
		}
	}
	for _, r := range m["relationships"].([]any) {
		r := r.(map[string]any)
		if !ids[r["spdxElementId"].(string)] || !ids[r["relatedSpdxElement"].(string)] {
			t.Errorf("relationship %v names an unknown element", r)
		}
	}
	return m
}

// sample is a hand-made report covering what the writers map.
func sample() *guard.Report {
	tr := true
	pkgs := []guard.PackageResult{
		{Lockfile: "package-lock.json", Package: lockfile.Package{Ecosystem: lockfile.NPM, Name: "@scope/pkg", Version: "1.2.3",
			Direct: true, ID: "node_modules/@scope/pkg", Deps: []string{"node_modules/lodash"}, Path: "node_modules/@scope/pkg",
			Source:        lockfile.Source{Kind: lockfile.SourceRegistry, URL: "https://npm-registry.invalid/@scope/pkg/-/pkg-1.2.3.tgz"},
			Hashes:        []lockfile.Hash{{Algorithm: "sha512", Digest: "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="}},
			InstallScript: &tr},
			Provenance: &guard.ProvenanceReport{Status: provenance.StatusVerified, Publisher: &provenance.Publisher{
				Repository: "https://github.com/scope/pkg", Workflow: ".github/workflows/release.yml", Ref: "refs/tags/v1.2.3"}}},
		{Lockfile: "package-lock.json", Package: lockfile.Package{Ecosystem: lockfile.NPM, Name: "lodash", Version: "4.17.15",
			ID: "node_modules/lodash", Chain: []string{"@scope/pkg@1.2.3"},
			Hashes: []lockfile.Hash{{Algorithm: "sha1", Digest: "b447f6670a0455bbfeedd11392eff330ea097548"}}},
			Provenance: &guard.ProvenanceReport{Status: provenance.StatusMissing}},
		{Lockfile: "package-lock.json", Package: lockfile.Package{Ecosystem: lockfile.NPM, Name: "lodash", Version: "4.17.15",
			ID: "node_modules/x/node_modules/lodash", Path: "node_modules/x/node_modules/lodash"}},
		{Lockfile: "yarn.lock", Package: lockfile.Package{Ecosystem: lockfile.NPM, Name: "evil", Version: "1.0.0", Direct: true,
			Hashes: []lockfile.Hash{{Algorithm: "sha512", Digest: "abc", Of: "yarn-cache-zip:10c0"}}}},
		{Lockfile: "uv.lock", Package: lockfile.Package{Ecosystem: lockfile.PyPI, Name: "Django_Rest", Version: "3.0", Direct: true, Dev: true,
			Hashes: []lockfile.Hash{{Algorithm: "sha256", Digest: strings.Repeat("ab", 32)}}}},
		{Lockfile: "Cargo.lock", Package: lockfile.Package{Ecosystem: lockfile.CratesIO, Name: "serde", Version: "1.0.0",
			Source: lockfile.Source{Kind: lockfile.SourceGit, URL: "https://github.com/serde-rs/serde", Ref: "abc123"}}},
	}
	return &guard.Report{SchemaVersion: 1, Verdict: guard.VerdictBlock, Level: 3, Mode: guard.Block,
		Lockfiles: []guard.LockfileSummary{{Path: "package-lock.json", Format: lockfile.FormatPackageLock, Ecosystem: lockfile.NPM, Packages: 3}},
		Packages:  pkgs,
		Findings: []guard.Finding{
			{Rule: guard.RuleVulnerability, ID: "GHSA-p6mc-m468-83gw", Aliases: []string{"CVE-2020-8203"}, Ecosystem: lockfile.NPM,
				Name: "lodash", Version: "4.17.15", Lockfile: "package-lock.json", Action: guard.Warn, Severity: "HIGH", Score: 7.4,
				Fixed: []string{"4.17.19"}, Summary: "Prototype pollution", Reachability: "unreachable"},
			{Rule: guard.RuleMalware, ID: "MAL-2099-1", Ecosystem: lockfile.NPM, Name: "evil", Version: "1.0.0",
				Lockfile: "yarn.lock", Action: guard.Block},
			{Rule: guard.RulePinning, ID: "missing-hash", Name: "serde", Lockfile: "Cargo.lock"},
		}}
}

func TestSampleCycloneDX(t *testing.T) {
	r := sample()
	var buf bytes.Buffer
	if err := WriteCycloneDX(&buf, r, Options{ToolVersion: "test", Now: fixedNow, Serial: "3e671687-395b-41f5-a30f-a58921a69b79"}); err != nil {
		t.Fatal(err)
	}
	m := validateCycloneDX(t, buf.Bytes())
	comps := m["components"].([]any)
	if len(comps) != len(r.Packages) {
		t.Fatalf("%d components for %d packages", len(comps), len(r.Packages))
	}
	c0 := comps[0].(map[string]any)
	if c0["purl"] != "pkg:npm/%40scope/pkg@1.2.3" || c0["group"] != "@scope" || c0["name"] != "pkg" {
		t.Errorf("scoped component %v", c0)
	}
	h := c0["hashes"].([]any)[0].(map[string]any)
	if h["alg"] != "SHA-512" || !strings.HasPrefix(h["content"].(string), "cf83e1357eefb8bd") {
		t.Errorf("hash %v", h)
	}
	props := map[string]string{}
	for _, p := range c0["properties"].([]any) {
		p := p.(map[string]any)
		props[p["name"].(string)] = p["value"].(string)
	}
	if props["guard:provenance:status"] != "verified" || props["guard:provenance:repository"] != "https://github.com/scope/pkg" ||
		props["guard:provenance:workflow"] != ".github/workflows/release.yml" || props["guard:provenance:ref"] != "refs/tags/v1.2.3" {
		t.Errorf("provenance properties %v", props)
	}
	if comps[2].(map[string]any)["bom-ref"] != "pkg:npm/lodash@4.17.15#2" {
		t.Errorf("duplicate lodash bom-ref %v", comps[2].(map[string]any)["bom-ref"])
	}
	if _, ok := comps[3].(map[string]any)["hashes"]; ok {
		t.Errorf("yarn cache-zip checksum written as an artifact hash")
	}
	if p := comps[4].(map[string]any)["purl"]; p != "pkg:pypi/django-rest@3.0" {
		t.Errorf("pypi purl %v", p)
	}
	if p := comps[5].(map[string]any)["purl"]; !strings.HasPrefix(p.(string), "pkg:cargo/serde@1.0.0?vcs_url=") {
		t.Errorf("cargo git purl %v", p)
	}
	vulns := m["vulnerabilities"].([]any)
	if len(vulns) != 2 {
		t.Fatalf("vulnerabilities %v", vulns)
	}
	v := vulns[0].(map[string]any)
	if v["id"] != "GHSA-p6mc-m468-83gw" || len(v["affects"].([]any)) != 2 || v["recommendation"] != "Upgrade to 4.17.19." {
		t.Errorf("vulnerability %v", v)
	}
	if rt := v["ratings"].([]any)[0].(map[string]any); rt["severity"] != "high" || rt["score"] != 7.4 {
		t.Errorf("rating %v", rt)
	}
	deps := m["dependencies"].([]any)
	var found bool
	for _, d := range deps {
		d := d.(map[string]any)
		if d["ref"] == "pkg:npm/%40scope/pkg@1.2.3" {
			found = len(d["dependsOn"].([]any)) == 1 && d["dependsOn"].([]any)[0] == "pkg:npm/lodash@4.17.15"
		}
	}
	if !found {
		t.Errorf("graph edge @scope/pkg -> lodash missing: %v", deps)
	}
}

func TestSampleSPDX(t *testing.T) {
	r := sample()
	var buf bytes.Buffer
	if err := WriteSPDX(&buf, r, Options{ToolVersion: "test", Now: fixedNow, Serial: "x"}); err != nil {
		t.Fatal(err)
	}
	m := validateSPDX(t, buf.Bytes())
	pkgs := m["packages"].([]any)
	if len(pkgs) != len(r.Packages)+1 { // + the project
		t.Fatalf("%d packages for %d", len(pkgs), len(r.Packages))
	}
	p1 := pkgs[1].(map[string]any)
	if p1["name"] != "@scope/pkg" || p1["checksums"].([]any)[0].(map[string]any)["algorithm"] != "SHA512" {
		t.Errorf("package %v", p1)
	}
	ann := p1["annotations"].([]any)[0].(map[string]any)["comment"].(string)
	if !strings.Contains(ann, "guard:provenance:status=verified") || !strings.Contains(ann, "guard:provenance:workflow=.github/workflows/release.yml") {
		t.Errorf("annotation %q", ann)
	}
	lod := pkgs[2].(map[string]any)
	var adv bool
	for _, e := range lod["externalRefs"].([]any) {
		e := e.(map[string]any)
		if e["referenceCategory"] == "SECURITY" && e["referenceType"] == "advisory" &&
			e["referenceLocator"] == "https://osv.dev/vulnerability/GHSA-p6mc-m468-83gw" &&
			strings.Contains(e["comment"].(string), "fixed in 4.17.19") {
			adv = true
		}
	}
	if !adv {
		t.Errorf("advisory externalRef missing: %v", lod["externalRefs"])
	}
	rels := 0
	for _, rl := range m["relationships"].([]any) {
		rl := rl.(map[string]any)
		if rl["spdxElementId"] == "SPDXRef-Package-1" && rl["relatedSpdxElement"] == "SPDXRef-Package-2" && rl["relationshipType"] == "DEPENDS_ON" {
			rels++
		}
	}
	if rels != 1 {
		t.Errorf("DEPENDS_ON edge missing")
	}
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]Format{"bom.cdx.json": CycloneDX, "x.spdx.json": SPDX, "a/B.SPDX.JSON": SPDX, "sbom.bom.json": CycloneDX, "x.json": ""} {
		if got, _ := FormatOf(name); got != want {
			t.Errorf("FormatOf(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestCorpusSBOMs: the SBOMs of real lockfiles validate, and the component
// count equals guard check's package count (each report package is one
// component, duplicates at several install paths included).
func TestCorpusSBOMs(t *testing.T) {
	corpus := corpustest.Dir(t)
	db, err := advisory.OpenDB(filepath.Join(corpus, "osv"), advisory.WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, rel := range []string{
		"lockfiles/npm-generated/a-express-lodash/package-lock.json",
		"lockfiles/npm-generated/b-webpack-babel/package-lock.json",
		"lockfiles/npm-generated/c-react-scripts/package-lock.json",
		"lockfiles/cargo/cargo-deny-advisories-example-v3/Cargo.lock",
		"lockfiles/python/poetry/osv-dev/poetry.lock",
		"lockfiles/python/uv/flask/uv.lock",
	} {
		t.Run(rel, func(t *testing.T) {
			r, err := guard.Check(context.Background(), guard.Options{Level: 2, Mode: guard.Block, Advisories: db,
				Paths: []string{filepath.Join(corpus, filepath.FromSlash(rel))}})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Errors) > 0 {
				t.Fatalf("errors: %+v", r.Errors)
			}
			want := 0
			for _, lf := range r.Lockfiles {
				want += lf.Packages
			}
			var cb, sb bytes.Buffer
			if err := WriteCycloneDX(&cb, r, Options{ToolVersion: "test"}); err != nil {
				t.Fatal(err)
			}
			cm := validateCycloneDX(t, cb.Bytes())
			if n := len(cm["components"].([]any)); n != want || n != len(r.Packages) {
				t.Errorf("CycloneDX: %d components, guard check counts %d packages", n, want)
			}
			vulnIDs := map[string]bool{}
			for _, f := range r.Findings {
				if isAdvisoryRule(f.Rule) {
					vulnIDs[f.ID] = true
				}
			}
			vs, _ := cm["vulnerabilities"].([]any)
			if len(vs) != len(vulnIDs) {
				t.Errorf("CycloneDX: %d vulnerabilities, report has %d advisory ids", len(vs), len(vulnIDs))
			}
			if err := WriteSPDX(&sb, r, Options{ToolVersion: "test"}); err != nil {
				t.Fatal(err)
			}
			sm := validateSPDX(t, sb.Bytes())
			if n := len(sm["packages"].([]any)) - 1; n != want {
				t.Errorf("SPDX: %d packages (without the project), guard check counts %d", n, want)
			}
			t.Logf("%d packages, %d advisory ids, %d dependency entries", want, len(vulnIDs), len(cm["dependencies"].([]any)))
		})
	}
}

// TestSchemaRejects makes sure the schema check is live: a BOM with a
// hash algorithm outside the enumeration fails.
func TestSchemaRejects(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCycloneDX(&buf, sample(), Options{Now: fixedNow, Serial: "3e671687-395b-41f5-a30f-a58921a69b79"}); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(buf.Bytes(), []byte(`"SHA-512"`), []byte(`"sha512"`), 1)
	sch, err := cdxSchema()
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	if sch.Validate(inst) == nil {
		t.Fatal("schema accepted an invalid hash algorithm")
	}
}
