package guard

import (
	"fmt"

	"github.com/installguard/guard/lockfile"
)

// installScriptFindings applies the install-scripts rule: a package that
// runs code when it is installed, which [install-scripts] allow does not
// list, is a finding ("install-script").
//
// What the lockfiles tell:
//   - npm: package-lock.json v2/v3 and npm-shrinkwrap.json record
//     hasInstallScript, pnpm-lock.yaml requiresBuild; lockfile.Package
//     carries it as InstallScript. Formats that do not record it (v1,
//     yarn, bun) leave it nil and give no finding.
//   - Python: an sdist must be built, which runs its build backend. The
//     lockfile model keeps hashes without their file names, so guard cannot
//     tell an sdist-only entry from one with wheels: not checked yet.
//   - Cargo: Cargo.lock says nothing about build.rs: not checked.
func installScriptFindings(rc ruleContext, pkgs []PackageResult) []Finding {
	s := newFindingSet(rc, RuleInstallScripts)
	for i := range pkgs {
		p := &pkgs[i]
		if p.InstallScript == nil || !*p.InstallScript || p.Source.Kind == lockfile.SourceWorkspace {
			continue
		}
		if ok, _ := rc.p.InstallScriptsAllowed(string(p.Ecosystem), p.Name); ok {
			continue
		}
		s.add(p, "install-script", fmt.Sprintf(
			"%s runs an install script (preinstall, install or postinstall) when installed; %s; [install-scripts] allow does not list it",
			p.Key(), via(p)))
	}
	return s.out
}
