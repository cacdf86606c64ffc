package provenance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// ErrNotFound is returned when the server answers 404.
var ErrNotFound = errors.New("not found (404)")

// HTTPError is a final non-success answer.
type HTTPError struct {
	URL    string
	Status int
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("GET %s: %d %s", e.URL, e.Status, http.StatusText(e.Status))
}

// fetcher makes bounded GET requests: a size cap, a timeout per attempt, and
// a bounded number of attempts on 5xx, 429 and transport errors.
type fetcher struct {
	client      *http.Client
	attempts    int
	timeout     time.Duration
	backoff     time.Duration
	maxRetryAft time.Duration
	userAgent   string
}

func newFetcher(c *http.Client, workers int) *fetcher {
	if c == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		// One host serves all requests; keep a connection per worker.
		tr.MaxIdleConnsPerHost = workers
		tr.MaxIdleConns = workers * 2
		c = &http.Client{Transport: tr}
	}
	return &fetcher{
		client:      c,
		attempts:    3,
		timeout:     20 * time.Second,
		backoff:     200 * time.Millisecond,
		maxRetryAft: 5 * time.Second,
		userAgent:   "guard (provenance)",
	}
}

// get fetches url. It returns ErrNotFound (wrapped) on 404.
func (f *fetcher) get(ctx context.Context, url, accept string, limit int64) ([]byte, error) {
	var last error
	for attempt := 0; attempt < f.attempts; attempt++ {
		if attempt > 0 {
			wait := f.backoff << (attempt - 1)
			var he *retryAfterError
			if errors.As(last, &he) && he.after > 0 {
				wait = min(he.after, f.maxRetryAft)
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, fmt.Errorf("%w (after: %v)", ctx.Err(), last)
			case <-t.C:
			}
		}
		body, retry, err := f.once(ctx, url, accept, limit)
		if err == nil {
			return body, nil
		}
		last = err
		if !retry || ctx.Err() != nil {
			break
		}
	}
	return nil, last
}

type retryAfterError struct {
	HTTPError
	after time.Duration
}

func (e *retryAfterError) Unwrap() error { return &e.HTTPError }

func (f *fetcher) once(ctx context.Context, url, accept string, limit int64) ([]byte, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, false, err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	req.Header.Set("User-Agent", f.userAgent)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, true, err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		return nil, false, fmt.Errorf("GET %s: %w", url, ErrNotFound)
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
		e := &retryAfterError{HTTPError: HTTPError{URL: url, Status: resp.StatusCode}}
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			e.after = time.Duration(s) * time.Second
		}
		return nil, true, e
	case resp.StatusCode != http.StatusOK:
		return nil, false, &HTTPError{URL: url, Status: resp.StatusCode}
	}
	if resp.ContentLength > limit {
		return nil, false, fmt.Errorf("GET %s: answer of %d bytes exceeds the limit of %d", url, resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		// A connection cut mid-answer (truncated): worth another try.
		return nil, true, fmt.Errorf("GET %s: reading answer: %w", url, err)
	}
	if int64(len(body)) > limit {
		return nil, false, fmt.Errorf("GET %s: answer exceeds the limit of %d bytes", url, limit)
	}
	return body, false, nil
}
