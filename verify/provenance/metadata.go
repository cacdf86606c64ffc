package provenance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/installguard/guard/lockfile"
)

// MetadataStatus says whether a package's registry metadata was read.
type MetadataStatus string

const (
	// MetadataRead: the registry's document for the package was read.
	MetadataRead MetadataStatus = "read"
	// MetadataError: it could not be read (network, 5xx after retries, a
	// 404, an answer that does not decode, no registry configured);
	// Metadata.Reason says why. Nothing is known of the package.
	MetadataError MetadataStatus = "error"
	// MetadataUnavailable: there is no registry document to read: a
	// workspace member, a git, path or URL source, a bundled package, an
	// unpinned version, an ecosystem whose registry guard does not read
	// (crates.io), no registry configured, or an index that does not serve
	// PEP 691 JSON.
	MetadataUnavailable MetadataStatus = "unavailable"
)

// Metadata is what a package's registry says of it, apart from provenance:
// the npm packument, or the Python index's PEP 691 page (PEP 592 yanks,
// PEP 700 upload times and versions, PEP 792 project status). It is its
// own evidence: gathered with or without provenance.
type Metadata struct {
	Ecosystem string         `json:"ecosystem"`
	Name      string         `json:"name"`
	Version   string         `json:"version"`
	Status    MetadataStatus `json:"status"`
	// Reason says why the status is error or unavailable.
	Reason string `json:"reason,omitempty"`
	// Known: the registry lists this version (npm), or the index lists a
	// file with one of the lockfile's sha256 digests (PyPI).
	Known bool `json:"known"`
	// PublishedAt is when this version was published: npm's time[version],
	// or the earliest PEP 700 upload time of the lockfile's files. Zero
	// when the registry does not say.
	PublishedAt time.Time `json:"publishedAt,omitzero"`
	// Deprecated is npm's deprecation notice for this version.
	Deprecated string `json:"deprecated,omitempty"`
	// Created is when the package was first published and Versions how
	// many versions the registry lists (the typosquat rule: a look-alike
	// that is new and has few versions is the usual typosquat).
	Created  time.Time `json:"created,omitzero"`
	Versions int       `json:"versions,omitempty"`
	// Index is what a Python index says of the project and of the
	// lockfile's files, when it says anything.
	Index *IndexStatus `json:"index,omitempty"`
}

// PackageKey identifies a package's evidence: ecosystem, name, version,
// source, whether it is bundled, and the lockfile's digests. Evidence is
// joined to packages by this key (never by position); two lockfile entries
// with the same key get the same answers.
func PackageKey(p *lockfile.Package) string {
	var b strings.Builder
	for _, s := range []string{string(p.Ecosystem), p.Name, p.Version, string(p.Source.Kind), p.Source.URL} {
		b.WriteString(s)
		b.WriteByte(0)
	}
	if p.Bundled {
		b.WriteString("bundled")
	}
	for _, h := range p.Hashes {
		b.WriteByte(0)
		b.WriteString(h.Algorithm + ":" + h.Of + ":" + h.Digest)
	}
	return b.String()
}

// Registry reads registry metadata: npm packuments and Python index pages.
// Each document is fetched at most once per Registry (one run): a Verifier
// built WithRegistry reads its packuments and index pages from the same
// cache, so provenance and metadata share one request per package. The
// decoded documents (only the fields guard reads) are kept for the
// Registry's life: make one per run. It is safe for concurrent use.
type Registry struct {
	npm     string
	scopes  map[string]string
	pypi    string
	workers int
	fetch   *fetcher

	mu   sync.Mutex
	docs map[string]*registryDoc
}

// noDocument is the error of a registry that offers no document to read
// (none configured, an index without PEP 691 JSON), as opposed to one
// that could not be read.
type noDocument struct{ msg string }

func (e *noDocument) Error() string { return e.msg }

// registryDoc is one fetched document, decoded (or the error).
type registryDoc struct {
	once sync.Once
	pk   *Packument
	sp   *simpleProject
	err  error
}

// NewRegistry returns a Registry. It reads WithNPMRegistry,
// WithNPMScopeRegistry, WithPyPIIndex, WithHTTPClient, WithWorkers,
// WithRequestTimeout, WithAttempts, WithIdleTimeout and WithBudget; other
// options are accepted and ignored.
func NewRegistry(opts ...Option) (*Registry, error) {
	c := defaultConfig()
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	return newRegistry(c, newConfiguredFetcher(c)), nil
}

func newRegistry(c config, f *fetcher) *Registry {
	return &Registry{npm: c.npmRegistry, scopes: c.npmScopes, pypi: c.pypiIndex, workers: c.workers, fetch: f,
		docs: map[string]*registryDoc{}}
}

func (g *Registry) npmRegistry(name string) string {
	if scope, _, ok := strings.Cut(name, "/"); ok && strings.HasPrefix(scope, "@") {
		if r, ok := g.scopes[scope]; ok {
			return r
		}
	}
	return g.npm
}

// doc fetches and decodes the document at url once.
func (g *Registry) doc(url string, load func(*registryDoc)) *registryDoc {
	g.mu.Lock()
	d, ok := g.docs[url]
	if !ok {
		d = &registryDoc{}
		g.docs[url] = d
	}
	g.mu.Unlock()
	d.once.Do(func() { load(d) })
	return d
}

// Packument fetches a package's full npm metadata (Accept:
// application/json; the abbreviated install document lacks time and
// repository), once per Registry.
func (g *Registry) Packument(ctx context.Context, name string) (*Packument, error) {
	reg := g.npmRegistry(name)
	if reg == "" {
		return nil, &noDocument{"no npm registry configured"}
	}
	u := PackumentURL(reg, name)
	d := g.doc(u, func(d *registryDoc) {
		body, err := g.fetch.get(ctx, u, "application/json", packumentLimit)
		if err != nil {
			d.err = err
			return
		}
		d.pk, d.err = ParsePackument(body)
	})
	return d.pk, d.err
}

// pypiProject fetches a project's PEP 691 JSON page once per Registry.
// page is its URL (attestation URLs are relative to it).
func (g *Registry) pypiProject(ctx context.Context, name string) (sp *simpleProject, page string, err error) {
	if g.pypi == "" {
		return nil, "", &noDocument{"no Python package index configured"}
	}
	page = PyPIProjectURL(g.pypi, name)
	d := g.doc(page, func(d *registryDoc) {
		body, err := g.fetch.get(ctx, page, acceptSimpleJSON, 32<<20)
		if err != nil {
			d.err = fmt.Errorf("fetching the project's simple API page: %w", err)
			return
		}
		var p simpleProject
		if err := json.Unmarshal(body, &p); err != nil {
			d.err = &noDocument{fmt.Sprintf("%s is not a PEP 691 JSON answer (the index must serve %s): %v", page, acceptSimpleJSON, err)}
			return
		}
		d.sp = &p
	})
	return d.sp, page, d.err
}

// Metadata reads the registry metadata of packages concurrently (bounded
// by WithWorkers), one answer per PackageKey.
func (g *Registry) Metadata(ctx context.Context, pkgs []lockfile.Package) map[string]Metadata {
	out := make(map[string]Metadata, len(pkgs))
	var keys []string
	first := map[string]int{}
	for i := range pkgs {
		k := PackageKey(&pkgs[i])
		if _, ok := first[k]; !ok {
			first[k] = i
			keys = append(keys, k)
		}
	}
	var mu sync.Mutex
	jobs := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < min(max(g.workers, 1), len(keys)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range jobs {
				m := g.PackageMetadata(ctx, pkgs[first[k]])
				mu.Lock()
				out[k] = m
				mu.Unlock()
			}
		}()
	}
	for _, k := range keys {
		jobs <- k
	}
	close(jobs)
	wg.Wait()
	return out
}

// PackageMetadata reads one package's registry metadata.
func (g *Registry) PackageMetadata(ctx context.Context, p lockfile.Package) Metadata {
	m := Metadata{Ecosystem: string(p.Ecosystem), Name: p.Name, Version: p.Version}
	switch {
	case p.Ecosystem != lockfile.NPM && p.Ecosystem != lockfile.PyPI:
		m.Status, m.Reason = MetadataUnavailable, fmt.Sprintf("guard reads no %s registry metadata", p.Ecosystem)
		return m
	case p.Source.Kind == lockfile.SourceWorkspace:
		m.Status, m.Reason = MetadataUnavailable, "a member of the project's own workspace"
		return m
	case p.Bundled:
		m.Status, m.Reason = MetadataUnavailable, "bundled inside its parent's archive"
		return m
	case p.Source.Kind != "" && p.Source.Kind != lockfile.SourceRegistry:
		m.Status, m.Reason = MetadataUnavailable, fmt.Sprintf("installed from a %s source, not a registry", p.Source.Kind)
		return m
	case p.Version == "":
		m.Status, m.Reason = MetadataUnavailable, "the lockfile pins no exact version"
		return m
	}
	if p.Ecosystem == lockfile.NPM {
		pk, err := g.Packument(ctx, p.Name)
		if err != nil {
			m.Status, m.Reason = metadataFailure(err), "reading the packument: "+err.Error()
			return m
		}
		return NPMMetadata(pk, p.Version)
	}
	sp, _, err := g.pypiProject(ctx, p.Name)
	if err != nil {
		m.Status, m.Reason = metadataFailure(err), err.Error()
		return m
	}
	m.Status = MetadataRead
	m.Index, m.PublishedAt, m.Known = indexStatus(sp, pySHA256s(&p))
	if m.Index != nil {
		m.Created, m.Versions = m.Index.FirstUpload, m.Index.Versions
	}
	return m
}

// metadataFailure is the status of a document that was not read: error,
// unless the registry offers none to read.
func metadataFailure(err error) MetadataStatus {
	var nd *noDocument
	if errors.As(err, &nd) {
		return MetadataUnavailable
	}
	return MetadataError
}

// NPMMetadata reads one version's metadata from a packument.
func NPMMetadata(p *Packument, version string) Metadata {
	m := Metadata{Ecosystem: string(lockfile.NPM), Name: p.Name, Version: version, Status: MetadataRead,
		Created: p.Created(), Versions: len(p.Versions)}
	cur, ok := p.Versions[version]
	if !ok {
		return m
	}
	m.Known = true
	m.PublishedAt = p.PublishedAt(version)
	m.Deprecated = deprecatedText(cur.Deprecated)
	return m
}

// indexStatus reads what a PEP 691 page says of the project and of the
// files with the given sha256 digests: nil when it says nothing; published
// is the earliest upload time of those files; known whether it lists any.
func indexStatus(sp *simpleProject, hashes []string) (idx *IndexStatus, published time.Time, known bool) {
	want := map[string]bool{}
	for _, h := range hashes {
		want[h] = true
	}
	idx = &IndexStatus{}
	if ps := sp.ProjectStatus; ps != nil && ps.Status != "" && ps.Status != "active" {
		idx.ProjectStatus, idx.ProjectStatusReason = ps.Status, ps.Reason
	}
	idx.Versions = len(sp.Versions)
	for _, f := range sp.Files {
		t, terr := time.Parse(time.RFC3339, f.UploadTime)
		if terr == nil && (idx.FirstUpload.IsZero() || t.Before(idx.FirstUpload)) {
			idx.FirstUpload = t
		}
		if !want[strings.ToLower(f.Hashes["sha256"])] {
			continue
		}
		known = true
		if terr == nil && (published.IsZero() || t.Before(published)) {
			published = t
		}
		if why, yanked := yankedReason(f.Yanked); yanked {
			if why != "" {
				idx.Yanked = append(idx.Yanked, f.Filename+": "+why)
			} else {
				idx.Yanked = append(idx.Yanked, f.Filename)
			}
		}
	}
	if len(idx.Yanked) == 0 && idx.ProjectStatus == "" && idx.Versions == 0 && idx.FirstUpload.IsZero() {
		idx = nil
	}
	return idx, published, known
}

// defaultConfig is the configuration before options.
func defaultConfig() config {
	return config{workers: 64, timeout: 20 * time.Second, attempts: 3, budget: DefaultBudget}
}

// newConfiguredFetcher builds the fetcher a configuration asks for.
func newConfiguredFetcher(c config) *fetcher {
	f := newFetcher(c.client, c.workers)
	f.timeout, f.attempts = c.timeout, c.attempts
	f.idle, f.budget = c.idle, c.budget
	return f
}

// WithRegistry makes a Verifier read packuments and Python index pages
// through r (and its per-run cache), so that provenance and registry
// metadata share one request per document.
func WithRegistry(r *Registry) Option {
	return func(c *config) error { c.registry = r; return nil }
}
