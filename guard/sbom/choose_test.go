package sbom

import (
	"strings"
	"testing"
)

func TestChoose(t *testing.T) {
	for _, c := range []struct {
		flag, file string
		want       Format
	}{
		{"", "", CycloneDX}, {"cdx", "", CycloneDX}, {"spdx", "x.cdx.json", SPDX},
		{"", "out.spdx.json", SPDX}, {"", "out.cdx.json", CycloneDX}, {"", "out.json", CycloneDX},
	} {
		got, err := Choose(c.flag, c.file)
		if err != nil || got != c.want {
			t.Errorf("Choose(%q, %q) = %q, %v; want %q", c.flag, c.file, got, err, c.want)
		}
	}
	if _, err := Choose("swid", ""); err == nil || !strings.Contains(err.Error(), `"swid" is not supported`) {
		t.Errorf("err = %v", err)
	}
}

func TestCheckRequest(t *testing.T) {
	if err := CheckRequest("", "", 1); err != nil {
		t.Errorf("no --sbom: %v", err)
	}
	if err := CheckRequest("", "spdx", 3); err == nil || !strings.Contains(err.Error(), "needs --sbom FILE") {
		t.Errorf("--sbom-format alone: %v", err)
	}
	if err := CheckRequest("a.cdx.json", "", 2); err == nil || !strings.Contains(err.Error(), "level 3 item") {
		t.Errorf("level 2: %v", err)
	}
	if err := CheckRequest("a.cdx.json", "swid", 3); err == nil {
		t.Error("bad format accepted")
	}
}
