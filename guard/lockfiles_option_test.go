package guard

import (
	"context"
	"testing"

	"github.com/installguard/guard/lockfile"
)

// Options.Lockfiles are checked as given: Paths are not read.
func TestCheckParsedLockfiles(t *testing.T) {
	lf := &lockfile.Lockfile{Path: "package-lock.json", Format: lockfile.FormatPackageLock, Ecosystem: lockfile.NPM,
		Packages: []lockfile.Package{{Ecosystem: lockfile.NPM, Name: "lodash", Version: "4.17.15", Direct: true,
			Hashes: []lockfile.Hash{{Algorithm: "sha512", Digest: "AAAA"}}, Source: lockfile.Source{Kind: lockfile.SourceRegistry}}}}
	src := &memSource{records: testRecords(t)}
	r, err := Check(context.Background(), Options{Level: 2, Mode: Block, Advisories: src,
		Paths: []string{"does-not-exist"}, Lockfiles: []*lockfile.Lockfile{lf}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) != 0 || r.Verdict != VerdictBlock || len(r.Lockfiles) != 1 || r.Lockfiles[0].Packages != 1 {
		t.Fatalf("report %+v", r)
	}
	// An empty, non-nil list checks nothing and allows.
	r, err = Check(context.Background(), Options{Level: 2, Mode: Block, Advisories: src, Lockfiles: []*lockfile.Lockfile{}})
	if err != nil || r.Verdict != Allow || len(r.Errors) != 0 {
		t.Fatalf("empty list: %+v %v", r, err)
	}
}
