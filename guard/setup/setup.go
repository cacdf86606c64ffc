// Package setup builds what a guard command needs from a plain
// configuration that cmd/guard fills from its flags and the environment:
// where advisories come from, the provenance and registry-metadata sources,
// the layered policy and the baseline of a diff-aware check. cmd/guard keeps
// the flags, the help and the exit codes' meaning; this package opens what
// they name and says, with the exit code, what went wrong.
package setup

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/report"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/advisory"
	"github.com/installguard/guard/verify/provenance"
)

// Source chooses where advisories come from: --offline, --db, --max-db-age.
type Source struct {
	Offline  bool
	DB       string
	MaxDBAge string
}

// Resolved is the outcome of a Source and the environment.
type Resolved struct {
	Offline bool
	// Loc is where advisories come from (verify/advisory.Locate).
	Loc    advisory.Location
	MaxAge time.Duration
}

// ResolveSource applies GUARD_OFFLINE and GUARD_DB to s.
func ResolveSource(s Source, getenv func(string) string) (Resolved, error) {
	var r Resolved
	r.Offline = s.Offline || Truthy(getenv("GUARD_OFFLINE"))
	loc, err := advisory.Locate(s.DB, r.Offline, getenv)
	if err != nil {
		return r, err
	}
	r.Loc = loc
	age, err := ParseAge(s.MaxDBAge)
	if err != nil {
		return r, fmt.Errorf("--max-db-age: %w", err)
	}
	r.MaxAge = age
	return r, nil
}

// Advisories opens the advisory source; one that cannot be opened fails
// every query (exit 3 exactly when advisories are needed).
func (r Resolved) Advisories() advisory.Source { return r.Loc.Open() }

// Truthy reads an environment switch: 1, true, yes or on.
func Truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

// ParseAge reads a Go duration ("48h", "90m") or whole days ("7d"); "0"
// means no limit.
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q is not a duration (use e.g. 48h or 7d)", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration (use e.g. 48h or 7d)", s)
	}
	return d, nil
}

// Evidence is what the provenance flags ask for.
type Evidence struct {
	NoProvenance bool
	NoMetadata   bool
	TrustedRoot  string
	// Progress, when set, is told how many packages of how many are done.
	Progress func(done, total int)
}

// CacheDir is guard's folder in the user cache.
func CacheDir(parts ...string) (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(append([]string{dir, "guard"}, parts...)...), nil
}

// OpenEvidence opens the registry-metadata reader and the provenance
// verifier ev and the environment ask for, or says why either is not used
// in this run (verify/provenance.OpenSources). projectDir is where the
// project's .npmrc lives.
func OpenEvidence(ctx context.Context, ev Evidence, offline bool, projectDir string, getenv func(string) string) (provenance.Sources, error) {
	o := provenance.SourcesOptions{
		Offline:      offline,
		NoProvenance: ev.NoProvenance || Truthy(getenv("GUARD_NO_PROVENANCE")),
		NoMetadata:   ev.NoMetadata || Truthy(getenv("GUARD_NO_METADATA")),
		TrustedRoot:  ev.TrustedRoot,
		ProjectDir:   projectDir,
		Getenv:       getenv,
		Progress:     ev.Progress,
	}
	o.TrustDir, _ = CacheDir("trust")
	if cache, err := CacheDir("provenance"); err == nil {
		o.CacheDir = cache
	}
	return provenance.OpenSources(ctx, o)
}

// ApplyEvidence sets the sources in check options.
func ApplyEvidence(s provenance.Sources, o *guard.Options) {
	o.Provenance, o.NoProvenanceReason = nil, s.NoProvenance
	if s.Verifier != nil {
		o.Provenance = s.Verifier
	}
	o.Metadata, o.NoMetadataReason = nil, s.NoMetadata
	if s.Registry != nil {
		o.Metadata = s.Registry
	}
}

// ProjectDir is the folder whose package-manager configuration applies to
// the paths being checked: the first folder given, or the folder of the
// first lockfile, or the current folder.
func ProjectDir(paths []string) string {
	if len(paths) == 0 {
		return "."
	}
	if st, err := os.Stat(paths[0]); err == nil && st.IsDir() {
		return paths[0]
	}
	return filepath.Dir(paths[0])
}

// Baseline returns the function that gives a lockfile's base version for a
// diff-aware check, from --base REF (lockfile.BaseAtRef) or --base-lockfile
// FILE (lockfile.BaseFile), and the base's name for the report.
func Baseline(ctx context.Context, ref, file string) (func(*lockfile.Lockfile) ([]*lockfile.Lockfile, error), string, error) {
	switch {
	case ref != "" && file != "":
		return nil, "", fmt.Errorf("--base and --base-lockfile cannot be used together")
	case file != "":
		base, err := lockfile.BaseFile(file)
		if err != nil {
			return nil, "", fmt.Errorf("--base-lockfile: %w", err)
		}
		return base, file, nil
	case ref != "":
		return lockfile.BaseAtRef(ctx, ref), ref, nil
	}
	return nil, "", nil
}

// Check is what guard check and guard explain were given.
type Check struct {
	Paths     []string
	Recursive bool
	Level     int
	Mode      string
	Source    Source
	Evidence  Evidence
	// Policy: its ProjectDir and Offline are filled in from Paths and Source.
	Policy       Policy
	Base         string
	BaseLockfile string
	// Who names the command in messages ("guard check").
	Who    string
	Stderr io.Writer
	Getenv func(string) string
}

// CheckOptions turns c into the options of guard.Check: the advisory and
// provenance sources, the layered policy and the baseline. ok is false,
// with the exit code, when the configuration or the policy is wrong; the
// reason is on c.Stderr.
func CheckOptions(ctx context.Context, c Check) (guard.Options, int, bool) {
	fail := func(err error) (guard.Options, int, bool) {
		fmt.Fprintf(c.Stderr, "%s: %s\n", c.Who, report.Escape(err.Error()))
		return guard.Options{}, guard.ExitInvalid, false
	}
	src, err := ResolveSource(c.Source, c.Getenv)
	if err != nil {
		return fail(err)
	}
	ev, err := OpenEvidence(ctx, c.Evidence, src.Offline, ProjectDir(c.Paths), c.Getenv)
	if err != nil {
		return fail(err)
	}
	check := guard.Options{Level: c.Level, Mode: guard.Action(c.Mode)}
	if err := check.Validate(); err != nil {
		return fail(err)
	}
	p := c.Policy
	p.ProjectDir, p.Offline, p.Stderr, p.Getenv = ProjectDir(c.Paths), src.Offline, c.Stderr, c.Getenv
	pol, code, ok := LoadPolicy(ctx, p)
	if !ok {
		return guard.Options{}, code, false
	}
	base, baseName, err := Baseline(ctx, c.Base, c.BaseLockfile)
	if err != nil {
		return fail(err)
	}
	opts := guard.Options{Paths: c.Paths, Recursive: c.Recursive, Policy: pol,
		Advisories: src.Advisories(), Baseline: base, BaselineName: baseName}
	ApplyEvidence(ev, &opts)
	return opts, 0, true
}
