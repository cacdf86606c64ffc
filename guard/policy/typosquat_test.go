package policy

import (
	"slices"
	"strings"
	"testing"
)

func TestTyposquatTable(t *testing.T) {
	org := "[typosquat]\naction = \"warn\"\nallow = [\"npm:wcwidth.js\"]\nprotect = [\"npm:@acme/*\", \"acme-utils\"]"
	p, diags := layered(t, org, "[typosquat]\nprotect = [\"pypi:acme-*\"]\naction = \"block\"", Flags{})
	if len(diags) > 0 {
		t.Fatalf("diags: %v", diags)
	}
	if ok, pat := p.TyposquatAllowed("npm", "wcwidth.js"); !ok || pat.From.String() != "org.toml:3" {
		t.Errorf("allow: %v %s", ok, pat.From)
	}
	if ok, _ := p.TyposquatAllowed("PyPI", "wcwidth.js"); ok {
		t.Error("an npm: allow matched PyPI")
	}
	if got := p.TyposquatProtected("npm"); !slices.Equal(got, []string{"@acme/*", "acme-utils"}) {
		t.Errorf("npm protect %q", got)
	}
	if got := p.TyposquatProtected("PyPI"); !slices.Equal(got, []string{"acme-utils", "acme-*"}) {
		t.Errorf("PyPI protect %q", got)
	}
	if d := p.Peek(Subject{Rule: RuleTyposquat, Ecosystem: "npm", Name: "crossenv"}); d.Action != Block || d.From.String() != "guard.toml:3" {
		t.Errorf("action %+v", d)
	}
	var b strings.Builder
	if err := p.Show(&b, "text"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"[typosquat]", `"npm:wcwidth.js",`, `"pypi:acme-*",`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("show lacks %q:\n%s", want, b.String())
		}
	}

	// A project may not add to allow once there is an org policy.
	_, diags = layered(t, "level = 2", "[typosquat]\nallow = [\"crossenv\"]", Flags{})
	if len(diags) != 1 || diags[0].Key != "typosquat.allow[1]" || !strings.Contains(diags[0].Message, "[typosquat] allow") {
		t.Errorf("project allow: %v", diags)
	}
	// Nor lower the action.
	_, diags = layered(t, "[typosquat]\naction = \"block\"", "[typosquat]\naction = \"warn\"", Flags{})
	if !HasErrors(diags) {
		t.Error("project lowered the action")
	}

	// Following the mode by default.
	p, _ = layered(t, "mode = \"warn\"", "-", Flags{})
	if d := p.Peek(Subject{Rule: RuleTyposquat, Name: "crossenv"}); d.Action != Warn {
		t.Errorf("default action %s", d.Action)
	}
}

func TestTyposquatTableErrors(t *testing.T) {
	for _, c := range []struct{ file, key, msg string }{
		{"[typosquat]\nprotect = \"@acme/*\"", "typosquat.protect", "must be an array of strings"},
		{"[typosquat]\nprotect = [\"bogus:x\"]", "typosquat.protect[1]", "unknown ecosystem"},
		{"[typosquat]\nallow = [\"\"]", "typosquat.allow[1]", "empty pattern"},
		{"[typosquat]\nblock = true", "typosquat.block", "unknown key"},
		{"[typosquat]\naction = \"maybe\"", "typosquat.action", "maybe"},
		{"typosquat = 1", "typosquat", "must be a table"},
	} {
		_, diags := parseFile("g.toml", []byte(c.file), RoleOrg, today)
		if len(diags) != 1 || diags[0].Key != c.key || !strings.Contains(diags[0].Message, c.msg) {
			t.Errorf("%q: %v", c.file, diags)
		}
	}
}
