package sbom

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "app.cdx.json")
	opts := Options{Now: fixedNow, Serial: "00000000-0000-4000-8000-000000000001", ToolVersion: "test"}
	if err := WriteFile(file, CycloneDX, sample(), opts); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := Write(&want, CycloneDX, sample(), opts); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(file)
	if err != nil || !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("the file differs from Write's output (%v)", err)
	}
	// a write that fails leaves the previous SBOM whole
	if err := WriteFile(file, "bogus", sample(), opts); err == nil {
		t.Fatal("an unsupported format was written")
	}
	if again, _ := os.ReadFile(file); !bytes.Equal(again, want.Bytes()) {
		t.Error("a failed write changed the file")
	}
}
