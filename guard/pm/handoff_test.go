//go:build unix

package pm

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestNpmHandoff(t *testing.T) {
	for _, tt := range []struct {
		name  string
		args  []string
		env   []string
		files map[string]string
		want  bool
	}{
		{name: "install", args: []string{"install", "express@4.21.2"}, want: true},
		{name: "i", args: []string{"i"}, want: true},
		{name: "install-test", args: []string{"it", "x"}, want: true},
		{name: "save-dev", args: []string{"install", "-D", "--save-dev", "--save-exact", "x"}, want: true},
		{name: "update", args: []string{"update", "x"}},
		{name: "uninstall", args: []string{"uninstall", "x"}},
		{name: "audit fix", args: []string{"audit", "fix"}},
		{name: "--no-save", args: []string{"install", "--no-save", "x"}},
		{name: "--save=false", args: []string{"install", "--save=false", "x"}},
		{name: "--no-package-lock", args: []string{"install", "--no-package-lock", "x"}},
		{name: "--package-lock-only", args: []string{"install", "--package-lock-only"}},
		{name: "abbreviation", args: []string{"install", "--no-package-l", "x"}},
		{name: "--dry-run", args: []string{"install", "--dry-run", "x"}},
		{name: "after --", args: []string{"install", "x", "--", "--no-save"}, want: true},
		{name: "env", args: []string{"install"}, env: []string{"NPM_CONFIG_PACKAGE_LOCK=false"}},
		{name: "env dry-run", args: []string{"install"}, env: []string{"npm_config_dry_run=true"}},
		{name: "project npmrc", args: []string{"install"}, files: map[string]string{"proj/.npmrc": "package-lock=false\n"}},
		{name: "user npmrc", args: []string{"install"}, files: map[string]string{"home/.npmrc": "save = false\n"}},
		{name: "global npmrc", args: []string{"install"}, files: map[string]string{"prefix/etc/npmrc": "package-lock-only=true\n"}},
		{name: "unreadable npmrc", args: []string{"install"}, files: map[string]string{"home/.npmrc/x": ""}},
		{name: "other settings", args: []string{"install"}, env: []string{"npm_config_fund=false"}, files: map[string]string{"proj/.npmrc": "save-exact=true\naudit=false\n"}, want: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := rcTree(t, tt.files)
			env := append([]string{"PATH=", "HOME=" + filepath.Join(dir, "home"), "PREFIX=" + filepath.Join(dir, "prefix")}, tt.env...)
			inv := &Invocation{Manager: "npm", Args: tt.args, Dir: filepath.Join(dir, "proj"), Env: env}
			if got := npmHandoff(parseNpmArgs(tt.args, inv.Getenv), npmConfig(inv, inv.Dir)); got != tt.want {
				t.Errorf("npmHandoff(%q) = %v, want %v", tt.args, got, tt.want)
			}
		})
	}
}

func TestHandoffPlace(t *testing.T) {
	checked := []byte(`{"lockfileVersion": 3, "checked": true}` + "\n")
	orig := []byte(`{"lockfileVersion": 3}` + "\n")
	written := []byte(`{"lockfileVersion": 3, "written by npm": true}` + "\n")
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)

	read := func(t *testing.T, p string) (string, os.FileMode) {
		t.Helper()
		st, err := os.Lstat(p)
		if errors.Is(err, os.ErrNotExist) {
			return "<none>", 0
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(data), st.Mode().Perm()
	}
	for _, tt := range []struct {
		name      string
		had       []byte // nil: no lockfile
		mode      os.FileMode
		npmWrites bool // the real command wrote the lockfile itself
		sameBytes bool // ... the bytes guard placed (yarn 2+)
		manifest  int  // 1: a package.json was there; 2: the command saved it (yarn 2+ before it links)
		succeeded bool
		want      string // the lockfile after undo
		wantMode  os.FileMode
	}{
		{name: "new, succeeded", succeeded: true, want: string(checked), wantMode: 0o644},
		{name: "new, failed", want: "<none>"},
		{name: "existing, failed", had: orig, mode: 0o600, want: string(orig), wantMode: 0o600},
		{name: "existing, succeeded", had: orig, mode: 0o640, succeeded: true, want: string(checked), wantMode: 0o640},
		{name: "new, failed after npm wrote it", npmWrites: true, want: string(written), wantMode: 0o644},
		{name: "existing, failed after npm wrote it", had: orig, mode: 0o600, npmWrites: true, want: string(written), wantMode: 0o600},
		{name: "existing, failed after yarn wrote the same bytes", had: orig, mode: 0o600, npmWrites: true, sameBytes: true, want: string(checked), wantMode: 0o600},
		{name: "existing, failed, package.json as it was", had: orig, mode: 0o600, manifest: 1, want: string(orig), wantMode: 0o600},
		{name: "existing, failed after yarn saved package.json", had: orig, mode: 0o600, manifest: 2, want: string(checked), wantMode: 0o600},
		{name: "new, failed after yarn saved a new package.json", manifest: 3, want: string(checked), wantMode: 0o644},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "package-lock.json")
			if tt.had != nil {
				if err := os.WriteFile(p, tt.had, tt.mode); err != nil {
					t.Fatal(err)
				}
				os.Chmod(p, tt.mode)
			}
			manifest := filepath.Join(filepath.Dir(p), "package.json")
			if tt.manifest == 1 || tt.manifest == 2 {
				os.WriteFile(manifest, []byte("{}\n"), 0o644)
			}
			h := &Handoff{Path: p, Name: "package-lock.json", Data: checked}
			undo, err := h.Place()
			if err != nil {
				t.Fatal(err)
			}
			got, mode := read(t, p)
			wantMode := tt.mode
			if tt.had == nil {
				wantMode = 0o644 // 0666 less the umask, as npm creates it
			}
			if got != string(checked) || mode != wantMode {
				t.Errorf("placed: %q %v, want the checked lockfile, %v", got, mode, wantMode)
			}
			// The file system's clock may not have ticked since Place: what
			// the command writes is a second later.
			later := time.Now().Add(time.Second)
			if tt.npmWrites {
				f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
				if err != nil {
					t.Fatal(err)
				}
				if tt.sameBytes {
					f.Write(checked)
				} else {
					f.Write(written)
				}
				f.Close()
				os.Chtimes(p, later, later)
			}
			if tt.manifest >= 2 {
				os.WriteFile(manifest, []byte(`{"dependencies":{"x":"1.0.0"}}`+"\n"), 0o644)
				os.Chtimes(manifest, later, later)
			}
			if err := undo(tt.succeeded); err != nil {
				t.Fatal(err)
			}
			if got, mode := read(t, p); got != tt.want || mode != tt.wantMode {
				t.Errorf("after undo: %q %v, want %q %v", got, mode, tt.want, tt.wantMode)
			}
			os.Remove(manifest)
			if ents, _ := os.ReadDir(filepath.Dir(p)); len(ents) > 1 {
				t.Errorf("left behind: %v", ents)
			}
		})
	}

	t.Run("failed after yarn saved a workspace member's package.json", func(t *testing.T) {
		dir := t.TempDir()
		p, member := filepath.Join(dir, "yarn.lock"), filepath.Join(dir, "packages", "a", "package.json")
		os.MkdirAll(filepath.Dir(member), 0o755)
		os.WriteFile(p, orig, 0o644)
		os.WriteFile(member, []byte("{}\n"), 0o644)
		h, err := newHandoff(&Invocation{Dir: dir}, p, p, filepath.Dir(member))
		if err != nil {
			t.Fatal(err)
		}
		h.Data = checked
		undo, err := h.Place()
		if err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(time.Second)
		os.WriteFile(member, []byte(`{"dependencies":{"x":"1.0.0"}}`+"\n"), 0o644)
		os.Chtimes(member, later, later)
		if err := undo(false); err != nil {
			t.Fatal(err)
		}
		if got, _ := read(t, p); got != string(checked) {
			t.Errorf("after undo: %q, want the checked lockfile kept", got)
		}
	})

	t.Run("symlink is not replaced", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(dir, "elsewhere.json")
		os.WriteFile(target, orig, 0o644)
		p := filepath.Join(dir, "package-lock.json")
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
		if _, err := (&Handoff{Path: p, Data: checked}).Place(); !errors.Is(err, errNotRegular) {
			t.Errorf("Place over a symlink: %v, want errNotRegular", err)
		}
		if got, _ := read(t, target); got != string(orig) {
			t.Errorf("the symlink's target changed: %q", got)
		}
	})
	t.Run("read-only folder", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root writes into read-only folders")
		}
		dir := t.TempDir()
		os.Chmod(dir, 0o555)
		defer os.Chmod(dir, 0o755)
		if _, err := (&Handoff{Path: filepath.Join(dir, "package-lock.json"), Data: checked}).Place(); err == nil {
			t.Error("Place in a read-only folder succeeded")
		}
	})
}

func TestYarnHandoff(t *testing.T) {
	for _, tt := range []struct {
		name    string
		cmd     string
		version string
		args    []string
		env     []string
		files   map[string]string
		want    bool
	}{
		{name: "add", cmd: "add", args: []string{"add", "x"}, want: true},
		{name: "install", cmd: "install", args: nil, want: true},
		{name: "yarn 2+ add", cmd: "add", version: "4.5.0", args: []string{"add", "x"}, want: true},
		{name: "yarn 2+ install", cmd: "install", version: "4.5.0", args: []string{"install"}},
		{name: "yarn 2+ up", cmd: "up", version: "4.5.0", args: []string{"up", "x"}},
		{name: "yarn 2+ update-lockfile mode", cmd: "add", version: "4.5.0", args: []string{"add", "--mode=update-lockfile", "x"}},
		{name: "yarn 2+ lockfileFilename", cmd: "add", version: "4.5.0", args: []string{"add", "x"}, files: map[string]string{"proj/.yarnrc.yml": "lockfileFilename: other.lock\n"}},
		{name: "yarn 2+ YARN_LOCKFILE_FILENAME", cmd: "add", version: "4.5.0", args: []string{"add", "x"}, env: []string{"YARN_LOCKFILE_FILENAME=other.lock"}},
		{name: "upgrade", cmd: "upgrade", args: []string{"upgrade", "x"}},
		{name: "remove", cmd: "remove", args: []string{"remove", "x"}},
		{name: "--pure-lockfile", cmd: "add", args: []string{"add", "--pure-lockfile", "x"}},
		{name: "--no-lockfile", cmd: "install", args: []string{"--no-lockfile"}},
		{name: "after --", cmd: "add", args: []string{"add", "x", "--", "--no-lockfile"}, want: true},
		{name: "env", cmd: "add", args: []string{"add", "x"}, env: []string{"YARN_PURE_LOCKFILE=true"}},
		{name: "project yarnrc", cmd: "add", args: []string{"add", "x"}, files: map[string]string{"proj/.yarnrc": "--install.pure-lockfile true\n"}},
		{name: "parent yarnrc", cmd: "add", args: []string{"add", "x"}, files: map[string]string{".yarnrc": "--no-lockfile true\n"}},
		{name: "user yarnrc", cmd: "add", args: []string{"add", "x"}, files: map[string]string{"home/.yarnrc": "pure-lockfile true\n"}},
		{name: "config folder", cmd: "add", args: []string{"add", "x"}, files: map[string]string{"home/.config/yarn/config": "--frozen-lockfile true\n"}},
		{name: "YARN_CONFIG", cmd: "add", args: []string{"add", "x"}, env: []string{"YARN_CONFIG=rc"}, files: map[string]string{"proj/rc": "--pure-lockfile true\n"}},
		{name: "config folder is a folder", cmd: "add", args: []string{"add", "x"}, files: map[string]string{"home/.config/yarn/global/x": ""}, want: true},
		{name: "other settings", cmd: "add", args: []string{"add", "--exact", "x"}, files: map[string]string{"proj/.yarnrc": "registry \"https://registry.invalid\"\n"}, want: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := rcTree(t, tt.files)
			env := append([]string{"PATH=", "HOME=" + filepath.Join(dir, "home")}, tt.env...)
			inv := &Invocation{Manager: "yarn", Args: tt.args, Dir: filepath.Join(dir, "proj"), Env: env}
			version := tt.version
			if version == "" {
				version = "1.22.22"
			}
			if got := yarnHandoff(inv, tt.cmd, version, inv.Dir); got != tt.want {
				t.Errorf("yarnHandoff(%q) = %v, want %v", tt.args, got, tt.want)
			}
		})
	}
}

func TestPnpmHandoff(t *testing.T) {
	for _, tt := range []struct {
		name  string
		cmd   string
		args  []string
		env   []string
		files map[string]string
		want  bool
	}{
		{name: "add", cmd: "add", args: []string{"add", "x"}, want: true},
		{name: "install", cmd: "install", args: []string{"install"}},
		{name: "update", cmd: "update", args: []string{"up", "x"}},
		{name: "--lockfile-only", cmd: "add", args: []string{"add", "--lockfile-only", "x"}},
		{name: "--no-lockfile", cmd: "add", args: []string{"add", "x", "--no-lockfile"}},
		{name: "env", cmd: "add", args: []string{"add", "x"}, env: []string{"PNPM_CONFIG_LOCKFILE=false"}},
		{name: "project npmrc", cmd: "add", args: []string{"add", "x"}, files: map[string]string{"proj/.npmrc": "lockfile=false\n"}},
		{name: "parent npmrc", cmd: "add", args: []string{"add", "x"}, files: map[string]string{".npmrc": "prefer-frozen-lockfile=false\n"}},
		{name: "pnpm rc", cmd: "add", args: []string{"add", "x"}, files: map[string]string{"cfg/pnpm/rc": "lockfile=false\n"}},
		{name: "workspace yaml", cmd: "add", args: []string{"add", "x"}, files: map[string]string{"pnpm-workspace.yaml": "packages: [proj]\nlockfile: false\n"}},
		{name: "other settings", cmd: "add", args: []string{"add", "-D", "x"}, files: map[string]string{"proj/.npmrc": "save-exact=true\n", "pnpm-workspace.yaml": "packages: [proj]\n"}, want: true},
		{name: "npm's omit-lockfile-registry-resolved", cmd: "add", args: []string{"add", "x"}, env: []string{"npm_config_omit_lockfile_registry_resolved=true"},
			files: map[string]string{"prefix/etc/npmrc": "omit-lockfile-registry-resolved=true\n"}, want: true},
		{name: "and lockfile=false beside it", cmd: "add", args: []string{"add", "x"}, files: map[string]string{"prefix/etc/npmrc": "omit-lockfile-registry-resolved=true\nlockfile=false\n"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := rcTree(t, tt.files)
			inv := pnpmRCInv(dir, tt.args, tt.env)
			if _, got := pnpmRealRun(inv, tt.cmd, "9.15.0", inv.Dir); got != tt.want {
				t.Errorf("pnpmHandoff(%q) = %v, want %v", tt.args, got, tt.want)
			}
			if _, got := pnpmRealRun(inv, tt.cmd, "9.15.0", filepath.Join(dir, "other")); got {
				t.Errorf("pnpmHandoff(%q) with -C another folder = true", tt.args)
			}
		})
	}
}
