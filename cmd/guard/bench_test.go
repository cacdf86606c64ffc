package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkCheckCLIReactScriptsOffline is the work of one
// `guard check --offline --format json` on the corpus's react-scripts
// lockfile (1,291 packages) against the corpus DB, from flag parsing to the
// written report, without process start-up (bench/check-speed.sh measures
// the whole process). The DB's index is built once before the timer starts,
// as `guard db update` would have.
func BenchmarkCheckCLIReactScriptsOffline(b *testing.B) {
	corpus := corpusDir(b)
	lock := filepath.Join(corpus, "lockfiles", "npm-generated", "c-react-scripts", "package-lock.json")
	cache := b.TempDir()
	getenv := func(k string) string {
		switch k {
		case "XDG_CACHE_HOME":
			return cache
		case "HOME":
			return os.Getenv("HOME")
		}
		return ""
	}
	args := []string{"check", "--offline", "--db", filepath.Join(corpus, "osv"), "--max-db-age", "0", "--mode", "warn", "--format", "json", lock}
	e := &env{stdout: io.Discard, stderr: io.Discard, getenv: getenv, isTerminal: func(io.Writer) bool { return false }}
	b.Setenv("XDG_CACHE_HOME", cache)
	if code := run(context.Background(), e, args); code != 0 {
		b.Fatalf("exit %d", code)
	}
	b.ReportAllocs()
	for b.Loop() {
		if code := run(context.Background(), e, args); code != 0 {
			b.Fatalf("exit %d", code)
		}
	}
}
