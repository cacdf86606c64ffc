package guard

import (
	"path/filepath"

	"github.com/installguard/guard/guard/reach"
	"github.com/installguard/guard/lockfile"
)

// applyReachability (C3.3, level 3) marks each vulnerability finding on an
// npm or PyPI package reachable, unreachable or unknown from a static
// import scan of the project folder holding its lockfile, and lets the
// policy decide unreachable findings again: its [vulnerabilities]
// unreachable setting caps their action. Malware is never marked:
// installing it is the harm.
func applyReachability(rc ruleContext, r *Report) {
	if r.Level < 3 {
		return
	}
	type pkgKey struct{ lockfile, name, version string }
	var status map[pkgKey]reach.Status
	compute := func() {
		status = map[pkgKey]reach.Status{}
		byLockfile := map[string][]lockfile.Package{}
		var order []string
		for i := range r.Packages {
			p := &r.Packages[i]
			if p.Ecosystem != lockfile.NPM && p.Ecosystem != lockfile.PyPI {
				continue
			}
			if _, ok := byLockfile[p.Lockfile]; !ok {
				order = append(order, p.Lockfile)
			}
			byLockfile[p.Lockfile] = append(byLockfile[p.Lockfile], p.Package)
		}
		scans := map[string]*reach.Imports{}
		for _, lf := range order {
			dir := filepath.Dir(lf)
			imp, ok := scans[dir]
			if !ok {
				imp, _ = reach.Scan(dir) // nil on error: every package Unknown
				scans[dir] = imp
			}
			pkgs := byLockfile[lf]
			res := reach.Analyze(pkgs, imp)
			for i, p := range pkgs {
				k := pkgKey{lf, p.Name, p.Version}
				// The same name@version at several paths: reachable if any
				// copy is, unknown if any copy is unknown.
				switch old, seen := status[k]; {
				case !seen, res.Status[i] == reach.Reachable, res.Status[i] == reach.Unknown && old == reach.Unreachable:
					status[k] = res.Status[i]
				}
			}
		}
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Rule != RuleVulnerability || (f.Ecosystem != lockfile.NPM && f.Ecosystem != lockfile.PyPI) {
			continue
		}
		if status == nil {
			compute()
		}
		st, ok := status[pkgKey{f.Lockfile, f.Name, f.Version}]
		if !ok {
			st = reach.Unknown
		}
		f.Reachability = string(st)
		if st == reach.Unreachable {
			before := f.Action
			rc.apply(f)
			if f.Action != before {
				f.Why += "; nothing in the project's own code imports " + f.Name +
					" or a dependency that pulls it in (static import scan: import-level, not call-level)"
			}
		}
	}
}
