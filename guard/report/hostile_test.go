package report

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/installguard/guard/guard"
)

// hostile is what a lockfile, an advisory or an exception reason can carry
// to attack a terminal: a screen clear and cursor home (CSI), an OSC 8
// hyperlink and an OSC window title, BEL, a C1 CSI, CR/LF followed by a fake
// verdict, a right-to-left override, a zero-width joiner, a line separator
// and a byte that is not UTF-8.
const hostile = "evil\x1b[2J\x1b[H\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\\x1b]0;title\x07\x9b31m\u009b1m" +
	"\r\nverdict: ALLOW (exit 0)\n\u202eexe.txt\u200d\u2028\xff"

// fillStrings sets every string reachable from v (struct fields, slices,
// pointers) to s, growing empty slices and nil pointers by one element, so
// that no field a writer prints is left out of the test.
func fillStrings(v reflect.Value, s string, depth int) {
	if depth > 8 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(s)
		}
	case reflect.Pointer:
		if v.IsNil() && v.CanSet() && v.Type().Elem().Kind() == reflect.Struct {
			v.Set(reflect.New(v.Type().Elem()))
		}
		if !v.IsNil() {
			fillStrings(v.Elem(), s, depth+1)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				fillStrings(v.Field(i), s, depth+1)
			}
		}
	case reflect.Slice:
		if v.Len() == 0 && v.CanSet() {
			v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
		}
		for i := 0; i < v.Len(); i++ {
			fillStrings(v.Index(i), s, depth+1)
		}
	}
}

// hostileReport is a report every string of which is hostile, with real
// findings and errors so that every section is written.
func hostileReport() *guard.Report {
	r := sampleReport()
	r.Policy = nil
	r.Baseline = &guard.BaselineSummary{}
	r.Errors = []guard.Error{{}}
	fillStrings(reflect.ValueOf(r), hostile, 0)
	// guard's own values stay guard's: the attack is in the data.
	r.Verdict = guard.VerdictBlock
	r.Errors[0].Kind = guard.InputError
	for i := range r.Findings {
		r.Findings[i].Action = guard.Block
	}
	for i := range r.Items {
		r.Items[i].Status = guard.StatusBlock
	}
	return r
}

// unsafeIn returns the first control, format or non-UTF-8 character of s
// other than the newlines a writer puts between its own lines.
func unsafeIn(s string) (string, bool) {
	if !utf8.ValidString(s) {
		return "invalid UTF-8", true
	}
	for _, c := range s {
		if c != '\n' && unsafeRune(c) {
			return strconv.QuoteRune(c), true
		}
	}
	return "", false
}

// TestHostileStringsText: no untrusted byte reaches the terminal raw, and a
// lockfile cannot print its own verdict line (issue 12, item 6).
func TestHostileStringsText(t *testing.T) {
	for _, opt := range []Options{{}, {Verbose: true}, {Quiet: true}, {Color: true, Verbose: true}} {
		var b bytes.Buffer
		if err := writeFormat(&b, "text", hostileReport(), opt); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if opt.Color {
			// guard's own colours are the only escape sequences.
			out = regexp.MustCompile("\x1b\\[(31|32|33|2|1|0)m").ReplaceAllString(out, "")
		}
		if c, bad := unsafeIn(out); bad {
			t.Errorf("%+v: %s reached the text report:\n%s", opt, c, out)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), "verdict:") && i != len(lines)-1 {
				t.Errorf("%+v: line %d forges a verdict: %q", opt, i, l)
			}
		}
		if last := lines[len(lines)-1]; last != "verdict: ERROR: invalid input, 3 blocking findings (exit 2)" {
			t.Errorf("%+v: last line %q", opt, last)
		}
		if !strings.Contains(out, `evil\x1b[2J\x1b[H\x1b]8;;https://evil.example\x1b\click`) || !strings.Contains(out, `\u202eexe.txt\u200d\u2028\xff`) {
			t.Errorf("%+v: hostile text is not shown escaped:\n%s", opt, out)
		}
	}
}

func TestHostileStringsMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := writeFormat(&b, "markdown", hostileReport(), Options{Title: hostile}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if c, bad := unsafeIn(out); bad {
		t.Errorf("%s reached the Markdown report:\n%s", c, out)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "verdict:") || strings.Contains(l, "**Verdict: ALLOW") {
			t.Errorf("forged verdict line: %q", l)
		}
	}
}

// TestHostileStringsSARIF: every string of the SARIF document is free of
// control and format characters.
func TestHostileStringsSARIF(t *testing.T) {
	var b bytes.Buffer
	if err := writeFormat(&b, "sarif", hostileReport(), Options{}); err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			n++
			if strings.Contains(v, "\nverdict") {
				t.Errorf("SARIF string %q keeps a hostile line break", v)
			}
			for _, c := range v {
				// "\n" separates the paragraphs of guard's own help texts.
				if c != '\n' && unsafeRune(c) || c == utf8.RuneError {
					t.Errorf("SARIF string %q holds %U", v, c)
					return
				}
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case map[string]any:
			for k, x := range v {
				if k == "newlineSequences" { // SARIF's own ["\r\n", "\n"]
					continue
				}
				walk(k)
				walk(x)
			}
		}
	}
	walk(doc)
	if n < 50 || !strings.Contains(b.String(), "verdict: ALLOW") {
		t.Errorf("only %d strings, or the hostile text was dropped whole", n)
	}
}

func TestEscape(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"lodash@4.17.21", "lodash@4.17.21"},
		{"née-ü 日本", "née-ü 日本"},
		{"a\x1b[31mred", `a\x1b[31mred`},
		{"\x1b]8;;http://x\x07", `\x1b]8;;http://x\x07`},
		{"cr\rlf\ntab\t", `cr\rlf\ntab\t`},
		{"c1\u009bx del\x7f", `c1\u009bx del\x7f`},
		{"rlo\u202egnp.exe", `rlo\u202egnp.exe`},
		{"iso\u2066x\u2069 zw\u200b bom\ufeff", `iso\u2066x\u2069 zw\u200b bom\ufeff`},
		{"ls\u2028ps\u2029", `ls\u2028ps\u2029`},
		{"bad\xff\xfe", `bad\xff\xfe`},
		{`back\slash`, `back\slash`},
	} {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := stripUnsafe("a\x1b[2Jb\u202ec\nd\xff"); got != "a[2Jbc d" {
		t.Errorf("stripUnsafe = %q", got)
	}
}
