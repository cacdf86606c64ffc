package wrap

import (
	"testing"

	"github.com/installguard/guard/guard/pm"
)

func TestWouldRunQuotesForTheShell(t *testing.T) {
	inv := &pm.Invocation{Manager: "npm", Args: []string{"exec", "--yes", "a b", "it's", "x\x1b[31m", "@s/p@1.0.0"}}
	want := `npm exec --yes 'a b' 'it'\''s' 'x'$'\x1b''[31m' @s/p@1.0.0`
	if got := wouldRun(inv); got != want {
		t.Errorf("wouldRun = %s\nwant      %s", got, want)
	}
	if got := termSafe("a\x1b[2Jb\u202e"); got != "a\uFFFD[2Jb\uFFFD" {
		t.Errorf("termSafe = %q", got)
	}
	l := pm.Labeled{ByKey: map[string]string{"a": pm.LabelNew, "b": pm.LabelLocked}, Counts: map[string]int{pm.LabelNew: 1, pm.LabelLocked: 1}}
	if got := labelSummary(l); got != "2 packages checked (1 new, 1 already locked)" {
		t.Errorf("labelSummary = %q", got)
	}
	if got := labelSummary(pm.Labeled{}); got != "0 packages checked" {
		t.Errorf("labelSummary of nothing = %q", got)
	}
}
