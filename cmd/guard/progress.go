package main

import (
	progressline "github.com/installguard/guard/guard/progress"
)

// progressConfig is where progress lines go: standard error, when it is a
// terminal and the command is not --quiet (guard/progress decides).
func (e *env) progressConfig(quiet bool) progressline.Config {
	return progressline.Config{Out: e.stderr, Quiet: quiet, Getenv: e.getenv, IsTerminal: e.isTerminal}
}
