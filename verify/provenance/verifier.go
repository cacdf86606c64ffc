package provenance

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/lockfile/regfile"
	"github.com/installguard/guard/verify/atomicfile"
)

// Option configures a Verifier.
type Option func(*config) error

type config struct {
	npmRegistry string
	npmScopes   map[string]string
	pypiIndex   string
	trust       *Trust
	trustOpts   TrustOptions
	client      *http.Client
	workers     int
	timeout     time.Duration
	attempts    int
	cacheDir    string
	npmMetadata bool
	idle        time.Duration // limits.go
	budget      time.Duration
	progress    func(done, total int)
	registry    *Registry // metadata.go
}

// WithNPMRegistry sets the npm registry base URL (from npm's configuration:
// `npm config get registry`, .npmrc, npm_config_registry). Required to
// verify npm packages; nothing here knows a default.
func WithNPMRegistry(url string) Option {
	return func(c *config) error { c.npmRegistry = url; return nil }
}

// WithNPMScopeRegistry routes one scope ("@myorg") to its own registry, as
// .npmrc's "@myorg:registry=" does.
func WithNPMScopeRegistry(scope, url string) Option {
	return func(c *config) error {
		if !strings.HasPrefix(scope, "@") {
			return fmt.Errorf("scope %q must start with @", scope)
		}
		if c.npmScopes == nil {
			c.npmScopes = map[string]string{}
		}
		c.npmScopes[scope] = url
		return nil
	}
}

// WithPyPIIndex sets the Python package index's simple API base URL
// (PIP_INDEX_URL, pip or uv configuration), e.g. "https://host/simple".
func WithPyPIIndex(url string) Option {
	return func(c *config) error { c.pypiIndex = url; return nil }
}

// WithTrust uses the given trusted material.
func WithTrust(t *Trust) Option {
	return func(c *config) error { c.trust = t; return nil }
}

// WithTrustedRootFile uses a trusted root file instead of the embedded or
// cached one (guard's --trusted-root FILE).
func WithTrustedRootFile(path string) Option {
	return func(c *config) error { c.trustOpts.TrustedRootFile = path; return nil }
}

// WithTrustDir uses the trusted root cached in dir by UpdateTrust, when
// there is one.
func WithTrustDir(dir string) Option {
	return func(c *config) error { c.trustOpts.Dir = dir; return nil }
}

// WithHTTPClient sets the HTTP client (proxies, TLS configuration).
func WithHTTPClient(h *http.Client) Option {
	return func(c *config) error { c.client = h; return nil }
}

// WithWorkers bounds how many packages are fetched and verified at once
// (default 64).
func WithWorkers(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return errors.New("workers must be at least 1")
		}
		c.workers = n
		return nil
	}
}

// WithRequestTimeout bounds each HTTP attempt (default 20s).
func WithRequestTimeout(d time.Duration) Option {
	return func(c *config) error { c.timeout = d; return nil }
}

// WithAttempts bounds the attempts per request on 5xx, 429 and transport
// errors (default 3).
func WithAttempts(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return errors.New("attempts must be at least 1")
		}
		c.attempts = n
		return nil
	}
}

// WithResultCache keeps verified results on disk in dir: a verified
// result for (ecosystem, name, version, digest) under the same trust
// material never changes.
func WithResultCache(dir string) Option {
	return func(c *config) error { c.cacheDir = dir; return nil }
}

// WithNPMMetadata also fetches each npm package's packument to check the
// registry signatures and gather downgrade evidence (one more request per
// package, shared with the Registry of WithRegistry).
func WithNPMMetadata(on bool) Option {
	return func(c *config) error { c.npmMetadata = on; return nil }
}

// WithProgress has Verify call fn after each distinct package is done, with
// how many of how many; fn may be called from several goroutines at once.
func WithProgress(fn func(done, total int)) Option {
	return func(c *config) error { c.progress = fn; return nil }
}

// Verifier gathers and verifies provenance for lockfile packages. It is
// safe for concurrent use.
type Verifier struct {
	cfg   config
	trust *Trust
	fetch *fetcher
	// reg reads packuments and index pages (once per run); shared with
	// the registry-metadata source when built WithRegistry.
	reg *Registry

	mu  sync.Mutex
	mem map[string]Result

	keysOnce sync.Once
	keys     KeySet
	keysErr  error
}

// New returns a Verifier.
func New(opts ...Option) (*Verifier, error) {
	c := defaultConfig()
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	t := c.trust
	if t == nil {
		var err error
		if t, err = LoadTrust(c.trustOpts); err != nil {
			return nil, err
		}
	}
	f := newConfiguredFetcher(c)
	reg := c.registry
	if reg == nil {
		reg = newRegistry(c, f)
	}
	if c.cacheDir != "" {
		if err := os.MkdirAll(c.cacheDir, 0o755); err != nil {
			return nil, err
		}
	}
	return &Verifier{cfg: c, trust: t, fetch: f, reg: reg, mem: map[string]Result{}}, nil
}

// Trust returns the trusted material in use.
func (v *Verifier) Trust() *Trust { return v.trust }

func (v *Verifier) npmRegistry(name string) string {
	if scope, _, ok := strings.Cut(name, "/"); ok && strings.HasPrefix(scope, "@") {
		if r, ok := v.cfg.npmScopes[scope]; ok {
			return r
		}
	}
	return v.cfg.npmRegistry
}

// Verify verifies packages concurrently and returns one Result per
// package, in order. Packages that share (ecosystem, name, version, digest)
// are verified once. Two stages: up to WithWorkers packages fetch their
// attestations at once, and as many verifiers as the process has CPUs check
// the signatures of what was fetched, so that neither waits for the other
// (with every worker doing both, the signature checks of 64 packages shared
// the CPUs while no request was in flight).
func (v *Verifier) Verify(ctx context.Context, pkgs []lockfile.Package) []Result {
	out := make([]Result, len(pkgs))
	groups := map[string][]int{}
	var order []string
	for i := range pkgs {
		k := cacheKey(&pkgs[i])
		if k == "" {
			k = fmt.Sprintf("#%d", i) // nothing to share it with
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	type fetched struct {
		key    string
		finish func() Result
	}
	jobs := make(chan string)
	ready := make(chan fetched, v.cfg.workers)
	var fetchers, checkers sync.WaitGroup
	for w := 0; w < min(v.cfg.workers, len(order)); w++ {
		fetchers.Add(1)
		go func() {
			defer fetchers.Done()
			for k := range jobs {
				ready <- fetched{k, v.startPackage(ctx, pkgs[groups[k][0]])}
			}
		}()
	}
	var done atomic.Int64
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(order)); w++ {
		checkers.Add(1)
		go func() {
			defer checkers.Done()
			for f := range ready {
				r := f.finish()
				for _, i := range groups[f.key] {
					out[i] = r
				}
				if v.cfg.progress != nil {
					v.cfg.progress(int(done.Add(1)), len(order))
				}
				// Let the fetchers' network work run: without a yield
				// here the checkers hold every CPU while results wait
				// (a receive from a ready channel does not reschedule),
				// and answers that have arrived are read only at
				// preemption, milliseconds later.
				runtime.Gosched()
			}
		}()
	}
	for _, k := range order {
		jobs <- k
	}
	close(jobs)
	fetchers.Wait()
	close(ready)
	checkers.Wait()
	return out
}

// VerifyPackage verifies one package.
func (v *Verifier) VerifyPackage(ctx context.Context, p lockfile.Package) Result {
	return v.startPackage(ctx, p)()
}

// startPackage does a package's network work and returns the rest: the
// signature checks (CPU only) and keeping the result.
func (v *Verifier) startPackage(ctx context.Context, p lockfile.Package) func() Result {
	r := Result{Ecosystem: string(p.Ecosystem), Name: p.Name, Version: p.Version}
	now := func(r Result) func() Result { return func() Result { return r } }
	switch p.Ecosystem {
	case lockfile.NPM, lockfile.PyPI:
	default:
		r.Status = StatusUnavailable
		r.Reason = fmt.Sprintf("%s publishes no attestations", p.Ecosystem)
		return now(r)
	}
	switch {
	case p.Source.Kind == lockfile.SourceWorkspace:
		r.Status, r.Reason = StatusUnavailable, "a member of the project's own workspace"
		return now(r)
	case p.Bundled:
		r.Status, r.Reason = StatusUnavailable, "bundled inside its parent's archive, which the parent's provenance covers"
		return now(r)
	case p.Source.Kind != "" && p.Source.Kind != lockfile.SourceRegistry:
		r.Status, r.Reason = StatusUnavailable, fmt.Sprintf("installed from a %s source, which has no registry attestations", p.Source.Kind)
		return now(r)
	case p.Version == "":
		r.Status = StatusUnverifiable
		r.Reason = "the lockfile pins no exact version"
		r.Advice = "pin exact versions (a lockfile) to verify provenance"
		return now(r)
	}
	key := cacheKey(&p)
	var missKey string
	if key != "" && p.Ecosystem == lockfile.NPM {
		missKey = key + "\x00missing from " + v.npmRegistry(p.Name)
	}
	if key != "" {
		if c, ok := v.cached(key, missKey); ok {
			return now(c)
		}
	}
	var finish func() (Result, bool)
	if p.Ecosystem == lockfile.NPM {
		finish = v.startNPM(ctx, p)
	} else {
		r, keep := v.verifyPyPI(ctx, p)
		finish = func() (Result, bool) { return r, keep }
	}
	return func() Result {
		r, keep := finish()
		if key != "" && keep {
			v.store(key, missKey, r)
		}
		return r
	}
}

// cacheKey is (ecosystem, name, version, digest); "" when the lockfile has
// no digest to bind provenance to.
func cacheKey(p *lockfile.Package) string {
	var d string
	switch p.Ecosystem {
	case lockfile.NPM:
		if b := npmSHA512(p); b != nil {
			d = "sha512:" + hex.EncodeToString(b)
		}
	case lockfile.PyPI:
		if hs := pySHA256s(p); len(hs) > 0 {
			d = "sha256:" + strings.Join(hs, ",")
		}
	default:
		d = "-"
	}
	if d == "" {
		return ""
	}
	return string(p.Ecosystem) + "\x00" + p.Name + "\x00" + p.Version + "\x00" + d
}

// npmSHA512 is the package's sha512 integrity from the lockfile, decoded.
// Hashes whose Of is set cover something other than the registry archive.
func npmSHA512(p *lockfile.Package) []byte {
	for _, h := range p.Hashes {
		if h.Algorithm == "sha512" && h.Of == "" {
			if b := h.Bytes(); len(b) == 64 {
				return b
			}
		}
	}
	return nil
}

// startNPM fetches an npm package's attestations (and, WithNPMMetadata,
// its packument) and returns the verification of what was fetched.
func (v *Verifier) startNPM(ctx context.Context, p lockfile.Package) func() (Result, bool) {
	r := Result{Ecosystem: "npm", Name: p.Name, Version: p.Version}
	reg := v.npmRegistry(p.Name)
	if reg == "" {
		r.Status = StatusUnverifiable
		r.Reason = "no npm registry configured"
		r.Advice = "tell guard the registry npm uses (npm config get registry)"
		return func() (Result, bool) { return r, false }
	}
	sha := npmSHA512(&p)
	body, err := v.fetch.get(ctx, NPMAttestationsURL(reg, p.Name, p.Version), "application/json", 4<<20)
	if err != nil && !errors.Is(err, ErrNotFound) {
		r.Status = StatusUnverifiable
		r.Reason = "fetching attestations: " + err.Error()
		r.Advice = "the registry could not be asked; check the network and run again"
		return func() (Result, bool) { return r, false }
	}
	meta := Result{Name: p.Name, Version: p.Version}
	if v.cfg.npmMetadata {
		v.addNPMMetadata(ctx, &meta, reg, sha)
	}
	return func() (Result, bool) {
		switch {
		case errors.Is(err, ErrNotFound):
			r.Status = StatusMissing
			r.Reason = "the registry has no attestations for this version (404)"
		case sha == nil:
			r.Status = StatusUnverifiable
			r.Reason = "the lockfile records no sha512 integrity for this package, so its attestations cannot be bound to what is installed"
			r.Advice = "regenerate the lockfile with a current package manager so that it records sha512 integrity"
		default:
			r = v.trust.VerifyNPMAttestations(p.Name, p.Version, sha, body)
		}
		r.Downgrade, r.Registry, r.MetadataError = meta.Downgrade, meta.Registry, meta.MetadataError
		return r, true
	}
}

// addNPMMetadata adds registry signature and downgrade evidence.
func (v *Verifier) addNPMMetadata(ctx context.Context, r *Result, reg string, sha []byte) {
	pk, err := v.FetchPackument(ctx, r.Name)
	if err != nil {
		r.MetadataError = err.Error()
		return
	}
	d := DowngradeEvidence(pk, r.Version)
	r.Downgrade = &d
	pv, ok := pk.Versions[r.Version]
	if !ok || sha == nil {
		return
	}
	ks, err := v.RegistryKeys(ctx)
	if err != nil && len(ks.Keys) == 0 {
		r.MetadataError = err.Error()
		return
	}
	integrity := "sha512-" + base64.StdEncoding.EncodeToString(sha)
	c := VerifyRegistrySignatures(ks, r.Name, r.Version, integrity, pv.Dist.Signatures, pk.PublishedAt(r.Version))
	if pv.Dist.Integrity != "" && pv.Dist.Integrity != integrity && c.Status == StatusVerified {
		// The signatures cover the lockfile's integrity; the registry now
		// states another one. Report it: the archive changed under the name.
		c.Reason += fmt.Sprintf("; the registry's dist.integrity is %s", pv.Dist.Integrity)
	}
	r.Registry = &c
}

// RegistryKeys returns the npm registry's signing keys, fetched once.
func (v *Verifier) RegistryKeys(ctx context.Context) (KeySet, error) {
	v.keysOnce.Do(func() {
		var fallback []NPMKey
		for _, k := range v.trust.npmKeys {
			if k.Usage == UsageNPMSignatures || k.Usage == "" {
				fallback = append(fallback, k)
			}
		}
		v.keys, v.keysErr = fetchNPMKeys(ctx, v.fetch, v.cfg.npmRegistry, fallback)
	})
	return v.keys, v.keysErr
}

// missingTTL is how long an npm registry's "no attestations for this
// version" answer is kept on disk. npm attaches provenance when a version is
// published and never later, so the answer for one archive digest does not
// change; the registry's URL is part of the key (a mirror that strips
// attestations does not speak for the registry), and the day's limit bounds
// what a wrong answer costs. Without it every package of a project without
// provenance costs a request on every run.
const missingTTL = 24 * time.Hour

// cached returns the result kept for key: in memory, a verified result on
// disk, or (missKey, npm) a missing result on disk younger than missingTTL.
func (v *Verifier) cached(key, missKey string) (Result, bool) {
	v.mu.Lock()
	r, ok := v.mem[key]
	v.mu.Unlock()
	if ok {
		r.Cached = true
		return r, true
	}
	if v.cfg.cacheDir == "" {
		return Result{}, false
	}
	e, ok := v.readCache(key)
	if !ok || e.Result.Status != StatusVerified {
		if missKey == "" {
			return Result{}, false
		}
		now := time.Now()
		e, ok = v.readCache(missKey)
		if !ok || e.Result.Status != StatusMissing || !now.Before(e.Expires) || e.Expires.After(now.Add(missingTTL)) {
			return Result{}, false
		}
	}
	v.mu.Lock()
	v.mem[key] = e.Result
	v.mu.Unlock()
	e.Result.Cached = true
	return e.Result, true
}

// readCache reads the disk entry for key, written under this trust material.
func (v *Verifier) readCache(key string) (cacheEntry, bool) {
	b, err := regfile.Read(v.cachePath(key), cacheMaxSize)
	if err != nil {
		return cacheEntry{}, false
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil || e.Key != key || e.Trust != v.trust.fingerprint {
		return cacheEntry{}, false
	}
	return e, true
}

type cacheEntry struct {
	Key   string `json:"key"`
	Trust string `json:"trust"`
	// Expires is set on missing results (missingTTL).
	Expires time.Time `json:"expires,omitzero"`
	Result  Result    `json:"result"`
}

func (v *Verifier) cachePath(key string) string {
	h := sha256.Sum256([]byte(v.trust.fingerprint + "\x00" + key))
	return filepath.Join(v.cfg.cacheDir, hex.EncodeToString(h[:])+".json")
}

// store keeps a result in memory; verified results also go to disk, since
// they never change, and npm's missing results (under missKey) for
// missingTTL.
func (v *Verifier) store(key, missKey string, r Result) {
	v.mu.Lock()
	v.mem[key] = r
	v.mu.Unlock()
	if v.cfg.cacheDir == "" {
		return
	}
	e := cacheEntry{Key: key, Trust: v.trust.fingerprint, Result: r}
	switch {
	case r.Status == StatusVerified:
	case r.Status == StatusMissing && missKey != "" && r.MetadataError == "":
		e.Key, e.Expires = missKey, time.Now().Add(missingTTL)
	default:
		return
	}
	b, err := json.Marshal(e)
	if err != nil {
		return
	}
	_ = writeFileAtomic(v.cachePath(e.Key), b, false) // a cache: failing to write only costs time
}

// writeFileAtomic writes a private file whole or not at all; sync flushes
// the data first (trust material; the result cache can do without).
func writeFileAtomic(path string, data []byte, sync bool) error {
	return atomicfile.WriteBytes(path, data, 0o600, sync)
}
