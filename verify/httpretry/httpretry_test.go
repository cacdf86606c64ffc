package httpretry

import (
	"context"
	"errors"
	"fmt"
	"github.com/installguard/guard/verify/httpretry/silent"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestSilentServerFailsOnce: a server that accepts and never answers fails
// the request after the idle deadline, with one attempt only (no 4 × 60s),
// and the next request to that host fails without connecting again.
func TestSilentServerFailsOnce(t *testing.T) {
	s := silent.New(t)
	p := &Policy{Attempts: 4, BackoffBase: time.Millisecond, Idle: 200 * time.Millisecond, Hosts: &Hosts{}}
	_, err := p.Do(context.Background(), &http.Client{}, Request{URL: s.URL() + "/v1/querybatch", MaxBody: 1 << 20})
	if !errors.Is(err, ErrSilent) || !strings.Contains(err.Error(), "sent nothing for 200ms") {
		t.Fatalf("err = %v, want ErrSilent naming the deadline", err)
	}
	if n := s.Conns(); n != 1 {
		t.Errorf("%d connections, want 1 (a silent server is not retried)", n)
	}
	_, err = p.Do(context.Background(), &http.Client{}, Request{URL: s.URL() + "/v1/vulns/X", MaxBody: 1 << 20})
	if !errors.Is(err, ErrSilent) || !strings.Contains(err.Error(), "not asked again") {
		t.Fatalf("second request: %v", err)
	}
	if n := s.Conns(); n != 1 {
		t.Errorf("%d connections after the second request, want still 1", n)
	}
}

// TestSilentAttemptTimeout: an attempt deadline shorter than the idle one,
// reached without a byte from the server, counts as silent too.
func TestSilentAttemptTimeout(t *testing.T) {
	s := silent.New(t)
	p := &Policy{Attempts: 3, BackoffBase: time.Millisecond, AttemptTimeout: 100 * time.Millisecond}
	_, err := p.Do(context.Background(), &http.Client{}, Request{URL: s.URL(), MaxBody: 10})
	if !errors.Is(err, ErrSilent) || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("err = %v", err)
	}
	if n := s.Conns(); n != 1 {
		t.Errorf("%d connections, want 1", n)
	}
}

// TestSlowButAliveServer: the idle deadline is about silence, not total
// time: an answer dripping in slower than the deadline in total, but with
// no gap as long, is read.
func TestSlowButAliveServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		for i := range 6 {
			fmt.Fprintf(w, "%d", i)
			w.(http.Flusher).Flush()
			time.Sleep(60 * time.Millisecond)
		}
	}))
	defer srv.Close()
	p := &Policy{Idle: 250 * time.Millisecond}
	body, err := p.Do(context.Background(), srv.Client(), Request{URL: srv.URL, MaxBody: 100})
	if err != nil || string(body) != "012345" {
		t.Fatalf("%q, %v", body, err)
	}
}

// TestRetryRules: 5xx and 429 are retried up to Attempts, other statuses
// and oversized answers are not, Retry-After beyond the cap fails at once,
// and the caller's context ends any wait.
func TestRetryRules(t *testing.T) {
	var hits atomic.Int32
	status := atomic.Int32{}
	retryAfter := atomic.Value{}
	retryAfter.Store("")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		if ra := retryAfter.Load().(string); ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		w.WriteHeader(int(status.Load()))
		w.Write([]byte(strings.Repeat("x", 100)))
	}))
	defer srv.Close()
	p := &Policy{Attempts: 3, BackoffBase: time.Millisecond, BackoffMax: 2 * time.Millisecond}
	do := func(max int64) error {
		hits.Store(0)
		_, err := p.Do(context.Background(), srv.Client(), Request{URL: srv.URL, MaxBody: max})
		return err
	}
	for _, c := range []struct {
		code     int
		ra       string
		max      int64
		wantHits int32
		wantErr  string
	}{
		{503, "", 1000, 3, "HTTP 503 Service Unavailable (gave up after 3 attempts)"},
		{429, "0", 1000, 3, "HTTP 429"},
		{429, "3600", 1000, 1, "Retry-After 1h0m0s is longer than 1m0s"},
		{404, "", 1000, 1, "HTTP 404"},
		{403, "", 1000, 1, "HTTP 403"},
		{200, "", 10, 1, "larger than the limit of 10 bytes"},
	} {
		status.Store(int32(c.code))
		retryAfter.Store(c.ra)
		err := do(c.max)
		if err == nil || !strings.Contains(err.Error(), c.wantErr) || hits.Load() != c.wantHits {
			t.Errorf("%d (Retry-After %q): %v after %d requests; want %q after %d", c.code, c.ra, err, hits.Load(), c.wantErr, c.wantHits)
		}
	}
	var se *StatusError
	status.Store(404)
	retryAfter.Store("")
	if err := do(1000); !errors.As(err, &se) || se.Code != 404 {
		t.Errorf("404 is not a *StatusError: %v", err)
	}
	// A cancelled context ends the backoff wait.
	status.Store(503)
	p.BackoffBase, p.BackoffMax = time.Hour, time.Hour
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel(errors.New("interrupted")) }()
	if _, err := p.Do(ctx, srv.Client(), Request{URL: srv.URL, MaxBody: 1000}); err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("cancelled during backoff: %v", err)
	}
}

func TestIdleFromEnv(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == EnvIdle {
				return v
			}
			return ""
		}
	}
	for v, want := range map[string]time.Duration{"": DefaultIdle, "0": DefaultIdle, "5s": 5 * time.Second, "2m": 2 * time.Minute} {
		if d, err := IdleFromEnv(env(v)); err != nil || d != want {
			t.Errorf("%q: %v, %v; want %v", v, d, err, want)
		}
	}
	for _, v := range []string{"-1s", "soon", "30"} {
		if _, err := IdleFromEnv(env(v)); err == nil || !strings.Contains(err.Error(), EnvIdle) {
			t.Errorf("%q: %v, want an error naming %s", v, err, EnvIdle)
		}
	}
}
