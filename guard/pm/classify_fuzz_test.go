package pm

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// classifySeeds are real command lines (everything after guard): installs,
// globals, exec/dlx, pass-throughs, odd option spellings.
var classifySeeds = []string{
	"npm i -g x", "npm install --global typescript@5", "npm -g install x", "npm --location=global i x",
	"npm -L global i x", "npm --prefix ./app ci", "npm -C app install --save-dev jest", "npm exec -- cowsay hi",
	"npm x cowsay", "npm run build", "npm test", "npm --version", "npm ls --all", "npm i", "npm install-test",
	"npx cowsay", "npm up", "npm rm lodash", "npm dedupe", "npm ci --ignore-scripts",
	"pnpm add -D vitest", "pnpm dlx create-vite app", "pnpm -g add pnpm", "pnpm install --frozen-lockfile",
	"pnpm --filter web add react", "yarn", "yarn add lodash@^4", "yarn global add x", "yarn dlx x",
	"yarn workspace web add react", "pip install -r requirements.txt", "pip --python /usr/bin/python3 install flask",
	"pip3 download -d out x", "pip wheel -w dist .", "pip list --format json", "pip -q --log x.log install -e .",
	"pip install --no-binary :all: x", "pip --isolated install --index-url https://i.example/simple x",
	"uv pip install -r req.txt", "uv pip sync requirements.txt", "uv sync --frozen", "uv add requests",
	"uv run pytest", "uv --directory app lock", "uv pip compile req.in", "poetry add requests",
	"poetry install --sync", "poetry lock --no-update", "poetry run pytest", "cargo install ripgrep",
	"cargo +nightly build --release", "cargo --locked fetch", "cargo add serde --features derive",
	"cargo -Z unstable-options build", "cargo install --path .", "cargo update -p serde", "cargo b",
}

// FuzzClassify: every manager's argument classifier (install or
// pass-through) on arbitrary arguments and environment: no panic, the same
// answer twice, an install always names its subcommand; and the pip
// resolution command line always ends in guard's own options (nothing the
// user typed can follow --only-binary :all: there).
func FuzzClassify(f *testing.F) {
	for _, s := range classifySeeds {
		manager, args, _ := strings.Cut(s, " ")
		f.Add(manager, strings.Join(strings.Fields(args), "\x00"), "")
	}
	f.Add("npm", "i\x00x", "npm_config_global=true")
	f.Add("npm", "install", "npm_config_location=global\x00PATH=/bin")
	f.Fuzz(func(t *testing.T, manager, argv, envv string) {
		var args, env []string
		if argv != "" {
			args = strings.Split(argv, "\x00")
		}
		if envv != "" {
			env = strings.Split(envv, "\x00")
		}
		names := Names()
		if m, ok := Lookup(manager); ok {
			names = m.Names()[:1]
		}
		for _, n := range names {
			m, _ := Lookup(n)
			inv := &Invocation{Manager: n, Args: args, Dir: "/nonexistent-guard-fuzz", Env: env}
			c := m.Classify(inv)
			if again := m.Classify(inv); !reflect.DeepEqual(c, again) {
				t.Fatalf("%s %q: %+v then %+v", n, args, c, again)
			}
			// npx, pnpx and uvx have no subcommands: every call downloads and
			// runs, and the tool's own name labels it.
			if c.Install && c.Name == "" && n != "npx" && n != "pnpx" && n != "uvx" {
				t.Fatalf("%s %q: an install without a subcommand name", n, args)
			}
		}
		cmd, idx := pipCommand(args)
		if idx < 0 {
			return
		}
		if args[idx] != cmd {
			t.Fatalf("pipCommand %q: %q at %d", args, cmd, idx)
		}
		got := pipResolveArgs(args, idx, "/r.json")
		tail := []string{"--dry-run", "--report", "/r.json", "--only-binary", ":all:", "--ignore-installed",
			"--quiet", "--disable-pip-version-check", "--no-input"}
		if len(got) < len(tail) || !reflect.DeepEqual(got[len(got)-len(tail):], tail) {
			t.Fatalf("pipResolveArgs %q = %q: guard's options are not last", args, got)
		}
		known := map[string]bool{"--user": true}
		for _, a := range args {
			name, _, _ := strings.Cut(a, "=")
			if o := refusedOption(name, known); o != "" && !strings.HasPrefix(o, name) {
				t.Fatalf("refusedOption(%q) = %q", name, o)
			}
			if l := pipLongOption(name, known); l != name && !strings.HasPrefix(l, name) {
				t.Fatalf("pipLongOption(%q) = %q", name, l)
			}
		}
	})
}

// FuzzPipNoBuild: the scan of a pip command line for anything that builds
// (pipbuild.go) on arbitrary arguments: no panic, and a refusal names the
// command line or a file. Arguments that could name files outside the
// fuzzer's empty folder are skipped; pip itself is not on PATH, so a scan
// that gets as far as pip's configuration ends in a NotFoundError.
func FuzzPipNoBuild(f *testing.F) {
	for _, s := range classifySeeds {
		if manager, args, _ := strings.Cut(s, " "); strings.HasPrefix(manager, "pip") {
			f.Add(strings.Join(strings.Fields(args), "\x00"))
		}
	}
	f.Add("install\x00-rreq.txt\x00--no-bin\x00:all:\x00x==1")
	f.Add("install\x00-Ue.\x00--config-settings=a=b")
	f.Add("--python\x00py\x00wheel\x00-w\x00out\x00x.tar.gz\x00--\x00-r")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, argv string) {
		args := strings.Split(argv, "\x00")
		for _, a := range args {
			if strings.ContainsAny(a, `/\~`) || strings.Contains(a, "..") || strings.Contains(strings.ToLower(a), "file:") {
				return
			}
		}
		_, idx := pipCommand(args)
		if idx < 0 {
			return
		}
		inv := &Invocation{Manager: "pip", Args: args, Dir: dir, Env: []string{"PATH="}}
		_, err := pipNoBuild(context.Background(), inv, idx)
		var be *BuildError
		if errors.As(err, &be) && (be.Where == "" || be.Option == "" && !strings.Contains(be.Why, "line break")) {
			t.Fatalf("%q: refusal without a place or option: %+v", args, be)
		}
	})
}
