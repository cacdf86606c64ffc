package dbstatus

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/installguard/guard/verify/advisory"
)

func TestAge(t *testing.T) {
	for d, want := range map[time.Duration]string{
		30 * time.Second: "just now", 5 * time.Minute: "5m", 47 * time.Hour: "47h", 72 * time.Hour: "3d",
	} {
		if got := Age(d); got != want {
			t.Errorf("Age(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestTextAndJSON(t *testing.T) {
	written := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	statuses := []advisory.EcosystemStatus{
		{Ecosystem: "npm", Records: 10, Withdrawn: 1, WrittenAt: written, FromMetadata: true, Age: 3 * time.Hour, Source: "https://db.example.test/npm/all.zip"},
		{Ecosystem: "PyPI", Records: 4, WrittenAt: written, Age: 72 * time.Hour},
		{Ecosystem: "crates.io", Err: errors.New("index is corrupt")},
	}
	var text bytes.Buffer
	if err := Text(&text, "/db", statuses); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(text.String()), "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	want := []string{
		"offline OSV DB: /db",
		"ecosystem records withdrawn written age source",
		"npm 10 1 2026-01-02T03:04:05Z 3h https://db.example.test/npm/all.zip",
		"PyPI 4 0 2026-01-02T03:04:05Z (file time) 3d",
		"crates.io unreadable: index is corrupt",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("text:\n%s", text.String())
	}
	var out bytes.Buffer
	if err := JSON(&out, "/db", statuses); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Dir        string
		Ecosystems []struct {
			Ecosystem, Error string
			Records          int
			AgeSeconds       int64
		}
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Dir != "/db" || len(got.Ecosystems) != 3 || got.Ecosystems[0].Records != 10 || got.Ecosystems[0].AgeSeconds != 3*3600 || got.Ecosystems[2].Error != "index is corrupt" {
		t.Errorf("%+v", got)
	}
	out.Reset()
	if err := JSON(&out, "/db", nil); err != nil || !strings.Contains(out.String(), `"ecosystems": []`) {
		t.Errorf("an empty DB: %v\n%s", err, out.String())
	}
}
