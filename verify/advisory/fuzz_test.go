package advisory

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"path/filepath"
	"slices"
	"testing"

	"github.com/installguard/guard/lockfile/corpustest"

	"github.com/ossf/osv-schema/bindings/go/osvschema"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// FuzzDecodeRecord: the OSV record decoder and everything that reads a
// decoded record (matching, fixed versions, classification, severity,
// grouping) never panic, and a decoded record survives a re-encode.
func FuzzDecodeRecord(f *testing.F) {
	for _, r := range slices.Concat(npmTestRecords, pypiTestRecords, []string{
		recLimit, recLimitStar, recGitOnly, recNoPackage, recFixedZeroLast, recUnsorted,
		`{"id":"X","severity":[{"type":"CVSS_V4","score":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]}`,
		`{"id":"X","aliases":["MAL-1"],"database_specific":{"malicious-packages-origins":[{}],"severity":"MODERATE"}}`,
		`{"id":"X","affected":[{"package":{"ecosystem":"PyPI","name":"A"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"last_affected":"1!2.0.post1.dev3+local"}]}]}]}`,
		`{"id":"X","affected":[{"package":{"ecosystem":"crates.io","name":"a"},"database_specific":{"informational":"unsound","cwes":[{"cweId":"CWE-506"}]}}]}`,
	}) {
		f.Add([]byte(r))
	}
	if dir, ok := corpustest.Root(); ok {
		for _, eco := range []string{"npm", "PyPI", "crates.io"} {
			if zr, err := zip.OpenReader(filepath.Join(dir, "osv", eco, "all.zip")); err == nil {
				for _, zf := range zr.File[:min(5, len(zr.File))] {
					if rc, err := zf.Open(); err == nil {
						b, _ := io.ReadAll(rc)
						rc.Close()
						f.Add(b)
					}
				}
				zr.Close()
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeRecord(data)
		if err != nil {
			if v != nil {
				t.Fatal("record returned with an error")
			}
			return
		}
		if v.GetId() == "" {
			t.Fatal("record without id accepted")
		}
		b, err := protojson.Marshal(v)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		w, err := DecodeRecord(b)
		if err != nil || !proto.Equal(v, w) {
			t.Fatalf("round trip: %v", err)
		}
		Kind(v)
		SeverityOf(v)
		GroupAliases([]*osvschema.Vulnerability{v, w})
		for _, a := range v.GetAffected() {
			p := a.GetPackage()
			versions := append([]string{"", "0", "1.0.0", "0.0.0-0", "1!2.0", "latest"}, a.GetVersions()...)
			for _, r := range a.GetRanges() {
				for _, e := range r.GetEvents() {
					versions = append(versions, e.GetIntroduced(), e.GetFixed(), e.GetLastAffected(), e.GetLimit())
				}
			}
			// A few versions suffice; all of a long versions list would make
			// the harness quadratic.
			for _, ver := range versions[:min(len(versions), 24)] {
				q := Query{Ecosystem: p.GetEcosystem(), Name: p.GetName(), Version: ver}
				if q.Ecosystem == "" {
					q.Ecosystem = "npm"
				}
				in := Affects(v, q)
				fixed := FixedVersions(v, q)
				if !in && fixed != nil {
					t.Fatalf("fixed versions %q for an unaffected %+v", fixed, q)
				}
			}
		}
	})
}

// FuzzIndexReader: a damaged index (any bytes changed) never panics and
// never answers with a record that does not name the queried package.
func FuzzIndexReader(f *testing.F) {
	z := zipBytes(f, recordEntries(npmTestRecords...))
	var idx bytes.Buffer
	if _, err := buildIndex(context.Background(), bytes.NewReader(z), int64(len(z)), "test.zip", [32]byte{}, "npm", Limits{}, &idx, ""); err != nil {
		f.Fatal(err)
	}
	good := idx.Bytes()
	f.Add(uint32(0), []byte{0})
	f.Add(uint32(indexHeaderSize), []byte{0xff, 0xff, 0xff, 0xff})
	f.Add(uint32(len(good)-entryRowSize), []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(uint32(indexHeaderSize+16), []byte{0, 0, 0, 0, 200, 0, 0, 0})
	f.Fuzz(func(t *testing.T, off uint32, patch []byte) {
		b := bytes.Clone(good)
		if int(off) < len(b) {
			copy(b[off:], patch)
		} else {
			b = append(b, patch...)
		}
		r, err := newIndexReader(bytes.NewReader(b), int64(len(b)), bytes.NewReader(z), int64(len(z)), MaxRecordSize)
		if err != nil {
			return
		}
		e := &ecoDB{name: "npm", r: r}
		for _, key := range []string{"lodash", "qs", "@evil/pkg", "lodash-es", "zzz", ""} {
			ids, err := e.r.lookup(key, newLookupCache())
			if err != nil {
				continue
			}
			loaded, err := e.load(context.Background(), [][]uint32{ids})
			if err != nil {
				t.Fatal(err) // only a cancelled context fails load itself
			}
			recs, err := e.records(key, ids, loaded)
			if err != nil {
				continue
			}
			for _, v := range recs {
				if !namesKey(v, "npm", key) {
					t.Fatalf("%s returned for %q", v.GetId(), key)
				}
			}
		}
	})
}
