package guard

// Action is what a finding does to the verdict.
type Action string

const (
	Block   Action = "block"
	Warn    Action = "warn"
	Ignored Action = "ignored"
)

// Verdict is the outcome of a check.
type Verdict string

const (
	Allow        Verdict = "allow"
	VerdictWarn  Verdict = "warn"
	VerdictBlock Verdict = "block"
)

// Rule names, as they appear in reports and (later) policy files.
const (
	RulePinning = "pinning"
)

// Item is one principle item guard enforces: which rule enforces it and from
// which policy level it is on.
type Item struct {
	ID    string `json:"item"`
	Rule  string `json:"rule"`
	Level int    `json:"level"`
	Title string `json:"title"`
}

// Items lists the principle items, in report order. See docs in README
// ("What guard enforces") for the source of each.
var Items = []Item{
	{ID: "C1.1", Rule: RulePinning, Level: 1, Title: "installs are pinned by version and hash"},
}

func itemOf(rule string) Item {
	for _, it := range Items {
		if it.Rule == rule {
			return it
		}
	}
	return Item{Rule: rule}
}
