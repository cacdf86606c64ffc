package guard

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/advisory"
)

// dbStatuser is implemented by offline advisory databases, whose age the
// max-db-age setting bounds.
type dbStatuser interface {
	Status() ([]advisory.EcosystemStatus, error)
}

// advisoryQueries lists each distinct (ecosystem, name, version) worth asking
// about: packages pinned to a version, other than the project's own
// workspace members.
func advisoryQueries(lfs []*lockfile.Lockfile) []advisory.Query {
	n := 0
	for _, lf := range lfs {
		n += len(lf.Packages)
	}
	seen := make(map[advisory.Query]bool, n)
	qs := make([]advisory.Query, 0, n)
	for _, lf := range lfs {
		for i := range lf.Packages {
			p := &lf.Packages[i]
			if p.Version == "" || p.Source.Kind == lockfile.SourceWorkspace {
				continue
			}
			q := advisory.Query{Ecosystem: string(p.Ecosystem), Name: p.Name, Version: p.Version}
			if !seen[q] {
				seen[q] = true
				qs = append(qs, q)
			}
		}
	}
	sort.Slice(qs, func(i, j int) bool {
		a, b := qs[i], qs[j]
		if a.Ecosystem != b.Ecosystem {
			return a.Ecosystem < b.Ecosystem
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Version < b.Version
	})
	return qs
}

// hit is what the advisories say about one package version: one entry per
// group of records that alias each other.
type hit struct {
	group advisory.Group
	rule  string
	sev   advisory.Severity
	fixed []string
}

// gatherAdvisories asks the source about every package. An error means the
// answer is incomplete; the caller must not read it as "no advisories".
func gatherAdvisories(ctx context.Context, src advisory.Source, maxAge time.Duration, now time.Time, lfs []*lockfile.Lockfile) (map[advisory.Query][]hit, error) {
	qs := advisoryQueries(lfs)
	if len(qs) == 0 {
		return nil, nil
	}
	if st, ok := src.(dbStatuser); ok && maxAge > 0 {
		if err := checkDBAge(st, maxAge, now, qs); err != nil {
			return nil, err
		}
	}
	answers, err := src.Query(ctx, qs)
	if err != nil {
		return nil, err
	}
	if len(answers) != len(qs) {
		return nil, fmt.Errorf("advisory source answered %d of %d queries", len(answers), len(qs))
	}
	out := map[advisory.Query][]hit{}
	for i, q := range qs {
		if len(answers[i]) == 0 {
			continue
		}
		for _, g := range advisory.GroupAliases(answers[i]) {
			h := hit{group: g, rule: advisoryRule(g.Kind()), sev: g.Severity()}
			for _, r := range g.Records {
				for _, f := range advisory.FixedVersions(r, q) {
					if !slices.Contains(h.fixed, f) {
						h.fixed = append(h.fixed, f)
					}
				}
			}
			advisory.SortVersions(q.Ecosystem, h.fixed)
			out[q] = append(out[q], h)
		}
	}
	return out, nil
}

// checkDBAge makes a stale offline DB an error for the ecosystems queried.
func checkDBAge(st dbStatuser, maxAge time.Duration, now time.Time, qs []advisory.Query) error {
	statuses, err := st.Status()
	if err != nil {
		return err
	}
	need := map[string]bool{}
	for _, q := range qs {
		need[q.Ecosystem] = true
	}
	for _, s := range statuses {
		if !need[s.Ecosystem] || s.Err != nil {
			continue // a folder that cannot be read fails the query itself
		}
		if age := now.Sub(s.WrittenAt); age > maxAge {
			return fmt.Errorf("offline OSV DB for %s is %s old, older than max-db-age %s: run 'guard db update'",
				s.Ecosystem, humanDuration(age), humanDuration(maxAge))
		}
	}
	return nil
}

// advisoryFindings turns hits into findings, one per package version and
// advisory group per lockfile.
func advisoryFindings(rc ruleContext, hits map[advisory.Query][]hit, lfs []*lockfile.Lockfile) []Finding {
	var out []Finding
	for _, lf := range lfs {
		seen := map[string]bool{}
		for i := range lf.Packages {
			p := &lf.Packages[i]
			if p.Source.Kind == lockfile.SourceWorkspace {
				continue
			}
			q := advisory.Query{Ecosystem: string(p.Ecosystem), Name: p.Name, Version: p.Version}
			for _, h := range hits[q] {
				if !rc.enabled(h.rule) {
					continue
				}
				key := p.Key() + "\x00" + h.group.ID
				if seen[key] {
					continue
				}
				seen[key] = true
				aliases := h.group.Aliases
				if aliases == nil {
					aliases = []string{}
				}
				f := Finding{Rule: h.rule, Item: itemOf(h.rule).ID, ID: h.group.ID, Aliases: aliases,
					Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, Lockfile: lf.Path,
					Line: p.Line, Chain: p.Chain, Summary: summaryOf(h.group), Fixed: h.fixed}
				if h.rule == RuleVulnerability {
					f.Severity, f.Score = h.sev.Label, h.sev.Score
				}
				f.Message = advisoryMessage(f)
				rc.apply(&f)
				out = append(out, f)
			}
		}
	}
	return out
}

func summaryOf(g advisory.Group) string {
	for _, r := range g.Records {
		if s := strings.TrimSpace(r.GetSummary()); s != "" {
			return s
		}
	}
	for _, r := range g.Records {
		if d := strings.TrimSpace(r.GetDetails()); d != "" {
			if i := strings.IndexByte(d, '\n'); i > 0 {
				d = d[:i]
			}
			if len(d) > 160 {
				d = d[:157] + "..."
			}
			return d
		}
	}
	return ""
}

func advisoryMessage(f Finding) string {
	var b strings.Builder
	switch f.Rule {
	case RuleMalware:
		b.WriteString("is a known malicious package version")
	case RuleVulnerability:
		b.WriteString("has a known vulnerability")
		if f.Severity != "" && f.Severity != advisory.SeverityUnknown {
			if f.Score > 0 {
				fmt.Fprintf(&b, " (%s %.1f)", f.Severity, f.Score)
			} else {
				fmt.Fprintf(&b, " (%s)", f.Severity)
			}
		}
	default:
		fmt.Fprintf(&b, "has a RustSec %s advisory", f.Rule)
	}
	fmt.Fprintf(&b, ": %s", f.ID)
	if f.Summary != "" {
		fmt.Fprintf(&b, " %s", f.Summary)
	}
	switch {
	case f.Rule == RuleMalware:
		b.WriteString("; remove it")
	case len(f.Fixed) > 0:
		fmt.Fprintf(&b, "; fixed in %s", strings.Join(f.Fixed, ", "))
	case f.Rule == RuleVulnerability:
		b.WriteString("; no fixed version known")
	}
	return b.String()
}

// humanDuration prints whole days when the duration is at least a day.
func humanDuration(d time.Duration) string {
	if d >= 24*time.Hour {
		days := d.Hours() / 24
		if days == float64(int(days)) {
			return fmt.Sprintf("%dd", int(days))
		}
		return fmt.Sprintf("%.1fd", days)
	}
	return d.Round(time.Second).String()
}

// advisoryRule is the rule that reports advisories of a class.
func advisoryRule(c advisory.Class) string {
	r, _ := policy.AdvisoryRule(string(c))
	return r.Name
}
