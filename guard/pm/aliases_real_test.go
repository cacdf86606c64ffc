package pm

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// The alias tables are checked against the real tools: npm's own
// lib/utils/cmd-list.js (its command list, aliases and deref), and the
// usage lines pnpm 9 and yarn 1 print for each word.

// needTool finds a tool on PATH; when it is missing the test skips, or
// fails under CI=true (.ci/run installs pnpm 9 and yarn 1).
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %s is not on PATH", name)
		}
		t.Skipf("skipping: %s is not on PATH (.ci/run installs it)", name)
	}
	return p
}

func TestNpmAliasTableMatchesNpm(t *testing.T) {
	npm := needTool(t, "npm")
	needTool(t, "node")
	real, err := filepath.EvalSymlinks(npm)
	if err != nil {
		t.Fatal(err)
	}
	// npm's bin/npm-cli.js (or bin/npm, a script beside it) -> lib/utils/cmd-list.js.
	list := filepath.Join(filepath.Dir(filepath.Dir(real)), "lib", "utils", "cmd-list.js")
	if _, err := os.Stat(list); err != nil {
		out, err2 := exec.Command(npm, "root", "-g").Output()
		if err2 != nil {
			t.Fatalf("finding npm's cmd-list.js: %v; npm root -g: %v", err, err2)
		}
		list = filepath.Join(strings.TrimSpace(string(out)), "npm", "lib", "utils", "cmd-list.js")
	}
	// Every word and every prefix of every word, and camelCase forms.
	inputs := map[string]bool{"installTest": true, "runScript": true, "cleanInstall": true, "": true, "frob": true}
	for _, w := range npmWords() {
		for i := 1; i <= len(w); i++ {
			inputs[w[:i]] = true
		}
	}
	var in []string
	for w := range inputs {
		in = append(in, w)
	}
	sort.Strings(in)
	data, _ := json.Marshal(in)
	script := `const l = require(process.argv[1]); const inputs = JSON.parse(process.argv[2]);
const deref = {}; for (const w of inputs) deref[w] = l.deref(w) || "";
process.stdout.write(JSON.stringify({commands: l.commands, aliases: l.aliases, deref}))`
	out, err := exec.Command("node", "-e", script, list, string(data)).Output()
	if err != nil {
		t.Fatalf("node %s: %v", list, err)
	}
	var got struct {
		Commands []string          `json:"commands"`
		Aliases  map[string]string `json:"aliases"`
		Deref    map[string]string `json:"deref"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	for _, c := range got.Commands {
		if npmDeref(c) != c {
			t.Errorf("npm command %q is missing from npmCommands", c)
		}
	}
	for a, c := range got.Aliases {
		if npmAliases[a] != c {
			t.Errorf("npm alias %q -> %q; guard has %q", a, c, npmAliases[a])
		}
	}
	for _, c := range npmCommands {
		found := false
		for _, x := range got.Commands {
			found = found || x == c
		}
		if !found {
			t.Errorf("npmCommands has %q, which npm does not", c)
		}
	}
	for w, want := range got.Deref {
		// guard's table keeps two aliases of npm 6; npm 11 reads them as
		// abbreviations of nothing.
		if want == "" && (strings.HasPrefix("isntal-clean", w) || strings.HasPrefix("ic-test", w)) {
			continue
		}
		if g := npmDeref(w); g != want {
			t.Errorf("npm reads %q as %q; guard as %q", w, want, g)
		}
	}
}

// helpUsage runs `tool help word` for each word (a few at a time) and
// returns the first "Usage: ..." line of each.
func helpUsage(t *testing.T, tool string, dir string, words []string) map[string]string {
	t.Helper()
	out := make(map[string]string, len(words))
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	usage := regexp.MustCompile(`Usage: ([^\n]*)`)
	for _, w := range words {
		wg.Add(1)
		go func(w string) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cmd := exec.Command(tool, "help", w)
			cmd.Dir = dir
			b, _ := cmd.CombinedOutput()
			m := usage.FindSubmatch(b)
			mu.Lock()
			defer mu.Unlock()
			if m != nil {
				out[w] = strings.TrimSpace(string(m[1]))
			}
		}(w)
	}
	wg.Wait()
	return out
}

func TestPnpmAliasTableMatchesPnpm9(t *testing.T) {
	pnpm := needTool(t, "pnpm")
	if v, err := exec.Command(pnpm, "--version").Output(); err != nil || !strings.HasPrefix(string(v), "9.") {
		t.Skipf("skipping: pnpm %s is not pnpm 9", v)
	}
	m, _ := Lookup("pnpm")
	lm := m.(*pnpmManager).lockManager
	words := []string{"dlx", "create", "self-update", "exec", "ddp"}
	for w := range lm.commands {
		words = append(words, w)
	}
	for w := range lm.install {
		words = append(words, w)
	}
	got := helpUsage(t, pnpm, t.TempDir(), words)
	for _, w := range words {
		want := w
		if c, ok := lm.commands[w]; ok {
			want = c
		}
		u := got[w]
		if w == "ddp" {
			// Not a pnpm command: guard must not take it for dedupe.
			if u != "" || lm.commands[w] != "" {
				t.Errorf("pnpm help ddp: %q; guard maps it to %q", u, lm.commands[w])
			}
			continue
		}
		if !strings.Contains(u+" ", " "+want+" ") {
			t.Errorf("pnpm help %s: %q, guard reads it as %q", w, u, want)
		}
	}
}

func TestYarnAliasTableMatchesYarn1(t *testing.T) {
	yarn := needTool(t, "yarn")
	if v, err := exec.Command(yarn, "--version").Output(); err != nil || !isYarn1(string(v)) {
		t.Skipf("skipping: yarn %s is not yarn 1", v)
	}
	m, _ := Lookup("yarn")
	lm := m.(*yarnManager).lockManager
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "package.json"), []byte("{}\n"), 0o644)
	words := []string{"global", "create", "up", "i", "dlx"}
	for w := range lm.commands {
		words = append(words, w)
	}
	got := helpUsage(t, yarn, dir, words)
	yarn1 := map[string]string{"install": "install", "add": "add", "upgrade": "upgrade", "upgrade-interactive": "upgrade-interactive",
		"upgradeInteractive": "upgrade-interactive", "remove": "remove", "global": "global"}
	for _, w := range words {
		u := got[w]
		if c, ok := yarn1[w]; ok {
			if !strings.HasPrefix(u, "yarn "+c+" ") {
				t.Errorf("yarn help %s: %q, want yarn %s", w, u, c)
			}
			if w != "global" && lm.commands[w] != c {
				t.Errorf("guard reads yarn %s as %q, yarn 1 as %q", w, lm.commands[w], c)
			}
			continue
		}
		switch w {
		case "up", "i", "dlx":
			// No yarn 1 commands: yarn 1 runs the package.json script of
			// that name, and guard's yarn 1 resolution fetches nothing.
			if !strings.HasPrefix(u, "yarn [command]") {
				t.Errorf("yarn help %s: %q: a yarn 1 command after all?", w, u)
			}
			c := m.Classify(&Invocation{Args: []string{w}})
			if w != "dlx" && c.Install && yarnResolveSteps(c.Name, []string{w}, 0, true, "1.22.22") != nil {
				t.Errorf("guard resolves yarn 1 %s", w)
			}
		}
	}
	// yarn global's subcommands: those that fetch are checked, the others
	// pass through.
	u := got["global"]
	subs := strings.Split(strings.TrimSuffix(strings.TrimPrefix(strings.Fields(u)[2], "["), "]"), "|")
	for _, s := range subs {
		want := s == "add" || s == "upgrade" || s == "upgrade-interactive" || s == "remove"
		if yarnGlobalCommands[s] != want {
			t.Errorf("yarn global %s: checked %v, want %v", s, yarnGlobalCommands[s], want)
		}
	}
	if len(subs) < 6 {
		t.Errorf("yarn global usage: %q", u)
	}
}
