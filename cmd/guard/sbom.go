package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/guard/report"
	"github.com/installguard/guard/guard/sbom"
	"github.com/installguard/guard/guard/setup"
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

func runSBOM(ctx context.Context, e *env, args []string) int {
	fs, a := sbomFlags(&sbomArgs{})
	if code, ok := parseFlags(e, fs, args, sbomUsage); !ok {
		return code
	}
	format, err := sbom.Choose(a.format, a.output)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard sbom: %v\n", err)
		return guard.ExitInvalid
	}
	src, err := e.resolveSource(&a.source)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard sbom: %v\n", err)
		return guard.ExitInvalid
	}
	ev, err := setup.OpenEvidence(ctx, a.prov.config(), src.Offline, setup.ProjectDir(fs.Args()), e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "guard sbom: %v\n", err)
		return guard.ExitInvalid
	}
	opts := guard.Options{Paths: fs.Args(), Recursive: a.recursive, Level: a.level, Mode: guard.DefaultMode,
		Advisories: src.Advisories(), MaxDBAge: src.MaxAge}
	setup.ApplyEvidence(ev, &opts)
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
	if err := sbom.Output(e.stdout, a.output, format, r, sbom.Options{ToolVersion: version}); err != nil {
		fmt.Fprintf(e.stderr, "guard sbom: %v\n", err)
		return guard.ExitInvalid
	}
	if a.output != "" {
		fmt.Fprintf(e.stderr, "guard: %s SBOM of %d packages written to %s\n", format, len(r.Packages), a.output)
	}
	return code
}

// checkSBOMFlags adds guard check's --sbom and --sbom-format flags.
func checkSBOMFlags(fs *pflag.FlagSet, file, format *string) {
	fs.StringVar(file, "sbom", "", "level 3: also write an SBOM of the checked packages to `FILE` (.cdx.json or .spdx.json)")
	fs.StringVar(format, "sbom-format", "", "format of --sbom: cyclonedx or spdx (default: from the file name)")
}
