package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func project(name string) string { return filepath.Join("..", "..", "testdata", "projects", name) }

type result struct {
	code           int
	stdout, stderr string
}

// testDBDir is an offline DB built once from testdata/osv (TestMain); every
// run uses it unless the test's environment names another.
var testDBDir string

// testTransport trusts the httptest TLS servers (guard db update is https
// only); set by TestMain.
var testTransport http.RoundTripper

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "guard-cmd-test-")
	if err != nil {
		panic(err)
	}
	srv, err := newTestDBServer()
	if err != nil {
		panic(err)
	}
	testDBDir = filepath.Join(dir, "osv-db")
	var out, errb bytes.Buffer
	testTransport = srv.Client().Transport
	e := &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }, isTerminal: func(io.Writer) bool { return false }, transport: testTransport}
	if code := run(context.Background(), e, []string{"db", "update", "--db", testDBDir, "--url", srv.URL}); code != 0 {
		panic("db update for the tests failed: " + errb.String())
	}
	srv.Close()
	// guard's private copies go to a folder of this run outside /tmp (which
	// guard refuses: other users can write there), removed with it, so that
	// a guard a test kills leaves nothing in the user's cache.
	tmpBase := ""
	if cache, err := os.UserCacheDir(); err == nil && os.MkdirAll(filepath.Join(cache, "guard-test"), 0o700) == nil {
		if tmpBase, err = os.MkdirTemp(filepath.Join(cache, "guard-test"), "run-"); err == nil {
			os.Setenv("GUARD_TMPDIR", tmpBase)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	if tmpBase != "" {
		os.RemoveAll(tmpBase)
	}
	os.Exit(code)
}

func runGuard(t *testing.T, environ map[string]string, tty bool, args ...string) result {
	t.Helper()
	// Every run uses the test DB and gathers no provenance and no registry
	// metadata unless the test says otherwise.
	withDefaults := map[string]string{"GUARD_DB": testDBDir, "GUARD_NO_PROVENANCE": "1", "GUARD_NO_METADATA": "1"}
	for k, v := range environ {
		withDefaults[k] = v
	}
	environ = withDefaults
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, transport: testTransport,
		getenv:     func(k string) string { return environ[k] },
		isTerminal: func(io.Writer) bool { return tty }}
	code := run(context.Background(), e, args)
	return result{code, out.String(), errb.String()}
}

func TestCheckExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout or stderr
	}{
		{"pinned npm project allowed", []string{"check", project("npm-pinned")}, 0, "verdict: ALLOW"},
		{"unpinned requirements blocked", []string{"check", project("py-unpinned")}, 1, "flask"},
		{"unpinned requirements warn mode", []string{"check", "--mode", "warn", project("py-unpinned")}, 0, "ALLOW with warnings"},
		{"level 0 turns pinning off", []string{"check", "--level", "0", project("py-unpinned")}, 0, "verdict: ALLOW"},
		{"manifest without lockfile", []string{"check", project("no-lockfile")}, 1, "no lockfile"},
		{"broken lockfile names file and line", []string{"check", project("broken")}, 2, "package-lock.json:"},
		{"missing path", []string{"check", project("does-not-exist")}, 2, "no such file"},
		{"bad level", []string{"check", "--level", "4", project("npm-pinned")}, 2, "level 4"},
		{"bad mode", []string{"check", "--mode", "maybe", project("npm-pinned")}, 2, "mode"},
		{"bad format", []string{"check", "--format", "xml", project("npm-pinned")}, 2, "--format"},
		{"unknown flag", []string{"check", "--frobnicate"}, 2, "unknown flag"},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
		{"no command", nil, 2, "Usage"},
		{"help", []string{"help", "check"}, 0, "--format"},
		{"check --help", []string{"check", "--help"}, 0, "--recursive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runGuard(t, nil, false, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stdout+r.stderr, tt.want) {
				t.Fatalf("output lacks %q\nstdout:\n%s\nstderr:\n%s", tt.want, r.stdout, r.stderr)
			}
		})
	}
}

func TestCheckJSONReport(t *testing.T) {
	r := runGuard(t, nil, false, "check", "--format", "json", project("npm-pinned"), project("py-unpinned"), project("cargo-app"))
	if r.code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", r.code, r.stderr)
	}
	var rep struct {
		Verdict   string `json:"verdict"`
		Lockfiles []struct {
			Path, Format, Ecosystem string
			Packages                int
		} `json:"lockfiles"`
		Packages []map[string]any `json:"packages"`
		Findings []struct {
			Rule, ID, Ecosystem, Name, Version, Action, Message, Item string
			Aliases                                                   []string
		} `json:"findings"`
		Errors []any `json:"errors"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, r.stdout)
	}
	if rep.Verdict != "block" || len(rep.Lockfiles) != 3 || rep.Errors == nil {
		t.Fatalf("verdict %q, %d lockfiles, errors %v", rep.Verdict, len(rep.Lockfiles), rep.Errors)
	}
	eco := map[string]int{}
	for _, lf := range rep.Lockfiles {
		eco[lf.Ecosystem] += lf.Packages
	}
	if eco["npm"] != 3 || eco["PyPI"] != 3 || eco["crates.io"] != 2 {
		t.Errorf("package counts per ecosystem: %v", eco)
	}
	if len(rep.Packages) != 8 {
		t.Errorf("%d packages[], want 8", len(rep.Packages))
	}
	for _, p := range rep.Packages {
		for _, k := range []string{"lockfile", "ecosystem", "name", "version", "hashes", "source", "direct", "dev"} {
			if _, ok := p[k]; !ok {
				t.Errorf("package %v lacks %q", p["name"], k)
			}
		}
	}
	got := map[string]string{}
	for _, f := range rep.Findings {
		if f.Aliases == nil || f.Message == "" || f.Item == "" {
			t.Errorf("bad finding %+v", f)
		}
		got[f.Rule+" "+f.Name+" "+f.ID] = f.Action
	}
	want := map[string]string{
		"pinning flask unpinned-version":      "block",
		"pinning urllib3 missing-hash":        "block",
		"vulnerability urllib3 PYSEC-2099-7":  "block", // "URLLib3" in the record: PEP 503 names
		"unmaintained itoa RUSTSEC-2099-0001": "warn",
	}
	if len(got) != len(want) {
		t.Errorf("findings %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("finding %q: action %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}

func TestColorOnlyOnTTYWithoutNoColor(t *testing.T) {
	const esc = "\x1b["
	if r := runGuard(t, nil, true, "check", project("py-unpinned")); !strings.Contains(r.stdout, esc) {
		t.Errorf("no colour on a TTY:\n%s", r.stdout)
	}
	if r := runGuard(t, map[string]string{"NO_COLOR": "1"}, true, "check", project("py-unpinned")); strings.Contains(r.stdout, esc) {
		t.Errorf("colour despite NO_COLOR")
	}
	if r := runGuard(t, nil, false, "check", project("py-unpinned")); strings.Contains(r.stdout, esc) {
		t.Errorf("colour on a pipe")
	}
}

func TestQuietAndVerbose(t *testing.T) {
	q := runGuard(t, nil, false, "check", "--quiet", "--mode", "warn", project("py-unpinned"))
	if strings.Contains(q.stdout, "flask") || !strings.Contains(q.stdout, "verdict") {
		t.Errorf("--quiet printed warnings or no verdict:\n%s", q.stdout)
	}
	v := runGuard(t, nil, false, "check", "--verbose", project("npm-pinned"))
	if !strings.Contains(v.stdout, "is-number@7.0.0") || !strings.Contains(v.stdout, "direct") {
		t.Errorf("--verbose does not list packages:\n%s", v.stdout)
	}
	if r := runGuard(t, nil, false, "check", "--quiet", "--verbose", project("npm-pinned")); r.code != 2 {
		t.Errorf("--quiet --verbose: exit %d", r.code)
	}
}

func TestOutputFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.json")
	r := runGuard(t, nil, false, "check", "--format", "json", "--output", out, project("npm-pinned"))
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("exit %d, stdout %q", r.code, r.stdout)
	}
	data, err := os.ReadFile(out)
	if err != nil || !json.Valid(data) {
		t.Fatalf("report file: %v %q", err, data)
	}
	bad := runGuard(t, nil, false, "check", "--output", filepath.Join(t.TempDir(), "missing", "r.txt"), project("npm-pinned"))
	if bad.code != 2 {
		t.Fatalf("unwritable --output: exit %d", bad.code)
	}
}

func TestCheckSARIFAndMarkdown(t *testing.T) {
	s := runGuard(t, nil, false, "check", "--format", "sarif", project("npm-vulnerable"))
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
				Level  string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(s.stdout), &sarif); err != nil || s.code != 1 {
		t.Fatalf("exit %d: %v\n%s", s.code, err, s.stdout)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) != 1 ||
		!strings.HasPrefix(sarif.Runs[0].Results[0].RuleID, "vulnerability/") || sarif.Runs[0].Results[0].Level != "error" {
		t.Errorf("SARIF %+v", sarif)
	}
	m := runGuard(t, nil, false, "check", "--format", "markdown", project("npm-vulnerable"))
	if m.code != 1 || !strings.Contains(m.stdout, "| **BLOCK** | vulnerability | lodash@4.17.15 |") {
		t.Errorf("markdown: exit %d\n%s", m.code, m.stdout)
	}
}
