package advisory

import (
	"strings"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/types/known/structpb"
)

// Class is what kind of advisory a record is.
type Class string

const (
	Vulnerability Class = "vulnerability"
	// Malware: the package version is itself malicious (not a bug in it).
	Malware Class = "malware"
	// Unmaintained, Unsound, Notice: RustSec informational advisories.
	Unmaintained Class = "unmaintained"
	Unsound      Class = "unsound"
	Notice       Class = "notice"
)

// MalwareIDPrefixes lists the id prefixes of malicious-package feeds: a
// record whose id or any alias starts with one of them reports a malicious
// package.
//
//   - "MAL-": OpenSSF malicious-packages (ossf/malicious-packages), the feed
//     OSV.dev imports for malicious npm/PyPI/crates.io packages.
//   - "LWA-": Leitwacht's malicious-package feed (threat-intel records in
//     OSV format; most also alias a MAL- id, some do not).
var MalwareIDPrefixes = []string{"MAL-", "LWA-"}

// cweMaliciousCode is CWE-506 "Embedded Malicious Code".
const cweMaliciousCode = "CWE-506"

// Kind classifies a record:
//
//   - Malware when its id or an alias starts with a MalwareIDPrefixes entry,
//     when CWE-506 appears in affected[].database_specific.cwes (OSSF
//     malicious-packages and Leitwacht write {"cweId": "CWE-506", ...}) or in
//     database_specific.cwe_ids (GitHub's malware advisories), or when
//     database_specific carries "malicious-packages-origins" (OSSF format).
//   - Unmaintained, Unsound or Notice for RustSec informational advisories:
//     "informational" in affected[].database_specific (where RustSec's OSV
//     export puts it), affected[].ecosystem_specific or database_specific.
//     An informational value RustSec may add later is reported as Notice.
//   - Vulnerability otherwise.
//
// Malware wins over informational.
func Kind(v *osvschema.Vulnerability) Class {
	if isMalware(v) {
		return Malware
	}
	if info := informational(v); info != "" {
		switch info {
		case "unmaintained":
			return Unmaintained
		case "unsound":
			return Unsound
		default:
			return Notice
		}
	}
	return Vulnerability
}

func hasMalwarePrefix(id string) bool {
	for _, p := range MalwareIDPrefixes {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

func isMalware(v *osvschema.Vulnerability) bool {
	if hasMalwarePrefix(v.GetId()) {
		return true
	}
	for _, a := range v.GetAliases() {
		if hasMalwarePrefix(a) {
			return true
		}
	}
	ds := v.GetDatabaseSpecific().GetFields()
	if _, ok := ds["malicious-packages-origins"]; ok {
		return true
	}
	if hasCWE(ds["cwe_ids"], cweMaliciousCode) || hasCWE(ds["cwes"], cweMaliciousCode) {
		return true
	}
	for _, a := range v.GetAffected() {
		ads := a.GetDatabaseSpecific().GetFields()
		if _, ok := ads["malicious-packages-origins"]; ok {
			return true
		}
		if hasCWE(ads["cwes"], cweMaliciousCode) || hasCWE(ads["cwe_ids"], cweMaliciousCode) {
			return true
		}
	}
	return false
}

// hasCWE looks for a CWE id in a list of strings ("CWE-506") or of objects
// ({"cweId": "CWE-506", "name": ...}).
func hasCWE(list *structpb.Value, cwe string) bool {
	for _, item := range list.GetListValue().GetValues() {
		s := item.GetStringValue()
		if s == "" {
			f := item.GetStructValue().GetFields()
			s = f["cweId"].GetStringValue()
			if s == "" {
				s = f["id"].GetStringValue()
			}
		}
		if strings.EqualFold(strings.TrimSpace(s), cwe) {
			return true
		}
	}
	return false
}

func informational(v *osvschema.Vulnerability) string {
	for _, a := range v.GetAffected() {
		if s := a.GetDatabaseSpecific().GetFields()["informational"].GetStringValue(); s != "" {
			return strings.ToLower(s)
		}
		if s := a.GetEcosystemSpecific().GetFields()["informational"].GetStringValue(); s != "" {
			return strings.ToLower(s)
		}
	}
	return strings.ToLower(v.GetDatabaseSpecific().GetFields()["informational"].GetStringValue())
}
