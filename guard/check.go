// Package guard decides: it takes the packages of lockfiles and the evidence
// gathered about them, applies the policy, and produces findings, a verdict
// and a report. It does no network I/O of its own.
package guard

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/installguard/guard/guard/policy"
	"github.com/installguard/guard/guard/typosquat"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/advisory"
)

// Options configure one check.
type Options struct {
	// Paths are directories or lockfiles; empty means the current directory.
	Paths []string
	// Recursive searches directories for lockfiles in subfolders too.
	Recursive bool
	// Lockfiles, when not nil, are already-parsed lockfiles to check instead
	// of Paths (the package-manager wrappers pass the packages an install
	// would add or change).
	Lockfiles []*lockfile.Lockfile
	// Policy decides what each finding does (guard/policy: org and project
	// files and the one-run flags, layered). Nil means no policy file:
	// Level, Mode and MaxDBAge then act as the one-run flags.
	Policy *policy.Policy
	// Level (0–3) turns principle items on up to that level (without Policy).
	Level int
	// Mode is the action of a finding of an enabled rule: Block or Warn
	// (without Policy).
	Mode Action
	// Advisories answers which OSV advisories affect each package. Required
	// whenever an advisory rule is on (malware is on at every level).
	Advisories advisory.Source
	// Provenance gathers build provenance; nil skips it (offline,
	// --no-provenance).
	Provenance ProvenanceSource
	// NoProvenanceReason says why Provenance is nil, for the report.
	NoProvenanceReason string
	// Metadata reads registry metadata (publish times, deprecation, yanks,
	// project status), whether or not provenance is gathered; nil skips
	// it (offline), and the rules that need it read "not checked".
	Metadata MetadataSource
	// NoMetadataReason says why Metadata is nil, for the report.
	NoMetadataReason string
	// MaxDBAge bounds the age of an offline advisory DB; 0 means no bound
	// (without Policy).
	MaxDBAge time.Duration
	// Baseline, when set, returns the base version of a lockfile (from
	// --base REF or --base-lockfile FILE): only packages new or changed
	// against it are checked. A nil base means the lockfile is new.
	Baseline func(lf *lockfile.Lockfile) ([]*lockfile.Lockfile, error)
	// BaselineName names the base in the report ("origin/main").
	BaselineName string
	// Now is the clock (tests set it); zero means time.Now.
	Now func() time.Time
	// WhatIf marks a what-if check (guard fix judging candidate versions):
	// decisions are the same, but matching policy exceptions are not
	// recorded as used.
	WhatIf bool
}

// DefaultLevel and DefaultMode apply when no policy says otherwise.
const (
	DefaultLevel = 2
	DefaultMode  = Block
)

// Validate reports invalid options.
func (o *Options) Validate() error {
	if o.Level < 0 || o.Level > 3 {
		return fmt.Errorf("level %d is out of range: use 0, 1, 2 or 3", o.Level)
	}
	if o.Mode != Block && o.Mode != Warn {
		return fmt.Errorf("mode %q is not valid: use block or warn", o.Mode)
	}
	return nil
}

// policy returns the policy in force: Options.Policy, or the defaults with
// Level, Mode and MaxDBAge as one-run flags.
func (o *Options) policy() (*policy.Policy, error) {
	if o.Policy != nil {
		return o.Policy, nil
	}
	level, age := o.Level, o.MaxDBAge
	return policy.FromFlags(policy.Flags{Level: &level, Mode: string(o.Mode), MaxDBAge: &age})
}

// Check is the one flow every command reuses: load lockfiles, gather
// evidence, apply rules, decide. Problems with the input or with a check are
// recorded in Report.Errors; the returned error is only for invalid options.
func Check(ctx context.Context, opts Options) (*Report, error) {
	if opts.Policy == nil {
		if err := opts.Validate(); err != nil {
			return nil, err
		}
	}
	pol, err := opts.policy()
	if err != nil {
		return nil, err
	}
	r := &Report{SchemaVersion: ReportSchemaVersion, Level: pol.Level(), Mode: Action(pol.Mode()),
		Lockfiles: []LockfileSummary{}, Packages: []PackageResult{}, Findings: []Finding{}, Errors: []Error{},
		onError: Action(pol.OnError())}
	rc := ruleContext{p: pol, whatIf: opts.WhatIf}
	// Once the lockfiles are found (before they are read), what the rules
	// will need of their ecosystems is made ready on other goroutines: the
	// typosquat lists, the offline DB's folders.
	preloadTypo := rc.enabled(RuleTyposquat)
	advOn := rc.anyEnabled(policy.AdvisoryRules()...)
	prep, _ := opts.Advisories.(advisory.Preparer)
	if !advOn {
		prep = nil
	}
	preload := func(files []string) {
		ecos := lockfileEcosystems(files)
		if preloadTypo {
			for _, eco := range ecos {
				if typosquat.Listed(eco) {
					go typosquat.Preload(eco)
				}
			}
		}
		if prep != nil {
			prep.Prepare(ctx, ecos)
		}
	}
	lfs, missing := loadLockfiles(opts, r, preload)
	if opts.Baseline != nil {
		lfs = gateOnBaseline(opts, lfs, r)
	}
	// The advisory query starts as soon as the lockfiles are read and runs
	// beside everything else the check does until its findings are made:
	// the evidence sources (network waits and the DB's reading overlap on
	// a second core) and the findings of the other rules. Findings are
	// made on this goroutine only, since the policy (rc) records which
	// exceptions were used and is not safe for concurrent use; they are
	// listed in a fixed order whatever finishes first.
	var advRules []string
	var hits map[advisory.Query][]hit
	var advErr error
	var advDone sync.WaitGroup
	if advOn && len(lfs) > 0 {
		now := time.Now
		if opts.Now != nil {
			now = opts.Now
		}
		for _, rule := range policy.AdvisoryRules() {
			if rc.enabled(rule) {
				advRules = append(advRules, rule)
			}
		}
		if opts.Advisories == nil {
			advErr = errors.New("no advisory source configured")
		} else {
			maxAge := pol.MaxDBAge()
			advDone.Add(1)
			go func() {
				defer advDone.Done()
				hits, advErr = gatherAdvisories(ctx, opts.Advisories, maxAge, now(), lfs)
			}()
		}
	}
	n := 0
	for _, lf := range lfs {
		n += len(lf.Packages)
	}
	r.Packages = slices.Grow(r.Packages, n)
	for _, lf := range lfs {
		r.Lockfiles = append(r.Lockfiles, LockfileSummary{Path: lf.Path, Format: lf.Format,
			FormatVersion: lf.FormatVersion, Ecosystem: lf.Ecosystem, Packages: len(lf.Packages)})
		for _, p := range lf.Packages {
			if p.Hashes == nil {
				p.Hashes = []lockfile.Hash{}
			}
			r.Packages = append(r.Packages, PackageResult{Lockfile: lf.Path, Package: p})
		}
	}
	r.disabled = map[string]bool{}
	for _, it := range Items {
		if it.Level <= r.Level && !rc.enabled(it.Rule) {
			r.disabled[it.Rule] = true
		}
	}
	if rc.enabled(RulePinning) {
		r.Findings = append(r.Findings, checkPinning(rc, lfs, missing)...)
	}
	// Evidence from independent sources, joined to the packages by key;
	// findings from it, then what could not be checked, each in one place.
	ev := gatherEvidence(ctx, opts, lfs, r)
	var typo []typosquatMatch
	var unlisted bool
	if rc.enabled(RuleTyposquat) {
		typo, unlisted = typosquatMatches(rc, r.Packages)
	}
	var provFindings []Finding
	if ev.prov != nil {
		provFindings = provenanceFindings(rc, ev, r)
	}
	scFindings, scNotes := supplyChainFindings(rc, r, typo, unlisted, opts.Now)
	minAge, _ := pol.MinAge()
	unchecked, gapErrs := ev.gaps(rc, r, minAge > 0)
	for rule, why := range scNotes {
		unchecked[rule] = why
	}
	optFindings, optErrs := optionFindings(rc, lfs)
	advDone.Wait()
	if advRules != nil {
		if advErr != nil {
			r.Errors = append(r.Errors, Error{Kind: CheckError, Message: "advisories: " + advErr.Error(), Rules: advRules})
		} else {
			r.Findings = append(r.Findings, advisoryFindings(rc, hits, lfs)...)
		}
	}
	r.Findings = append(r.Findings, provFindings...)
	r.Findings = append(r.Findings, scFindings...)
	r.unchecked = unchecked
	r.Errors = append(r.Errors, gapErrs...)
	r.Findings, r.Errors = append(r.Findings, optFindings...), append(r.Errors, optErrs...)
	applyReachability(rc, r)
	r.Policy = append(r.Policy, pol.UnusedDiagnostics()...)
	r.decide()
	return r, nil
}

// gateOnBaseline keeps, of each lockfile, the packages that are new or
// changed against its base, and records how many were left unchanged.
func gateOnBaseline(opts Options, lfs []*lockfile.Lockfile, r *Report) []*lockfile.Lockfile {
	b := &BaselineSummary{Base: opts.BaselineName}
	out := make([]*lockfile.Lockfile, 0, len(lfs))
	for _, lf := range lfs {
		base, err := opts.Baseline(lf)
		if err != nil {
			r.Errors = append(r.Errors, Error{Kind: InputError, Path: lf.Path, Message: fmt.Sprintf("base of %s: %v", lf.Path, err)})
			continue
		}
		gate, unchanged := lockfile.Changed(lf, base)
		b.Unchanged += unchanged
		b.Checked += len(gate.Packages)
		out = append(out, gate)
	}
	r.Baseline = b
	return out
}

// loadLockfiles resolves the paths into parsed lockfiles, recording errors,
// and lists the directories in which no lockfile was found. preload, when
// set, is given the files found before they are parsed.
func loadLockfiles(opts Options, r *Report, preload func([]string)) ([]*lockfile.Lockfile, []noLockfile) {
	if opts.Lockfiles != nil {
		return opts.Lockfiles, nil
	}
	var missing []noLockfile
	paths := opts.Paths
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var files []string
	seen := map[string]bool{}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			r.Errors = append(r.Errors, Error{Kind: InputError, Path: p, Message: describeStatError(p, err)})
			continue
		}
		if !st.IsDir() {
			if !seen[p] {
				seen[p] = true
				files = append(files, p)
			}
			continue
		}
		found, err := lockfile.Find(p, opts.Recursive)
		if err != nil {
			r.Errors = append(r.Errors, Error{Kind: InputError, Path: p, Message: err.Error()})
			continue
		}
		if len(found) == 0 {
			m := missingLockfile(p, opts.Recursive)
			if len(m.manifests) == 0 {
				r.Errors = append(r.Errors, Error{Kind: InputError, Path: p,
					Message: fmt.Sprintf("%s: no supported lockfile or package manifest found%s", p, m.hint())})
				continue
			}
			missing = append(missing, m)
			continue
		}
		for _, f := range found {
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
	}
	if preload != nil {
		preload(files)
	}
	var out []*lockfile.Lockfile
	for _, f := range files {
		lf, err := lockfile.Parse(f)
		if err != nil {
			r.Errors = append(r.Errors, Error{Kind: InputError, Path: f, Message: err.Error()})
			continue
		}
		out = append(out, lf)
	}
	return out, missing
}

// lockfileEcosystems lists the ecosystems of the lockfiles about to be
// parsed, as their names tell, for what Check makes ready meanwhile (the
// typosquat lists, the offline DB's folders). A file whose format its name
// does not tell adds nothing (the rule loads its list, the query opens its
// folder, when first needed).
func lockfileEcosystems(files []string) []string {
	var out []string
	for _, f := range files {
		if format, ok := lockfile.Detect(f, nil); ok {
			if eco := string(lockfile.EcosystemOf(format)); !slices.Contains(out, eco) {
				out = append(out, eco)
			}
		}
	}
	return out
}

// missingLockfile describes a directory in which no lockfile was found: the
// manifests it holds say which install would run unpinned.
func missingLockfile(dir string, recursive bool) noLockfile {
	var manifests []string
	for _, m := range []string{"package.json", "pyproject.toml", "Pipfile", "setup.py", "setup.cfg", "Cargo.toml"} {
		if _, err := os.Stat(filepath.Join(dir, m)); err == nil {
			manifests = append(manifests, m)
		}
	}
	return noLockfile{dir: dir, manifests: manifests, recursive: recursive}
}

type noLockfile struct {
	dir       string
	manifests []string
	recursive bool
}

func (m noLockfile) hint() string {
	if m.recursive {
		return ""
	}
	return " (use --recursive to search subfolders)"
}

func describeStatError(p string, err error) string {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Sprintf("%s: no such file or directory", p)
	}
	return err.Error()
}

// ruleContext carries what decides a finding's action: the policy.
type ruleContext struct {
	p      *policy.Policy
	whatIf bool
}

func (rc ruleContext) enabled(rule string) bool { return rc.p.RuleEnabled(rule, itemOf(rule).Level) }

// anyEnabled reports whether any of the rules is on.
func (rc ruleContext) anyEnabled(rules ...string) bool {
	for _, r := range rules {
		if rc.enabled(r) {
			return true
		}
	}
	return false
}

// apply asks the policy what a finding does, and records why (the policy
// line or default that decided, and what would change it).
func (rc ruleContext) apply(f *Finding) {
	s := policy.Subject{Rule: f.Rule, Ecosystem: string(f.Ecosystem), Name: f.Name, Version: f.Version,
		ID: f.ID, Aliases: f.Aliases, Severity: f.Severity, Unreachable: f.Reachability == ReachUnreachable}
	decide := rc.p.Decide
	if rc.whatIf {
		decide = rc.p.Peek
	}
	d := decide(s)
	f.Action, f.Why, f.Change = Action(d.Action), d.Why, d.Change
	if e := d.Exception; e != nil {
		f.Exception = fmt.Sprintf("%s: %s (expires %v)", e.From, e.Reason, e.Expires)
	}
}

// decide sets the verdict and the per-item summary from the findings and
// the errors (the contract is in guard/verdict.go).
func (r *Report) decide() {
	verdict := Allow
	// failed: the rules whose evidence a check error left ungathered;
	// allFailed: why no rule could complete (an unreadable input).
	failed := map[string]string{}
	allFailed := ""
	for i := range r.Errors {
		e := &r.Errors[i]
		switch e.Kind {
		case CheckError:
			if r.onError == Warn {
				// on-error = "warn": a check that could not complete warns
				// instead of failing the run. Its items still read "error".
				e.Action = Warn
				verdict = VerdictWarn
			}
			for _, rule := range e.Rules {
				if failed[rule] == "" {
					failed[rule] = e.Message
				}
			}
			if len(e.Rules) == 0 && allFailed == "" {
				allFailed = e.Message
			}
		default:
			if allFailed == "" {
				allFailed = "not every input could be read (see errors)"
				if e.Path != "" {
					allFailed = "not every input could be read: " + e.Path
				}
			}
		}
	}
	count := map[string]int{}
	worst := map[string]Action{}
	for _, f := range r.Findings {
		count[f.Rule]++
		switch f.Action {
		case Block:
			verdict = VerdictBlock
			worst[f.Rule] = Block
		case Warn:
			if verdict == Allow {
				verdict = VerdictWarn
			}
			if worst[f.Rule] != Block {
				worst[f.Rule] = Warn
			}
		}
	}
	r.Verdict = verdict // what the findings say; verdictOf reads the errors
	r.Verdict = r.verdictOf(verdict)
	r.Items = r.Items[:0]
	for _, it := range Items {
		res := ItemResult{Item: it, Findings: count[it.Rule]}
		switch {
		case it.Level > r.Level || r.disabled[it.Rule]:
			res.Status = StatusOff
		case worst[it.Rule] == Block:
			res.Status = StatusBlock
		case failed[it.Rule] != "":
			res.Status, res.Note = StatusError, failed[it.Rule]
		case allFailed != "":
			res.Status, res.Note = StatusError, allFailed
		case worst[it.Rule] == Warn:
			res.Status = StatusWarn
		case r.unchecked[it.Rule] != "" && res.Findings == 0:
			res.Status, res.Note = StatusNotChecked, r.unchecked[it.Rule]
		default:
			res.Status = StatusPass
		}
		r.Items = append(r.Items, res)
	}
	r.sortFindings()
}
