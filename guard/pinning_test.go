package guard

import (
	"testing"

	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/lockfile"
)

func TestPinningProblem(t *testing.T) {
	sha512 := lockfile.ParseSRI("sha512-" + "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==")
	sha1 := lockfile.ParseSRI("sha1-2jmh9YmYOcrLWVRBXrTpEuZxg4s=")
	hexSHA256 := []lockfile.Hash{{Algorithm: "sha256", Digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}
	tests := []struct {
		name string
		pkg  lockfile.Package
		want string
	}{
		{"registry with sha512", lockfile.Package{Name: "a", Version: "1.0.0", Hashes: sha512, Source: lockfile.Source{Kind: lockfile.SourceRegistry}}, ""},
		{"registry with hex sha256", lockfile.Package{Name: "a", Version: "1.0.0", Hashes: hexSHA256, Source: lockfile.Source{Kind: lockfile.SourceRegistry}}, ""},
		{"sha1 and sha512", lockfile.Package{Name: "a", Version: "1.0.0", Hashes: append(append([]lockfile.Hash{}, sha1...), sha512...)}, ""},
		{"no hash", lockfile.Package{Name: "a", Version: "1.0.0"}, PinMissingHash},
		{"sha1 only", lockfile.Package{Name: "a", Version: "1.0.0", Hashes: sha1}, PinWeakHash},
		{"undecodable digest", lockfile.Package{Name: "a", Version: "1.0.0", Hashes: []lockfile.Hash{{Algorithm: "sha512", Digest: "!!"}}}, PinMissingHash},
		{"unknown algorithm", lockfile.Package{Name: "a", Version: "1.0.0", Hashes: []lockfile.Hash{{Digest: "abc"}}}, PinMissingHash},
		{"range", lockfile.Package{Name: "a", Requirement: ">=1.0", Hashes: sha512}, PinUnpinned},
		{"no version at all", lockfile.Package{Name: "a"}, PinUnpinned},
		{"git with commit", lockfile.Package{Name: "a", Version: "1.0.0", Source: lockfile.Source{Kind: lockfile.SourceGit, URL: "https://example.com/a.git", Ref: "0123456789abcdef0123456789abcdef01234567"}}, PinGit},
		{"git without commit", lockfile.Package{Name: "a", Source: lockfile.Source{Kind: lockfile.SourceGit, URL: "https://example.com/a.git"}}, PinGit},
		{"url with hash", lockfile.Package{Name: "a", Version: "1.0.0", Hashes: sha512, Source: lockfile.Source{Kind: lockfile.SourceURL, URL: "https://example.com/a.tgz"}}, PinURL},
		{"path", lockfile.Package{Name: "a", Version: "1.0.0", Source: lockfile.Source{Kind: lockfile.SourcePath, URL: "../a"}}, PinPath},
		{"workspace member", lockfile.Package{Name: "a", Version: "1.0.0", Source: lockfile.Source{Kind: lockfile.SourceWorkspace, URL: "packages/a"}}, ""},
		{"bundled without hash", lockfile.Package{Name: "a", Version: "1.0.0", Bundled: true}, ""},
		{"bundled but unpinned", lockfile.Package{Name: "a", Bundled: true}, PinUnpinned},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, msg := pinningProblem(&tt.pkg)
			if got != tt.want {
				t.Fatalf("pinningProblem = %q (%s), want %q", got, msg, tt.want)
			}
			if got != "" && msg == "" {
				t.Fatalf("finding %q without a message", got)
			}
		})
	}
}

func TestCheckPinningActionsAndDedup(t *testing.T) {
	lf := &lockfile.Lockfile{Path: "package-lock.json", Ecosystem: lockfile.NPM, Packages: []lockfile.Package{
		{Name: "a", Version: "1.0.0", Path: "node_modules/a"},
		{Name: "a", Version: "1.0.0", Path: "node_modules/b/node_modules/a", Chain: []string{"b@1.0.0"}},
		{Name: "c", Version: "2.0.0", Hashes: lockfile.ParseSRI("sha1-2jmh9YmYOcrLWVRBXrTpEuZxg4s=")},
	}}
	for _, mode := range []Action{Block, Warn} {
		got := checkPinning(rcFor(t, 1, mode), []*lockfile.Lockfile{lf}, nil)
		if len(got) != 2 {
			t.Fatalf("mode %s: %d findings, want 2 (a once, c once): %+v", mode, len(got), got)
		}
		for _, f := range got {
			if f.Action != mode || f.Item != "C1.1" || f.Rule != RulePinning || f.Lockfile != "package-lock.json" || f.Why == "" {
				t.Errorf("mode %s: bad finding %+v", mode, f)
			}
		}
	}
}

func TestMissingLockfileFinding(t *testing.T) {
	got := checkPinning(rcFor(t, 1, Block), nil, []noLockfile{{dir: "app", manifests: []string{"package.json"}}})
	if len(got) != 1 || got[0].ID != PinNoLockfile || got[0].Action != Block {
		t.Fatalf("got %+v", got)
	}
}

// rcFor is the rule context of a run without policy files and the given
// --level and --mode.
func rcFor(t *testing.T, level int, mode Action) ruleContext {
	t.Helper()
	p, err := policy.FromFlags(policy.Flags{Level: &level, Mode: string(mode)})
	if err != nil {
		t.Fatal(err)
	}
	return ruleContext{p: p}
}
