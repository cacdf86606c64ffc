package advisory

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/installguard/guard/lockfile/corpustest"
)

// TestZipScanMatchesArchiveZip: the streaming central-directory reader
// (zipscan.go) sees exactly what archive/zip sees (names, methods, sizes,
// CRCs, data offsets) in the corpus's real OSV exports and in a zip with
// stored, deflated, directory, commented and data-descriptor entries.
func TestZipScanMatchesArchiveZip(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.SetComment("an archive comment")
	w, _ := zw.Create("A.json") // deflated, with a data descriptor
	w.Write([]byte(recFixed))
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "B.json", Method: zip.Store, Comment: "entry comment"})
	w.Write([]byte(recVersions))
	zw.Create("dir/")
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "dir/C.json", Method: zip.Deflate, Extra: []byte{0xfe, 0xca, 2, 0, 1, 2}})
	w.Write([]byte(recMulti))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	// More than 65,535 entries: the end record is zip64's.
	var many bytes.Buffer
	zw = zip.NewWriter(&many)
	for i := range 66_000 {
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("E%d.txt", i), Method: zip.Store})
		w.Write([]byte{byte(i)})
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zips := map[string][]byte{"generated": buf.Bytes(), "zip64 (66,000 entries)": many.Bytes()}
	if dir, ok := corpustest.Root(); ok {
		for _, eco := range []string{"npm", "PyPI", "crates.io"} {
			if b, err := os.ReadFile(filepath.Join(dir, "osv", eco, "all.zip")); err == nil {
				zips[eco] = b
			}
		}
	}
	for name, z := range zips {
		r := bytes.NewReader(z)
		zr, err := zip.NewReader(r, int64(len(z)))
		if err != nil {
			t.Fatal(err)
		}
		d, err := findZipDir(r, int64(len(z)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d.entries != uint64(len(zr.File)) {
			t.Fatalf("%s: %d entries, archive/zip has %d", name, d.entries, len(zr.File))
		}
		i := 0
		err = scanZip(r, int64(len(z)), d, func(e *zipEntryHdr) error {
			f := zr.File[i]
			i++
			off, err := f.DataOffset()
			if err != nil {
				return err
			}
			if e.Name != f.Name || e.Method != f.Method || e.CRC32 != f.CRC32 || e.Size != f.UncompressedSize64 ||
				e.CompSize != f.CompressedSize64 || e.DataOff != off {
				t.Errorf("%s: entry %d: %+v; archive/zip: %s method %d crc %x size %d comp %d off %d",
					name, i, e, f.Name, f.Method, f.CRC32, f.UncompressedSize64, f.CompressedSize64, off)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if i != len(zr.File) {
			t.Errorf("%s: scanned %d of %d entries", name, i, len(zr.File))
		}
	}
}
