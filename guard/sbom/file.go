package sbom

import (
	"fmt"
	"io"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/verify/atomicfile"
)

// WriteFile writes the report's SBOM to file, whole or not at all: an
// SBOM that fails half-way leaves the file as it was.
func WriteFile(file string, f Format, r *guard.Report, opts Options) error {
	if err := atomicfile.Write(file, 0o644, false, func(w io.Writer) error { return Write(w, f, r, opts) }); err != nil {
		return fmt.Errorf("writing SBOM: %w", err)
	}
	return nil
}
