package lockfile

// Hostile inputs (issue 8): malformed lockfiles of every format (truncated
// and broken ones are in the conformance suite, conformance_test.go), oversized files, 10,000-deep nesting for each parser family, and
// symlinked lockfiles. Every case must end in a parse or a clear error —
// never a panic (parseData turns one into "internal error", which these
// tests treat as a failure), a hang or unbounded memory.

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// parseHostile parses data as format f with a time bound, and fails on a
// recovered panic. path "" is a file named as the format expects in a
// temporary folder.
func parseHostile(t *testing.T, f Format, path string, data []byte) (*Lockfile, error) {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), string(f))
	}
	type res struct {
		lf  *Lockfile
		err error
	}
	ch := make(chan res, 1)
	go func() {
		lf, err := ParseBytes(path, data, f)
		ch <- res{lf, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil && strings.Contains(r.err.Error(), "internal error") {
			t.Fatalf("%s: parser panicked: %v", f, r.err)
		}
		if r.err != nil && r.err.Error() == "" {
			t.Fatalf("%s: empty error message", f)
		}
		return r.lf, r.err
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: parser did not return within 20s on %d bytes", f, len(data))
	}
	return nil, nil
}

func TestHostileMalformed(t *testing.T) {
	garbage := [][]byte{
		nil,
		[]byte("\x00\x01\x02\xff\xfe"),
		[]byte("{{{{{{{{"),
		[]byte("]]]]"),
		[]byte(`{"lockfileVersion": "three", "packages": [1,2,3]}`),
		[]byte("packages:\n  - [unterminated\n"),
		[]byte("[[package]]\nname = 5\nversion = [\n"),
		[]byte(strings.Repeat("a", 1<<20)),             // one 1 MiB line
		[]byte(strings.Repeat("\n", 1<<20)),            // a million empty lines
		[]byte("\xef\xbb\xbf\xef\xbb\xbf{}"),           // double BOM
		[]byte(`{"packages":{"node_modules/a":null}}`), // null entry
	}
	for _, f := range Formats() {
		t.Run(string(f), func(t *testing.T) {
			for _, g := range garbage {
				parseHostile(t, f, "", g)
			}
		})
	}
}

// deep returns open^n + inner + close^n.
func deep(open, inner, close string, n int) string {
	return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
}

func TestHostileDeepNesting(t *testing.T) {
	const n = 10000
	cases := map[Format][]string{
		// JSON family.
		FormatPackageLock: {
			`{"lockfileVersion": 3, "packages": {"": ` + deep(`{"a":`, `1`, `}`, n) + `}}`,
			`{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": "1.0.0", "x": ` + deep(`[`, ``, `]`, n) + `}}}`,
			`{"lockfileVersion": 1, "dependencies": ` + deep(`{"a": {"version": "1.0.0", "dependencies": `, `{}`, `}}`, n) + `}`,
		},
		FormatPipfileLock: {`{"default": ` + deep(`{"a":`, `1`, `}`, n) + `}`},
		FormatBun:         {`{"lockfileVersion": 1, "workspaces": ` + deep(`{"a":`, `1`, `}`, n) + `}`, deep(`[`, ``, `]`, n)},
		// YAML family.
		FormatPnpm: {
			"lockfileVersion: '9.0'\npackages:\n  a@1.0.0: " + deep("[", "", "]", n) + "\n",
			"lockfileVersion: '9.0'\nimporters: " + deep("{a: ", "1", "}", n) + "\n",
			"lockfileVersion: '9.0'\nsnapshots:\n" + deepIndent(2000),
		},
		// Indentation nesting grows quadratically in bytes: 2,000 levels is 4 MB.
		FormatYarn: {"__metadata:\n  version: 6\n" + deepIndent(2000), "# yarn lockfile v1\n" + deepIndent(2000)},
		// TOML family.
		FormatCargoLock:  {"version = 3\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nx = " + deep("[", "", "]", n) + "\n"},
		FormatPoetryLock: {"[[package]]\nname = \"a\"\nversion = \"1.0\"\nx = " + deep("[", "", "]", n) + "\n"},
		FormatUVLock:     {"version = 1\n[[package]]\nname = \"a\"\nversion = \"1.0\"\nx = " + deep("[", "", "]", n) + "\n"},
		FormatPylock:     {"lock-version = \"1.0\"\n[[packages]]\nname = \"a\"\nx = " + deep("[", "", "]", n) + "\n"},
		FormatPDMLock:    {"[metadata]\nlock_version = \"4.4\"\n[[package]]\nname = \"a\"\nversion = \"1\"\nx = " + deep("[", "", "]", n) + "\n"},
		// Line based: 10,000 chained includes are covered by the include
		// depth limit; a single file is flat.
		FormatRequirements: {strings.Repeat("a==1.0 \\\n", n) + "\n"},
	}
	for f, inputs := range cases {
		t.Run(string(f), func(t *testing.T) {
			for i, in := range inputs {
				_, err := parseHostile(t, f, "", []byte(in))
				t.Logf("input %d (%d bytes): %v", i, len(in), err)
			}
		})
	}
}

// TestHostileDeepTOMLInlineTables: BurntSushi/toml takes time superlinear in
// the depth of nested inline tables (about 13 s for 10,000 levels in a 60 KB
// file), so every TOML format refuses nesting deeper than maxTOMLNesting
// before decoding, with an error naming the file and line.
func TestHostileDeepTOMLInlineTables(t *testing.T) {
	for _, f := range []Format{FormatCargoLock, FormatPoetryLock, FormatUVLock, FormatPylock, FormatPDMLock} {
		in := "x = " + deep("{b = ", "1", "}", 10000) + "\n"
		_, err := parseHostile(t, f, "", []byte(in))
		if err == nil || !strings.Contains(err.Error(), "nested more than") || !strings.Contains(err.Error(), ":1:") {
			t.Errorf("%s: 10,000 nested inline tables: %v", f, err)
		}
	}
}

// deepIndent is an indentation-nested YAML mapping n levels deep.
func deepIndent(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i))
		b.WriteString("a:\n")
	}
	return b.String()
}

// TestHostileOversizedLockfile: a 1 GB lockfile (a sparse file: nothing is
// written to disk) is refused with a clear error, reading at most
// MaxFileSize+1 bytes. The cap is lowered to 1 MiB so the test itself stays
// cheap; the code path is the one the 256 MiB default takes.
func TestHostileOversizedLockfile(t *testing.T) {
	old := MaxFileSize
	MaxFileSize = 1 << 20
	t.Cleanup(func() { MaxFileSize = old })
	dir := t.TempDir()
	for _, size := range []int64{1 << 30, MaxFileSize + 1} {
		path := filepath.Join(dir, "package-lock.json")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		if err := os.Truncate(path, size); err != nil {
			t.Skipf("sparse files unsupported here: %v", err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err = Parse(path)
		runtime.ReadMemStats(&after)
		var pe *ParseError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "larger than 1 MiB") || !strings.Contains(err.Error(), path) {
			t.Fatalf("size %d: want a ParseError naming the file and the cap, got %v", size, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
			t.Errorf("size %d: allocated %d MiB to refuse it; want at most a few times the 1 MiB cap", size, alloc>>20)
		}
	}
	// Exactly at the cap is read (and here refused as invalid JSON, not as too large).
	path := filepath.Join(dir, "at-cap", "package-lock.json")
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, nil, 0o644)
	os.Truncate(path, MaxFileSize)
	if _, err := Parse(path); err == nil || strings.Contains(err.Error(), "larger than") {
		t.Fatalf("file at the cap: want a parse error, not a size error; got %v", err)
	}
}

// TestHostileSymlinks documents how lockfile symlinks are treated:
//   - a lockfile named on the command line is read through a symlink (the
//     package manager reads it the same way, so guard checks what will be
//     installed);
//   - directory discovery (Find) lists a symlinked lockfile even when it
//     points outside the project, for the same reason: npm/pip/cargo follow
//     it. Symlinked folders are not descended into (no loops);
//   - a symlink to something that is not a regular file (/dev/zero, a FIFO)
//     is refused by the reader, never read forever;
//   - a dangling or looping symlink is an error naming the file.
func TestHostileSymlinks(t *testing.T) {
	data, err := os.ReadFile(conformanceCases[FormatPackageLock].sample)
	if err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	target := filepath.Join(outside, "real-lock.json")
	if err := os.WriteFile(target, data, 0o644); err != nil {
		t.Fatal(err)
	}
	proj := t.TempDir()
	link := filepath.Join(proj, "package-lock.json")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("symlinks unsupported: %v", err)
	}

	lf, err := Parse(link)
	if err != nil || len(lf.Packages) == 0 {
		t.Fatalf("explicit symlinked lockfile: %v", err)
	}
	if lf.Path != link {
		t.Errorf("reported path %q, want the name given (%q)", lf.Path, link)
	}

	found, err := Find(proj, true)
	if err != nil || len(found) != 1 || found[0] != link {
		t.Fatalf("Find: %q, %v; want the symlink listed", found, err)
	}

	// A symlinked folder is not descended into.
	os.MkdirAll(filepath.Join(outside, "sub"), 0o755)
	os.WriteFile(filepath.Join(outside, "sub", "yarn.lock"), []byte("# yarn lockfile v1\n"), 0o644)
	os.Symlink(filepath.Join(outside, "sub"), filepath.Join(proj, "linked-dir"))
	os.Symlink(proj, filepath.Join(proj, "loop"))
	found, err = Find(proj, true)
	if err != nil || len(found) != 1 {
		t.Fatalf("Find with symlinked folders: %q, %v; want only the lockfile symlink", found, err)
	}

	if _, err := os.Stat("/dev/zero"); err == nil {
		dev := filepath.Join(t.TempDir(), "package-lock.json")
		os.Symlink("/dev/zero", dev)
		done := make(chan error, 1)
		go func() { _, err := Parse(dev); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("symlink to /dev/zero: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("symlink to /dev/zero: still reading after 10s")
		}
	}

	dangling := filepath.Join(t.TempDir(), "Cargo.lock")
	os.Symlink(filepath.Join(outside, "nope"), dangling)
	if _, err := Parse(dangling); err == nil || !strings.Contains(err.Error(), dangling) {
		t.Errorf("dangling symlink: %v", err)
	}
	loopDir := t.TempDir()
	a, b := filepath.Join(loopDir, "poetry.lock"), filepath.Join(loopDir, "other")
	os.Symlink(b, a)
	os.Symlink(a, b)
	if _, err := Parse(a); err == nil {
		t.Error("symlink loop: no error")
	}
}
