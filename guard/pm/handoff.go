package pm

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/installguard/guard/lockfile"
	"github.com/installguard/guard/verify/atomicfile"
)

// A Handoff gives the real command the lockfile guard checked (npm install,
// pnpm add, yarn 1 add and install; npmHandoff, pnpmHandoff, yarnHandoff
// say when). After the private resolution of `npm install ...`, the
// lockfile it wrote is put in the project before the real npm runs: npm
// then builds its tree from
// exactly the packages that were checked instead of resolving again, and
// with the registry's tarball URLs in it (the private run keeps them even
// where npm's configuration omits them from saved lockfiles) it goes
// straight to the cached tarballs instead of reading every packument a
// second time. npm writes the lockfile again when it finishes, from its
// own configuration, so the project ends as plain npm leaves it (the
// end-to-end tests compare every file).
//
// When the real command fails or is interrupted, the project's lockfile is
// put back as it was (removed when there was none), unless the command
// wrote the file itself.
type Handoff struct {
	// Path is the project's lockfile (absolute).
	Path string
	// Name is Path as the user sees it from their folder.
	Name string
	// Data is the checked lockfile as the private resolution wrote it.
	Data []byte
	// Manifests are package.json files besides the one next to Path that
	// the command may save (the workspace member it runs in).
	Manifests []string
}

// newHandoff is the Handoff of the lockfile the private resolution wrote
// at private, to be put at project, for a command run in the project
// folder dir.
func newHandoff(inv *Invocation, private, project, dir string) (*Handoff, error) {
	data, err := lockfile.ReadFile(private)
	if err != nil {
		return nil, err
	}
	h := &Handoff{Path: project, Name: displayPath(inv, project), Data: data}
	if dir != filepath.Dir(project) {
		h.Manifests = []string{filepath.Join(dir, "package.json")}
	}
	return h, nil
}

// errNotRegular: the project's lockfile exists but is no regular file (a
// symbolic link, say); guard does not replace it.
var errNotRegular = errors.New("not a regular file")

// Place writes the checked lockfile in place of the project's. The caller
// runs undo once the real command has ended, telling whether it succeeded;
// undo's error says the project's lockfile could not be put back. On error
// the project is as it was.
func (h *Handoff) Place() (undo func(succeeded bool) error, err error) {
	st, err := os.Lstat(h.Path)
	var orig []byte
	var mode fs.FileMode
	had := err == nil
	switch {
	case had && !st.Mode().IsRegular():
		return nil, fmt.Errorf("%s: %w", h.Path, errNotRegular)
	case had:
		mode = st.Mode().Perm()
		if orig, err = lockfile.ReadFile(h.Path); err != nil {
			return nil, err
		}
		if err := atomicfile.WriteBytes(h.Path, h.Data, mode, false); err != nil {
			return nil, err
		}
	case errors.Is(err, fs.ErrNotExist):
		if err := writeNew(h.Path, h.Data); err != nil {
			return nil, err
		}
	default:
		return nil, err
	}
	// What was placed, and the package.json beside it (and the one of the
	// workspace member the command runs in), to tell afterwards whether the
	// command wrote them itself. yarn 2+ saves package.json and
	// the lockfile before it links: when linking fails, plain yarn leaves
	// both saved, and the lockfile it saves is the one guard placed (so
	// yarn may not even write it).
	placed, err := os.Lstat(h.Path)
	if err != nil {
		return nil, err
	}
	manifests := append([]string{filepath.Join(filepath.Dir(h.Path), "package.json")}, h.Manifests...)
	before := make([]fs.FileInfo, len(manifests))
	for i, m := range manifests {
		before[i], _ = os.Lstat(m)
	}
	return func(succeeded bool) error {
		if succeeded {
			return nil
		}
		for i, m := range manifests {
			if changed(before[i], m) {
				return nil
			}
		}
		if changed(placed, h.Path) {
			return nil // the command removed or wrote the file itself
		}
		now, err := lockfile.ReadFile(h.Path)
		if err != nil || !bytes.Equal(now, h.Data) {
			return err // written within the file system's clock tick
		}
		if !had {
			return os.Remove(h.Path)
		}
		return atomicfile.WriteBytes(h.Path, orig, mode, false)
	}, nil
}

// changed: the file at path is not the one before describes (nil: there
// was none): another file, written since, or gone.
func changed(before fs.FileInfo, path string) bool {
	st, err := os.Lstat(path)
	if before == nil || err != nil {
		return (before == nil) != (err != nil)
	}
	return !os.SameFile(st, before) || !st.ModTime().Equal(before.ModTime()) || st.Size() != before.Size()
}

// writeNew creates path with data, whole or not at all, with the mode the
// package manager would have given it (0666 less the umask; atomicfile
// sets an explicit mode instead, hence this variant of its temporary file
// and rename).
func writeNew(path string, data []byte) error {
	var r [8]byte
	rand.Read(r[:])
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".guard-"+hex.EncodeToString(r[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// npmHandoff: the checked lockfile can be given to the real npm command.
// Only for npm install: npm builds its tree from the lockfile it finds and
// writes it back when done. Not when the user's configuration (command
// line, environment, any npmrc) names package-lock, package-lock-only,
// save or dry-run, whatever the value: then npm may read no lockfile or
// write none back, and the one guard put there would stay.
func npmHandoff(a npmArgs, cfg userConfig) bool {
	return (a.cmd == "install" || a.cmd == "install-test") && !cfg.sets(lockSetting)
}

// lockSetting: the key is one of the settings that decide whether npm reads
// and writes the project's lockfile, or an abbreviation npm would expand to
// one.
func lockSetting(key, _ string) bool {
	k := normKey(key)
	if len(k) < 3 {
		return false
	}
	for _, w := range []string{"package-lock", "package-lock-only", "save", "dry-run"} {
		if strings.HasPrefix(w, k) {
			return true
		}
	}
	return false
}

// yarnHandoff: the checked yarn.lock can be given to the real yarn 1 add or
// install. yarn 1 takes what the lockfile holds and resolves only what it
// lacks (the packages named on the command line, resolved the same way
// again), then leaves a lockfile that already matches as it is: the end
// state is plain yarn's, and its second resolution of every dependency is
// saved. Not when the command line, a YARN_* or npm_config_* variable, or
// any yarnrc yarn 1 reads mentions a lockfile option (--no-lockfile,
// --pure-lockfile, --frozen-lockfile): yarn may then write no lockfile,
// and the one guard put there would stay.
//
// yarn 2+ add is handed the yarn.lock of its private --mode=update-lockfile
// run the same way (yarn 4 add of express: 0.35 s instead of 0.47 s, the
// same end state); not yarn 2+ install, which in CI is an immutable
// install by default: a handed lockfile would turn its failure into a
// success.
func yarnHandoff(inv *Invocation, cmd, version, dir string) bool {
	if isYarn1(version) && cmd != "add" && cmd != "install" || !isYarn1(version) && cmd != "add" {
		return false
	}
	return !mentionsLockfile(inv, yarnrcFiles(inv, dir))
}

// pnpmHandoff: the checked pnpm-lock.yaml can be given to the real pnpm
// add, which then takes every package it holds as it is and resolves only
// what it lacks (on a 1,300-package app, 4.9-7.8 s instead of 7.4-10.5 s
// with --prefer-offline). Only add: pnpm install in CI is a frozen install
// by default, which a handed lockfile would turn from a failure into a
// success. Not when the command line, a pnpm_config_* or npm_config_*
// variable, an npmrc pnpm reads or pnpm-workspace.yaml (in dir or above)
// mentions a lockfile setting (lockfile=false, --lockfile-only,
// --frozen-lockfile, ...). pnpmRealRun calls it.
func pnpmHandoff(cmd, dir string, cfg userConfig) bool {
	return cmd == "add" && cfg.ok && !mentionsLockfile(cfg.inv, append(cfg.files, upward(dir, "pnpm-workspace.yaml")...))
}

// mentionsLockfile: "lockfile" appears in an option on the command line
// (before "--"), in the name of a yarn_*, npm_config_* or pnpm_config_*
// variable, or anywhere in one of the files (a missing file, or a folder,
// counts for nothing; one that cannot be read counts as a mention). npm's
// omit-lockfile-registry-resolved, which neither yarn nor pnpm reads and
// which only says what npm writes, is not a mention.
func mentionsLockfile(inv *Invocation, files []string) bool {
	mentions := func(s string) bool {
		s = strings.ToLower(s)
		s = strings.ReplaceAll(strings.ReplaceAll(s, "omit-lockfile-registry-resolved", ""), "omit_lockfile_registry_resolved", "")
		return strings.Contains(s, "lockfile")
	}
	for _, a := range inv.Args {
		if a == "--" {
			break
		}
		if mentions(a) {
			return true
		}
	}
	for _, kv := range inv.environ() {
		k, _, _ := strings.Cut(kv, "=")
		lk := strings.ToLower(k)
		if (strings.HasPrefix(lk, "yarn_") || strings.HasPrefix(lk, "npm_config_") || strings.HasPrefix(lk, "pnpm_config_")) && mentions(lk) {
			return true
		}
	}
	return anyFileSays(files, mentions)
}

// anyFileSays: says holds for the content of one of the files. A missing
// file, or a folder (yarn's config folder), says nothing; one that cannot
// be read counts as saying it.
func anyFileSays(files []string, says func(string) bool) bool {
	for _, p := range files {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && st.IsDir()) {
			continue
		}
		data, err := readProjectFile(p)
		if err != nil || says(string(data)) {
			return true
		}
	}
	return false
}

// yarnrcFiles are the files yarn 1 reads its rc settings from (its
// getRcPaths, Unix): /etc/yarn/config, /etc/yarnrc, the config folder and
// the user's rc files, $YARN_CONFIG, and .yarnrc (and .yarnrc.yml) in
// every folder from the working one up, for both the working folder and
// the project's.
func yarnrcFiles(inv *Invocation, dir string) []string {
	files := []string{"/etc/yarn/config", "/etc/yarnrc"}
	if home := inv.Getenv("HOME"); home != "" {
		if x := inv.Getenv("XDG_CONFIG_HOME"); x != "" {
			files = append(files, filepath.Join(x, "yarn"))
		}
		files = append(files, filepath.Join(home, ".config", "yarn", "config"), filepath.Join(home, ".config", "yarn"),
			filepath.Join(home, ".yarn", "config"), filepath.Join(home, ".yarnrc"), filepath.Join(home, ".yarnrc.yml"))
	}
	if p := inv.Getenv("YARN_CONFIG"); p != "" {
		if !filepath.IsAbs(p) {
			p = filepath.Join(inv.Dir, p)
		}
		files = append(files, p)
	}
	files = append(files, upward(inv.Dir, ".yarnrc", ".yarnrc.yml")...)
	return append(files, upward(dir, ".yarnrc", ".yarnrc.yml")...)
}
