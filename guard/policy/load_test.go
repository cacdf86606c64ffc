package policy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// isolated returns Sources that see no system or user policy and no
// GUARD_POLICY, with a private cache.
func isolated(t *testing.T) Sources {
	dir := t.TempDir()
	return Sources{SystemPath: filepath.Join(dir, "etc", "policy.toml"), UserConfigDir: filepath.Join(dir, "config"),
		CacheDir: filepath.Join(dir, "cache"), Getenv: func(string) string { return "" }, Now: fixedNow}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadNoPolicy(t *testing.T) {
	src := isolated(t)
	src.ProjectDir = t.TempDir()
	p, diags, err := Load(context.Background(), src)
	if err != nil || len(diags) > 0 || len(p.Files()) != 0 || p.Level() != 2 || p.Mode() != Block {
		t.Fatalf("err %v diags %v files %v", err, diags, p.Files())
	}
}

func TestLoadDiscovery(t *testing.T) {
	src := isolated(t)
	user := filepath.Join(src.UserConfigDir, "guard", "policy.toml")
	envFile := filepath.Join(t.TempDir(), "env.toml")
	flagFile := filepath.Join(t.TempDir(), "flag.toml")
	writeFile(t, user, "level = 1\n")
	writeFile(t, envFile, "level = 2\n")
	writeFile(t, flagFile, "level = 3\n")
	levelFrom := func(s Sources) (int, string) {
		t.Helper()
		p, diags, err := Load(context.Background(), s)
		if err != nil {
			t.Fatalf("%v %v", err, diags)
		}
		return p.Level(), p.Files()[0].Path
	}
	if lv, f := levelFrom(src); lv != 1 || f != user {
		t.Errorf("user config: level %d from %s", lv, f)
	}
	writeFile(t, src.SystemPath, "level = 0\n")
	if lv, f := levelFrom(src); lv != 0 || f != src.SystemPath {
		t.Errorf("system before user: level %d from %s", lv, f)
	}
	withEnv := src
	withEnv.Getenv = func(k string) string {
		if k == EnvPolicy {
			return envFile
		}
		return ""
	}
	if lv, f := levelFrom(withEnv); lv != 2 || f != envFile {
		t.Errorf("GUARD_POLICY: level %d from %s", lv, f)
	}
	withFlag := withEnv
	withFlag.Org = flagFile
	if lv, f := levelFrom(withFlag); lv != 3 || f != flagFile {
		t.Errorf("--policy: level %d from %s", lv, f)
	}
	// A policy the user names must exist.
	for _, s := range []Sources{{Org: "/nonexistent/policy.toml"}, {Getenv: func(string) string { return "/nonexistent/env.toml" }}} {
		s.SystemPath, s.UserConfigDir, s.Now = src.SystemPath, src.UserConfigDir, fixedNow
		_, diags, err := Load(context.Background(), s)
		if !errors.Is(err, ErrInvalid) || len(diags) != 1 || !strings.Contains(diags[0].String(), "/nonexistent/") || !strings.Contains(diags[0].Message, "no such file") {
			t.Errorf("missing named policy: %v %v", err, diags)
		}
	}
}

func TestLoadLayers(t *testing.T) {
	src := isolated(t)
	src.Org = filepath.Join("testdata", "org.toml")
	src.ProjectDir = filepath.Join("testdata", "project")
	p, diags, err := Load(context.Background(), src)
	if err != nil {
		t.Fatalf("%v\n%v", err, diags)
	}
	if len(diags) != 0 {
		t.Errorf("diags %v", diags)
	}
	proj := filepath.Join("testdata", "project", "guard.toml")
	if f := p.Files(); len(f) != 2 || f[0].Role != RoleOrg || f[1].Path != proj || len(f[1].SHA256) != 64 {
		t.Errorf("files %+v", f)
	}
	if p.Level() != 3 || p.MaxDBAge() != 3*day {
		t.Errorf("level %d max-db-age %s", p.Level(), p.MaxDBAge())
	}
	if d := p.Decide(Subject{Rule: RuleVulnerability, Severity: "MEDIUM"}); d.Action != Block || d.From.String() != proj+":5" {
		t.Errorf("MEDIUM: %+v", d)
	}
	if d := p.Decide(Subject{Rule: RuleVulnerability, Severity: "LOW", ID: "GHSA-x"}); d.Action != Warn {
		t.Errorf("LOW: %+v", d)
	}
	if d := p.Decide(Subject{Rule: RuleVulnerability, Ecosystem: "npm", Name: "lodash", Severity: "HIGH", ID: "GHSA-proj-0000-0000"}); d.Action != Ignored || d.Exception.From.File != proj {
		t.Errorf("project exception: %+v", d)
	}
	if r := p.Sources("npm"); len(r.Registries) != 1 || r.Scoped["@acme"] != "https://npm.acme.example" {
		t.Errorf("sources %+v", r)
	}
	if u := p.UnusedDiagnostics(); len(u) != 1 || u[0].File != src.Org || u[0].Line != 25 {
		t.Errorf("unused %v", u)
	}
}

// TestLoadProjectWeakens: every weakening line of a project is reported at
// once, each naming the project line and the org value.
func TestLoadProjectWeakens(t *testing.T) {
	src := isolated(t)
	src.Org = filepath.Join("testdata", "org.toml")
	src.ProjectDir = filepath.Join("testdata", "project-weakens")
	_, diags, err := Load(context.Background(), src)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("err %v", err)
	}
	proj := filepath.Join("testdata", "project-weakens", "guard.toml")
	want := []struct {
		line int
		org  string
	}{
		{2, "level = 2 (testdata/org.toml:2)"},
		{3, `mode = "block" (testdata/org.toml:3)`},
		{6, `block-severity = "high" (testdata/org.toml:7)`},
		{9, "only the org policy (testdata/org.toml) may add to [install-scripts] allow"},
		{12, `(testdata/org.toml:18) allow only "https://npm-registry.invalid", "https://npm.acme.example"; a project may only narrow`},
		{17, `max-lifetime = "60d" (testdata/org.toml:23)`},
	}
	errs := errorsOf(diags)
	if len(errs) != len(want) {
		t.Fatalf("%d errors, want %d:\n%v", len(errs), len(want), diags)
	}
	byLine := map[int]Diagnostic{}
	for _, d := range errs {
		byLine[d.Line] = d
	}
	for _, w := range want {
		d, ok := byLine[w.line]
		if !ok || d.File != proj || !strings.Contains(d.Message, w.org) {
			t.Errorf("line %d: got %s; want it to name %q", w.line, d, w.org)
		}
	}
	if !strings.Contains(err.Error(), "6 errors") {
		t.Errorf("error %q", err)
	}
}

// TestLoadErrorsOfBothFiles: errors in the org and the project file are all
// reported, before any merge.
func TestLoadErrorsOfBothFiles(t *testing.T) {
	src := isolated(t)
	dir := t.TempDir()
	src.Org = filepath.Join(dir, "org.toml")
	src.ProjectDir = dir
	writeFile(t, src.Org, "level = 5\n")
	writeFile(t, filepath.Join(dir, ProjectFile), "mode = \"maybe\"\n")
	_, diags, err := Load(context.Background(), src)
	if !errors.Is(err, ErrInvalid) || len(diags) != 2 || diags[0].File != src.Org || diags[1].File != filepath.Join(dir, ProjectFile) {
		t.Fatalf("%v %v", err, diags)
	}
}

func TestLoadFlags(t *testing.T) {
	src := isolated(t)
	src.Org = filepath.Join("testdata", "org.toml")
	src.Flags = Flags{Level: intp(1)}
	_, diags, err := Load(context.Background(), src)
	if !errors.Is(err, ErrInvalid) || len(diags) != 1 || diags[0].Key != "--level" {
		t.Fatalf("%v %v", err, diags)
	}
	src.Flags = Flags{Level: intp(3), Mode: "block"}
	p, _, err := Load(context.Background(), src)
	if err != nil || p.Level() != 3 {
		t.Fatal(err)
	}
}

func TestCheckFile(t *testing.T) {
	src := isolated(t)
	diags, err := Check(context.Background(), filepath.Join("testdata", "bad", "level-5.toml"), RoleOrg, src)
	if !errors.Is(err, ErrInvalid) || len(diags) != 1 || diags[0].Line != 2 {
		t.Errorf("%v %v", err, diags)
	}
	if diags, err := Check(context.Background(), filepath.Join("testdata", "project", "guard.toml"), RoleProject, src); err != nil || len(diags) != 0 {
		t.Errorf("%v %v", err, diags)
	}
}

// policyServer serves a policy over TLS; the handler reads the current
// answer from the fields so tests can change it.
type policyServer struct {
	*httptest.Server
	body     atomic.Value // string
	status   atomic.Int32
	delay    atomic.Int64 // nanoseconds
	requests atomic.Int32
}

func newPolicyServer(t *testing.T, body string) *policyServer {
	s := &policyServer{}
	s.body.Store(body)
	s.status.Store(200)
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if d := time.Duration(s.delay.Load()); d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		if r.URL.Path == "/redirect" {
			http.Redirect(w, r, "http://"+r.Host+"/policy.toml", http.StatusFound)
			return
		}
		w.WriteHeader(int(s.status.Load()))
		fmt.Fprint(w, s.body.Load().(string))
	}))
	t.Cleanup(s.Close)
	return s
}

func TestRemotePolicy(t *testing.T) {
	const good = "level = 3\n"
	srv := newPolicyServer(t, good)
	src := isolated(t)
	src.HTTPClient = srv.Client()
	src.Timeout = 2 * time.Second
	url := srv.URL + "/policy.toml"
	load := func(s Sources, org string) (*Policy, []Diagnostic, error) {
		s.Org = org
		return Load(context.Background(), s)
	}
	cached := filepath.Join(src.CacheDir, digest([]byte(url))[:32]+".toml")

	// Fetched, used and cached.
	p, diags, err := load(src, url)
	if err != nil || len(diags) != 0 || p.Level() != 3 {
		t.Fatalf("fetch: %v %v", err, diags)
	}
	if f := p.Files()[0]; f.Path != url || f.Cached || f.SHA256 != digest([]byte(good)) {
		t.Errorf("file %+v", f)
	}
	if data, err := os.ReadFile(cached); err != nil || string(data) != good {
		t.Fatalf("cache: %q %v", data, err)
	}
	if from := settingOf(p, "level").From.String(); from != url+":1" {
		t.Errorf("level from %s", from)
	}

	// Pinned: a matching pin is used; a mismatch is refused and not cached.
	if _, _, err := load(src, url+"#sha256="+strings.ToUpper(digest([]byte(good)))); err != nil {
		t.Errorf("matching pin: %v", err)
	}
	srv.body.Store("level = 0\n")
	_, diags, err = load(src, url+"#sha256="+digest([]byte(good)))
	if !errors.Is(err, ErrInvalid) || !strings.Contains(diags[0].Message, "refusing to use it") {
		t.Errorf("pin mismatch: %v %v", err, diags)
	}
	if data, _ := os.ReadFile(cached); string(data) != good {
		t.Errorf("a refused policy replaced the cache: %q", data)
	}

	// Invalid content is reported and not cached.
	srv.body.Store("level = 9\n")
	if _, diags, err := load(src, url); !errors.Is(err, ErrInvalid) || diags[0].File != url || diags[0].Line != 1 {
		t.Errorf("invalid remote: %v %v", err, diags)
	}
	if data, _ := os.ReadFile(cached); string(data) != good {
		t.Errorf("an invalid policy replaced the cache: %q", data)
	}

	// Server errors, oversized answers, timeouts and http redirects fall back to the cache.
	srv.body.Store(good)
	fallbacks := []struct {
		name  string
		setup func()
		url   string
	}{
		{"HTTP 500", func() { srv.status.Store(500) }, url},
		{"oversized", func() { srv.body.Store(strings.Repeat("#", MaxFileSize+1)) }, url},
		{"timeout", func() { srv.delay.Store(int64(time.Second)) }, url},
		{"redirect to http", func() {}, srv.URL + "/redirect"},
	}
	for _, fb := range fallbacks {
		t.Run(fb.name, func(t *testing.T) {
			srv.status.Store(200)
			srv.body.Store(good)
			srv.delay.Store(0)
			fb.setup()
			s := src
			s.Timeout = 300 * time.Millisecond
			if fb.url != url {
				// The redirect has its own cache entry: seed it.
				writeFile(t, filepath.Join(src.CacheDir, digest([]byte(fb.url))[:32]+".toml"), good)
			}
			p, diags, err := load(s, fb.url)
			if err != nil || !p.Files()[0].Cached || len(diags) != 1 || diags[0].Level != LevelNotice ||
				!strings.Contains(diags[0].Message, "using the cached copy") {
				t.Errorf("%v %v", err, diags)
			}
		})
	}
	srv.status.Store(200)
	srv.delay.Store(0)

	// Offline: the cache only, the server is not asked.
	before := srv.requests.Load()
	off := src
	off.Offline = true
	if p, diags, err := load(off, url); err != nil || !p.Files()[0].Cached || len(diags) != 1 {
		t.Errorf("offline: %v %v", err, diags)
	}
	if srv.requests.Load() != before {
		t.Error("offline run asked the server")
	}

	// Unreachable: the cache when it matches the pin; else exit-3 errors.
	srv.Close()
	if p, diags, err := load(src, url+"#sha256="+digest([]byte(good))); err != nil || p.Level() != 3 || diags[0].Level != LevelNotice {
		t.Errorf("unreachable, pinned cache: %v %v", err, diags)
	}
	if _, diags, err := load(src, url+"#sha256="+digest([]byte("other"))); !errors.Is(err, ErrUnavailable) || !strings.Contains(diags[0].Message, "the cached copy") {
		t.Errorf("unreachable, cache does not match the pin: %v %v", err, diags)
	}
	noCache := src
	noCache.CacheDir = t.TempDir()
	if _, diags, err := load(noCache, url); !errors.Is(err, ErrUnavailable) || !strings.Contains(diags[0].Message, "no cached copy") {
		t.Errorf("unreachable, no cache: %v %v", err, diags)
	}
}

func TestPolicyURLs(t *testing.T) {
	src := isolated(t)
	for _, u := range []string{
		"http://policy.example/guard.toml",
		"https://policy.example/guard.toml#sha256=abc",
		"https://policy.example/guard.toml#v2",
		"https://user:pw@policy.example/guard.toml",
	} {
		src.Org = u
		_, diags, err := Load(context.Background(), src)
		if !errors.Is(err, ErrInvalid) || len(diags) != 1 {
			t.Errorf("%s: %v %v", u, err, diags)
		}
	}
}
