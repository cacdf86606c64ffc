package advisory

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestLocate(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	def, err := DefaultDBDir()
	if err != nil {
		t.Skip("no user cache folder:", err)
	}
	tests := []struct {
		name            string
		db              string
		offline         bool
		environ         map[string]string
		wantDB, wantAPI string
	}{
		{"API by default", "", false, nil, "", DefaultAPIURL},
		{"GUARD_OSV_URL", "", false, map[string]string{EnvAPIURL: "http://127.0.0.1:9"}, "", "http://127.0.0.1:9"},
		{"GUARD_DB", "", false, map[string]string{EnvDB: "/env/db"}, "/env/db", ""},
		{"flag beats GUARD_DB", "/flag/db", false, map[string]string{EnvDB: "/env/db"}, "/flag/db", ""},
		{"offline uses the default DB", "", true, nil, def, ""},
	}
	for _, tt := range tests {
		l, err := Locate(tt.db, tt.offline, env(tt.environ))
		if err != nil || l.DBDir != tt.wantDB || l.APIURL != tt.wantAPI {
			t.Errorf("%s: %+v, %v; want DB %q API %q", tt.name, l, err, tt.wantDB, tt.wantAPI)
		}
	}
	if _, err := Locate("", false, env(map[string]string{"GUARD_NET_IDLE_TIMEOUT": "soon"})); err == nil {
		t.Error("a bad GUARD_NET_IDLE_TIMEOUT was accepted")
	}
}

func TestOpenMissingDBFailsEveryQuery(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "no-db")
	src := Location{DBDir: dir}.Open()
	_, err := src.Query(t.Context(), []Query{{Ecosystem: "npm", Name: "x", Version: "1.0.0"}})
	if err == nil || !strings.Contains(err.Error(), "run 'guard db update --db "+dir) {
		t.Fatalf("query of a missing DB: %v", err)
	}
}
