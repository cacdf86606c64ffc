package guard

import (
	"context"
	"strings"
	"testing"

	"github.com/installguard/guard/verify/provenance"
)

// TestMetadataUnavailableIsNotChecked: when the registry offers no
// metadata for a registry package (no registry configured, an index
// without PEP 691 JSON), the rules that need it read "not checked" and say
// why; a crates.io package leaves cooldown "not checked" (guard does not
// read its registry). Neither fails the run.
func TestMetadataUnavailableIsNotChecked(t *testing.T) {
	dir := provenanceLockfile(t)
	meta := fakeMetadata{"good@1.0.0": {Status: provenance.MetadataUnavailable, Reason: "reading the packument: no npm registry configured"}}
	r, err := Check(context.Background(), Options{Paths: []string{dir}, Policy: projectPolicy(t, dir, "[cooldown]\nmin-age = \"1d\"\n"),
		Advisories: &memSource{}, NoProvenanceReason: "offline", Metadata: meta})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range r.Items {
		switch it.Rule {
		case RuleCooldown, RuleDeprecated:
			if it.Status != StatusNotChecked || !strings.Contains(it.Note, "1 of 6 packages") || !strings.Contains(it.Note, "no npm registry configured") {
				t.Errorf("item %+v", it)
			}
		case RuleYanked, RuleQuarantined:
			// npm packages have no yanks or project status to miss
			if it.Status != StatusPass {
				t.Errorf("item %+v", it)
			}
		}
	}
	if r.ExitCode() != ExitAllow {
		t.Errorf("exit %d: %+v", r.ExitCode(), r.Errors)
	}
	rs := t.TempDir()
	writeFile(t, rs, "Cargo.lock", "version = 3\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"0000000000000000000000000000000000000000000000000000000000000000\"\n")
	g, _ := provenance.NewRegistry()
	r, _ = Check(context.Background(), Options{Paths: []string{rs}, Policy: projectPolicy(t, rs, "[cooldown]\nmin-age = \"1d\"\n"),
		Advisories: &memSource{}, NoProvenanceReason: "offline", Metadata: g})
	for _, it := range r.Items {
		if it.Rule == RuleCooldown && (it.Status != StatusNotChecked || !strings.Contains(it.Note, "crates.io")) {
			t.Errorf("crates cooldown item %+v", it)
		}
	}
}
