package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSBOMCommand(t *testing.T) {
	dir := t.TempDir()
	cdxFile := filepath.Join(dir, "bom.cdx.json")
	r := runGuard(t, nil, false, "sbom", "--output", cdxFile, project("npm-vulnerable"))
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var bom struct {
		BOMFormat       string           `json:"bomFormat"`
		SpecVersion     string           `json:"specVersion"`
		Components      []map[string]any `json:"components"`
		Vulnerabilities []map[string]any `json:"vulnerabilities"`
	}
	data, err := os.ReadFile(cdxFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &bom); err != nil {
		t.Fatal(err)
	}
	if bom.BOMFormat != "CycloneDX" || bom.SpecVersion != "1.6" || len(bom.Components) == 0 || len(bom.Vulnerabilities) == 0 {
		t.Fatalf("bom %s %s %d components %d vulnerabilities", bom.BOMFormat, bom.SpecVersion, len(bom.Components), len(bom.Vulnerabilities))
	}

	r = runGuard(t, nil, false, "sbom", "--format", "spdx", project("npm-vulnerable"))
	if r.code != 0 || !strings.Contains(r.stdout, `"spdxVersion": "SPDX-2.3"`) {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := runGuard(t, nil, false, "sbom", "--format", "xml", project("npm-vulnerable")); r.code != 2 {
		t.Fatalf("bad format: exit %d", r.code)
	}
	if r := runGuard(t, nil, false, "sbom", project("does-not-exist")); r.code != 2 {
		t.Fatalf("missing path: exit %d", r.code)
	}
}

func TestCheckWritesSBOM(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "out.spdx.json")
	r := runGuard(t, nil, false, "check", "--level", "3", "--sbom", file, project("npm-vulnerable"))
	if r.code != 1 {
		t.Fatalf("exit %d, want 1 (blocked)\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"SPDX-2.3"`) || !strings.Contains(string(data), `"SECURITY"`) {
		t.Fatalf("SBOM:\n%s", data)
	}
	if r := runGuard(t, nil, false, "check", "--sbom", file, project("npm-vulnerable")); r.code != 2 || !strings.Contains(r.stderr, "level 3") {
		t.Fatalf("--sbom below level 3: exit %d %s", r.code, r.stderr)
	}
}
