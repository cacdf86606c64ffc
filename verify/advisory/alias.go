package advisory

import (
	"slices"
	"strings"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

// Group is one finding: the records (hitting one package version) that
// describe the same issue under different ids.
type Group struct {
	// ID is the primary id: one of the records' own ids (never an id that
	// appears only as an alias), chosen by PrimaryIDOrder.
	ID string
	// Aliases is every other id of the group: the other records' ids and
	// all aliases of all records, sorted, without ID and without duplicates.
	Aliases []string
	// Records are the group's records, primary first, then by PrimaryIDOrder.
	Records []*osvschema.Vulnerability
}

// Kind is the most alarming class among the group's records: malware over
// the RustSec informational classes over vulnerability.
func (g Group) Kind() Class {
	best := Vulnerability
	rank := map[Class]int{Vulnerability: 0, Notice: 1, Unmaintained: 2, Unsound: 3, Malware: 4}
	for _, r := range g.Records {
		if k := Kind(r); rank[k] > rank[best] {
			best = k
		}
	}
	return best
}

// Severity is the highest severity among the group's records.
func (g Group) Severity() Severity {
	best := Severity{Label: SeverityUnknown}
	for _, r := range g.Records {
		if s := SeverityOf(r); s.Worse(best) {
			best = s
		}
	}
	return best
}

// GroupAliases groups records that alias each other: two records are in one
// group when their id sets ({id} ∪ aliases) intersect, transitively (as
// osv-scanner groups, but closed under transitivity). Duplicate records
// (same id) are merged. Groups are ordered by primary id (PrimaryIDOrder),
// so the result does not depend on the input order.
func GroupAliases(records []*osvschema.Vulnerability) []Group {
	// Deduplicate by id, keeping the first record seen for an id.
	byID := map[string]int{}
	var recs []*osvschema.Vulnerability
	for _, r := range records {
		if r == nil {
			continue
		}
		if _, dup := byID[r.GetId()]; dup {
			continue
		}
		byID[r.GetId()] = len(recs)
		recs = append(recs, r)
	}

	parent := make([]int, len(recs))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		ra, rb := find(a), find(b)
		if ra != rb {
			parent[rb] = ra
		}
	}
	// owner maps every id or alias to the first record naming it.
	owner := map[string]int{}
	for i, r := range recs {
		for _, id := range append([]string{r.GetId()}, r.GetAliases()...) {
			if j, ok := owner[id]; ok {
				union(i, j)
			} else {
				owner[id] = i
			}
		}
	}

	members := map[int][]*osvschema.Vulnerability{}
	for i, r := range recs {
		root := find(i)
		members[root] = append(members[root], r)
	}
	groups := make([]Group, 0, len(members))
	for _, rs := range members {
		slices.SortFunc(rs, func(a, b *osvschema.Vulnerability) int {
			return PrimaryIDOrder(a.GetId(), b.GetId())
		})
		g := Group{ID: rs[0].GetId(), Records: rs}
		seen := map[string]bool{g.ID: true}
		for _, r := range rs {
			for _, id := range append([]string{r.GetId()}, r.GetAliases()...) {
				if id != "" && !seen[id] {
					seen[id] = true
					g.Aliases = append(g.Aliases, id)
				}
			}
		}
		slices.Sort(g.Aliases)
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, b Group) int { return PrimaryIDOrder(a.ID, b.ID) })
	return groups
}

// PrimaryIDOrder orders record ids for the choice of a group's primary id,
// like osv-scanner v2: DSA/USN records first (they bundle CVEs), then CVE, then every other database (PYSEC,
// RUSTSEC, MAL, LWA, NSWG, ...), GHSA last; ties by string order. Only
// records' own ids compete, so the primary is always an id the database gave.
func PrimaryIDOrder(a, b string) int {
	pa, pb := idPrefixRank(a), idPrefixRank(b)
	if pa != pb {
		return pa - pb
	}
	return strings.Compare(a, b)
}

func idPrefixRank(id string) int {
	prefix, _, _ := strings.Cut(id, "-")
	switch prefix {
	case "DSA", "USN":
		return -1
	case "CVE":
		return 0
	case "GHSA":
		return 2
	}
	return 1
}
