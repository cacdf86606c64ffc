// Command osvcompare compares the advisory hits of a guard JSON report with
// those of an osv-scanner v2 JSON report on the same lockfile and database.
// It prints one line per difference and exits 1 when there is any.
//
// A hit is a (package, version, advisory) triple. osv-scanner lists every
// matching record; guard merges records that alias each other into one
// finding whose id and aliases name them all, so a guard finding covers an
// osv-scanner hit when the hit's id is the finding's id or one of its aliases.
//
// Usage: osvcompare GUARD.json OSV-SCANNER.json
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/installguard/guard/guard/policy"
)

type guardReport struct {
	Findings []struct {
		Rule, ID, Name, Version string
		Aliases                 []string
	} `json:"findings"`
	Errors []struct{ Message string } `json:"errors"`
}

type osvReport struct {
	Results []struct {
		Packages []struct {
			Package struct {
				Name, Version, Ecosystem string
			} `json:"package"`
			Vulnerabilities []struct {
				ID string `json:"id"`
			} `json:"vulnerabilities"`
		} `json:"packages"`
	} `json:"results"`
}

// advisoryRules are the guard rules whose findings come from OSV records.
var advisoryRules = func() map[string]bool {
	m := map[string]bool{}
	for _, r := range policy.AdvisoryRules() {
		m[r] = true
	}
	return m
}()

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: osvcompare GUARD.json OSV-SCANNER.json")
		os.Exit(2)
	}
	var g guardReport
	var o osvReport
	if err := load(os.Args[1], &g); err != nil {
		fatal(err)
	}
	if err := load(os.Args[2], &o); err != nil {
		fatal(err)
	}
	if len(g.Errors) > 0 {
		fatal(fmt.Errorf("guard report has errors: %v", g.Errors))
	}
	// guardIDs: package@version -> every id guard names for it.
	guardIDs := map[string]map[string]bool{}
	type finding struct{ pkg, id string }
	var guardFindings []finding
	for _, f := range g.Findings {
		if !advisoryRules[f.Rule] {
			continue
		}
		k := f.Name + "@" + f.Version
		if guardIDs[k] == nil {
			guardIDs[k] = map[string]bool{}
		}
		guardIDs[k][f.ID] = true
		for _, a := range f.Aliases {
			guardIDs[k][a] = true
		}
		guardFindings = append(guardFindings, finding{k, f.ID})
	}
	osvIDs := map[string]map[string]bool{}
	for _, r := range o.Results {
		for _, p := range r.Packages {
			k := p.Package.Name + "@" + tarballVersion(p.Package.Name, p.Package.Version)
			for _, v := range p.Vulnerabilities {
				if osvIDs[k] == nil {
					osvIDs[k] = map[string]bool{}
				}
				osvIDs[k][v.ID] = true
			}
		}
	}
	var diffs []string
	for k, ids := range osvIDs {
		for id := range ids {
			if !guardIDs[k][id] {
				diffs = append(diffs, fmt.Sprintf("only osv-scanner: %s %s", k, id))
			}
		}
	}
	for _, f := range guardFindings {
		covered := false
		for id := range guardIDs[f.pkg] {
			if osvIDs[f.pkg][id] {
				covered = true
				break
			}
		}
		if !covered {
			diffs = append(diffs, fmt.Sprintf("only guard:       %s %s", f.pkg, f.id))
		}
	}
	sort.Strings(diffs)
	for _, d := range diffs {
		fmt.Println(d)
	}
	hits := 0
	for _, ids := range osvIDs {
		hits += len(ids)
	}
	fmt.Fprintf(os.Stderr, "osvcompare: osv-scanner %d hits on %d packages, guard %d findings; %d differences\n", hits, len(osvIDs), len(guardFindings), len(diffs))
	if len(diffs) > 0 {
		os.Exit(1)
	}
}

// tarballVersion returns the version in a registry tarball URL
// (".../<name>/-/<base>-<version>.tgz"), which old npm v1 lockfiles write in
// place of the version and osv-scanner reports as is; guard reports the
// version itself. Anything else is returned unchanged.
func tarballVersion(name, v string) string {
	if !strings.HasPrefix(v, "http://") && !strings.HasPrefix(v, "https://") {
		return v
	}
	base := name
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		base = name[i+1:]
	}
	marker := "/" + name + "/-/" + base + "-"
	i := strings.Index(v, marker)
	if i < 0 || !strings.HasSuffix(v, ".tgz") {
		return v
	}
	return strings.TrimSuffix(v[i+len(marker):], ".tgz")
}

func load(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "osvcompare:", err)
	os.Exit(2)
}
