package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/typosquat"
	"github.com/installguard/guard/lockfile"
)

// explainFormat is `guard explain`'s view of one package: for every entry
// of it, where it is, its provenance and every rule's result for it, with
// what decided each finding and what would change it.
type explainFormat struct{ opt Options }

// SplitPackage splits "name@version", keeping an npm scope's "@".
func SplitPackage(s string) (name, version string) {
	i := strings.LastIndexByte(s, '@')
	if i <= 0 {
		return s, ""
	}
	return s[:i], s[i+1:]
}

// Entries returns the entries of the package spec names (NAME or
// NAME@VERSION) in r, once per lockfile and key, in report order.
func Entries(r *guard.Report, spec string) []guard.PackageResult {
	name, version := SplitPackage(spec)
	var out []guard.PackageResult
	seen := map[string]bool{}
	for _, p := range r.Packages {
		k := p.Lockfile + "\x00" + p.Key()
		if p.Name != name || (version != "" && p.Version != version) || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}

// FindingsOf returns the findings about one entry, in the one order.
func FindingsOf(r *guard.Report, p guard.PackageResult) []*guard.Finding {
	var out []*guard.Finding
	for _, f := range newView(r).findings {
		if f.Lockfile == p.Lockfile && f.Name == p.Name && f.Version == p.Version {
			out = append(out, f)
		}
	}
	return out
}

// Write explains every entry of opt.Package. Every string from the
// lockfile, an advisory or the registry goes through Escape.
func (x explainFormat) Write(w io.Writer, r *guard.Report) error {
	b := bufio.NewWriter(w)
	for _, p := range Entries(r, x.opt.Package) {
		explainEntry(b, r, p)
	}
	return b.Flush()
}

func explainEntry(w io.Writer, r *guard.Report, p guard.PackageResult) {
	esc := Escape
	fmt.Fprintf(w, "%s  (%s, %s", esc(p.Key()), esc(p.Lockfile), esc(string(p.Ecosystem)))
	switch {
	case p.Direct:
		fmt.Fprint(w, ", direct")
	case len(p.Chain) > 0:
		fmt.Fprintf(w, ", via %s", strings.Join(EscapeAll(p.Chain), " > "))
	}
	if p.Dev {
		fmt.Fprint(w, ", dev")
	}
	fmt.Fprintf(w, ", source %s)\n", esc(string(p.Source.Kind)))
	if pr := p.Provenance; pr != nil {
		fmt.Fprintf(w, "  provenance: %s", esc(string(pr.Status)))
		if pr.Publisher != nil {
			fmt.Fprintf(w, " (built by %s, %s, %s)", esc(pr.Publisher.Repository), esc(pr.Publisher.Workflow), esc(pr.Publisher.Ref))
		}
		if pr.Reason != "" {
			fmt.Fprintf(w, ": %s", esc(pr.Reason))
		}
		fmt.Fprintln(w)
	}
	all := FindingsOf(r, p)
	for _, it := range r.Items {
		var fs []*guard.Finding
		for _, f := range all {
			if f.Rule == it.Rule {
				fs = append(fs, f)
			}
		}
		if len(fs) == 0 {
			// The item's status for the whole run, when it is not a pass:
			// a package is never "pass" for a rule that was off, not
			// checked, or whose evidence could not be gathered.
			status := guard.StatusPass
			switch it.Status {
			case guard.StatusOff:
				status = fmt.Sprintf("off (on from level %d; the level is %d)", it.Level, r.Level)
				if it.Level <= r.Level {
					status = "off (turned off by the policy)"
				}
			case guard.StatusNotChecked, guard.StatusError:
				status = it.Status + ": " + esc(it.Note)
			}
			if it.Rule == guard.RuleTyposquat && it.Status != guard.StatusOff && it.Status != guard.StatusNotChecked && it.Status != guard.StatusError {
				status += typosquatReason(p)
			}
			fmt.Fprintf(w, "  %-5s %-20s %s\n", it.ID, it.Rule, status)
			continue
		}
		for _, f := range fs {
			fmt.Fprintf(w, "  %-5s %-20s %s %s: %s\n", it.ID, it.Rule, esc(strings.ToUpper(string(f.Action))), esc(f.ID), esc(f.Message))
			if f.Exception != "" {
				fmt.Fprintf(w, "        excepted by %s\n", esc(f.Exception))
			}
			fmt.Fprintf(w, "        decided by: %s\n", esc(f.Why))
			if f.Change != "" {
				fmt.Fprintf(w, "        to change it: %s\n", esc(f.Change))
			}
		}
	}
	fmt.Fprintln(w)
}

// typosquatReason says why a package's name gave no typosquat finding.
func typosquatReason(p guard.PackageResult) string {
	eco := string(p.Ecosystem)
	switch {
	case p.Source.Kind != lockfile.SourceRegistry && p.Source.Kind != "":
		return fmt.Sprintf(" (a %s source is not looked up by name)", p.Source.Kind)
	case !typosquat.Listed(eco):
		return fmt.Sprintf(" (no list of popular %s names; only [typosquat] protect applies)", eco)
	}
	if n := typosquat.Rank(eco, p.Name); n > 0 {
		return fmt.Sprintf(" (%s is itself popular: #%d of the %s names guard knows)", p.Name, n, eco)
	}
	if m, ok := typosquat.Check(eco, p.Name); ok {
		return fmt.Sprintf(" (resembles %s: %s; the policy allows it)", m.Target, m.How)
	}
	return fmt.Sprintf(" (resembles no popular %s name nor any [typosquat] protect pattern)", eco)
}
