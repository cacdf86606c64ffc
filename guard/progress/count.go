package progress

import (
	"io"
	"net/http"
	"path"
	"strings"
	"sync"
)

// Counter returns a callback drawing "what  done/total unit" that
// removes the line when done reaches total, or nil when progress is off.
func (c Config) Counter(what, unit string) func(done, total int) {
	if !c.Enabled() {
		return nil
	}
	var mu sync.Mutex
	var l *Line
	return func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if l == nil {
			l = c.Count(what, total, unit)
		}
		l.Set(int64(done))
		if done >= total {
			l.Done()
		}
	}
}

// Transport wraps an HTTP transport so that each response body of an
// OSV export download (<base>/<ecosystem>/all.zip) draws a byte-count line
// named for its ecosystem while it is read. With progress off it returns
// base unchanged.
func (c Config) Transport(base http.RoundTripper) http.RoundTripper {
	if !c.Enabled() {
		return base
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &progressTransport{c: c, base: base}
}

type progressTransport struct {
	c    Config
	base http.RoundTripper
}

func (t *progressTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK || path.Base(req.URL.Path) != "all.zip" {
		return resp, err
	}
	eco := path.Base(path.Dir(req.URL.Path))
	// The name comes from our own request URL; keep only plain characters.
	eco = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '[' || r == ']' {
			return -1
		}
		return r
	}, eco)
	l := t.c.Bytes(eco, resp.ContentLength)
	resp.Body = &progressBody{r: l.Reader(resp.Body), c: resp.Body, l: l}
	return resp, nil
}

type progressBody struct {
	r    io.Reader
	c    io.Closer
	l    *Line
	once sync.Once
}

func (b *progressBody) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b *progressBody) Close() error {
	b.once.Do(b.l.Done)
	return b.c.Close()
}
