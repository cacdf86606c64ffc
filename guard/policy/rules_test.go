package policy

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestRuleTableIsRead: every rule of the table is read from its policy
// table and key, exactly once, and shown by Settings.
func TestRuleTableIsRead(t *testing.T) {
	seen := map[string]int{}
	for _, r := range Rules() {
		seen[r]++
	}
	keys := map[string]bool{}
	for _, s := range Default().Settings() {
		keys[s.Key] = true
	}
	for _, r := range ruleTable {
		if seen[r.Name] != 1 {
			t.Errorf("rule %s is read %d times from policy files", r.Name, seen[r.Name])
		}
		if r.Key != "" && !keys[r.Table+"."+r.Key] {
			t.Errorf("policy show does not show %s.%s", r.Table, r.Key)
		}
		if r.Item == "" || r.Title == "" || r.Level < 0 || r.Level > 3 || (r.Class == "") != (r.Kind == "") {
			t.Errorf("incomplete row %+v", r)
		}
	}
	if len(seen) != len(ruleTable) {
		t.Errorf("policy files name %d rules, the table has %d", len(seen), len(ruleTable))
	}
}

// TestDocRulesTable: the table of what guard enforces (docs/rules.md) names
// every rule with the item and level of the rule table, and no other rule.
func TestDocRulesTable(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	sec, ok := strings.CutPrefix(string(b), "# What guard enforces\n")
	if !ok {
		t.Fatal(`docs/rules.md does not start with "# What guard enforces"`)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	type row struct{ item, level string }
	rows := map[string]row{}
	name := regexp.MustCompile("`([a-z-]+)`")
	for _, line := range strings.Split(sec, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 5 || !regexp.MustCompile(`^[A-Z]\d\.\d$`).MatchString(strings.TrimSpace(cells[1])) {
			continue
		}
		rule := strings.TrimSpace(cells[3])
		if strings.HasPrefix(rule, "(") {
			continue // an item guard meets without a rule (guard sbom, guard fix)
		}
		for _, m := range name.FindAllStringSubmatch(rule, -1) {
			rows[m[1]] = row{strings.TrimSpace(cells[1]), strings.TrimSpace(cells[2])}
		}
	}
	for _, r := range ruleTable {
		got, ok := rows[r.Name]
		if !ok {
			t.Errorf("docs/rules.md's rules table has no row for %s", r.Name)
			continue
		}
		delete(rows, r.Name)
		levelOK := strings.HasPrefix(got.level, strconv.Itoa(r.Level))
		if r.Level == 0 {
			levelOK = got.level != "" && (got.level[0] < '0' || got.level[0] > '9')
		}
		if got.item != r.Item || !levelOK {
			t.Errorf("docs/rules.md: %s is item %s from level %q; the rule table says %s from level %d", r.Name, got.item, got.level, r.Item, r.Level)
		}
	}
	for n := range rows {
		t.Errorf("docs/rules.md's rules table names %s, which is not in the rule table", n)
	}
}
