package provenance

import (
	"context"
	"errors"
	"fmt"
	"github.com/installguard/guard/verify/httpretry/silent"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/installguard/guard/lockfile"
)

func manyPackages(n int) []lockfile.Package {
	var out []lockfile.Package
	for i := range n {
		out = append(out, npmPkg(fmt.Sprintf("pkg-%d", i), "1.0.0", make([]byte, 64)))
	}
	return out
}

// TestSilentAttestationEndpoint (issue 12 item 7): an attestation endpoint
// that accepts and never answers costs the idle deadline once per worker,
// not 3 attempts × the request timeout per package: every package is
// unverifiable naming the silence, and once the host is known silent no
// further connection is made.
func TestSilentAttestationEndpoint(t *testing.T) {
	srv := silent.New(t)
	url, conns := srv.URL(), srv.Conns
	v := newTestVerifier(t, url, WithIdleTimeout(200*time.Millisecond), WithWorkers(4), WithRequestTimeout(time.Hour))
	rs := v.Verify(context.Background(), manyPackages(40))
	for _, r := range rs {
		if r.Status != StatusUnverifiable || !strings.Contains(r.Reason, "sent nothing") {
			t.Fatalf("%s: %s (%s)", r.Name, r.Status, r.Reason)
		}
	}
	if n := conns(); n > 4 {
		t.Errorf("%d connections for 40 packages and 4 workers: the silent host was asked again", n)
	}
}

// TestProvenanceBudget (issue 12 item 7): a registry that keeps answering,
// too slowly to ever finish, is cut off by the run's total budget; the
// packages left are unverifiable with the budget as reason, and requests
// after the budget is spent are not made.
func TestProvenanceBudget(t *testing.T) {
	reg := newTestRegistry(t)
	var requests atomic.Int32
	reg.fallbck = func(w http.ResponseWriter, req *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		for {
			select {
			case <-req.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}
	v := newTestVerifier(t, reg.URL, WithBudget(300*time.Millisecond), WithWorkers(2), WithRequestTimeout(time.Hour))
	rs := v.Verify(context.Background(), manyPackages(10))
	for _, r := range rs {
		if r.Status != StatusUnverifiable || !strings.Contains(r.Reason, "budget") {
			t.Fatalf("%s: %s (%s)", r.Name, r.Status, r.Reason)
		}
	}
	if n := requests.Load(); n > 2 {
		t.Errorf("%d requests; want at most one per worker before the budget ran out", n)
	}
	_, err := v.fetch.get(context.Background(), reg.URL+"/x", "", 10)
	if !errors.Is(err, ErrBudget) {
		t.Errorf("request after the budget: %v", err)
	}
}
