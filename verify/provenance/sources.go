package provenance

import (
	"context"
	"fmt"

	"github.com/installguard/guard/verify/httpretry"
	"github.com/installguard/guard/verify/registries"
)

// EnvBudget bounds the time provenance may take in one run (default
// DefaultBudget).
const EnvBudget = "GUARD_PROVENANCE_BUDGET"

// SourcesOptions say which evidence sources a run uses and where they
// read from.
type SourcesOptions struct {
	// Offline uses neither source; NoProvenance and NoMetadata turn off
	// one each.
	Offline, NoProvenance, NoMetadata bool
	// TrustedRoot is a Sigstore trusted_root.json file to verify against
	// instead of the embedded or updated one; TrustDir holds the updated one.
	TrustedRoot, TrustDir string
	// ProjectDir is where the project's package-manager configuration
	// (.npmrc, pip.conf) lives.
	ProjectDir string
	// Getenv reads the environment (registries, idle timeout, EnvBudget).
	Getenv func(string) string
	// Progress, when set, is told how many packages of how many are done.
	Progress func(done, total int)
	// CacheDir, when set, caches verification results.
	CacheDir string
}

// Sources are a run's registry-metadata reader and provenance verifier, or
// why each is not used. They are independent evidence: NoProvenance turns
// off provenance only; registry metadata (publish times, deprecation,
// yanks, project status) is read unless offline or NoMetadata. When both
// are used, they share one Registry, so each packument or index page is
// fetched once.
type Sources struct {
	Verifier     *Verifier
	NoProvenance string
	Registry     *Registry
	NoMetadata   string
}

// OpenSources builds the sources o asks for from the user's
// package-manager configuration.
func OpenSources(ctx context.Context, o SourcesOptions) (Sources, error) {
	var s Sources
	if o.Offline {
		s.NoProvenance, s.NoMetadata = "skipped (offline)", "registry metadata was not read (offline)"
		return s, nil
	}
	if o.NoProvenance && o.NoMetadata {
		s.NoProvenance, s.NoMetadata = "skipped (--no-provenance)", "registry metadata was not read (--no-metadata)"
		return s, nil
	}
	var trust *Trust
	if !o.NoProvenance {
		var err error
		if trust, err = LoadTrust(TrustOptions{TrustedRootFile: o.TrustedRoot, Dir: o.TrustDir}); err != nil {
			return s, fmt.Errorf("trust material: %w", err)
		}
	}
	reg, err := registries.Discover(ctx, o.ProjectDir, o.Getenv)
	if err != nil {
		return s, fmt.Errorf("package manager configuration: %w", err)
	}
	idle, err := httpretry.IdleFromEnv(o.Getenv)
	if err != nil {
		return s, err
	}
	budget, err := httpretry.DurationEnv(o.Getenv, EnvBudget, DefaultBudget)
	if err != nil {
		return s, err
	}
	opts := []Option{WithPyPIIndex(reg.PyPI), WithIdleTimeout(idle), WithBudget(budget)}
	if reg.NPM != "" {
		opts = append(opts, WithNPMRegistry(reg.NPM))
	}
	for scope, u := range reg.NPMScopes {
		opts = append(opts, WithNPMScopeRegistry(scope, u))
	}
	registry, err := NewRegistry(opts...)
	if err != nil {
		return s, err
	}
	if o.NoMetadata {
		s.NoMetadata = "registry metadata was not read (--no-metadata)"
	} else {
		s.Registry = registry
	}
	if o.NoProvenance {
		s.NoProvenance = "skipped (--no-provenance)"
		return s, nil
	}
	opts = append(opts, WithTrust(trust), WithNPMMetadata(true), WithRegistry(registry))
	if o.Progress != nil {
		opts = append(opts, WithProgress(o.Progress))
	}
	if o.CacheDir != "" {
		opts = append(opts, WithResultCache(o.CacheDir))
	}
	v, err := New(opts...)
	if err != nil {
		return s, err
	}
	s.Verifier = v
	return s, nil
}
