package guard

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

func TestReachabilityLevel3(t *testing.T) {
	src := &memSource{records: []*osvschema.Vulnerability{
		record(t, `{"id":"GHSA-used","summary":"x","affected":[{"package":{"ecosystem":"npm","name":"lodash"},"versions":["4.17.15"]}]}`),
		record(t, `{"id":"GHSA-unused","summary":"y","affected":[{"package":{"ecosystem":"npm","name":"unused-transitive"},"versions":["1.0.0"]}]}`),
		record(t, `{"id":"MAL-unused","summary":"z","affected":[{"package":{"ecosystem":"npm","name":"unused-vuln"},"versions":["1.0.0"]}]}`),
	}}
	lock := filepath.Join("reach", "testdata", "npm-app", "package-lock.json")
	run := func(level int, demote bool) map[string]Finding {
		opts := Options{Level: level, Mode: Block, Advisories: src, Paths: []string{lock}}
		if demote {
			// the policy caps unreachable vulnerabilities at warn
			dir := t.TempDir()
			opts.Policy = projectPolicy(t, dir, fmt.Sprintf("level = %d\n[vulnerabilities]\nunreachable = \"warn\"\n", level))
		}
		r, err := Check(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]Finding{}
		for _, f := range r.Findings {
			out[f.ID] = f
		}
		return out
	}
	fs := run(3, false)
	if fs["GHSA-used"].Reachability != "reachable" || fs["GHSA-unused"].Reachability != "unreachable" || fs["GHSA-unused"].Action != Block {
		t.Fatalf("level 3 without demotion: %+v", fs)
	}
	fs = run(3, true)
	if f := fs["GHSA-unused"]; f.Action != Warn || !strings.Contains(f.Why, "import-level") || !strings.Contains(f.Why, "unreachable") {
		t.Fatalf("unreachable finding not demoted: %+v", f)
	}
	if f := fs["GHSA-used"]; f.Action != Block {
		t.Fatalf("reachable finding demoted: %+v", f)
	}
	if f := fs["MAL-unused"]; f.Action != Block || f.Reachability != "" {
		t.Fatalf("malware must not be demoted or marked: %+v", f)
	}
	fs = run(2, true)
	if f := fs["GHSA-unused"]; f.Reachability != "" || f.Action != Block {
		t.Fatalf("level 2 must not assess reachability: %+v", f)
	}
}
