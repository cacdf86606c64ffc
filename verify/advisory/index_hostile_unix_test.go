//go:build unix

package advisory

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
)

// BenchmarkBuildIndexHostile2M builds the index of the export of issue 12
// item 4 (2 million distinct names; about 6 MB zipped) with the default run
// budget, and reports the process's peak RSS. Run it alone, so that the
// peak is the build's:
//
//	go test ./verify/advisory -run '^$' -bench BuildIndexHostile2M -benchtime 1x
//
// (bench/README.md records the numbers; the goal is under 300 MiB.)
func BenchmarkBuildIndexHostile2M(b *testing.B) {
	benchBuildIndexRSS(b, 2_000_000, 20_000)
}

// BenchmarkBuildIndexHostileMaxRecord: the largest record the limits let
// through (just under MaxRecordSize of JSON, all one record's names).
func BenchmarkBuildIndexHostileMaxRecord(b *testing.B) {
	// 75 bytes of JSON per name.
	n := int(DefaultLimits.MaxEntrySize/76) - 1
	benchBuildIndexRSS(b, n, n)
}

func benchBuildIndexRSS(b *testing.B, names, perRecord int) {
	dir := b.TempDir()
	zipPath, size := writeManyNamesZip(b, dir, names, perRecord)
	zf, err := os.Open(zipPath)
	if err != nil {
		b.Fatal(err)
	}
	defer zf.Close()
	runtime.GC()
	b.ResetTimer()
	for range b.N {
		idx, err := os.Create(filepath.Join(dir, "all.idx"))
		if err != nil {
			b.Fatal(err)
		}
		res, err := buildIndex(context.Background(), zf, size, zipPath, [32]byte{}, "npm", Limits{}, idx, dir)
		idx.Close()
		if err != nil {
			b.Fatal(err)
		}
		if res.Keys != names {
			b.Fatalf("%d keys", res.Keys)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(size)/(1<<20), "zip-MiB")
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "peak-RSS-MiB") // Maxrss is in KiB on Linux
	}
}
