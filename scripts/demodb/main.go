// Command demodb writes the demo snapshot of OSV data that README's first
// run uses: testdata/demo/osv-db/npm/all.zip, the records of the shared
// corpus's OSV npm export that name a package of testdata/demo's lockfile,
// in the layout `guard check --db` reads (<db>/<ecosystem>/all.zip).
//
// The output is deterministic (records sorted by file name, fixed times), so
// rerunning it on the same corpus leaves the file unchanged:
//
//	go run ./scripts/demodb -corpus ../shared/corpus
//
// The snapshot is a demo: it is never a default for real checks, and it is
// as old as the corpus it was cut from.
package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

func main() {
	corpus := flag.String("corpus", os.Getenv("GUARD_CORPUS"), "the shared corpus `DIR` (default $GUARD_CORPUS)")
	demo := flag.String("demo", "testdata/demo", "the demo project `DIR`")
	flag.Parse()
	if *corpus == "" {
		fmt.Fprintln(os.Stderr, "demodb: -corpus or GUARD_CORPUS is required")
		os.Exit(2)
	}
	if err := run(*corpus, *demo); err != nil {
		fmt.Fprintln(os.Stderr, "demodb:", err)
		os.Exit(1)
	}
}

func run(corpus, demo string) error {
	names, err := lockNames(filepath.Join(demo, "package-lock.json"))
	if err != nil {
		return err
	}
	zr, err := zip.OpenReader(filepath.Join(corpus, "osv", "npm", "all.zip"))
	if err != nil {
		return err
	}
	defer zr.Close()
	type rec struct {
		name string
		data []byte
	}
	var recs []rec
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(rc, 4<<20))
		rc.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		var v struct {
			Affected []struct {
				Package struct{ Ecosystem, Name string } `json:"package"`
			} `json:"affected"`
		}
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		for _, a := range v.Affected {
			if a.Package.Ecosystem == "npm" && names[a.Package.Name] {
				recs = append(recs, rec{f.Name, data})
				break
			}
		}
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].name < recs[j].name })
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	stamp := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range recs {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: r.name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return err
		}
		if _, err := w.Write(r.data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	out := filepath.Join(demo, "osv-db", "npm", "all.zip")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = strings.TrimSuffix(r.name, ".json")
	}
	fmt.Printf("%s: %d records: %s\n", out, len(recs), strings.Join(ids, " "))
	return nil
}

// lockNames returns the package names installed by a package-lock v3.
func lockNames(path string) (map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var lock struct {
		Packages map[string]json.RawMessage `json:"packages"`
	}
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	names := map[string]bool{}
	for key := range lock.Packages {
		if i := strings.LastIndex(key, "node_modules/"); i >= 0 {
			names[key[i+len("node_modules/"):]] = true
		}
	}
	return names, nil
}
