package report

import (
	"bytes"
	"encoding/json"
	"testing"
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

// The streamed writer writes the same bytes as the one-piece indenter, for
// output larger than its pieces.
func TestIndentJSONToPieces(t *testing.T) {
	var items []any
	for i := 0; i < 3000; i++ {
		items = append(items, map[string]any{"name": "pkg", "n": i, "s": `q"\`, "e": []any{}})
	}
	src, err := json.Marshal(map[string]any{"items": items})
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := indentJSONTo(&got, src, "  "); err != nil {
		t.Fatal(err)
	}
	if want := indentJSON(nil, src, "  "); !bytes.Equal(got.Bytes(), want) || got.Len() < 100<<10 {
		t.Fatalf("streamed output differs (%d vs %d bytes)", got.Len(), len(want))
	}
}

// JSON writes exactly what an indenting json.Encoder writes.
func TestJSONReportBytes(t *testing.T) {
	r := sampleReport()
	var want, got bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	// The JSON report lists the findings in the one order of every format.
	sorted := *r
	sorted.Findings = Ordered(r)
	if err := enc.Encode(&sorted); err != nil {
		t.Fatal(err)
	}
	if err := writeFormat(&got, "json", r, Options{}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("JSON report differs:\n%s\nwant\n%s", got.Bytes(), want.Bytes())
	}
}
