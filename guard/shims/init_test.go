package shims

import (
	"strings"
	"testing"
)

func TestInitScript(t *testing.T) {
	bash := InitScript("bash", "/tmp/it's", []string{"npm"})
	for _, want := range []string{"(guard shell-init bash)", "guard's shims (npm) come first", `PATH='/tmp/it'\''s'"${PATH:+:$PATH}"`, "hash -r"} {
		if !strings.Contains(bash, want) {
			t.Errorf("bash script lacks %q:\n%s", want, bash)
		}
	}
	fish := InitScript("fish", `/tmp/a\b'c`, nil)
	for _, want := range []string{`set -gx PATH '/tmp/a\\b\'c' $PATH`, "npm, "} {
		if !strings.Contains(fish, want) {
			t.Errorf("fish script lacks %q:\n%s", want, fish)
		}
	}
}
