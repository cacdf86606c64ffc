package lockfile

// Helpers shared by the yarn and pnpm parsers: the project manifest, the
// dev/optional reachability walk and the recognition of git-hosted sources.
// Identifiers carry the jsLock prefix so that they do not collide with other
// parsers of this package.

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// jsLockManifest is the part of a package.json the lockfile parsers read.
type jsLockManifest struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`
}

// jsLockReadManifest reads dir/package.json, where dir is relative to the
// lockfile's folder. A missing or unreadable manifest is not an error: the
// lockfile alone is still complete, only Direct/Dev get less precise. The
// manifest is not the file being parsed, so a broken one is treated like a
// missing one rather than failing the lockfile.
func jsLockReadManifest(in *input, dir string) *jsLockManifest {
	if in.ReadFile == nil {
		return nil
	}
	p := filepath.Join(filepath.Dir(in.Path), filepath.FromSlash(dir), "package.json")
	data, err := in.ReadFile(p)
	if err != nil {
		return nil
	}
	var m jsLockManifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil
	}
	return &m
}

// jsLockRoot is one dependency the project itself declares.
type jsLockRoot struct {
	Name, Spec    string
	Dev, Optional bool
}

// roots lists the manifest's dependencies: dependencies, optionalDependencies
// and peerDependencies are production roots, devDependencies dev roots.
func (m *jsLockManifest) roots() []jsLockRoot {
	if m == nil {
		return nil
	}
	var out []jsLockRoot
	add := func(deps map[string]string, dev, opt bool) {
		for _, n := range jsLockSortedKeys(deps) {
			out = append(out, jsLockRoot{Name: n, Spec: deps[n], Dev: dev, Optional: opt})
		}
	}
	add(m.Dependencies, false, false)
	add(m.OptionalDependencies, false, true)
	add(m.PeerDependencies, false, false)
	add(m.DevDependencies, true, false)
	return out
}

func jsLockSortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// jsLockEdge is a dependency edge to package index To.
type jsLockEdge struct {
	To       int
	Dev      bool // only meaningful on root edges: a devDependency of the project
	Optional bool
}

// jsLockMark computes Dev and Optional the way npm defines them: a package is
// Dev when every path from the project to it starts with a devDependency, and
// Optional when every path to it crosses an optional edge. Packages not
// reachable from any root keep Dev and Optional false (nothing is known).
// skip marks nodes (workspace members) whose flags are left alone and whose
// own edges are not followed: their dependencies must already be in roots.
func jsLockMark(pkgs []Package, roots []jsLockEdge, edges [][]jsLockEdge, skip func(int) bool, setDev, setOptional bool) {
	n := len(pkgs)
	walk := func(start func(jsLockEdge) bool, follow func(jsLockEdge) bool) []bool {
		seen := make([]bool, n)
		var queue []int
		for _, r := range roots {
			if r.To >= 0 && r.To < n && start(r) && !seen[r.To] {
				seen[r.To] = true
				queue = append(queue, r.To)
			}
		}
		for len(queue) > 0 {
			i := queue[0]
			queue = queue[1:]
			if skip != nil && skip(i) {
				continue
			}
			if i >= len(edges) {
				continue
			}
			for _, e := range edges[i] {
				if e.To >= 0 && e.To < n && !seen[e.To] && follow(e) {
					seen[e.To] = true
					queue = append(queue, e.To)
				}
			}
		}
		return seen
	}
	all := walk(func(jsLockEdge) bool { return true }, func(jsLockEdge) bool { return true })
	prod := walk(func(e jsLockEdge) bool { return !e.Dev }, func(jsLockEdge) bool { return true })
	required := walk(func(e jsLockEdge) bool { return !e.Optional }, func(e jsLockEdge) bool { return !e.Optional })
	for i := range pkgs {
		if !all[i] || (skip != nil && skip(i)) {
			continue
		}
		if setDev {
			pkgs[i].Dev = !prod[i]
		}
		if setOptional {
			pkgs[i].Optional = !required[i]
		}
	}
}

// jsLockIsHex reports whether s is a hex string of min..max characters.
func jsLockIsHex(s string, min, max int) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// jsLockIsSHA1Hex reports whether s is a 40-character hex SHA-1 digest.
func jsLockIsSHA1Hex(s string) bool {
	if len(s) != 40 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

var jsLockGitHosts = map[string]bool{"github.com": true, "gitlab.com": true, "bitbucket.org": true}

// jsLockHostedGit recognises archive URLs that git hosts serve for one
// commit (GitHub's codeload, GitLab and Bitbucket archives, GitHub archive
// links) and returns the commit. Such a tarball is a snapshot of a git
// commit, so both yarn and pnpm parsers report it as a git source with the
// commit as Ref.
func jsLockHostedGit(raw string) (commit string, ok bool) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	switch {
	case host == "codeload.github.com" && len(segs) == 4 && (segs[2] == "tar.gz" || segs[2] == "zip" || segs[2] == "legacy.tar.gz"):
		commit = segs[3]
	case host == "github.com" && len(segs) == 4 && segs[2] == "archive":
		commit = strings.TrimSuffix(strings.TrimSuffix(segs[3], ".tar.gz"), ".zip")
	case host == "gitlab.com" && strings.HasSuffix(u.Path, "/repository/archive.tar.gz"):
		commit = u.Query().Get("ref")
	case host == "bitbucket.org" && len(segs) == 4 && segs[2] == "get":
		commit = strings.TrimSuffix(strings.TrimSuffix(segs[3], ".tar.gz"), ".zip")
	default:
		return "", false
	}
	if !jsLockIsHex(commit, 7, 40) {
		return "", false
	}
	return commit, true
}

// jsLockGitHostURL reports whether raw is an http(s) URL on a well-known
// git host (github.com, gitlab.com, bitbucket.org).
func jsLockGitHostURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return false
	}
	return jsLockGitHosts[strings.ToLower(u.Hostname())]
}

// jsLockIsGitURL reports whether a URL names a git repository by its scheme
// (git+https://, git+ssh://, git://, ssh://, git@host:...).
func jsLockIsGitURL(s string) bool {
	for _, p := range []string{"git+", "git://", "ssh://", "git@"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// jsLockSplitName splits "name@rest" where name may be scoped ("@s/n@rest").
// ok is false when there is no "@" after the name.
func jsLockSplitName(s string) (name, rest string, ok bool) {
	start := 0
	if strings.HasPrefix(s, "@") {
		start = 1
	}
	i := strings.IndexByte(s[start:], '@')
	if i < 0 {
		return s, "", false
	}
	i += start
	return s[:i], s[i+1:], true
}

// jsLockValidName reports whether s looks like an npm package name: one
// path segment, or "@scope/name"; no whitespace, ':' or other separators.
func jsLockValidName(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n:\\#?\"'") {
		return false
	}
	if strings.HasPrefix(s, "@") {
		scope, name, ok := strings.Cut(s[1:], "/")
		return ok && scope != "" && name != "" && !strings.Contains(name, "/")
	}
	return !strings.Contains(s, "/")
}

// jsLockCleanRel joins a relative path onto a base folder (both slash
// separated, relative to the lockfile's folder) and cleans it.
func jsLockCleanRel(base, rel string) string {
	if path.IsAbs(rel) {
		return path.Clean(rel)
	}
	return path.Clean(path.Join(base, rel))
}

var jsLockYAMLLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line (\d+)`) })

// jsLockYAMLError turns a yaml.v3 error about data into a ParseError
// carrying the line yaml reports. yaml.v3 leaves the line out of errors on
// the first line, and out of its reader's errors (control characters,
// invalid UTF-8), which are at the first such character.
func jsLockYAMLError(path string, data []byte, err error) error {
	line := 0
	if m := jsLockYAMLLine().FindStringSubmatch(err.Error()); m != nil {
		line, _ = strconv.Atoi(m[1])
	} else if msg := err.Error(); strings.Contains(msg, "control characters") || strings.Contains(msg, "UTF-8") || strings.Contains(msg, "Unicode") {
		if i := jsLockYAMLUnreadable(data); i >= 0 {
			line = lineOf(data, int64(i))
		}
	} else if !strings.Contains(err.Error(), "excessive aliasing") { // that one is about the whole document
		line = 1
	}
	return &ParseError{Path: path, Line: line, Err: fmt.Errorf("invalid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))}
}

// jsLockYAMLUnreadable is the offset of the first byte yaml.v3's reader
// refuses (invalid UTF-8, a control character YAML does not allow), or -1.
func jsLockYAMLUnreadable(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n <= 1,
			r < 0x20 && r != '\t' && r != '\n' && r != '\r',
			r == 0x7f, r >= 0x80 && r <= 0x9f && r != 0x85,
			r == 0xfffe, r == 0xffff, r >= 0xd800 && r <= 0xdfff:
			return i
		}
		i += n
	}
	return -1
}

// jsLockYAMLKind names a node kind for error messages.
func jsLockYAMLKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "null"
		}
		return "a scalar"
	case yaml.AliasNode:
		return "an alias"
	case yaml.DocumentNode:
		return "a document"
	}
	return "nothing"
}

// jsLockIsNull reports whether a YAML value is absent or an explicit null.
func jsLockIsNull(n *yaml.Node) bool {
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}
