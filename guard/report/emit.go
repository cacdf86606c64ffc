package report

import (
	"fmt"
	"io"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/verify/atomicfile"
)

// Emit writes r in format where guard check's flags say: to stdout (with
// o's colour), or, when file is set, to file (without colour, written
// whole or not at all) with a one-line verdict on stderr unless o.Quiet.
func Emit(stdout, stderr io.Writer, r *guard.Report, format, file string, o Options) error {
	write := func(w io.Writer, color bool) error {
		o.Color = color
		rw, err := New(format, o)
		if err != nil {
			return err
		}
		return rw.Write(w, r)
	}
	if file == "" {
		return write(stdout, o.Color)
	}
	if err := atomicfile.Write(file, 0o644, false, func(w io.Writer) error { return write(w, false) }); err != nil {
		return fmt.Errorf("writing report: %w", err)
	}
	if !o.Quiet {
		fmt.Fprintln(stderr, OutputSummary(r, file))
	}
	return nil
}
