package registries

import "testing"

// The cases are npm 11.19's own answers (@npmcli/config's env-replace, run
// with node on each input and FOO=bar, EMPTY="" set, UNSET not).
func TestExpandNpmrc(t *testing.T) {
	env := map[string]string{"FOO": "bar", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for in, want := range map[string]string{
		"${FOO}":               "bar",
		"x${FOO}y${FOO}":       "xbarybar",
		"${UNSET}":             "${UNSET}",
		"${UNSET?}":            "",
		"${FOO?}":              "bar",
		"${EMPTY}":             "",
		"$FOO":                 "$FOO",
		`\${FOO}`:              "${FOO}",
		`\\${FOO}`:             `\bar`,
		`\\\${FOO}`:            `\${FOO}`,
		`\\\\${FOO}`:           `\\bar`,
		`a\b${FOO}`:            `a\bbar`,
		"${}":                  "${}",
		"${FOO":                "${FOO",
		"${F{O}":               "${F{O}",
		"${${FOO}}":            "${bar}",
		"${FOO??}":             "${FOO??}",
		"https://h/${FOO}/p/":  "https://h/bar/p/",
		"//h/:_authToken=${T}": "//h/:_authToken=${T}",
	} {
		if got := ExpandNpmrc(in, lookup); got != want {
			t.Errorf("ExpandNpmrc(%q) = %q, want %q", in, got, want)
		}
	}
}
