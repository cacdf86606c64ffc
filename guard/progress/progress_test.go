package progress

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestEnabled(t *testing.T) {
	yes := func(io.Writer) bool { return true }
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	var b bytes.Buffer
	for _, c := range []struct {
		cfg  Config
		want bool
	}{
		{Config{}, false},
		{Config{Out: &b}, false}, // a buffer is no terminal
		{Config{Out: &b, IsTerminal: yes, Getenv: env(nil)}, true},
		{Config{Out: &b, IsTerminal: yes, Getenv: env(nil), Quiet: true}, false},
		{Config{Out: &b, IsTerminal: yes, Getenv: env(map[string]string{"TERM": "dumb"})}, false},
		{Config{Out: &b, IsTerminal: yes, Getenv: env(map[string]string{"NO_COLOR": "1"})}, true},
	} {
		if got := c.cfg.Enabled(); got != c.want {
			t.Errorf("%+v: Enabled() = %v, want %v", c.cfg, got, c.want)
		}
	}
}

// Lines off are nil and every method is a no-op; lines on draw to Out and
// erase themselves when done.
func TestLines(t *testing.T) {
	off := Config{}
	for _, l := range []*Line{off.Count("x", 3, "packages"), off.Bytes("x", 10), off.Spinner("x")} {
		if l != nil {
			t.Fatal("a line with progress off")
		}
		l.Add(1)
		l.Set(2)
		l.Describe("y")
		l.Done()
		if r := l.Reader(strings.NewReader("abc")); r == nil {
			t.Fatal("nil reader")
		}
	}
	var b bytes.Buffer
	on := Config{Out: &b, IsTerminal: func(io.Writer) bool { return true }, Getenv: func(string) string { return "" }}
	l := on.Bytes("npm", 3)
	if _, err := io.ReadAll(l.Reader(strings.NewReader("abc"))); err != nil {
		t.Fatal(err)
	}
	l.Done()
	if !strings.Contains(b.String(), "npm") || !strings.HasSuffix(b.String(), "\x1b[2K\r") {
		t.Errorf("line output %q", b.String())
	}
}
