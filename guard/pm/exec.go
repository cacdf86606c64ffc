package pm

import "context"

// RunStep runs one step of a package-manager operation outside the wrappers
// (guard fix): name is looked up on the invocation's PATH and runs in dir
// with the invocation's environment (so the user's registry configuration
// applies), stdin empty, stdout discarded; a failure is a *ResolveError
// carrying what the manager printed on stderr.
func RunStep(ctx context.Context, inv *Invocation, dir, step, name string, args ...string) error {
	return runCaptured(ctx, inv, dir, step, name, args...)
}

// Output runs a helper command like RunStep and returns its standard output.
func Output(ctx context.Context, inv *Invocation, dir, name string, args ...string) (string, error) {
	return runOutput(ctx, inv, dir, name, args...)
}
