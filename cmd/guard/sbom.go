package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/report"
	"github.com/installguard/guard/guard/sbom"
)

const sbomUsage = `Usage: guard sbom [DIR|LOCKFILE...] [flags]

Writes a software bill of materials of every package the given folders'
(default: the current folder) or the given lockfiles bring in: CycloneDX 1.6
JSON or SPDX 2.3 JSON, with purls, lockfile hashes and the dependency graph,
and for each package the build-provenance result (verified publisher
repository, workflow and ref) and its advisories (vulnerabilities with
severity and fixed versions, malware). Nothing is installed. The exit code
does not depend on the verdict: 0 when the SBOM was written, 2 on invalid
input, 3 when a check could not complete (the SBOM is still written).`

type sbomArgs struct {
	format    string
	output    string
	recursive bool
	level     int
	source    sourceArgs
	prov      provenanceArgs
}

func sbomFlags(a *sbomArgs) (*pflag.FlagSet, *sbomArgs) {
	fs := pflag.NewFlagSet("sbom", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.StringVar(&a.format, "format", "", "SBOM format: cyclonedx or spdx (default: from --output's name, else cyclonedx)")
	fs.StringVarP(&a.output, "output", "o", "", "write the SBOM to `FILE` instead of standard output (*.cdx.json, *.spdx.json)")
	fs.BoolVarP(&a.recursive, "recursive", "r", false, "search folders recursively (skips node_modules, .git, target, virtual envs)")
	fs.IntVar(&a.level, "level", 3, "principle level 0-3: which findings the SBOM records")
	addSourceFlags(fs, &a.source)
	addProvenanceFlags(fs, &a.prov)
	return fs, a
}

// sbomFormat picks the format from the flag, else from the file name, else
// CycloneDX.
func sbomFormat(flag, file string) (sbom.Format, error) {
	switch flag {
	case "cyclonedx", "cdx":
		return sbom.CycloneDX, nil
	case "spdx":
		return sbom.SPDX, nil
	case "":
		if f, ok := sbom.FormatOf(file); ok {
			return f, nil
		}
		return sbom.CycloneDX, nil
	}
	return "", fmt.Errorf("SBOM format %q is not supported: use cyclonedx or spdx", flag)
}

func runSBOM(ctx context.Context, e *env, args []string) int {
	fs, a := sbomFlags(&sbomArgs{})
	if code, ok := parseFlags(e, fs, args, sbomUsage); !ok {
		return code
	}
	format, err := sbomFormat(a.format, a.output)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard sbom: %v\n", err)
		return guard.ExitInvalid
	}
	src, err := e.resolveSource(&a.source)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard sbom: %v\n", err)
		return guard.ExitInvalid
	}
	ev, err := e.provenanceSource(ctx, &a.prov, src.offline, projectDirOf(fs.Args()))
	if err != nil {
		fmt.Fprintf(e.stderr, "guard sbom: %v\n", err)
		return guard.ExitInvalid
	}
	opts := guard.Options{Paths: fs.Args(), Recursive: a.recursive, Level: a.level, Mode: guard.DefaultMode,
		Advisories: src.source(), MaxDBAge: src.maxAge}
	ev.apply(&opts)
	r, err := guard.Check(ctx, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard sbom: %v\n", err)
		return guard.ExitInvalid
	}
	code := guard.ExitAllow
	for _, er := range r.Errors {
		fmt.Fprintf(e.stderr, "guard sbom: %s error: %s\n", er.Kind, report.Escape(er.Message))
		if er.Kind == guard.InputError {
			return guard.ExitInvalid
		}
		code = guard.ExitIncomplete
	}
	if err := writeSBOM(e.stdout, a.output, format, r); err != nil {
		fmt.Fprintf(e.stderr, "guard sbom: %v\n", err)
		return guard.ExitInvalid
	}
	if a.output != "" {
		fmt.Fprintf(e.stderr, "guard: %s SBOM of %d packages written to %s\n", format, len(r.Packages), a.output)
	}
	return code
}

// writeSBOM writes the report's SBOM to file (atomically), or to w when
// file is empty.
func writeSBOM(w io.Writer, file string, format sbom.Format, r *guard.Report) error {
	opts := sbom.Options{ToolVersion: version}
	if file == "" {
		return sbom.Write(w, format, r, opts)
	}
	return sbom.WriteFile(file, format, r, opts)
}

// checkSBOMFlags adds guard check's --sbom and --sbom-format flags.
func checkSBOMFlags(fs *pflag.FlagSet, file, format *string) {
	fs.StringVar(file, "sbom", "", "level 3: also write an SBOM of the checked packages to `FILE` (.cdx.json or .spdx.json)")
	fs.StringVar(format, "sbom-format", "", "format of --sbom: cyclonedx or spdx (default: from the file name)")
}

// checkSBOMArgs validates --sbom: it is a level-3 item.
func checkSBOMArgs(file, format string, level int) error {
	if file == "" {
		if format != "" {
			return fmt.Errorf("--sbom-format needs --sbom FILE")
		}
		return nil
	}
	if level < 3 {
		return fmt.Errorf("--sbom is a level 3 item (C3.1): use --level 3")
	}
	_, err := sbomFormat(format, file)
	return err
}

// writeCheckSBOM writes the SBOM guard check was asked for, after its report.
func writeCheckSBOM(e *env, r *guard.Report, file, format string, quiet bool) error {
	if file == "" {
		return nil
	}
	f, err := sbomFormat(format, file)
	if err != nil {
		return err
	}
	if err := writeSBOM(nil, file, f, r); err != nil {
		return err
	}
	if !quiet {
		fmt.Fprintf(e.stderr, "guard: %s SBOM written to %s\n", f, file)
	}
	return nil
}
