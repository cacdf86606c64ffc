// Package sbom writes the checked set of a guard.Report as a software bill
// of materials: CycloneDX 1.6 JSON or SPDX 2.3 JSON. Like the report writers
// it decides nothing; it adds to the usual purls, hashes and dependency
// graph what guard found out about each package: its build provenance and
// its advisories (vulnerabilities, malware).
//
// One component (CycloneDX) or package (SPDX) is written per entry of
// Report.Packages, so the counts equal guard check's package counts. The
// same name@version installed at several paths of one lockfile (npm nested
// node_modules) or listed by several lockfiles is one entry each: the
// entries share a purl and get distinct bom-refs / SPDXIDs.
package sbom

import (
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/package-url/packageurl-go"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/lockfile"
)

// Format names an SBOM format.
type Format string

const (
	CycloneDX Format = "cyclonedx"
	SPDX      Format = "spdx"
)

// Options configure an SBOM.
type Options struct {
	// Name names the project (the metadata component, the SPDX document);
	// empty means the base name of the first lockfile's folder.
	Name string
	// ToolVersion is guard's version, recorded as the creating tool.
	ToolVersion string
	// Now is the clock; zero means time.Now.
	Now func() time.Time
	// Serial, when set, is the CycloneDX serial number's UUID and the
	// unique part of the SPDX document namespace (tests fix it); empty
	// means a random UUID.
	Serial string
}

// Write writes the report as an SBOM in the given format.
func Write(w io.Writer, f Format, r *guard.Report, opts Options) error {
	switch f {
	case CycloneDX:
		return WriteCycloneDX(w, r, opts)
	case SPDX:
		return WriteSPDX(w, r, opts)
	}
	return fmt.Errorf("SBOM format %q is not supported: use cyclonedx or spdx", f)
}

// FormatOf picks the format from a file name: *.spdx.json and *.spdx are
// SPDX, *.cdx.json, *.bom.json and other *.json CycloneDX. ok is false
// when the name says nothing.
func FormatOf(name string) (Format, bool) {
	n := strings.ToLower(filepath.Base(name))
	switch {
	case strings.HasSuffix(n, ".spdx.json"), strings.HasSuffix(n, ".spdx"):
		return SPDX, true
	case strings.HasSuffix(n, ".cdx.json"), strings.HasSuffix(n, ".bom.json"), strings.HasSuffix(n, ".cyclonedx.json"):
		return CycloneDX, true
	}
	return "", false
}

// model is what both writers need, computed once from the report.
type model struct {
	r    *guard.Report
	name string
	now  time.Time
	// refs[i] is the unique reference of r.Packages[i].
	refs  []string
	purls []string
	// deps[i] are the indices of the packages r.Packages[i] depends on;
	// graph[lockfile] says whether that lockfile has a dependency graph.
	deps  [][]int
	graph map[string]bool
	// findings[i] are the advisory findings (vulnerability, malware,
	// unmaintained, unsound, notice) on r.Packages[i].
	findings [][]*guard.Finding
	// advisories are the advisory findings grouped by id, in report order.
	advisories []advGroup
}

type advGroup struct {
	first *guard.Finding
	// pkgs are the indices of the affected packages.
	pkgs []int
	// findings are all findings of this id (one per lockfile and
	// name@version).
	findings []*guard.Finding
}

// isAdvisoryRule reports whether findings of the rule come from an advisory.
func isAdvisoryRule(rule string) bool {
	r, _ := policy.RuleOf(rule)
	return r.Class != ""
}

func newModel(r *guard.Report, opts Options) *model {
	m := &model{r: r, name: opts.Name, graph: map[string]bool{}}
	if opts.Now != nil {
		m.now = opts.Now().UTC()
	} else {
		m.now = time.Now().UTC()
	}
	if m.name == "" {
		m.name = projectName(r)
	}
	n := len(r.Packages)
	m.refs, m.purls = make([]string, n), make([]string, n)
	m.deps, m.findings = make([][]int, n), make([][]*guard.Finding, n)
	used := map[string]int{}
	type key struct{ lockfile, id string }
	byID := map[key]int{}
	for i := range r.Packages {
		p := &r.Packages[i]
		m.purls[i] = PURL(&p.Package)
		ref := m.purls[i]
		if used[ref]++; used[ref] > 1 {
			// The same purl at another install path or in another lockfile.
			ref = fmt.Sprintf("%s#%d", ref, used[ref])
		}
		m.refs[i] = ref
		if p.ID != "" {
			if _, dup := byID[key{p.Lockfile, p.ID}]; !dup {
				byID[key{p.Lockfile, p.ID}] = i
			}
		}
	}
	for i := range r.Packages {
		p := &r.Packages[i]
		seen := map[int]bool{}
		for _, d := range p.Deps {
			j, ok := byID[key{p.Lockfile, d}]
			if !ok || j == i || seen[j] {
				continue
			}
			seen[j] = true
			m.deps[i] = append(m.deps[i], j)
			m.graph[p.Lockfile] = true
		}
		sort.Ints(m.deps[i])
	}
	// Advisory findings name a lockfile and a name@version: every entry of
	// that lockfile with that name@version is affected.
	type pkey struct {
		lockfile string
		eco      lockfile.Ecosystem
		name     string
		version  string
	}
	byKey := map[pkey][]int{}
	for i := range r.Packages {
		p := &r.Packages[i]
		k := pkey{p.Lockfile, p.Ecosystem, p.Name, p.Version}
		byKey[k] = append(byKey[k], i)
	}
	index := map[string]int{}
	for fi := range r.Findings {
		f := &r.Findings[fi]
		if !isAdvisoryRule(f.Rule) {
			continue
		}
		pkgs := byKey[pkey{f.Lockfile, f.Ecosystem, f.Name, f.Version}]
		for _, i := range pkgs {
			m.findings[i] = append(m.findings[i], f)
		}
		ai, ok := index[f.ID]
		if !ok {
			ai = len(m.advisories)
			index[f.ID] = ai
			m.advisories = append(m.advisories, advGroup{first: f})
		}
		a := &m.advisories[ai]
		a.findings = append(a.findings, f)
		a.pkgs = append(a.pkgs, pkgs...)
	}
	for i := range m.advisories {
		sort.Ints(m.advisories[i].pkgs)
	}
	return m
}

// directs are the indices of the project's direct dependencies.
func (m *model) directs() []int {
	var out []int
	for i := range m.r.Packages {
		p := &m.r.Packages[i]
		if p.Direct && p.Source.Kind != lockfile.SourceWorkspace {
			out = append(out, i)
		}
	}
	return out
}

func projectName(r *guard.Report) string {
	if len(r.Lockfiles) > 0 {
		abs, err := filepath.Abs(filepath.Dir(r.Lockfiles[0].Path))
		if err == nil && filepath.Base(abs) != string(filepath.Separator) {
			return filepath.Base(abs)
		}
	}
	return "project"
}

// PURL returns the package URL of a lockfile package:
// pkg:npm/%40scope/name@1.0.0, pkg:pypi/name@1.0 (name normalised as the
// purl spec says for PyPI), pkg:cargo/name@1.0.0. Git and URL sources add
// the vcs_url / download_url qualifier.
func PURL(p *lockfile.Package) string {
	var typ, ns, name string
	switch p.Ecosystem {
	case lockfile.NPM:
		typ = packageurl.TypeNPM
		name = p.Name
		if strings.HasPrefix(name, "@") {
			if s, n, ok := strings.Cut(name, "/"); ok {
				ns, name = s, n
			}
		}
	case lockfile.PyPI:
		typ = packageurl.TypePyPi
		name = strings.ReplaceAll(strings.ToLower(p.Name), "_", "-")
	case lockfile.CratesIO:
		typ = packageurl.TypeCargo
		name = p.Name
	default:
		typ = packageurl.TypeGeneric
		name = p.Name
	}
	var q packageurl.Qualifiers
	switch p.Source.Kind {
	case lockfile.SourceGit:
		if p.Source.URL != "" {
			u := p.Source.URL
			if !strings.HasPrefix(u, "git+") {
				u = "git+" + u
			}
			if p.Source.Ref != "" && !strings.Contains(u, "@"+p.Source.Ref) {
				u += "@" + p.Source.Ref
			}
			q = append(q, packageurl.Qualifier{Key: "vcs_url", Value: u})
		}
	case lockfile.SourceURL:
		if p.Source.URL != "" {
			q = append(q, packageurl.Qualifier{Key: "download_url", Value: p.Source.URL})
		}
	}
	return packageurl.NewPackageURL(typ, ns, name, p.Version, q, "").ToString()
}

// downloadLocation is where the lockfile says the package comes from, when
// that is a URL.
func downloadLocation(p *lockfile.Package) string {
	u := p.Source.URL
	if u == "" {
		return ""
	}
	pu, err := url.Parse(u)
	if err != nil || pu.Scheme == "" || pu.Host == "" {
		return ""
	}
	switch p.Source.Kind {
	case lockfile.SourceGit:
		if !strings.HasPrefix(u, "git+") {
			u = "git+" + u
		}
		if p.Source.Ref != "" && !strings.Contains(u, "@"+p.Source.Ref) {
			u += "@" + p.Source.Ref
		}
	case lockfile.SourcePath, lockfile.SourceWorkspace:
		return ""
	}
	return u
}

// usableHashes are the lockfile hashes that cover the published artifact,
// in hex. Hashes with Hash.Of set (yarn berry's cache-zip checksum) do not
// cover the artifact and are left out, as are digests that do not decode.
func usableHashes(p *lockfile.Package) []lockfile.Hash {
	var out []lockfile.Hash
	seen := map[string]bool{}
	for _, h := range p.Hashes {
		if h.Of != "" || h.Algorithm == "" {
			continue
		}
		hx := h.Hex()
		if hx == "" || seen[h.Algorithm+hx] {
			continue
		}
		seen[h.Algorithm+hx] = true
		out = append(out, lockfile.Hash{Algorithm: h.Algorithm, Digest: hx})
	}
	return out
}

// advisoryStatus summarises a package's advisory findings: "malware",
// "vulnerable", "advisory" (only RustSec informational ones) or "none".
func advisoryStatus(fs []*guard.Finding) string {
	st := "none"
	for _, f := range fs {
		switch f.Rule {
		case guard.RuleMalware:
			return "malware"
		case guard.RuleVulnerability:
			st = "vulnerable"
		default:
			if st == "none" {
				st = "advisory"
			}
		}
	}
	return st
}

func advisoryURL(id string) string { return "https://osv.dev/vulnerability/" + url.PathEscape(id) }

// property is one guard fact about a package, written as a CycloneDX
// property or inside an SPDX annotation.
type property struct{ name, value string }

// packageProperties are the facts guard records about package i, all named
// "guard:...".
func (m *model) packageProperties(i int) []property {
	p := &m.r.Packages[i]
	props := []property{{"guard:lockfile", p.Lockfile}}
	if p.Path != "" {
		props = append(props, property{"guard:path", p.Path})
	}
	props = append(props, property{"guard:source", string(p.Source.Kind)},
		property{"guard:direct", fmt.Sprint(p.Direct)}, property{"guard:dev", fmt.Sprint(p.Dev)})
	if p.Requirement != "" {
		props = append(props, property{"guard:requirement", p.Requirement})
	}
	for _, h := range p.Hashes {
		if h.Of != "" {
			props = append(props, property{"guard:hash-not-of-artifact", h.Algorithm + "-" + h.Digest + " (of " + h.Of + ")"})
		}
	}
	if pr := p.Provenance; pr != nil {
		props = append(props, property{"guard:provenance:status", string(pr.Status)})
		if pub := pr.Publisher; pub != nil {
			for _, kv := range []property{{"repository", pub.Repository}, {"workflow", pub.Workflow},
				{"ref", pub.Ref}, {"commit", pub.Commit}, {"issuer", pub.Issuer}, {"run", pub.RunURL}} {
				if kv.value != "" {
					props = append(props, property{"guard:provenance:" + kv.name, kv.value})
				}
			}
		}
		if pr.Reason != "" {
			props = append(props, property{"guard:provenance:reason", pr.Reason})
		}
	} else {
		props = append(props, property{"guard:provenance:status", "not-checked"})
	}
	fs := m.findings[i]
	props = append(props, property{"guard:advisory:status", advisoryStatus(fs)})
	if len(fs) > 0 {
		ids := make([]string, 0, len(fs))
		for _, f := range fs {
			ids = append(ids, f.ID)
		}
		props = append(props, property{"guard:advisory:ids", strings.Join(ids, ",")})
	}
	return props
}

// advisoryComment describes one finding in a line.
func advisoryComment(f *guard.Finding) string {
	var b strings.Builder
	b.WriteString(f.Rule)
	if f.Severity != "" {
		fmt.Fprintf(&b, "; severity %s", f.Severity)
	}
	if f.Score > 0 {
		fmt.Fprintf(&b, " (%.1f)", f.Score)
	}
	if len(f.Aliases) > 0 {
		fmt.Fprintf(&b, "; aliases %s", strings.Join(f.Aliases, ", "))
	}
	if len(f.Fixed) > 0 {
		fmt.Fprintf(&b, "; fixed in %s", strings.Join(f.Fixed, ", "))
	} else {
		b.WriteString("; no fixed version")
	}
	fmt.Fprintf(&b, "; guard action %s", f.Action)
	if f.Summary != "" {
		fmt.Fprintf(&b, "; %s", f.Summary)
	}
	return b.String()
}
