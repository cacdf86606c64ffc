//go:build unix

package main

// Issue 12 items 3, 4, 7 and 8 end to end: files guard reads that are
// FIFOs, devices or too large; Ctrl-C and SIGTERM while a check waits on a
// silent server; the idle deadline; db update over https only and the
// shrink guard.

import (
	"archive/zip"
	"bytes"
	"github.com/installguard/guard/verify/httpretry/silent"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func mkfifo(t *testing.T, path string) {
	t.Helper()
	os.Remove(path)
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

// runGuardWithin runs guard in-process and fails the test if it is still
// running after d: the hostile files below used to block it forever.
func runGuardWithin(t *testing.T, d time.Duration, environ map[string]string, args ...string) result {
	t.Helper()
	done := make(chan result, 1)
	go func() { done <- runGuard(t, environ, false, args...) }()
	select {
	case r := <-done:
		return r
	case <-time.After(d):
		t.Fatalf("guard %s: still running after %s", strings.Join(args, " "), d)
		return result{}
	}
}

// TestHostileConfigFiles (issue 12 items 3 and 4): a FIFO or a symlink to
// /dev/zero in the place of any file guard reads is refused at once with
// exit 2 (3 for the offline DB: a check that could not complete) and an
// error naming the file; nothing blocks in open() and nothing is read
// without a cap.
func TestHostileConfigFiles(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	noUserrc := filepath.Join(t.TempDir(), "none")
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string) (args []string, env map[string]string)
		code  int
		names string
	}{
		{"guard.toml FIFO", func(t *testing.T, dir string) ([]string, map[string]string) {
			mkfifo(t, filepath.Join(dir, "guard.toml"))
			return []string{"check", dir}, nil
		}, 2, "guard.toml"},
		{"guard.toml symlink to /dev/zero", func(t *testing.T, dir string) ([]string, map[string]string) {
			os.Symlink("/dev/zero", filepath.Join(dir, "guard.toml"))
			return []string{"check", dir}, nil
		}, 2, "guard.toml"},
		{"--policy FIFO", func(t *testing.T, dir string) ([]string, map[string]string) {
			p := filepath.Join(t.TempDir(), "policy.toml")
			mkfifo(t, p)
			return []string{"check", "--policy", p, dir}, nil
		}, 2, "policy.toml"},
		{"lockfile FIFO", func(t *testing.T, dir string) ([]string, map[string]string) {
			p := filepath.Join(dir, "package-lock.json")
			mkfifo(t, p)
			return []string{"check", p}, nil
		}, 2, "package-lock.json"},
		{"requirements -r FIFO", func(t *testing.T, dir string) ([]string, map[string]string) {
			os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("-r more.txt\nsix==1.16.0\n"), 0o644)
			mkfifo(t, filepath.Join(dir, "more.txt"))
			return []string{"check", filepath.Join(dir, "requirements.txt")}, nil
		}, 2, "more.txt"},
		{"project .npmrc symlink to /dev/zero", func(t *testing.T, dir string) ([]string, map[string]string) {
			os.Symlink("/dev/zero", filepath.Join(dir, ".npmrc"))
			return []string{"check", dir}, map[string]string{"GUARD_NO_PROVENANCE": "", "NPM_CONFIG_USERCONFIG": noUserrc}
		}, 2, ".npmrc"},
		{"user .npmrc FIFO", func(t *testing.T, dir string) ([]string, map[string]string) {
			rc := filepath.Join(t.TempDir(), "npmrc")
			mkfifo(t, rc)
			return []string{"check", dir}, map[string]string{"GUARD_NO_PROVENANCE": "", "NPM_CONFIG_USERCONFIG": rc}
		}, 2, "npmrc"},
		{"pip.conf is /dev/zero", func(t *testing.T, dir string) ([]string, map[string]string) {
			return []string{"check", dir}, map[string]string{"GUARD_NO_PROVENANCE": "", "NPM_CONFIG_USERCONFIG": noUserrc,
				"npm_config_registry": "https://npm-registry.invalid/", "PIP_CONFIG_FILE": "/dev/zero"}
		}, 2, "/dev/zero"},
		{"PIP_CONFIG_FILE=/dev/null still means no configuration", func(t *testing.T, dir string) ([]string, map[string]string) {
			os.Symlink(os.DevNull, filepath.Join(dir, ".npmrc"))
			// Provenance on, from a loopback registry that has none.
			reg := httptest.NewServer(http.NotFoundHandler())
			t.Cleanup(reg.Close)
			return []string{"check", dir}, map[string]string{"GUARD_NO_PROVENANCE": "", "NPM_CONFIG_USERCONFIG": os.DevNull,
				"npm_config_registry": reg.URL + "/", "PIP_CONFIG_FILE": os.DevNull}
		}, 0, ""},
		{"--trusted-root FIFO", func(t *testing.T, dir string) ([]string, map[string]string) {
			p := filepath.Join(t.TempDir(), "trusted_root.json")
			mkfifo(t, p)
			return []string{"check", "--trusted-root", p, dir}, map[string]string{"GUARD_NO_PROVENANCE": ""}
		}, 2, "trusted_root.json"},
		{"DB all.zip FIFO", func(t *testing.T, dir string) ([]string, map[string]string) {
			db := filepath.Join(t.TempDir(), "db")
			os.MkdirAll(filepath.Join(db, "npm"), 0o755)
			mkfifo(t, filepath.Join(db, "npm", "all.zip"))
			return []string{"check", "--offline", "--db", db, dir}, nil
		}, 3, "all.zip"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyProject(t, "npm-pinned")
			args, env := c.setup(t, dir)
			r := runGuardWithin(t, 20*time.Second, env, args...)
			if r.code != c.code || !strings.Contains(r.stderr+r.stdout, c.names) {
				t.Fatalf("exit %d, want %d naming %s\nstderr: %s\nstdout: %s", r.code, c.code, c.names, r.stderr, r.stdout)
			}
			if c.code != 0 && !strings.Contains(r.stderr+r.stdout, "not a regular file") {
				t.Errorf("the error does not say why:\n%s%s", r.stderr, r.stdout)
			}
		})
	}
}

// cleanEnv is the test process's environment without guard's own
// variables, so that a developer's GUARD_DB or GUARD_OFFLINE cannot change
// what a test of the binary checks.
func cleanEnv(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GUARD_") {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

// TestSignalsEndAWaitingCheck (issue 12 item 3): Ctrl-C (SIGINT) or SIGTERM
// while guard check waits on an OSV API that accepted the connection and
// never answers ends guard promptly, as a check that could not complete.
func TestSignalsEndAWaitingCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the guard binary")
	}
	bin := guardBinary(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			srv := silent.New(t)
			api, accepted := srv.URL(), srv.Accepted()
			cmd := exec.Command(bin, "check", project("npm-pinned"))
			cmd.Env = cleanEnv("GUARD_OSV_URL="+api, "GUARD_NO_PROVENANCE=1", "GUARD_NO_METADATA=1", "GUARD_NET_IDLE_TIMEOUT=1h", "NO_COLOR=1")
			var errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &errb, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-accepted: // guard is now waiting for the answer
			case err := <-done:
				t.Fatalf("guard ended before asking the API: %v\n%s", err, errb.String())
			case <-time.After(30 * time.Second):
				cmd.Process.Kill()
				t.Fatal("guard never connected to the API")
			}
			cmd.Process.Signal(sig)
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running 10s after %s\n%s", sig, errb.String())
			}
			if code := cmd.ProcessState.ExitCode(); code != 3 {
				t.Errorf("exit %d after %s, want 3 (the check could not complete)\n%s", code, sig, errb.String())
			}
		})
	}
}

// TestSilentOSVAPIFailsTheRun (issue 12 item 7): an OSV API that accepts and
// never answers fails the check (exit 3) once the idle deadline
// (GUARD_NET_IDLE_TIMEOUT) passes, saying so.
func TestSilentOSVAPIFailsTheRun(t *testing.T) {
	api := silent.New(t).URL()
	r := runGuardWithin(t, 60*time.Second, map[string]string{"GUARD_DB": "", "GUARD_OSV_URL": api, "GUARD_NET_IDLE_TIMEOUT": "300ms"},
		"check", project("npm-pinned"))
	if r.code != 3 || !strings.Contains(r.stdout+r.stderr, "sent nothing for 300ms") {
		t.Fatalf("exit %d, want 3 naming the silence\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runGuard(t, map[string]string{"GUARD_NET_IDLE_TIMEOUT": "soon"}, false, "check", project("npm-pinned"))
	if r.code != 2 || !strings.Contains(r.stderr, "GUARD_NET_IDLE_TIMEOUT") {
		t.Fatalf("bad GUARD_NET_IDLE_TIMEOUT: exit %d\n%s", r.code, r.stderr)
	}
}

// TestDBUpdateTrust (issue 12 item 8): guard db update refuses a plain
// http URL (exit 2), and an export that would remove more than half of an
// ecosystem's records (exit 3, the old DB kept) unless --force.
func TestDBUpdateTrust(t *testing.T) {
	r := runGuard(t, nil, false, "db", "update", "--db", t.TempDir(), "--url", "http://127.0.0.1:1")
	if r.code != 2 || !strings.Contains(r.stderr, "only downloaded over https") {
		t.Fatalf("http URL: exit %d\n%s", r.code, r.stderr)
	}

	dir := filepath.Join(t.TempDir(), "osv-db")
	copyDir(t, testDBDir, dir)
	one := oneRecordDBServer(t)
	r = runGuard(t, nil, false, "db", "update", "--db", dir, "--url", one.URL, "--ecosystem", "npm")
	if r.code != 3 || !strings.Contains(r.stderr, "more than half") || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("shrinking update: exit %d\n%s", r.code, r.stderr)
	}
	// The old DB still blocks the malware fixture.
	if r := runGuard(t, map[string]string{"GUARD_DB": dir}, false, "check", project("npm-malware")); r.code != 1 {
		t.Fatalf("after a refused update: exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runGuard(t, nil, false, "db", "update", "--db", dir, "--url", one.URL, "--ecosystem", "npm", "--force")
	if r.code != 0 {
		t.Fatalf("--force: exit %d\n%s", r.code, r.stderr)
	}
}

// oneRecordDBServer serves an npm export holding one record (the attack of
// issue 12 item 8: a tiny DB replacing the real one).
func oneRecordDBServer(t *testing.T) *httptest.Server {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("GHSA-one.json")
	w.Write([]byte(osvRecord("GHSA-one", "npm", "left-pad", "1.3.0")))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/npm/all.zip" {
			http.NotFound(w, r)
			return
		}
		w.Write(buf.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv
}
