package pm

import (
	"reflect"
	"testing"

	"github.com/installguard/guard/lockfile"
)

func TestPipClassify(t *testing.T) {
	for _, tt := range []struct {
		args    []string
		cmd     string
		install bool
	}{
		{[]string{"install", "flask"}, "install", true},
		{[]string{"--python", "/usr/bin/python3", "install", "-r", "r.txt"}, "install", true},
		{[]string{"-q", "download", "x"}, "download", true},
		{[]string{"wheel", "x"}, "wheel", true},
		{[]string{"list"}, "list", false},
		{[]string{"--version"}, "", false},
	} {
		c := pipManager{}.Classify(&Invocation{Args: tt.args})
		if c.Name != tt.cmd || c.Install != tt.install {
			t.Errorf("%q: %+v", tt.args, c)
		}
	}
	got := pipResolveArgs([]string{"-q", "download", "-d", "out", "--dest=x", "flask"}, 1, "/tmp/r.json")
	want := []string{"-q", "install", "flask", "--dry-run", "--report", "/tmp/r.json", "--only-binary", ":all:",
		"--ignore-installed", "--quiet", "--disable-pip-version-check", "--no-input"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestPipReportLockfile(t *testing.T) {
	report := `{"version":"1","install":[
 {"download_info":{"url":"https://files.example/Flask-3.0.0-py3-none-any.whl","archive_info":{"hash":"sha256=aa","hashes":{"sha256":"aa"}}},"is_direct":false,"requested":true,"metadata":{"name":"Flask","version":"3.0.0"}},
 {"download_info":{"url":"https://files.example/z.whl","archive_info":{"hash":"sha256=bb"}},"is_direct":true,"requested":true,"metadata":{"name":"zope.interface","version":"6.0"}},
 {"download_info":{"url":"git+https://example.invalid/x.git","vcs_info":{"vcs":"git","commit_id":"abc"}},"is_direct":true,"requested":true,"metadata":{"name":"x","version":"0.1"}},
 {"download_info":{"url":"file:///home/u/p","dir_info":{"editable":true}},"is_direct":true,"requested":true,"metadata":{"name":"p","version":"0.0.1"}}]}`
	lf, err := pipReportLockfile("pip install", []byte(report))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name string
		kind lockfile.SourceKind
		hash string
	}{{"flask", lockfile.SourceRegistry, "aa"}, {"zope-interface", lockfile.SourceURL, "bb"}, {"x", lockfile.SourceGit, ""}, {"p", lockfile.SourcePath, ""}}
	if len(lf.Packages) != len(want) || lf.Ecosystem != lockfile.PyPI {
		t.Fatalf("%+v", lf)
	}
	for i, w := range want {
		p := lf.Packages[i]
		h := ""
		if len(p.Hashes) > 0 {
			h = p.Hashes[0].Digest
		}
		if p.Name != w.name || p.Source.Kind != w.kind || h != w.hash || !p.Direct {
			t.Errorf("%d: %+v, want %+v", i, p, w)
		}
	}
	if _, err := pipReportLockfile("r", []byte("{")); err == nil {
		t.Error("a broken report parsed")
	}
}
