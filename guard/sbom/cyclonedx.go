package sbom

import (
	"io"
	"strconv"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/uuid"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/lockfile"
)

// cdxHashAlgs maps lockfile algorithm names to CycloneDX's.
var cdxHashAlgs = map[string]cdx.HashAlgorithm{
	"md5": cdx.HashAlgoMD5, "sha1": cdx.HashAlgoSHA1, "sha256": cdx.HashAlgoSHA256,
	"sha384": cdx.HashAlgoSHA384, "sha512": cdx.HashAlgoSHA512,
	"sha3-256": cdx.HashAlgoSHA3_256, "sha3-384": cdx.HashAlgoSHA3_384, "sha3-512": cdx.HashAlgoSHA3_512,
	"blake2b-256": cdx.HashAlgoBlake2b_256, "blake2b-384": cdx.HashAlgoBlake2b_384,
	"blake2b-512": cdx.HashAlgoBlake2b_512, "blake3": cdx.HashAlgoBlake3,
}

var cdxSeverities = map[string]cdx.Severity{
	"NONE": cdx.SeverityNone, "LOW": cdx.SeverityLow, "MEDIUM": cdx.SeverityMedium,
	"HIGH": cdx.SeverityHigh, "CRITICAL": cdx.SeverityCritical, "UNKNOWN": cdx.SeverityUnknown,
}

// WriteCycloneDX writes the report as CycloneDX 1.6 JSON:
//   - components[]: one library per report package, with purl, hashes,
//     a distribution/vcs external reference and guard:* properties
//     (lockfile, path, direct, dev, provenance status and verified
//     publisher, advisory status and ids);
//   - dependencies[]: the lockfile graph, plus the project (metadata
//     component) depending on the direct dependencies;
//   - vulnerabilities[]: one per advisory id (OSV source), with aliases as
//     references, the severity rating, the fixed versions (as
//     recommendation, as "unaffected" versions and as a guard:fixed
//     property), guard's action, and affects[] naming every component hit.
func WriteCycloneDX(w io.Writer, r *guard.Report, opts Options) error {
	m := newModel(r, opts)
	serial := opts.Serial
	if serial == "" {
		serial = uuid.NewString()
	}
	bom := cdx.NewBOM()
	bom.SerialNumber = "urn:uuid:" + serial
	rootRef := "project:" + m.name
	tool := cdx.Component{Type: cdx.ComponentTypeApplication, Name: "guard", Version: opts.ToolVersion,
		Group: "github.com/installguard"}
	bom.Metadata = &cdx.Metadata{
		Timestamp: m.now.Format("2006-01-02T15:04:05Z"),
		Tools:     &cdx.ToolsChoice{Components: &[]cdx.Component{tool}},
		Component: &cdx.Component{BOMRef: rootRef, Type: cdx.ComponentTypeApplication, Name: m.name},
	}
	props := []cdx.Property{{Name: "guard:verdict", Value: string(r.Verdict)},
		{Name: "guard:level", Value: strconv.Itoa(r.Level)}}
	for _, lf := range r.Lockfiles {
		props = append(props, cdx.Property{Name: "guard:lockfile", Value: lf.Path + " (" + string(lf.Format) + ")"})
	}
	bom.Metadata.Properties = &props

	comps := make([]cdx.Component, 0, len(r.Packages))
	for i := range r.Packages {
		comps = append(comps, m.cdxComponent(i))
	}
	bom.Components = &comps

	deps := []cdx.Dependency{}
	if ds := m.directs(); len(ds) > 0 {
		deps = append(deps, cdx.Dependency{Ref: rootRef, Dependencies: m.refList(ds)})
	} else {
		deps = append(deps, cdx.Dependency{Ref: rootRef})
	}
	for i := range r.Packages {
		if !m.graph[r.Packages[i].Lockfile] {
			continue // no graph: say nothing rather than "no dependencies"
		}
		d := cdx.Dependency{Ref: m.refs[i]}
		if len(m.deps[i]) > 0 {
			d.Dependencies = m.refList(m.deps[i])
		} else {
			d.Dependencies = &[]string{}
		}
		deps = append(deps, d)
	}
	bom.Dependencies = &deps

	if len(m.advisories) > 0 {
		vulns := make([]cdx.Vulnerability, 0, len(m.advisories))
		for _, a := range m.advisories {
			vulns = append(vulns, m.cdxVulnerability(a))
		}
		bom.Vulnerabilities = &vulns
	}
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true).SetEscapeHTML(false)
	return enc.EncodeVersion(bom, cdx.SpecVersion1_6)
}

func (m *model) refList(idx []int) *[]string {
	out := make([]string, len(idx))
	for k, j := range idx {
		out[k] = m.refs[j]
	}
	return &out
}

func (m *model) cdxComponent(i int) cdx.Component {
	p := &m.r.Packages[i]
	c := cdx.Component{BOMRef: m.refs[i], Type: cdx.ComponentTypeLibrary, Name: p.Name,
		Version: p.Version, PackageURL: m.purls[i]}
	if p.Ecosystem == lockfile.NPM && strings.HasPrefix(p.Name, "@") {
		if g, n, ok := strings.Cut(p.Name, "/"); ok {
			c.Group, c.Name = g, n
		}
	}
	if p.Dev {
		c.Scope = cdx.ScopeOptional
	}
	if hs := usableHashes(&p.Package); len(hs) > 0 {
		var hashes []cdx.Hash
		for _, h := range hs {
			if alg, ok := cdxHashAlgs[h.Algorithm]; ok {
				hashes = append(hashes, cdx.Hash{Algorithm: alg, Value: h.Digest})
			}
		}
		if len(hashes) > 0 {
			c.Hashes = &hashes
		}
	}
	var refs []cdx.ExternalReference
	if u := downloadLocation(&p.Package); u != "" {
		typ := cdx.ERTypeDistribution
		if p.Source.Kind == lockfile.SourceGit {
			typ = cdx.ERTypeVCS
		}
		refs = append(refs, cdx.ExternalReference{Type: typ, URL: u, Comment: "as the lockfile states it"})
	}
	if pr := p.Provenance; pr != nil && pr.Publisher != nil && pr.Publisher.Repository != "" {
		refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeVCS, URL: pr.Publisher.Repository,
			Comment: "source repository from " + string(pr.Status) + " build provenance"})
	}
	for _, f := range m.findings[i] {
		refs = append(refs, cdx.ExternalReference{Type: cdx.ERTypeAdvisories, URL: advisoryURL(f.ID), Comment: f.ID})
	}
	if len(refs) > 0 {
		c.ExternalReferences = &refs
	}
	var props []cdx.Property
	for _, kv := range m.packageProperties(i) {
		props = append(props, cdx.Property{Name: kv.name, Value: kv.value})
	}
	c.Properties = &props
	return c
}

func (m *model) cdxVulnerability(a advGroup) cdx.Vulnerability {
	f := a.first
	v := cdx.Vulnerability{BOMRef: "vuln:" + f.ID, ID: f.ID,
		Source:      &cdx.Source{Name: "OSV", URL: advisoryURL(f.ID)},
		Description: f.Summary}
	if len(f.Aliases) > 0 {
		refs := make([]cdx.VulnerabilityReference, 0, len(f.Aliases))
		for _, al := range f.Aliases {
			refs = append(refs, cdx.VulnerabilityReference{ID: al, Source: &cdx.Source{Name: "OSV", URL: advisoryURL(al)}})
		}
		v.References = &refs
	}
	if sev, ok := cdxSeverities[strings.ToUpper(f.Severity)]; ok {
		rt := cdx.VulnerabilityRating{Severity: sev}
		if f.Score > 0 {
			s := f.Score
			rt.Score = &s
		}
		v.Ratings = &[]cdx.VulnerabilityRating{rt}
	}
	if f.Rule == guard.RuleMalware {
		v.Ratings = &[]cdx.VulnerabilityRating{{Severity: cdx.SeverityCritical, Justification: "known malicious package"}}
		v.Detail = "Malicious package (OSV MAL advisory): remove it; no version is safe to install."
	}
	affects := make([]cdx.Affects, 0, len(a.pkgs))
	for _, i := range a.pkgs {
		p := &m.r.Packages[i]
		vers := []cdx.AffectedVersions{{Version: p.Version, Status: cdx.VulnerabilityStatusAffected}}
		if p.Version == "" {
			vers = nil
		}
		for _, fx := range fixedFor(a, i, m) {
			vers = append(vers, cdx.AffectedVersions{Version: fx, Status: cdx.VulnerabilityStatusNotAffected})
		}
		af := cdx.Affects{Ref: m.refs[i]}
		if len(vers) > 0 {
			af.Range = &vers
		}
		affects = append(affects, af)
	}
	if len(affects) > 0 {
		v.Affects = &affects
	}
	props := []cdx.Property{{Name: "guard:rule", Value: f.Rule}, {Name: "guard:action", Value: string(worstAction(a.findings))}}
	if len(f.Fixed) > 0 {
		v.Recommendation = "Upgrade to " + strings.Join(f.Fixed, " or ") + "."
		props = append(props, cdx.Property{Name: "guard:fixed", Value: strings.Join(f.Fixed, ",")})
	}
	for _, x := range a.findings {
		if x.Reachability != "" {
			props = append(props, cdx.Property{Name: "guard:reachability", Value: x.Name + "@" + x.Version + " in " + x.Lockfile + ": " + x.Reachability})
		}
	}
	v.Properties = &props
	return v
}

// fixedFor are the fixed versions the finding on package i names.
func fixedFor(a advGroup, i int, m *model) []string {
	for _, f := range m.findings[i] {
		if f.ID == a.first.ID {
			return f.Fixed
		}
	}
	return nil
}

func worstAction(fs []*guard.Finding) guard.Action {
	act := guard.Warn
	for _, f := range fs {
		if f.Action == guard.Block {
			return guard.Block
		}
		if f.Action != "" {
			act = f.Action
		}
	}
	return act
}
