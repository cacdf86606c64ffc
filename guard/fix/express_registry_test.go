package fix

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/pm"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/lockfile/corpustest"
	"github.com/installguard/guard/verify/advisory"
)

// corpusDB opens the corpus's OSV data as an offline DB.
func corpusDB(t *testing.T) *advisory.DB {
	t.Helper()
	db, err := advisory.OpenDB(filepath.Join(corpustest.Dir(t), "osv"), advisory.WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// copyProject copies the files of a testdata project into a fresh folder.
func copyProject(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"package.json", "package-lock.json"} {
		copyFile(t, filepath.Join("testdata", name, f), filepath.Join(dir, f))
	}
	return dir
}

// registrySetup is guard fix's setup against the npm registry of the
// user's npm configuration, with src as the advisory source and guard
// check's default policy.
func registrySetup(dir string, src advisory.Source) (Setup, *pm.Invocation) {
	inv := &pm.Invocation{Dir: dir}
	return Setup{
		Check:    guard.Options{Level: guard.DefaultLevel, Mode: guard.DefaultMode, Advisories: src},
		Versions: func(d string) VersionLister { return NpmVersions{Inv: inv, Dir: d} },
		Resolve:  NpmResolver(inv),
	}, inv
}

// rootSpecs reads package.json's dependencies and devDependencies.
func rootSpecs(t *testing.T, dir string) map[string]string {
	t.Helper()
	var pj struct {
		Dependencies, DevDependencies, Overrides map[string]any
	}
	data, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &pj); err != nil {
		t.Fatal(err)
	}
	if len(pj.Overrides) > 0 {
		t.Errorf("package.json has overrides: %v", pj.Overrides)
	}
	out := map[string]string{}
	for _, m := range []map[string]any{pj.Dependencies, pj.DevDependencies} {
		for k, v := range m {
			out[k], _ = v.(string)
		}
	}
	return out
}

// On express@4.16.0 (an exact spec) the plan is the smallest express whose
// resolved tree clears every advisory of the corpus: one parent upgrade,
// no overrides. (Before issue 13 it planned express 4.16.0 -> 4.20.0 plus
// overrides for cookie and send.) Applied, package.json keeps the exact
// spec, npm locks that version, and guard check allows the result.
func TestFixExpress416PlansParentUpgrade(t *testing.T) {
	db := corpusDB(t)
	needNpmRegistry(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := copyProject(t, "express-4.16.0")
	setup, inv := registrySetup(dir, db)

	out, err := Run(ctx, RunOptions{Setup: setup, Dir: dir, DryRun: true, Inv: inv})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	WriteText(&b, out.Plan)
	t.Logf("plan:\n%s", b.String())
	if code := out.ExitCode(); code != guard.ExitBlocked {
		t.Fatalf("dry run exit %d, want %d (guard check blocks express@4.16.0)", code, guard.ExitBlocked)
	}
	if len(out.Plan.Items) != 1 {
		t.Fatalf("plan has %d items, want exactly one parent upgrade", len(out.Plan.Items))
	}
	it := out.Plan.Items[0]
	// express 4.20.0 and 4.21.0 still lock cookie 0.6.0 (GHSA-pxg6-pf52-xh8x,
	// fixed in 0.7.0); 4.21.1 is the first to lock cookie 0.7.1. (4.21.2's
	// path-to-regexp fix answers an advisory the corpus does not hold.)
	if it.Name != "express" || it.Action != Upgrade || it.Method != MethodDirect || it.To != "4.21.1" ||
		!slices.Equal(it.Locked, []string{"4.21.1"}) {
		t.Fatalf("plan item %+v, want express 4.16.0 -> 4.21.1 as a direct upgrade", it)
	}
	cleared := map[string]bool{}
	for _, c := range it.Clears {
		cleared[c.Name] = true
	}
	for _, name := range []string{"cookie", "send", "qs", "body-parser", "serve-static", "path-to-regexp"} {
		if !cleared[name] {
			t.Errorf("the parent upgrade does not say it clears %s: %+v", name, it.Clears)
		}
	}

	out, err = Run(ctx, RunOptions{Setup: setup, Dir: dir, Inv: inv})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Applied) != 1 || len(out.Applied[0]) != 1 || out.Applied[0][0].Name != "express" ||
		!slices.Equal(out.Applied[0][0].Locked, []string{"4.21.1"}) {
		t.Fatalf("applied %+v, want one round upgrading express, locked 4.21.1", out.Applied)
	}
	for _, c := range out.Applied[0][0].Clears {
		if c.Name == "cookie" && !slices.Equal(c.Locked, []string{"0.7.1"}) {
			t.Errorf("cookie under express is reported locked at %v, want 0.7.1", c.Locked)
		}
	}
	if specs := rootSpecs(t, dir); specs["express"] != "4.21.1" {
		t.Errorf("package.json express spec %q, want 4.21.1 (exact stays exact)", specs["express"])
	}
	if code := out.ExitCode(); code != guard.ExitAllow || len(out.Remaining.Items) != 0 {
		t.Fatalf("after the fix: exit %d, remaining %+v", code, out.Remaining.Items)
	}
}

// A caret spec stays a caret spec, and the version reported is the one npm
// locked. (Before issue 13 a "^4.16.0" project was reported fixed at
// "4.20.0" while package.json got "^4.20.0" and npm locked 4.22.3.)
func TestFixKeepsCaretAndReportsLockedVersion(t *testing.T) {
	db := corpusDB(t)
	needNpmRegistry(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := copyProject(t, "express-4.16.0")
	for _, f := range []string{"package.json", "package-lock.json"} {
		p := filepath.Join(dir, f)
		data, _ := os.ReadFile(p)
		// The root's spec only: the lockfile's "node_modules/express" entry
		// keeps its "version": "4.16.0".
		data = []byte(strings.Replace(string(data), `"express": "4.16.0"`, `"express": "^4.16.0"`, 1))
		os.WriteFile(p, data, 0o644)
	}
	setup, inv := registrySetup(dir, db)
	// The search itself is TestFixExpress416PlansParentUpgrade's; here the
	// registry's list is cut to the answer, so one resolution is made.
	setup.Versions = func(string) VersionLister { return listed{"express": {"4.16.0", "4.21.1"}} }
	out, err := Run(ctx, RunOptions{Setup: setup, Dir: dir, Inv: inv})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	WriteOutcome(&b, out)
	t.Logf("outcome:\n%s", b.String())
	if len(out.Applied) == 0 || len(out.Applied[0]) != 1 {
		t.Fatalf("applied %+v, want one upgrade", out.Applied)
	}
	it := out.Applied[0][0]
	lf, err := lockfile.Parse(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	locked := lockedOf(lf, "express", true)
	if it.To != "4.21.1" || !slices.Equal(it.Locked, locked) || !slices.Equal(locked, []string{"4.21.1"}) {
		t.Fatalf("applied express -> %s, reported locked %v, lockfile has %v; want all 4.21.1", it.To, it.Locked, locked)
	}
	if !strings.Contains(b.String(), "locked 4.21.1") {
		t.Errorf("the text output does not report the locked version")
	}
	if specs := rootSpecs(t, dir); specs["express"] != "^4.21.1" {
		t.Errorf("package.json express spec %q, want ^4.21.1", specs["express"])
	}
	if code := out.ExitCode(); code != guard.ExitAllow {
		t.Fatalf("after the fix: exit %d", code)
	}
}

// The saved spec keeps the project's style: "~" stays "~"; a spec of
// another form is saved as the project's .npmrc says (save-exact,
// save-prefix), which npm itself reads.
func TestFixSaveStyle(t *testing.T) {
	needNpmRegistry(t)
	gen := t.TempDir()
	os.WriteFile(filepath.Join(gen, "package.json"), []byte(`{"name": "p", "version": "1.0.0", "dependencies": {"ms": "2.0.0"}}`+"\n"), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := pm.RunStep(ctx, &pm.Invocation{Dir: gen}, gen, "npm install", "npm", append([]string{"install"}, npmInstallFlags...)...); err != nil {
		t.Fatal(err)
	}
	// A made-up advisory: ms before 2.1.3.
	src := fakeSource{rec(t, "GHSA-test-ms", "npm", "ms", "introduced:0", "fixed:2.1.3")}
	for _, tc := range []struct{ spec, npmrc, want string }{
		{spec: "~2.0.0", want: "~2.1.3"},
		{spec: ">=2.0.0 <3", npmrc: "save-exact=true\n", want: "2.1.3"},
		{spec: ">=2.0.0 <3", npmrc: "save-prefix=~\n", want: "~2.1.3"},
	} {
		t.Run(tc.spec+" "+strings.TrimSpace(tc.npmrc), func(t *testing.T) {
			dir := t.TempDir()
			for _, f := range []string{"package.json", "package-lock.json"} {
				data, err := os.ReadFile(filepath.Join(gen, f))
				if err != nil {
					t.Fatal(err)
				}
				data = []byte(strings.Replace(string(data), `"ms": "2.0.0"`, `"ms": "`+tc.spec+`"`, 1))
				os.WriteFile(filepath.Join(dir, f), data, 0o644)
			}
			if tc.npmrc != "" {
				os.WriteFile(filepath.Join(dir, ".npmrc"), []byte(tc.npmrc), 0o644)
			}
			setup, inv := registrySetup(dir, src)
			out, err := Run(ctx, RunOptions{Setup: setup, Dir: dir, Inv: inv})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Applied) == 0 || len(out.Applied[0]) != 1 || !slices.Equal(out.Applied[0][0].Locked, []string{"2.1.3"}) {
				t.Fatalf("applied %+v, want ms locked at 2.1.3", out.Applied)
			}
			if got := rootSpecs(t, dir)["ms"]; got != tc.want {
				t.Errorf("package.json ms spec %q, want %q", got, tc.want)
			}
		})
	}
}
