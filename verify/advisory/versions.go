package advisory

import (
	"slices"
	"strings"

	"github.com/google/osv-scalibr/semantic"
)

// SortVersions sorts versions in place by the ecosystem's own ordering
// (semantic's npm, PEP 440 and crates.io rules), lowest first. Versions the
// ecosystem cannot parse sort after the others, by string.
func SortVersions(ecosystem string, versions []string) {
	eco := BaseEcosystem(ecosystem)
	parsed := make(map[string]semantic.Version, len(versions))
	for _, v := range versions {
		if pv, err := semantic.Parse(v, eco); err == nil {
			parsed[v] = pv
		}
	}
	slices.SortStableFunc(versions, func(a, b string) int {
		pa, okA := parsed[a]
		pb, okB := parsed[b]
		switch {
		case okA && okB:
			if c, err := pa.Compare(pb); err == nil && c != 0 {
				return c
			}
		case okA:
			return -1
		case okB:
			return 1
		}
		return strings.Compare(a, b)
	})
}
