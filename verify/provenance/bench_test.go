package provenance

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/installguard/guard/lockfile"
)

// latencyRegistry serves sigstore@1.0.0's real attestations answer for
// every package after a fixed delay, as a distant registry would.
func latencyRegistry(tb testing.TB, delay time.Duration) *testRegistry {
	body := corpusRead(tb, "npm-attestations/npm-cli/sigstore@1.0.0.attestations.json")
	reg := newTestRegistry(tb)
	reg.fallbck = func(w http.ResponseWriter, req *http.Request) {
		select {
		case <-time.After(delay):
		case <-req.Context().Done():
			return
		}
		w.Write(body)
	}
	return reg
}

// benchPackages are n distinct names. Each gets the same genuine answer,
// so every package costs the full verification (two bundles: Fulcio chain,
// SCT, transparency log entry and promise, DSSE signature; registry key)
// and ends invalid on the subject name: results are keyed by name and
// version, so nothing is shared between them.
func benchPackages(tb testing.TB, n int) []lockfile.Package {
	sha := corpusSHA512(tb, "npm-attestations/artifacts/sigstore-1.0.0.tgz")
	pkgs := make([]lockfile.Package, n)
	for i := range pkgs {
		pkgs[i] = npmPkg(fmt.Sprintf("bench-%04d", i), "1.0.0", sha)
	}
	return pkgs
}

func checkBench(tb testing.TB, rs []Result) {
	for _, r := range rs {
		if r.Status != StatusInvalid || len(r.Attestations) != 2 || !r.Attestations[0].SignatureVerified || !r.Attestations[1].SignatureVerified {
			tb.Fatalf("%s: %s (%s)", r.Name, r.Status, r.Reason)
		}
	}
}

// BenchmarkVerifyNPMCold: 1,000 packages, 50 ms per request, empty caches.
// Issue 14 asks for at least 1,000 packages/s on 2 cores.
func BenchmarkVerifyNPMCold(b *testing.B) {
	reg := latencyRegistry(b, 50*time.Millisecond)
	pkgs := benchPackages(b, 1000)
	tr := defaultTrust(b)
	b.ResetTimer()
	for range b.N {
		v, err := New(WithNPMRegistry(reg.URL), WithTrust(tr))
		if err != nil {
			b.Fatal(err)
		}
		start, cpu := time.Now(), processCPU()
		rs := v.Verify(context.Background(), pkgs)
		b.ReportMetric(float64(len(pkgs))/time.Since(start).Seconds(), "pkgs/s")
		// CPU per package (test registry included): steadier than pkgs/s
		// when other work shares the machine.
		b.ReportMetric(float64((processCPU()-cpu).Microseconds())/float64(len(pkgs)), "cpu-µs/pkg")
		b.StopTimer()
		checkBench(b, rs)
		b.StartTimer()
	}
}

// BenchmarkVerifyNPMWarm: the same 1,000 packages again on the same
// verifier (results cached). The issue asks for under 50 ms.
func BenchmarkVerifyNPMWarm(b *testing.B) {
	reg := latencyRegistry(b, 50*time.Millisecond)
	pkgs := benchPackages(b, 1000)
	v, err := New(WithNPMRegistry(reg.URL), WithTrust(defaultTrust(b)))
	if err != nil {
		b.Fatal(err)
	}
	checkBench(b, v.Verify(context.Background(), pkgs))
	b.ResetTimer()
	for range b.N {
		rs := v.Verify(context.Background(), pkgs)
		if !rs[len(rs)-1].Cached {
			b.Fatal("not cached")
		}
	}
}

// TestVerifyConcurrent is the benchmark's shape at a size a test can
// afford: 200 packages whose registry answers after 50 ms. The worker pool
// must ask for several at once; the test counts the requests in flight at
// the registry rather than timing the run (a loaded machine makes timings
// meaningless; BenchmarkVerifyNPMCold measures speed).
func TestVerifyConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	body := corpusRead(t, "npm-attestations/npm-cli/sigstore@1.0.0.attestations.json")
	reg := newTestRegistry(t)
	var inFlight, most atomic.Int32
	reg.fallbck = func(w http.ResponseWriter, req *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		select {
		case <-time.After(50 * time.Millisecond):
		case <-req.Context().Done():
			return
		}
		w.Write(body)
	}
	pkgs := benchPackages(t, 200)
	v := newTestVerifier(t, reg.URL)
	rs := v.Verify(context.Background(), pkgs)
	checkBench(t, rs)
	t.Logf("at most %d requests in flight", most.Load())
	if most.Load() < 4 {
		t.Errorf("at most %d requests in flight: the verifier does not ask concurrently", most.Load())
	}
}
