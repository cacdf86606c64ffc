package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/installguard/guard/guard"
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
	if len(cmds) != 2 || cmds[0] != "CGO_ENABLED=0 go build -o bin/guard ./cmd/guard" || !strings.HasPrefix(cmds[1], "bin/guard check ") {
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

// mdAnchors returns the GitHub anchors of a markdown file's headings.
func mdAnchors(text string) map[string]bool {
	out := map[string]bool{}
	code := false
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "```") {
			code = !code
		}
		h := strings.TrimLeft(l, "#")
		if code || len(h) == len(l) || len(l)-len(h) > 6 || !strings.HasPrefix(h, " ") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(h)) {
			switch {
			case r == ' ':
				b.WriteRune('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		out[b.String()] = true
	}
	return out
}

// TestDocLinks: every relative link of README.md and docs/*.md names a file
// that exists and, with a #fragment, one of its headings; README's
// Documentation section links every file in docs/.
func TestDocLinks(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("no docs/*.md (%v)", err)
	}
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	fence := regexp.MustCompile("(?s)```.*?```")
	link := regexp.MustCompile(`\]\(([^)\s]+)\)`)
	for _, f := range append([]string{filepath.Join(root, "README.md")}, docs...) {
		rel, _ := filepath.Rel(root, f)
		for _, m := range link.FindAllStringSubmatch(fence.ReplaceAllString(read(f), ""), -1) {
			target, frag, _ := strings.Cut(m[1], "#")
			if strings.Contains(target, ":") {
				continue // https:, mailto:
			}
			p := f
			if target != "" {
				p = filepath.Join(filepath.Dir(f), filepath.FromSlash(target))
			}
			if _, err := os.Stat(p); err != nil {
				t.Errorf("%s links %s, which does not exist", rel, m[1])
				continue
			}
			if frag != "" && strings.HasSuffix(p, ".md") && !mdAnchors(read(p))[frag] {
				t.Errorf("%s links %s, which has no such heading", rel, m[1])
			}
		}
	}
	readme := read(filepath.Join(root, "README.md"))
	_, index, ok := strings.Cut(readme, "\n## Documentation\n")
	if !ok {
		t.Fatal(`README.md has no "## Documentation" section`)
	}
	index, _, _ = strings.Cut(index, "\n## ")
	for _, d := range docs {
		name := "docs/" + filepath.Base(d)
		if !strings.Contains(index, "]("+name+")") {
			t.Errorf("README's Documentation section does not link %s", name)
		}
	}
}

// TestDocExitCodes: README's short exit-code table and docs/exit-codes.md
// list exactly guard's exit codes.
func TestDocExitCodes(t *testing.T) {
	want := map[string]bool{}
	for _, c := range []int{guard.ExitAllow, guard.ExitBlocked, guard.ExitInvalid, guard.ExitIncomplete} {
		want[strconv.Itoa(c)] = true
	}
	row := regexp.MustCompile(`(?m)^\| (\d+) \|`)
	for _, f := range []struct{ path, section string }{{"README.md", "\n## Exit codes\n"}, {"docs/exit-codes.md", "# Exit codes\n"}} {
		b, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(f.path)))
		if err != nil {
			t.Fatal(err)
		}
		_, sec, ok := strings.Cut(string(b), f.section)
		if !ok {
			t.Fatalf("%s has no exit code section %q", f.path, strings.TrimSpace(f.section))
		}
		sec, _, _ = strings.Cut(sec, "\n## ")
		got := map[string]bool{}
		for _, m := range row.FindAllStringSubmatch(sec, -1) {
			got[m[1]] = true
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s lists exit codes %v, guard has %v", f.path, got, want)
		}
	}
}
