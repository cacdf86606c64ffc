package setup

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/installguard/guard/guard"
)

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"0": 0, "7d": 7 * 24 * time.Hour, " 48h ": 48 * time.Hour, "90m": 90 * time.Minute} {
		got, err := ParseAge(in)
		if err != nil || got != want {
			t.Errorf("ParseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1d", "xd", "-5h", "7 days"} {
		if _, err := ParseAge(in); err == nil || !strings.Contains(err.Error(), "is not a duration") {
			t.Errorf("ParseAge(%q): err = %v, want 'is not a duration'", in, err)
		}
	}
}

func TestTruthy(t *testing.T) {
	for _, s := range []string{"1", "true", "YES", " on "} {
		if !Truthy(s) {
			t.Errorf("Truthy(%q) = false", s)
		}
	}
	for _, s := range []string{"", "0", "false", "no", "2"} {
		if Truthy(s) {
			t.Errorf("Truthy(%q) = true", s)
		}
	}
}

func TestProjectDir(t *testing.T) {
	dir := t.TempDir()
	lock := filepath.Join(dir, "package-lock.json")
	if err := os.WriteFile(lock, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		paths []string
		want  string
	}{{nil, "."}, {[]string{dir}, dir}, {[]string{lock}, dir}} {
		if got := ProjectDir(c.paths); got != c.want {
			t.Errorf("ProjectDir(%q) = %q, want %q", c.paths, got, c.want)
		}
	}
}

func TestBaselineFlagsExclusive(t *testing.T) {
	if _, _, err := Baseline(t.Context(), "origin/main", "base.json"); err == nil || !strings.Contains(err.Error(), "cannot be used together") {
		t.Fatalf("err = %v", err)
	}
	f, name, err := Baseline(t.Context(), "", "")
	if f != nil || name != "" || err != nil {
		t.Fatalf("no baseline: got %v, %q, %v", f != nil, name, err)
	}
}

func TestResolveSourceBadAge(t *testing.T) {
	getenv := func(string) string { return "" }
	_, err := ResolveSource(Source{DB: t.TempDir(), MaxDBAge: "soon"}, getenv)
	if err == nil || !strings.HasPrefix(err.Error(), "--max-db-age: ") {
		t.Fatalf("err = %v", err)
	}
	r, err := ResolveSource(Source{DB: t.TempDir(), MaxDBAge: "2d"}, func(k string) string {
		if k == "GUARD_OFFLINE" {
			return "1"
		}
		return ""
	})
	if err != nil || !r.Offline || r.MaxAge != 48*time.Hour {
		t.Fatalf("got %+v, %v", r, err)
	}
}

func TestLoadPolicyBadMaxAge(t *testing.T) {
	var stderr bytes.Buffer
	age := "later"
	_, code, ok := LoadPolicy(t.Context(), Policy{ProjectDir: t.TempDir(), MaxDBAge: &age, Stderr: &stderr,
		Getenv: func(string) string { return "" }})
	if ok || code != guard.ExitInvalid || !strings.Contains(stderr.String(), "guard: --max-db-age: ") {
		t.Fatalf("ok=%v code=%d stderr=%q", ok, code, stderr.String())
	}
}

func TestUpdateDBRefusesPlainHTTP(t *testing.T) {
	var stderr bytes.Buffer
	_, code, ok := UpdateDB(t.Context(), DBUpdate{Dir: t.TempDir(), URL: "http://127.0.0.1:1/", Stderr: &stderr,
		Getenv: func(string) string { return "" }})
	if ok || code != guard.ExitInvalid || !strings.Contains(stderr.String(), "only downloaded over https") {
		t.Fatalf("ok=%v code=%d stderr=%q", ok, code, stderr.String())
	}
}
