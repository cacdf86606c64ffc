package advisory

import (
	"strings"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// Severity labels: the CVSS qualitative ratings, plus UNKNOWN.
const (
	SeverityNone     = "NONE"
	SeverityLow      = "LOW"
	SeverityMedium   = "MEDIUM"
	SeverityHigh     = "HIGH"
	SeverityCritical = "CRITICAL"
	SeverityUnknown  = "UNKNOWN"
)

// Severity is how bad a record says it is.
type Severity struct {
	// Label is NONE, LOW, MEDIUM, HIGH, CRITICAL or UNKNOWN.
	Label string
	// Score is the CVSS score (0 when the label comes from the database's
	// own rating or is UNKNOWN).
	Score float64
	// Vector is the CVSS vector the score was computed from ("" when none).
	Vector string
}

var severityRank = map[string]int{
	SeverityUnknown: 0, SeverityNone: 1, SeverityLow: 2, SeverityMedium: 3, SeverityHigh: 4, SeverityCritical: 5,
}

// Worse reports whether s is more severe than t (higher score, then higher
// label; UNKNOWN is the least).
func (s Severity) Worse(t Severity) bool {
	if s.Score != t.Score {
		return s.Score > t.Score
	}
	return severityRank[s.Label] > severityRank[t.Label]
}

// SeverityOf rates a record. CVSS v3.0/v3.1 and v4.0 vectors in severity[]
// and affected[].severity are scored with go-cvss (v3: base score; v4: the
// score of the vector as given) and labelled by the CVSS rating ranges
// (0 NONE, 0.1-3.9 LOW, 4.0-6.9 MEDIUM, 7.0-8.9 HIGH, 9.0-10 CRITICAL); the
// highest score wins. Vectors that do not parse, CVSS v2 and Ubuntu
// priorities are skipped. Without a usable vector the database's own label
// is used (database_specific.severity as GitHub writes it: LOW, MODERATE →
// MEDIUM, HIGH, CRITICAL); otherwise the label is UNKNOWN.
func SeverityOf(v *osvschema.Vulnerability) Severity {
	best := Severity{Label: SeverityUnknown}
	found := false
	consider := func(list []*osvschema.Severity) {
		for _, s := range list {
			r, ok := scoreVector(s.GetType(), s.GetScore())
			if ok && (!found || r.Worse(best)) {
				best, found = r, true
			}
		}
	}
	consider(v.GetSeverity())
	for _, a := range v.GetAffected() {
		consider(a.GetSeverity())
	}
	if found {
		return best
	}
	if l := databaseLabel(v.GetDatabaseSpecific().GetFields()["severity"].GetStringValue()); l != "" {
		return Severity{Label: l}
	}
	for _, a := range v.GetAffected() {
		if l := databaseLabel(a.GetDatabaseSpecific().GetFields()["severity"].GetStringValue()); l != "" {
			return Severity{Label: l}
		}
	}
	return best
}

func databaseLabel(s string) string {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "LOW":
		return SeverityLow
	case "MODERATE", "MEDIUM":
		return SeverityMedium
	case "HIGH":
		return SeverityHigh
	case "CRITICAL":
		return SeverityCritical
	}
	return ""
}

// ScoreVector scores one CVSS v3.x or v4.0 vector string.
func ScoreVector(vector string) (Severity, bool) {
	return scoreVector(osvschema.Severity_UNSPECIFIED, vector)
}

func scoreVector(t osvschema.Severity_Type, vector string) (Severity, bool) {
	vector = strings.TrimSpace(vector)
	var score float64
	switch {
	case strings.HasPrefix(vector, "CVSS:3.0/") && t != osvschema.Severity_CVSS_V4:
		c, err := gocvss30.ParseVector(vector)
		if err != nil {
			return Severity{}, false
		}
		score = c.BaseScore()
	case strings.HasPrefix(vector, "CVSS:3.1/") && t != osvschema.Severity_CVSS_V4:
		c, err := gocvss31.ParseVector(vector)
		if err != nil {
			return Severity{}, false
		}
		score = c.BaseScore()
	case strings.HasPrefix(vector, "CVSS:4.0/") && t != osvschema.Severity_CVSS_V3:
		c, err := gocvss40.ParseVector(vector)
		if err != nil {
			return Severity{}, false
		}
		score = c.Score()
	default:
		return Severity{}, false
	}
	label, err := gocvss31.Rating(score)
	if err != nil {
		return Severity{}, false
	}
	return Severity{Label: label, Score: score, Vector: vector}, true
}
