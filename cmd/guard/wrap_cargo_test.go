package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cargoEnv builds a Cargo home whose crates.io is replaced by a directory
// source the test writes (no network, no crates.io), and a DB that marks
// guard-test-vuln 1.0.0 vulnerable. It returns the environment for guard.
func cargoEnv(t *testing.T) []string {
	t.Helper()
	if _, err := exec.LookPath("cargo"); err != nil {
		t.Skip("skipping the cargo end-to-end test: cargo is not on PATH")
	}
	if out, err := exec.Command("cargo", "--version").CombinedOutput(); err != nil {
		t.Skipf("skipping the cargo end-to-end test: cargo --version: %v %s", err, out)
	}
	root := t.TempDir()
	vendor := filepath.Join(root, "vendor")
	for _, c := range []struct{ name, version, deps string }{
		{"guard-test-ok", "1.0.0", ""},
		{"guard-test-ok", "1.1.0", ""},
		{"guard-test-vuln", "1.0.0", ""},
		{"guard-test-uses-vuln", "0.1.0", "guard-test-vuln = \"1\"\n"},
	} {
		dir := filepath.Join(vendor, c.name+"-"+c.version)
		files := map[string]string{
			"Cargo.toml": "[package]\nname = \"" + c.name + "\"\nversion = \"" + c.version + "\"\nedition = \"2021\"\n\n[dependencies]\n" + c.deps,
			"src/lib.rs": "pub fn v() -> &'static str { \"" + c.version + "\" }\n",
		}
		writeFiles(t, dir, files)
		sums := map[string]string{}
		for n, content := range files {
			h := sha256.Sum256([]byte(content))
			sums[n] = hex.EncodeToString(h[:])
		}
		pkg := sha256.Sum256([]byte(c.name + c.version))
		js, _ := json.Marshal(map[string]any{"files": sums, "package": hex.EncodeToString(pkg[:])})
		writeFiles(t, dir, map[string]string{".cargo-checksum.json": string(js)})
	}
	home := filepath.Join(root, "cargo-home")
	writeFiles(t, home, map[string]string{"config.toml": "[source.crates-io]\nreplace-with = \"guard-test\"\n\n[source.guard-test]\ndirectory = \"" + filepath.ToSlash(vendor) + "\"\n"})
	db := dbWith(t, map[string]map[string]string{"crates.io": {"RUSTSEC-2099-0100.json": osvRecord("RUSTSEC-2099-0100", "crates.io", "guard-test-vuln", "1.0.1")}})
	return []string{"CARGO_HOME=" + home, "GUARD_DB=" + db, "CARGO_TERM_COLOR=never"}
}

func cargoProject(t *testing.T, deps string) string {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"Cargo.toml":  "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n" + deps,
		"src/main.rs": "fn main() {}\n",
	})
	return dir
}

func TestWrapCargoBlocked(t *testing.T) {
	env := cargoEnv(t)
	dir := cargoProject(t, "guard-test-uses-vuln = \"0.1\"\n")
	before := treeSums(t, dir)
	r := runBin(t, dir, env, "cargo", "build")
	if r.code != 1 || !strings.Contains(r.stderr, "RUSTSEC-2099-0100") || !strings.Contains(r.stderr, "guard-test-vuln@1.0.0") {
		t.Fatalf("cargo build: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
		t.Errorf("the project changed (no Cargo.lock, no target/ expected):\n%s", strings.Join(d, "\n"))
	}
	// cargo add of the vulnerable crate: Cargo.toml stays as it was.
	dir = cargoProject(t, "guard-test-ok = \"1\"\n")
	before = treeSums(t, dir)
	r = runBin(t, dir, env, "cargo", "add", "guard-test-vuln@1.0.0")
	if r.code != 1 || !strings.Contains(r.stderr, "RUSTSEC-2099-0100") {
		t.Fatalf("cargo add: exit %d, want 1\n%s", r.code, r.stderr)
	}
	if d := diffSums(before, treeSums(t, dir)); len(d) > 0 {
		t.Errorf("the project changed:\n%s", strings.Join(d, "\n"))
	}
	// cargo install of a crate that pulls it in.
	r = runBin(t, dir, env, "cargo", "install", "guard-test-uses-vuln", "--root", filepath.Join(t.TempDir(), "root"))
	if r.code != 1 || !strings.Contains(r.stderr, "guard-test-vuln@1.0.0") {
		t.Fatalf("cargo install: exit %d, want 1\n%s", r.code, r.stderr)
	}
}

func TestWrapCargoAllowedMatchesPlainCargo(t *testing.T) {
	env := cargoEnv(t)
	guarded := cargoProject(t, "guard-test-ok = \"1\"\n")
	plain := cargoProject(t, "guard-test-ok = \"1\"\n")
	r := runBin(t, guarded, env, "cargo", "build", "--offline")
	if r.code != 0 || !strings.Contains(r.stderr, "1 package checked (1 new)") {
		t.Fatalf("guard cargo build: exit %d\n%s", r.code, r.stderr)
	}
	cmd := exec.Command("cargo", "build", "--offline")
	cmd.Dir = plain
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("plain cargo build: %v\n%s", err, out)
	}
	a, _ := os.ReadFile(filepath.Join(guarded, "Cargo.lock"))
	b, _ := os.ReadFile(filepath.Join(plain, "Cargo.lock"))
	if len(a) == 0 || string(a) != string(b) {
		t.Errorf("Cargo.lock differs:\n%s\n---\n%s", a, b)
	}
	if _, err := os.Stat(filepath.Join(guarded, "target", "debug", "app")); err != nil {
		t.Errorf("nothing was built: %v", err)
	}
	// The lockfile now exists: nothing new, and still checked.
	r = runBin(t, guarded, env, "cargo", "check", "--offline")
	if r.code != 0 || !strings.Contains(r.stderr, "1 package checked (1 already locked)") {
		t.Errorf("cargo check: exit %d\n%s", r.code, r.stderr)
	}
	// Pass-through and exit codes.
	if r := runBin(t, guarded, env, "cargo", "frobnicate"); r.code == 0 || !strings.Contains(r.stderr, "no such command") {
		t.Errorf("cargo frobnicate: exit %d %s", r.code, r.stderr)
	}
}

// cargo reads .cargo/config.toml in every folder above the project too:
// with the source replacement (the test's registry) in a parent folder's
// instead of CARGO_HOME's, guard's private resolution finds it as cargo
// does (the copy mirrors it), and guard's run ends as plain cargo's.
// Before, the copy saw no parent folder: the resolution went to crates.io.
func TestWrapCargoParentConfig(t *testing.T) {
	env := cargoEnv(t)
	var home string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "CARGO_HOME="); ok {
			home = v
		}
	}
	config, err := os.ReadFile(filepath.Join(home, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, "config.toml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	parent := t.TempDir()
	writeFiles(t, parent, map[string]string{".cargo/config.toml": string(config)})
	for _, name := range []string{"guarded", "plain"} {
		writeFiles(t, filepath.Join(parent, name), map[string]string{
			"Cargo.toml":  "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nguard-test-ok = \"1\"\n",
			"src/main.rs": "fn main() {}\n",
		})
	}
	r := runBin(t, filepath.Join(parent, "guarded"), env, "cargo", "generate-lockfile")
	if r.code != 0 || !strings.Contains(r.stderr, "1 package checked") {
		t.Fatalf("guard cargo generate-lockfile: exit %d\n%s", r.code, r.stderr)
	}
	cmd := exec.Command("cargo", "generate-lockfile")
	cmd.Dir = filepath.Join(parent, "plain")
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("plain cargo generate-lockfile: %v\n%s", err, out)
	}
	a, _ := os.ReadFile(filepath.Join(parent, "guarded", "Cargo.lock"))
	b, _ := os.ReadFile(filepath.Join(parent, "plain", "Cargo.lock"))
	if len(a) == 0 || string(a) != string(b) {
		t.Errorf("Cargo.lock differs from plain cargo's:\n%s\n---\n%s", a, b)
	}
}
