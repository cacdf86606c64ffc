package lockfile

import "fmt"

// maxTOMLNesting bounds how deeply inline tables and arrays may nest in a
// TOML lockfile. Real lockfiles nest two or three levels; the TOML decoder
// takes time superlinear in the depth, so a hostile file could otherwise
// stall guard for seconds.
const maxTOMLNesting = 64

// tomlFormats are the formats read with the TOML decoder.
var tomlFormats = map[Format]bool{FormatCargoLock: true, FormatPoetryLock: true, FormatUVLock: true, FormatPylock: true, FormatPDMLock: true}

// checkTOMLNesting scans TOML text for '{' and '[' nesting outside strings
// and comments (a hand-written scan: the decoder has no depth limit) and
// returns an error naming the line where the limit is passed.
func checkTOMLNesting(path string, data []byte) error {
	depth, line := 0, 1
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c {
		case '\n':
			line++
		case '#':
			for i < len(data) && data[i] != '\n' {
				i++
			}
			i-- // let the newline be counted
		case '"', '\'':
			// strings: basic and literal, single- and multi-line
			multi := i+2 < len(data) && data[i+1] == c && data[i+2] == c
			if multi {
				i += 3
				for i < len(data) && !(data[i] == c && i+2 < len(data) && data[i+1] == c && data[i+2] == c) {
					if data[i] == '\n' {
						line++
					}
					if c == '"' && data[i] == '\\' {
						i++
					}
					i++
				}
				i += 2
				continue
			}
			for i++; i < len(data) && data[i] != c && data[i] != '\n'; i++ {
				if c == '"' && data[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			depth++
			if depth > maxTOMLNesting {
				return errorf(path, line, "", "%s", fmt.Sprintf("tables and arrays nested more than %d deep", maxTOMLNesting))
			}
		case '}', ']':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}
