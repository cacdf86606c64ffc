package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// jsonReport is what a CI step reads from the JSON report.
type jsonReport struct {
	Verdict string `json:"verdict"`
	Items   []struct {
		Rule, Status, Note string
	} `json:"items"`
	Errors []struct {
		Kind, Message string
		Rules         []string
	} `json:"errors"`
}

func itemStatus(rep jsonReport, rule string) string {
	for _, it := range rep.Items {
		if it.Rule == rule {
			return it.Status
		}
	}
	return ""
}

// truncatedProject is npm-pinned with its lockfile cut in half.
func truncatedProject(t *testing.T) string {
	t.Helper()
	dir := copyProject(t, "npm-pinned")
	lock := filepath.Join(dir, "package-lock.json")
	data, err := os.ReadFile(lock)
	if err != nil {
		t.Fatal(err)
	}
	write(t, lock, string(data[:len(data)/2]))
	return dir
}

var osvDown = map[string]string{"GUARD_DB": "", "GUARD_OSV_URL": "http://127.0.0.1:1"}

// TestErrorVerdictEveryFormat: a run that exits 2 or 3 says "error" in
// every format and in the --output summary, and the items it could not
// check never read "pass" (issue 12, item 1).
func TestErrorVerdictEveryFormat(t *testing.T) {
	truncated := truncatedProject(t)
	noDB := map[string]string{"GUARD_DB": filepath.Join(t.TempDir(), "none")}
	t.Run("OSV API unreachable", func(t *testing.T) {
		r := runGuard(t, osvDown, false, "check", "--format", "json", project("npm-malware"))
		var rep jsonReport
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("exit %d: %v\n%s", r.code, err, r.stdout)
		}
		if r.code != 3 || rep.Verdict != "error" || itemStatus(rep, "vulnerability") != "error" || itemStatus(rep, "malware") != "error" ||
			len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Message, "OSV API") || len(rep.Errors[0].Rules) == 0 {
			t.Errorf("exit %d\n%s", r.code, r.stdout)
		}
	})
	for _, tt := range []struct {
		name    string
		environ map[string]string
		dir     string
		code    int
		errored []string
	}{
		{"truncated package-lock.json", nil, truncated, 2, []string{"pinning", "vulnerability", "malware"}},
		// An advisory source that cannot answer (the OSV API case below
		// takes seconds of retries per run).
		{"offline DB missing", noDB, project("npm-pinned"), 3, []string{"vulnerability", "malware"}},
		{"offline DB missing, malware in the lockfile", noDB, project("npm-malware"), 3, []string{"vulnerability", "malware"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := runGuard(t, tt.environ, false, "check", "--format", "json", tt.dir)
			var rep jsonReport
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("exit %d: %v\n%s", r.code, err, r.stdout)
			}
			if r.code != tt.code || rep.Verdict != "error" {
				t.Fatalf("exit %d verdict %q, want exit %d verdict error\n%s", r.code, rep.Verdict, tt.code, r.stdout)
			}
			for _, rule := range tt.errored {
				if s := itemStatus(rep, rule); s != "error" {
					t.Errorf("item %s: %q, want error", rule, s)
				}
			}

			r = runGuard(t, tt.environ, false, "check", "--format", "sarif", tt.dir)
			var sarif struct {
				Runs []struct {
					Properties struct {
						Verdict  string
						ExitCode int
					}
					Invocations []struct{ ExecutionSuccessful bool }
				}
			}
			if err := json.Unmarshal([]byte(r.stdout), &sarif); err != nil || r.code != tt.code {
				t.Fatalf("sarif: exit %d %v", r.code, err)
			}
			if p := sarif.Runs[0].Properties; p.Verdict != "error" || p.ExitCode != tt.code || sarif.Runs[0].Invocations[0].ExecutionSuccessful {
				t.Errorf("sarif run: %+v", sarif.Runs[0])
			}

			r = runGuard(t, tt.environ, false, "check", "--format", "markdown", tt.dir)
			if !strings.Contains(r.stdout, "**Verdict: ERROR**") || strings.Contains(r.stdout, "ALLOW") || !regexp.MustCompile(`\| malware \| 0 \| error: [^|]+ \|`).MatchString(r.stdout) {
				t.Errorf("markdown:\n%s", r.stdout)
			}

			r = runGuard(t, tt.environ, false, "check", tt.dir)
			if !strings.Contains(r.stdout, "verdict: ERROR") || strings.Contains(r.stdout, "ALLOW") || regexp.MustCompile(`(?m)^  G2\.3 +malware +pass`).MatchString(r.stdout) {
				t.Errorf("text:\n%s", r.stdout)
			}

			out := filepath.Join(t.TempDir(), "r.json")
			r = runGuard(t, tt.environ, false, "check", "--format", "json", "--output", out, tt.dir)
			if r.code != tt.code || !strings.Contains(r.stderr, "guard: verdict error, report written to "+out) || strings.Contains(r.stderr, "allow") {
				t.Errorf("--output: exit %d stderr %q", r.code, r.stderr)
			}

			r = runGuard(t, tt.environ, false, "explain", "kind-of", tt.dir)
			if tt.dir == project("npm-pinned") && (r.code != 3 || !regexp.MustCompile(`(?m)^  G2\.3 +malware +error: advisories: `).MatchString(r.stdout)) {
				t.Errorf("explain: exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
		})
	}
}

// TestProjectPolicyCannotOpenAHole: a cloned project's guard.toml with
// on-error = "warn" no longer turns a failed advisory query into an allow
// (issue 12, item 2); the same line in an org policy does.
func TestProjectPolicyCannotOpenAHole(t *testing.T) {
	dir := copyProject(t, "npm-malware")
	write(t, filepath.Join(dir, "guard.toml"), "on-error = \"warn\"\n")
	r := runGuard(t, osvDown, false, "check", dir)
	if r.code != 2 || !strings.Contains(r.stderr, "guard.toml:1") || !strings.Contains(r.stderr, "safety floor") || strings.Contains(r.stdout, "ALLOW") {
		t.Fatalf("project on-error = warn: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runGuard(t, nil, false, "policy", "check", filepath.Join(dir, "guard.toml")); r.code != 2 || !strings.Contains(r.stderr, "safety floor") {
		t.Errorf("policy check: exit %d\n%s", r.code, r.stderr)
	}

	org := filepath.Join(t.TempDir(), "org.toml")
	write(t, org, "on-error = \"warn\"\n")
	os.Remove(filepath.Join(dir, "guard.toml"))
	env := map[string]string{"GUARD_POLICY": org}
	for k, v := range osvDown {
		env[k] = v
	}
	r = runGuard(t, env, false, "check", "--format", "json", dir)
	var rep jsonReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err, r.stdout)
	}
	if r.code != 0 || rep.Verdict != "warn" || itemStatus(rep, "malware") != "error" {
		t.Errorf("org on-error = warn: exit %d verdict %s malware %s", r.code, rep.Verdict, itemStatus(rep, "malware"))
	}
	r = runGuard(t, env, false, "policy", "show", "--project", dir)
	if r.code != 0 || !regexp.MustCompile(`(?m)^on-error = "warn" +# safety floor: a project file may only tighten it \(`+regexp.QuoteMeta(org)+`:1\)$`).MatchString(r.stdout) {
		t.Errorf("policy show does not name the org file:\n%s%s", r.stdout, r.stderr)
	}
}

// hostileLock is a package-lock.json whose package name, version and
// resolved URL try to take over the terminal: clear the screen, print a
// fake verdict over guard's, hide a link, reverse text.
const hostileLock = `{"name":"x","lockfileVersion":3,"requires":true,"packages":{
"":{"name":"x","dependencies":{"evil\u001b[2J\u001b[H":"1.0.0"}},
"node_modules/evil\u001b[2J\u001b[H":{"version":"1.0.0\r\nverdict: ALLOW (exit 0)\u001b]8;;https://evil.example\u0007click\u001b]8;;\u0007\u202e",
"resolved":"https://npm-registry.invalid/evil/-/evil-1.0.0.tgz\u001b[8m\u009b2J"}}}
`

// TestHostileLockfileCannotWriteToTheTerminal (issue 12, item 6).
func TestHostileLockfileCannotWriteToTheTerminal(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "package-lock.json"), hostileLock)
	for _, args := range [][]string{
		{"check", "--verbose", dir},
		{"check", "--format", "markdown", dir},
		{"explain", "evil\x1b[2J\x1b[H", dir},
	} {
		r := runGuard(t, nil, true, args...)
		out := r.stdout + r.stderr
		if !strings.Contains(out, `evil\x1b[2J\x1b[H`) && !strings.Contains(out, `evil\\x1b\[2J\\x1b\[H`) {
			t.Errorf("%q: the package is not shown escaped (exit %d):\n%s", args[:2], r.code, out)
		}
		// Colour is on (a terminal): guard's own SGR codes are the only
		// escape sequences.
		rest := regexp.MustCompile("\x1b\\[(31|32|33|2|1|0)m").ReplaceAllString(out, "")
		for _, bad := range []string{"\x1b", "\x07", "\r", "\u202e", "\u009b"} {
			if strings.Contains(rest, bad) {
				t.Errorf("%q: %q reached the terminal:\n%q", args[:2], bad, out)
			}
		}
		if regexp.MustCompile(`(?m)^verdict: ALLOW`).MatchString(rest) {
			t.Errorf("%q: the lockfile printed its own verdict line:\n%s", args[:2], out)
		}
	}
}

// TestPolicyShowEscapes: an exception reason in the project's guard.toml
// cannot write to the terminal through guard policy show.
func TestPolicyShowEscapes(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "guard.toml"), "[[exception]]\npackage = \"x\"\nreason = \"ok\u202e\u009b2J\"\nexpires = 2099-01-01\n")
	for _, format := range []string{"text", "json"} {
		r := runGuard(t, nil, false, "policy", "show", "--project", dir, "--format", format)
		if r.code != 0 || strings.Contains(r.stdout, "\u202e") || strings.Contains(r.stdout, "\u009b") || !strings.Contains(r.stdout, `ok\u202e\u009b2J`) {
			t.Errorf("%s: exit %d\n%s%s", format, r.code, r.stdout, r.stderr)
		}
		if format == "json" && !json.Valid([]byte(r.stdout)) {
			t.Errorf("escaped JSON is not JSON:\n%s", r.stdout)
		}
	}
}

// TestWrapReportSaysError: the wrappers' report and one-line summary carry
// the same verdict as guard check: "error" when the advisory source cannot
// answer, and the package manager is not run.
func TestWrapReportSaysError(t *testing.T) {
	bin := t.TempDir()
	ran := filepath.Join(t.TempDir(), "ran")
	script := "#!/bin/sh\n" + `case " $* " in *" --package-lock-only "*)
  printf '{"name":"x","lockfileVersion":3,"requires":true,"packages":{"":{"name":"x","dependencies":{"is-number":"7.0.0"}},"node_modules/is-number":{"version":"7.0.0","integrity":"sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng=="}}}\n' > package-lock.json
  exit 0;;
esac
touch ` + ran + "\n"
	if runtime.GOOS == "windows" {
		t.Skip("the fake npm is a shell script")
	}
	writeFiles(t, bin, map[string]string{"npm": script})
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"package.json": testManifest})
	t.Chdir(dir)
	out := filepath.Join(t.TempDir(), "r.json")
	noDB := map[string]string{"GUARD_DB": filepath.Join(t.TempDir(), "none")}
	r := runGuard(t, noDB, false, "--format", "json", "-o", out, "npm", "install", "is-number@7.0.0")
	data, _ := os.ReadFile(out)
	var rep jsonReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("exit %d: %v\n%s\n%s", r.code, err, data, r.stderr)
	}
	if r.code != 3 || rep.Verdict != "error" || itemStatus(rep, "malware") != "error" ||
		!strings.Contains(r.stderr, "verdict error, report written to "+out) || strings.Contains(r.stderr, "verdict allow") {
		t.Errorf("exit %d verdict %s\n%s", r.code, rep.Verdict, r.stderr)
	}
	if _, err := os.Stat(ran); err == nil {
		t.Error("npm ran though the check could not complete")
	}
}

// TestOutputReportOnSetupFailure: with --output, a run that fails before
// checking (here a project policy that would loosen the safety floor)
// still writes a report, and it says error: the file never keeps an
// older verdict.
func TestOutputReportOnSetupFailure(t *testing.T) {
	dir := copyProject(t, "npm-pinned")
	write(t, filepath.Join(dir, "guard.toml"), "on-error = \"warn\"\n")
	out := filepath.Join(t.TempDir(), "r.json")
	write(t, out, `{"verdict": "allow"}`)
	r := runGuard(t, nil, false, "check", "--format", "json", "--output", out, dir)
	data, _ := os.ReadFile(out)
	var rep jsonReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatal(err, string(data))
	}
	if r.code != 2 || rep.Verdict != "error" || len(rep.Errors) != 1 || rep.Errors[0].Kind != "input" ||
		!strings.Contains(rep.Errors[0].Message, "safety floor") || !strings.Contains(r.stderr, "guard: verdict error, report written to "+out) {
		t.Errorf("exit %d\n%s\n%s", r.code, data, r.stderr)
	}
}
