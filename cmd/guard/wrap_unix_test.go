//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWrapForwardsSignals(t *testing.T) {
	for _, tt := range []struct {
		name string
		sig  syscall.Signal
		trap string
		want int
	}{
		{"SIGINT handled by the child", syscall.SIGINT, `trap 'echo child got INT; exit 42' INT`, 42},
		{"SIGTERM kills the child", syscall.SIGTERM, ``, 128 + int(syscall.SIGTERM)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ready := filepath.Join(dir, "ready")
			env := fakeNpm(t, fakeResolve+tt.trap+"\ntouch "+ready+"\nwhile :; do sleep 0.1; done\n")
			writeFiles(t, dir, map[string]string{"package.json": testManifest})
			cmd := exec.Command(guardBinary(t), "npm", "install")
			cmd.Dir = dir
			cmd.Env = append(append(os.Environ(), "GUARD_DB="+testDBDir), env...)
			// Its own process group: no terminal sends anything to guard's
			// child, so only forwarding can reach it.
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				if _, err := os.Stat(ready); err == nil {
					break
				}
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatalf("the fake npm never started: %s", errb.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			cmd.Process.Signal(tt.sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				t.Fatalf("guard did not exit after %v; stderr %s", tt.sig, errb.String())
			}
			if code := cmd.ProcessState.ExitCode(); code != tt.want {
				t.Fatalf("exit %d, want %d; stdout %q stderr %q", code, tt.want, out.String(), errb.String())
			}
		})
	}
}

// A signal while the install is being resolved: the resolution stops, the
// temporary copy is removed, the project is untouched, exit 128+n.
func TestWrapSignalWhileResolving(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			dir, tmp := t.TempDir(), privateTmp(t)
			ready := filepath.Join(t.TempDir(), "ready")
			env := fakeNpm(t, "touch "+ready+"\nwhile :; do sleep 0.1; done\n")
			writeFiles(t, dir, map[string]string{"package.json": testManifest})
			before := treeSums(t, dir)
			cmd := exec.Command(guardBinary(t), "npm", "install", "x")
			cmd.Dir = dir
			cmd.Env = append(append(os.Environ(), "GUARD_DB="+testDBDir, "GUARD_TMPDIR="+tmp), env...)
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			deadline := time.Now().Add(30 * time.Second)
			for {
				if _, err := os.Stat(ready); err == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the resolution never started: %s", errb.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			if left, _ := filepath.Glob(filepath.Join(tmp, "guard-npm-*")); len(left) != 1 {
				t.Fatalf("temporary copy while resolving: %q", left)
			}
			cmd.Process.Signal(sig)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatalf("guard did not stop; stderr %s", errb.String())
			}
			if code := cmd.ProcessState.ExitCode(); code != 128+int(sig) {
				t.Errorf("exit %d, want %d; stderr %s", code, 128+int(sig), errb.String())
			}
			if left, _ := filepath.Glob(filepath.Join(tmp, "guard-npm-*")); len(left) != 0 {
				t.Errorf("temporary copy left behind: %q", left)
			}
			if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
				t.Errorf("the project changed:\n%s", d)
			}
		})
	}
}

// Progress lines only on a terminal, on standard error, cleared afterwards.
func TestWrapProgressOnlyOnATerminal(t *testing.T) {
	bin := t.TempDir()
	writeFiles(t, bin, map[string]string{"npm": "#!/bin/sh\n" + fakeResolve + "exit 0\n"})
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"package.json": testManifest})
	t.Chdir(dir)
	r := runGuard(t, nil, true, "npm", "install")
	if r.code != 0 || !strings.Contains(r.stderr, "\rguard: resolving what npm install would install…\x1b[K") ||
		!strings.Contains(r.stderr, "\rguard: checking 0 packages…\x1b[K\r\x1b[K") || r.stdout != "" {
		t.Errorf("terminal: exit %d stderr %q stdout %q", r.code, r.stderr, r.stdout)
	}
	r = runGuard(t, nil, false, "npm", "install")
	if r.code != 0 || strings.Contains(r.stderr, "\r") || strings.Contains(r.stderr, "resolving") {
		t.Errorf("not a terminal: exit %d stderr %q", r.code, r.stderr)
	}
}

// --format json --output FILE: the report in the file, one line on stderr;
// a package the real command adds beyond the checked set is reported.
func TestWrapJSONReportAndUncheckedAdditions(t *testing.T) {
	bin := t.TempDir()
	// The real run installs a package the resolution never mentioned.
	writeFiles(t, bin, map[string]string{"npm": "#!/bin/sh\n" + fakeResolve + `mkdir -p node_modules
printf '{"name":"x","lockfileVersion":3,"requires":true,"packages":{"":{"name":"x"},"node_modules/sneaky":{"version":"6.6.6","integrity":"sha512-` + strings.Repeat("C", 86) + `=="}}}\n' > node_modules/.package-lock.json
exit 0
`})
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"package.json": testManifest})
	t.Chdir(dir)
	out := filepath.Join(t.TempDir(), "report.json")
	r := runGuard(t, nil, false, "--format", "json", "-o", out, "npm", "install")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(data), `"verdict": "allow"`) {
		t.Errorf("report file: %v\n%s", err, data)
	}
	if !strings.Contains(r.stderr, "verdict allow, report written to "+out) {
		t.Errorf("stderr lacks the one-line verdict:\n%s", r.stderr)
	}
	if !strings.Contains(r.stderr, "installed 1 packages that were not checked:\n  sneaky@6.6.6\n") {
		t.Errorf("stderr lacks the unchecked addition:\n%s", r.stderr)
	}
}

// privateTmp is a folder for guard's private copies (GUARD_TMPDIR) outside
// the system's temporary folder, which guard refuses because other users
// can write there; removed when the test ends.
func privateTmp(t *testing.T) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(cache, "guard-test")
	if err := os.MkdirAll(base, 0o700); err != nil {
		t.Fatal(err)
	}
	d, err := os.MkdirTemp(base, "tmp-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// guard makes its private copies where no other user can put a file the
// package manager would read (a /tmp/.yarnrc naming a yarn-path ran that
// program): with its folder under a world-writable one (here the user's
// cache under the system's temporary folder) it refuses, exit 3, without
// running the package manager; GUARD_TMPDIR names a folder that is fine.
func TestWrapPrivateCopyFolder(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ran")
	env := fakeNpm(t, "touch "+ready+"\nexit 1\n")
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"package.json": testManifest})
	cache := t.TempDir() // under the system's temporary folder
	r := runBin(t, dir, append(env, "XDG_CACHE_HOME="+cache, "GUARD_TMPDIR="), "npm", "install", "x")
	if r.code != 3 || !strings.Contains(r.stderr, "can be written by every user") || !strings.Contains(r.stderr, "GUARD_TMPDIR") {
		t.Fatalf("exit %d, want 3 naming the world-writable folder and GUARD_TMPDIR\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(ready); err == nil {
		t.Error("npm ran")
	}
	shared := filepath.Join(privateTmp(t), "shared")
	if err := os.Mkdir(shared, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(shared, 0o777)
	r = runBin(t, dir, append(env, "GUARD_TMPDIR="+filepath.Join(shared, "guard")), "npm", "install", "x")
	if r.code != 3 || !strings.Contains(r.stderr, shared+" can be written by every user") {
		t.Fatalf("GUARD_TMPDIR below a world-writable folder: exit %d, want 3\n%s", r.code, r.stderr)
	}
	r = runBin(t, dir, append(env, "GUARD_TMPDIR="+privateTmp(t)), "npm", "install", "x")
	if _, err := os.Stat(ready); err != nil || r.code != 3 || strings.Contains(r.stderr, "private folder") {
		t.Fatalf("GUARD_TMPDIR in a private folder: npm ran %v, exit %d\n%s", err == nil, r.code, r.stderr)
	}
}
