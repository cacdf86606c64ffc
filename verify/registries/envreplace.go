package registries

import "strings"

// ExpandNpmrc replaces environment references in an npmrc key or value as
// npm does (@npmcli/config's env-replace): ${NAME} becomes the variable's
// value and stays as written when it is not set; ${NAME?} becomes "" when
// it is not set; NAME is one or more characters other than $ { } ?. A run
// of k backslashes right before "${": k even, k/2 of them stay and the
// reference is replaced; k odd, (k-1)/2 stay and the reference stays as
// written. $NAME without braces is left alone. lookup says whether a
// variable is set (GetenvLookup adapts a getenv). Written by hand: npm's is
// a JavaScript regular expression with a look-behind, which Go's regexp
// does not have.
func ExpandNpmrc(s string, lookup func(string) (string, bool)) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + 2
		for end < len(s) && !strings.ContainsRune("${}?", rune(s[end])) {
			end++
		}
		name, optional := s[i+2:end], false
		if end < len(s) && s[end] == '?' {
			optional = true
			end++
		}
		if name == "" || end >= len(s) || s[end] != '}' {
			// Not a reference: keep "${" and go on after it.
			b.WriteString(s[:i+2])
			s = s[i+2:]
			continue
		}
		k := 0
		for k < i && s[i-1-k] == '\\' {
			k++
		}
		ref := s[i : end+1]
		b.WriteString(s[:i-k])
		if k%2 == 1 {
			b.WriteString(strings.Repeat(`\`, (k-1)/2))
			b.WriteString(ref)
		} else {
			b.WriteString(strings.Repeat(`\`, k/2))
			switch v, ok := lookup(name); {
			case ok:
				b.WriteString(v)
			case !optional:
				b.WriteString("${" + name + "}")
			}
		}
		s = s[end+1:]
	}
}

// GetenvLookup is lookup for callers that hold only a getenv: a variable
// set to "" counts as not set.
func GetenvLookup(getenv func(string) string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v := getenv(k)
		return v, v != ""
	}
}
