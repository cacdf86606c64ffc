package advisory

import (
	"slices"
	"testing"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

func mustRecord(t testing.TB, js string) *osvschema.Vulnerability {
	t.Helper()
	v, err := DecodeRecord([]byte(js))
	if err != nil {
		t.Fatalf("DecodeRecord: %v\n%s", err, js)
	}
	return v
}

// Hand-written records covering each OSV feature the matcher handles.
const (
	recFixed = `{"id":"T-FIXED","affected":[{"package":{"ecosystem":"npm","name":"lodash"},
		"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.17.21"}]}]}]}`
	recTwoWindows = `{"id":"T-WINDOWS","affected":[{"package":{"ecosystem":"npm","name":"qs"},
		"ranges":[{"type":"SEMVER","events":[{"introduced":"6.0.0"},{"fixed":"6.0.4"},{"introduced":"6.2.0"},{"fixed":"6.2.3"}]}]}]}`
	recUnsorted = `{"id":"T-UNSORTED","affected":[{"package":{"ecosystem":"npm","name":"qs"},
		"ranges":[{"type":"SEMVER","events":[{"fixed":"6.2.3"},{"introduced":"6.2.0"},{"fixed":"6.0.4"},{"introduced":"6.0.0"}]}]}]}`
	recLastAffected = `{"id":"T-LAST","affected":[{"package":{"ecosystem":"npm","name":"bassmaster"},
		"ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"last_affected":"1.5.1"}]}]}]}`
	recLimit = `{"id":"T-LIMIT","affected":[{"package":{"ecosystem":"crates.io","name":"smallvec"},
		"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"limit":"2.0.0"}]}]}]}`
	recLimitStar = `{"id":"T-LIMITSTAR","affected":[{"package":{"ecosystem":"crates.io","name":"smallvec"},
		"ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"limit":"*"}]}]}]}`
	recVersions  = `{"id":"T-VERSIONS","affected":[{"package":{"ecosystem":"npm","name":"@evil/pkg"},"versions":["1.0.0","1.0.1"]}]}`
	recWithdrawn = `{"id":"T-WITHDRAWN","withdrawn":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"django"},
		"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"}]}]}]}`
	recMulti = `{"id":"T-MULTI","affected":[
		{"package":{"ecosystem":"npm","name":"lodash-es"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"4.17.21"}]}]},
		{"package":{"ecosystem":"npm","name":"lodash"},"ranges":[{"type":"SEMVER","events":[{"introduced":"3.0.0"},{"fixed":"3.10.2"}]}]},
		{"package":{"ecosystem":"npm","name":"lodash"},"ranges":[{"type":"SEMVER","events":[{"introduced":"4.0.0"},{"fixed":"4.17.12"}]}]}]}`
	recPyPI = `{"id":"T-PYPI","affected":[{"package":{"ecosystem":"PyPI","name":"zope.interface"},
		"ranges":[{"type":"GIT","repo":"https://example.invalid/zope","events":[{"introduced":"0"},{"fixed":"abcdef"}]},
		          {"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"5.0rc1"}]}],
		"versions":["4.0","4.7.1"]}]}`
	recPre = `{"id":"T-PRE","affected":[{"package":{"ecosystem":"npm","name":"next"},
		"ranges":[{"type":"SEMVER","events":[{"introduced":"14.0.0-canary.3"},{"fixed":"14.0.0"}]}]}]}`
	recSuffix = `{"id":"T-SUFFIX","affected":[{"package":{"ecosystem":"PyPI:internal","name":"Jinja2"},
		"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"2.0"},{"fixed":"2.10.1"}]}]}]}`
	recGitOnly = `{"id":"T-GITONLY","affected":[{"package":{"ecosystem":"crates.io","name":"openssl"},
		"ranges":[{"type":"GIT","repo":"https://example.invalid/openssl","events":[{"introduced":"0"}]}]}]}`
	recNoPackage     = `{"id":"T-NOPKG","affected":[{"ranges":[{"type":"GIT","repo":"https://example.invalid/x","events":[{"introduced":"0"}]}]}]}`
	recEmptyEntry    = `{"id":"T-EMPTY","affected":[{"package":{"ecosystem":"npm","name":"empty"}}]}`
	recFixedZeroLast = `{"id":"T-CRATE","affected":[{"package":{"ecosystem":"crates.io","name":"dirs"},
		"ranges":[{"type":"SEMVER","events":[{"introduced":"0.0.0-0"}]}]}]}`
)

func TestAffects(t *testing.T) {
	tests := []struct {
		name string
		rec  string
		q    Query
		want bool
	}{
		{"fixed: below", recFixed, Query{"npm", "lodash", "4.17.15"}, true},
		{"fixed: at fix", recFixed, Query{"npm", "lodash", "4.17.21"}, false},
		{"fixed: above", recFixed, Query{"npm", "lodash", "4.17.22"}, false},
		{"fixed: introduced 0 covers 0.0.1", recFixed, Query{"npm", "lodash", "0.0.1"}, true},
		{"fixed: other package", recFixed, Query{"npm", "lodash-es", "4.17.15"}, false},
		{"fixed: other ecosystem", recFixed, Query{"PyPI", "lodash", "4.17.15"}, false},
		{"fixed: npm names are case-sensitive", recFixed, Query{"npm", "Lodash", "4.17.15"}, false},

		{"windows: before first", recTwoWindows, Query{"npm", "qs", "5.9.9"}, false},
		{"windows: introduced inclusive", recTwoWindows, Query{"npm", "qs", "6.0.0"}, true},
		{"windows: inside first", recTwoWindows, Query{"npm", "qs", "6.0.3"}, true},
		{"windows: gap", recTwoWindows, Query{"npm", "qs", "6.1.0"}, false},
		{"windows: inside second", recTwoWindows, Query{"npm", "qs", "6.2.2"}, true},
		{"windows: after", recTwoWindows, Query{"npm", "qs", "6.2.3"}, false},
		{"unsorted events are sorted first", recUnsorted, Query{"npm", "qs", "6.2.2"}, true},
		{"unsorted events: gap", recUnsorted, Query{"npm", "qs", "6.1.0"}, false},

		{"last_affected: equal is affected", recLastAffected, Query{"npm", "bassmaster", "1.5.1"}, true},
		{"last_affected: above", recLastAffected, Query{"npm", "bassmaster", "1.5.2"}, false},
		{"last_affected: below introduced", recLastAffected, Query{"npm", "bassmaster", "0.9.0"}, false},

		{"limit: below", recLimit, Query{"crates.io", "smallvec", "1.4.0"}, true},
		{"limit: at limit", recLimit, Query{"crates.io", "smallvec", "2.0.0"}, false},
		{"limit *: unbounded", recLimitStar, Query{"crates.io", "smallvec", "99.0.0"}, true},
		{"limit *: still needs introduced", recLimitStar, Query{"crates.io", "smallvec", "0.6.0"}, false},
		{"crates names compared as written", recLimit, Query{"crates.io", "SmallVec", "1.4.0"}, false},

		{"versions list: listed", recVersions, Query{"npm", "@evil/pkg", "1.0.1"}, true},
		{"versions list: not listed", recVersions, Query{"npm", "@evil/pkg", "1.0.2"}, false},
		{"versions list: scope matters", recVersions, Query{"npm", "pkg", "1.0.1"}, false},
		{"versions list: scope case", recVersions, Query{"npm", "@Evil/pkg", "1.0.1"}, false},

		{"withdrawn is never affected", recWithdrawn, Query{"PyPI", "django", "1.0"}, false},

		{"multi: second entry range 3.x", recMulti, Query{"npm", "lodash", "3.5.0"}, true},
		{"multi: third entry range 4.x", recMulti, Query{"npm", "lodash", "4.17.11"}, true},
		{"multi: between entries", recMulti, Query{"npm", "lodash", "4.17.15"}, false},
		{"multi: first entry", recMulti, Query{"npm", "lodash-es", "4.17.15"}, true},

		{"pypi: PEP 503 name", recPyPI, Query{"PyPI", "Zope_Interface", "4.3"}, true},
		{"pypi: dotted name as written", recPyPI, Query{"PyPI", "zope.interface", "4.3"}, true},
		{"pypi: rc before fix", recPyPI, Query{"PyPI", "zope-interface", "5.0b2"}, true},
		{"pypi: fix itself", recPyPI, Query{"PyPI", "zope-interface", "5.0rc1"}, false},
		{"pypi: final after rc fix", recPyPI, Query{"PyPI", "zope-interface", "5.0"}, false},
		{"pypi: versions list PEP 440 equal", recPyPI, Query{"PyPI", "zope-interface", "4.0.0"}, true},
		{"pypi: ecosystem suffix on record", recSuffix, Query{"PyPI", "jinja2", "2.10"}, true},
		{"pypi: ecosystem suffix on query", recSuffix, Query{"PyPI:other", "jinja2", "2.10"}, true},
		{"pypi: suffix, fixed", recSuffix, Query{"PyPI", "jinja2", "2.10.1"}, false},
		{"pypi: legacy version sorts first", recSuffix, Query{"PyPI", "jinja2", "not-a-version"}, false},

		{"pre-release inside range", recPre, Query{"npm", "next", "14.0.0-canary.5"}, true},
		{"pre-release before introduced", recPre, Query{"npm", "next", "14.0.0-canary.2"}, false},
		{"release is the fix", recPre, Query{"npm", "next", "14.0.0"}, false},
		{"pre-release below a plain fix", recFixed, Query{"npm", "lodash", "4.17.21-beta.1"}, true},
		{"introduced 0.0.0-0 covers all", recFixedZeroLast, Query{"crates.io", "dirs", "0.0.1"}, true},

		{"git ranges never match a version", recGitOnly, Query{"crates.io", "openssl", "0.10.35"}, false},
		{"git ranges with no version: assumed affected", recGitOnly, Query{"crates.io", "openssl", ""}, true},
		{"no package entry", recNoPackage, Query{"crates.io", "x", "1.0.0"}, false},
		{"entry without ranges or versions", recEmptyEntry, Query{"npm", "empty", "1.0.0"}, false},
		{"entry without ranges or versions, no version", recEmptyEntry, Query{"npm", "empty", ""}, false},
		{"no version: assumed affected", recFixed, Query{"npm", "lodash", ""}, true},
		{"odd npm version ordered like osv-scanner", recFixed, Query{"npm", "lodash", "latest"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := mustRecord(t, tt.rec)
			if got := Affects(v, tt.q); got != tt.want {
				t.Errorf("Affects(%s, %+v) = %v, want %v", v.GetId(), tt.q, got, tt.want)
			}
		})
	}
}

func TestAffectsDoesNotMutateRecord(t *testing.T) {
	v := mustRecord(t, recUnsorted)
	before := v.GetAffected()[0].GetRanges()[0].GetEvents()[0].GetFixed()
	Affects(v, Query{"npm", "qs", "6.2.2"})
	if after := v.GetAffected()[0].GetRanges()[0].GetEvents()[0].GetFixed(); after != before {
		t.Fatalf("events reordered in the record: %q -> %q", before, after)
	}
}

func TestFixedVersions(t *testing.T) {
	tests := []struct {
		name string
		rec  string
		q    Query
		want []string
	}{
		{"single fix", recFixed, Query{"npm", "lodash", "4.17.15"}, []string{"4.17.21"}},
		{"not affected: none", recFixed, Query{"npm", "lodash", "4.17.21"}, nil},
		{"two windows, first", recTwoWindows, Query{"npm", "qs", "6.0.1"}, []string{"6.0.4", "6.2.3"}},
		{"two windows, second: earlier branch fix left out", recUnsorted, Query{"npm", "qs", "6.2.1"}, []string{"6.2.3"}},
		{"only the affecting entry", recMulti, Query{"npm", "lodash", "3.1.0"}, []string{"3.10.2"}},
		{"no version: all fixes of the package", recMulti, Query{"npm", "lodash", ""}, []string{"3.10.2", "4.17.12"}},
		{"last_affected: no fix", recLastAffected, Query{"npm", "bassmaster", "1.0.0"}, nil},
		{"versions-only: no fix", recVersions, Query{"npm", "@evil/pkg", "1.0.0"}, nil},
		{"pypi ordering", recPyPI, Query{"PyPI", "zope.interface", "4.0"}, []string{"5.0rc1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FixedVersions(mustRecord(t, tt.rec), tt.q)
			if !slices.Equal(got, tt.want) {
				t.Errorf("FixedVersions = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestFixedVersionsSortedByVersion(t *testing.T) {
	v := mustRecord(t, `{"id":"T-SORT","affected":[
		{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"10.0.0"}]}]},
		{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"9.1.0"}]}]},
		{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"9.1.0"}]}]}]}`)
	got := FixedVersions(v, Query{"npm", "a", "1.0.0"})
	if want := []string{"9.1.0", "10.0.0"}; !slices.Equal(got, want) {
		t.Fatalf("FixedVersions = %q, want %q", got, want)
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct{ eco, in, want string }{
		{"PyPI", "Django", "django"},
		{"PyPI", "zope.interface", "zope-interface"},
		{"PyPI", "Foo__Bar-._baz", "foo-bar-baz"},
		{"PyPI:3", "A_B", "a-b"},
		{"npm", "@Scope/Name", "@Scope/Name"},
		{"crates.io", "serde_json", "serde_json"},
	}
	for _, tt := range tests {
		if got := NormalizeName(tt.eco, tt.in); got != tt.want {
			t.Errorf("NormalizeName(%q, %q) = %q, want %q", tt.eco, tt.in, got, tt.want)
		}
	}
}
