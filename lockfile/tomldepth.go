package lockfile

import (
	"fmt"

	"github.com/installguard/guard/lockfile/tomlpos"
)

// maxTOMLNesting bounds how deeply inline tables and arrays may nest in a
// TOML lockfile.
const maxTOMLNesting = tomlpos.MaxNesting

// tomlFormats are the formats read with the TOML decoder.
var tomlFormats = map[Format]bool{FormatCargoLock: true, FormatPoetryLock: true, FormatUVLock: true, FormatPylock: true, FormatPDMLock: true}

// checkTOMLNesting returns an error naming the line where '{' and '['
// nest deeper than maxTOMLNesting outside strings and comments (the decoder
// has no depth limit).
func checkTOMLNesting(path string, data []byte) error {
	if line, deep := tomlpos.Outline(data).DeeperThan(maxTOMLNesting); deep {
		return errorf(path, line, "", "%s", fmt.Sprintf("tables and arrays nested more than %d deep", maxTOMLNesting))
	}
	return nil
}
