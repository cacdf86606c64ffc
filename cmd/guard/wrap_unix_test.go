//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
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
