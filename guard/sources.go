package guard

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/lockfile"
)

// Finding ids of the sources rule.
const (
	SrcRegistryNotAllowed = "registry-not-allowed"
	SrcHostNotAllowed     = "host-not-allowed"
	SrcScopeRegistry      = "scope-registry"
	SrcResolvedMismatch   = "resolved-mismatch"
)

// registryAliases are spellings of one registry: Cargo.lock names
// crates.io by its git index. (guard names no npm registry host: the
// policy lists the registries an organisation allows.)
var registryAliases = map[string]string{
	"https://github.com/rust-lang/crates.io-index": "https://index.crates.io",
}

// sourceFindings applies the sources rule ([sources] and [sources.<eco>]):
//   - registry-not-allowed: a registry package whose lockfile URL is not
//     under a registry the policy lists (dependency confusion);
//   - host-not-allowed: a url or git package (or, with resolved-match, a
//     resolved URL) on a host that is neither a listed registry's nor in
//     hosts;
//   - scope-registry: a scoped npm package not fetched from the registry
//     scoped-registries pins its scope to;
//   - resolved-mismatch (resolved-match = true): an npm resolved URL of
//     registry shape (/<name>/-/<base>-<version>.tgz) naming another
//     package or version than its entry (lockfile poisoning).
//
// Packages whose lockfile states no URL (the default registry implied)
// give no finding: there is nothing to compare.
func sourceFindings(rc ruleContext, pkgs []PackageResult) []Finding {
	s := newFindingSet(rc, RuleSources)
	rules := map[lockfile.Ecosystem]policy.SourceRules{}
	for i := range pkgs {
		p := &pkgs[i]
		kind, u := p.Source.Kind, p.Source.URL
		if u == "" || (kind != lockfile.SourceRegistry && kind != lockfile.SourceURL && kind != lockfile.SourceGit) {
			continue
		}
		sr, ok := rules[p.Ecosystem]
		if !ok {
			sr = rc.p.Sources(string(p.Ecosystem))
			rules[p.Ecosystem] = sr
		}
		table := "[sources." + strings.ToLower(string(p.Ecosystem)) + "]"
		if p.Ecosystem == lockfile.CratesIO {
			table = `[sources."crates.io"]`
		}
		reported := false
		if p.Ecosystem == lockfile.NPM && strings.HasPrefix(p.Name, "@") && kind != lockfile.SourceGit {
			scope, _, _ := strings.Cut(p.Name, "/")
			if reg, ok := sr.Scoped[scope]; ok {
				if !underRegistry(u, reg) {
					s.add(p, SrcScopeRegistry, fmt.Sprintf("is in scope %s, which %s scoped-registries pins to %s (%s), but the lockfile fetches it from %s",
						scope, table, reg, sr.ScopedFrom[scope], u))
					reported = true
				} else {
					// its scope's registry: allowed whatever registries says
					kind = ""
				}
			}
		}
		switch {
		case reported:
		case kind == lockfile.SourceRegistry && sr.Registries != nil:
			if !underAny(u, sr.Registries) {
				s.add(p, SrcRegistryNotAllowed, fmt.Sprintf("comes from registry %s, which %s registries (%s) does not list: %s",
					registryOf(u), table, sr.RegistriesFrom, strings.Join(sr.Registries, ", ")))
				reported = true
			}
		case (kind == lockfile.SourceURL || kind == lockfile.SourceGit) && (sr.Registries != nil || sr.Hosts != nil):
			if host := hostOf(u); !hostAllowed(host, sr.Registries, sr.Hosts) {
				s.add(p, SrcHostNotAllowed, fmt.Sprintf("is downloaded from %s, a host that is neither one of %s registries (%s) nor in its hosts (%s)",
					describeHost(host, u), table, sr.RegistriesFrom, sr.HostsFrom))
				reported = true
			}
		}
		if !sr.ResolvedMatch || p.Ecosystem != lockfile.NPM || p.Source.Kind == lockfile.SourceGit || !isHTTP(u) {
			continue
		}
		// Without listed registries, resolved-match checks only that the
		// URL names its own package; the host is checked against the
		// registries and hosts the policy lists.
		if regs := sr.Registries; !reported && regs != nil {
			if host := hostOf(u); !hostAllowed(host, regs, sr.Hosts) {
				s.add(p, SrcHostNotAllowed, fmt.Sprintf("has resolved URL %s on %s, which is not an allowed registry or host ([sources] resolved-match = true, %s)",
					u, describeHost(host, u), sr.ResolvedMatchFrom))
			}
		}
		if name, file, ok := npmTarball(u); ok {
			base := p.Name[strings.LastIndexByte(p.Name, '/')+1:]
			if name != p.Name || file != base+"-"+p.Version+".tgz" {
				s.add(p, SrcResolvedMismatch, fmt.Sprintf("has resolved URL %s, which names %s, not %s: the lockfile may have been tampered with (lockfile poisoning; [sources] resolved-match = true, %s)",
					u, describeTarball(name, file), p.Key(), sr.ResolvedMatchFrom))
			}
		}
	}
	return s.out
}

func isHTTP(u string) bool {
	l := strings.ToLower(u)
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")
}

// canonicalURL lower-cases scheme and host, drops a Cargo "registry+" or
// "sparse+" marker, the query, fragment and trailing slash, and maps
// registry aliases. ok is false when u is not an http(s) URL.
func canonicalURL(u string) (string, bool) {
	for _, m := range []string{"registry+", "sparse+"} {
		u = strings.TrimPrefix(u, m)
	}
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" || (!strings.EqualFold(pu.Scheme, "https") && !strings.EqualFold(pu.Scheme, "http")) {
		return "", false
	}
	out := strings.ToLower(pu.Scheme) + "://" + strings.ToLower(pu.Host) + strings.TrimSuffix(pu.EscapedPath(), "/")
	for from, to := range registryAliases {
		if out == from || strings.HasPrefix(out, from+"/") {
			out = to + out[len(from):]
		}
	}
	return out, true
}

// underRegistry reports whether u is the registry base URL reg or below it.
func underRegistry(u, reg string) bool {
	cu, ok := canonicalURL(u)
	cr, ok2 := canonicalURL(reg)
	return ok && ok2 && (cu == cr || strings.HasPrefix(cu, cr+"/"))
}

func underAny(u string, regs []string) bool {
	for _, r := range regs {
		if underRegistry(u, r) {
			return true
		}
	}
	return false
}

// registryOf is u up to its npm "/-/" or the URL itself, for messages.
func registryOf(u string) string {
	if dir, _, ok := strings.Cut(u, "/-/"); ok {
		return dir
	}
	return u
}

// hostedShorthands are the hosted-git shorthands hostOf knows.
var hostedShorthands = [...]struct{ prefix, host string }{
	{"github:", "github.com"}, {"gitlab:", "gitlab.com"}, {"bitbucket:", "bitbucket.org"},
}

// hostOf returns the lower-case host of a URL, a git URL ("git+ssh://",
// "git@host:owner/repo") or a hosted shorthand ("github:owner/repo"); ""
// when it cannot tell.
func hostOf(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(u, "registry+"), "sparse+"), "git+")
	for _, h := range hostedShorthands {
		if strings.HasPrefix(u, h.prefix) {
			return h.host
		}
	}
	if strings.Contains(u, "://") {
		pu, err := url.Parse(u)
		if err != nil {
			return ""
		}
		return strings.ToLower(pu.Hostname())
	}
	// scp-like: user@host:path
	if at := strings.IndexByte(u, '@'); at >= 0 {
		if h, _, ok := strings.Cut(u[at+1:], ":"); ok && h != "" && !strings.Contains(h, "/") {
			return strings.ToLower(h)
		}
	}
	return ""
}

// hostAllowed reports whether host (or the registry it is an alias of)
// is a registry's host or matches one of the host globs.
func hostAllowed(host string, registries, hosts []string) bool {
	if host == "" {
		return false
	}
	if c, ok := canonicalURL("https://" + host); ok && hostOf(c) != host && hostAllowed(hostOf(c), registries, nil) {
		return true
	}
	for _, r := range registries {
		if c, ok := canonicalURL(r); ok && hostOf(c) == host {
			return true
		}
		if hostOf(r) == host {
			return true
		}
	}
	for _, g := range hosts {
		if ok, _ := path.Match(strings.ToLower(g), host); ok {
			return true
		}
	}
	return false
}

func describeHost(host, u string) string {
	if host == "" {
		return fmt.Sprintf("%s (guard cannot tell its host)", u)
	}
	return host
}

// npmTarball splits a registry-shaped tarball URL
// (<registry>/<name>/-/<file>.tgz, the scope's slash possibly escaped as
// %2f) into the package name its path names and the file name.
func npmTarball(u string) (name, file string, ok bool) {
	pu, err := url.Parse(u)
	if err != nil {
		return "", "", false
	}
	dir, file, ok := strings.Cut(pu.EscapedPath(), "/-/")
	if !ok || strings.Contains(file, "/") || !strings.HasSuffix(file, ".tgz") {
		return "", "", false
	}
	segs := strings.Split(strings.Trim(dir, "/"), "/")
	last := segs[len(segs)-1]
	if len(segs) >= 2 && strings.HasPrefix(segs[len(segs)-2], "@") {
		last = segs[len(segs)-2] + "/" + last
	}
	name, err = url.PathUnescape(last)
	if err != nil || name == "" {
		return "", "", false
	}
	if f, err := url.PathUnescape(file); err == nil {
		file = f
	}
	return name, file, true
}

func describeTarball(name, file string) string {
	base := name[strings.LastIndexByte(name, '/')+1:]
	if v, ok := strings.CutPrefix(strings.TrimSuffix(file, ".tgz"), base+"-"); ok {
		return name + "@" + v
	}
	return fmt.Sprintf("package %s (file %s)", name, file)
}
