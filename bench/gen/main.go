// Command gen writes the synthetic inputs of the benchmarks in bench/:
//
//	go run ./bench/gen -corpus DIR -db OUT -records N
//	go run ./bench/gen -corpus DIR -lockfile OUT -packages N
//
// -db writes OUT/npm/all.zip with N npm records: the corpus npm records
// under their own names, then clones of their shapes under new names
// (gen-<i>-<name>, ids GEN-<i>), the way verify/advisory's benchmark
// generator does. The corpus PyPI and crates.io zips are copied as they are.
//
// -lockfile writes a package-lock.json (lockfileVersion 3) with N packages
// whose names are drawn from the corpus npm DB's package names, each at a
// version the record affects where one can be read off (so a scan has
// hits), the rest at 999.0.0. Names repeat in nested node_modules folders
// once the distinct names run out, as in a large monorepo.
package main

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/installguard/guard/verify/advisory"
	"google.golang.org/protobuf/encoding/protojson"
)

func main() {
	corpus := flag.String("corpus", "../shared/corpus", "shared corpus `DIR` (holds osv/<ecosystem>/all.zip)")
	dbOut := flag.String("db", "", "write a DB folder here")
	records := flag.Int("records", 0, "npm records in the DB (0: the corpus's own)")
	lockOut := flag.String("lockfile", "", "write a package-lock.json here")
	packages := flag.Int("packages", 5000, "packages in the lockfile")
	flag.Parse()
	if *dbOut == "" && *lockOut == "" {
		fmt.Fprintln(os.Stderr, "gen: give -db or -lockfile")
		os.Exit(2)
	}
	templates, err := readZip(filepath.Join(*corpus, "osv", "npm", "all.zip"))
	check(err)
	if *dbOut != "" {
		check(writeDB(*corpus, *dbOut, templates, *records))
	}
	if *lockOut != "" {
		check(writeLockfile(*lockOut, templates, *packages))
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func readZip(path string) ([][]byte, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var out [][]byte
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, data)
	}
	return out, nil
}

func writeDB(corpus, out string, templates [][]byte, n int) error {
	if n <= 0 {
		n = len(templates)
	}
	for _, eco := range []string{"PyPI", "crates.io"} {
		data, err := os.ReadFile(filepath.Join(corpus, "osv", eco, "all.zip"))
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Join(out, eco), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, eco, "all.zip"), data, 0o644); err != nil {
			return err
		}
	}
	zipPath := filepath.Join(out, "npm", "all.zip")
	if err := os.MkdirAll(filepath.Dir(zipPath), 0o755); err != nil {
		return err
	}
	f, err := os.Create(zipPath + ".tmp")
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	for i := range n {
		data := templates[i%len(templates)]
		v, err := advisory.DecodeRecord(data)
		if err != nil {
			return err
		}
		if i >= len(templates) {
			v.Id = fmt.Sprintf("GEN-%07d", i)
			for _, a := range v.GetAffected() {
				if p := a.GetPackage(); p != nil {
					p.Name = fmt.Sprintf("gen-%d-%s", i, p.GetName())
				}
			}
			v.Aliases = nil
			if data, err = protojson.Marshal(v); err != nil {
				return err
			}
		}
		w, err := zw.Create(v.GetId() + ".json")
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(zipPath+".tmp", zipPath)
}

type lockPkg struct {
	Version   string `json:"version,omitempty"`
	Resolved  string `json:"resolved,omitempty"`
	Integrity string `json:"integrity,omitempty"`
	License   string `json:"license,omitempty"`
	Name      string `json:"name,omitempty"`
}

// affectedVersion picks a version of name the record affects: an explicit
// versions entry, else a range's non-zero "introduced", else "".
func affectedVersions(templates [][]byte) (names []string, version map[string]string) {
	version = map[string]string{}
	for _, data := range templates {
		v, err := advisory.DecodeRecord(data)
		if err != nil {
			continue
		}
		for _, a := range v.GetAffected() {
			p := a.GetPackage()
			if p == nil || p.GetEcosystem() != "npm" || p.GetName() == "" {
				continue
			}
			name := p.GetName()
			if _, ok := version[name]; ok && version[name] != "" {
				continue
			}
			ver := ""
			if vs := a.GetVersions(); len(vs) > 0 {
				ver = vs[0]
			} else {
				for _, r := range a.GetRanges() {
					for _, e := range r.GetEvents() {
						if in := e.GetIntroduced(); in != "" && in != "0" {
							ver = in
						}
					}
				}
			}
			if _, ok := version[name]; !ok {
				names = append(names, name)
			}
			version[name] = ver
		}
	}
	sort.Strings(names)
	return names, version
}

func writeLockfile(out string, templates [][]byte, n int) error {
	names, version := affectedVersions(templates)
	if len(names) == 0 {
		return fmt.Errorf("no npm package names in the corpus DB")
	}
	pkgs := map[string]lockPkg{"": {Name: "synthetic-monorepo", Version: "1.0.0"}}
	deps := map[string]string{}
	for i := range n {
		name := names[i%len(names)]
		round := i / len(names)
		ver := version[name]
		if ver == "" || round > 0 {
			ver = fmt.Sprintf("%d.0.0", 999+round)
		}
		path := "node_modules/" + name
		if round > 0 {
			// Nest the repeat under another top-level package, as npm does
			// when two versions of one name are needed.
			parent := names[(i+round)%len(names)]
			path = "node_modules/" + parent + "/node_modules/" + name
		} else {
			deps[name] = ver
		}
		pkgs[path] = lockPkg{
			Version:   ver,
			Resolved:  "https://npm-registry.invalid/" + name + "/-/" + filepath.Base(name) + "-" + ver + ".tgz",
			Integrity: "sha512-" + strings.Repeat("A", 86) + "==",
			License:   "MIT",
		}
	}
	keys := make([]string, 0, len(pkgs))
	for k := range pkgs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	// Encode by hand to keep the root entry's dependencies and a stable order.
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriter(f)
	depsJSON, _ := json.Marshal(deps)
	fmt.Fprintf(bw, "{\n  \"name\": \"synthetic-monorepo\",\n  \"version\": \"1.0.0\",\n  \"lockfileVersion\": 3,\n  \"requires\": true,\n  \"packages\": {\n")
	fmt.Fprintf(bw, "    \"\": {\"name\": \"synthetic-monorepo\", \"version\": \"1.0.0\", \"dependencies\": %s}", depsJSON)
	for _, k := range keys {
		if k == "" {
			continue
		}
		kj, _ := json.Marshal(k)
		vj, _ := json.Marshal(pkgs[k])
		fmt.Fprintf(bw, ",\n    %s: %s", kj, vj)
	}
	fmt.Fprintf(bw, "\n  }\n}\n")
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
