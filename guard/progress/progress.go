// Package progress draws the one progress line guard shows on a terminal
// during long work: a `guard db update` download, provenance gathering, a
// wrapper's resolution. It draws with schollz/progressbar on standard error
// only; nothing is drawn when that is not a terminal, under --quiet, or with
// TERM=dumb, and colour is off when NO_COLOR is set.
//
// A nil *Line is valid and does nothing, so callers create one with New*
// and use it without checking whether progress is on.
package progress

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Config says where and whether to draw. The zero value draws nothing.
type Config struct {
	// Out is where the line goes (standard error).
	Out io.Writer
	// Quiet turns progress off (--quiet).
	Quiet bool
	// Getenv reads NO_COLOR and TERM; nil means os.Getenv.
	Getenv func(string) string
	// IsTerminal reports whether Out is an interactive terminal; nil means
	// Out is an *os.File for which golang.org/x/term says so.
	IsTerminal func(io.Writer) bool
}

// IsTerminal reports whether w is an *os.File open on a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (c Config) getenv(k string) string {
	if c.Getenv == nil {
		return os.Getenv(k)
	}
	return c.Getenv(k)
}

// Enabled reports whether progress is drawn.
func (c Config) Enabled() bool {
	if c.Out == nil || c.Quiet || c.getenv("TERM") == "dumb" {
		return false
	}
	if c.IsTerminal != nil {
		return c.IsTerminal(c.Out)
	}
	return IsTerminal(c.Out)
}

func (c Config) color() bool { return c.getenv("NO_COLOR") == "" }

// Line is one progress line. Its methods are safe for concurrent use.
type Line struct {
	mu    sync.Mutex
	bar   *progressbar.ProgressBar
	color bool
}

func describe(what string, color bool) string {
	if color {
		return "[cyan]" + what + "[reset]"
	}
	return what
}

func (c Config) options(what string, extra ...progressbar.Option) []progressbar.Option {
	desc := describe(what, c.color())
	return append([]progressbar.Option{
		progressbar.OptionSetWriter(c.Out),
		progressbar.OptionEnableColorCodes(c.color()),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionSetWidth(24),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionUseANSICodes(true),
	}, extra...)
}

// Count starts a line counting total items, "what  12/1291 packages"; nil
// when progress is off.
func (c Config) Count(what string, total int, unit string) *Line {
	if !c.Enabled() {
		return nil
	}
	return &Line{color: c.color(), bar: progressbar.NewOptions(total, c.options(what,
		progressbar.OptionShowCount(), progressbar.OptionSetItsString(unit))...)}
}

// Bytes starts a line counting bytes out of total (-1: unknown); nil when
// progress is off.
func (c Config) Bytes(what string, total int64) *Line {
	if !c.Enabled() {
		return nil
	}
	return &Line{color: c.color(), bar: progressbar.NewOptions64(total, c.options(what,
		progressbar.OptionShowBytes(true), progressbar.OptionShowTotalBytes(true))...)}
}

// Spinner starts a line for work of unknown length ("resolving"); nil when
// progress is off.
func (c Config) Spinner(what string) *Line {
	if !c.Enabled() {
		return nil
	}
	return &Line{color: c.color(), bar: progressbar.NewOptions64(-1, c.options(what,
		progressbar.OptionSpinnerType(14), progressbar.OptionSetElapsedTime(true))...)}
}

// Add advances the line by n.
func (l *Line) Add(n int64) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.bar.Add64(n)
}

// Set sets the line's count.
func (l *Line) Set(n int64) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.bar.Set64(n)
}

// Describe changes the line's description.
func (l *Line) Describe(what string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bar.Describe(describe(what, l.color))
}

// Done removes the line, leaving the terminal as it was before it, so that
// what is printed next starts at the beginning of an empty line.
func (l *Line) Done() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.bar.Exit() // no more drawing; stops a spinner's ticker
	_ = l.bar.Clear()
}

// Reader wraps r so that reading from it advances the line; with a nil
// line it returns r itself.
func (l *Line) Reader(r io.Reader) io.Reader {
	if l == nil {
		return r
	}
	return &reader{r: r, l: l}
}

type reader struct {
	r io.Reader
	l *Line
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.l.Add(int64(n))
	return n, err
}
