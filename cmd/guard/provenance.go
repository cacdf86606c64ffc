package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/verify/httpretry"
	"github.com/installguard/guard/verify/provenance"
)

// provenanceArgs are the provenance flags of check and the wrappers.
type provenanceArgs struct {
	noProvenance bool
	noMetadata   bool
	trustedRoot  string
	// progress, when set, is told how many packages of how many are done.
	progress func(done, total int)
}

func addProvenanceFlags(fs *pflag.FlagSet, a *provenanceArgs) {
	fs.BoolVar(&a.noProvenance, "no-provenance", false, "do not gather build provenance; registry metadata (cooldown, deprecated, yanked, quarantined) is still read (also GUARD_NO_PROVENANCE=1)")
	fs.BoolVar(&a.noMetadata, "no-metadata", false, "do not read registry metadata: cooldown, deprecated, yanked and quarantined read \"not checked\" (also GUARD_NO_METADATA=1)")
	fs.StringVar(&a.trustedRoot, "trusted-root", "", "verify provenance against this Sigstore trusted_root.json `FILE` instead of the embedded or updated one")
}

// guardCacheDir is guard's folder in the user cache.
func guardCacheDir(parts ...string) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(append([]string{dir, "guard"}, parts...)...), nil
}

// envProvenanceBudget bounds the time provenance may take in one run
// (default provenance.DefaultBudget).
const envProvenanceBudget = "GUARD_PROVENANCE_BUDGET"

// evidenceSources are a run's provenance and registry-metadata sources,
// or why each is not used. They are independent evidence: --no-provenance
// turns off provenance only; registry metadata (publish times,
// deprecation, yanks, project status) is read unless offline. When both
// are used, they share one Registry, so each packument or index page is
// fetched once.
type evidenceSources struct {
	prov   guard.ProvenanceSource
	noProv string
	meta   guard.MetadataSource
	noMeta string
}

// apply sets the sources in check options.
func (s evidenceSources) apply(o *guard.Options) {
	o.Provenance, o.NoProvenanceReason = s.prov, s.noProv
	o.Metadata, o.NoMetadataReason = s.meta, s.noMeta
}

// provenanceSource builds the registry-metadata reader and the provenance
// verifier, or says why either is not used in this run. projectDir is
// where the project's .npmrc lives.
func (e *env) provenanceSource(ctx context.Context, a *provenanceArgs, offline bool, projectDir string) (evidenceSources, error) {
	var s evidenceSources
	if offline {
		s.noProv, s.noMeta = "skipped (offline)", "registry metadata was not read (offline)"
		return s, nil
	}
	noProv := a.noProvenance || truthy(e.getenv("GUARD_NO_PROVENANCE"))
	noMeta := a.noMetadata || truthy(e.getenv("GUARD_NO_METADATA"))
	if noProv && noMeta {
		s.noProv, s.noMeta = "skipped (--no-provenance)", "registry metadata was not read (--no-metadata)"
		return s, nil
	}
	var trust *provenance.Trust
	if !noProv {
		trustDir, _ := guardCacheDir("trust")
		var err error
		if trust, err = provenance.LoadTrust(provenance.TrustOptions{TrustedRootFile: a.trustedRoot, Dir: trustDir}); err != nil {
			return s, fmt.Errorf("trust material: %w", err)
		}
	}
	reg, err := e.discoverRegistries(ctx, projectDir)
	if err != nil {
		return s, fmt.Errorf("package manager configuration: %w", err)
	}
	idle, err := httpretry.IdleFromEnv(e.getenv)
	if err != nil {
		return s, err
	}
	budget, err := httpretry.DurationEnv(e.getenv, envProvenanceBudget, provenance.DefaultBudget)
	if err != nil {
		return s, err
	}
	opts := []provenance.Option{provenance.WithPyPIIndex(reg.pypi), provenance.WithIdleTimeout(idle), provenance.WithBudget(budget)}
	if reg.npm != "" {
		opts = append(opts, provenance.WithNPMRegistry(reg.npm))
	}
	for scope, u := range reg.npmScopes {
		opts = append(opts, provenance.WithNPMScopeRegistry(scope, u))
	}
	registry, err := provenance.NewRegistry(opts...)
	if err != nil {
		return s, err
	}
	if noMeta {
		s.noMeta = "registry metadata was not read (--no-metadata)"
	} else {
		s.meta = registry
	}
	if noProv {
		s.noProv = "skipped (--no-provenance)"
		return s, nil
	}
	opts = append(opts, provenance.WithTrust(trust), provenance.WithNPMMetadata(true), provenance.WithRegistry(registry))
	if a.progress != nil {
		opts = append(opts, provenance.WithProgress(a.progress))
	}
	if cache, err := guardCacheDir("provenance"); err == nil {
		opts = append(opts, provenance.WithResultCache(cache))
	}
	v, err := provenance.New(opts...)
	if err != nil {
		return s, err
	}
	s.prov = v
	return s, nil
}

// projectDirOf is the folder whose package-manager configuration applies
// to the paths being checked: the first folder given, or the folder of the
// first lockfile, or the current folder.
func projectDirOf(paths []string) string {
	if len(paths) == 0 {
		return "."
	}
	if st, err := os.Stat(paths[0]); err == nil && st.IsDir() {
		return paths[0]
	}
	return filepath.Dir(paths[0])
}

const trustUsage = `Usage: guard trust update [--dir DIR] [--mirror URL] [--timeout 60s]

Refreshes the Sigstore trusted root (and the npm registry keys it publishes)
through TUF, verifying the metadata chain from the TUF root sigstore-go
embeds, and writes it atomically into DIR (default <user cache>/guard/trust),
where 'guard check' then finds it. A failed update leaves the previous files.`

func runTrust(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] != "update" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.stdout, trustUsage)
			return guard.ExitAllow
		}
		fmt.Fprintln(e.stderr, trustUsage)
		return guard.ExitInvalid
	}
	fs := pflag.NewFlagSet("trust update", pflag.ContinueOnError)
	dir := fs.String("dir", "", "trust `DIR` (default <user cache>/guard/trust)")
	mirror := fs.String("mirror", "", "TUF repository `URL` (default: Sigstore's public-good mirror)")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after this long")
	if code, ok := parseFlags(e, fs, args[1:], trustUsage); !ok {
		return code
	}
	if truthy(e.getenv("GUARD_OFFLINE")) {
		fmt.Fprintln(e.stderr, "guard trust update: offline mode forbids network calls")
		return guard.ExitInvalid
	}
	d := *dir
	if d == "" {
		var err error
		if d, err = guardCacheDir("trust"); err != nil {
			fmt.Fprintf(e.stderr, "guard trust update: %v\n", err)
			return guard.ExitInvalid
		}
	}
	reg, err := e.discoverRegistries(ctx, ".")
	if err != nil {
		fmt.Fprintf(e.stderr, "guard trust update: package manager configuration: %v\n", err)
		return guard.ExitInvalid
	}
	_, err = provenance.UpdateTrust(ctx, provenance.UpdateOptions{Dir: d, MirrorURL: *mirror, Timeout: *timeout,
		NPMRegistry: reg.npm, HTTPClient: &http.Client{Timeout: *timeout}})
	if err != nil {
		fmt.Fprintf(e.stderr, "guard trust update: %v\n", err)
		return guard.ExitIncomplete
	}
	fmt.Fprintf(e.stderr, "guard: trusted root updated in %s\n", d)
	return guard.ExitAllow
}
