package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/report"
	"github.com/installguard/guard/guard/typosquat"
	"github.com/installguard/guard/lockfile"
)

const explainUsage = `Usage: guard explain NAME[@VERSION] [DIR|LOCKFILE...] [flags]

Checks like 'guard check' (same flags), then shows, for every entry of the
package NAME (at VERSION, when given): where it is, its provenance, and
every rule's result for it, with the policy line or default that decided
each finding and what would change the outcome. Exit codes are those of
'guard check' for that package alone; 2 when no lockfile has the package.`

func runExplain(ctx context.Context, e *env, args []string) int {
	fs, a := checkFlags(&checkArgs{})
	if code, ok := parseFlags(e, fs, args, explainUsage); !ok {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintf(e.stderr, "guard explain: which package?\n\n%s\n", explainUsage)
		return guard.ExitInvalid
	}
	name, version := splitNameVersion(fs.Arg(0))
	opts, code, ok := e.checkOptions(ctx, fs, a, fs.Args()[1:], "guard explain")
	if !ok {
		return code
	}
	r, err := guard.Check(ctx, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard explain: %v\n", err)
		return guard.ExitInvalid
	}
	for _, er := range r.Errors {
		fmt.Fprintf(e.stderr, "guard: %s\n", report.Escape(er.Message))
	}
	found := 0
	verdict := guard.ExitAllow
	seen := map[string]bool{}
	for _, p := range r.Packages {
		if p.Name != name || (version != "" && p.Version != version) || seen[p.Lockfile+"\x00"+p.Key()] {
			continue
		}
		seen[p.Lockfile+"\x00"+p.Key()] = true
		found++
		if c := explainPackage(e.stdout, r, p); c > verdict {
			verdict = c
		}
	}
	if found == 0 {
		fmt.Fprintf(e.stderr, "guard explain: no checked lockfile has %s\n", report.Escape(fs.Arg(0)))
		return guard.ExitInvalid
	}
	if code := r.ExitCode(); code == guard.ExitInvalid || code == guard.ExitIncomplete {
		return code
	}
	return verdict
}

// splitNameVersion splits "name@version", keeping an npm scope's "@".
func splitNameVersion(s string) (string, string) {
	i := strings.LastIndexByte(s, '@')
	if i <= 0 {
		return s, ""
	}
	return s[:i], s[i+1:]
}

// explainPackage prints every rule's result for one package and returns
// the exit code its findings alone would give. Every string from the
// lockfile, an advisory or the registry goes through report.Escape.
func explainPackage(w io.Writer, r *guard.Report, p guard.PackageResult) int {
	esc := report.Escape
	fmt.Fprintf(w, "%s  (%s, %s", esc(p.Key()), esc(p.Lockfile), esc(string(p.Ecosystem)))
	switch {
	case p.Direct:
		fmt.Fprint(w, ", direct")
	case len(p.Chain) > 0:
		fmt.Fprintf(w, ", via %s", strings.Join(report.EscapeAll(p.Chain), " > "))
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
	code := guard.ExitAllow
	for _, it := range r.Items {
		var fs []guard.Finding
		for _, f := range r.Findings {
			if f.Rule == it.Rule && f.Lockfile == p.Lockfile && f.Name == p.Name && f.Version == p.Version {
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
			if f.Action == guard.Block {
				code = guard.ExitBlocked
			}
		}
	}
	fmt.Fprintln(w)
	return code
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
