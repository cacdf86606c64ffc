package guard

import (
	"fmt"
	"strings"
	"time"
)

// cooldownFindings applies the cooldown rule: a version published less
// than [cooldown] min-age before now, which [cooldown] allow does not
// exempt, is held back ("too-new"); the message says when it becomes
// allowed. Publish times come from the registry metadata (npm's packument,
// PEP 700 upload times); a version whose publish time is not known (other
// ecosystems, metadata not read, a version the registry does not list)
// gives no finding, and evidence.gaps makes the item "not checked".
func cooldownFindings(rc ruleContext, pkgs []PackageResult, minAge time.Duration, now time.Time) []Finding {
	s := newFindingSet(rc, RuleCooldown)
	for i := range pkgs {
		p := &pkgs[i]
		d := metadataOf(p)
		if d == nil || d.PublishedAt.IsZero() {
			continue
		}
		if ok, _ := rc.p.CooldownExempt(string(p.Ecosystem), p.Name); ok {
			continue
		}
		allowed := d.PublishedAt.Add(minAge)
		if !now.Before(allowed) {
			continue
		}
		s.add(p, "too-new", fmt.Sprintf("was published %s, less than [cooldown] min-age = %q ago; it is allowed from %s",
			d.PublishedAt.UTC().Format(time.RFC3339), formatAge(minAge), allowed.UTC().Format(time.RFC3339)))
	}
	return s.out
}

// formatAge prints whole days as "7d", anything else as a Go duration.
func formatAge(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// deprecatedFindings applies the deprecated rule to npm: a version whose
// registry metadata carries a deprecation notice ("deprecated"). The
// notice is quoted on one line, control characters escaped. PyPI's
// deprecated and archived projects are pypiStatusFindings'.
func deprecatedFindings(rc ruleContext, pkgs []PackageResult) []Finding {
	s := newFindingSet(rc, RuleDeprecated)
	for i := range pkgs {
		p := &pkgs[i]
		d := metadataOf(p)
		if d == nil || strings.TrimSpace(d.Deprecated) == "" {
			continue
		}
		s.add(p, "deprecated", "is deprecated: "+oneLine(d.Deprecated, 300))
	}
	return s.out
}

// oneLine trims text to one line of at most max runes: runs of white space
// become one space, other control characters are escaped.
func oneLine(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, f := range strings.Fields(s) {
		if n > 0 {
			b.WriteByte(' ')
			n++
		}
		for _, r := range f {
			if n >= max {
				return strings.TrimSpace(b.String()) + "…"
			}
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
				fmt.Fprintf(&b, "\\u%04x", r)
			} else {
				b.WriteRune(r)
			}
			n++
		}
	}
	return b.String()
}
