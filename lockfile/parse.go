package lockfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/installguard/guard/lockfile/regfile"
)

// ParseError says which file, and where in it, could not be understood.
type ParseError struct {
	Path string
	Line int    // 1-based; 0 when unknown
	Key  string // the key or entry being read, when known
	Err  error
}

func (e *ParseError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Key != "" {
		fmt.Fprintf(&b, ": %s", e.Key)
	}
	fmt.Fprintf(&b, ": %v", e.Err)
	return b.String()
}

func (e *ParseError) Unwrap() error { return e.Err }

// ErrUnknownFormat is returned (wrapped) when a file is not a lockfile guard knows.
var ErrUnknownFormat = errors.New("not a supported lockfile")

// errorf builds a ParseError.
func errorf(path string, line int, key string, format string, args ...any) error {
	return &ParseError{Path: path, Line: line, Key: key, Err: fmt.Errorf(format, args...)}
}

// input is what a format parser receives.
type input struct {
	Path string // as given by the caller; used in errors and Lockfile.Path
	Data []byte
	// ReadFile reads another file (requirements includes). Paths are
	// resolved by the parser relative to Path's directory.
	ReadFile func(path string) ([]byte, error)
	// Root is the project folder: includes that resolve outside it are not
	// read (requirements -r/-c). "" means no bound (in-memory tests).
	Root string
}

// format describes one supported lockfile format.
type format struct {
	Format    Format
	Ecosystem Ecosystem
	// Name reports whether a file name (base name) is this format's.
	Name func(base string) bool
	// Sniff reports whether content looks like this format; used when the
	// name is ambiguous or unknown. May be nil.
	Sniff func(data []byte) bool
	Parse func(in *input) (*Lockfile, error)
}

var formats []*format

func register(f *format) { formats = append(formats, f) }

func formatByName(f Format) *format {
	for _, x := range formats {
		if x.Format == f {
			return x
		}
	}
	return nil
}

// Formats lists the supported formats.
func Formats() []Format {
	out := make([]Format, len(formats))
	for i, f := range formats {
		out[i] = f.Format
	}
	return out
}

// EcosystemOf returns the ecosystem of a format.
func EcosystemOf(f Format) Ecosystem {
	if x := formatByName(f); x != nil {
		return x.Ecosystem
	}
	return ""
}

// Detect returns the format of a file from its name and, when the name is
// not conclusive, its content. ok is false when the file is no lockfile guard
// knows.
func Detect(path string, data []byte) (Format, bool) {
	base := filepath.Base(path)
	var byName []*format
	for _, f := range formats {
		if f.Name != nil && f.Name(base) {
			byName = append(byName, f)
		}
	}
	if len(byName) == 1 {
		return byName[0].Format, true
	}
	candidates := byName
	if len(candidates) == 0 {
		candidates = formats
	}
	for _, f := range candidates {
		if f.Sniff != nil && data != nil && f.Sniff(data) {
			return f.Format, true
		}
	}
	return formatUnknown, false
}

// MaxFileSize bounds how much of a lockfile guard reads. Real lockfiles are a
// few MiB; anything this large is refused instead of exhausting memory.
var MaxFileSize int64 = defaultMaxFileSize

func readFile(path string) ([]byte, error) {
	data, err := regfile.Read(path, MaxFileSize)
	var re *regfile.Error
	if errors.As(err, &re) {
		// Devices, FIFOs and sockets could block or never end (/dev/zero, a
		// "-r /dev/stdin" include): only regular files are lockfiles.
		return nil, &ParseError{Path: path, Err: re.Reason()}
	}
	return data, err
}

// ReadFile reads a file that goes with a lockfile (package.json, a
// workspace file, a package manager's report) the way lockfiles are read:
// a regular file opened without blocking, at most MaxFileSize bytes
// (lockfile/regfile).
func ReadFile(path string) ([]byte, error) { return readFile(path) }

// Parse reads and parses one lockfile, detecting its format.
func Parse(path string) (*Lockfile, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	f, ok := Detect(path, data)
	if !ok {
		return nil, &ParseError{Path: path, Err: ErrUnknownFormat}
	}
	return parseData(path, data, formatByName(f))
}

// ParseAs reads and parses a file as the given format.
func ParseAs(path string, f Format) (*Lockfile, error) {
	return ParseAsWithin(path, f, defaultRoot(path))
}

// ParseAsWithin is ParseAs for a file of the project in folder root:
// includes it names that resolve outside root (after following symbolic
// links) are not read but listed in Lockfile.Options with NotRead set.
// Parse and ParseAs use ProjectFolder(path, current directory).
func ParseAsWithin(path string, f Format, root string) (*Lockfile, error) {
	x := formatByName(f)
	if x == nil {
		return nil, fmt.Errorf("unknown lockfile format %q", f)
	}
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return parseDataWithin(path, data, x, root)
}

// ParseBytes parses data as the given format; path is used in errors and
// to resolve includes.
func ParseBytes(path string, data []byte, f Format) (*Lockfile, error) {
	x := formatByName(f)
	if x == nil {
		return nil, fmt.Errorf("unknown lockfile format %q", f)
	}
	return parseData(path, data, x)
}

func parseData(path string, data []byte, f *format) (*Lockfile, error) {
	return parseDataWithin(path, data, f, defaultRoot(path))
}

// defaultRoot is the project folder of a lockfile named on the command
// line (ProjectFolder with the current directory).
func defaultRoot(path string) string {
	wd, _ := os.Getwd()
	return ProjectFolder(path, wd)
}

// ProjectFolder is the folder that bounds what a lockfile may include
// (requirements -r/-c), for guard run in folder cwd: the git work tree
// holding the lockfile; without one, cwd when the lockfile lies in it;
// else the lockfile's own folder. The filesystem root is never a project
// folder (a container's default working directory is "/").
func ProjectFolder(path, cwd string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Dir(path)
	}
	dir := filepath.Dir(abs)
	if top := gitTop(dir); top != "" {
		return top
	}
	if cwd != "" && filepath.Dir(cwd) != cwd && Within(cwd, abs) {
		return cwd
	}
	return dir
}

// gitTop is the top of the git work tree holding dir (a folder with a .git
// entry, dir or above, not the filesystem root), or "".
func gitTop(dir string) string {
	for d := dir; filepath.Dir(d) != d; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
	}
	return ""
}

// Within reports whether path lies in folder root, comparing the real
// paths (symbolic links followed where they exist) so that a link inside
// root that points out of it is outside.
func Within(root, path string) bool {
	// real resolves the longest existing prefix of p, so that a file that
	// does not exist yet compares like its folder.
	real := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			return filepath.Clean(p)
		}
		rest := ""
		for dir := a; ; {
			if r, err := filepath.EvalSymlinks(dir); err == nil {
				return filepath.Join(r, rest)
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				return a
			}
			rest = filepath.Join(filepath.Base(dir), rest)
			dir = parent
		}
	}
	rel, err := filepath.Rel(real(root), real(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func parseDataWithin(path string, data []byte, f *format, root string) (lf *Lockfile, err error) {
	// A parser bug must never take guard down: report it as a parse error
	// naming the file, like any other unreadable input.
	defer func() {
		if r := recover(); r != nil {
			lf, err = nil, &ParseError{Path: path, Err: fmt.Errorf("internal error parsing %s: %v", f.Format, r)}
		}
	}()
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if tomlFormats[f.Format] {
		if err := checkTOMLNesting(path, data); err != nil {
			return nil, err
		}
	}
	lf, err = f.Parse(&input{Path: path, Data: data, ReadFile: readFile, Root: root})
	if err != nil {
		return nil, err
	}
	lf.Path = path
	lf.Format = f.Format
	lf.Ecosystem = f.Ecosystem
	Finish(lf)
	return lf, nil
}

// Finish completes a lockfile after parsing: every package gets the
// ecosystem, roots are marked Direct, and Chain is computed by a
// breadth-first walk of Deps from the direct dependencies, so that each
// package's chain is a shortest one.
func Finish(lf *Lockfile) {
	byID := make(map[string]int, len(lf.Packages))
	for i := range lf.Packages {
		p := &lf.Packages[i]
		if p.Ecosystem == "" {
			p.Ecosystem = lf.Ecosystem
		}
		if p.ID != "" {
			if _, dup := byID[p.ID]; !dup {
				byID[p.ID] = i
			}
		}
	}
	for _, r := range lf.Roots {
		if i, ok := byID[r]; ok {
			lf.Packages[i].Direct = true
		}
	}
	// parent[i] is the index of the package through which i was first reached.
	parent := make([]int, len(lf.Packages))
	seen := make([]bool, len(lf.Packages))
	var queue []int
	for i := range lf.Packages {
		parent[i] = -1
		// Workspace members are the project itself: their dependencies are
		// roots too, and they start no chain of their own.
		if lf.Packages[i].Direct || lf.Packages[i].Source.Kind == SourceWorkspace {
			seen[i] = true
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, d := range lf.Packages[i].Deps {
			j, ok := byID[d]
			if !ok || seen[j] {
				continue
			}
			seen[j] = true
			if lf.Packages[i].Source.Kind == SourceWorkspace {
				lf.Packages[j].Direct = true
			} else {
				parent[j] = i
			}
			queue = append(queue, j)
		}
	}
	for i := range lf.Packages {
		if parent[i] < 0 {
			continue
		}
		// Walk up at most maxChain steps: a hostile lockfile with one long
		// chain must not cost memory quadratic in its length.
		var chain []string
		depth := 0
		for j := parent[i]; j >= 0; j = parent[j] {
			depth++
			if len(chain) < maxChain {
				chain = append(chain, lf.Packages[j].Key())
			}
			if depth > len(lf.Packages) { // cannot happen; guards against a cycle bug
				break
			}
		}
		for a, b := 0, len(chain)-1; a < b; a, b = a+1, b-1 {
			chain[a], chain[b] = chain[b], chain[a]
		}
		if depth > maxChain {
			// chain holds the maxChain dependents nearest the package; say
			// how many more stand between it and the direct dependency.
			chain = append([]string{fmt.Sprintf("… %d more", depth-maxChain)}, chain...)
		}
		lf.Packages[i].Chain = chain
	}
}

// maxChain bounds the dependents Chain lists: enough for any real project
// (the corpus's deepest is 14), and linear memory for hostile ones.
const maxChain = 32

// lineOf returns the 1-based line number of byte offset off in data.
func lineOf(data []byte, off int64) int {
	if off < 0 {
		return 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}
