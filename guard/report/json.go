package report

import (
	"encoding/json"
	"io"

	"github.com/installguard/guard/guard"
)

// jsonFormat is the report as indented JSON; the schema is documented in
// docs/json-report.md. Findings are in the one order (Ordered).
type jsonFormat struct{}

// Write writes the report as indented JSON.
//
// The bytes are those of a json.Encoder with SetIndent("", "  ") and
// SetEscapeHTML(false). The report is marshalled compactly and indented by
// indentJSON: encoding/json's own indenter runs its validating scanner over
// every byte again and was two thirds of the cost of writing a 1,300-package
// report (issue 14).
func (jsonFormat) Write(w io.Writer, r *guard.Report) error {
	c := *r
	c.Findings = Ordered(r)
	iw := &indentWriter{w: w}
	enc := json.NewEncoder(iw)
	enc.SetEscapeHTML(false)
	return enc.Encode(&c)
}

// indentWriter indents what a json.Encoder writes (one whole value, compact,
// per Write) on its way to w, so the report is not copied into a buffer of
// its own first.
type indentWriter struct{ w io.Writer }

func (iw *indentWriter) Write(p []byte) (int, error) {
	if err := indentJSONTo(iw.w, p, "  "); err != nil {
		return 0, err
	}
	return len(p), nil
}

// indentJSONTo writes src indented (see indentJSON) to w in pieces of about
// 32 KB.
func indentJSONTo(w io.Writer, src []byte, indent string) error {
	var werr error
	dst := make([]byte, 0, 40<<10)
	dst = indentJSONFlush(dst, src, indent, func(b []byte) {
		if werr == nil {
			_, werr = w.Write(b)
		}
	})
	if werr == nil && len(dst) > 0 {
		_, werr = w.Write(dst)
	}
	return werr
}

// indentJSON appends src, compact JSON as encoding/json writes it (valid, no
// insignificant whitespace except a final newline), to dst indented the way
// json.Indent(dst, src, "", indent) does: one member or element per line,
// "key": value with one space, empty objects and arrays kept as {} and [].
// It only tracks strings and nesting, because its input comes from the
// encoder; written by hand because encoding/json offers no indenter that
// trusts its input.
func indentJSON(dst, src []byte, indent string) []byte {
	return indentJSONFlush(dst, src, indent, nil)
}

// indentJSONFlush is indentJSON that hands dst to flush, when not nil, each
// time it passes 32 KB, and continues in the emptied buffer.
func indentJSONFlush(dst, src []byte, indent string, flush func([]byte)) []byte {
	depth := 0
	newline := func() {
		dst = append(dst, '\n')
		for range depth {
			dst = append(dst, indent...)
		}
	}
	for i := 0; i < len(src); i++ {
		if flush != nil && len(dst) >= 32<<10 {
			flush(dst)
			dst = dst[:0]
		}
		c := src[i]
		switch c {
		case '"':
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			end := min(j+1, len(src))
			dst = append(dst, src[i:end]...)
			i = end - 1
		case '{', '[':
			dst = append(dst, c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				dst = append(dst, src[i+1])
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline()
		case ':':
			dst = append(dst, c, ' ')
		default:
			// A run of number or literal bytes, copied whole.
			j := i + 1
			for j < len(src) && !jsonSpecial[src[j]] {
				j++
			}
			dst = append(dst, src[i:j]...)
			i = j - 1
		}
	}
	return dst
}

// jsonSpecial marks the bytes indentJSON acts on.
var jsonSpecial = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true, ',': true, ':': true}
