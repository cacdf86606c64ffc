package main

import (
	"context"

	"github.com/installguard/guard/verify/registries"
)

// discoverRegistries (verify/registries.Discover) and pmRegistries are
// what provenance_test.go reads: the command itself (guard trust update)
// asks verify/registries through guard/setup.UpdateTrust.
//
// pmRegistries are the registries of the user's package-manager
// configuration (verify/registries), as provenance_test.go reads them.
type pmRegistries struct {
	npm       string
	npmScopes map[string]string
	pypi      string
}

// discoverRegistries asks verify/registries for the registries npm and
// pip would use for a project in dir.
func (e *env) discoverRegistries(ctx context.Context, dir string) (pmRegistries, error) {
	r, err := registries.Discover(ctx, dir, e.getenv)
	return pmRegistries{npm: r.NPM, npmScopes: r.NPMScopes, pypi: r.PyPI}, err
}
