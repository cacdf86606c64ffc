package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

// today is the clock of every test: exceptions expiring 2026-06-30 are
// valid, 2026-04-30 is expired, 2026-05-10 expires soon.
var today = Date{2026, time.May, 1}

func fixedNow() time.Time { return time.Date(2026, time.May, 1, 10, 0, 0, 0, time.UTC) }

func errorsOf(ds []Diagnostic) []Diagnostic {
	var out []Diagnostic
	for _, d := range ds {
		if d.Level == LevelError {
			out = append(out, d)
		}
	}
	return out
}

// TestBadFiles: the mistakes people make each give one clear error naming
// the line and key.
func TestBadFiles(t *testing.T) {
	tests := []struct {
		file string
		role Role
		line int
		key  string
		msg  string
	}{
		{"typo-key.toml", RoleOrg, 3, "mdoe", `unknown key "mdoe" in the top level (did you mean "mode"?)`},
		{"typo-table-key.toml", RoleOrg, 4, "pinning.acton", `unknown key "acton" in [pinning] (did you mean "action"?)`},
		{"level-string.toml", RoleOrg, 2, "level", "must be an integer 0, 1, 2 or 3, not a string"},
		{"level-5.toml", RoleOrg, 2, "level", "5 is out of range: use 0, 1, 2 or 3"},
		{"mode-maybe.toml", RoleOrg, 2, "mode", `"maybe" is not valid: use "block" or "warn"`},
		{"relative-date.toml", RoleOrg, 6, "exception[1].expires", `"next month" is not a date: write a TOML date such as 2026-03-31 (relative dates are not accepted)`},
		{"quoted-date.toml", RoleOrg, 4, "exception[1].expires", `write the date without quotes, expires = 2026-06-30`},
		{"datetime-expires.toml", RoleOrg, 4, "exception[1].expires", "must be a date such as 2026-03-31, not a date-time"},
		{"no-reason.toml", RoleOrg, 1, "exception[1]", `exception has no reason: add reason = "why this is safe"`},
		{"empty-reason.toml", RoleOrg, 3, "exception[1].reason", "reason is empty"},
		{"no-expires.toml", RoleOrg, 1, "exception[1]", "exception has no expires date: add expires = 2026-05-31"},
		{"bad-glob.toml", RoleOrg, 4, "provenance.require[2]", `"npm:@other/[abc": bad glob`},
		{"bad-duration.toml", RoleOrg, 3, "cooldown.min-age", `"two days" is not a duration: use e.g. "48h", "7d" or "2w"`},
		{"duration-int.toml", RoleOrg, 2, "max-db-age", `must be a duration string such as "7d" or "48h", not an integer`},
		{"malware-glob.toml", RoleOrg, 3, "exception[1].package", `a malware exception must name one exact package, not the glob "evil-*"`},
		{"malware-no-version.toml", RoleOrg, 1, "exception[1]", "a malware exception must name the exact version"},
		{"malware-id-without-rule.toml", RoleOrg, 1, "exception[1]", `malicious-package record MAL-2025-1234 must say rule = "malware"`},
		{"malware-warn.toml", RoleOrg, 2, "malware.action", "malware always blocks"},
		{"expired.toml", RoleOrg, 4, "exception[1].expires", "exception expired on 2026-04-30 (id GHSA-aaaa-bbbb-cccc)"},
		{"exceptions-plural.toml", RoleOrg, 1, "exceptions", "write [[exception]] (singular)"},
		{"vuln-action.toml", RoleOrg, 2, "vulnerabilities.action", "vulnerabilities are decided by severity"},
		{"table-as-string.toml", RoleOrg, 2, "pinning", `must be a table, not a string (write e.g. [pinning] action = "block")`},
		{"unknown-rule.toml", RoleOrg, 2, "exception[1].rule", `"vulnerabilities" is not a rule (did you mean "vulnerability"?)`},
		{"unknown-ecosystem.toml", RoleOrg, 2, "install-scripts.allow[1]", `unknown ecosystem "go"`},
		{"syntax.toml", RoleOrg, 2, "mode", "not valid TOML: expected value"},
		{"bad-severity.toml", RoleOrg, 2, "vulnerabilities.block-severity", `"severe" is not valid: use "any", "low", "medium", "high", "critical" or "never"`},
		{"crates-unquoted.toml", RoleOrg, 1, "sources.crates", `write [sources."crates.io"] or [sources.crates-io]`},
		{"inline-exception.toml", RoleOrg, 3, "exception[2]", "exception has no expires date"},
		{"no-id-no-package.toml", RoleOrg, 1, "exception[1]", "exception names neither an id nor a package"},
		{"pypi-scoped.toml", RoleOrg, 2, "sources.pypi.scoped-registries", "scoped registries exist only for npm"},
		{"bad-registry.toml", RoleOrg, 2, "sources.npm.registries[1]", `"registry.example.com" is not a registry URL`},
		{"action-typo-value.toml", RoleOrg, 2, "install-scripts.action", `"deny" is not valid: use "block", "warn" or "off"`},
		{"version-range.toml", RoleOrg, 3, "exception[1].version", "version must be one exact version"},
		{"publisher-incomplete.toml", RoleOrg, 1, "provenance.publisher[1]", "a publisher pin needs repository"},
		{"project-exceptions-table.toml", RoleProject, 1, "exceptions", "[exceptions] can only be set by the org policy"},
		{"require-string.toml", RoleOrg, 2, "provenance.require", `must be an array of strings, not a string (write e.g. ["npm:@myorg/*", "left-pad"])`},
	}
	entries, _ := os.ReadDir("testdata/bad")
	if len(entries) != len(tests) {
		t.Errorf("testdata/bad has %d files, the table %d", len(entries), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join("testdata", "bad", tt.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			_, diags := parseFile(path, data, tt.role, today)
			errs := errorsOf(diags)
			if len(errs) != 1 {
				t.Fatalf("%d errors, want 1: %v", len(errs), diags)
			}
			d := errs[0]
			if d.File != path || d.Line != tt.line || d.Key != tt.key || !strings.Contains(d.Message, tt.msg) {
				t.Errorf("got  %s\nwant %s:%d: error: %s: …%s…", d, path, tt.line, tt.key, tt.msg)
			}
			if !strings.HasPrefix(d.String(), path+":") {
				t.Errorf("String() = %q does not start with the file", d)
			}
		})
	}
}

// TestAllErrorsAtOnce: every error of a file is reported, in line order.
func TestAllErrorsAtOnce(t *testing.T) {
	src := `level = 9
mode = "maybe"
on-error = 1

[pinning]
action = "deny"
colour = "red"

[cooldown]
min-age = "soon"

[[exception]]
id = "X"
expires = "tomorrow"
`
	_, diags := parseFile("p.toml", []byte(src), RoleOrg, today)
	want := []struct {
		line int
		key  string
	}{{1, "level"}, {2, "mode"}, {3, "on-error"}, {6, "pinning.action"}, {7, "pinning.colour"},
		{10, "cooldown.min-age"}, {12, "exception[1]"}, {14, "exception[1].expires"}}
	errs := errorsOf(diags)
	if len(errs) != len(want) {
		t.Fatalf("%d errors, want %d:\n%v", len(errs), len(want), diags)
	}
	for i, w := range want {
		if errs[i].Line != w.line || errs[i].Key != w.key {
			t.Errorf("error %d at %d %s, want %d %s (%s)", i, errs[i].Line, errs[i].Key, w.line, w.key, errs[i])
		}
	}
}

func TestErrorCap(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 80; i++ {
		b.WriteString("[[exception]]\nid = \"X\"\n")
	}
	_, diags := parseFile("p.toml", []byte(b.String()), RoleOrg, today)
	errs := errorsOf(diags)
	if len(errs) != maxErrors+1 {
		t.Fatalf("%d errors, want %d", len(errs), maxErrors+1)
	}
	last := errs[len(errs)-1]
	if !strings.Contains(last.Message, "and 110 more errors") {
		t.Errorf("last error %q", last)
	}
}

func TestExceptionNotices(t *testing.T) {
	src := `[[exception]]
id = "GHSA-1"
reason = "r"
expires = 2026-05-15

[[exception]]
id = "GHSA-2"
reason = "r"
expires = 2026-05-16

[[exception]]
id = "GHSA-3"
reason = "r"
expires = 2026-05-01
`
	c, diags := parseFile("p.toml", []byte(src), RoleOrg, today)
	if HasErrors(diags) || len(c.exceptions) != 3 {
		t.Fatalf("diags %v, %d exceptions", diags, len(c.exceptions))
	}
	if len(diags) != 2 {
		t.Fatalf("want 2 notices (in 14 days, today), got %v", diags)
	}
	for i, want := range []struct {
		line int
		msg  string
	}{{4, "expires on 2026-05-15, in 14 days (id GHSA-1)"}, {14, "expires on 2026-05-01, in 0 days"}} {
		if d := diags[i]; d.Level != LevelNotice || d.Line != want.line || !strings.Contains(d.Message, want.msg) {
			t.Errorf("notice %d: %s", i, d)
		}
	}
}

// TestLocate checks the key scanner against the shapes TOML allows.
func TestLocate(t *testing.T) {
	src := `# comment
level = 2 # trailing
"mode" = 'block'
[provenance]
require = [ # open
  "a", # one
  'b',

  """c""",
]
publisher = [{ package = "x", repository = "y" },
  { package = "z",
    repository = "w" }]
note = """
level = 3
[fake]
"""
lit = '''
[[exception]]
'''
[sources."crates.io"]
registries = ["https://x.example/"]
[sources.npm.scoped-registries]
"@org" = "https://y.example/"

[[exception]]
id = "A"
[[exception]]  # second
id = "B"
dotted.key.here = 1
[[u.sub]]
k = 1
[[t]]
[[t.sub]]
k = 2
[t.sub.inner]
deep = true
`
	var m map[string]any
	if _, err := toml.Decode(src, &m); err != nil {
		t.Fatalf("test input is not valid TOML: %v", err)
	}
	lines := locate(src)
	if miss := missingLines(m, lines); len(miss) > 0 {
		t.Errorf("no line for %v", miss)
	}
	want := map[string]int{
		"level":                        2,
		"mode":                         3,
		"provenance":                   4,
		"provenance\x00require":        5,
		"provenance\x00require\x00[0]": 6,
		"provenance\x00require\x00[1]": 7,
		"provenance\x00require\x00[2]": 9,
		"provenance\x00publisher\x00[0]\x00package":    11,
		"provenance\x00publisher\x00[1]\x00package":    12,
		"provenance\x00publisher\x00[1]\x00repository": 13,
		"provenance\x00note":                           14,
		"provenance\x00lit":                            18,
		"sources\x00crates.io":                         21,
		"sources\x00crates.io\x00registries":           22,
		"sources\x00npm\x00scoped-registries\x00@org":  24,
		"exception\x00[0]":                             26,
		"exception\x00[0]\x00id":                       27,
		"exception\x00[1]":                             28,
		"exception\x00[1]\x00id":                       29,
		"exception\x00[1]\x00dotted\x00key\x00here":    30,
		"u\x00sub\x00[0]\x00k":                         32,
		"t\x00[0]":                                     33,
		"t\x00[0]\x00sub\x00[0]":                       34,
		"t\x00[0]\x00sub\x00[0]\x00k":                  35,
		"t\x00[0]\x00sub\x00[0]\x00inner\x00deep":      37,
	}
	for k, w := range want {
		if got := lines[k]; got != w {
			t.Errorf("%q: line %d, want %d", strings.ReplaceAll(k, "\x00", "."), got, w)
		}
	}
	for _, k := range []string{"fake", "level\x00[fake]"} {
		if _, ok := lines[k]; ok {
			t.Errorf("%q found inside a string", k)
		}
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{"0": 0, "7d": 7 * day, "48h": 48 * time.Hour, "2w": 14 * day, "90m": 90 * time.Minute, " 1d ": day} {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "d", "-1d", "+1d", "1.5d", "next week", "-3h", "7 days", "1y", "10001d", "2000w", "87600001h", "9223372036854775807d"} {
		if _, err := parseDuration(in); err == nil {
			t.Errorf("parseDuration(%q) accepted", in)
		}
	}
}

func TestPatternMatch(t *testing.T) {
	tests := []struct {
		pattern, eco, name string
		want               bool
	}{
		{"npm:@myorg/*", "npm", "@myorg/app", true},
		{"npm:@myorg/*", "npm", "@other/app", false},
		{"npm:@myorg/*", "PyPI", "@myorg/app", false},
		{"@myorg/*", "npm", "@myorg/app", true},
		{"*", "npm", "@myorg/app", false},
		{"@*/*", "npm", "@myorg/app", true},
		{"*", "npm", "lodash", true},
		{"pypi:My_Pkg*", "PyPI", "my-pkg-extra", true},
		{"My.Pkg", "PyPI", "my-pkg", true},
		{"My.Pkg", "npm", "my-pkg", false},
		{"crates.io:ring", "crates.io", "ring", true},
		{"cargo:ring", "crates.io", "ring", true},
		{"lodash", "npm", "lodash.merge", false},
		{"lodash*", "npm", "lodash.merge", true},
	}
	for _, tt := range tests {
		p, err := parsePattern(tt.pattern)
		if err != nil {
			t.Fatalf("%q: %v", tt.pattern, err)
		}
		if got := p.Match(tt.eco, tt.name); got != tt.want {
			t.Errorf("%q matches %s %q = %v, want %v", tt.pattern, tt.eco, tt.name, got, tt.want)
		}
	}
	for _, bad := range []string{"", " x", "go:x", "npm:", "a[", `a\`} {
		if _, err := parsePattern(bad); err == nil {
			t.Errorf("parsePattern(%q) accepted", bad)
		}
	}
}

func TestPublisherPinMatches(t *testing.T) {
	pin := PublisherPin{Repository: "github.com/myorg/*", Workflow: ".github/workflows/release.yml", Ref: "refs/tags/v*"}
	if ok, why := pin.Matches("https://github.com/myorg/app", ".github/workflows/release.yml", "refs/tags/v1.2.0"); !ok {
		t.Errorf("want a match: %s", why)
	}
	for _, c := range [][3]string{
		{"https://github.com/evil/app", ".github/workflows/release.yml", "refs/tags/v1"},
		{"https://github.com/myorg/app", ".github/workflows/ci.yml", "refs/tags/v1"},
		{"https://github.com/myorg/app", ".github/workflows/release.yml", "refs/heads/main"},
		{"https://github.com/myorg/team/app", ".github/workflows/release.yml", "refs/tags/v1"},
	} {
		if ok, why := pin.Matches(c[0], c[1], c[2]); ok || why == "" {
			t.Errorf("%v: want a mismatch with a reason, got %v %q", c, ok, why)
		}
	}
}
