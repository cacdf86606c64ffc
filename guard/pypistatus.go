package guard

import (
	"fmt"
	"strings"
)

// pypiStatusFindings reads what the Python index says of the lockfile's
// files and projects (the registry metadata, from the PEP 691 page):
//   - yanked (PEP 592): a locked file the index has yanked. A lockfile pins
//     it exactly, so pip would still install it; the yank says its authors
//     withdrew it.
//   - quarantined (PEP 792): the index quarantined the project, which it
//     does when it suspects malware.
//   - deprecated: PEP 792's "deprecated" and "archived" statuses, reported
//     like npm's deprecation notices.
func pypiStatusFindings(rc ruleContext, pkgs []PackageResult) []Finding {
	yanked := newFindingSet(rc, RuleYanked)
	quarantined := newFindingSet(rc, RuleQuarantined)
	deprecated := newFindingSet(rc, RuleDeprecated)
	for i := range pkgs {
		p := &pkgs[i]
		m := metadataOf(p)
		if m == nil || m.Index == nil {
			continue
		}
		idx := m.Index
		if len(idx.Yanked) > 0 && rc.enabled(RuleYanked) {
			yanked.add(p, "yanked", "is yanked from the index (PEP 592): "+oneLine(strings.Join(idx.Yanked, "; "), 300))
		}
		reason := ""
		if idx.ProjectStatusReason != "" {
			reason = ": " + oneLine(idx.ProjectStatusReason, 300)
		}
		switch idx.ProjectStatus {
		case "quarantined":
			if rc.enabled(RuleQuarantined) {
				quarantined.add(p, "quarantined", "belongs to a project the index has quarantined (PEP 792), as it does for suspected malware"+reason)
			}
		case "deprecated", "archived":
			if rc.enabled(RuleDeprecated) {
				deprecated.add(p, "project-"+idx.ProjectStatus, fmt.Sprintf("belongs to a project the index marks %s (PEP 792)%s", idx.ProjectStatus, reason))
			}
		}
	}
	out := append(yanked.out, quarantined.out...)
	return append(out, deprecated.out...)
}
