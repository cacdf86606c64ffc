package provenance

import (
	"testing"
)

func TestOpenSourcesSaysWhyASourceIsOff(t *testing.T) {
	none := func(string) string { return "" }
	for _, tc := range []struct {
		name           string
		o              SourcesOptions
		noProv, noMeta string
	}{
		{"offline", SourcesOptions{Offline: true, Getenv: none}, "skipped (offline)", "registry metadata was not read (offline)"},
		{"both off", SourcesOptions{NoProvenance: true, NoMetadata: true, Getenv: none}, "skipped (--no-provenance)", "registry metadata was not read (--no-metadata)"},
	} {
		s, err := OpenSources(t.Context(), tc.o)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if s.Verifier != nil || s.Registry != nil || s.NoProvenance != tc.noProv || s.NoMetadata != tc.noMeta {
			t.Errorf("%s: got %+v", tc.name, s)
		}
	}
}

func TestOpenSourcesNoProvenanceKeepsMetadata(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"HOME": dir}
	s, err := OpenSources(t.Context(), SourcesOptions{NoProvenance: true, ProjectDir: dir, Getenv: func(k string) string { return env[k] }})
	if err != nil {
		t.Fatal(err)
	}
	if s.Verifier != nil || s.NoProvenance != "skipped (--no-provenance)" || s.Registry == nil || s.NoMetadata != "" {
		t.Errorf("got %+v", s)
	}
}

func TestOpenSourcesBadBudgetIsAnError(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"HOME": dir, EnvBudget: "soon"}
	if _, err := OpenSources(t.Context(), SourcesOptions{NoProvenance: true, ProjectDir: dir, Getenv: func(k string) string { return env[k] }}); err == nil {
		t.Error("a budget that is no duration was accepted")
	}
}
