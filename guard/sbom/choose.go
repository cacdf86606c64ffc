package sbom

import (
	"fmt"
	"io"

	"github.com/installguard/guard/guard"
)

// Choose picks the format from a --format or --sbom-format value, else
// from the file name, else CycloneDX.
func Choose(flag, file string) (Format, error) {
	switch flag {
	case "cyclonedx", "cdx":
		return CycloneDX, nil
	case "spdx":
		return SPDX, nil
	case "":
		if f, ok := FormatOf(file); ok {
			return f, nil
		}
		return CycloneDX, nil
	}
	return "", fmt.Errorf("SBOM format %q is not supported: use cyclonedx or spdx", flag)
}

// CheckRequest validates guard check's --sbom FILE and --sbom-format at
// the given level: the SBOM is a level-3 item (C3.1).
func CheckRequest(file, format string, level int) error {
	if file == "" {
		if format != "" {
			return fmt.Errorf("--sbom-format needs --sbom FILE")
		}
		return nil
	}
	if level < 3 {
		return fmt.Errorf("--sbom is a level 3 item (C3.1): use --level 3")
	}
	_, err := Choose(format, file)
	return err
}

// Output writes the report's SBOM to file (atomically), or to w when file
// is empty.
func Output(w io.Writer, file string, format Format, r *guard.Report, opts Options) error {
	if file == "" {
		return Write(w, format, r, opts)
	}
	return WriteFile(file, format, r, opts)
}

// WriteRequested writes the SBOM guard check was asked for with --sbom
// FILE and --sbom-format, after its report, and names it on stderr unless
// quiet. Nothing is written when file is empty.
func WriteRequested(stderr io.Writer, r *guard.Report, file, format string, quiet bool, opts Options) error {
	if file == "" {
		return nil
	}
	f, err := Choose(format, file)
	if err != nil {
		return err
	}
	if err := WriteFile(file, f, r, opts); err != nil {
		return err
	}
	if !quiet {
		fmt.Fprintf(stderr, "guard: %s SBOM written to %s\n", f, file)
	}
	return nil
}
