package policy

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

const day = 24 * time.Hour

// maxDuration bounds every duration in a policy (about 27 years), far
// below time.Duration's limit so sums and products cannot overflow.
const maxDuration = 10000 * day

// parseDuration reads a Go duration ("48h", "90m") or whole days ("7d") or
// weeks ("2w"); "0" is zero. Durations above maxDuration are refused.
func parseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a duration: use e.g. \"48h\", \"7d\" or \"2w\"", s)
	if t == "0" {
		return 0, nil
	}
	for suffix, unit := range map[string]time.Duration{"d": day, "w": 7 * day} {
		if n, ok := strings.CutSuffix(t, suffix); ok {
			v, err := strconv.Atoi(n)
			if err != nil || v < 0 || n == "" || n[0] == '+' {
				return 0, bad
			}
			if int64(v) > int64(maxDuration/unit) {
				return 0, fmt.Errorf("%q is too long: the limit is %dd", s, maxDuration/day)
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(t)
	if err != nil || d < 0 {
		return 0, bad
	}
	if d > maxDuration {
		return 0, fmt.Errorf("%q is too long: the limit is %dd", s, maxDuration/day)
	}
	return d, nil
}

// formatDuration prints whole weeks or days as "2w"/"7d", "0" for zero,
// anything else as a Go duration.
func formatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%day == 0:
		return fmt.Sprintf("%dd", d/day)
	}
	return d.String()
}

// threshold is a minimum severity in [vulnerabilities]: any, low, medium,
// high, critical or never.
type threshold int

const (
	thAny threshold = iota
	thLow
	thMedium
	thHigh
	thCritical
	thNever
)

var thresholdNames = []string{"any", "low", "medium", "high", "critical", "never"}

func (t threshold) String() string { return thresholdNames[t] }

func parseThreshold(s string) (threshold, bool) {
	for i, n := range thresholdNames {
		if strings.EqualFold(s, n) {
			return threshold(i), true
		}
	}
	return 0, false
}

// severity classes a vulnerability can have, for comparing mappings.
var severityLabels = []string{"UNKNOWN", "NONE", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

// meets reports whether a severity label reaches the threshold. UNKNOWN
// (or "") and NONE reach only "any".
func (t threshold) meets(label string) bool {
	switch t {
	case thAny:
		return true
	case thNever:
		return false
	}
	var r threshold
	switch strings.ToUpper(label) {
	case "LOW":
		r = thLow
	case "MEDIUM", "MODERATE":
		r = thMedium
	case "HIGH":
		r = thHigh
	case "CRITICAL":
		r = thCritical
	default:
		return false
	}
	return r >= t
}

func isUnknownSeverity(label string) bool {
	switch strings.ToUpper(label) {
	case "NONE", "LOW", "MEDIUM", "MODERATE", "HIGH", "CRITICAL":
		return false
	}
	return true
}

// Ecosystem names as guard (and OSV) spell them.
const (
	EcoNPM    = "npm"
	EcoPyPI   = "PyPI"
	EcoCrates = "crates.io"
)

// ecosystemOf maps the spellings a policy file may use to OSV names.
func ecosystemOf(s string) (string, bool) {
	switch strings.ToLower(s) {
	case "npm":
		return EcoNPM, true
	case "pypi":
		return EcoPyPI, true
	case "crates.io", "crates-io", "crates", "cargo":
		return EcoCrates, true
	}
	return "", false
}

// Pattern is a package name glob, optionally limited to one ecosystem
// ("npm:@myorg/*"). Globs use path.Match syntax: * and ? do not cross "/",
// so "@myorg/*" matches every package of the scope and "*" matches no
// scoped npm package ("@*/*" does). PyPI names are compared PEP 503
// normalised.
type Pattern struct {
	Text      string `json:"pattern"`
	Ecosystem string `json:"ecosystem,omitempty"`
	Glob      string `json:"-"`
	From      Origin `json:"from"`
}

func parsePattern(s string) (Pattern, error) {
	p := Pattern{Text: s, Glob: s}
	if eco, rest, ok := strings.Cut(s, ":"); ok {
		e, known := ecosystemOf(eco)
		if !known {
			return p, fmt.Errorf("%q: unknown ecosystem %q (use npm:, pypi: or crates.io:)", s, eco)
		}
		p.Ecosystem, p.Glob = e, rest
	}
	if err := checkGlob(p.Glob); err != nil {
		return p, fmt.Errorf("%q: %v", s, err)
	}
	return p, nil
}

// checkGlob validates a glob in path.Match syntax.
func checkGlob(g string) error {
	if strings.TrimSpace(g) == "" {
		return fmt.Errorf("empty pattern")
	}
	if strings.TrimSpace(g) != g {
		return fmt.Errorf("pattern has leading or trailing spaces")
	}
	if _, err := path.Match(g, ""); err != nil {
		return fmt.Errorf("bad glob (unclosed [ or trailing \\): use *, ? and [abc] as in shell patterns")
	}
	return nil
}

func hasGlobMeta(s string) bool { return strings.ContainsAny(s, `*?[\`) }

var pep503 = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[-_.]+`) })

func normalizePyPI(s string) string { return pep503().ReplaceAllString(strings.ToLower(s), "-") }

// Match reports whether the pattern matches a package of an ecosystem.
func (p Pattern) Match(ecosystem, name string) bool {
	if p.Ecosystem != "" && !strings.EqualFold(p.Ecosystem, ecosystem) {
		return false
	}
	g := p.Glob
	if strings.EqualFold(ecosystem, EcoPyPI) {
		g, name = normalizePyPI(g), normalizePyPI(name)
	}
	ok, _ := path.Match(g, name)
	return ok
}

// exact reports whether the pattern names one package (no glob).
func (p Pattern) exact() bool { return !hasGlobMeta(p.Glob) }

func matchAny(ps []Pattern, ecosystem, name string) (Pattern, bool) {
	for _, p := range ps {
		if p.Match(ecosystem, name) {
			return p, true
		}
	}
	return Pattern{}, false
}

// PublisherPin says which repository (and workflow, and ref) must have
// built the packages its pattern matches ([[provenance.publisher]]).
type PublisherPin struct {
	Package    Pattern `json:"package"`
	Repository string  `json:"repository"`         // glob over host/path, e.g. "github.com/myorg/*"
	Workflow   string  `json:"workflow,omitempty"` // glob over the workflow path
	Ref        string  `json:"ref,omitempty"`      // glob over the git ref
	From       Origin  `json:"from"`
}

// Matches reports whether a verified build identity satisfies the pin.
// repository may carry a scheme ("https://github.com/myorg/app"); it is
// compared without it. When it does not match, the string says which part
// differs.
func (pp PublisherPin) Matches(repository, workflow, ref string) (bool, string) {
	repo := trimScheme(repository)
	if ok, _ := path.Match(strings.ToLower(trimScheme(pp.Repository)), strings.ToLower(repo)); !ok {
		return false, fmt.Sprintf("built from repository %q, pinned to %q (%s)", repository, pp.Repository, pp.From)
	}
	if pp.Workflow != "" {
		if ok, _ := path.Match(pp.Workflow, strings.TrimPrefix(workflow, "/")); !ok {
			return false, fmt.Sprintf("built by workflow %q, pinned to %q (%s)", workflow, pp.Workflow, pp.From)
		}
	}
	if pp.Ref != "" {
		if ok, _ := path.Match(pp.Ref, ref); !ok {
			return false, fmt.Sprintf("built from ref %q, pinned to %q (%s)", ref, pp.Ref, pp.From)
		}
	}
	return true, ""
}

func trimScheme(s string) string {
	if _, rest, ok := strings.Cut(s, "://"); ok {
		return strings.TrimSuffix(rest, "/")
	}
	return strings.TrimSuffix(s, "/")
}

// normalizeRegistry checks and normalises a registry base URL (scheme and
// host lower-case, no trailing slash).
func normalizeRegistry(s string) (string, bool, error) {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", false, fmt.Errorf("%q is not a registry URL: use e.g. \"https://registry.example.com/\"", s)
	}
	out := strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + strings.TrimSuffix(u.Path, "/")
	return out, u.Scheme == "http", nil
}

// hostGlob validates a host glob ("files.example.com", "*.example.com").
func checkHostGlob(s string) error {
	if strings.Contains(s, "/") || strings.Contains(s, "://") {
		return fmt.Errorf("%q is not a host: give the host name only, e.g. \"files.example.com\"", s)
	}
	if err := checkGlob(s); err != nil {
		return fmt.Errorf("%q: %v", s, err)
	}
	return nil
}

var npmScope = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^@[a-z0-9~][a-z0-9._~-]*$`) })
