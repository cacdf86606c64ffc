package main

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// testWheel builds a pure-Python wheel: name, version, Requires-Dist lines.
func testWheel(t *testing.T, name, version string, requires ...string) (string, []byte) {
	t.Helper()
	dist := strings.ReplaceAll(name, "-", "_")
	info := dist + "-" + version + ".dist-info/"
	meta := "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n"
	for _, r := range requires {
		meta += "Requires-Dist: " + r + "\n"
	}
	files := []struct{ name, content string }{
		{dist + "/__init__.py", "VERSION = " + fmt.Sprintf("%q", version) + "\n"},
		{info + "METADATA", meta},
		{info + "WHEEL", "Wheel-Version: 1.0\nGenerator: guard-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
	}
	var record strings.Builder
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f.content))
		h := sha256.Sum256([]byte(f.content))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", f.name, base64.RawURLEncoding.EncodeToString(h[:]), len(f.content))
	}
	record.WriteString(info + "RECORD,,\n")
	w, _ := zw.Create(info + "RECORD")
	w.Write([]byte(record.String()))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return dist + "-" + version + "-py3-none-any.whl", buf.Bytes()
}

// pep503Index serves a PEP 503 simple index of the given files
// (project -> file name -> content).
func pep503Index(t *testing.T, projects map[string]map[string][]byte) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/simple/", func(w http.ResponseWriter, r *http.Request) {
		name := strings.Trim(strings.TrimPrefix(r.URL.Path, "/simple/"), "/")
		files, ok := projects[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, "<!DOCTYPE html>\n<html><body>\n")
		for fn, data := range files {
			h := sha256.Sum256(data)
			fmt.Fprintf(w, "<a href=\"/files/%s/%s#sha256=%s\">%s</a>\n", name, fn, hex.EncodeToString(h[:]), fn)
		}
		fmt.Fprintf(w, "</body></html>\n")
	})
	mux.HandleFunc("/files/", func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, "/files/"), "/")
		if len(parts) != 2 {
			http.NotFound(w, r)
			return
		}
		data, ok := projects[parts[0]][parts[1]]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestWrapPip(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("skipping the pip end-to-end test: python3 is not on PATH")
	}
	venv := filepath.Join(t.TempDir(), "venv")
	if out, err := exec.Command(python, "-m", "venv", venv).CombinedOutput(); err != nil {
		t.Skipf("skipping the pip end-to-end test: python3 -m venv: %v\n%s", err, out)
	}
	bin := filepath.Join(venv, "bin")
	if runtime.GOOS == "windows" {
		bin = filepath.Join(venv, "Scripts")
	}
	projects := map[string]map[string][]byte{}
	add := func(name, version string, requires ...string) {
		fn, data := testWheel(t, name, version, requires...)
		if projects[name] == nil {
			projects[name] = map[string][]byte{}
		}
		projects[name][fn] = data
	}
	add("guard-test-ok", "1.0.0")
	add("guard-test-vuln", "1.0.0")
	add("guard-test-app", "2.0.0", "guard-test-vuln>=1.0")
	projects["guard-test-sdist"] = map[string][]byte{"guard-test-sdist-1.0.0.tar.gz": []byte("not really a tarball")}
	srv := pep503Index(t, projects)
	db := dbWith(t, map[string]map[string]string{"PyPI": {"PYSEC-2099-0200.json": osvRecord("PYSEC-2099-0200", "PyPI", "guard-test-vuln", "1.0.1")}})
	env := []string{
		"GUARD_DB=" + db,
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"VIRTUAL_ENV=" + venv,
		"PIP_INDEX_URL=" + srv.URL + "/simple/",
		"PIP_FIND_LINKS=",
		"PIP_NO_CACHE_DIR=1",
		"PIP_DISABLE_PIP_VERSION_CHECK=1",
	}
	dir := t.TempDir()
	site := filepath.Join(venv, "lib")
	before := treeSums(t, site)

	// A dependency with a known vulnerability: blocked, the venv untouched.
	r := runBin(t, dir, env, "pip", "install", "guard-test-app")
	if r.code != 1 || !strings.Contains(r.stderr, "PYSEC-2099-0200") || !strings.Contains(r.stderr, "guard-test-vuln@1.0.0") {
		t.Fatalf("pip install guard-test-app: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if d := diffSums(before, treeSums(t, site)); len(d) > 0 {
		t.Errorf("the venv changed:\n%s", strings.Join(d, "\n"))
	}
	// pip download fetches the same set: checked the same way.
	dest := filepath.Join(t.TempDir(), "dl")
	r = runBin(t, dir, env, "pip", "download", "guard-test-app", "-d", dest)
	if r.code != 1 || !strings.Contains(r.stderr, "guard-test-vuln@1.0.0") {
		t.Errorf("pip download guard-test-app: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(dest); err == nil {
		t.Errorf("pip download wrote %s", dest)
	}

	// Only a source distribution: not resolved (building it runs its code).
	r = runBin(t, dir, env, "pip", "install", "guard-test-sdist")
	if r.code != 3 || !strings.Contains(r.stderr, "wheels only") {
		t.Errorf("pip install of an sdist: exit %d, want 3\n%s", r.code, r.stderr)
	}

	// Allowed: installed, pip's output on stdout.
	r = runBin(t, dir, env, "pip", "install", "guard-test-ok==1.0.0")
	if r.code != 0 || !strings.Contains(r.stdout, "Successfully installed guard-test-ok-1.0.0") ||
		!strings.Contains(r.stderr, "pip install: 1 package checked (1 new)") {
		t.Fatalf("pip install guard-test-ok: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	// Installed already: checked again, labelled.
	r = runBin(t, dir, env, "pip", "install", "guard-test-ok==1.0.0")
	if r.code != 0 || !strings.Contains(r.stderr, "1 package checked (1 already installed)") {
		t.Errorf("second install: exit %d\n%s", r.code, r.stderr)
	}
	// Pass-through.
	r = runBin(t, dir, env, "pip", "show", "guard-test-ok")
	if r.code != 0 || !strings.Contains(r.stdout, "Version: 1.0.0") {
		t.Errorf("pip show: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
