package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/setup"
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

func (a *provenanceArgs) config() setup.Evidence {
	return setup.Evidence{NoProvenance: a.noProvenance, NoMetadata: a.noMetadata, TrustedRoot: a.trustedRoot, Progress: a.progress}
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
	return setup.UpdateTrust(ctx, setup.TrustUpdate{Dir: *dir, Mirror: *mirror, Timeout: *timeout, Stderr: e.stderr, Getenv: e.getenv})
}
