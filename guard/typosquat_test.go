package guard

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/installguard/guard/verify/provenance"
)

const typoLock = `{"lockfileVersion": 3, "packages": {
  "": {"dependencies": {"crossenv": "1.0.0", "lodash": "4.17.21", "mongose": "2.0.0", "@acrne/billing": "1.0.0", "wcwidth.js": "1.0.0", "babelcli": "1.0.0"}},
  "node_modules/crossenv": {"version": "1.0.0", "integrity": "` + sriA + `"},
  "node_modules/lodash": {"version": "4.17.21", "integrity": "` + sriA + `"},
  "node_modules/mongose": {"version": "2.0.0", "integrity": "` + sriA + `"},
  "node_modules/@acrne/billing": {"version": "1.0.0", "integrity": "` + sriA + `"},
  "node_modules/wcwidth.js": {"version": "1.0.0", "integrity": "` + sriA + `"},
  "node_modules/babelcli": {"resolved": "packages/babelcli", "link": true},
  "packages/babelcli": {"version": "1.0.0"}
}}`

func TestTyposquatRule(t *testing.T) {
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	answers := fakeMetadata{
		"crossenv@1.0.0": {Status: provenance.MetadataRead, Known: true, Created: now.Add(-3 * 24 * time.Hour), Versions: 1},
		"mongose@2.0.0":  {Status: provenance.MetadataRead, Known: true, Created: time.Date(2014, 5, 1, 0, 0, 0, 0, time.UTC), Versions: 40},
	}
	cases := []struct {
		name, policy string
		want         []string
	}{
		{name: "defaults", want: []string{"crossenv look-alike block", "mongose look-alike block", "wcwidth.js look-alike block"}},
		{name: "warn, allow, protect",
			policy: "mode = \"warn\"\n[typosquat]\nallow = [\"npm:wcwidth.js\"]\nprotect = [\"npm:@acme/*\"]\n",
			want:   []string{"@acrne/billing look-alike warn", "crossenv look-alike warn", "mongose look-alike warn"}},
		{name: "protect cannot exempt", policy: "[typosquat]\nprotect = [\"*\", \"@*/*\"]\n",
			want: []string{"crossenv look-alike block", "mongose look-alike block", "wcwidth.js look-alike block"}},
		{name: "off", policy: "[typosquat]\naction = \"off\"\n"},
		{name: "level 1", policy: "level = 1\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, dir, "package-lock.json", typoLock)
			opts := Options{Paths: []string{dir}, Level: 2, Mode: Block, Advisories: &memSource{},
				Metadata: answers, Now: func() time.Time { return now }}
			if c.policy != "" {
				opts.Policy = projectPolicy(t, dir, c.policy)
			}
			r, err := Check(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := findingKeys(r, RuleTyposquat); strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Errorf("typosquat %q, want %q", got, c.want)
			}
			for _, f := range r.Findings {
				if f.Rule != RuleTyposquat {
					continue
				}
				if f.Item != "G1.2" {
					t.Errorf("item %s", f.Item)
				}
				var want []string
				switch f.Name {
				case "crossenv":
					want = []string{"imitates cross-env (separator removed), #", "first published 2026-12-01 (3 days ago) with 1 version: a recent name with few versions, as typosquats are"}
				case "mongose":
					want = []string{"imitates mongoose (double oo made single)", "first published 2014-05-01 with 40 versions: an established package"}
				case "@acrne/billing":
					want = []string{"imitates @acme/* (homoglyph rn for m), a name [typosquat] protect reserves"}
				case "wcwidth.js":
					want = []string{"imitates wcwidth (`.js` suffix added)"}
				}
				for _, w := range want {
					if !strings.Contains(f.Message, w) {
						t.Errorf("%s: message %q lacks %q", f.Name, f.Message, w)
					}
				}
			}
			for _, it := range r.Items {
				if it.Rule == RuleTyposquat && len(c.want) > 0 && it.Status != string(c.want[0][strings.LastIndexByte(c.want[0], ' ')+1:]) {
					t.Errorf("item %+v", it)
				}
			}
		})
	}
}

// TestTyposquatOtherEcosystems: PyPI names are checked normalised;
// crates.io names only against protect, and the item says so.
func TestTyposquatOtherEcosystems(t *testing.T) {
	py, rs := t.TempDir(), t.TempDir()
	writeFile(t, py, "requirements.txt", "Reqeusts==2.31.0\npython3-dateutil==2.8.2\nrequests==2.31.0\n")
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	answers := fakeMetadata{
		"reqeusts@2.31.0": {Status: provenance.MetadataRead, Known: true, Created: now.Add(-40 * 24 * time.Hour), Versions: 7,
			Index: &provenance.IndexStatus{FirstUpload: now.Add(-40 * 24 * time.Hour), Versions: 7}},
	}
	writeFile(t, rs, "Cargo.lock", "version = 3\n\n[[package]]\nname = \"serde_jsonn\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"0000000000000000000000000000000000000000000000000000000000000000\"\n")
	r, err := Check(context.Background(), Options{Paths: []string{py, rs}, Level: 2, Mode: Block, Advisories: &memSource{},
		Metadata: answers, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Errors) > 0 {
		t.Fatalf("errors %+v", r.Errors)
	}
	got := findingKeys(r, RuleTyposquat)
	if strings.Join(got, "|") != "python3-dateutil look-alike block|reqeusts look-alike block" {
		t.Errorf("findings %q", got)
	}
	for _, f := range r.Findings {
		if f.Rule == RuleTyposquat && f.Name == "python3-dateutil" && !strings.Contains(f.Message, "imitates python-dateutil (`python3-` prefix instead of `python-`)") {
			t.Errorf("message %q", f.Message)
		}
		if f.Rule == RuleTyposquat && f.Name == "reqeusts" && !strings.HasSuffix(f.Message, "; first published 2026-10-25 (40 days ago) with 7 versions: a recent name, as typosquats are") {
			t.Errorf("message %q", f.Message)
		}
	}
	for _, it := range r.Items {
		if it.Rule == RuleTyposquat && (it.Status != "block" || it.Findings != 2) {
			t.Errorf("item %+v", it)
		}
	}
	// crates.io alone: not checked, unless protect names it.
	r, _ = Check(context.Background(), Options{Paths: []string{rs}, Level: 2, Mode: Block, Advisories: &memSource{}, NoProvenanceReason: "offline"})
	for _, it := range r.Items {
		if it.Rule == RuleTyposquat && (it.Status != "not checked" || !strings.Contains(it.Note, "no list of popular crates")) {
			t.Errorf("crates item %+v", it)
		}
	}
	pol := projectPolicy(t, rs, "[typosquat]\nprotect = [\"crates.io:serde_json\"]\n")
	r, _ = Check(context.Background(), Options{Paths: []string{filepath.Join(rs, "Cargo.lock")}, Policy: pol, Advisories: &memSource{}, NoProvenanceReason: "offline"})
	if got := findingKeys(r, RuleTyposquat); strings.Join(got, "|") != "serde_jsonn look-alike block" {
		t.Errorf("protected crate: %q", got)
	}
}
