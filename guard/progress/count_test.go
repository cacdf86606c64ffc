package progress

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestCounterAndTransportOffWithoutTerminal(t *testing.T) {
	c := Config{Out: &bytes.Buffer{}, IsTerminal: func(io.Writer) bool { return false }}
	if c.Counter("provenance", "packages") != nil {
		t.Error("Counter drew without a terminal")
	}
	base := http.DefaultTransport
	if c.Transport(base) != base {
		t.Error("Transport wrapped the base without a terminal")
	}
}

func TestTransportDrawsOnlyForExportDownloads(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 1000))
	}))
	defer srv.Close()
	var out bytes.Buffer
	c := Config{Out: &out, Getenv: func(string) string { return "" }, IsTerminal: func(io.Writer) bool { return true }}
	client := &http.Client{Transport: c.Transport(nil)}
	for _, p := range []string{"/other.json", "/npm/all.zip"} {
		resp, err := client.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(b) != 1000 {
			t.Fatalf("%s: read %d bytes", p, len(b))
		}
		if p == "/other.json" && out.Len() != 0 {
			t.Errorf("%s drew a line: %q", p, out.String())
		}
	}
	if !strings.Contains(out.String(), "npm") {
		t.Errorf("the all.zip download drew no line named npm: %q", out.String())
	}
}
