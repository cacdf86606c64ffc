package lockfile

// Helpers shared by the Python formats (requirements.txt, Pipfile.lock,
// pdm.lock): PEP 503 names, PEP 508 requirement strings, "alg:hex" hashes,
// wheel file names and direct-reference URLs.
//
// The PEP 508 parser here is hand-written: no kept dependency parses
// requirement strings. It follows the grammar of PEP 508 and the checks of
// the `packaging` library that pip uses, without evaluating markers.

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// pep503Name normalises a Python project name the way PEP 503 does: lower
// case, every run of "-", "_" and "." becomes a single "-".
func pep503Name(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	sep := false
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '-' || c == '_' || c == '.':
			sep = true
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if sep {
			b.WriteByte('-')
			sep = false
		}
		b.WriteByte(c)
	}
	if sep {
		b.WriteByte('-')
	}
	return b.String()
}

func isPyNameChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.'
}

func isPyAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// validPyName reports whether s is a valid project name (PEP 508: starts and
// ends with a letter or digit, with letters, digits, "-", "_", "." between).
func validPyName(s string) bool {
	if s == "" || !isPyAlnum(s[0]) || !isPyAlnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isPyNameChar(s[i]) {
			return false
		}
	}
	return true
}

// pep508Spec is one clause of a version specifier: ">=", "1.2".
type pep508Spec struct {
	Op, Version string
}

// pep508Req is a parsed PEP 508 requirement string.
type pep508Req struct {
	Name   string // as written
	Extras []string
	Specs  []pep508Spec
	URL    string // direct reference after "@"
	Marker string // environment marker after ";", unevaluated
}

// SpecString returns the specifier clauses joined by "," without blanks
// (">=2.8.1,==2.8.*").
func (r *pep508Req) SpecString() string {
	var b strings.Builder
	for i, s := range r.Specs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s.Op)
		b.WriteString(s.Version)
	}
	return b.String()
}

// Pinned returns the one exact version the specifiers allow ("==1.2.3" or
// "===1.2.3"), or "" when they allow a range, a wildcard, or (with two
// different exact clauses) nothing at all. A version that still holds an
// unexpanded ${VAR} is not a pin: the file alone does not say what it is.
func (r *pep508Req) Pinned() string {
	pin := ""
	for _, s := range r.Specs {
		if s.Op != "==" && s.Op != "===" {
			continue
		}
		if strings.Contains(s.Version, "${") || s.Op == "==" && strings.HasSuffix(s.Version, "*") {
			return ""
		}
		if pin != "" && pin != s.Version {
			return ""
		}
		pin = s.Version
	}
	return pin
}

func isPySpace(c byte) bool { return c == ' ' || c == '\t' }

func skipPySpace(s string, i int) int {
	for i < len(s) && isPySpace(s[i]) {
		i++
	}
	return i
}

var pep508Ops = []string{"===", "==", "~=", "!=", "<=", ">=", "<", ">"}

// parsePEP508 parses "name [extras] (specifiers | @ url) ; marker".
func parsePEP508(s string) (*pep508Req, error) {
	r := &pep508Req{}
	i := skipPySpace(s, 0)
	start := i
	for i < len(s) && isPyNameChar(s[i]) {
		i++
	}
	r.Name = s[start:i]
	if r.Name == "" {
		return nil, fmt.Errorf("expected a project name at %q", pyToken(s[start:]))
	}
	if !validPyName(r.Name) {
		return nil, fmt.Errorf("invalid project name %q", r.Name)
	}
	i = skipPySpace(s, i)
	if i < len(s) && s[i] == '[' {
		end := strings.IndexByte(s[i:], ']')
		if end < 0 {
			return nil, fmt.Errorf("unclosed extras in %q", pyToken(s))
		}
		for _, e := range strings.Split(s[i+1:i+end], ",") {
			e = strings.TrimSpace(e)
			if e == "" {
				continue
			}
			if !validPyName(e) {
				return nil, fmt.Errorf("invalid extra %q", e)
			}
			r.Extras = append(r.Extras, e)
		}
		i = skipPySpace(s, i+end+1)
	}
	if i < len(s) && s[i] == '@' {
		i = skipPySpace(s, i+1)
		start = i
		for i < len(s) && !isPySpace(s[i]) {
			i++
		}
		r.URL = s[start:i]
		if !validDirectURL(r.URL) {
			return nil, fmt.Errorf("invalid URL %q after @", pyToken(r.URL))
		}
		i = skipPySpace(s, i)
	} else {
		var err error
		if i, err = r.parseSpecs(s, i); err != nil {
			return nil, err
		}
	}
	if i < len(s) {
		if s[i] != ';' {
			return nil, fmt.Errorf("unexpected text %q", pyToken(s[i:]))
		}
		r.Marker = strings.TrimSpace(s[i+1:])
		if r.Marker == "" {
			return nil, fmt.Errorf("empty environment marker after ';'")
		}
	}
	return r, nil
}

func (r *pep508Req) parseSpecs(s string, i int) (int, error) {
	paren := i < len(s) && s[i] == '('
	if paren {
		i = skipPySpace(s, i+1)
	}
	for {
		op := ""
		for _, o := range pep508Ops {
			if strings.HasPrefix(s[i:], o) {
				op = o
				break
			}
		}
		if op == "" {
			if len(r.Specs) > 0 {
				return i, fmt.Errorf("expected a version operator after ',' at %q", pyToken(s[i:]))
			}
			break
		}
		i = skipPySpace(s, i+len(op))
		start := i
		for i < len(s) && !isPySpace(s[i]) && s[i] != ',' && s[i] != ';' && s[i] != ')' {
			i++
		}
		v := s[start:i]
		if v == "" {
			return i, fmt.Errorf("missing version after %q", op)
		}
		if op != "===" && !validSpecVersion(v) {
			return i, fmt.Errorf("invalid version %q after %q", pyToken(v), op)
		}
		r.Specs = append(r.Specs, pep508Spec{Op: op, Version: v})
		i = skipPySpace(s, i)
		if i < len(s) && s[i] == ',' {
			i = skipPySpace(s, i+1)
			continue
		}
		break
	}
	if paren {
		if i >= len(s) || s[i] != ')' {
			return i, fmt.Errorf("unclosed '(' in version specifier")
		}
		i = skipPySpace(s, i+1)
	}
	return i, nil
}

// validSpecVersion accepts the characters of a PEP 440 version (and its
// wildcard), or a whole ${VAR} that pip would expand from the environment.
func validSpecVersion(v string) bool {
	if strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") && validEnvVarName(v[2:len(v)-1]) {
		return true
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !isPyAlnum(c) && !strings.ContainsRune(".*+!_-", rune(c)) {
			return false
		}
	}
	return true
}

// validEnvVarName: pip expands only ${NAME} with NAME of upper-case letters,
// digits and "_".
func validEnvVarName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// validDirectURL applies packaging's rule for "name @ url": a scheme and a
// host, except for file: URLs.
func validDirectURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return false
	}
	if strings.EqualFold(u.Scheme, "file") {
		return true
	}
	return u.Host != ""
}

// pep508Name returns the project name and extras at the start of a
// requirement string, ignoring whatever follows. ok is false when the string
// does not start with a valid name.
func pep508Name(s string) (name string, extras []string, ok bool) {
	i := skipPySpace(s, 0)
	start := i
	for i < len(s) && isPyNameChar(s[i]) {
		i++
	}
	name = s[start:i]
	if !validPyName(name) {
		return "", nil, false
	}
	i = skipPySpace(s, i)
	if i < len(s) && s[i] == '[' {
		if end := strings.IndexByte(s[i:], ']'); end > 0 {
			for _, e := range strings.Split(s[i+1:i+end], ",") {
				if e = strings.TrimSpace(e); e != "" {
					extras = append(extras, e)
				}
			}
		}
	}
	return name, extras, true
}

// pipStrongHashes are the algorithms pip accepts in --hash.
var pipStrongHashes = map[string]bool{"sha256": true, "sha384": true, "sha512": true}

// splitPyHash splits "sha256:<hex>" into a Hash. The digest is kept as
// written.
func splitPyHash(s string) (Hash, error) {
	alg, digest, ok := strings.Cut(s, ":")
	if !ok || alg == "" {
		return Hash{}, fmt.Errorf("hash %q is not <algorithm>:<digest>", pyClip(s, 80))
	}
	if digest == "" {
		return Hash{}, fmt.Errorf("hash %q has an empty digest", pyClip(s, 80))
	}
	return Hash{Algorithm: strings.ToLower(alg), Digest: digest}, nil
}

// wheelNameVersion reads the project name (PEP 503-normalised) and version
// from a wheel file name: {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl.
func wheelNameVersion(file string) (name, version string, ok bool) {
	base, found := strings.CutSuffix(file, ".whl")
	if !found {
		return "", "", false
	}
	parts := strings.Split(base, "-")
	if len(parts) != 5 && len(parts) != 6 {
		return "", "", false
	}
	for _, p := range parts {
		if p == "" {
			return "", "", false
		}
	}
	if !validPyName(parts[0]) || !validSpecVersion(parts[1]) || strings.Contains(parts[1], "*") {
		return "", "", false
	}
	return pep503Name(parts[0]), parts[1], true
}

// sdistVersion reads the version from an sdist file name when it starts
// with the project's name: "{name}-{version}.tar.gz".
func sdistVersion(file, name string) string {
	ext := pipArchiveExt(file)
	if ext == "" || ext == ".whl" || name == "" {
		return ""
	}
	stem := file[:len(file)-len(ext)]
	i := strings.LastIndexByte(stem, '-')
	if i <= 0 || pep503Name(stem[:i]) != pep503Name(name) {
		return ""
	}
	v := stem[i+1:]
	if v == "" || !validSpecVersion(v) || strings.ContainsAny(v, "*$") {
		return ""
	}
	return v
}

// pipArchiveExt returns the archive extension pip recognises at the end of a
// file name, or "".
func pipArchiveExt(file string) string {
	lower := strings.ToLower(file)
	for _, ext := range []string{".whl", ".zip", ".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tlz", ".tar.lz", ".tar.lzma"} {
		if strings.HasSuffix(lower, ext) {
			return file[len(file)-len(ext):]
		}
	}
	return ""
}

// pipVCSSchemes are the URL schemes pip hands to a version control system.
var pipVCSSchemes = map[string]bool{
	"git": true, "git+http": true, "git+https": true, "git+ssh": true, "git+git": true, "git+file": true,
	"hg+file": true, "hg+http": true, "hg+https": true, "hg+ssh": true, "hg+static-http": true,
	"svn": true, "svn+ssh": true, "svn+http": true, "svn+https": true, "svn+svn": true, "svn+file": true,
	"bzr+http": true, "bzr+https": true, "bzr+ssh": true, "bzr+sftp": true, "bzr+ftp": true, "bzr+lp": true, "bzr+file": true,
}

// pipURLScheme returns the lower-cased scheme of s ("git+https"), or "".
func pipURLScheme(s string) string {
	i := strings.IndexByte(s, ':')
	if i <= 0 {
		return ""
	}
	sch := strings.ToLower(s[:i])
	for j := 0; j < len(sch); j++ {
		c := sch[j]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.') {
			return ""
		}
	}
	return sch
}

// isPipURL mirrors pip's is_url: a scheme pip downloads from.
func isPipURL(s string) bool {
	sch := pipURLScheme(s)
	switch sch {
	case "http", "https", "file", "ftp":
		return true
	}
	return pipVCSSchemes[sch]
}

// isFullCommitID reports whether a VCS revision is a full commit id (SHA-1 or
// SHA-256 object name), as opposed to a branch or tag.
func isFullCommitID(rev string) bool {
	if len(rev) != 40 && len(rev) != 64 {
		return false
	}
	for i := 0; i < len(rev); i++ {
		c := rev[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// vcsRevision returns the "@rev" part of a pip VCS URL
// (git+https://host/repo.git@rev#egg=x), or "".
func vcsRevision(link string) string {
	s, _, _ := strings.Cut(link, "#")
	s, _, _ = strings.Cut(s, "?")
	rest := s
	if i := strings.Index(s, "://"); i >= 0 {
		rest = s[i+3:]
		// Skip the host (and any user@ in it).
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return ""
		}
		rest = rest[j:]
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		return rest[i+1:]
	}
	return ""
}

// linkFragment parses the "#key=value&..." fragment of a pip link.
func linkFragment(link string) map[string]string {
	_, frag, ok := strings.Cut(link, "#")
	if !ok {
		return nil
	}
	out := map[string]string{}
	for _, kv := range strings.Split(frag, "&") {
		k, v, _ := strings.Cut(kv, "=")
		if _, dup := out[k]; !dup {
			out[k] = v
		}
	}
	return out
}

// linkFileName returns the last path segment of a URL or path, without
// query or fragment, unescaped.
func linkFileName(link string) string {
	s, _, _ := strings.Cut(link, "#")
	s, _, _ = strings.Cut(s, "?")
	s = strings.TrimRight(strings.ReplaceAll(s, "\\", "/"), "/")
	base := path.Base(s)
	if u, err := url.PathUnescape(base); err == nil {
		base = u
	}
	return base
}

// fragmentHashes returns the hashes a link states in its fragment
// (#sha256=...), as pip honours them.
func fragmentHashes(frag map[string]string) []Hash {
	var out []Hash
	for _, alg := range []string{"sha1", "sha224", "sha384", "sha256", "sha512", "md5"} {
		if d := frag[alg]; d != "" {
			out = append(out, Hash{Algorithm: alg, Digest: d})
		}
	}
	return out
}

// redactURLPassword hides the password of credentials embedded in a URL
// ("https://user:secret@host" -> "https://user:xxxxx@host") so that tokens
// written into a lockfile do not end up in guard's reports. A value that is
// not a URL with a password is returned unchanged.
func redactURLPassword(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, has := u.User.Password(); !has {
		// A bare token in the user part ("https://<token>@host") is a secret
		// too, unless it is the conventional ssh user "git".
		if name := u.User.Username(); name == "" || name == "git" || strings.HasPrefix(name, "${") {
			return s
		}
		u.User = url.User("xxxxx")
		return u.String()
	}
	return u.Redacted()
}

// pyToken is the first word of s (what an error may quote of a bad line:
// the offending token, never the rest of the line), clipped to 40 bytes.
func pyToken(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		s = f[0]
	}
	return pyClip(s, 40)
}

func pyClip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// pyVCSSource reads the version-control keys of a Pipfile.lock or PDM entry
// (git, hg, svn, bzr, in that order, with the entry's revision): the source
// and true when exactly one is set, an error when more than one is.
func pyVCSSource(rev string, urls ...string) (Source, bool, error) {
	var src Source
	n := 0
	for _, v := range urls {
		if v != "" {
			n++
			src = Source{Kind: SourceGit, URL: redactURLPassword(v)}
		}
	}
	if n > 1 {
		return Source{}, false, errors.New("more than one of git, hg, svn, bzr")
	}
	if n == 1 && isFullCommitID(rev) {
		src.Ref = rev
	}
	return src, n == 1, nil
}
