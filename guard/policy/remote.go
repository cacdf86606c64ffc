package policy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/installguard/guard/verify/atomicfile"
)

// A remote org policy is an https URL, optionally pinned by a fragment:
// https://policy.example.com/guard.toml#sha256=<64 hex digits>. It is
// fetched with a timeout and a size cap and cached under
// <user cache>/guard/policy/. A pinned digest that does not match what
// was fetched (or, when the URL cannot be reached, what is cached) is an
// error: the content is never used. An unreachable URL falls back to the
// cache with a notice; with no cache it is ErrUnavailable.

var pinRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^sha256=([0-9a-fA-F]{64})$`) })

// parsePolicyURL splits a policy URL into the URL to fetch (no fragment)
// and the pinned sha256 (lower-case hex, "" when not pinned).
func parsePolicyURL(raw string) (string, string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", fmt.Errorf("%q is not a URL: %v", raw, err)
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return "", "", fmt.Errorf("%q: a remote policy must be fetched over https", raw)
	}
	if u.Host == "" || u.User != nil {
		return "", "", fmt.Errorf("%q: a policy URL needs a host and no user info", raw)
	}
	pin := ""
	if u.Fragment != "" {
		m := pinRE().FindStringSubmatch(u.Fragment)
		if m == nil {
			return "", "", fmt.Errorf("%q: the only fragment allowed is #sha256=<64 hex digits>", raw)
		}
		pin = strings.ToLower(m[1])
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String(), pin, nil
}

func (s *Sources) cacheDir() (string, error) {
	if s.CacheDir != "" {
		return s.CacheDir, nil
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "guard", "policy"), nil
}

func (s *Sources) fetch(ctx context.Context, raw string) (document, error) {
	u, pin, err := parsePolicyURL(raw)
	if err != nil {
		d := Diagnostic{Level: LevelError, File: raw, Message: err.Error()}
		return document{name: raw, diags: []Diagnostic{d}}, fmt.Errorf("%w: %s", ErrInvalid, d)
	}
	doc := document{name: u}
	fail := func(kind error, format string, args ...any) (document, error) {
		d := Diagnostic{Level: LevelError, File: u, Message: fmt.Sprintf(format, args...)}
		doc.diags = append(doc.diags, d)
		doc.data = nil
		return doc, fmt.Errorf("%w: %s", kind, d)
	}
	cachePath := ""
	if dir, err := s.cacheDir(); err == nil {
		cachePath = filepath.Join(dir, digest([]byte(u))[:32]+".toml")
	}
	var fetchErr error
	if s.Offline {
		fetchErr = errors.New("offline")
	} else {
		data, err := s.get(ctx, u)
		if err == nil {
			if pin != "" && digest(data) != pin {
				return fail(ErrInvalid, "the policy fetched has sha256 %s, not the pinned %s: refusing to use it", digest(data), pin)
			}
			doc.data = data
			doc.commit = func() error {
				if cachePath == "" {
					return errors.New("no user cache directory")
				}
				return writeAtomic(cachePath, data)
			}
			return doc, nil
		}
		fetchErr = err
	}
	if cachePath == "" {
		return fail(ErrUnavailable, "the org policy could not be fetched (%v) and there is no cache directory", fetchErr)
	}
	data, err := readLocal(cachePath)
	if err != nil {
		return fail(ErrUnavailable, "the org policy could not be fetched (%v) and there is no cached copy", fetchErr)
	}
	if pin != "" && digest(data) != pin {
		return fail(ErrUnavailable, "the org policy could not be fetched (%v) and the cached copy (%s) has sha256 %s, not the pinned %s", fetchErr, cachePath, digest(data), pin)
	}
	when := ""
	if st, err := os.Stat(cachePath); err == nil {
		when = " from " + st.ModTime().UTC().Format(time.RFC3339)
	}
	doc.data, doc.cached = data, true
	doc.diags = append(doc.diags, Diagnostic{Level: LevelNotice, File: u,
		Message: fmt.Sprintf("the org policy could not be fetched (%v): using the cached copy%s", fetchErr, when)})
	return doc, nil
}

// get fetches a URL: https only (redirects too), a timeout, MaxFileSize.
func (s *Sources) get(ctx context.Context, u string) ([]byte, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var client http.Client
	if s.HTTPClient != nil {
		client = *s.HTTPClient
	}
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		if req.URL.Scheme != "https" {
			return fmt.Errorf("redirect to %s is not https", req.URL.Redacted())
		}
		return nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/toml, text/plain;q=0.9, */*;q=0.1")
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("the answer is larger than %d bytes", MaxFileSize)
	}
	return data, nil
}

// writeAtomic writes a cached policy whole or not at all.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return atomicfile.WriteBytes(path, data, 0o644, false)
}
