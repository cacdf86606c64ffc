// Package report writes a guard.Report in the formats guard supports. Each
// writer takes the same report and decides nothing.
package report

import (
	"encoding/json"
	"io"

	"github.com/installguard/guard/guard"
)

// JSON writes the report as indented JSON; the schema is documented in README.
func JSON(w io.Writer, r *guard.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
