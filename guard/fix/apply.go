package fix

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/pm"
	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/advisory"
	"github.com/installguard/guard/verify/atomicfile"
)

// Setup is what planning needs besides a check result: the options of
// guard.Check (policy, level, mode, advisory source: the run's), where
// versions are listed, and how npm parent candidates are resolved.
type Setup struct {
	// Check are guard.Check's options for the run; Lockfiles and WhatIf
	// are set per check.
	Check guard.Options
	// Versions returns the version lister for a project folder; nil means
	// advisory fixed versions only.
	Versions func(dir string) VersionLister
	// Resolve enables parent upgrades (npm); nil plans none.
	Resolve ParentResolver
	// Progress, when set, is told of each slow step.
	Progress func(msg string)
}

// check runs a what-if guard.Check of lfs with the run's options.
func (s Setup) check(ctx context.Context, lfs []*lockfile.Lockfile) (*guard.Report, error) {
	o := s.Check
	o.Paths, o.Lockfiles, o.WhatIf = nil, lfs, true
	return guard.Check(ctx, o)
}

// Plan plans from r, guard.Check's decided result for lfs.
func (s Setup) Plan(ctx context.Context, lfs []*lockfile.Lockfile, r *guard.Report) (*Plan, error) {
	o := Options{Lockfiles: lfs, Report: r, Advisories: s.Check.Advisories, Check: s.check, Resolve: s.Resolve, Progress: s.Progress}
	if s.Versions != nil && len(lfs) > 0 {
		o.Versions = dirLister{by: s.Versions, lfs: lfs}
	}
	return MakePlan(ctx, o)
}

// checkAndPlan checks lfs (what-if) and plans from the result.
func (s Setup) checkAndPlan(ctx context.Context, lfs []*lockfile.Lockfile) (*Plan, error) {
	r, err := s.check(ctx, lfs)
	if err != nil {
		return nil, err
	}
	if code := r.ExitCode(); code == guard.ExitInvalid || code == guard.ExitIncomplete {
		return nil, incomplete(r)
	}
	return s.Plan(ctx, lfs, r)
}

// ApplyOptions configure Apply.
type ApplyOptions struct {
	Setup
	// Lockfiles are the paths of the lockfiles to fix.
	Lockfiles []string
	// Inv carries the environment (PATH, npm configuration) the package
	// managers run with; Inv.Dir is not used.
	Inv *pm.Invocation
	// MaxRounds bounds plan-apply rounds (an upgraded direct dependency can
	// bring in other vulnerable versions); 0 means 4.
	MaxRounds int
	// Verify, when set, runs after the last round (the re-check); an error
	// restores the files like any other failure.
	Verify func(ctx context.Context) error
}

// Result is what Apply did.
type Result struct {
	// Rounds lists the items applied in each round.
	Rounds [][]Item `json:"rounds"`
	// Remaining is the plan of the fixed project: what is still vulnerable
	// (malware to remove, no fix known, changes guard fix cannot apply).
	Remaining *Plan `json:"remaining"`
	// Skipped are items that could not be applied, with why in Note.
	Skipped []Item `json:"skipped,omitempty"`
}

// Changed reports whether anything was applied.
func (r *Result) Changed() bool {
	for _, round := range r.Rounds {
		if len(round) > 0 {
			return true
		}
	}
	return false
}

// RestoredError: applying failed and every file the package managers may
// have written was put back as it was.
type RestoredError struct {
	Err   error
	Files []string
	// RestoreErr is set when putting a file back failed too.
	RestoreErr error
}

func (e *RestoredError) Error() string {
	if e.RestoreErr != nil {
		return fmt.Sprintf("%v; restoring the original files FAILED: %v", e.Err, e.RestoreErr)
	}
	return fmt.Sprintf("%v (the original files were restored: %s)", e.Err, strings.Join(e.Files, ", "))
}

func (e *RestoredError) Unwrap() error { return e.Err }

// Apply plans and applies the upgrades in rounds until nothing more can be
// applied, then returns the remaining plan. On any failure (a package
// manager error, an advisory error, cancellation) every file it may have
// changed is restored and the error is a *RestoredError.
func Apply(ctx context.Context, opts ApplyOptions) (res *Result, err error) {
	if opts.Inv == nil {
		opts.Inv = &pm.Invocation{}
	}
	rounds := opts.MaxRounds
	if rounds <= 0 {
		rounds = 4
	}
	lfs, err := parseAll(opts.Lockfiles)
	if err != nil {
		return nil, err
	}
	snap, err := Snapshot(touchedFiles(lfs))
	if err != nil {
		return nil, err
	}
	defer func() {
		if err == nil {
			return
		}
		rerr := snap.Restore()
		err = &RestoredError{Err: err, Files: snap.Paths(), RestoreErr: rerr}
		res = nil
	}()
	res = &Result{}
	attempted := map[string]bool{}
	for range rounds {
		plan, err := opts.checkAndPlan(ctx, lfs)
		if err != nil {
			return nil, err
		}
		todo := nextRound(plan, attempted)
		if len(todo) == 0 {
			res.Remaining = plan
			return res, verify(ctx, opts)
		}
		for _, it := range todo {
			attempted[attemptKey(it)] = true
		}
		applied, skipped, err := applyRound(ctx, opts.Inv, lfs, todo)
		if err != nil {
			return nil, err
		}
		res.Skipped = append(res.Skipped, skipped...)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if lfs, err = parseAll(opts.Lockfiles); err != nil {
			return nil, err
		}
		res.Rounds = append(res.Rounds, withLocked(applied, lfs))
	}
	plan, err := opts.checkAndPlan(ctx, lfs)
	if err != nil {
		return nil, err
	}
	res.Remaining = plan
	return res, verify(ctx, opts)
}

func verify(ctx context.Context, opts ApplyOptions) error {
	if opts.Verify == nil {
		return nil
	}
	return opts.Verify(ctx)
}

// withLocked records, for each applied item, the versions of its package
// the lockfile now holds (and, for a parent upgrade, of each package it
// clears, under it): what the package manager actually locked.
func withLocked(items []Item, lfs []*lockfile.Lockfile) []Item {
	for i := range items {
		items[i].Locked = nil
		for _, lf := range lfs {
			if lf.Path != items[i].Lockfile {
				continue
			}
			items[i].Locked = lockedOf(lf, items[i].Name, items[i].Method == MethodDirect)
			if len(items[i].Clears) > 0 {
				sub := directSubtree(lf, items[i].Name)
				clears := slices.Clone(items[i].Clears)
				for j := range clears {
					clears[j].Locked = lockedOf(sub, clears[j].Name, false)
				}
				items[i].Clears = clears
			}
		}
		if items[i].Locked == nil {
			items[i].Locked = []string{}
		}
	}
	return items
}

// dirLister asks the lister of the first project folder (guard fix works
// on one project folder at a time).
type dirLister struct {
	by  func(string) VersionLister
	lfs []*lockfile.Lockfile
}

func (d dirLister) Versions(ctx context.Context, eco, name string) ([]string, error) {
	l := d.by(filepath.Dir(d.lfs[0].Path))
	if l == nil {
		return nil, nil
	}
	return l.Versions(ctx, eco, name)
}

func attemptKey(it Item) string {
	return it.Lockfile + "\x00" + it.Name + "\x00" + it.Version + "\x00" + it.To
}

// nextRound picks what to apply now: npm direct upgrades first (a newer
// direct dependency often brings fixed transitive versions itself, so
// overrides are only planned against the tree it leaves), everything else
// when no direct upgrade is left. Items already attempted are not retried.
func nextRound(plan *Plan, attempted map[string]bool) []Item {
	var direct, rest []Item
	for _, it := range plan.Actionable() {
		if attempted[attemptKey(it)] {
			continue
		}
		if it.Method == MethodDirect {
			direct = append(direct, it)
		} else {
			rest = append(rest, it)
		}
	}
	if len(direct) > 0 {
		return direct
	}
	return rest
}

func parseAll(paths []string) ([]*lockfile.Lockfile, error) {
	var out []*lockfile.Lockfile
	for _, p := range paths {
		lf, err := lockfile.Parse(p)
		if err != nil {
			return nil, err
		}
		out = append(out, lf)
	}
	return out, nil
}

// touchedFiles lists every file a package manager may write while fixing
// the lockfiles: npm's package.json and lockfiles, the requirements files,
// Cargo.lock and Cargo.toml. node_modules, virtual environments and target/
// are never written by guard fix (npm runs with --package-lock-only).
func touchedFiles(lfs []*lockfile.Lockfile) []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, lf := range lfs {
		dir := filepath.Dir(lf.Path)
		switch lf.Format {
		case lockfile.FormatPackageLock, lockfile.FormatShrinkwrap:
			for _, f := range npmFiles(dir) {
				add(f)
			}
		case lockfile.FormatCargoLock:
			add(filepath.Join(dir, "Cargo.lock"))
			add(filepath.Join(dir, "Cargo.toml"))
		default:
			add(lf.Path)
		}
	}
	sort.Strings(out)
	return out
}

// applyRound applies one round's items, grouped by lockfile.
func applyRound(ctx context.Context, inv *pm.Invocation, lfs []*lockfile.Lockfile, items []Item) (applied, skipped []Item, err error) {
	byLF := map[string][]Item{}
	for _, it := range items {
		byLF[it.Lockfile] = append(byLF[it.Lockfile], it)
	}
	for _, lf := range lfs {
		its := byLF[lf.Path]
		if len(its) == 0 {
			continue
		}
		dir := filepath.Dir(lf.Path)
		switch lf.Format {
		case lockfile.FormatPackageLock, lockfile.FormatShrinkwrap:
			if err := applyNpm(ctx, inv, dir, its); err != nil {
				return nil, nil, err
			}
			applied = append(applied, its...)
		case lockfile.FormatCargoLock:
			for _, it := range its {
				if err := pm.RunStep(ctx, inv, dir, "cargo update -p "+it.Name, "cargo", "update",
					"-p", it.Name+"@"+it.Version, "--precise", it.To); err != nil {
					return nil, nil, err
				}
				applied = append(applied, it)
			}
		case lockfile.FormatRequirements:
			a, s, err := applyPins(lf.Path, its)
			if err != nil {
				return nil, nil, err
			}
			applied, skipped = append(applied, a...), append(skipped, s...)
		}
	}
	return applied, skipped, nil
}

// applyPins rewrites NAME==OLD to NAME==NEW in a requirements file, keeping
// extras, markers and comments. Pins in files the file includes are not
// rewritten (the item is skipped).
func applyPins(path string, items []Item) (applied, skipped []Item, err error) {
	data, err := lockfile.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	text := string(data)
	for _, it := range items {
		re := pinPattern(it.Name, it.Version)
		if !re.MatchString(text) {
			it.Note = joinNote(it.Note, fmt.Sprintf("pin %s==%s not found in %s (pins in included files are not rewritten)", it.Name, it.Version, filepath.Base(path)))
			skipped = append(skipped, it)
			continue
		}
		text = re.ReplaceAllString(text, "${1}=="+it.To+"${2}")
		applied = append(applied, it)
	}
	if len(applied) == 0 {
		return nil, skipped, nil
	}
	if err := writeKeepingMode(path, []byte(text)); err != nil {
		return nil, nil, err
	}
	return applied, skipped, nil
}

// pinPattern matches a requirement line's "NAME[extras] == VERSION" with
// the name in any PEP 503 spelling.
func pinPattern(name, version string) *regexp.Regexp {
	parts := strings.Split(advisory.NormalizeName("PyPI", name), "-")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	n := strings.Join(parts, `[-_.]+`)
	return regexp.MustCompile(`(?im)^(\s*` + n + `\s*(?:\[[^\]]*\])?\s*)==\s*` + regexp.QuoteMeta(version) + `([ \t]*(?:[;#\\]|$))`)
}

func writeKeepingMode(path string, data []byte) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, st.Mode().Perm())
}

// Snap holds the contents of files as they were, to put them back.
type Snap struct {
	files []snapFile
}

type snapFile struct {
	path   string
	exists bool
	data   []byte
	mode   fs.FileMode
}

// Snapshot reads the files (a file that does not exist is recorded as
// absent: Restore removes it if it appears).
func Snapshot(paths []string) (*Snap, error) {
	s := &Snap{}
	for _, p := range paths {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			s.files = append(s.files, snapFile{path: p})
			continue
		}
		if err != nil {
			return nil, err
		}
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: not a regular file", p)
		}
		data, err := lockfile.ReadFile(p)
		if err != nil {
			return nil, err
		}
		s.files = append(s.files, snapFile{path: p, exists: true, data: data, mode: st.Mode().Perm()})
	}
	return s, nil
}

// Paths lists the files the snapshot covers.
func (s *Snap) Paths() []string {
	var out []string
	for _, f := range s.files {
		out = append(out, f.path)
	}
	return out
}

// Restore puts every file back as it was (through a temporary file and a
// rename, so a file is never half-written) and removes files that did not
// exist. It tries every file and returns the first error.
func (s *Snap) Restore() error {
	var first error
	for _, f := range s.files {
		var err error
		if !f.exists {
			if err = os.Remove(f.path); errors.Is(err, fs.ErrNotExist) {
				err = nil
			}
		} else {
			err = writeAtomic(f.path, f.data, f.mode)
		}
		if err != nil && first == nil {
			first = err
		}
	}
	return first
}

func writeAtomic(path string, data []byte, mode fs.FileMode) error {
	return atomicfile.WriteBytes(path, data, mode, false)
}
