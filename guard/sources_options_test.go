package guard

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/installguard/guard/lockfile"
)

// Issue 12 item 9: requirements options that change where packages come
// from reach the sources rule, and an include outside the project folder is
// a finding (never read, never echoed).
func TestSourcesRequirementsOptions(t *testing.T) {
	top := t.TempDir()
	dir := filepath.Join(top, "proj")
	os.MkdirAll(dir, 0o755)
	// Would read as a package, and its name would go to advisory services.
	os.WriteFile(filepath.Join(top, "outside.txt"), []byte("outside-secret==1\n"), 0o600)
	h := " --hash=sha256:" + strings.Repeat("a", 64)
	writeFile(t, dir, "requirements.txt", "--index-url https://evil.example/simple\n"+
		"--extra-index-url https://pypi.org/simple\n"+
		"-f https://wheels.evil.example/\n"+
		"--find-links ./wheels\n"+
		"--trusted-host evil.example\n"+
		"--trusted-host mirror.example.com:8080\n"+
		"-r ../outside.txt\n"+
		"foo==1.0"+h+"\n")
	cases := []struct {
		name, policy string
		level        int
		want         []string
		checkErr     bool
	}{
		{name: "no policy: only the unread include", level: 2, want: []string{" include-outside-project block"}},
		{name: "registries and hosts", level: 2,
			policy: "[sources.pypi]\nregistries = [\"https://pypi.org/simple\"]\nhosts = [\"*.example.com\"]\n",
			want: []string{
				" host-not-allowed block", // --find-links ./wheels
				" host-not-allowed block", // --trusted-host evil.example
				" host-not-allowed block", // -f https://wheels.evil.example/
				" include-outside-project block",
				" registry-not-allowed block", // --index-url
			}},
		{name: "rule off: a check error, not a pass", level: 1, checkErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := Options{Paths: []string{dir}, Level: c.level, Mode: Block, Advisories: &memSource{}}
			if c.policy != "" {
				opts.Policy = projectPolicy(t, dir, c.policy)
				defer os.Remove(filepath.Join(dir, "guard.toml"))
			}
			r, err := Check(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			got := findingKeys(r, RuleSources)
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got %q\nwant %q", got, c.want)
			}
			var checkErrs int
			for _, e := range r.Errors {
				if e.Kind == CheckError && strings.Contains(e.Message, "../outside.txt") {
					checkErrs++
				}
			}
			if (checkErrs == 1) != c.checkErr {
				t.Errorf("errors %+v", r.Errors)
			}
			if c.checkErr && r.ExitCode() != ExitIncomplete {
				t.Errorf("exit %d with an unread include, want %d", r.ExitCode(), ExitIncomplete)
			}
			for _, p := range r.Packages {
				if p.Name != "foo" {
					t.Errorf("package %q: the outside include was read", p.Name)
				}
			}
			for _, f := range r.Findings {
				if strings.Contains(f.Message, "outside-secret") {
					t.Errorf("finding echoes the outside file: %s", f.Message)
				}
				if f.ID == SrcIncludeOutside && (f.Line != 7 || !strings.Contains(f.Message, "requirements.txt:7: -r ../outside.txt")) {
					t.Errorf("finding %+v", f)
				}
			}
		})
	}
}

// The pip wrapper's package set carries the command line's index options.
func TestSourcesWrapperIndexOptions(t *testing.T) {
	dir := t.TempDir()
	lf := &lockfile.Lockfile{Path: "pip install x", Ecosystem: lockfile.PyPI, Packages: []lockfile.Package{},
		Options: []lockfile.Option{
			{Path: "the command line", Name: "--extra-index-url", Value: "https://evil.example/simple"},
			{Path: "the command line", Name: "--index-url", Value: "https://pypi.org/simple/"},
		}}
	opts := Options{Lockfiles: []*lockfile.Lockfile{lf}, Level: 2, Mode: Block, Advisories: &memSource{},
		Policy: projectPolicy(t, dir, "[sources.pypi]\nregistries = [\"https://pypi.org/simple\"]\n")}
	r, err := Check(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	got := findingKeys(r, RuleSources)
	if len(got) != 1 || got[0] != " registry-not-allowed block" {
		t.Fatalf("findings %q", got)
	}
	if f := r.Findings[0]; !strings.HasPrefix(f.Message, "the command line: --extra-index-url https://evil.example/simple names a package index") {
		t.Errorf("message %q", f.Message)
	}
}
