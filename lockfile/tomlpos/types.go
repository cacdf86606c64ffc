package tomlpos

import (
	"fmt"
	"time"
)

// BurntSushi/toml decodes local dates and times into time.Time values in
// zones with these names (its internal LocalDate and LocalTime).
const (
	LocalDate = "date-local"
	LocalTime = "time-local"
)

// TypeName names the TOML type of a value BurntSushi/toml decoded into an
// `any`, for error messages: "a string", "an array of tables", "a date".
func TypeName(v any) string {
	switch x := v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case time.Time:
		switch x.Location().String() {
		case LocalDate:
			return "a date"
		case LocalTime:
			return "a time"
		}
		return "a date-time"
	case []map[string]any:
		return "an array of tables"
	case []any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}
