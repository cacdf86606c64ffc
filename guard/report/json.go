package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"

	"github.com/installguard/guard/guard"
)

// jsonFormat is the report as indented JSON; the schema is documented in
// docs/json-report.md. Findings are in the one order (Ordered).
type jsonFormat struct{}

// Write writes the report as indented JSON.
//
// The bytes are those of a json.Encoder with SetIndent("", "  ") and
// SetEscapeHTML(false). The report is marshalled compactly and indented by
// indenter (indentJSONState): encoding/json's own indenter runs its validating scanner over
// every byte again and was two thirds of the cost of writing a 1,300-package
// report (issue 14). The packages, most of a report, are marshalled in
// chunks by one goroutine per CPU and streamed out in order, so a large
// report is neither built whole in memory nor encoded on one core.
func (jsonFormat) Write(w io.Writer, r *guard.Report) error {
	c := *r
	c.Findings = Ordered(r)
	pkgs := c.Packages
	c.Packages = nil // marshals as "packages":null, replaced below
	head, err := marshalCompact(&c)
	if err != nil {
		return err
	}
	at := topLevelValue(head, "packages")
	if at < 0 || !bytes.HasPrefix(head[at:], []byte("null")) {
		return fmt.Errorf("json report: no top-level packages member in %.80q", head)
	}
	ind := &indenter{w: w, indent: "  ", dst: make([]byte, 0, 40<<10)}
	if r.Packages == nil {
		ind.write(head) // null, as the encoder writes a nil slice
		return ind.close()
	}
	if len(pkgs) == 0 {
		ind.write(head[:at])
		ind.write([]byte("[]"))
		ind.write(head[at+len("null"):])
		return ind.close()
	}
	ind.write(head[:at])
	// An opening bracket may end a piece when something follows it (the
	// indenter looks one byte ahead only to keep "[]" together).
	ind.write([]byte{'['})
	first := true
	err = encodeChunks(pkgs, func(chunk []byte) {
		if !first {
			ind.write([]byte{','})
		}
		first = false
		ind.write(chunk)
	})
	if err != nil {
		return err
	}
	ind.write([]byte{']'})
	ind.write(head[at+len("null"):])
	return ind.close()
}

// marshalCompact is json.Marshal without HTML escaping and with the
// encoder's final newline.
func marshalCompact(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// chunkPackages is how many packages one goroutine marshals at a time
// (about 20 KB of JSON for npm packages).
const chunkPackages = 32

// encodeChunks marshals pkgs compactly, comma-separated, in chunks of
// chunkPackages, on one goroutine per CPU, and hands the chunks to out in
// order; at most twice as many chunks as goroutines wait to be written. The
// first marshalling error is returned (after the goroutines have ended).
func encodeChunks(pkgs []guard.PackageResult, out func([]byte)) error {
	type result struct {
		b   []byte
		err error
	}
	n := (len(pkgs) + chunkPackages - 1) / chunkPackages
	workers := min(runtime.GOMAXPROCS(0), n)
	results := make([]chan result, n)
	for i := range results {
		results[i] = make(chan result, 1)
	}
	ahead := make(chan struct{}, 2*workers) // chunks handed out, not yet written
	// Chunk buffers go back to the workers once written, so that a large
	// report touches a few buffers' worth of fresh memory, not its size.
	free := make(chan []byte, 2*workers+workers)
	next := make(chan int)
	go func() {
		defer close(next)
		for i := range n {
			ahead <- struct{}{}
			next <- i
		}
	}()
	for range workers {
		go func() {
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetEscapeHTML(false)
			for i := range next {
				var buf []byte
				select {
				case buf = <-free:
				default:
					buf = make([]byte, 0, 32<<10)
				}
				var err error
				for j := i * chunkPackages; j < min((i+1)*chunkPackages, len(pkgs)) && err == nil; j++ {
					b.Reset()
					if err = enc.Encode(&pkgs[j]); err == nil {
						if j > i*chunkPackages {
							buf = append(buf, ',')
						}
						buf = append(buf, bytes.TrimSuffix(b.Bytes(), []byte{'\n'})...)
					}
				}
				results[i] <- result{buf, err}
			}
		}()
	}
	var first error
	for i := range n {
		res := <-results[i]
		<-ahead
		if res.err != nil && first == nil {
			first = res.err
		}
		if first == nil {
			out(res.b)
		}
		free <- res.b[:0]
	}
	return first
}

// topLevelValue is the offset in src, compact JSON of an object as
// encoding/json writes it, of the value of the object's member key; -1
// when it has none.
func topLevelValue(src []byte, key string) int {
	want := `"` + key + `":`
	depth := 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"':
			if depth == 1 && src[i-1] != ':' && bytes.HasPrefix(src[i:], []byte(want)) {
				return i + len(want)
			}
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			i = j
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
	}
	return -1
}

// indenter is indentJSONState across several pieces of one document, each
// ending outside a string, and not right after the opening bracket of an
// empty array or object (whose "[]" or "{}" stays on one line), writing
// to w in pieces of about 32 KB. The first write error is kept and returned
// by close.
type indenter struct {
	w      io.Writer
	indent string
	depth  int
	dst    []byte
	err    error
}

func (d *indenter) write(src []byte) {
	d.dst, d.depth = indentJSONState(d.dst, src, d.indent, d.depth, d.flush)
}

func (d *indenter) flush(b []byte) {
	if d.err == nil {
		_, d.err = d.w.Write(b)
	}
}

func (d *indenter) close() error {
	if len(d.dst) > 0 {
		d.flush(d.dst)
		d.dst = d.dst[:0]
	}
	return d.err
}

// indentJSONState appends src, compact JSON as encoding/json writes it
// (valid, no insignificant whitespace except a final newline), to dst
// indented the way json.Indent(dst, src, "", indent) does: one member or
// element per line, "key": value with one space, empty objects and arrays
// kept as {} and []. It starts at a nesting depth, which it returns at the
// end of src (the report streams through indenter in pieces), and hands
// dst to flush, when not nil, each time dst passes 32 KB, continuing in the
// emptied buffer. It only tracks strings and nesting, because its input
// comes from the encoder; written by hand because encoding/json offers no
// indenter that trusts its input.
func indentJSONState(dst, src []byte, indent string, depth int, flush func([]byte)) ([]byte, int) {
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
	return dst, depth
}

// jsonSpecial marks the bytes indentJSONState acts on.
var jsonSpecial = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true, ',': true, ':': true}
