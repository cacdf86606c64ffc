package lockfile

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestRequirementsFixture(t *testing.T) {
	const dir = "testdata/requirements"
	lf, err := ParseAs(dir+"/requirements.txt", FormatRequirements)
	if err != nil {
		t.Fatal(err)
	}
	if lf.Format != FormatRequirements || lf.Ecosystem != PyPI || lf.FormatVersion != "" {
		t.Errorf("format %q ecosystem %q version %q", lf.Format, lf.Ecosystem, lf.FormatVersion)
	}
	wantIncludes := []string{filepath.FromSlash(dir + "/base/requirements-base.txt"), filepath.FromSlash(dir + "/constraints.txt")}
	if !reflect.DeepEqual(lf.Includes, wantIncludes) {
		t.Errorf("includes %q, want %q", lf.Includes, wantIncludes)
	}
	wantIndexes := []string{"https://pypi.org/simple", "https://user:xxxxx@private.example/simple"}
	if !reflect.DeepEqual(lf.Indexes, wantIndexes) {
		t.Errorf("indexes %q, want %q", lf.Indexes, wantIndexes)
	}
	at := func(line int) string { return dir + "/requirements.txt:" + strconv.Itoa(line) }
	reg := Source{Kind: SourceRegistry}
	urllib3URL := "https://files.pythonhosted.org/packages/aa/bb/urllib3-1.26.8-py2.py3-none-any.whl#sha256=" + pyFakeSHA256("urllib3")
	projURL := "git+https://github.com/example/proj.git@0123456789abcdef0123456789abcdef01234567#egg=proj"
	want := []pyPkgView{
		{Name: "six", Version: "1.16.0", Hashes: []Hash{pySHA256Hash("six")}, Source: reg, Direct: true,
			Path: filepath.FromSlash(dir+"/base/requirements-base.txt") + ":1", Line: 1},
		{Name: "django", Version: "4.2.1", Hashes: []Hash{pySHA256Hash("django-a"), pySHA256Hash("django-b")}, Source: reg, Direct: true, Path: at(7), Line: 7},
		{Name: "requests", Requirement: ">=2.8.1,==2.8.*", Source: reg, Direct: true, Path: at(11), Line: 11},
		{Name: "zope-interface", Version: "5.4.0", Source: reg, Direct: true, Path: at(12), Line: 12},
		{Name: "flask", Source: reg, Direct: true, Path: at(13), Line: 13},
		// pinned (and hashed) by constraints.txt
		{Name: "pyyaml", Version: "6.0.1", Hashes: []Hash{pySHA256Hash("pyyaml")}, Source: reg, Direct: true, Path: at(14), Line: 14},
		{Name: "numpy", Requirement: "==1.26.*", Source: reg, Direct: true, Path: at(15), Line: 15},
		{Name: "proj", Source: Source{Kind: SourceGit, URL: projURL, Ref: "0123456789abcdef0123456789abcdef01234567"}, Direct: true, Path: at(16), Line: 16},
		{Name: "", Source: Source{Kind: SourcePath, URL: "./local/pkg"}, Direct: true, Path: at(17), Line: 17},
		{Name: "urllib3", Version: "1.26.8", Hashes: []Hash{pySHA256Hash("urllib3")}, Source: Source{Kind: SourceURL, URL: urllib3URL}, Direct: true, Path: at(18), Line: 18},
		{Name: "numpy", Version: "1.9.2", Source: Source{Kind: SourcePath, URL: "./downloads/numpy-1.9.2-cp34-none-win32.whl"}, Direct: true, Path: at(19), Line: 19},
		{Name: "other-pkg", Source: Source{Kind: SourceGit, URL: "git+https://github.com/example/other.git@v1.2#egg=Other_Pkg"}, Direct: true, Path: at(20), Line: 20},
		{Name: "", Source: Source{Kind: SourceURL, URL: "https://example.com/archive/thing.zip"}, Direct: true, Path: at(21), Line: 21},
		{Name: "qwert", Requirement: "==${MY_VERSION}", Source: reg, Direct: true, Path: at(22), Line: 22},
	}
	comparePyPackages(t, lf.Packages, want)
	ids := map[string]bool{}
	for _, p := range lf.Packages {
		if p.ID == "" || ids[p.ID] {
			t.Errorf("ID %q empty or repeated", p.ID)
		}
		ids[p.ID] = true
	}
}

func TestRequirementsIncludeErrors(t *testing.T) {
	_, err := ParseAs("testdata/requirements/cycle/a.txt", FormatRequirements)
	wantPyParseError(t, err, filepath.FromSlash("testdata/requirements/cycle/b.txt"), 1,
		"include cycle", "testdata/requirements/cycle/a.txt -> testdata/requirements/cycle/b.txt -> testdata/requirements/cycle/a.txt")

	_, err = ParseAs("testdata/requirements/missing-include.txt", FormatRequirements)
	wantPyParseError(t, err, "testdata/requirements/missing-include.txt", 3, "-r ./missing.txt", "does not exist")

	_, err = ParseBytes("x/requirements.txt", []byte("a==1\n-r https://example.com/r.txt\n"), FormatRequirements)
	wantPyParseError(t, err, "x/requirements.txt", 2, "guard reads no network")
}

// memInput parses requirements text whose includes come from files.
func parsePipMem(t *testing.T, path, text string, files map[string]string) (*Lockfile, error) {
	t.Helper()
	in := &input{Path: path, Data: []byte(text), ReadFile: func(p string) ([]byte, error) {
		if s, ok := files[filepath.ToSlash(p)]; ok {
			return []byte(s), nil
		}
		return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
	}}
	lf, err := parseRequirements(in)
	if err == nil {
		lf.Ecosystem = PyPI
		Finish(lf)
	}
	return lf, err
}

func TestRequirementsLines(t *testing.T) {
	reg := Source{Kind: SourceRegistry}
	tests := []struct {
		name  string
		text  string
		files map[string]string
		want  []pyPkgView
	}{
		{
			name: "continuations and comments, numbered by first line",
			text: "# c\nfoo==\\\n\\\n \\\n1.2.3\nbar == 4.5\\\\\n.6\nbaz == 7.8.9 # \\\nbaz == 1.2.3\n  # indented comment \\\nqux==1 \\\n# comment ends the joined line\nlast==2\\",
			want: []pyPkgView{
				{Name: "foo", Version: "1.2.3", Source: reg, Direct: true, Path: "r.txt:2", Line: 2},
				{Name: "bar", Version: "4.5.6", Source: reg, Direct: true, Path: "r.txt:6", Line: 6},
				{Name: "baz", Version: "7.8.9", Source: reg, Direct: true, Path: "r.txt:8", Line: 8},
				{Name: "qux", Version: "1", Source: reg, Direct: true, Path: "r.txt:11", Line: 11},
				{Name: "last", Version: "2", Source: reg, Direct: true, Path: "r.txt:13", Line: 13},
			},
		},
		{
			name: "CRLF, hash options in any spelling",
			text: "a==1 --hash sha256:00\r\nb==2 --hash=sha512:11 -C x --global-option=y --hash=sha384:22\r\n",
			want: []pyPkgView{
				{Name: "a", Version: "1", Hashes: []Hash{{Algorithm: "sha256", Digest: "00"}}, Source: reg, Direct: true, Path: "r.txt:1", Line: 1},
				{Name: "b", Version: "2", Hashes: []Hash{{Algorithm: "sha512", Digest: "11"}, {Algorithm: "sha384", Digest: "22"}}, Source: reg, Direct: true, Path: "r.txt:2", Line: 2},
			},
		},
		{
			name: "markers stay out of the version; options after a marker",
			text: `foo5==1.0; python_version < "2.7" --hash=sha256:aa` + "\n" + `bar>=1 ; sys_platform == "win32"`,
			want: []pyPkgView{
				{Name: "foo5", Version: "1.0", Hashes: []Hash{{Algorithm: "sha256", Digest: "aa"}}, Source: reg, Direct: true, Path: "r.txt:1", Line: 1},
				{Name: "bar", Requirement: ">=1", Source: reg, Direct: true, Path: "r.txt:2", Line: 2},
			},
		},
		{
			name: "words after the options are ignored, as pip ignores them",
			text: "foo6==1.0 --hash=sha256:aa trailing words\n",
			want: []pyPkgView{{Name: "foo6", Version: "1.0", Hashes: []Hash{{Algorithm: "sha256", Digest: "aa"}}, Source: reg, Direct: true, Path: "r.txt:1", Line: 1}},
		},
		{
			name: "options: abbreviations, attached short values, -r on a requirement line is ignored",
			text: "--extra-index https://a.example/simple\n-ihttps://b.example/simple\n--pre --prefer-binary --only-binary :all: --no-binary foo -f ./wheels --trusted-host h --require-hashes --use-feature x --no-index\nfoo==1 -r other.txt\n",
			want: []pyPkgView{{Name: "foo", Version: "1", Source: reg, Direct: true, Path: "r.txt:4", Line: 4}},
		},
		{
			name:  "constraints do not add packages; conflicting pins are not applied",
			text:  "-c c.txt\nalpha\nbeta>=1\ngamma==2\n",
			files: map[string]string{"c.txt": "alpha==1.0\nalpha==2.0\nbeta==1.5 --hash=sha256:bb\ngamma==2 --hash=sha256:cc\ndelta==9\n"},
			want: []pyPkgView{
				{Name: "alpha", Source: reg, Direct: true, Path: "r.txt:2", Line: 2},
				{Name: "beta", Version: "1.5", Hashes: []Hash{{Algorithm: "sha256", Digest: "bb"}}, Source: reg, Direct: true, Path: "r.txt:3", Line: 3},
				{Name: "gamma", Version: "2", Hashes: []Hash{{Algorithm: "sha256", Digest: "cc"}}, Source: reg, Direct: true, Path: "r.txt:4", Line: 4},
			},
		},
		{
			name:  "-r inside a constraints file adds requirements (pip's rule); files are read once",
			text:  "-c c.txt\n-r inc/x.txt\n-r inc/x.txt\n",
			files: map[string]string{"c.txt": "-r inc/y.txt\n", "inc/x.txt": "x==1\n", "inc/y.txt": "y==2\n"},
			want: []pyPkgView{
				{Name: "y", Version: "2", Source: reg, Direct: true, Path: "inc/y.txt:1", Line: 1},
				{Name: "x", Version: "1", Source: reg, Direct: true, Path: "inc/x.txt:1", Line: 1},
			},
		},
		{
			name:  "includes resolve against the including file; file: URLs",
			text:  "-r sub/a.txt\n",
			files: map[string]string{"sub/a.txt": "-r ../b.txt\n-r file:///abs/c.txt\n", "b.txt": "b==1\n", "/abs/c.txt": "c==1\n"},
			want: []pyPkgView{
				{Name: "b", Version: "1", Source: reg, Direct: true, Path: "b.txt:1", Line: 1},
				{Name: "c", Version: "1", Source: reg, Direct: true, Path: filepath.FromSlash("/abs/c.txt") + ":1", Line: 1},
			},
		},
		{
			name: "direct references",
			text: "-e .\n-e file:///srv/proj#egg=proj\n--editable=git+ssh://git@github.com/x/y.git@v2#egg=y[extra]&subdirectory=s\n" +
				"pkg @ git+https://github.com/x/pkg@0123456789012345678901234567890123456789\n" +
				"https://example.com/dist/thing-2.0.tar.gz#egg=thing&sha256=ab\n" +
				"C:\\wheels\\w-1.0-py3-none-any.whl\n",
			want: []pyPkgView{
				{Source: Source{Kind: SourcePath, URL: "."}, Direct: true, Path: "r.txt:1", Line: 1},
				{Name: "proj", Source: Source{Kind: SourcePath, URL: "file:///srv/proj#egg=proj"}, Direct: true, Path: "r.txt:2", Line: 2},
				{Name: "y", Source: Source{Kind: SourceGit, URL: "git+ssh://git@github.com/x/y.git@v2#egg=y[extra]&subdirectory=s"}, Direct: true, Path: "r.txt:3", Line: 3},
				{Name: "pkg", Source: Source{Kind: SourceGit, URL: "git+https://github.com/x/pkg@0123456789012345678901234567890123456789", Ref: "0123456789012345678901234567890123456789"}, Direct: true, Path: "r.txt:4", Line: 4},
				{Name: "thing", Version: "2.0", Hashes: []Hash{{Algorithm: "sha256", Digest: "ab"}}, Source: Source{Kind: SourceURL, URL: "https://example.com/dist/thing-2.0.tar.gz#egg=thing&sha256=ab"}, Direct: true, Path: "r.txt:5", Line: 5},
				{Name: "w", Version: "1.0", Source: Source{Kind: SourcePath, URL: "C:\\wheels\\w-1.0-py3-none-any.whl"}, Direct: true, Path: "r.txt:6", Line: 6},
			},
		},
		{
			name: "hashes on an editable line are ignored, as pip ignores them",
			text: "-e ./pkg --hash=sha256:aa\n",
			want: []pyPkgView{{Source: Source{Kind: SourcePath, URL: "./pkg"}, Direct: true, Path: "r.txt:1", Line: 1}},
		},
		{
			name: "duplicates stay separate entries",
			text: "flask==0.12.2\nFlask==0.12.2\n",
			want: []pyPkgView{
				{Name: "flask", Version: "0.12.2", Source: reg, Direct: true, Path: "r.txt:1", Line: 1},
				{Name: "flask", Version: "0.12.2", Source: reg, Direct: true, Path: "r.txt:2", Line: 2},
			},
		},
		{
			name: "option-only lines, blank and comment-only files",
			text: "\n# nothing\n--hash=sha256:aa\n-\n   \n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lf, err := parsePipMem(t, "r.txt", tt.text, tt.files)
			if err != nil {
				t.Fatal(err)
			}
			comparePyPackages(t, lf.Packages, tt.want)
		})
	}
}

func TestRequirementsErrors(t *testing.T) {
	tests := []struct {
		text string
		line int
		want string
	}{
		{"ok==1\nasdf==\n", 2, "missing version"},
		{"a==1\n\nasdf 1.0\n", 3, "unexpected text"},
		{"foo7==1.0 stray --hash=sha256:1\n", 1, "unexpected text"},
		{"foo==1 --unknown\n", 1, "no such option: --unknown"},
		{"foo==1 -x\n", 1, "no such option: -x"},
		{"--no\n", 1, "ambiguous option: --no"},
		{"--pre=yes\n", 1, "does not take a value"},
		{"foo==1 --hash\n", 1, "requires 1 argument"},
		{"foo==1 --hash=md5:00\n", 1, "sha256, sha384, sha512"},
		{"foo==1 --hash=wrongformat\n", 1, "hash name followed by a value"},
		{"foo==1 --global-option='unclosed\n", 1, "no closing quotation"},
		{"-e https://example.com/x.tar.gz\n", 1, "not a valid editable requirement"},
		{"./dist/not-a-wheel.whl\n", 1, "not a valid wheel file name"},
		{"foo==1 ;\n", 1, "empty environment marker"},
		{"git+https://h/x.git#egg=-bad\n", 1, "invalid #egg="},
		{"-c c.txt\n", 1, "does not exist"},
		{"-r\n", 1, "requires 1 argument"},
		{"c==3#no-blank-before-hash-is-no-comment\n", 1, "invalid version"},
	}
	for _, tt := range tests {
		_, err := parsePipMem(t, "r.txt", tt.text, nil)
		wantPyParseError(t, err, "r.txt", tt.line, tt.want)
	}
	// Errors in an included file name that file and its line.
	_, err := parsePipMem(t, "r.txt", "a==1\n-r sub/x.txt\n", map[string]string{"sub/x.txt": "\n\nbad line here\n"})
	wantPyParseError(t, err, filepath.FromSlash("sub/x.txt"), 3, "bad")
	_, err = parsePipMem(t, "r.txt", "-c c.txt\n", map[string]string{"c.txt": "-e ./x\n"})
	wantPyParseError(t, err, "c.txt", 1, "not allowed as constraints")
	_, err = parsePipMem(t, "r.txt", "-c c.txt\n", map[string]string{"c.txt": "./x.tar.gz\n"})
	wantPyParseError(t, err, "c.txt", 1, "not allowed as constraints")
}

func TestRequirementsEncodings(t *testing.T) {
	text := "six==1.16.0\r\nnumpy==1.0\r\n"
	utf16le := []byte{0xff, 0xfe}
	for _, u := range utf16.Encode([]rune(text)) {
		utf16le = append(utf16le, byte(u), byte(u>>8))
	}
	utf16be := []byte{0xfe, 0xff}
	for _, u := range utf16.Encode([]rune(text)) {
		utf16be = append(utf16be, byte(u>>8), byte(u))
	}
	utf32le := []byte{0xff, 0xfe, 0, 0}
	for _, r := range text {
		utf32le = append(utf32le, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
	}
	for name, data := range map[string][]byte{
		"utf-8 bom": append([]byte("\xef\xbb\xbf"), text...),
		"utf-16le":  utf16le,
		"utf-16be":  utf16be,
		"utf-32le":  utf32le,
	} {
		lf, err := ParseBytes("requirements.txt", data, FormatRequirements)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(lf.Packages) != 2 || lf.Packages[0].Name != "six" || lf.Packages[1].Version != "1.0" || lf.Packages[1].Line != 2 {
			t.Errorf("%s: got %+v", name, lf.Packages)
		}
	}
	_, err := ParseBytes("requirements.txt", []byte{0xff, 0xfe, 'a'}, FormatRequirements)
	wantPyParseError(t, err, "requirements.txt", 0, "odd length")
}

func TestRequirementsName(t *testing.T) {
	for base, want := range map[string]bool{
		"requirements.txt":        true,
		"Requirements.txt":        true,
		"requirements-dev.txt":    true,
		"requirements_test.txt":   true,
		"requirements.prod.txt":   true,
		"dev-requirements.txt":    true,
		"test_requirements.txt":   true,
		"constraints.txt":         true,
		"requirements.in":         false,
		"requirements.txt.bak":    false,
		"my-constraints.txt":      false,
		"main.txt":                false,
		"requirements":            false,
		"package-requirements.md": false,
	} {
		if got := isRequirementsName(base); got != want {
			t.Errorf("isRequirementsName(%q) = %v, want %v", base, got, want)
		}
	}
	if f, ok := Detect("x/requirements-dev.txt", nil); !ok || f != FormatRequirements {
		t.Errorf("Detect(requirements-dev.txt) = %q, %v", f, ok)
	}
}

func TestRequirementsSniff(t *testing.T) {
	yes := []string{
		"django==4.2\n",
		"# generated\nfoo\nbar>=1.0\n",
		"-r base.txt\n",
		"-e .\n",
		"foo \\\n  --hash=sha256:aa\n",
		"pkg @ https://example.com/pkg.whl\n",
		"git+https://github.com/x/y#egg=y\n",
	}
	no := []string{
		"",
		"foo\nbar\n",        // a word list is not evidence enough
		"hello world\n",     // prose
		"- item\n- other\n", // markdown
		"{\n  \"name\": \"x\"\n}\n",
		"[[package]]\nname = \"x\"\nversion = \"1\"\n",
		"lockfileVersion: '9.0'\n",
		"# yarn lockfile v1\n\n\"@babel/code-frame@^7.0.0\":\n  version \"7.0.0\"\n",
		"version = 3\n\n[[package]]\n",
		"foo==1\x00\n",
		"foo==1 --bogus\n",
	}
	for _, s := range yes {
		if !sniffRequirements([]byte(s)) {
			t.Errorf("sniffRequirements(%q) = false", s)
		}
	}
	for _, s := range no {
		if sniffRequirements([]byte(s)) {
			t.Errorf("sniffRequirements(%q) = true", s)
		}
	}
	data, err := os.ReadFile("testdata/requirements/requirements.txt")
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := Detect("fixture.txt", data); !ok || f != FormatRequirements {
		t.Errorf("Detect(fixture) = %q, %v", f, ok)
	}
}

// pipIndependentCount counts requirement lines without the parser: join
// backslash continuations, drop comments and blank lines, skip lines that
// are only options.
func pipIndependentCount(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var cur strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	flush := func() {
		s := cur.String()
		cur.Reset()
		if i := strings.Index(s, " #"); i >= 0 {
			s = s[:i]
		}
		s = strings.TrimSpace(s)
		if s == "" || strings.HasPrefix(s, "#") || strings.HasPrefix(s, "-") && !strings.HasPrefix(s, "-e") && !strings.HasPrefix(s, "--editable") {
			return
		}
		n++
	}
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			flush()
			continue
		}
		if strings.HasSuffix(line, `\`) {
			cur.WriteString(strings.TrimSuffix(line, `\`))
			continue
		}
		cur.WriteString(line)
		flush()
	}
	flush()
	return n
}

func TestRequirementsCorpus(t *testing.T) {
	root := corpusFile(t, "lockfiles/python")
	files, _ := filepath.Glob(filepath.Join(root, "requirements-*", "*", "*.txt"))
	if len(files) == 0 {
		t.Fatal("no requirements files in the corpus")
	}
	for _, f := range files {
		lf, err := ParseAs(f, FormatRequirements)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if want := pipIndependentCount(t, f); len(lf.Packages) != want {
			t.Errorf("%s: %d packages, independent count %d", f, len(lf.Packages), want)
		}
		hashed := strings.Contains(f, "requirements-hashes")
		for _, p := range lf.Packages {
			if p.Name == "" || p.Version == "" || !p.Direct || p.Source.Kind != SourceRegistry {
				t.Errorf("%s: %+v", p.Path, pyViewOf(p))
			}
			if hashed && len(p.Hashes) == 0 {
				t.Errorf("%s: %s has no hashes", p.Path, p.Name)
			}
			for _, h := range p.Hashes {
				if h.Algorithm != "sha256" || len(h.Hex()) != 64 {
					t.Errorf("%s: bad hash %+v", p.Path, h)
				}
			}
		}
		if data, _ := os.ReadFile(f); !sniffRequirements(data) {
			t.Errorf("%s: not recognised by content", f)
		}
	}
	spot := []struct {
		file, name, version string
		hashes              int
	}{
		{"requirements-hashes/warehouse/main.txt", "alembic", "1.18.5", 2},
		{"requirements-hashes/warehouse/main.txt", "argon2-cffi", "25.1.0", 2},
		{"requirements-hashes/supply-chain-firewall/requirements.txt", "blessed", "1.44.0", 2},
		{"requirements-vulnerable/pygoat/requirements.txt", "django", "4.2", 0},
		{"requirements-vulnerable/pygoat/requirements.txt", "pyyaml", "5.1", 0},
		{"requirements-vulnerable/dvpwa/requirements.txt", "aiohttp", "3.5.3", 0},
	}
	for _, s := range spot {
		lf, err := ParseAs(filepath.Join(root, filepath.FromSlash(s.file)), FormatRequirements)
		if err != nil {
			t.Error(err)
			continue
		}
		found := false
		for _, p := range lf.Packages {
			if p.Name == s.name {
				found = true
				if p.Version != s.version || len(p.Hashes) != s.hashes {
					t.Errorf("%s: %s %s with %d hashes, want %s with %d", s.file, p.Name, p.Version, len(p.Hashes), s.version, s.hashes)
				}
			}
		}
		if !found {
			t.Errorf("%s: %s missing", s.file, s.name)
		}
	}
	lf, err := ParseAs(filepath.Join(root, "requirements-hashes/warehouse/main.txt"), FormatRequirements)
	if err == nil && len(lf.Packages) != 184 {
		t.Errorf("warehouse main.txt: %d pins, want 184", len(lf.Packages))
	}
}

func BenchmarkParseRequirementsWarehouse(b *testing.B) {
	benchParse(b, "lockfiles/python/requirements-hashes/warehouse/main.txt", FormatRequirements)
}
