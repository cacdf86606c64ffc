package fix

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/pm"
	"github.com/installguard/guard/lockfile/corpustest"
	"github.com/installguard/guard/verify/advisory"
)

// needNpmRegistry skips when npm is not on PATH or its registry (from the
// user's npm configuration) does not answer.
func needNpmRegistry(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("talks to the npm registry (-short)")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Skip("npm is not on PATH")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, "npm", "ping").CombinedOutput(); err != nil {
		t.Skipf("the npm registry is unreachable (npm ping: %v): %s", err, bytes.TrimSpace(out))
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The quality bar of issue 7: guard fix on the corpus's generated
// express/lodash project yields a lockfile guard allows at level 2.
func TestFixExpressLodashAgainstRegistry(t *testing.T) {
	corpus := corpustest.Dir(t)
	needNpmRegistry(t)
	src := filepath.Join(corpus, "lockfiles", "npm-generated", "a-express-lodash")
	dir := t.TempDir()
	copyFile(t, filepath.Join(src, "package.json"), filepath.Join(dir, "package.json"))
	copyFile(t, filepath.Join(src, "package-lock.json"), filepath.Join(dir, "package-lock.json"))
	db, err := advisory.OpenDB(filepath.Join(corpus, "osv"), advisory.WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	before, err := guard.Check(ctx, guard.Options{Paths: []string{dir}, Level: 2, Mode: guard.Block, Advisories: db})
	if err != nil {
		t.Fatal(err)
	}
	if before.Verdict != guard.VerdictBlock {
		t.Fatalf("the corpus project should be blocked before the fix, got %s", before.Verdict)
	}

	inv := &pm.Invocation{Dir: dir}
	res, err := Apply(ctx, ApplyOptions{
		Lockfiles: []string{filepath.Join(dir, "package-lock.json")},
		Setup: Setup{
			Check:    guard.Options{Level: 2, Mode: guard.Block, Advisories: db},
			Versions: func(d string) VersionLister { return NpmVersions{Inv: inv, Dir: d} },
			Resolve:  NpmResolver(inv),
		},
		Inv: inv,
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, round := range res.Rounds {
		for _, it := range round {
			t.Logf("round %d: %s", i+1, describe(it))
		}
	}
	if len(res.Remaining.Items) != 0 {
		var b bytes.Buffer
		WriteText(&b, res.Remaining)
		t.Errorf("still vulnerable after the fix:\n%s", b.String())
	}
	after, err := guard.Check(ctx, guard.Options{Paths: []string{dir}, Level: 2, Mode: guard.Block, Advisories: db})
	if err != nil {
		t.Fatal(err)
	}
	if code := after.ExitCode(); code != guard.ExitAllow {
		for _, f := range after.Findings {
			t.Logf("finding: %s %s@%s %s", f.Rule, f.Name, f.Version, f.Message)
		}
		t.Fatalf("guard check after the fix: verdict %s, exit %d, errors %v", after.Verdict, code, after.Errors)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err == nil {
		t.Error("guard fix installed node_modules; it must only write package.json and the lockfile")
	}
}
