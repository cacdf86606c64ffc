package report

import (
	"io"

	"github.com/installguard/guard/guard"
)

// writeFormat writes r in format through New, as cmd/guard does.
func writeFormat(w io.Writer, format string, r *guard.Report, opt Options) error {
	wr, err := New(format, opt)
	if err != nil {
		return err
	}
	return wr.Write(w, r)
}
