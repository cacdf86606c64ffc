package registries

import (
	"os"
	"path/filepath"
	"testing"
)

func TestReadNpmrc(t *testing.T) {
	dir := t.TempDir()
	rc := filepath.Join(dir, ".npmrc")
	os.WriteFile(rc, []byte("; comment\n# comment\nregistry = \"https://npm.example.test/${TEAM}/\"\n@myorg:registry=https://npm.myorg.test/\n//npm.myorg.test/:_authToken=secret\n"), 0o600)
	def, scopes, _ := ReadNpmrc(rc, func(k string) string { return map[string]string{"TEAM": "core"}[k] })
	if def != "https://npm.example.test/core/" || scopes["@myorg"] != "https://npm.myorg.test/" || len(scopes) != 1 {
		t.Fatalf("registry %q scopes %v", def, scopes)
	}
	// npm 11 expands ${VAR} only, in keys too, and keeps an unset one as
	// written (npm config get registry / @team:registry on this file).
	rc2 := filepath.Join(t.TempDir(), ".npmrc")
	os.WriteFile(rc2, []byte("registry=https://npm.example.test/$TEAM/\n@${SCOPE}:registry=https://npm.${UNSET}.test/\n"), 0o600)
	def, scopes, _ = ReadNpmrc(rc2, func(k string) string { return map[string]string{"TEAM": "core", "SCOPE": "team"}[k] })
	if def != "https://npm.example.test/$TEAM/" || scopes["@team"] != "https://npm.${UNSET}.test/" || len(scopes) != 1 {
		t.Fatalf("registry %q scopes %v", def, scopes)
	}
	getenv := func(k string) string {
		return map[string]string{"npm_config_registry": "https://env.example.test/", "NPM_CONFIG_USERCONFIG": filepath.Join(dir, "none"), "PIP_INDEX_URL": "https://pypi.example.test/simple"}[k]
	}
	r, err := Discover(t.Context(), dir, getenv)
	if err != nil {
		t.Fatal(err)
	}
	if r.NPM != "https://env.example.test/" || r.NPMScopes["@myorg"] != "https://npm.myorg.test/" || r.PyPI != "https://pypi.example.test/simple" {
		t.Fatalf("%+v", r)
	}
}
