package provenance

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/osv-scalibr/semantic"
)

// Packument is the part of an npm registry's package metadata document
// that provenance reads.
type Packument struct {
	Name     string                      `json:"name"`
	Versions map[string]PackumentVersion `json:"versions"`
	// Time maps versions (and "created", "modified") to publish times.
	Time       map[string]string `json:"time"`
	Repository json.RawMessage   `json:"repository"`
}

// PackumentVersion is one version's manifest in a packument.
type PackumentVersion struct {
	Name       string          `json:"name"`
	Version    string          `json:"version"`
	Repository json.RawMessage `json:"repository"`
	Deprecated json.RawMessage `json:"deprecated"`
	Dist       struct {
		Integrity    string              `json:"integrity"`
		Shasum       string              `json:"shasum"`
		Tarball      string              `json:"tarball"`
		Signatures   []RegistrySignature `json:"signatures"`
		Attestations *struct {
			URL        string `json:"url"`
			Provenance *struct {
				PredicateType string `json:"predicateType"`
			} `json:"provenance"`
		} `json:"attestations"`
	} `json:"dist"`
}

// PackumentURL is where a registry serves a package's metadata.
func PackumentURL(registry, name string) string {
	return strings.TrimRight(registry, "/") + "/" + EscapeNPMName(name)
}

// packumentLimit caps a packument: full documents of long-lived packages
// run to tens of megabytes.
const packumentLimit = 96 << 20

// FetchPackument fetches a package's full metadata through the Verifier's
// Registry (once per run).
func (v *Verifier) FetchPackument(ctx context.Context, name string) (*Packument, error) {
	return v.reg.Packument(ctx, name)
}

// ParsePackument decodes a packument.
func ParsePackument(b []byte) (*Packument, error) {
	var p Packument
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("packument: %w", err)
	}
	return &p, nil
}

// PublishedAt returns a version's publish time, zero when unknown.
func (p *Packument) PublishedAt(version string) time.Time {
	t, _ := time.Parse(time.RFC3339, p.Time[version])
	return t
}

// Created returns when the package was first published: the registry's
// "created" time, else the earliest version's; zero when unknown.
func (p *Packument) Created() time.Time {
	if t, err := time.Parse(time.RFC3339, p.Time["created"]); err == nil {
		return t
	}
	var first time.Time
	for v := range p.Versions {
		if t := p.PublishedAt(v); !t.IsZero() && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first
}

// Downgrade is the provenance evidence about a version from its package's
// history. What else the packument says (publish time, deprecation,
// versions) is registry metadata: NPMMetadata.
type Downgrade struct {
	Version string `json:"version"`
	// HasProvenance: the registry advertises provenance for this version.
	HasProvenance bool   `json:"hasProvenance"`
	PredicateType string `json:"predicateType,omitempty"`
	// EarlierWithProvenance counts the versions lower in semver order that
	// advertised provenance; LastWithProvenance is the highest of them.
	EarlierWithProvenance int    `json:"earlierWithProvenance"`
	LastWithProvenance    string `json:"lastWithProvenance,omitempty"`
	// ProvenanceDropped: this version has none while an earlier one had.
	ProvenanceDropped bool `json:"provenanceDropped"`
	// Repository is this version's source repository (normalized);
	// PreviousRepository that of the nearest lower version that names one.
	Repository         string `json:"repository,omitempty"`
	PreviousRepository string `json:"previousRepository,omitempty"`
	PreviousVersion    string `json:"previousVersion,omitempty"`
	RepositoryChanged  bool   `json:"repositoryChanged"`
	// Known: the packument lists the version at all.
	Known bool `json:"known"`
}

// DowngradeEvidence reports, for one version, whether lower versions (in
// semver order) had provenance that this one lacks, and whether the source
// repository changed from the nearest lower version that names one.
func DowngradeEvidence(p *Packument, version string) Downgrade {
	d := Downgrade{Version: version}
	cur, ok := p.Versions[version]
	if !ok {
		return d
	}
	d.Known = true
	d.HasProvenance, d.PredicateType = hasProvenance(cur)
	d.Repository = normalizeRepo(repoURL(cur.Repository))

	this, err := semantic.Parse(version, "npm")
	if err != nil {
		return d
	}
	type earlier struct {
		v   string
		sem semantic.Version
	}
	var lower []earlier
	for v := range p.Versions {
		sv, err := semantic.Parse(v, "npm")
		if err != nil {
			continue
		}
		if c, err := sv.Compare(this); err == nil && c < 0 {
			lower = append(lower, earlier{v, sv})
		}
	}
	sort.Slice(lower, func(i, j int) bool {
		c, _ := lower[i].sem.Compare(lower[j].sem)
		return c > 0 // highest first
	})
	for _, e := range lower {
		pv := p.Versions[e.v]
		if has, _ := hasProvenance(pv); has {
			d.EarlierWithProvenance++
			if d.LastWithProvenance == "" {
				d.LastWithProvenance = e.v
			}
		}
		if d.PreviousRepository == "" {
			if r := normalizeRepo(repoURL(pv.Repository)); r != "" {
				d.PreviousRepository, d.PreviousVersion = r, e.v
			}
		}
	}
	d.ProvenanceDropped = !d.HasProvenance && d.EarlierWithProvenance > 0
	d.RepositoryChanged = d.Repository != "" && d.PreviousRepository != "" && d.Repository != d.PreviousRepository
	return d
}

func hasProvenance(v PackumentVersion) (bool, string) {
	a := v.Dist.Attestations
	if a == nil || a.Provenance == nil || a.Provenance.PredicateType == "" {
		return false, ""
	}
	return true, a.Provenance.PredicateType
}

// repoURL reads package.json's repository: a string or {type, url}.
func repoURL(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		URL string `json:"url"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.URL
	}
	return ""
}

func deprecatedText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// normalizeRepo reduces the spellings package.json allows for one
// repository to one form: "github.com/owner/repo" (written by hand: npm's
// hosted-git-info has no Go counterpart among the kept libraries).
func normalizeRepo(u string) string {
	u = strings.TrimSpace(u)
	if u == "" {
		return ""
	}
	for _, p := range []struct{ short, host string }{{"github:", "github.com/"}, {"gitlab:", "gitlab.com/"}, {"bitbucket:", "bitbucket.org/"}} {
		if strings.HasPrefix(u, p.short) {
			u = p.host + strings.TrimPrefix(u, p.short)
		}
	}
	u = strings.TrimPrefix(u, "git+")
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	} else if !strings.Contains(strings.SplitN(u, "/", 2)[0], ".") && strings.Count(u, "/") == 1 && !strings.Contains(u, ":") {
		u = "github.com/" + u // "owner/repo" shorthand
	}
	if i := strings.Index(u, "@"); i >= 0 && i < strings.IndexAny(u+"/", "/:") {
		u = u[i+1:] // user@host
	}
	// scp-like "host:owner/repo"
	if i := strings.Index(u, ":"); i >= 0 && !strings.Contains(u[:i], "/") {
		u = u[:i] + "/" + u[i+1:]
	}
	if i := strings.IndexAny(u, "#?"); i >= 0 {
		u = u[:i]
	}
	u = strings.TrimSuffix(strings.TrimSuffix(u, "/"), ".git")
	host, path, _ := strings.Cut(u, "/")
	host = strings.TrimPrefix(strings.ToLower(host), "www.")
	switch host {
	case "github.com", "bitbucket.org":
		// owner/repo is the repository; "/tree/main/packages/x" and the
		// like only point into it (monorepos).
		if parts := strings.SplitN(path, "/", 3); len(parts) >= 2 {
			path = strings.TrimSuffix(parts[0]+"/"+parts[1], ".git")
		}
	case "gitlab.com":
		// groups nest; "/-/" starts a path inside the repository
		path, _, _ = strings.Cut(path, "/-/")
	}
	// Hosts and, on the forges that matter here, paths are case-insensitive.
	return strings.ToLower(host + "/" + path)
}
