package lockfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Helpers shared by the Python format tests.

// pyFakeSHA256 returns the hex SHA-256 of s: the hand-written fixtures use
// these as stand-in distribution hashes.
func pyFakeSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func pySHA256Hash(s string) Hash { return Hash{Algorithm: "sha256", Digest: pyFakeSHA256(s)} }

// pyPkgView is the part of a Package the tests compare.
type pyPkgView struct {
	Name, Version, Requirement string
	Hashes                     []Hash
	Source                     Source
	Direct, Dev, Optional      bool
	Path                       string
	Line                       int
	Chain                      []string
}

func pyViewOf(p Package) pyPkgView {
	return pyPkgView{p.Name, p.Version, p.Requirement, p.Hashes, p.Source, p.Direct, p.Dev, p.Optional, p.Path, p.Line, p.Chain}
}

func comparePyPackages(t *testing.T, got []Package, want []pyPkgView) {
	t.Helper()
	if len(got) != len(want) {
		for _, p := range got {
			t.Logf("got %+v", pyViewOf(p))
		}
		t.Fatalf("got %d packages, want %d", len(got), len(want))
	}
	for i := range want {
		g := pyViewOf(got[i])
		if len(g.Hashes) == 0 {
			g.Hashes = nil
		}
		if len(g.Chain) == 0 {
			g.Chain = nil
		}
		if !reflect.DeepEqual(g, want[i]) {
			t.Errorf("package %d:\n got  %+v\n want %+v", i, g, want[i])
		}
		if got[i].Ecosystem != PyPI {
			t.Errorf("package %d: ecosystem %q", i, got[i].Ecosystem)
		}
		if got[i].InstallScript != nil {
			t.Errorf("package %d: InstallScript set; Python lockfiles do not record it", i)
		}
	}
}

// wantPyParseError checks err is a *ParseError at path:line whose message
// contains every one of subs.
func wantPyParseError(t *testing.T, err error, path string, line int, subs ...string) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("got error %v (%T), want *ParseError", err, err)
	}
	if pe.Path != path || pe.Line != line {
		t.Errorf("error at %s:%d, want %s:%d (%v)", pe.Path, pe.Line, path, line, err)
	}
	for _, s := range subs {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	if strings.Contains(err.Error(), "internal error") {
		t.Errorf("parser panicked: %v", err)
	}
}

func TestPyHelpersPEP503Name(t *testing.T) {
	for in, want := range map[string]string{
		"Django":                   "django",
		"zope.interface":           "zope-interface",
		"under_score":              "under-score",
		"combination-._-.also_-._": "combination-also-",
		"A..B__C--D":               "a-b-c-d",
		"Foo__Bar-.-baz":           "foo-bar-baz",
		"-x_":                      "-x-",
		"":                         "",
	} {
		if got := pep503Name(in); got != want {
			t.Errorf("pep503Name(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPyHelpersParsePEP508(t *testing.T) {
	tests := []struct {
		in      string
		name    string
		extras  []string
		specs   string
		pinned  string
		url     string
		marker  string
		wantErr string
	}{
		{in: "requests", name: "requests"},
		{in: "requests==2.31.0", name: "requests", specs: "==2.31.0", pinned: "2.31.0"},
		{in: "requests [socks, security] >= 2.8.1, == 2.8.* ; python_version < '2.7'", name: "requests", extras: []string{"socks", "security"}, specs: ">=2.8.1,==2.8.*", marker: "python_version < '2.7'"},
		{in: "name (>=1.0, <2)", name: "name", specs: ">=1.0,<2"},
		{in: "yolo===1.0+weird", name: "yolo", specs: "===1.0+weird", pinned: "1.0+weird"},
		{in: "a==1.0,==1.0", name: "a", specs: "==1.0,==1.0", pinned: "1.0"},
		{in: "a==1.0,==2.0", name: "a", specs: "==1.0,==2.0"},
		{in: "a==1.0,<3", name: "a", specs: "==1.0,<3", pinned: "1.0"},
		{in: "a==${VER}", name: "a", specs: "==${VER}"},
		{in: "pkg @ https://example.com/pkg-1.0.tar.gz ; os_name == 'nt'", name: "pkg", url: "https://example.com/pkg-1.0.tar.gz", marker: "os_name == 'nt'"},
		{in: "pkg@file:///srv/pkg", name: "pkg", url: "file:///srv/pkg"},
		{in: "asdf==", wantErr: "missing version"},
		{in: "==1.0", wantErr: "expected a project name"},
		{in: "asdf 1.0", wantErr: "unexpected text"},
		{in: "-foo", wantErr: "invalid project name"},
		{in: "foo-==1", wantErr: "invalid project name"},
		{in: "foo[bar", wantErr: "unclosed extras"},
		{in: "foo (==1", wantErr: "unclosed '('"},
		{in: "foo==1,", wantErr: "expected a version operator"},
		{in: "foo==1;", wantErr: "empty environment marker"},
		{in: "foo @ github.com/x/y", wantErr: "invalid URL"},
		{in: "foo==1 bar", wantErr: "unexpected text"},
		{in: "foo==1$", wantErr: "invalid version"},
	}
	for _, tt := range tests {
		r, err := parsePEP508(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parsePEP508(%q): error %v, want one mentioning %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parsePEP508(%q): %v", tt.in, err)
			continue
		}
		if r.Name != tt.name || !reflect.DeepEqual(r.Extras, tt.extras) || r.SpecString() != tt.specs ||
			r.Pinned() != tt.pinned || r.URL != tt.url || r.Marker != tt.marker {
			t.Errorf("parsePEP508(%q) = %+v (specs %q, pinned %q)", tt.in, r, r.SpecString(), r.Pinned())
		}
	}
}

func TestPyHelpersWheelNameVersion(t *testing.T) {
	tests := []struct{ file, name, version string }{
		{"numpy-1.9.2-cp34-none-win32.whl", "numpy", "1.9.2"},
		{"wxPython_Phoenix-3.0.3.dev1820+49a8884-cp34-none-win_amd64.whl", "wxpython-phoenix", "3.0.3.dev1820+49a8884"},
		{"pkg-1.0-1build-py3-none-any.whl", "pkg", "1.0"},
		{"pkg-1.0.whl", "", ""},
		{"pkg-1.0-py3-none-any.tar.gz", "", ""},
		{"-1.0-py3-none-any.whl", "", ""},
	}
	for _, tt := range tests {
		n, v, ok := wheelNameVersion(tt.file)
		if n != tt.name || v != tt.version || ok != (tt.name != "") {
			t.Errorf("wheelNameVersion(%q) = %q, %q, %v", tt.file, n, v, ok)
		}
	}
}

func TestPyHelpersRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://pypi.org/simple":                         "https://pypi.org/simple",
		"https://user:s3cret@private.example/simple":      "https://user:xxxxx@private.example/simple",
		"https://ghp_token@github.com/x/y":                "https://xxxxx@github.com/x/y",
		"git+ssh://git@github.com/x/y.git@v1":             "git+ssh://git@github.com/x/y.git@v1",
		"https://${USER}:${TOKEN}@private.example/simple": "https://${USER}:${TOKEN}@private.example/simple",
		"./local/path@weird":                              "./local/path@weird",
	} {
		if got := redactURLPassword(in); got != want {
			t.Errorf("redactURLPassword(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPyHelpersVCSRevision(t *testing.T) {
	for in, want := range map[string]string{
		"git+https://github.com/x/y.git@abc#egg=y":      "abc",
		"git+ssh://git@github.com/x/y.git":              "",
		"git+ssh://git@github.com/x/y.git@v1.0#egg=y":   "v1.0",
		"git+https://host/path@refs/heads/main?x=1#egg": "refs/heads/main",
		"git+https://host":                              "",
	} {
		if got := vcsRevision(in); got != want {
			t.Errorf("vcsRevision(%q) = %q, want %q", in, got, want)
		}
	}
}
