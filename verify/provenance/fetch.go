package provenance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/installguard/guard/verify/httpretry"
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

// fetcher makes bounded GET requests under verify/httpretry's policy (the
// one the OSV client uses too): a size cap, a timeout per attempt, an idle
// deadline, and a bounded number of attempts on 5xx, 429 and transport
// errors.
type fetcher struct {
	client    *http.Client
	attempts  int
	timeout   time.Duration
	idle      time.Duration
	backoff   time.Duration
	userAgent string
	hosts     httpretry.Hosts // hosts that went silent in this run
	// budget bounds the time of all requests of this fetcher together,
	// counted from the first one (0: none).
	budget    time.Duration
	startOnce sync.Once
	deadline  time.Time
}

// ErrBudget is wrapped by the error of a request made after the run's
// provenance budget (WithBudget) was spent.
var ErrBudget = errors.New("the provenance time budget of this run is spent")

func newFetcher(c *http.Client, workers int) *fetcher {
	if c == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		// One host serves all requests; keep a connection per worker.
		tr.MaxIdleConnsPerHost = workers
		tr.MaxIdleConns = workers * 2
		c = &http.Client{Transport: tr}
	}
	return &fetcher{
		client:    c,
		attempts:  3,
		timeout:   20 * time.Second,
		backoff:   200 * time.Millisecond,
		userAgent: "guard (provenance)",
	}
}

// get fetches url. It returns ErrNotFound (wrapped) on 404, *HTTPError for
// another final status.
func (f *fetcher) get(ctx context.Context, url, accept string, limit int64) ([]byte, error) {
	p := httpretry.Policy{
		Attempts: f.attempts, BackoffBase: f.backoff, BackoffMax: 16 * f.backoff,
		MaxRetryAfter: 5 * time.Second, Idle: f.idle, AttemptTimeout: f.timeout, Hosts: &f.hosts,
	}
	h := http.Header{"User-Agent": {f.userAgent}}
	if accept != "" {
		h.Set("Accept", accept)
	}
	if f.budget > 0 {
		f.startOnce.Do(func() { f.deadline = time.Now().Add(f.budget) })
		if time.Now().After(f.deadline) {
			return nil, fmt.Errorf("GET %s: %w (%s)", url, ErrBudget, f.budget)
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadlineCause(ctx, f.deadline, fmt.Errorf("%w (%s)", ErrBudget, f.budget))
		defer cancel()
	}
	body, err := p.Do(ctx, f.client, httpretry.Request{URL: url, Header: h, MaxBody: limit})
	var se *httpretry.StatusError
	switch {
	case err == nil:
		return body, nil
	case errors.As(err, &se) && se.Code == http.StatusNotFound:
		return nil, fmt.Errorf("GET %s: %w", url, ErrNotFound)
	case errors.As(err, &se):
		return nil, fmt.Errorf("%w%s", &HTTPError{URL: url, Status: se.Code}, trailer(err, se))
	default:
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
}

// trailer keeps what httpretry added to a status error ("gave up after 3
// attempts").
func trailer(err error, se *httpretry.StatusError) string {
	s, base := err.Error(), se.Error()
	if len(s) > len(base) && s[:len(base)] == base {
		return s[len(base):]
	}
	return ""
}
