package provenance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sigstore/sigstore-go/pkg/tuf"
	tuffetcher "github.com/theupdateframework/go-tuf/v2/metadata/fetcher"
)

// UpdateOptions configures UpdateTrust.
type UpdateOptions struct {
	// Dir is the trust directory: the TUF metadata cache lives in Dir/tuf,
	// and the verified trusted root (and npm keys) are written to
	// Dir/trusted_root.json (Dir/npm-keys.json), where LoadTrust and
	// WithTrustDir find them.
	Dir string
	// MirrorURL is the TUF repository (default: sigstore-go's public-good
	// mirror).
	MirrorURL string
	// Root is the TUF root metadata to start from (default: the one
	// sigstore-go embeds). Newer roots are fetched and verified in turn.
	Root []byte
	// Timeout bounds the whole update (default 60s).
	Timeout time.Duration
	// NPMRegistry, when set, also fetches the npm registry keys the TUF
	// repository publishes for that registry's host ("<host>/keys.json").
	// A repository without that target is not an error.
	NPMRegistry string
	// HTTPClient is used for the TUF requests (default: a client whose
	// requests time out after Timeout).
	HTTPClient *http.Client
}

// UpdateTrust refreshes the trusted root through TUF with sigstore-go's
// client and writes it atomically into o.Dir. It returns the new material.
// The TUF client verifies the metadata chain from the trusted TUF root;
// the trusted root is then parsed before anything is written, so a failed
// update leaves the previous files in place.
func UpdateTrust(ctx context.Context, o UpdateOptions) (*Trust, error) {
	if o.Dir == "" {
		return nil, errors.New("trust update: no directory")
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	opts := tuf.DefaultOptions()
	if o.MirrorURL != "" {
		opts.RepositoryBaseURL = o.MirrorURL
	}
	if len(o.Root) > 0 {
		opts.Root = o.Root
	}
	opts.CachePath = filepath.Join(o.Dir, "tuf")
	opts.Context = ctx
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: o.Timeout}
	}
	f := tuffetcher.NewDefaultFetcher()
	f.SetHTTPClient(&ctxClient{ctx: ctx, c: hc})
	f.SetHTTPUserAgent("guard (trust update)")
	opts.Fetcher = f

	type answer struct {
		root, keys []byte
		err        error
	}
	done := make(chan answer, 1)
	go func() {
		var a answer
		c, err := tuf.New(opts)
		if err != nil {
			a.err = err
			done <- a
			return
		}
		if a.root, a.err = c.GetTarget("trusted_root.json"); a.err != nil {
			done <- a
			return
		}
		if host := registryHost(o.NPMRegistry); host != "" {
			a.keys, _ = c.GetTarget(host + "/keys.json")
		}
		done <- a
	}()
	var a answer
	select {
	case a = <-done:
	case <-ctx.Done():
		return nil, fmt.Errorf("trust update from %s: %w", opts.RepositoryBaseURL, ctx.Err())
	}
	if a.err != nil {
		return nil, fmt.Errorf("trust update from %s: %w", opts.RepositoryBaseURL, a.err)
	}
	keys := embeddedNPMKeys
	if len(a.keys) > 0 {
		if _, err := ParseNPMKeys(a.keys); err != nil {
			return nil, fmt.Errorf("trust update: npm keys: %w", err)
		}
		keys = a.keys
	}
	t, err := NewTrust(a.root, keys, "cache:"+filepath.Join(o.Dir, TrustedRootFile), time.Now())
	if err != nil {
		return nil, fmt.Errorf("trust update: %w", err)
	}
	if len(a.keys) > 0 {
		if err := writeFileAtomic(filepath.Join(o.Dir, NPMKeysFile), a.keys, true); err != nil {
			return nil, err
		}
	}
	if err := writeFileAtomic(filepath.Join(o.Dir, TrustedRootFile), a.root, true); err != nil {
		return nil, err
	}
	return t, nil
}

func registryHost(registry string) string {
	if registry == "" {
		return ""
	}
	u, err := url.Parse(registry)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// ctxClient ties go-tuf's context-free requests to the update's context.
type ctxClient struct {
	ctx context.Context
	c   *http.Client
}

func (c *ctxClient) Do(req *http.Request) (*http.Response, error) {
	return c.c.Do(req.WithContext(c.ctx))
}
