package guard

import (
	"fmt"
	"strings"

	"github.com/installguard/guard/lockfile"
)

// Reasons a package is not pinned (Finding.ID of the pinning rule).
const (
	PinNoLockfile  = "no-lockfile"
	PinUnpinned    = "unpinned-version"
	PinMissingHash = "missing-hash"
	PinWeakHash    = "weak-hash"
	PinGit         = "vcs-source"
	PinURL         = "url-source"
	PinPath        = "path-source"
)

// weakHashes do not pin content: collisions can be made for them.
var weakHashes = map[string]bool{"md5": true, "sha1": true}

// checkPinning applies C1.1: every entry pinned to one exact version and
// carrying an integrity hash, and a lockfile wherever there is a manifest.
func checkPinning(rc ruleContext, lfs []*lockfile.Lockfile, missing []noLockfile) []Finding {
	var out []Finding
	for _, m := range missing {
		f := Finding{Rule: RulePinning, Item: itemOf(RulePinning).ID, ID: PinNoLockfile,
			Aliases: []string{}, Lockfile: m.dir,
			Message: fmt.Sprintf("%s has %s but no lockfile: the install is not pinned by version and hash", m.dir, strings.Join(m.manifests, ", "))}
		rc.apply(&f)
		out = append(out, f)
	}
	for _, lf := range lfs {
		seen := map[string]bool{}
		for i := range lf.Packages {
			p := &lf.Packages[i]
			id, msg := pinningProblem(p)
			if id == "" {
				continue
			}
			key := p.Name + "@" + p.Version + "\x00" + id
			if seen[key] {
				continue
			}
			seen[key] = true
			f := Finding{Rule: RulePinning, Item: itemOf(RulePinning).ID, ID: id,
				Aliases: []string{}, Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version,
				Lockfile: lf.Path, Line: p.Line, Chain: p.Chain, Message: msg}
			rc.apply(&f)
			out = append(out, f)
		}
	}
	return out
}

// pinningProblem returns the first reason a package is not pinned, or "".
func pinningProblem(p *lockfile.Package) (id, msg string) {
	switch p.Source.Kind {
	case lockfile.SourceWorkspace:
		return "", "" // the project's own code
	case lockfile.SourceGit:
		if p.Source.Ref == "" {
			return PinGit, fmt.Sprintf("comes from a VCS repository (%s) with no commit and no integrity hash", p.Source.URL)
		}
		return PinGit, fmt.Sprintf("comes from a VCS repository (%s at %s): no registry version and no integrity hash", p.Source.URL, p.Source.Ref)
	case lockfile.SourceURL:
		if len(p.Hashes) > 0 {
			return PinURL, fmt.Sprintf("is downloaded from a URL (%s), not a registry version", p.Source.URL)
		}
		return PinURL, fmt.Sprintf("is downloaded from a URL (%s) with no integrity hash", p.Source.URL)
	case lockfile.SourcePath:
		return PinPath, fmt.Sprintf("is installed from a local path (%s), not pinned by version and hash", p.Source.URL)
	}
	if p.Version == "" {
		req := p.Requirement
		if req == "" {
			req = "any version"
		}
		return PinUnpinned, fmt.Sprintf("is not pinned to one exact version (%s)", req)
	}
	if p.Bundled {
		return "", "" // covered by its parent's hash
	}
	if len(p.Hashes) == 0 {
		return PinMissingHash, "has no integrity hash"
	}
	var weak []string
	for _, h := range p.Hashes {
		switch {
		case weakHashes[h.Algorithm]:
			weak = append(weak, h.Algorithm)
		case h.Algorithm != "" && h.Bytes() != nil:
			return "", ""
		}
	}
	if len(weak) == 0 {
		return PinMissingHash, "has no integrity hash guard can read"
	}
	return PinWeakHash, fmt.Sprintf("is pinned only by a weak hash (%s)", weak[0])
}
