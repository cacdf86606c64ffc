package advisory

import (
	"slices"
	"testing"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

func TestKind(t *testing.T) {
	tests := []struct {
		name string
		rec  string
		want Class
	}{
		{"plain vulnerability", `{"id":"GHSA-aaaa-bbbb-cccc","aliases":["CVE-2020-1"]}`, Vulnerability},
		{"MAL id", `{"id":"MAL-2024-1"}`, Malware},
		{"MAL alias", `{"id":"GHSA-aaaa-bbbb-cccc","aliases":["MAL-2024-1"]}`, Malware},
		{"LWA feed without MAL alias", `{"id":"LWA-2026-1"}`, Malware},
		{"LWA alias", `{"id":"OTHER-1","aliases":["LWA-2026-1"]}`, Malware},
		{"CWE-506 in affected cwes objects", `{"id":"X-1","affected":[{"package":{"ecosystem":"npm","name":"a"},
			"database_specific":{"cwes":[{"cweId":"CWE-506","name":"Embedded Malicious Code"}]}}]}`, Malware},
		{"CWE-506 in affected cwes strings", `{"id":"X-1","affected":[{"package":{"ecosystem":"npm","name":"a"},
			"database_specific":{"cwes":["CWE-506"]}}]}`, Malware},
		{"CWE-829 is not malware", `{"id":"X-1","affected":[{"package":{"ecosystem":"npm","name":"a"},
			"database_specific":{"cwes":[{"cweId":"CWE-829","name":"Inclusion of Functionality from Untrusted Control Sphere"}]}}]}`, Vulnerability},
		{"GitHub cwe_ids CWE-506", `{"id":"GHSA-aaaa-bbbb-cccc","database_specific":{"cwe_ids":["CWE-506"],"severity":"CRITICAL"}}`, Malware},
		{"OSSF origins", `{"id":"X-2","database_specific":{"malicious-packages-origins":[{"source":"ghsa-malware"}]}}`, Malware},
		{"RustSec unmaintained", `{"id":"RUSTSEC-2020-0053","affected":[{"package":{"ecosystem":"crates.io","name":"dirs"},
			"database_specific":{"categories":[],"cvss":null,"informational":"unmaintained"}}]}`, Unmaintained},
		{"RustSec unsound", `{"id":"RUSTSEC-2020-0070","affected":[{"package":{"ecosystem":"crates.io","name":"x"},
			"database_specific":{"informational":"unsound"}}]}`, Unsound},
		{"RustSec notice", `{"id":"RUSTSEC-2026-0126","affected":[{"package":{"ecosystem":"crates.io","name":"x"},
			"database_specific":{"informational":"notice"}}]}`, Notice},
		{"informational in ecosystem_specific", `{"id":"R-1","affected":[{"package":{"ecosystem":"crates.io","name":"x"},
			"ecosystem_specific":{"informational":"unmaintained"}}]}`, Unmaintained},
		{"unknown informational value", `{"id":"R-1","affected":[{"package":{"ecosystem":"crates.io","name":"x"},
			"database_specific":{"informational":"something-new"}}]}`, Notice},
		{"null informational is a vulnerability", `{"id":"RUSTSEC-2021-1","affected":[{"package":{"ecosystem":"crates.io","name":"x"},
			"database_specific":{"informational":null}}]}`, Vulnerability},
		{"malicious crate wins over informational", `{"id":"RUSTSEC-2022-0042","aliases":["MAL-2022-1"],"affected":[{"package":{"ecosystem":"crates.io","name":"x"},
			"database_specific":{"informational":"notice"}}]}`, Malware},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Kind(mustRecord(t, tt.rec)); got != tt.want {
				t.Errorf("Kind = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSeverityOf(t *testing.T) {
	tests := []struct {
		name  string
		rec   string
		label string
		score float64
	}{
		{"v3.1 critical", `{"id":"X","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}`, "CRITICAL", 9.8},
		{"v3.1 medium", `{"id":"X","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"}]}`, "MEDIUM", 5.3},
		{"v3.0 medium", `{"id":"X","severity":[{"type":"CVSS_V3","score":"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:N"}]}`, "MEDIUM", 6.5},
		{"v3.1 high", `{"id":"X","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}]}`, "HIGH", 7.5},
		{"v3.1 low", `{"id":"X","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"}]}`, "LOW", 1.8},
		{"v3.1 none", `{"id":"X","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"}]}`, "NONE", 0},
		{"v4 critical", `{"id":"X","severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]}`, "CRITICAL", 9.3},
		{"highest of several wins", `{"id":"X","severity":[
			{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"},
			{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]}`, "CRITICAL", 9.3},
		{"affected severity", `{"id":"X","affected":[{"package":{"ecosystem":"npm","name":"a"},
			"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"}]}]}`, "HIGH", 7.5},
		{"bad vector falls back to database label", `{"id":"X","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/garbage"}],
			"database_specific":{"severity":"MODERATE"}}`, "MEDIUM", 0},
		{"v2 is skipped", `{"id":"X","severity":[{"type":"CVSS_V2","score":"AV:N/AC:L/Au:N/C:P/I:P/A:P"}]}`, "UNKNOWN", 0},
		{"GitHub LOW", `{"id":"X","database_specific":{"severity":"LOW"}}`, "LOW", 0},
		{"GitHub HIGH", `{"id":"X","database_specific":{"severity":"HIGH"}}`, "HIGH", 0},
		{"GitHub CRITICAL", `{"id":"X","database_specific":{"severity":"CRITICAL"}}`, "CRITICAL", 0},
		{"nothing", `{"id":"X"}`, "UNKNOWN", 0},
		{"v3 vector under a v4 type is skipped", `{"id":"X","severity":[{"type":"CVSS_V4","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}`, "UNKNOWN", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SeverityOf(mustRecord(t, tt.rec))
			if got.Label != tt.label || got.Score != tt.score {
				t.Errorf("SeverityOf = %+v, want %s %.1f", got, tt.label, tt.score)
			}
			if got.Score > 0 && got.Vector == "" {
				t.Errorf("no vector reported for a CVSS score: %+v", got)
			}
		})
	}
}

func TestGroupAliases(t *testing.T) {
	recs := []string{
		`{"id":"GHSA-aaaa-aaaa-aaaa","aliases":["CVE-2020-1"]}`,
		`{"id":"PYSEC-2020-1","aliases":["CVE-2020-1"]}`, // shares an alias
		`{"id":"LWA-2026-1","aliases":["MAL-2026-9"]}`,
		`{"id":"MAL-2026-9"}`, // named by LWA's alias
		`{"id":"GHSA-bbbb-bbbb-bbbb","aliases":["CVE-2021-2"]}`,
		`{"id":"OSV-2021-7","aliases":["GHSA-bbbb-bbbb-bbbb","CVE-2021-3"]}`, // names the GHSA by id
		`{"id":"RUSTSEC-2021-9","aliases":["CVE-2021-3"]}`,                   // transitive through OSV-2021-7
		`{"id":"GHSA-aaaa-aaaa-aaaa","aliases":["CVE-2020-1"]}`,              // duplicate record
		`{"id":"NSWG-ECO-1"}`,
	}
	in := make([]*osvschema.Vulnerability, 0, len(recs))
	for _, r := range recs {
		in = append(in, mustRecord(t, r))
	}
	check := func(groups []Group) {
		t.Helper()
		type g struct {
			id      string
			aliases []string
			n       int
		}
		want := []g{
			{"LWA-2026-1", []string{"MAL-2026-9"}, 2},
			{"NSWG-ECO-1", nil, 1},
			{"OSV-2021-7", []string{"CVE-2021-2", "CVE-2021-3", "GHSA-bbbb-bbbb-bbbb", "RUSTSEC-2021-9"}, 3},
			{"PYSEC-2020-1", []string{"CVE-2020-1", "GHSA-aaaa-aaaa-aaaa"}, 2},
		}
		if len(groups) != len(want) {
			t.Fatalf("got %d groups, want %d: %+v", len(groups), len(want), groups)
		}
		for i, w := range want {
			if groups[i].ID != w.id || !slices.Equal(groups[i].Aliases, w.aliases) || len(groups[i].Records) != w.n {
				t.Errorf("group %d = %s %q (%d records), want %s %q (%d)", i, groups[i].ID, groups[i].Aliases, len(groups[i].Records), w.id, w.aliases, w.n)
			}
			if groups[i].Records[0].GetId() != w.id {
				t.Errorf("group %d: first record %s, want the primary %s", i, groups[i].Records[0].GetId(), w.id)
			}
		}
		if k := groups[0].Kind(); k != Malware {
			t.Errorf("LWA group kind = %s", k)
		}
	}
	check(GroupAliases(in))
	rev := slices.Clone(in)
	slices.Reverse(rev)
	check(GroupAliases(rev))
}
