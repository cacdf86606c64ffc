package report

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/verify/provenance"
)

// evidence writes the text report's evidence summary: what provenance was
// found (how many packages verified and by which publishers, published
// without it, unverifiable) and which checks did not run and why (offline,
// --no-provenance), so that a short report still says what it rests on.
func (t *textWriter) evidence(r *guard.Report) {
	var lines []string
	if s := provenanceSummary(r); s != "" {
		lines = append(lines, s)
	}
	// Items not checked, grouped by why.
	why := map[string][]string{}
	var whys []string
	for _, it := range r.Items {
		if it.Status != "not checked" {
			continue
		}
		if _, ok := why[it.Note]; !ok {
			whys = append(whys, it.Note)
		}
		why[it.Note] = append(why[it.Note], it.Rule)
	}
	for _, w := range whys {
		note := w
		if note == "" {
			note = "evidence not gathered"
		}
		lines = append(lines, fmt.Sprintf("not checked: %s: %s", strings.Join(why[w], ", "), note))
	}
	if len(lines) == 0 {
		return
	}
	t.printf("\nevidence:\n")
	for _, l := range lines {
		t.printf("  %s\n", l)
	}
}

// provenanceSummary is "provenance: 212 verified (publishers: a, b, c and 9
// more), 1,136 published without provenance, 0 unverifiable", or "" when no
// provenance was gathered.
func provenanceSummary(r *guard.Report) string {
	counts := map[provenance.Status]int{}
	publishers := map[string]int{}
	gathered := false
	for _, p := range r.Packages {
		if p.Provenance == nil {
			continue
		}
		gathered = true
		counts[p.Provenance.Status]++
		if p.Provenance.Status == provenance.StatusVerified && p.Provenance.Publisher != nil {
			repo := strings.TrimPrefix(p.Provenance.Publisher.Repository, "https://")
			if repo == "" {
				repo = "unknown repository"
			}
			publishers[Escape(repo)]++
		}
	}
	if !gathered {
		return ""
	}
	verified := fmt.Sprintf("%s verified", thousands(counts[provenance.StatusVerified]))
	if len(publishers) > 0 {
		names := make([]string, 0, len(publishers))
		for n := range publishers {
			names = append(names, n)
		}
		// Most packages first, then by name.
		sort.Slice(names, func(i, j int) bool {
			if publishers[names[i]] != publishers[names[j]] {
				return publishers[names[i]] > publishers[names[j]]
			}
			return names[i] < names[j]
		})
		const shown = 3
		list := strings.Join(names[:min(shown, len(names))], ", ")
		if len(names) > shown {
			list += fmt.Sprintf(" and %d more", len(names)-shown)
		}
		verified += " (publishers: " + list + ")"
	}
	parts := []string{verified,
		thousands(counts[provenance.StatusMissing]) + " published without provenance",
		thousands(counts[provenance.StatusUnverifiable]) + " unverifiable"}
	if n := counts[provenance.StatusInvalid]; n > 0 {
		parts = append(parts, thousands(n)+" failed verification")
	}
	if n := counts[provenance.StatusUnavailable]; n > 0 {
		parts = append(parts, thousands(n)+" from registries without attestations")
	}
	return "provenance: " + strings.Join(parts, ", ")
}

// thousands writes n with comma separators: 1136 -> "1,136".
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
