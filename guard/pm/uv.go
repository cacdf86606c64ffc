package pm

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/installguard/guard/lockfile"
)

// uvManager is uv's project commands (a lockManager) plus `uv pip
// install|sync`, resolved with `uv pip compile --generate-hashes
// --only-binary :all:` into a requirements file.
type uvManager struct{ *lockManager }

// uvPipValueFlags are the options of uv pip install/sync that say where
// packages come from or which Python they are for: kept for the compile.
var uvPipValueFlags = map[string]bool{
	"-i": true, "--index-url": true, "--extra-index-url": true, "-f": true, "--find-links": true,
	"--index": true, "--default-index": true, "-p": true, "--python": true, "--python-version": true,
	"--prerelease": true, "--index-strategy": true, "--resolution": true, "--override": true,
	"--python-platform": true, "--exclude-newer": true, "--keyring-provider": true,
}

// uvPip returns the pip subcommand ("install", "sync") and its index.
func uvPip(args []string, m *lockManager) (string, int) {
	c, idx := m.parse(args)
	if c != "pip" {
		return "", -1
	}
	for i := idx + 1; i < len(args); i++ {
		if !strings.HasPrefix(args[i], "-") {
			return args[i], i
		}
	}
	return "", -1
}

func (m *uvManager) Classify(inv *Invocation) Command {
	if c, idx := m.parse(inv.Args); c == "tool" {
		sub := firstPositional(inv.Args, idx)
		return Command{Name: "tool " + sub, Install: uvToolFetches[sub]}
	}
	if sub, _ := uvPip(inv.Args, m.lockManager); sub != "" {
		return Command{Name: "pip " + sub, Install: sub == "install" || sub == "sync"}
	}
	return m.lockManager.Classify(inv)
}

func (m *uvManager) Resolve(ctx context.Context, inv *Invocation, cmd Command) (*Resolution, error) {
	if c, idx := m.parse(inv.Args); c == "tool" {
		return uvResolveTool(ctx, inv, idx)
	}
	sub, idx := uvPip(inv.Args, m.lockManager)
	if sub == "" {
		return m.lockManager.Resolve(ctx, inv, cmd)
	}
	// Nothing that could build a source distribution (pipbuild.go).
	scan, err := uvPipNoBuild(inv, sub, idx)
	if err != nil {
		return nil, err
	}
	var reqs []string
	args := []string{"pip", "compile"}
	rest := inv.Args[idx+1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		name, val, hasVal := strings.Cut(a, "=")
		takesVal := !hasVal && i+1 < len(rest)
		switch {
		case name == "-r" || name == "--requirement" || name == "-c" || name == "--constraint" || name == "-e" || name == "--editable":
			if takesVal {
				val = rest[i+1]
				i++
			}
			flag := map[string]string{"-r": "-r", "--requirement": "-r", "-c": "-c", "--constraint": "-c", "-e": "-e", "--editable": "-e"}[name]
			reqs = append(reqs, flag+" "+absIn(inv.Dir, val))
		case uvPipValueFlags[name]:
			args = append(args, a)
			if takesVal {
				args = append(args, rest[i+1])
				i++
			}
		case a == "--no-index" || a == "-U" || a == "--upgrade" || a == "--pre":
			args = append(args, a)
		case strings.HasPrefix(a, "-"):
			// other install options do not change what is resolved
		case sub == "sync":
			reqs = append(reqs, "-r "+absIn(inv.Dir, a))
		default:
			reqs = append(reqs, absArgs(inv.Dir, []string{a})[0])
		}
	}
	res, err := uvCompile(ctx, inv, reqs, args, "uv "+cmd.Name)
	if err != nil {
		return nil, err
	}
	res.After.Options, res.After.Indexes = scan.options, scan.indexes
	res.Had = LabelInstalled
	if installed, _ := m.Installed(inv, cmd); installed != nil {
		res.Before = append(res.Before, installed)
	}
	return res, nil
}

// uvCompile resolves requirement lines with `uv pip compile
// --generate-hashes --no-build` (args: "pip", "compile" and the
// options that say where packages come from) into a private folder.
func uvCompile(ctx context.Context, inv *Invocation, reqs, args []string, what string) (*Resolution, error) {
	tmp, err := newTempProject("uv")
	if err != nil {
		return nil, err
	}
	defer tmp.Remove()
	in := filepath.Join(tmp.Dir, "requirements.in")
	if err := os.WriteFile(in, []byte(strings.Join(reqs, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	out := filepath.Join(tmp.Dir, "requirements.txt")
	args = append(args, in, "-o", out, "--generate-hashes", "--no-build", "--quiet", "--no-header")
	if err := runCaptured(ctx, inv, inv.Dir, "uv pip compile (for "+what+")", "uv", args...); err != nil {
		return nil, err
	}
	after, err := lockfile.ParseAs(out, lockfile.FormatRequirements)
	if err != nil {
		return nil, err
	}
	after.Path = inv.Manager + " " + strings.Join(inv.Args, " ")
	return &Resolution{After: after, Note: "uv pip compile --generate-hashes --no-build (wheels only)"}, nil
}

func (m *uvManager) Installed(inv *Invocation, cmd Command) (*lockfile.Lockfile, error) {
	if !strings.HasPrefix(cmd.Name, "pip ") {
		return m.lockManager.Installed(inv, cmd)
	}
	path, err := inv.LookPath("uv")
	if err != nil {
		return nil, err
	}
	c := exec.Command(path, "pip", "list", "--format", "json", "--quiet")
	c.Dir = inv.Dir
	c.Env = inv.resolveEnviron()
	out, err := c.Output()
	if err != nil {
		return nil, nil
	}
	var dists []struct{ Name, Version string }
	if json.Unmarshal(out, &dists) != nil {
		return nil, nil
	}
	lf := &lockfile.Lockfile{Path: "installed distributions", Format: lockfile.FormatRequirements, Ecosystem: lockfile.PyPI}
	for _, d := range dists {
		lf.Packages = append(lf.Packages, lockfile.Package{Ecosystem: lockfile.PyPI, Name: pep503Name(d.Name),
			Version: d.Version, Source: lockfile.Source{Kind: lockfile.SourceRegistry}})
	}
	return lf, nil
}
