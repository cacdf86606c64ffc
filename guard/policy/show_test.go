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
	showRoundTrip(t, readmePolicy(t))
	showRoundTrip(t, Default())
}

// readmeExample is the full example policy file of the project README
// (the toml block that starts "# guard policy.").
func readmeExample(t testing.TB) []byte {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```toml\n(# guard policy[.].*?)```").FindSubmatch(b)
	if m == nil {
		t.Fatal("README.md has no example policy (a toml block starting \"# guard policy.\")")
	}
	return m[1]
}

func readmePolicy(t *testing.T) *Policy {
	c, diags := parseFile("README", readmeExample(t), RoleOrg, today)
	if len(diags) > 0 {
		t.Fatalf("README example: %v", diags)
	}
	eff, diags := merge(c, nil, "README", Flags{}, today)
	if len(diags) > 0 {
		t.Fatalf("README example: %v", diags)
	}
	return newPolicy(eff, []File{{Role: RoleOrg, Path: "README"}}, "README", today)
}

// TestReadmeExample: the documented example is valid and documents every
// table and rule key.
func TestReadmeExample(t *testing.T) {
	p := readmePolicy(t)
	ex := string(readmeExample(t))
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
			t.Errorf("README example does not show %q", k)
		}
	}
	for _, spec := range ruleTable {
		if spec.Key != "" && !strings.Contains(ex, "\n"+spec.Key+" = ") {
			t.Errorf("README example does not show [%s] %s", spec.Table, spec.Key)
		}
	}
	for _, k := range append(append(vulnKeys, publisherKeys...), exceptionKeys...) {
		if !strings.Contains(ex, k+" = ") {
			t.Errorf("README example does not show %s", k)
		}
	}
	if d := p.Decide(Subject{Rule: RuleVulnerability, Severity: "HIGH"}); d.Action != Block || d.From.Line != 15 {
		t.Errorf("README HIGH: %+v", d)
	}
}
