package pm

import (
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/installguard/guard/lockfile"
)

func init() { register(pipManager{}) }

type pipManager struct{}

func (pipManager) Names() []string { return []string{"pip", "pip3"} }

// pipInstallCommands download packages (and install, or build them).
var pipInstallCommands = map[string]bool{"install": true, "download": true, "wheel": true}

// pipValueFlags are pip's general options that take a value.
var pipValueFlags = map[string]bool{
	"--python": true, "--log": true, "--proxy": true, "--retries": true, "--timeout": true,
	"--exists-action": true, "--trusted-host": true, "--cert": true, "--client-cert": true,
	"--cache-dir": true, "--use-feature": true, "--use-deprecated": true, "--keyring-provider": true,
	"--resume-retries": true,
}

// FormatPipReport names the package set read from `pip install --report`.
const FormatPipReport lockfile.Format = "pip install --report"

func pipCommand(args []string) (string, int) {
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if strings.HasPrefix(arg, "-") {
			name, _, hasVal := strings.Cut(arg, "=")
			if !hasVal && pipValueFlags[name] {
				i++
			}
			continue
		}
		return arg, i
	}
	return "", -1
}

func (pipManager) Classify(inv *Invocation) Command {
	c, _ := pipCommand(inv.Args)
	return Command{Name: c, Install: pipInstallCommands[c]}
}

// pipReport is the part of pip's installation report (format 1) guard reads.
type pipReport struct {
	Version string `json:"version"`
	Install []struct {
		DownloadInfo struct {
			URL         string `json:"url"`
			ArchiveInfo *struct {
				Hash   string            `json:"hash"`
				Hashes map[string]string `json:"hashes"`
			} `json:"archive_info"`
			VCSInfo *struct {
				VCS      string `json:"vcs"`
				CommitID string `json:"commit_id"`
			} `json:"vcs_info"`
			DirInfo *struct {
				Editable bool `json:"editable"`
			} `json:"dir_info"`
		} `json:"download_info"`
		IsDirect  bool `json:"is_direct"`
		Requested bool `json:"requested"`
		Metadata  struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"metadata"`
	} `json:"install"`
}

var pep503Sep = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`[-_.]+`) })

// pep503Name normalises a Python project name (PEP 503).
func pep503Name(n string) string { return strings.ToLower(pep503Sep().ReplaceAllString(n, "-")) }

// pipReportLockfile turns pip's report into a package set.
func pipReportLockfile(path string, data []byte) (*lockfile.Lockfile, error) {
	var r pipReport
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, &lockfile.ParseError{Path: path, Err: fmt.Errorf("pip's installation report: %w", err)}
	}
	lf := &lockfile.Lockfile{Path: path, Format: FormatPipReport, Ecosystem: lockfile.PyPI, FormatVersion: r.Version,
		Packages: []lockfile.Package{}}
	for _, it := range r.Install {
		p := lockfile.Package{Ecosystem: lockfile.PyPI, Name: pep503Name(it.Metadata.Name), Version: it.Metadata.Version,
			Direct: it.Requested, Hashes: []lockfile.Hash{}}
		di := it.DownloadInfo
		switch {
		case di.VCSInfo != nil:
			p.Source = lockfile.Source{Kind: lockfile.SourceGit, URL: di.URL, Ref: di.VCSInfo.CommitID}
		case di.DirInfo != nil:
			p.Source = lockfile.Source{Kind: lockfile.SourcePath, URL: di.URL}
		case it.IsDirect:
			p.Source = lockfile.Source{Kind: lockfile.SourceURL, URL: di.URL}
		default:
			p.Source = lockfile.Source{Kind: lockfile.SourceRegistry, URL: di.URL}
		}
		if ai := di.ArchiveInfo; ai != nil {
			for alg, d := range ai.Hashes {
				p.Hashes = append(p.Hashes, lockfile.Hash{Algorithm: strings.ToLower(alg), Digest: d})
			}
			if len(ai.Hashes) == 0 && ai.Hash != "" {
				if alg, d, ok := strings.Cut(ai.Hash, "="); ok {
					p.Hashes = append(p.Hashes, lockfile.Hash{Algorithm: strings.ToLower(alg), Digest: d})
				}
			}
		}
		lf.Packages = append(lf.Packages, p)
	}
	return lf, nil
}

// pipResolveArgs: the user's command as a dry run that writes a report,
// takes wheels only (building an sdist runs its code) and ignores what is
// installed (so that the report lists the whole set). pip download and pip
// wheel resolve as pip install, without their output folder.
func pipResolveArgs(args []string, idx int, report string) []string {
	out := []string{}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if i == idx {
			out = append(out, "install")
			continue
		}
		if i > idx {
			name, _, hasVal := strings.Cut(arg, "=")
			switch name {
			case "-d", "--dest", "-w", "--wheel-dir":
				if !hasVal {
					i++
				}
				continue
			}
		}
		out = append(out, arg)
	}
	return append(out, "--dry-run", "--report", report, "--only-binary", ":all:", "--ignore-installed",
		"--quiet", "--disable-pip-version-check", "--no-input")
}

func (m pipManager) Resolve(ctx context.Context, inv *Invocation, cmd Command) (*Resolution, error) {
	_, idx := pipCommand(inv.Args)
	res := &Resolution{Note: "pip install --dry-run --report, wheels only"}
	if cmd.Name == "install" {
		installed, err := m.Installed(inv, cmd)
		if err != nil {
			return nil, err
		}
		if installed != nil {
			res.Before, res.Had = append(res.Before, installed), LabelInstalled
		}
	}
	// Nothing that could build a source distribution (pipbuild.go).
	scan, err := pipNoBuild(ctx, inv, idx)
	if err != nil {
		return nil, err
	}
	tmp, err := newTempProject("pip")
	if err != nil {
		return nil, err
	}
	defer tmp.Remove()
	report := filepath.Join(tmp.Dir, "report.json")
	args := pipResolveArgs(inv.Args, idx, report)
	// pip runs in the user's folder (requirements files, relative paths);
	// a dry run changes nothing there.
	rinv, ack, err := pipHookInvocation(inv, tmp.Dir)
	if err != nil {
		return nil, err
	}
	if err := runCaptured(ctx, rinv, inv.Dir, inv.Manager+" install --dry-run --report", inv.Manager, args...); err != nil {
		var re *ResolveError
		if asResolveError(err, &re) && strings.Contains(re.Output, "atching distribution") {
			re.Err = fmt.Errorf("%w (guard resolves with wheels only: a package that has only a source distribution would run its build code to install)", re.Err)
		}
		return nil, err
	}
	if err := checkPipHook(inv, ack); err != nil {
		return nil, err
	}
	data, err := lockfile.ReadFile(report)
	if err != nil {
		return nil, &ResolveError{Step: inv.Manager + " install --dry-run --report", Err: err}
	}
	after, err := pipReportLockfile(inv.Manager+" "+strings.Join(inv.Args, " "), data)
	if err != nil {
		return nil, err
	}
	after.Options, after.Indexes = scan.options, scan.indexes
	res.After = after
	return res, nil
}

func asResolveError(err error, target **ResolveError) bool {
	re, ok := err.(*ResolveError)
	if ok {
		*target = re
	}
	return ok
}

// Installed lists the distributions installed in the environment pip works
// on (`pip list`): names and versions, no hashes.
func (pipManager) Installed(inv *Invocation, cmd Command) (*lockfile.Lockfile, error) {
	if cmd.Name != "install" {
		return nil, nil
	}
	path, err := inv.LookPath(inv.Manager)
	if err != nil {
		return nil, err
	}
	// pip list, looking at the environment the install targets.
	var args []string
	for i := 0; i < len(inv.Args); i++ {
		name, val, hasVal := strings.Cut(inv.Args[i], "=")
		if !hasVal && i+1 < len(inv.Args) {
			val = inv.Args[i+1]
		}
		switch name {
		case "--python":
			args = append(args, "--python", val)
		case "--target", "-t":
			args = append(args, "--path", val)
		case "--user":
			args = append(args, "--user")
		}
	}
	args = append(args, "list", "--format", "json", "--disable-pip-version-check")
	c := exec.Command(path, args...)
	c.Dir = inv.Dir
	c.Env = inv.resolveEnviron()
	out, err := c.Output()
	if err != nil {
		return nil, nil // nothing to compare against: everything is new
	}
	var dists []struct{ Name, Version string }
	if err := json.Unmarshal(out, &dists); err != nil {
		return nil, nil
	}
	lf := &lockfile.Lockfile{Path: "installed distributions", Format: FormatPipReport, Ecosystem: lockfile.PyPI}
	for _, d := range dists {
		lf.Packages = append(lf.Packages, lockfile.Package{Ecosystem: lockfile.PyPI, Name: pep503Name(d.Name),
			Version: d.Version, Source: lockfile.Source{Kind: lockfile.SourceRegistry}})
	}
	return lf, nil
}
