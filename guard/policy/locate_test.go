package policy

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/installguard/guard/lockfile/tomlpos"
)

// locate, pathKey and indexSeg reach the TOML scanner (lockfile/tomlpos)
// as these tests knew it when it was the policy's own.
func locate(src string) map[string]int { return tomlpos.Scan([]byte(src)).Lines }

func pathKey(segs []string) string { return tomlpos.Key(segs...) }

func indexSeg(i int) string { return tomlpos.Index(i) }

// missingLines lists the key paths of a decoded document that the locator
// found no line for.
func missingLines(m map[string]any, lines map[string]int) []string {
	var missing []string
	var walk func(v any, path []string)
	walk = func(v any, path []string) {
		if len(path) > 0 {
			if _, ok := lines[pathKey(path)]; !ok {
				missing = append(missing, strings.Join(path, "."))
			}
		}
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(e, with(path, k))
			}
		case []map[string]any:
			for i, e := range x {
				walk(e, with(path, indexSeg(i)))
			}
		case []any:
			for i, e := range x {
				walk(e, with(path, indexSeg(i)))
			}
		}
	}
	walk(m, nil)
	return missing
}

func TestLocateFindsEveryKey(t *testing.T) {
	for _, src := range []string{
		locateSample,
		"a = [[1, 2], [3, [4, {x = 5}]]]\nb = {c = {d = [{e = 1}]}}\n",
		"[a.b.c]\nd = 1\n[a]\ne = 2\n[[f.g]]\n[[f.g]]\nh.i = 3\n",
		"'quoted key' = 1\n\"esc\\\"aped\" = 2\n\"\" = 3\n",
		"s = \"\"\"a\\\"\"\"\"\"\nt = '''x'''''\nu = 1979-05-27 07:32:00Z\nv = [1979-05-27, 07:32:00]\n",
	} {
		var m map[string]any
		if _, err := toml.Decode(src, &m); err != nil {
			t.Fatalf("test input is not valid TOML: %v\n%s", err, src)
		}
		if miss := missingLines(m, locate(src)); len(miss) > 0 {
			t.Errorf("no line for %v in\n%s", miss, src)
		}
	}
}

const locateSample = `level = 2
[provenance]
require = ["a", 'b', """c"""]
`

// TestDeepNestingRefused: a policy file nesting arrays or inline tables
// deeper than maxNesting is refused before the decoder (whose time grows
// superlinearly with depth) sees it, naming the line.
func TestDeepNestingRefused(t *testing.T) {
	src := "level = 2\n[provenance]\nrequire = " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n"
	_, diags := parseFile("g.toml", []byte(src), RoleProject, today)
	if len(diags) != 1 || diags[0].Line != 3 || !strings.Contains(diags[0].Message, "nested more than 64 deep") {
		t.Errorf("diags %v", diags)
	}
	ok := "x = " + strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting) + "\n"
	if _, diags := parseFile("g.toml", []byte(ok), RoleProject, today); len(diags) != 1 || !strings.Contains(diags[0].Message, `unknown key "x"`) {
		t.Errorf("%d levels: %v", maxNesting, diags)
	}
}
