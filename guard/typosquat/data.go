package typosquat

import _ "embed"

// The popular-name lists, one name a line, most popular first, after
// comment lines starting with "#", and their search orders (index.go).
// They are generated from the corpus (see internal/gen for their origin
// and licences):
//
//	GUARD_CORPUS=/path/to/corpus go generate ./guard/typosquat
//
//go:generate go run ./internal/gen
var (
	//go:embed npm.txt
	npmList string
	//go:embed pypi.txt
	pypiList string
	//go:embed npm.idx
	npmIndex string
	//go:embed pypi.idx
	pypiIndex string
)
