package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/installguard/guard/lockfile/regfile"
)

// Where policies come from.
const (
	// EnvPolicy names the org policy when --policy is not given.
	EnvPolicy = "GUARD_POLICY"
	// SystemPolicyPath is the system-wide org policy, read when neither
	// --policy nor GUARD_POLICY names one.
	SystemPolicyPath = "/etc/guard/policy.toml"
	// ProjectFile is the project policy, at the project root.
	ProjectFile = "guard.toml"
	// DefaultTimeout bounds fetching a remote org policy.
	DefaultTimeout = 15 * time.Second
)

// Sources say where the policy layers come from. Only Org, ProjectDir and
// Flags matter in production; the other fields let tests (and the CLI's
// --offline) change the environment.
type Sources struct {
	// Org is --policy: a file path, or an https URL optionally pinned by
	// "#sha256=<hex>". Empty: GUARD_POLICY, then SystemPath, then
	// <UserConfigDir>/guard/policy.toml (the first that exists).
	Org string
	// ProjectDir is the project root; its guard.toml is the project
	// policy. Empty: no project policy.
	ProjectDir string
	// Flags are the one-run overrides the user gave.
	Flags Flags

	Getenv        func(string) string // nil: os.Getenv
	SystemPath    string              // "": SystemPolicyPath
	UserConfigDir string              // "": os.UserConfigDir()
	CacheDir      string              // "": os.UserCacheDir()/guard/policy
	HTTPClient    *http.Client        // nil: a default client
	Timeout       time.Duration       // 0: DefaultTimeout
	// Offline: a remote org policy is read from the cache only.
	Offline bool
	// NoDiscovery: when Org is empty, look for no org policy at all
	// (GUARD_POLICY and the system and user paths are not consulted).
	NoDiscovery bool
	Now         func() time.Time // nil: time.Now
}

func (s *Sources) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sources) getenv(k string) string {
	if s.Getenv != nil {
		return s.Getenv(k)
	}
	return os.Getenv(k)
}

// Load reads the org policy, the project policy and the flags, validates
// and merges them. The diagnostics hold every error, warning and notice
// (file:line:key). On error the policy is nil and the error wraps
// ErrInvalid (a file or flag is wrong, or weakens the org policy: exit 2)
// or ErrUnavailable (the org policy cannot be read: exit 3).
func Load(ctx context.Context, src Sources) (*Policy, []Diagnostic, error) {
	today := dateOf(src.now())
	var diags []Diagnostic
	var files []File
	var org, proj *config
	orgName := ""
	var commit func() error

	spec, err := src.orgSpec()
	if err != nil {
		diags = append(diags, Diagnostic{Level: LevelError, Message: err.Error()})
		return nil, diags, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if spec != "" {
		doc, err := src.read(ctx, spec)
		diags = append(diags, doc.diags...)
		if err != nil {
			return nil, diags, err
		}
		if doc.data != nil {
			c, ds := parseFile(doc.name, doc.data, RoleOrg, today)
			diags = append(diags, ds...)
			org, orgName, commit = c, doc.name, doc.commit
			files = append(files, File{Role: RoleOrg, Path: doc.name, SHA256: digest(doc.data), Cached: doc.cached})
		}
	}
	if src.ProjectDir != "" {
		path := filepath.Join(src.ProjectDir, ProjectFile)
		data, err := readLocal(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			diags = append(diags, Diagnostic{Level: LevelError, File: path, Message: err.Error()})
		default:
			c, ds := parseFile(path, data, RoleProject, today)
			diags = append(diags, ds...)
			proj = c
			files = append(files, File{Role: RoleProject, Path: path, SHA256: digest(data)})
		}
	}
	if HasErrors(diags) {
		// Merging files that did not parse would only add noise.
		return nil, diags, invalid(diags)
	}
	eff, ds := merge(org, proj, orgName, src.Flags, today)
	diags = append(diags, ds...)
	if HasErrors(diags) {
		return nil, diags, invalid(diags)
	}
	if commit != nil {
		if err := commit(); err != nil {
			diags = append(diags, Diagnostic{Level: LevelWarning, File: orgName,
				Message: "could not cache the org policy: " + err.Error()})
		}
	}
	return newPolicy(eff, files, orgName, today), diags, nil
}

func invalid(diags []Diagnostic) error {
	n := 0
	var first Diagnostic
	for _, d := range diags {
		if d.Level == LevelError {
			if n == 0 {
				first = d
			}
			n++
		}
	}
	if n == 1 {
		return fmt.Errorf("%w: %s", ErrInvalid, first)
	}
	return fmt.Errorf("%w: %d errors, the first: %s", ErrInvalid, n, first)
}

// Check validates one policy file (or URL) on its own, as the given layer:
// "guard policy check FILE". Project exceptions are not checked against an
// org policy here; Load does that.
func Check(ctx context.Context, spec string, role Role, src Sources) ([]Diagnostic, error) {
	doc, err := src.read(ctx, spec)
	if err != nil {
		return doc.diags, err
	}
	c, ds := parseFile(doc.name, doc.data, role, dateOf(src.now()))
	diags := append(doc.diags, ds...)
	if role == RoleProject && !HasErrors(diags) {
		// A project file on its own still may not loosen the safety floor
		// (on-error, malware, provenance-invalid): Load would refuse it.
		_, ms := merge(nil, c, "", Flags{}, dateOf(src.now()))
		diags = append(diags, ms...)
	}
	if HasErrors(diags) {
		return diags, invalid(diags)
	}
	return diags, nil
}

// orgSpec finds the org policy: --policy, GUARD_POLICY, the system path,
// the user config path. A policy named by --policy or GUARD_POLICY must
// exist; the config paths are read when they exist.
func (s *Sources) orgSpec() (string, error) {
	if s.Org != "" {
		return s.Org, nil
	}
	if s.NoDiscovery {
		return "", nil
	}
	if v := strings.TrimSpace(s.getenv(EnvPolicy)); v != "" {
		return v, nil
	}
	sys := s.SystemPath
	if sys == "" {
		sys = SystemPolicyPath
	}
	candidates := []string{sys}
	dir := s.UserConfigDir
	if dir == "" {
		dir, _ = os.UserConfigDir()
	}
	if dir != "" {
		candidates = append(candidates, filepath.Join(dir, "guard", "policy.toml"))
	}
	for _, c := range candidates {
		st, err := os.Stat(c)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return "", fmt.Errorf("org policy %s: %v", c, err)
		case st.IsDir():
			return "", fmt.Errorf("org policy %s is a directory", c)
		}
		return c, nil
	}
	return "", nil
}

type document struct {
	name   string
	data   []byte
	cached bool
	commit func() error
	diags  []Diagnostic
}

func (s *Sources) read(ctx context.Context, spec string) (document, error) {
	if isURL(spec) {
		return s.fetch(ctx, spec)
	}
	data, err := readLocal(spec)
	if err != nil {
		msg := err.Error()
		if errors.Is(err, fs.ErrNotExist) {
			msg = "no such file"
		}
		d := Diagnostic{Level: LevelError, File: spec, Message: "cannot read the policy: " + msg}
		return document{name: spec, diags: []Diagnostic{d}}, fmt.Errorf("%w: %s", ErrInvalid, d)
	}
	return document{name: spec, data: data}, nil
}

func isURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")
}

// readLocal reads a regular file of at most MaxFileSize bytes, opened
// without blocking (a FIFO named guard.toml is refused, not waited on).
func readLocal(path string) ([]byte, error) {
	return regfile.Read(path, MaxFileSize)
}

func digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
