package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// evilBackend is an in-tree PEP 517 build backend that records that it
// ran: importing it is running the package's code.
func evilBackend(marker string) map[string]string {
	return map[string]string{
		"pyproject.toml": "[build-system]\nrequires = []\nbuild-backend = \"evilbackend\"\nbackend-path = [\".\"]\n",
		"evilbackend.py": fmt.Sprintf("with open(%q, 'a') as f:\n    f.write('package code ran\\n')\n", marker) +
			"def get_requires_for_build_wheel(config_settings=None):\n    return []\n" +
			"def prepare_metadata_for_build_wheel(d, config_settings=None):\n    raise RuntimeError('evil')\n" +
			"def build_wheel(d, config_settings=None, metadata_directory=None):\n    raise RuntimeError('evil')\n",
		"setup.py": fmt.Sprintf("open(%q, 'a').write('setup.py ran\\n')\n", marker),
	}
}

// evilSdist is a source distribution whose build backend writes marker.
func evilSdist(t *testing.T, name, version, marker string) (string, []byte) {
	t.Helper()
	base := strings.ReplaceAll(name, "-", "_") + "-" + version
	files := evilBackend(marker)
	files["PKG-INFO"] = "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n"
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for n, c := range files {
		if err := tw.WriteHeader(&tar.Header{Name: base + "/" + n, Mode: 0o644, Size: int64(len(c)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(c))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	gz.Close()
	return base + ".tar.gz", buf.Bytes()
}

// Issue 12 item 5: nothing a project (or the environment) says makes pip
// build a source distribution while guard resolves: every way to ask for a
// build is refused with exit 3, naming the place and the option, and the
// sdist's build backend never runs, with or without guard's --dry-run.
// (guard/pm's TestPipNoBuild covers the spellings; this runs real pip on
// the main ones.)
func TestPipResolveNeverBuilds(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("skipping the pip no-build test: python3 is not on PATH")
	}
	venv := filepath.Join(t.TempDir(), "venv")
	if out, err := exec.Command(python, "-m", "venv", venv).CombinedOutput(); err != nil {
		t.Skipf("skipping the pip no-build test: python3 -m venv: %v\n%s", err, out)
	}
	bin := filepath.Join(venv, "bin")
	if runtime.GOOS == "windows" {
		bin = filepath.Join(venv, "Scripts")
	}
	marker := filepath.Join(t.TempDir(), "package-code-ran")
	sdistName, sdist := evilSdist(t, "guard-test-evil", "1.0", marker)
	wheelName, wheel := testWheel(t, "guard-test-fine", "1.0")
	// The index serves the evil project as an sdist only, and a fine wheel.
	projects := map[string]map[string][]byte{
		"guard-test-evil": {sdistName: sdist},
		"guard-test-fine": {wheelName: wheel},
	}
	srv := pep503Index(t, projects)
	// A wheel whose metadata depends on the sdist by direct URL: no option
	// stops pip from building that; guard's hook in pip does.
	urlDepName, urlDep := testWheel(t, "guard-test-urldep", "1.0", "guard-test-evil @ "+srv.URL+"/files/guard-test-evil/"+sdistName)
	projects["guard-test-urldep"] = map[string][]byte{urlDepName: urlDep}
	pipConf := filepath.Join(t.TempDir(), "pip.conf")
	writeFiles(t, filepath.Dir(pipConf), map[string]string{"pip.conf": "[install]\nno-binary = :all:\n"})
	outside := filepath.Join(t.TempDir(), "outside.txt")
	writeFiles(t, filepath.Dir(outside), map[string]string{"outside.txt": "--no-binary :all:\nSECRET-TOKEN-LINE\n"})

	env := []string{
		"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
		"VIRTUAL_ENV=" + venv,
		"PIP_INDEX_URL=" + srv.URL + "/simple/",
		"PIP_FIND_LINKS=",
		"PIP_CONFIG_FILE=" + os.DevNull,
		"PIP_NO_CACHE_DIR=1",
		"PIP_DISABLE_PIP_VERSION_CHECK=1",
	}
	project := map[string]string{
		"no-binary.txt":      "--no-binary :all:\nguard-test-evil==1.0\n",
		"no-binary-abbr.txt": "guard-test-evil==1.0\n--no-bin=guard-test-evil\n",
		"nested.txt":         "-r sub/base.txt\n",
		"sub/base.txt":       "guard-test-evil==1.0\n-c deeper.txt\n",
		"sub/deeper.txt":     "# constraints\n--no-binary guard-test-evil\n",
		"localdir.txt":       "./evilproj\n",
		"vcs.txt":            "guard-test-evil @ git+https://127.0.0.1:1/evil.git\n",
		"outside.txt":        "guard-test-fine==1.0\n-r " + outside + "\n",
		"ok.txt":             "--only-binary :all:\n--prefer-binary\n--no-binary :none:\nguard-test-fine==1.0\n",
		sdistName:            string(sdist),
	}
	for n, c := range evilBackend(marker) {
		project["evilproj/"+n] = c
	}
	dir := t.TempDir()
	writeFiles(t, dir, project)

	cases := []struct {
		name  string
		env   []string
		args  []string
		where string // in the message: the place and the option
		opt   string
	}{
		{"requirements --no-binary", nil, []string{"install", "-r", "no-binary.txt"}, "no-binary.txt:1", "--no-binary :all:"},
		{"abbreviated --no-binary", nil, []string{"install", "-r", "no-binary-abbr.txt"}, "no-binary-abbr.txt:2", "--no-binary guard-test-evil"},
		{"nested -r and -c includes", nil, []string{"install", "-r", "nested.txt"}, filepath.Join("sub", "deeper.txt") + ":2", "--no-binary guard-test-evil"},
		{"command line --no-binary", nil, []string{"install", "--no-binary", ":all:", "guard-test-evil"}, "the command line", "--no-binary :all:"},
		{"command line --no-build-isolation", nil, []string{"install", "--no-build-isolation", "guard-test-evil"}, "the command line", "--no-build-isolation"},
		{"PIP_NO_BINARY", []string{"PIP_NO_BINARY=:all:"}, []string{"install", "guard-test-evil"}, "PIP_NO_BINARY", ":all:"},
		{"pip.conf no-binary", []string{"PIP_CONFIG_FILE=" + pipConf}, []string{"install", "guard-test-evil"}, "install.no-binary", ":all:"},
		{"-e on the command line", nil, []string{"install", "-e", "./evilproj"}, "the command line", "--editable ./evilproj"},
		{"local project folder", nil, []string{"install", "./evilproj"}, "the command line", "./evilproj"},
		{"local sdist archive", nil, []string{"install", "./" + sdistName}, "the command line", sdistName},
		{"local folder in requirements", nil, []string{"install", "-r", "localdir.txt"}, "localdir.txt:1", "./evilproj"},
		{"VCS requirement", nil, []string{"install", "-r", "vcs.txt"}, "vcs.txt:1", "git+https://127.0.0.1:1/evil.git"},
		{"include outside the project", nil, []string{"install", "-r", "outside.txt"}, "outside.txt:2", "-r " + outside},
	}
	for i, c := range cases {
		for _, dry := range []bool{false, true} {
			if dry && i > 0 {
				continue // guard's --dry-run resolves the same way: shown for the first case
			}
			args := append([]string{"pip"}, c.args...)
			if dry {
				args = append([]string{"--dry-run"}, args...)
			}
			r := runBin(t, dir, append(append([]string{}, env...), c.env...), args...)
			label := fmt.Sprintf("%s (guard %s)", c.name, strings.Join(args, " "))
			if r.code != 3 || !strings.Contains(r.stderr, c.where) || !strings.Contains(r.stderr, c.opt) ||
				!strings.Contains(r.stderr, "runs the package's own code") {
				t.Errorf("%s: exit %d, want 3 naming %q and %q\nstdout:\n%s\nstderr:\n%s", label, r.code, c.where, c.opt, r.stdout, r.stderr)
			}
			if strings.Contains(r.stderr, "SECRET-TOKEN-LINE") {
				t.Errorf("%s: the report echoes a file outside the project:\n%s", label, r.stderr)
			}
			if data, err := os.ReadFile(marker); err == nil {
				t.Fatalf("%s: the sdist's build code ran during resolution: %s", label, data)
			}
		}
	}

	// A direct-URL dependency in a wheel's metadata: pip is stopped before
	// it prepares the sdist.
	for _, args := range [][]string{{"pip", "install", "guard-test-urldep"}, {"--dry-run", "pip", "install", "guard-test-urldep"}} {
		r := runBin(t, dir, env, args...)
		if r.code != 3 || !strings.Contains(r.stderr, "guard: refusing to build guard-test-evil") {
			t.Errorf("guard %s: exit %d, want 3 and pip stopped by guard\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
		}
		if data, err := os.ReadFile(marker); err == nil {
			t.Fatalf("guard %s: the sdist's build code ran during resolution: %s", strings.Join(args, " "), data)
		}
	}

	// Options that keep to wheels resolve and install as before.
	r := runBin(t, dir, env, "pip", "install", "-r", "ok.txt")
	if r.code != 0 || !strings.Contains(r.stdout, "Successfully installed guard-test-fine-1.0") {
		t.Errorf("pip install -r ok.txt: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if data, err := os.ReadFile(marker); err == nil {
		t.Fatalf("package code ran: %s", data)
	}
}
