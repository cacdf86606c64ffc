package main

import "github.com/installguard/guard/verify/registries"

// readNpmrc lets TestReadNpmrc (provenance_test.go) keep testing the
// .npmrc reader, which lives in verify/registries (tested there too).
var readNpmrc = registries.ReadNpmrc
