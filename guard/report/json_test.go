package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/installguard/guard/guard"
)

// indentJSON must write exactly what json.Encoder with SetIndent writes.
func TestIndentJSONMatchesEncoding(t *testing.T) {
	values := []any{
		map[string]any{},
		[]any{},
		map[string]any{"a": []any{}, "b": map[string]any{}, "c": []any{map[string]any{}, []any{}}},
		map[string]any{"s": `quote " backslash \ end\`, "u": "<&> ünï \u2028 \x01", "n": 1.5, "t": true, "z": nil},
		[]any{"[{,:}]", `\"`, `\\`, "", 0, -3e-7, []any{[]any{[]any{"deep"}}}},
		map[string]any{`k"e\y`: map[string]any{"x": []any{1, 2, 3}}},
		"just a string with , and : and {",
		42,
		nil,
	}
	for _, v := range values {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		var compact bytes.Buffer
		enc = json.NewEncoder(&compact)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if got := indentJSON(nil, compact.Bytes(), "  "); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("indentJSON(%s):\n got %q\nwant %q", compact.Bytes(), got, want.Bytes())
		}
	}
}

func FuzzIndentJSON(f *testing.F) {
	f.Add("plain", 1.0)
	f.Add(`"\\\"{[,:]}`, -2.5)
	f.Fuzz(func(t *testing.T, s string, n float64) {
		v := map[string]any{s: []any{s, map[string]any{}, []any{}, n}, "k": map[string]any{"x": s}}
		var want, compact bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return // NaN, Inf
		}
		enc = json.NewEncoder(&compact)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
		if got := indentJSON(nil, compact.Bytes(), "  "); !bytes.Equal(got, want.Bytes()) {
			t.Errorf("got %q\nwant %q", got, want.Bytes())
		}
	})
}

// The indenter fed a document in pieces (cut after commas, never inside a
// string or right after an opening bracket) writes the same bytes as the
// one-piece indenter, for output larger than its 32 KB pieces.
func TestIndenterPieces(t *testing.T) {
	var items []any
	for i := 0; i < 3000; i++ {
		items = append(items, map[string]any{"name": "pkg", "n": i, "s": `q",\`, "e": []any{}, "o": map[string]any{"k": []int{1, 2}}})
	}
	src, err := json.Marshal(map[string]any{"items": items})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	d := &indenter{w: &got, indent: "  "}
	rest := src
	for len(rest) > 0 {
		// Cut after a comma that follows a closing brace: outside strings.
		k := bytes.Index(rest, []byte("},"))
		if k < 0 {
			d.write(rest)
			break
		}
		d.write(rest[:k+2])
		rest = rest[k+2:]
	}
	if err := d.close(); err != nil {
		t.Fatal(err)
	}
	if want := indentJSON(nil, src, "  "); !bytes.Equal(got.Bytes(), want) || got.Len() < 100<<10 {
		t.Fatalf("streamed output differs (%d vs %d bytes)", got.Len(), len(want))
	}
}

// The report's packages are marshalled in chunks on several goroutines:
// the bytes are still an indenting json.Encoder's, for reports of no
// packages (nil and empty), fewer than a chunk, and many chunks.
func TestJSONReportBytesManyPackages(t *testing.T) {
	base := sampleReport()
	for _, n := range []int{-1, 0, 1, chunkPackages - 1, chunkPackages, chunkPackages + 1, 20*chunkPackages + 7} {
		r := *base
		switch {
		case n < 0:
			r.Packages = nil
		default:
			r.Packages = make([]guard.PackageResult, 0, n)
			for i := range n {
				p := base.Packages[i%len(base.Packages)]
				p.Name = fmt.Sprintf("%s-%d\u2028<&>", p.Name, i)
				r.Packages = append(r.Packages, p)
			}
		}
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		sorted := r
		sorted.Findings = Ordered(&r)
		if err := enc.Encode(&sorted); err != nil {
			t.Fatal(err)
		}
		if err := writeFormat(&got, "json", &r, Options{}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("%d packages: JSON report differs:\n%s\nwant\n%s", n, got.Bytes(), want.Bytes())
		}
	}
}

// A writer that fails makes Write fail, with every goroutine ended.
func TestJSONReportWriteError(t *testing.T) {
	base := sampleReport()
	r := *base
	for i := range 50 * chunkPackages {
		p := base.Packages[i%len(base.Packages)]
		r.Packages = append(r.Packages, p)
	}
	before := runtime.NumGoroutine()
	if err := writeFormat(failingWriter{}, "json", &r, Options{}); err == nil {
		t.Fatal("no error from a failing writer")
	}
	for range 100 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%d goroutines after Write, %d before", runtime.NumGoroutine(), before)
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// topLevelValue finds the member of the outer object only.
func TestTopLevelValue(t *testing.T) {
	for src, found := range map[string]bool{
		`{"a":{"packages":1},"packages":null}`:  true,
		`{"a":"\"packages\":","packages":null}`: true,
		`{"a":["packages"],"packages":null}`:    true,
		`{"packages":null}`:                     true,
		`{"a":"packages","b":{"packages":[]}}`:  false,
		`{"a":"x\\","b":{"packages":[]}}`:       false,
	} {
		want := -1
		if found {
			want = strings.LastIndex(src, "null")
		}
		if got := topLevelValue([]byte(src), "packages"); got != want {
			t.Errorf("topLevelValue(%s) = %d, want %d", src, got, want)
		}
	}
}

// indentJSON indents one whole document (indentJSONState from depth 0):
// the tests hold it to encoding/json's own indenter.
func indentJSON(dst, src []byte, indent string) []byte {
	dst, _ = indentJSONState(dst, src, indent, 0, nil)
	return dst
}
