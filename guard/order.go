package guard

import (
	"cmp"
	"slices"
)

// Places lists where the report's findings are: the lockfiles in report
// order, then the places with findings that are no lockfile (a folder
// without one), sorted. Each place is listed once.
func (r *Report) Places() []string {
	seen := map[string]bool{}
	var out, extra []string
	for _, lf := range r.Lockfiles {
		if !seen[lf.Path] {
			seen[lf.Path] = true
			out = append(out, lf.Path)
		}
	}
	for _, f := range r.Findings {
		if !seen[f.Lockfile] {
			seen[f.Lockfile] = true
			extra = append(extra, f.Lockfile)
		}
	}
	slices.Sort(extra)
	return append(out, extra...)
}

// FindingOrder returns the one order every finding list follows (Check's
// Report.Findings and every report format): blocking first, then warnings,
// then ignored; within an action by place (Places), then lockfile, package,
// rule and id. It is a total order on the fields that identify a finding,
// so output never depends on the order findings arrived in.
func (r *Report) FindingOrder() func(a, b *Finding) int {
	index := map[string]int{}
	for i, p := range r.Places() {
		index[p] = i
	}
	return func(a, b *Finding) int {
		return cmp.Or(cmp.Compare(actionRank(a.Action), actionRank(b.Action)),
			cmp.Compare(index[a.Lockfile], index[b.Lockfile]),
			cmp.Compare(a.Lockfile, b.Lockfile),
			cmp.Compare(a.Name, b.Name),
			cmp.Compare(a.Version, b.Version),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.ID, b.ID),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Message, b.Message),
		)
	}
}

// sortFindings puts r.Findings in the one order (FindingOrder).
func (r *Report) sortFindings() {
	order := r.FindingOrder()
	slices.SortStableFunc(r.Findings, func(a, b Finding) int { return order(&a, &b) })
}

// actionRank orders actions: block first, then warn, then ignored, then
// anything else.
func actionRank(a Action) int {
	switch a {
	case Block:
		return 0
	case Warn:
		return 1
	case Ignored:
		return 2
	}
	return 3
}
