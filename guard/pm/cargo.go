package pm

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/installguard/guard/lockfile"
)

func init() { register(cargoManager{}) }

type cargoManager struct{}

func (cargoManager) Names() []string { return []string{"cargo"} }

// cargoAliases are Cargo's built-in aliases.
var cargoAliases = map[string]string{"b": "build", "c": "check", "d": "doc", "r": "run", "t": "test", "rm": "remove"}

// cargoInstallCommands fetch crates and build them (running their build
// scripts and proc macros), or change the lockfile: checked first.
var cargoInstallCommands = map[string]bool{
	"build": true, "check": true, "run": true, "test": true, "bench": true, "doc": true,
	"fetch": true, "install": true, "add": true, "remove": true, "update": true, "generate-lockfile": true,
	"clippy": true, "fix": true, "rustc": true, "rustdoc": true, "vendor": true, "package": true, "publish": true,
	"tree": true, "metadata": true,
}

// cargoValueFlags take the next argument as their value.
var cargoValueFlags = map[string]bool{
	"--config": true, "-Z": true, "-C": true, "--color": true, "--manifest-path": true, "--explain": true,
	"-p": true, "--package": true, "--target": true, "--target-dir": true, "-j": true, "--jobs": true,
	"--features": true, "-F": true, "--profile": true, "--bin": true, "--example": true, "--test": true,
	"--bench": true, "--exclude": true, "--message-format": true, "--precise": true, "--rename": true,
	"--version": false, "--vers": true, "--registry": true, "--index": true, "--git": true, "--branch": true,
	"--tag": true, "--rev": true, "--path": true, "--root": true, "--lockfile-path": true,
}

type cargoArgs struct {
	cmd       string
	cmdIndex  int
	toolchain string // "+nightly" as the first argument (rustup)
	manifest  string // --manifest-path
	offline   bool
}

func parseCargoArgs(args []string) cargoArgs {
	a := cargoArgs{cmdIndex: -1}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			break
		}
		if i == 0 && strings.HasPrefix(arg, "+") {
			a.toolchain = arg
			continue
		}
		if strings.HasPrefix(arg, "-") {
			name, val, hasVal := strings.Cut(arg, "=")
			switch name {
			case "--manifest-path":
				if !hasVal && i+1 < len(args) {
					val = args[i+1]
				}
				a.manifest = val
			case "--offline", "--frozen":
				a.offline = true
			}
			// --version is a flag before the command, cargo install's value after.
			if !hasVal && (cargoValueFlags[name] || (name == "--version" && a.cmdIndex >= 0)) {
				i++
			}
			continue
		}
		if a.cmdIndex < 0 {
			a.cmd, a.cmdIndex = arg, i
			if c, ok := cargoAliases[arg]; ok {
				a.cmd = c
			}
		}
	}
	return a
}

func (cargoManager) Classify(inv *Invocation) Command {
	a := parseCargoArgs(inv.Args)
	return Command{Name: a.cmd, Install: cargoInstallCommands[a.cmd]}
}

// cargoWorkspace asks Cargo where the workspace root's Cargo.toml is (it
// reads manifests only).
func cargoWorkspace(ctx context.Context, inv *Invocation, a cargoArgs) (string, error) {
	path, err := inv.LookPath("cargo")
	if err != nil {
		return "", err
	}
	args := []string{}
	if a.toolchain != "" {
		args = append(args, a.toolchain)
	}
	args = append(args, "locate-project", "--workspace", "--message-format", "plain")
	if a.manifest != "" {
		args = append(args, "--manifest-path", a.manifest)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = inv.Dir
	cmd.Env = inv.resolveEnviron()
	var errb strings.Builder
	cmd.Stderr = &limitedWriter{b: &errb, n: 16 << 10}
	out, err := cmd.Output()
	if err != nil {
		return "", &ResolveError{Step: "cargo locate-project", Err: err, Output: errb.String()}
	}
	return filepath.Dir(strings.TrimSpace(string(out))), nil
}

// copyCargoWorkspace copies what Cargo reads to resolve: every Cargo.toml
// and Cargo.lock, .cargo/config(.toml), rust-toolchain files, and an empty
// stand-in for every .rs file (Cargo only looks for target files; no code
// is copied, none could run).
func copyCargoWorkspace(tmp *tempProject, root string) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == root {
				return err
			}
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if p != root && lockfile.SkipDir(p) {
				return fs.SkipDir
			}
			return nil
		}
		name := d.Name()
		inCargoDir := filepath.Base(filepath.Dir(p)) == ".cargo"
		switch {
		case name == "Cargo.toml" || name == "Cargo.lock" || name == "rust-toolchain" || name == "rust-toolchain.toml",
			inCargoDir && (name == "config" || name == "config.toml"):
			_, err := tmp.copyIn(p, rel)
			return err
		case strings.HasSuffix(name, ".rs") && d.Type().IsRegular():
			dst := filepath.Join(tmp.Dir, rel)
			if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
				return err
			}
			return os.WriteFile(dst, nil, 0o600)
		}
		return nil
	})
}

// cargoConfigs are cargo's settings files, which it reads in every folder
// from the one it runs in up.
var cargoConfigs = []string{filepath.Join(".cargo", "config.toml"), filepath.Join(".cargo", "config")}

func (cargoManager) Resolve(ctx context.Context, inv *Invocation, cmd Command) (*Resolution, error) {
	a := parseCargoArgs(inv.Args)
	if a.cmd == "install" {
		return cargoResolveInstall(ctx, inv, a)
	}
	root, err := cargoWorkspace(ctx, inv, a)
	if err != nil {
		return nil, err
	}
	lockPath := filepath.Join(root, "Cargo.lock")
	res := &Resolution{}
	if exists(lockPath) {
		before, err := lockfile.Parse(lockPath)
		if err != nil {
			return nil, err
		}
		res.Before = append(res.Before, before)
	}
	tmp, err := newTempProject("cargo")
	if err != nil {
		return nil, err
	}
	defer tmp.Remove()
	// cargo reads .cargo/config.toml in every folder above the one it runs
	// in (a source replacement in a parent folder, say): the copy mirrors
	// those of the folders above the workspace.
	if err := tmp.mirror(root, cargoConfigs); err != nil {
		return nil, err
	}
	if err := copyCargoWorkspace(tmp, root); err != nil {
		return nil, err
	}
	var args []string
	if a.toolchain != "" {
		args = append(args, a.toolchain)
	}
	switch a.cmd {
	case "add", "remove", "update", "generate-lockfile":
		// The user's own command changes the lockfile: run it on the copy.
		args = append(args, cargoResolveArgs(inv, a)...)
	default:
		// What the build would do to the lockfile: add what is missing,
		// keep what is locked.
		if res.Before == nil {
			args = append(args, "generate-lockfile")
		} else {
			args = append(args, "update", "--workspace")
		}
		if a.offline {
			args = append(args, "--offline")
		}
	}
	workDir := tmp.Dir
	if rel, err := filepath.Rel(root, inv.Dir); err == nil && !strings.HasPrefix(rel, "..") && exists(filepath.Join(tmp.Dir, rel)) {
		workDir = filepath.Join(tmp.Dir, rel)
	}
	step := "cargo " + strings.Join(args, " ")
	if err := runCaptured(ctx, inv, workDir, step, "cargo", args...); err != nil {
		return nil, err
	}
	after, err := lockfile.Parse(filepath.Join(tmp.Dir, "Cargo.lock"))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, &ResolveError{Step: step, Err: ErrNoLockfile}
		}
		return nil, err
	}
	after.Path = displayPath(inv, lockPath)
	res.After = after
	return res, nil
}

// cargoResolveArgs are the user's arguments for the copy: no
// --manifest-path (the copy is the working folder), local paths absolute.
func cargoResolveArgs(inv *Invocation, a cargoArgs) []string {
	var out []string
	args := inv.Args
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if i == 0 && a.toolchain != "" {
			continue
		}
		name, val, hasVal := strings.Cut(arg, "=")
		switch {
		case name == "--manifest-path":
			if !hasVal {
				i++
			}
			continue
		case name == "--path" && hasVal && !filepath.IsAbs(val):
			out = append(out, "--path="+filepath.Join(inv.Dir, val))
			continue
		case name == "--path" && !hasVal && i+1 < len(args):
			out = append(out, arg, absIn(inv.Dir, args[i+1]))
			i++
			continue
		case i == a.cmdIndex:
			out = append(out, a.cmd)
			continue
		}
		out = append(out, arg)
	}
	return out
}

func absIn(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// cargoResolveInstall: `cargo install CRATE[@VERSION]...` builds crates
// outside any project. What it brings in is resolved as the dependencies of
// an empty project; `cargo install --path DIR` is DIR's own workspace.
func cargoResolveInstall(ctx context.Context, inv *Invocation, a cargoArgs) (*Resolution, error) {
	var crates []string
	version, path := "", ""
	args := inv.Args
	for i := a.cmdIndex + 1; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			break
		}
		name, val, hasVal := strings.Cut(arg, "=")
		if strings.HasPrefix(arg, "-") {
			if !hasVal && (cargoValueFlags[name] || name == "--version") && i+1 < len(args) {
				val = args[i+1]
				i++
			}
			switch name {
			case "--version", "--vers":
				version = val
			case "--path":
				path = val
			case "--git", "--registry", "--index":
				return nil, &ResolveError{Step: "cargo install", Err: fmt.Errorf("%s: installs from another source are not resolved yet", name)}
			}
			continue
		}
		crates = append(crates, arg)
	}
	if path != "" {
		pinv := *inv
		pinv.Dir = absIn(inv.Dir, path)
		pinv.Args = []string{"build"}
		return cargoManager{}.Resolve(ctx, &pinv, Command{Name: "build", Install: true})
	}
	if len(crates) == 0 {
		return nil, &ResolveError{Step: "cargo install", Err: fmt.Errorf("no crate named")}
	}
	tmp, err := newTempProject("cargo")
	if err != nil {
		return nil, err
	}
	defer tmp.Remove()
	// As if made in the working folder: cargo install run there reads the
	// .cargo/config.toml of it and every folder above.
	if err := tmp.mirror(filepath.Join(inv.Dir, "guard-cargo-install"), cargoConfigs); err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("[package]\nname = \"guard-cargo-install\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n")
	for _, c := range crates {
		name, v, _ := strings.Cut(c, "@")
		if v == "" {
			v = version
		}
		if v == "" {
			v = "*"
		} else if v[0] >= '0' && v[0] <= '9' {
			v = "=" + v // cargo install takes a bare version as exact
		}
		fmt.Fprintf(&b, "%q = %q\n", name, v)
	}
	if err := os.WriteFile(filepath.Join(tmp.Dir, "Cargo.toml"), []byte(b.String()), 0o600); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(tmp.Dir, "src"), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp.Dir, "src", "lib.rs"), nil, 0o600); err != nil {
		return nil, err
	}
	gargs := []string{"generate-lockfile"}
	if a.toolchain != "" {
		gargs = append([]string{a.toolchain}, gargs...)
	}
	if a.offline {
		gargs = append(gargs, "--offline")
	}
	if err := runCaptured(ctx, inv, tmp.Dir, "cargo generate-lockfile (for cargo install)", "cargo", gargs...); err != nil {
		return nil, err
	}
	after, err := lockfile.Parse(filepath.Join(tmp.Dir, "Cargo.lock"))
	if err != nil {
		return nil, err
	}
	// The stand-in project itself is no package of the install.
	pkgs := after.Packages[:0]
	for _, p := range after.Packages {
		if p.Name != "guard-cargo-install" {
			pkgs = append(pkgs, p)
		}
	}
	after.Packages = pkgs
	after.Path = "cargo " + strings.Join(inv.Args, " ")
	return &Resolution{After: after, Note: "cargo install: resolved as the dependencies of an empty project"}, nil
}

func (cargoManager) Installed(inv *Invocation, cmd Command) (*lockfile.Lockfile, error) {
	a := parseCargoArgs(inv.Args)
	if a.cmd == "install" {
		return nil, nil
	}
	root, err := cargoWorkspace(context.Background(), inv, a)
	if err != nil {
		return nil, nil // e.g. cargo remove of the last manifest; nothing to compare
	}
	p := filepath.Join(root, "Cargo.lock")
	if !exists(p) {
		return nil, nil
	}
	return lockfile.Parse(p)
}
