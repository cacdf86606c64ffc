// Package lockfile turns lockfiles of npm, Python and Cargo projects into one
// package model. It reads files and nothing else: no network, no decisions.
package lockfile

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Ecosystem uses OSV's ecosystem names.
type Ecosystem string

const (
	NPM      Ecosystem = "npm"
	PyPI     Ecosystem = "PyPI"
	CratesIO Ecosystem = "crates.io"
)

// Format names a lockfile format by its canonical file name.
type Format string

const (
	FormatPackageLock  Format = "package-lock.json"
	FormatShrinkwrap   Format = "npm-shrinkwrap.json"
	FormatYarn         Format = "yarn.lock"
	FormatPnpm         Format = "pnpm-lock.yaml"
	FormatBun          Format = "bun.lock"
	FormatRequirements Format = "requirements.txt"
	FormatPipfileLock  Format = "Pipfile.lock"
	FormatPoetryLock   Format = "poetry.lock"
	FormatUVLock       Format = "uv.lock"
	FormatPylock       Format = "pylock.toml"
	FormatPDMLock      Format = "pdm.lock"
	FormatCargoLock    Format = "Cargo.lock"
	formatUnknown      Format = ""
	defaultMaxFileSize        = 256 << 20
)

// SourceKind says where a package comes from.
type SourceKind string

const (
	// SourceRegistry: a package registry or index (npm registry, PyPI index, crates.io).
	SourceRegistry SourceKind = "registry"
	// SourceGit: a git (or other VCS) repository.
	SourceGit SourceKind = "git"
	// SourceURL: a direct archive URL.
	SourceURL SourceKind = "url"
	// SourcePath: a local directory or archive outside the project's own workspace.
	SourcePath SourceKind = "path"
	// SourceWorkspace: a member of the project's own workspace (npm/yarn/pnpm
	// workspaces, Cargo workspace members, the project itself in uv/poetry locks).
	// These are the project's own code, not something the install downloads.
	SourceWorkspace SourceKind = "workspace"
)

// Source records where the lockfile says a package comes from.
type Source struct {
	Kind SourceKind `json:"kind"`
	// URL is the registry URL, tarball URL, repository URL or path as the
	// lockfile states it. Empty when the lockfile does not say (for example an
	// npm lockfile written with omit-lockfile-registry-resolved: the default
	// registry is implied).
	URL string `json:"url,omitempty"`
	// Ref is the exact commit for git sources, when the lockfile records one.
	Ref string `json:"ref,omitempty"`
}

// Hash is an integrity hash exactly as the lockfile states it.
type Hash struct {
	// Algorithm is lower case: sha512, sha384, sha256, sha1, md5, ...
	Algorithm string `json:"algorithm"`
	// Digest is as stated: base64 for npm/yarn/pnpm SRI strings, hex for
	// Python and Cargo.
	Digest string `json:"digest"`
	// Of says what the digest covers when it is not the archive the registry
	// serves: "yarn-cache-zip:<cacheKey>" for yarn berry's checksum, which
	// hashes the zip yarn builds in its cache. Such a hash pins content but
	// can never be compared with a registry's or an attestation's digest.
	Of string `json:"of,omitempty"`
}

var digestSizes = map[string]int{"md5": 16, "sha1": 20, "sha224": 28, "sha256": 32, "sha384": 48, "sha512": 64}

// Bytes decodes the digest whether it is written in hex or base64 (standard
// or URL alphabet, padded or not). It returns nil when the digest is neither,
// or its length does not fit the algorithm.
func (h Hash) Bytes() []byte {
	size, known := digestSizes[h.Algorithm]
	if b, err := hex.DecodeString(h.Digest); err == nil && (!known || len(b) == size) {
		return b
	}
	d := strings.TrimRight(h.Digest, "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(d); err == nil && (!known || len(b) == size) {
			return b
		}
	}
	return nil
}

// Hex returns the digest in lower-case hex, or "" when it cannot be decoded.
func (h Hash) Hex() string {
	b := h.Bytes()
	if b == nil {
		return ""
	}
	return hex.EncodeToString(b)
}

// ParseSRI splits a Subresource Integrity string ("sha512-<base64> sha1-<base64>")
// into hashes. Tokens without a known "alg-" prefix are returned with the
// algorithm empty so that callers can report them.
func ParseSRI(s string) []Hash {
	var out []Hash
	for _, tok := range strings.Fields(s) {
		// SRI allows "?options" after the digest.
		if i := strings.IndexByte(tok, '?'); i >= 0 {
			tok = tok[:i]
		}
		alg, digest, ok := strings.Cut(tok, "-")
		if !ok {
			out = append(out, Hash{Digest: tok})
			continue
		}
		out = append(out, Hash{Algorithm: strings.ToLower(alg), Digest: digest})
	}
	return out
}

// Package is one entry of a lockfile: one thing the install brings in.
type Package struct {
	Ecosystem Ecosystem `json:"ecosystem"`
	Name      string    `json:"name"`
	// Version is the exact version the lockfile pins, or "" when it pins
	// none (a requirements.txt range, a VCS or URL reference without version).
	Version string `json:"version"`
	// Requirement is the version constraint as written, when the entry is not
	// pinned to one exact version (">=1.2", "^3.0.0", "*").
	Requirement string `json:"requirement,omitempty"`
	Hashes      []Hash `json:"hashes"`
	Source      Source `json:"source"`
	// Direct: the project itself depends on this package (as opposed to
	// reaching it through another package).
	Direct bool `json:"direct"`
	// Dev: only needed for development (npm dev, poetry/pdm/uv dev groups,
	// Pipfile develop).
	Dev bool `json:"dev"`
	// Optional: an optional dependency (npm optional, poetry optional extras).
	Optional bool `json:"optional,omitempty"`
	// Bundled: shipped inside its parent's archive (npm bundleDependencies),
	// so the parent's hash covers it and it has none of its own.
	Bundled bool `json:"bundled,omitempty"`
	// InstallScript: the lockfile records that the package runs scripts when
	// installed (npm hasInstallScript). Nil where the format does not record it.
	InstallScript *bool `json:"installScript,omitempty"`
	// Path is where the entry lives in the lockfile: the npm install path
	// ("node_modules/a/node_modules/b"), the pnpm or yarn key, or the
	// requirements file and line that declared it.
	Path string `json:"path,omitempty"`
	// Line is the 1-based line of the entry in the lockfile, 0 when unknown.
	Line int `json:"line,omitempty"`
	// Chain is the shortest chain of dependents that pulls this package in,
	// from a direct dependency down to the package's parent, as
	// "name@version". Empty for direct dependencies and for formats without a
	// dependency graph.
	Chain []string `json:"chain,omitempty"`

	// ID identifies the entry within its lockfile; Deps are the IDs of the
	// entries it depends on. Parsers fill them; Finish computes Chain and,
	// where the parser did not know it, Direct.
	ID   string   `json:"-"`
	Deps []string `json:"-"`
}

// Key returns "name@version".
func (p *Package) Key() string {
	if p.Version == "" {
		return p.Name
	}
	return p.Name + "@" + p.Version
}

// indexSet lists the package indexes of a lockfile once each, in the order
// first seen.
type indexSet map[string]bool

func (s indexSet) add(lf *Lockfile, url string) {
	if !s[url] {
		s[url] = true
		lf.Indexes = append(lf.Indexes, url)
	}
}

// Lockfile is one parsed lockfile.
type Lockfile struct {
	Path      string    `json:"path"`
	Format    Format    `json:"format"`
	Ecosystem Ecosystem `json:"ecosystem"`
	// FormatVersion is the lockfile's own version marker where it has one
	// (npm lockfileVersion, pnpm lockfileVersion, yarn berry __metadata.version,
	// Cargo.lock version, ...).
	FormatVersion string    `json:"formatVersion,omitempty"`
	Packages      []Package `json:"packages"`
	// Includes lists further files read while parsing (requirements -r/-c).
	Includes []string `json:"includes,omitempty"`
	// Indexes lists package index URLs the lockfile itself names
	// (requirements --index-url/--extra-index-url, Pipfile sources, pylock index).
	Indexes []string `json:"indexes,omitempty"`
	// Options are the package-manager options the lockfile's files set
	// (requirements --index-url, --find-links, --trusted-host, --no-binary,
	// per-requirement --config-settings, ...), each with the file and line
	// that sets it, in file order; and the includes guard did not read
	// because they name a file outside the project folder.
	Options []Option `json:"options,omitempty"`
	// Roots are the IDs of the project's direct dependencies where the format
	// lists them separately from the packages; Finish marks them Direct.
	Roots []string `json:"-"`
}

// Option is one package-manager option a lockfile's file sets.
type Option struct {
	// Path and Line: the file (as shown in reports) and 1-based line.
	Path string `json:"path"`
	Line int    `json:"line"`
	// Name is the option's long spelling ("--no-binary", "--requirement").
	Name string `json:"name"`
	// Value is its argument as written, URL passwords redacted; "" for
	// switches.
	Value string `json:"value,omitempty"`
	// NotRead marks an include (--requirement, --constraint) that resolves
	// outside the project folder: guard did not open it, so the packages
	// it would add are unknown.
	NotRead bool `json:"notRead,omitempty"`
}
