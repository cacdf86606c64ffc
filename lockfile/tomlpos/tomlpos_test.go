package tomlpos

import (
	"slices"
	"strings"
	"testing"
)

func TestScanLinesHeadersDepth(t *testing.T) {
	src := `# [[p]] {{{{
a = [[1, [2]], {x = {y = [3]}}]
s = """
[[p]]
"""
[[p]]
b.c = 1
[[ "p" ]]
[[p.q]]
d = '[[p]]'
`
	for _, d := range []*Doc{Scan([]byte(src)), Outline([]byte(src))} {
		if got := d.ArrayHeaderLines("p"); !slices.Equal(got, []int{6, 8}) {
			t.Errorf("[[p]] at %v, want [6 8]", got)
		}
		if got := d.ArrayHeaderLines("p.q"); !slices.Equal(got, []int{9}) {
			t.Errorf("[[p.q]] at %v, want [9]", got)
		}
		if _, deep := d.DeeperThan(4); deep {
			t.Error("4 levels counted as deeper")
		}
		if line, deep := d.DeeperThan(3); !deep || line != 2 {
			t.Errorf("DeeperThan(3) = %d, %v; want line 2", line, deep)
		}
	}
	if d := Outline([]byte(src)); d.Lines != nil {
		t.Error("Outline recorded lines")
	}
	lines := Scan([]byte(src)).Lines
	for path, want := range map[string]int{Key("a", Index(1), "x", "y", Index(0)): 2, Key("p", Index(0), "b", "c"): 7,
		Key("p", Index(1), "q", Index(0), "d"): 10} {
		if lines[path] != want {
			t.Errorf("%q: line %d, want %d", strings.ReplaceAll(path, "\x00", "."), lines[path], want)
		}
	}
}

// TestDeepNestingTerminates: past its recursion bound the scanner skips
// the rest of the line, and still reports the depth.
func TestDeepNestingTerminates(t *testing.T) {
	src := "x = " + strings.Repeat("{a = ", 100000) + "1" + strings.Repeat("}", 100000) + "\ny = 2\n"
	d := Scan([]byte(src))
	if line, deep := d.DeeperThan(64); !deep || line != 1 {
		t.Errorf("DeeperThan(64) = %d, %v", line, deep)
	}
	if d.Lines[Key("y")] != 2 {
		t.Errorf("y: line %d, want 2", d.Lines[Key("y")])
	}
}
