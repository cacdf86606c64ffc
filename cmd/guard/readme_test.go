package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeSection returns the fenced code blocks of README's section title.
func readmeSection(t *testing.T, readme, title string) []string {
	t.Helper()
	i := strings.Index(readme, "\n## "+title+"\n")
	if i < 0 {
		t.Fatalf("README has no %q section", title)
	}
	sec := readme[i+1:]
	if j := strings.Index(sec[3:], "\n## "); j >= 0 {
		sec = sec[:j+3]
	}
	var blocks []string
	for {
		a := strings.Index(sec, "```")
		if a < 0 {
			return blocks
		}
		sec = sec[a+3:]
		sec = sec[strings.IndexByte(sec, '\n')+1:]
		b := strings.Index(sec, "```")
		if b < 0 {
			t.Fatal("unterminated code block")
		}
		blocks = append(blocks, sec[:b])
		sec = sec[b+3:]
	}
}

// README's Install section is two commands from a clone: build into bin/,
// then the first run, which checks the demo project against the demo OSV
// snapshot in testdata/demo with no network. This runs exactly that command
// (with every network endpoint pointed at a closed loopback port, so any
// network use would fail the check with exit 3) and checks its verdict and
// the lines README shows of its output.
func TestReadmeFirstRun(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	install := readmeSection(t, readme, "Install")
	if len(install) == 0 {
		t.Fatal("no command block in Install")
	}
	var cmds []string
	for _, l := range strings.Split(install[0], "\n") {
		if l = strings.TrimSpace(strings.SplitN(l, "#", 2)[0]); l != "" {
			cmds = append(cmds, l)
		}
	}
	if len(cmds) != 2 || cmds[0] != "go build -o bin/guard ./cmd/guard" || !strings.HasPrefix(cmds[1], "bin/guard check ") {
		t.Fatalf("Install commands are %q, want the build into bin/ and the first run", cmds)
	}
	gi, err := os.ReadFile(filepath.Join(root, ".gitignore"))
	if err != nil || !strings.Contains("\n"+string(gi), "\n/bin/\n") {
		t.Fatalf(".gitignore does not ignore /bin/ (%v)", err)
	}

	t.Chdir(root)
	home := t.TempDir()
	closed := "http://127.0.0.1:1"
	getenv := func(k string) string {
		switch k {
		case "HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME":
			return home
		case "GUARD_OSV_URL", "GUARD_OSV_DB_URL", "npm_config_registry", "PIP_INDEX_URL", "HTTPS_PROXY", "HTTP_PROXY":
			return closed
		}
		return ""
	}
	t.Setenv("HOME", home)
	t.Setenv("XDG_CACHE_HOME", home)
	t.Setenv("XDG_CONFIG_HOME", home)
	t.Setenv("HTTPS_PROXY", closed)
	t.Setenv("HTTP_PROXY", closed)
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: getenv, isTerminal: func(io.Writer) bool { return false }}
	code := run(context.Background(), e, strings.Fields(cmds[1])[1:])
	if code != 1 {
		t.Fatalf("exit %d, want 1 (blocked)\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	for _, want := range []string{"verdict: BLOCK", "lodash@4.17.15", "GHSA-35jh-r3h4-6jhm", "cookie@0.4.1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// Every line README shows of the output (but "…") is in the output.
	first := readmeSection(t, readme, "First run")
	if len(first) == 0 {
		t.Fatal("no output block in First run")
	}
	for _, l := range strings.Split(first[0], "\n") {
		if l = strings.TrimRight(l, " "); l != "" && strings.TrimSpace(l) != "…" && !strings.Contains(out.String(), l) {
			t.Errorf("README's first-run output shows %q, which the run did not print:\n%s", l, out.String())
		}
	}
}
