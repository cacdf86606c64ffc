package lockfile

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// Issue 12 item 9: the options a requirements file sets reach the lockfile
// (the sources rule and the pip wrapper read them), each with its place.
func TestRequirementsOptionsRecorded(t *testing.T) {
	text := "--index-url https://user:secret@idx.example/simple\n" +
		"--extra-index https://extra.example/simple -f ./wheels\n" +
		"--trusted-host idx.example\n" +
		"-r inc.txt --no-binary :all:\n" + // pip ignores a -r line's other options
		"foo==1 --config-settings=k=v --hash=sha256:aa\n"
	lf, err := parsePipMem(t, "r.txt", text, map[string]string{"inc.txt": "--no-bin=:all:\nbar==2\n"})
	if err != nil {
		t.Fatal(err)
	}
	want := []Option{
		{Path: "r.txt", Line: 1, Name: "--index-url", Value: "https://user:xxxxx@idx.example/simple"},
		{Path: "r.txt", Line: 2, Name: "--extra-index-url", Value: "https://extra.example/simple"},
		{Path: "r.txt", Line: 2, Name: "--find-links", Value: "./wheels"},
		{Path: "r.txt", Line: 3, Name: "--trusted-host", Value: "idx.example"},
		{Path: "inc.txt", Line: 1, Name: "--no-binary", Value: ":all:"},
		{Path: "r.txt", Line: 5, Name: "--config-settings", Value: "k=v"},
	}
	if !reflect.DeepEqual(lf.Options, want) {
		t.Errorf("options:\n got %+v\nwant %+v", lf.Options, want)
	}
	if !reflect.DeepEqual(lf.Indexes, []string{"https://user:xxxxx@idx.example/simple", "https://extra.example/simple"}) {
		t.Errorf("indexes %q", lf.Indexes)
	}
}

// Issue 12 item 9: includes that resolve outside the project folder are
// not read (their content never reaches packages, errors or reports);
// they are listed as options with NotRead set.
func TestRequirementsIncludeOutsideProject(t *testing.T) {
	top := t.TempDir()
	proj := filepath.Join(top, "proj")
	secret := filepath.Join(top, "secret.txt")
	os.MkdirAll(filepath.Join(proj, "sub"), 0o755)
	// Lines that would read as packages (and be sent to advisory
	// services) if the file were read.
	os.WriteFile(secret, []byte("ghp-secret-token==1\n"), 0o600)
	if err := os.Symlink(secret, filepath.Join(proj, "link.txt")); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(proj, "sub", "ok.txt"), []byte("inside==1\n"), 0o644)
	lines := []string{
		"-r sub/ok.txt",
		"-r ../secret.txt",
		"-c " + secret,
		"-r link.txt",
		"-r file://" + filepath.ToSlash(secret),
		"-r sub/../../secret.txt",
	}
	if runtime.GOOS == "linux" {
		lines = append(lines, "-r /proc/self/environ")
	}
	req := filepath.Join(proj, "requirements.txt")
	os.WriteFile(req, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	lf, err := ParseAsWithin(req, FormatRequirements, proj)
	if err != nil {
		t.Fatal(err)
	}
	if len(lf.Packages) != 1 || lf.Packages[0].Name != "inside" {
		t.Errorf("packages %+v, want only inside==1", lf.Packages)
	}
	if len(lf.Includes) != 1 {
		t.Errorf("includes %q, want only sub/ok.txt", lf.Includes)
	}
	var notRead []string
	for _, o := range lf.Options {
		if !o.NotRead || o.Path != req {
			t.Errorf("unexpected option %+v", o)
			continue
		}
		notRead = append(notRead, strings.TrimPrefix(lines[o.Line-1], map[string]string{"--requirement": "-r ", "--constraint": "-c "}[o.Name]))
		if o.Value != strings.Fields(lines[o.Line-1])[1] {
			t.Errorf("option %+v: value is not the token as written", o)
		}
	}
	if !reflect.DeepEqual(notRead, func() []string {
		var out []string
		for _, l := range lines[1:] {
			out = append(out, strings.Fields(l)[1])
		}
		return out
	}()) {
		t.Errorf("not read: %q", notRead)
	}

	// Parse (no root given) bounds includes by the file's folder when the
	// file lies outside the current directory.
	lf, err = Parse(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(lf.Packages) != 1 {
		t.Errorf("Parse read an include outside the project: %+v", lf.Packages)
	}
}

// Issue 12 item 9: an error quotes the offending token of a bad line, never
// the rest of the line.
func TestRequirementsErrorsQuoteOnlyTheToken(t *testing.T) {
	for _, line := range []string{
		"foo==1 bad tail-SECRET --hash=sha256:aa",
		"foo (bad tail-SECRET",
		"foo==1 --bogus tail-SECRET",
		"foo==1 --global-option='unclosed tail-SECRET",
		"foo==1.0,bad tail-SECRET",
		"foo[bad tail-SECRET",
		"-e https://example.com/x.tar.gz tail-SECRET",
		"-c c.txt tail-SECRET",
	} {
		_, err := parsePipMem(t, "r.txt", line+"\n", nil)
		if err == nil {
			t.Errorf("%q parsed", line)
			continue
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%q: error echoes more than the offending token: %v", line, err)
		}
	}
}

// The project folder is the git work tree: a monorepo member may include
// the repository's shared files, nothing outside the repository.
func TestRequirementsIncludeProjectRoot(t *testing.T) {
	top := t.TempDir()
	repo := filepath.Join(top, "repo")
	member := filepath.Join(repo, "services", "api")
	os.MkdirAll(member, 0o755)
	os.MkdirAll(filepath.Join(repo, ".git"), 0o755)
	os.MkdirAll(filepath.Join(repo, "requirements"), 0o755)
	os.WriteFile(filepath.Join(repo, "requirements", "base.txt"), []byte("shared==1\n"), 0o644)
	os.WriteFile(filepath.Join(top, "secret.txt"), []byte("secret==1\n"), 0o644)
	req := filepath.Join(member, "requirements.txt")
	os.WriteFile(req, []byte("-r ../../requirements/base.txt\n-r ../../../secret.txt\n"), 0o644)
	lf, err := Parse(req)
	if err != nil {
		t.Fatal(err)
	}
	if len(lf.Packages) != 1 || lf.Packages[0].Name != "shared" {
		t.Errorf("packages %+v, want only shared==1", lf.Packages)
	}
	if len(lf.Options) != 1 || !lf.Options[0].NotRead || lf.Options[0].Value != "../../../secret.txt" {
		t.Errorf("options %+v", lf.Options)
	}
	// Without git: the working directory when the file lies in it, never
	// the filesystem root (a container's default working directory).
	plain := filepath.Join(top, "plain")
	os.MkdirAll(filepath.Join(plain, "sub"), 0o755)
	file := filepath.Join(plain, "sub", "requirements.txt")
	for _, c := range []struct{ cwd, want string }{
		{plain, plain}, {string(filepath.Separator), filepath.Dir(file)}, {"", filepath.Dir(file)},
		{filepath.Join(top, "elsewhere"), filepath.Dir(file)}, {member, repo},
	} {
		f := file
		if c.cwd == member {
			f = req
		}
		if got := ProjectFolder(f, c.cwd); got != c.want {
			t.Errorf("ProjectFolder(%s, %q) = %s, want %s", f, c.cwd, got, c.want)
		}
	}
}
