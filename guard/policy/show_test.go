package policy

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

func TestShowText(t *testing.T) {
	p, _ := layered(t, "mode = \"block\"\n[pinning]\naction = \"warn\"\n[provenance]\nrequire = [\"npm:@a/*\"]\n", "[provenance]\nrequire = [\"npm:@b/*\"]\n", Flags{Level: intp(3)})
	var b bytes.Buffer
	if err := p.Show(&b, "text"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, re := range []string{
		`(?m)^# org policy: org\.toml`,
		`(?m)^# project policy: guard\.toml`,
		`(?m)^level = 3 +# --level$`,
		`(?m)^mode = "block" +# org\.toml:1$`,
		`(?m)^on-error = "block" +# safety floor: a project file may only tighten it \(default\)$`,
		`(?m)^invalid = "block" +# safety floor: a project file may only tighten it \(default\)$`,
		`(?m)^\[pinning\]\naction = "warn" +# org\.toml:3$`,
		`(?m)^\[yanked\]\naction = "block" +# follows mode \(org\.toml:1\)$`,
		`(?m)^\[malware\]\naction = "block" +# malware always blocks \(default\)$`,
		`(?m)^require = \[\n  "npm:@a/\*", +# org\.toml:5\n  "npm:@b/\*", +# guard\.toml:2\n\]$`,
		`(?m)^block-severity = "any" +# follows mode \(org\.toml:1\)$`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", re, out)
		}
	}
	if err := p.Show(&b, "yaml"); err == nil {
		t.Error("yaml accepted")
	}
}

func TestShowJSON(t *testing.T) {
	src := isolated(t)
	src.Org = filepath.Join("testdata", "org.toml")
	src.ProjectDir = filepath.Join("testdata", "project")
	p, _, err := Load(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := p.Show(&b, "json"); err != nil {
		t.Fatal(err)
	}
	var v struct {
		Files    []File `json:"files"`
		Settings []struct {
			Key   string `json:"key"`
			Value any    `json:"value"`
			From  Origin `json:"from"`
			Note  string `json:"note"`
		} `json:"settings"`
		Publishers []PublisherPin `json:"publishers"`
		Exceptions []struct {
			ID      string `json:"id"`
			Expires string `json:"expires"`
			From    Origin `json:"from"`
		} `json:"exceptions"`
	}
	if err := json.Unmarshal(b.Bytes(), &v); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if len(v.Files) != 2 || len(v.Exceptions) != 2 || v.Exceptions[1].Expires != "2026-06-15" || v.Exceptions[1].From.Role != RoleProject {
		t.Errorf("files %+v exceptions %+v", v.Files, v.Exceptions)
	}
	found := false
	for _, s := range v.Settings {
		if s.Key == "level" {
			found = true
			if s.Value != float64(3) || s.From.Kind != FromFile || s.From.Line != 2 || s.From.Key != "level" {
				t.Errorf("level setting %+v", s)
			}
		}
	}
	if !found {
		t.Error("no level setting")
	}
}

// showRoundTrip checks that Show's text output is a policy file that
// decodes to the same settings.
func showRoundTrip(t testing.TB, p *Policy) {
	var b bytes.Buffer
	if err := p.Show(&b, "text"); err != nil {
		t.Fatal(err)
	}
	c, diags := parseFile("shown.toml", b.Bytes(), RoleOrg, today)
	if HasErrors(diags) {
		t.Fatalf("show output does not parse: %v\n%s", diags, b.String())
	}
	q := newPolicy(c, nil, "", today)
	strip := func(ss []Setting) [][2]any {
		var out [][2]any
		for _, s := range ss {
			out = append(out, [2]any{s.Key, s.Value})
		}
		return out
	}
	if a, b2 := strip(p.Settings()), strip(q.Settings()); !reflect.DeepEqual(a, b2) {
		t.Errorf("settings differ after a round trip:\n%v\n%v\n%s", a, b2, b.String())
	}
	if len(p.Exceptions()) != len(q.Exceptions()) || len(p.c.publishers) != len(q.c.publishers) {
		t.Errorf("exceptions %d→%d, pins %d→%d", len(p.Exceptions()), len(q.Exceptions()), len(p.c.publishers), len(q.c.publishers))
	}
}

func TestShowRoundTrip(t *testing.T) {
	src := isolated(t)
	src.Org = filepath.Join("testdata", "org.toml")
	src.ProjectDir = filepath.Join("testdata", "project")
	p, _, err := Load(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	showRoundTrip(t, p)
	showRoundTrip(t, docPolicy(t, "docs/policy.md", docExample(t)))
	showRoundTrip(t, Default())
}

// docExample is the full example policy file of the policy reference,
// docs/policy.md (the toml block that starts "# guard policy.").
func docExample(t testing.TB) []byte {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "policy.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```toml\n(# guard policy[.].*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("docs/policy.md has no example policy (a toml block starting \"# guard policy.\")")
	}
	return m[1]
}

// docPolicy is the effective policy of an org policy file src holds.
func docPolicy(t *testing.T, name string, src []byte) *Policy {
	c, diags := parseFile(name, src, RoleOrg, today)
	if len(diags) > 0 {
		t.Fatalf("%s example: %v", name, diags)
	}
	eff, diags := merge(c, nil, name, Flags{}, today)
	if len(diags) > 0 {
		t.Fatalf("%s example: %v", name, diags)
	}
	return newPolicy(eff, []File{{Role: RoleOrg, Path: name}}, name, today)
}

// TestDocExample: the policy reference's example (docs/policy.md) is valid
// and documents every table and rule key.
func TestDocExample(t *testing.T) {
	ex := string(docExample(t))
	p := docPolicy(t, "docs/policy.md", []byte(ex))
	var topKeys, vulnKeys []string
	for _, k := range topTable.keys {
		topKeys = append(topKeys, k.name)
		if k.name == "vulnerabilities" {
			for _, vk := range k.sub.keys {
				vulnKeys = append(vulnKeys, vk.name)
			}
		}
	}
	publisherKeys := []string{"package", "repository", "workflow", "ref"}
	exceptionKeys := []string{"rule", "id", "package", "version", "reason", "expires"}
	for _, k := range topKeys {
		if !regexp.MustCompile(`(?m)^(\[\[?` + regexp.QuoteMeta(k) + `\]\]?|` + regexp.QuoteMeta(k) + ` =)`).MatchString(ex) {
			t.Errorf("docs/policy.md example does not show %q", k)
		}
	}
	for _, spec := range ruleTable {
		if spec.Key != "" && !strings.Contains(ex, "\n"+spec.Key+" = ") {
			t.Errorf("docs/policy.md example does not show [%s] %s", spec.Table, spec.Key)
		}
	}
	for _, k := range append(append(vulnKeys, publisherKeys...), exceptionKeys...) {
		if !strings.Contains(ex, k+" = ") {
			t.Errorf("docs/policy.md example does not show %s", k)
		}
	}
	if d := p.Decide(Subject{Rule: RuleVulnerability, Severity: "HIGH"}); d.Action != Block || d.From.Line != 15 {
		t.Errorf("docs/policy.md HIGH: %+v", d)
	}
}

// TestReadmePolicyExample: the short policy of README's Policy section is a
// valid org policy that decides as its comments say.
func TestReadmePolicyExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Policy\n")
	if !ok {
		t.Fatal(`README.md has no "## Policy" section`)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	m := regexp.MustCompile("(?s)```toml\n(.*?)```").FindStringSubmatch(sec)
	if m == nil {
		t.Fatal("README's Policy section has no toml example")
	}
	p := docPolicy(t, "README", []byte(m[1]))
	for sev, want := range map[string]Action{"CRITICAL": Block, "HIGH": Block, "MEDIUM": Warn, "LOW": Warn} {
		if d := p.Decide(Subject{Rule: RuleVulnerability, Severity: sev}); d.Action != want {
			t.Errorf("README example: %s decides %v, its comments say %v", sev, d.Action, want)
		}
	}
	if !strings.Contains(sec, "[docs/policy.md](docs/policy.md)") {
		t.Error("README's Policy section does not point at docs/policy.md")
	}
}
