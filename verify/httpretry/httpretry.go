// Package httpretry is the one retry policy of every HTTP source guard
// reads evidence from (the OSV API, npm attestations and packuments, the
// PyPI index): a bounded number of attempts, exponential backoff with
// jitter, Retry-After honoured up to a cap, a size cap on every answer, and
// an idle deadline: a server that sends nothing for Policy.Idle (default
// 30s) fails the request at once, without retries, and marks its host as
// silent for the rest of the run so that the next requests to it fail fast
// instead of waiting again.
//
// What is retried: 429 and 5xx answers, and transport errors after which
// the server was heard from or refused outright (connection reset or
// refused, a body cut short). What is not: any other status, an answer over
// the cap, a silent server, and the caller's context ending.
package httpretry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultIdle is how long a server may send nothing before the request
// fails.
const DefaultIdle = 30 * time.Second

// Policy says how requests are retried. The zero value means the defaults.
type Policy struct {
	// Attempts is the number of tries per request, the first included
	// (default 4).
	Attempts int
	// BackoffBase is the wait before the first retry, doubled for each
	// further one up to BackoffMax, with jitter (defaults 500ms and 20s).
	BackoffBase, BackoffMax time.Duration
	// MaxRetryAfter is the longest Retry-After waited for; a server asking
	// for longer fails the request (default 60s).
	MaxRetryAfter time.Duration
	// Idle fails an attempt when the server sends nothing (no status line,
	// no body bytes) for this long (default DefaultIdle; negative: never).
	Idle time.Duration
	// AttemptTimeout bounds one attempt as a whole (0: only the
	// http.Client's own Timeout). An attempt that ends by it without a
	// byte from the server counts as silent.
	AttemptTimeout time.Duration
	// Hosts, when set, remembers silent hosts across requests.
	Hosts *Hosts
}

func (p *Policy) attempts() int {
	if p.Attempts <= 0 {
		return 4
	}
	return p.Attempts
}

func (p *Policy) idle() time.Duration {
	if p.Idle == 0 {
		return DefaultIdle
	}
	return p.Idle
}

func (p *Policy) maxRetryAfter() time.Duration {
	if p.MaxRetryAfter <= 0 {
		return 60 * time.Second
	}
	return p.MaxRetryAfter
}

// Backoff is the wait before retry number attempt (1-based): base·2^(n-1)
// capped at BackoffMax, with "equal jitter" (half fixed, half random) so
// that clients retrying together spread out.
func (p *Policy) Backoff(attempt int) time.Duration {
	base, maxD := p.BackoffBase, p.BackoffMax
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	if maxD <= 0 {
		maxD = 20 * time.Second
	}
	d := base
	for i := 1; i < attempt && d < maxD; i++ {
		d *= 2
	}
	d = min(d, maxD)
	half := d / 2
	return half + rand.N(half+1)
}

// Request is one HTTP request; it is rebuilt for every attempt.
type Request struct {
	Method string // default GET
	URL    string
	Body   []byte
	Header http.Header
	// MaxBody caps the answer's body (required).
	MaxBody int64
}

// StatusError is a final answer that is not 2xx.
type StatusError struct {
	URL  string
	Code int
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter    time.Duration
	HasRetryAfter bool
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.Code, http.StatusText(e.Code))
}

// Retryable reports whether a status is worth another attempt.
func Retryable(code int) bool { return code == http.StatusTooManyRequests || code >= 500 }

// ErrSilent is wrapped by the error of a request to a server that sent
// nothing within the idle deadline.
var ErrSilent = errors.New("server sent nothing")

// ErrTooLarge is wrapped by the error for an answer over Request.MaxBody.
var ErrTooLarge = errors.New("answer too large")

// Hosts remembers the hosts that went silent during a run.
type Hosts struct {
	mu     sync.Mutex
	silent map[string]error
}

func (h *Hosts) get(host string) error {
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.silent[host]
}

func (h *Hosts) mark(host string, err error) {
	if h == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.silent == nil {
		h.silent = map[string]error{}
	}
	if _, ok := h.silent[host]; !ok {
		h.silent[host] = err
	}
}

// Do sends r through c under the policy and returns the body of a 2xx
// answer, at most r.MaxBody bytes. Errors name no URL: callers add their
// own context.
func (p *Policy) Do(ctx context.Context, c *http.Client, r Request) ([]byte, error) {
	var data []byte
	err := p.Fetch(ctx, c, r, func(_ *http.Response, body io.Reader) error {
		b, err := io.ReadAll(io.LimitReader(body, r.MaxBody+1))
		if err != nil {
			// A body cut short (connection reset, fewer bytes than
			// Content-Length) is a network error: retried.
			return fmt.Errorf("reading the response: %w", err)
		}
		if int64(len(b)) > r.MaxBody {
			return fmt.Errorf("%w: response larger than the limit of %d bytes", ErrTooLarge, r.MaxBody)
		}
		data = b
		return nil
	})
	return data, err
}

// Fetch is Do for answers that are streamed rather than held (a DB
// download): sink reads the body of a 2xx answer, once per attempt, and
// must start over each time it is called. An error of sink is retried like
// a transport error unless it wraps ErrTooLarge or was made by Permanent.
func (p *Policy) Fetch(ctx context.Context, c *http.Client, r Request, sink func(resp *http.Response, body io.Reader) error) error {
	host := ""
	if u, err := url.Parse(r.URL); err == nil {
		host = u.Host
	}
	if err := p.Hosts.get(host); err != nil {
		return fmt.Errorf("%w (earlier in this run; not asked again)", err)
	}
	attempts := p.attempts()
	var last error
	for attempt := 1; ; attempt++ {
		retry, err := p.once(ctx, c, r, host, sink)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w (after: %v)", context.Cause(ctx), err)
		}
		if !retry {
			return err
		}
		wait := p.Backoff(attempt)
		var se *StatusError
		if errors.As(err, &se) && se.HasRetryAfter {
			if se.RetryAfter > p.maxRetryAfter() {
				return fmt.Errorf("%w (Retry-After %s is longer than %s)", err, se.RetryAfter, p.maxRetryAfter())
			}
			wait = max(se.RetryAfter, wait)
		}
		last = err
		if attempt >= attempts {
			return fmt.Errorf("%w (gave up after %d attempts)", last, attempts)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (while retrying after: %v)", context.Cause(ctx), last)
		case <-t.C:
		}
	}
}

// Permanent marks an error of a Fetch sink as not worth another attempt
// (a local write failed, the content is invalid).
func Permanent(err error) error { return permanent{err} }

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// once makes one attempt; retry says whether another is worth it.
func (p *Policy) once(ctx context.Context, c *http.Client, r Request, host string, sink func(*http.Response, io.Reader) error) (retry bool, err error) {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if p.AttemptTimeout > 0 {
		var cancelT context.CancelFunc
		actx, cancelT = context.WithTimeout(actx, p.AttemptTimeout)
		defer cancelT()
	}
	var heard atomic.Bool // the server sent something in this attempt
	idle := p.idle()
	silent := &silentError{host: host, d: idle}
	var timer *time.Timer
	if idle > 0 {
		timer = time.AfterFunc(idle, func() { cancel(silent) })
		defer timer.Stop()
	}
	kick := func() {
		heard.Store(true)
		if timer != nil {
			timer.Reset(idle)
		}
	}
	// fail classifies a transport error: a silent server is final (and
	// remembered), anything else may be retried.
	fail := func(err error) (bool, error) {
		if errors.Is(context.Cause(actx), ErrSilent) {
			p.Hosts.mark(host, silent)
			return false, silent
		}
		if ctx.Err() == nil && !heard.Load() && isTimeout(err) {
			se := &silentError{host: host, d: p.AttemptTimeout, cause: err}
			p.Hosts.mark(host, se)
			return false, se
		}
		return true, err
	}

	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	var rd io.Reader
	if r.Body != nil {
		rd = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(actx, method, r.URL, rd)
	if err != nil {
		return false, err
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	resp, err := c.Do(req)
	if err != nil {
		return fail(err)
	}
	defer resp.Body.Close()
	kick()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		se := &StatusError{URL: r.URL, Code: resp.StatusCode}
		se.RetryAfter, se.HasRetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return Retryable(resp.StatusCode), se
	}
	if r.MaxBody > 0 && resp.ContentLength > r.MaxBody {
		return false, fmt.Errorf("%w: response larger than the limit of %d bytes (%d announced)", ErrTooLarge, r.MaxBody, resp.ContentLength)
	}
	if err := sink(resp, &kickReader{resp.Body, kick}); err != nil {
		var perm permanent
		if errors.Is(err, ErrTooLarge) || errors.As(err, &perm) {
			return false, err
		}
		if retry, ferr := fail(err); !retry {
			return false, ferr
		}
		return true, err
	}
	return false, nil
}

// kickReader resets the idle timer whenever bytes arrive.
type kickReader struct {
	r    io.Reader
	kick func()
}

func (k *kickReader) Read(b []byte) (int, error) {
	n, err := k.r.Read(b)
	if n > 0 {
		k.kick()
	}
	return n, err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// silentError: the server sent nothing for d.
type silentError struct {
	host  string
	d     time.Duration
	cause error
}

func (e *silentError) Error() string {
	msg := fmt.Sprintf("%s sent nothing for %s", e.host, e.d)
	if e.cause != nil {
		msg += ": " + e.cause.Error()
	}
	return msg
}

func (e *silentError) Is(target error) bool { return target == ErrSilent }
func (e *silentError) Unwrap() error        { return e.cause }

// ParseRetryAfter reads a Retry-After header: delay-seconds or an HTTP
// date.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// IdleFromEnv reads GUARD_NET_IDLE_TIMEOUT (a Go duration, e.g. "30s",
// "2m"; "0" keeps the default). It is an error naming the variable when the
// value is not a positive duration.
func IdleFromEnv(getenv func(string) string) (time.Duration, error) {
	return durationEnv(getenv, EnvIdle, DefaultIdle)
}

// EnvIdle names the environment variable of the idle deadline.
const EnvIdle = "GUARD_NET_IDLE_TIMEOUT"

func durationEnv(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" || v == "0" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q: want a positive duration such as 30s or 2m", name, v)
	}
	return d, nil
}

// DurationEnv is IdleFromEnv for another variable and default.
func DurationEnv(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	return durationEnv(getenv, name, def)
}
