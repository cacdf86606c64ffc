package fix

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/pm"
	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/advisory"
)

// fakeSource answers queries from hand-written records with advisory.Affects.
type fakeSource []*osvschema.Vulnerability

func (f fakeSource) Query(_ context.Context, qs []advisory.Query) ([][]*osvschema.Vulnerability, error) {
	out := make([][]*osvschema.Vulnerability, len(qs))
	for i, q := range qs {
		for _, r := range f {
			if advisory.Affects(r, q) {
				out[i] = append(out[i], r)
			}
		}
	}
	return out, nil
}

// rec writes an OSV record for one package with one ECOSYSTEM range of
// events ("introduced:0", "fixed:1.0.2").
func rec(t *testing.T, id, eco, name string, events ...string) *osvschema.Vulnerability {
	t.Helper()
	var evs []string
	for _, e := range events {
		k, v, _ := strings.Cut(e, ":")
		evs = append(evs, fmt.Sprintf(`{%q: %q}`, k, v))
	}
	js := fmt.Sprintf(`{"id": %q, "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": %q, "name": %q},
		"ranges": [{"type": "ECOSYSTEM", "events": [%s]}]}]}`, id, eco, name, strings.Join(evs, ","))
	v, err := advisory.DecodeRecord([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func malware(t *testing.T, id, eco, name, version string) *osvschema.Vulnerability {
	t.Helper()
	js := fmt.Sprintf(`{"id": %q, "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": %q, "name": %q},
		"versions": [%q]}], "database_specific": {"malicious-packages-origins": [{"source": "test"}]}}`, id, eco, name, version)
	v, err := advisory.DecodeRecord([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

type listed map[string][]string

func (l listed) Versions(_ context.Context, _, name string) ([]string, error) { return l[name], nil }

// writeLock writes a package-lock.json v3 whose root depends on root (name
// -> spec) and whose entries are given as name -> (version, deps).
type lockEntry struct {
	version string
	deps    map[string]string
}

func writeLock(t *testing.T, dir string, root map[string]string, entries map[string]lockEntry) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(`{"name": "p", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": {`)
	fmt.Fprintf(&b, `"": {"name": "p", "version": "1.0.0", "dependencies": %s}`, jsonMap(root))
	for name, e := range entries {
		fmt.Fprintf(&b, `, "node_modules/%s": {"version": %q, "integrity": "sha512-AAAA", "dependencies": %s}`, name, e.version, jsonMap(e.deps))
	}
	b.WriteString("}}\n")
	path := filepath.Join(dir, "package-lock.json")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	pj := fmt.Sprintf(`{"name": "p", "version": "1.0.0", "dependencies": %s}`+"\n", jsonMap(root))
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(pj), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func jsonMap(m map[string]string) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%q: %q", k, v))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func plan(t *testing.T, lockPath string, src advisory.Source, versions VersionLister) map[string]Item {
	t.Helper()
	lf, err := lockfile.Parse(lockPath)
	if err != nil {
		t.Fatal(err)
	}
	p, err := planFrom(t, []*lockfile.Lockfile{lf}, src, versions)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Item{}
	for _, it := range p.Items {
		out[it.Name] = it
	}
	return out
}

// checkOptions are guard check's defaults (level 2, mode block: every
// vulnerability blocks) with src as the advisory source.
func checkOptions(src advisory.Source) guard.Options {
	return guard.Options{Level: guard.DefaultLevel, Mode: guard.DefaultMode, Advisories: src}
}

// planFrom plans as guard fix does: from guard.Check's decided findings
// under the default policy.
func planFrom(t *testing.T, lfs []*lockfile.Lockfile, src advisory.Source, versions VersionLister) (*Plan, error) {
	t.Helper()
	s := Setup{Check: checkOptions(src)}
	if versions != nil {
		s.Versions = func(string) VersionLister { return versions }
	}
	return s.checkAndPlan(context.Background(), lfs)
}

func TestPlanSmallestVersionClearingEveryAdvisory(t *testing.T) {
	dir := t.TempDir()
	lock := writeLock(t, dir, map[string]string{"a": "^1.0.0"}, map[string]lockEntry{"a": {version: "1.0.0"}})
	src := fakeSource{
		rec(t, "GHSA-one", "npm", "a", "introduced:0", "fixed:1.0.1"),
		rec(t, "GHSA-two", "npm", "a", "introduced:0", "fixed:1.0.2"),
		// 1.0.2 fixes both of those, but this one affects 1.0.2 to 1.0.4.
		rec(t, "GHSA-three", "npm", "a", "introduced:1.0.2", "fixed:1.0.5"),
	}
	reg := listed{"a": {"1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.5", "1.1.0", "2.0.0-beta.1"}}
	it := plan(t, lock, src, reg)["a"]
	if it.Action != Upgrade || it.To != "1.0.5" || it.Method != MethodDirect || it.OutsideRange {
		t.Fatalf("got %+v, want an in-range direct upgrade to 1.0.5", it)
	}
	// Without a registry, only the advisories' fixed versions are candidates.
	it = plan(t, lock, src, nil)["a"]
	if it.To != "1.0.5" {
		t.Fatalf("advisory-only candidates: got %q, want 1.0.5", it.To)
	}
	if got := Candidates(advisory.Query{Ecosystem: "npm", Name: "a", Version: "1.0.0"}, src, reg["a"]); strings.Join(got, " ") != "1.0.5 1.1.0" {
		t.Fatalf("Candidates = %v, want [1.0.5 1.1.0] (no pre-release, nothing still affected)", got)
	}
}

func TestPlanRespectsDependentRanges(t *testing.T) {
	dir := t.TempDir()
	lock := writeLock(t, dir, map[string]string{"p1": "1.0.0", "p2": "1.0.0"}, map[string]lockEntry{
		"p1": {version: "1.0.0", deps: map[string]string{"b": "~1.2.0"}},
		"p2": {version: "1.0.0", deps: map[string]string{"b": "^1.2.0"}},
		"b":  {version: "1.2.0"},
	})
	src := fakeSource{rec(t, "GHSA-b", "npm", "b", "introduced:0", "fixed:1.2.3", "introduced:1.3.0", "fixed:1.3.1")}
	// 1.3.1 is not smaller, but 1.2.3 is the smallest inside ~1.2.0 and ^1.2.0.
	it := plan(t, lock, src, listed{"b": {"1.2.0", "1.2.3", "1.3.0", "1.3.1"}})["b"]
	if it.To != "1.2.3" || it.OutsideRange || it.Method != MethodOverride || len(it.Dependents) != 2 {
		t.Fatalf("got %+v, want override to 1.2.3 inside both ranges", it)
	}
	// When only a version outside a dependent's range clears, it is chosen
	// and marked.
	lock = writeLock(t, dir, map[string]string{"p1": "1.0.0"}, map[string]lockEntry{
		"p1": {version: "1.0.0", deps: map[string]string{"b": "1.2.0"}},
		"b":  {version: "1.2.0"},
	})
	it = plan(t, lock, src, nil)["b"]
	if it.To != "1.2.3" || !it.OutsideRange || it.Dependents[0].Satisfied {
		t.Fatalf("got %+v, want 1.2.3 marked outside p1's range", it)
	}
}

func TestPlanMalwareAndNoFix(t *testing.T) {
	dir := t.TempDir()
	lock := writeLock(t, dir, map[string]string{"evil": "1.0.0", "old": "1.0.0"}, map[string]lockEntry{
		"evil": {version: "1.0.0"}, "old": {version: "1.0.0"},
	})
	src := fakeSource{
		malware(t, "MAL-2024-1", "npm", "evil", "1.0.0"),
		rec(t, "GHSA-old", "npm", "old", "introduced:0"),
	}
	items := plan(t, lock, src, listed{"evil": {"1.0.0", "1.0.1"}, "old": {"1.0.0", "1.1.0"}})
	if it := items["evil"]; it.Action != Remove || it.To != "" {
		t.Errorf("malware: got %+v, want remove", it)
	}
	if it := items["old"]; it.Action != NoFix || it.Note == "" {
		t.Errorf("no fix: got %+v, want no-fix with a note", it)
	}
}

func TestPlanPipHashesAreManual(t *testing.T) {
	dir := t.TempDir()
	req := filepath.Join(dir, "requirements.txt")
	os.WriteFile(req, []byte("foo==1.0 --hash=sha256:"+strings.Repeat("a", 64)+"\nbar==2.0\n"), 0o644)
	src := fakeSource{rec(t, "PYSEC-1", "PyPI", "foo", "introduced:0", "fixed:1.1"), rec(t, "PYSEC-2", "PyPI", "bar", "introduced:0", "fixed:2.0.1")}
	items := plan(t, req, src, nil)
	if it := items["foo"]; it.Method != MethodManual || !strings.Contains(it.Note, "pip-compile") {
		t.Errorf("hashed pin: got %+v, want manual with a pip-compile note", it)
	}
	if it := items["bar"]; it.Method != MethodPin || it.To != "2.0.1" {
		t.Errorf("plain pin: got %+v", it)
	}
}

func TestApplyRewritesPins(t *testing.T) {
	dir := t.TempDir()
	req := filepath.Join(dir, "requirements.txt")
	os.WriteFile(req, []byte("# deps\nFoo_Bar[x] == 1.0 ; python_version > '3'\nother==1.0\n"), 0o600)
	src := fakeSource{rec(t, "PYSEC-1", "PyPI", "foo-bar", "introduced:0", "fixed:1.2")}
	res, err := Apply(context.Background(), ApplyOptions{Lockfiles: []string{req}, Setup: Setup{Check: checkOptions(src)}})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(req)
	if want := "# deps\nFoo_Bar[x] ==1.2 ; python_version > '3'\nother==1.0\n"; string(data) != want {
		t.Fatalf("requirements after fix:\n%s\nwant:\n%s", data, want)
	}
	if !res.Changed() || len(res.Remaining.Items) != 0 {
		t.Fatalf("result: %+v", res)
	}
	if st, _ := os.Stat(req); st.Mode().Perm() != 0o600 {
		t.Errorf("mode changed to %v", st.Mode())
	}
}

func sums(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = sha256.Sum256(data)
	}
	return out
}

// A package manager that fails after changing files: everything is put back.
func TestApplyRestoresOnFailure(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell script stand-in for npm")
	}
	dir := t.TempDir()
	lock := writeLock(t, dir, map[string]string{"a": "1.0.0"}, map[string]lockEntry{"a": {version: "1.0.0"}})
	bin := t.TempDir()
	script := "#!/bin/sh\necho garbage > package.json\necho garbage > package-lock.json\necho new > npm-shrinkwrap.json\necho 'npm ERR! boom' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "npm"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	before := sums(t, dir)
	src := fakeSource{rec(t, "GHSA-a", "npm", "a", "introduced:0", "fixed:1.0.1")}
	_, err := Apply(context.Background(), ApplyOptions{Lockfiles: []string{lock}, Setup: Setup{Check: checkOptions(src)},
		Inv: &pm.Invocation{Env: []string{"PATH=" + bin}}})
	var re *RestoredError
	if err == nil || !asRestored(err, &re) || re.RestoreErr != nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v, want a RestoredError carrying npm's message", err)
	}
	after := sums(t, dir)
	if len(after) != len(before) {
		t.Errorf("files after: %d, before: %d (npm-shrinkwrap.json must be removed)", len(after), len(before))
	}
	for name, sum := range before {
		if after[name] != sum {
			t.Errorf("%s was not restored", name)
		}
	}
}

func asRestored(err error, re **RestoredError) bool {
	r, ok := err.(*RestoredError)
	*re = r
	return ok
}

func TestSaveFlags(t *testing.T) {
	for spec, want := range map[string]string{
		"4.16.0": "--save-exact", "=4.16.0": "--save-exact", "v1.2.3-rc.1": "--save-exact",
		"^4.16.0": "--no-save-exact --save-prefix=^", "^4.16": "--no-save-exact --save-prefix=^",
		"~1.2.0": "--no-save-exact --save-prefix=~", "~>1.2": "",
		">=1.0.0 <2": "", "4.x": "", "*": "", "latest": "", "^1.0.0 || ^2.0.0": "",
	} {
		if got := strings.Join(saveFlags(spec), " "); got != want {
			t.Errorf("saveFlags(%q) = %q, want %q", spec, got, want)
		}
	}
}

// Names and notes from lockfiles reach the terminal without control or
// bidirectional characters.
func TestWriteTextCleansUntrustedText(t *testing.T) {
	var b strings.Builder
	WriteText(&b, &Plan{Items: []Item{{Lockfile: "x/package-lock.json", Name: "evil\x1b[2J\u202e", Version: "1.0.0\r",
		Action: NoFix, Advisories: []string{"GHSA-\x07"}, Note: "line\nbreak"}}})
	out := b.String()
	if strings.ContainsAny(out, "\x1b\u202e\r\x07") || strings.Count(out, "\n") != 3 {
		t.Fatalf("unclean output: %q", out)
	}
}

// Candidates are judged by the run's policy: an exception covering an
// advisory of a candidate version makes that version acceptable, and the
// what-if check does not count the exception as used.
func TestPlanJudgesCandidatesByPolicy(t *testing.T) {
	dir := t.TempDir()
	lock := writeLock(t, dir, map[string]string{"a": "^1.0.0"}, map[string]lockEntry{"a": {version: "1.0.0"}})
	src := fakeSource{
		rec(t, "GHSA-one", "npm", "a", "introduced:0", "fixed:1.0.2"),
		rec(t, "GHSA-three", "npm", "a", "introduced:1.0.2", "fixed:1.0.5"),
	}
	org := filepath.Join(t.TempDir(), "policy.toml")
	os.WriteFile(org, []byte("[[exception]]\nrule = \"vulnerability\"\nid = \"GHSA-three\"\npackage = \"a\"\nversion = \"1.0.2\"\nreason = \"test\"\nexpires = 2099-01-01\n"), 0o644)
	pol, diags, err := policy.Load(context.Background(), policy.Sources{Org: org, NoDiscovery: true})
	if err != nil {
		t.Fatalf("policy: %v %v", err, diags)
	}
	lf, err := lockfile.Parse(lock)
	if err != nil {
		t.Fatal(err)
	}
	s := Setup{Check: guard.Options{Policy: pol, Advisories: src},
		Versions: func(string) VersionLister { return listed{"a": {"1.0.0", "1.0.2", "1.0.5"}} }}
	p, err := s.checkAndPlan(context.Background(), []*lockfile.Lockfile{lf})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 1 || p.Items[0].To != "1.0.2" {
		t.Fatalf("plan %+v, want a -> 1.0.2 (GHSA-three is excepted there)", p.Items)
	}
	if len(pol.Unused()) != 1 {
		t.Errorf("the exception was marked used by a what-if check")
	}
	// Without the exception, 1.0.2 is flagged and 1.0.5 is the answer.
	s.Check.Policy = nil
	s.Check.Level, s.Check.Mode = guard.DefaultLevel, guard.DefaultMode
	if p, err = s.checkAndPlan(context.Background(), []*lockfile.Lockfile{lf}); err != nil || len(p.Items) != 1 || p.Items[0].To != "1.0.5" {
		t.Fatalf("default policy: %v %+v, want a -> 1.0.5", err, p)
	}
}
