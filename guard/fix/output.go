package fix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/installguard/guard/guard/report"
)

// WriteText prints the plan, one line per package version.
func WriteText(w io.Writer, p *Plan) error {
	if len(p.Items) == 0 {
		_, err := fmt.Fprintln(w, "nothing to fix: no advisory finding blocks or warns under the policy")
		return err
	}
	lf := ""
	for _, it := range p.Items {
		if it.Lockfile != lf {
			lf = it.Lockfile
			line(w, "%s", lf)
		}
		line(w, "  %s", describe(it))
		if it.Note != "" {
			line(w, "      note: %s", it.Note)
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
			how := "npm's configured save prefix"
			switch st := specStyle(it.spec); st {
			case "=":
				how = "exact"
			case "^", "~":
				how = fmt.Sprintf("%q kept", st)
			}
			fmt.Fprintf(&b, " (direct dependency: npm install %s@%s --package-lock-only, package.json spec %s)", it.Name, it.To, how)
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
	if len(it.Advisories) > 0 {
		fmt.Fprintf(&b, " [%s]", strings.Join(it.Advisories, ", "))
	}
	if len(it.Clears) > 0 {
		var parts []string
		for _, c := range it.Clears {
			to := "removed"
			if len(c.Locked) > 0 {
				to = strings.Join(c.Locked, ", ")
			}
			parts = append(parts, fmt.Sprintf("%s %s -> %s [%s]", c.Name, c.Version, to, strings.Join(c.Advisories, ", ")))
		}
		fmt.Fprintf(&b, "; its resolved dependencies clear %s", strings.Join(parts, "; "))
	}
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

// lockedNote says which versions the package manager locked, when that is
// not exactly the planned version.
func lockedNote(it Item) string {
	switch {
	case it.Action != Upgrade:
		return ""
	case len(it.Locked) == 0:
		return fmt.Sprintf("; %s is no longer in the lockfile", it.Name)
	case len(it.Locked) == 1 && it.Locked[0] == it.To:
		return "; locked " + it.To
	}
	return fmt.Sprintf("; locked %s (planned %s)", strings.Join(it.Locked, ", "), it.To)
}

// WriteOutcome prints what a fix did or, for a dry run, its plan (the
// check's report is printed by the caller).
func WriteOutcome(w io.Writer, o *Outcome) {
	if o.DryRun {
		if o.Plan != nil {
			WriteText(w, o.Plan)
		}
		fmt.Fprintln(w, "guard fix: dry run, nothing was changed")
		return
	}
	if !o.Changed() {
		fmt.Fprintln(w, "guard fix: nothing was changed")
	}
	for i, round := range o.Applied {
		for _, it := range round {
			line(w, "applied (round %d): %s %s -> %s (%s%s)", i+1, it.Name, it.Version, it.To, it.Method, lockedNote(it))
			for _, c := range it.Clears {
				line(w, "  clears %s %s [%s]", c.Name, c.Version, strings.Join(c.Advisories, ", "))
			}
		}
	}
	for _, it := range o.Skipped {
		line(w, "not applied: %s %s -> %s: %s", it.Name, it.Version, it.To, it.Note)
	}
	if o.Remaining != nil && len(o.Remaining.Items) > 0 {
		fmt.Fprintln(w, "still to do:")
		WriteText(w, o.Remaining)
	}
	if o.Changed() {
		fmt.Fprintln(w, "guard fix: manifests and lockfiles were updated; nothing was installed: install the fixed set through guard (guard npm ci, guard pip install -r ..., guard cargo build)")
	}
}

// line writes one line of text: names, versions, ranges and notes come
// from lockfiles and registries (untrusted), so the line goes through
// report.Escape, the one escaping function for terminal output.
func line(w io.Writer, format string, args ...any) {
	fmt.Fprintln(w, report.Escape(fmt.Sprintf(format, args...)))
}

// MarshalJSON writes the outcome with its check report as report's JSON
// format writes it (so findings come in the one order of every report
// format). It relies on Report and Error being Outcome's last fields: the
// outer fields below take their place at the end.
func (o Outcome) MarshalJSON() ([]byte, error) {
	type plain Outcome
	var rep json.RawMessage
	if o.Report != nil {
		w, err := report.New("json", report.Options{})
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		if err := w.Write(&b, o.Report); err != nil {
			return nil, err
		}
		rep = b.Bytes()
	}
	return json.Marshal(struct {
		*plain
		Report json.RawMessage `json:"report,omitempty"`
		Error  string          `json:"error,omitempty"`
	}{(*plain)(&o), rep, o.Error})
}

// WriteJSON writes v (a plan or a result) as indented JSON.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
