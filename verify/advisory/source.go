// Package advisory finds the OSV advisories (vulnerabilities and malicious
// packages) that affect package versions: from the OSV API or from an
// offline copy of OSV's per-ecosystem export. It gathers evidence and never
// decides what to do about it.
package advisory

import (
	"context"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
)

// Query asks about one package version.
type Query struct {
	// Ecosystem is OSV's ecosystem name: "npm", "PyPI", "crates.io".
	Ecosystem string
	Name      string
	Version   string
}

// Source answers which advisories affect package versions.
type Source interface {
	// Query returns, for each query in order, the advisories that affect
	// that exact version (withdrawn records excluded). An error means the
	// answer is incomplete and must not be read as "no advisories".
	Query(ctx context.Context, qs []Query) ([][]*osvschema.Vulnerability, error)
}

// A Preparer is a Source that can get ready for queries of some
// ecosystems before they come (DB.Prepare); it returns at once.
type Preparer interface {
	Prepare(ctx context.Context, ecosystems []string)
}
