package lockfile

import (
	"strings"
	"testing"
)

func TestTOMLNestingBounded(t *testing.T) {
	deep := "version = 3\n[[package]]\nname = \"a\"\nversion = \"1\"\nx = " + strings.Repeat("{a=", 10000) + "1" + strings.Repeat("}", 10000) + "\n"
	_, err := ParseBytes("Cargo.lock", []byte(deep), FormatCargoLock)
	if err == nil || !strings.Contains(err.Error(), "Cargo.lock:5") || !strings.Contains(err.Error(), "nested more than") {
		t.Fatalf("deep inline tables: %v", err)
	}
	// brackets inside strings and comments do not count
	ok := "# [[[[ {{{{\nversion = 3\n[[package]]\nname = \"a[{\"\nversion = '1{{'\nchecksum = \"\"\"[[[\n{{{\"\"\"\n"
	if err := checkTOMLNesting("Cargo.lock", []byte(ok)); err != nil {
		t.Fatalf("strings and comments counted: %v", err)
	}
	arr := "x = " + strings.Repeat("[", maxTOMLNesting) + strings.Repeat("]", maxTOMLNesting)
	if err := checkTOMLNesting("f", []byte(arr)); err != nil {
		t.Fatalf("%d levels refused: %v", maxTOMLNesting, err)
	}
}
