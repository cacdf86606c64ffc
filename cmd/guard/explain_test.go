package main

import (
	"strings"
	"testing"

	"github.com/installguard/guard/guard/report"
)

func TestExplain(t *testing.T) {
	r := runGuard(t, nil, false, "explain", "lodash@4.17.15", project("npm-vulnerable"))
	for _, want := range []string{"lodash@4.17.15", "direct", "C2.1  vulnerability", "BLOCK", "decided by:", "C1.1  pinning", "pass", "provenance", "not checked"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
	if r := runGuard(t, nil, false, "explain", "--level", "1", "lodash", project("npm-vulnerable")); r.code != 0 || !strings.Contains(r.stdout, "off (on from level 2; the level is 1)") {
		t.Errorf("level 1: exit %d\n%s", r.code, r.stdout)
	}
	if r := runGuard(t, nil, false, "explain", "left-pad", project("npm-vulnerable")); r.code != 2 {
		t.Errorf("absent package: exit %d", r.code)
	}
	if n, v := report.SplitPackage("@scope/pkg@1.0.0"); n != "@scope/pkg" || v != "1.0.0" {
		t.Errorf("scoped split: %q %q", n, v)
	}
	if n, v := report.SplitPackage("@scope/pkg"); n != "@scope/pkg" || v != "" {
		t.Errorf("scoped without version: %q %q", n, v)
	}
}
