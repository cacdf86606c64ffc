package fix

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteText prints the plan, one line per package version.
func WriteText(w io.Writer, p *Plan) error {
	if len(p.Items) == 0 {
		_, err := fmt.Fprintln(w, "nothing to fix: no package version has a known vulnerability or is known to be malicious")
		return err
	}
	lf := ""
	for _, it := range p.Items {
		if it.Lockfile != lf {
			lf = it.Lockfile
			fmt.Fprintf(w, "%s\n", lf)
		}
		fmt.Fprintf(w, "  %s\n", describe(it))
		if it.Note != "" {
			fmt.Fprintf(w, "      note: %s\n", it.Note)
		}
	}
	return nil
}

// describe is one item's line.
func describe(it Item) string {
	var b strings.Builder
	switch it.Action {
	case Upgrade:
		fmt.Fprintf(&b, "UPGRADE %s %s -> %s", it.Name, it.Version, it.To)
		switch it.Method {
		case MethodDirect:
			b.WriteString(" (direct dependency: package.json, then npm install --package-lock-only)")
		case MethodOverride:
			fmt.Fprintf(&b, " (npm overrides %q: %q)", it.Override, it.To)
		case MethodPin:
			b.WriteString(" (requirements pin)")
		case MethodPrecise:
			fmt.Fprintf(&b, " (cargo update -p %s@%s --precise %s)", it.Name, it.Version, it.To)
		case MethodManual:
			b.WriteString(" (manual)")
		}
	case Remove:
		fmt.Fprintf(&b, "REMOVE  %s %s (malicious)", it.Name, it.Version)
	case NoFix:
		fmt.Fprintf(&b, "NO FIX  %s %s", it.Name, it.Version)
	}
	fmt.Fprintf(&b, " [%s]", strings.Join(it.Advisories, ", "))
	if it.OutsideRange {
		var outside []string
		for _, d := range it.Dependents {
			if !d.Satisfied {
				who := "the project"
				if d.Name != "" {
					who = d.Name + "@" + d.Version
				}
				outside = append(outside, fmt.Sprintf("%s wants %s", who, d.Range))
			}
		}
		fmt.Fprintf(&b, "; outside the range of its dependents (%s): no fixed version is inside it", strings.Join(outside, "; "))
	}
	return b.String()
}

// WriteJSON writes v (a plan or a result) as indented JSON.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
