// Package dbstatus writes the status of the offline OSV DB (`guard db
// status`, and after `guard db update`): per ecosystem its records,
// withdrawn records, when it was written, its age and its source, as a
// table or as JSON.
package dbstatus

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/verify/advisory"
)

// ecosystemJSON is one ecosystem in the JSON status.
type ecosystemJSON struct {
	Ecosystem    string    `json:"ecosystem"`
	Records      int       `json:"records"`
	Withdrawn    int       `json:"withdrawn"`
	WrittenAt    time.Time `json:"writtenAt"`
	FromMetadata bool      `json:"fromMetadata"`
	AgeSeconds   int64     `json:"ageSeconds"`
	Source       string    `json:"source,omitempty"`
	ZipSHA256    string    `json:"zipSha256,omitempty"`
	Error        string    `json:"error,omitempty"`
}

// JSON writes the status of the DB in dir as one indented JSON object.
func JSON(w io.Writer, dir string, statuses []advisory.EcosystemStatus) error {
	out := struct {
		Dir        string          `json:"dir"`
		Ecosystems []ecosystemJSON `json:"ecosystems"`
	}{Dir: dir, Ecosystems: []ecosystemJSON{}}
	for _, s := range statuses {
		j := ecosystemJSON{Ecosystem: s.Ecosystem, Records: s.Records, Withdrawn: s.Withdrawn, WrittenAt: s.WrittenAt,
			FromMetadata: s.FromMetadata, AgeSeconds: int64(s.Age.Seconds()), Source: s.Source, ZipSHA256: s.ZipSHA256}
		if s.Err != nil {
			j.Error = s.Err.Error()
		}
		out.Ecosystems = append(out.Ecosystems, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// Text writes the status of the DB in dir as a table, one ecosystem a
// line; an ecosystem that could not be read says so.
func Text(w io.Writer, dir string, statuses []advisory.EcosystemStatus) error {
	fmt.Fprintf(w, "offline OSV DB: %s\n", dir)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ecosystem\trecords\twithdrawn\twritten\tage\tsource")
	for _, s := range statuses {
		if s.Err != nil {
			fmt.Fprintf(tw, "%s\tunreadable: %v\n", s.Ecosystem, s.Err)
			continue
		}
		written := s.WrittenAt.UTC().Format(time.RFC3339)
		if !s.FromMetadata {
			written += " (file time)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\n", s.Ecosystem, s.Records, s.Withdrawn, written, Age(s.Age), s.Source)
	}
	return tw.Flush()
}

// Age prints a DB's age coarsely: "just now", minutes, hours up to two
// days, then days.
func Age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	default:
		return fmt.Sprintf("%dd", int(d.Hours()/24))
	}
}

// Print opens the DB in dir and prints each ecosystem's status on stdout
// in format (text or json); the exit code is 3 when the DB or an ecosystem
// cannot be read.
func Print(stdout, stderr io.Writer, dir, format string) int {
	db, err := advisory.OpenDB(dir)
	if err != nil {
		fmt.Fprintf(stderr, "guard db status: %v\n", err)
		return guard.ExitIncomplete
	}
	defer db.Close()
	statuses, err := db.Status()
	code := guard.ExitAllow
	if err != nil {
		code = guard.ExitIncomplete
	}
	if format == "json" {
		if err := JSON(stdout, dir, statuses); err != nil {
			return guard.ExitIncomplete
		}
		return code
	}
	Text(stdout, dir, statuses)
	return code
}
