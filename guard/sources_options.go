package guard

import (
	"fmt"
	"strings"

	"github.com/installguard/guard/lockfile"
)

// SrcIncludeOutside: a requirements include (-r/-c) names a file outside
// the project folder; guard did not read it.
const SrcIncludeOutside = "include-outside-project"

// optionFindings applies the sources rule to what a lockfile's files say
// about where packages come from, beyond each package's own URL
// (requirements --index-url, --extra-index-url, --find-links,
// --trusted-host; uv.lock and Cargo.lock name the registry per package and
// are checked there):
//   - registry-not-allowed: an index the policy's registries do not list;
//   - host-not-allowed: --find-links or --trusted-host naming a host that is
//     neither a listed registry's nor in hosts, or --find-links naming a
//     local folder (neither a registry nor a host);
//   - include-outside-project: an include guard did not read because it
//     resolves outside the project folder (-r /etc/passwd, -r ../../x): the
//     packages it would add are unknown. This one needs no policy list.
//
// Options give one finding each, on the lockfile, naming the file and line
// that set them. With the sources rule off, an unread include is a check
// error instead: its packages were not checked.
func optionFindings(rc ruleContext, lfs []*lockfile.Lockfile) ([]Finding, []Error) {
	var out []Finding
	var errs []Error
	on := rc.enabled(RuleSources)
	for _, lf := range lfs {
		for _, o := range lf.Options {
			where := o.Path // "the command line" (a wrapper's own arguments)
			if o.Line > 0 {
				where = fmt.Sprintf("%s:%d", o.Path, o.Line)
			}
			if o.NotRead {
				msg := fmt.Sprintf("%s: %s %s names a file outside the project folder; guard did not read it, so the packages it adds are not checked (move it into the project, or check it with guard check)",
					where, shortOption(o.Name), o.Value)
				if !on {
					errs = append(errs, Error{Kind: CheckError, Path: lf.Path, Message: msg})
					continue
				}
				out = append(out, optionFinding(rc, lf, o, SrcIncludeOutside, msg))
				continue
			}
			if !on {
				continue
			}
			sr := rc.p.Sources(string(lf.Ecosystem))
			if sr.Registries == nil && sr.Hosts == nil {
				continue
			}
			table := "[sources." + strings.ToLower(string(lf.Ecosystem)) + "]"
			switch o.Name {
			case "--index-url", "--extra-index-url":
				if !underAny(o.Value, sr.Registries) {
					out = append(out, optionFinding(rc, lf, o, SrcRegistryNotAllowed,
						fmt.Sprintf("%s: %s %s names a package index that %s registries (%s) does not list: %s",
							where, o.Name, o.Value, table, sr.RegistriesFrom, strings.Join(sr.Registries, ", "))))
				}
			case "--find-links", "--trusted-host":
				host := o.Value
				if o.Name == "--find-links" {
					host = hostOf(o.Value)
				} else if h := hostOf("https://" + o.Value); h != "" {
					host = h // "host:port"
				}
				if !hostAllowed(strings.ToLower(host), sr.Registries, sr.Hosts) {
					what := "host " + host
					if host == "" {
						what = "a local folder, neither a registry nor a host"
					}
					out = append(out, optionFinding(rc, lf, o, SrcHostNotAllowed,
						fmt.Sprintf("%s: %s %s fetches packages from %s, which is neither one of %s registries (%s) nor in its hosts (%s)",
							where, o.Name, o.Value, what, table, sr.RegistriesFrom, sr.HostsFrom)))
				}
			}
		}
	}
	return out, errs
}

func shortOption(long string) string {
	switch long {
	case "--requirement":
		return "-r"
	case "--constraint":
		return "-c"
	}
	return long
}

func optionFinding(rc ruleContext, lf *lockfile.Lockfile, o lockfile.Option, id, msg string) Finding {
	f := Finding{Rule: RuleSources, Item: itemOf(RuleSources).ID, ID: id, Aliases: []string{},
		Ecosystem: lf.Ecosystem, Lockfile: lf.Path, Message: msg}
	if o.Path == lf.Path {
		f.Line = o.Line
	}
	rc.apply(&f)
	return f
}
