package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/installguard/guard/guard"
	"github.com/installguard/guard/lockfile"
)

// The official SARIF 2.1.0 schema (OASIS, errata01) is not copied into this
// repository: OASIS publishes it under its IPR policy, not under a licence
// that lets us redistribute it. The test reads it from the module cache
// instead, from github.com/owenrumney/go-sarif/v3 (a dependency of this
// package), which carries it as the Go string constant `schema` in
// pkg/report/v210/sarif/schema.go. Those bytes are checked against
// sarifSchemaSHA256, which is also the digest of
// report/sarif/testdata/sarif-schema-2.1.0.json in
// github.com/securego/gosec/v2@v2.30.0: two independent copies of the
// official file agree. A go-sarif upgrade that changes the schema fails here
// until the new copy is checked the same way.
const (
	sarifModule       = "github.com/owenrumney/go-sarif/v3"
	sarifSchemaFile   = "pkg/report/v210/sarif/schema.go"
	sarifSchemaID     = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifSchemaSHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
)

var schemaOnce struct {
	sync.Once
	schema *jsonschema.Schema
	err    error
}

// sarifSchema compiles the official SARIF 2.1.0 schema with
// santhosh-tekuri/jsonschema, which asserts formats (uri, uri-reference,
// date-time) for draft-04 schemas.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	schemaOnce.Do(func() {
		schemaOnce.schema, schemaOnce.err = loadSARIFSchema()
	})
	if schemaOnce.err != nil {
		t.Fatalf("SARIF schema: %v", schemaOnce.err)
	}
	return schemaOnce.schema
}

func loadSARIFSchema() (*jsonschema.Schema, error) {
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if p, err := exec.LookPath("go"); err == nil {
		goCmd = p
	}
	out, err := exec.Command(goCmd, "list", "-m", "-json", sarifModule).Output()
	if err != nil {
		return nil, &schemaError{"go list -m -json " + sarifModule + ": " + err.Error()}
	}
	var mod struct{ Dir, Version string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		return nil, &schemaError{"go list -m: no module directory for " + sarifModule + " (run go mod download)"}
	}
	src := filepath.Join(mod.Dir, filepath.FromSlash(sarifSchemaFile))
	file, err := parser.ParseFile(token.NewFileSet(), src, nil, 0)
	if err != nil {
		return nil, err
	}
	var text string
	ast.Inspect(file, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || len(vs.Names) != 1 || vs.Names[0].Name != "schema" || len(vs.Values) != 1 {
			return true
		}
		if lit, ok := vs.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
			text, _ = strconv.Unquote(lit.Value)
		}
		return false
	})
	if text == "" {
		return nil, &schemaError{"no string constant `schema` in " + src}
	}
	sum := sha256.Sum256([]byte(text))
	if got := hex.EncodeToString(sum[:]); got != sarifSchemaSHA256 {
		return nil, &schemaError{"the schema in " + sarifModule + "@" + mod.Version + " has sha256 " + got +
			", not the checked copy of sarif-schema-2.1.0.json (" + sarifSchemaSHA256 + "): compare it with the official file before updating sarifSchemaSHA256"}
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return nil, err
	}
	if id, _ := doc.(map[string]any)["id"].(string); id != sarifSchemaID {
		return nil, &schemaError{"schema id " + id + ", want " + sarifSchemaID}
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(sarifSchemaID, doc); err != nil {
		return nil, err
	}
	return c.Compile(sarifSchemaID)
}

type schemaError struct{ msg string }

func (e *schemaError) Error() string { return e.msg }

// validateSARIF checks out against the official schema, and against
// go-sarif's own validation (a second, independent validator).
func validateSARIF(t *testing.T, out []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	if err := sarifSchema(t).Validate(inst); err != nil {
		t.Fatalf("output does not validate against sarif-schema-2.1.0.json: %v\n%s", err, out)
	}
	rep, err := sarif.FromBytes(out)
	if err != nil {
		t.Fatalf("go-sarif cannot read the output: %v", err)
	}
	if err := rep.Validate(); err != nil {
		t.Fatalf("go-sarif validation: %v", err)
	}
}

// finding builds a finding with the fields every finding has.
func finding(rule, id, lf, name, version string, line int, action guard.Action) guard.Finding {
	item := map[string]string{guard.RulePinning: "C1.1", guard.RuleMalware: "G2.3"}[rule]
	if item == "" {
		item = "C2.1"
	}
	return guard.Finding{Rule: rule, Item: item, ID: id, Aliases: []string{}, Ecosystem: lockfile.NPM,
		Name: name, Version: version, Lockfile: lf, Line: line, Action: action,
		Message: "has a problem", Why: "C1.1 is on from level 1 (level is 2); --mode block"}
}

// testItems is a fixed item table, so that golden outputs do not change
// when guard gains rules.
var testItems = []guard.Item{
	{ID: "C1.1", Rule: guard.RulePinning, Level: 1, Title: "installs are pinned by version and hash"},
	{ID: "C2.1", Rule: guard.RuleVulnerability, Level: 2, Title: "known vulnerabilities are reported before installing"},
	{ID: "G2.3", Rule: guard.RuleMalware, Level: 0, Title: "known malicious packages always block"},
	{ID: "C2.1", Rule: guard.RuleUnmaintained, Level: 2, Title: "RustSec: unmaintained crates"},
	{ID: "C2.1", Rule: guard.RuleUnsound, Level: 2, Title: "RustSec: unsound crates"},
	{ID: "C2.1", Rule: guard.RuleNotice, Level: 2, Title: "RustSec: notices"},
}

func items(level int) []guard.ItemResult {
	var out []guard.ItemResult
	for _, it := range testItems {
		st := "pass"
		if it.Level > level {
			st = "off"
		}
		out = append(out, guard.ItemResult{Item: it, Status: st})
	}
	return out
}

// sarifCases are the reports every SARIF test runs on.
func sarifCases() map[string]*guard.Report {
	vuln := finding(guard.RuleVulnerability, "GHSA-qwcr-r2fm-qrc7", "package-lock.json", "body-parser", "1.19.0", 120, guard.Block)
	vuln.Aliases = []string{"CVE-2024-45590"}
	vuln.Severity, vuln.Score, vuln.Summary, vuln.Fixed = "HIGH", 8.7, "body-parser vulnerable to denial of service", []string{"1.20.3"}
	vuln.Chain = []string{"express@4.17.1"}
	labelOnly := finding(guard.RuleVulnerability, "PYSEC-2021-1", "sub dir/requirements.txt", "requests", "2.0.0", 3, guard.Warn)
	labelOnly.Ecosystem, labelOnly.Severity, labelOnly.Summary = lockfile.PyPI, "CRITICAL", "label only"
	unknown := finding(guard.RuleVulnerability, "GHSA-xxxx-yyyy-zzzz", "package-lock.json", "left-pad", "1.3.0", 0, guard.Ignored)
	unknown.Severity = "UNKNOWN"
	mal := finding(guard.RuleMalware, "MAL-2024-1", "package-lock.json", "evil", "6.6.6", 7, guard.Block)
	unmaint := finding(guard.RuleUnmaintained, "RUSTSEC-2020-0036", "Cargo.lock", "failure", "0.1.8", 40, guard.Warn)
	unmaint.Ecosystem = lockfile.CratesIO
	unsound := finding(guard.RuleUnsound, "RUSTSEC-2021-0145", "Cargo.lock", "atty", "0.2.14", 0, guard.Warn)
	notice := finding(guard.RuleNotice, "RUSTSEC-2023-0001", "Cargo.lock", "x", "1.0.0", 9, guard.Warn)
	noLock := finding(guard.RulePinning, guard.PinNoLockfile, "services/api", "", "", 0, guard.Block)
	noLock.Ecosystem = ""
	var pins []guard.Finding
	for i, id := range []string{guard.PinUnpinned, guard.PinMissingHash, guard.PinWeakHash, guard.PinGit, guard.PinURL, guard.PinPath} {
		pins = append(pins, finding(guard.RulePinning, id, "package-lock.json", "p"+strconv.Itoa(i), "1.0.0", i*3, guard.Block))
	}

	hostile := finding(guard.RuleVulnerability, "GHSA-]]|`x` <b>", "we|ird#dir/pa ck%age-lock.json", "@evil/na|me\n# h1", "1.0.0`", 5, guard.Block)
	hostile.Summary = "click [here](https://evil.example) <script>alert(1)</script>\n| a | b |"
	hostile.Message = "has [a](1) problem\r\nsecond line"
	hostile.Fixed = []string{"2.0.0|x"}
	hostile.Aliases = []string{"CVE-[1]"}

	full := &guard.Report{SchemaVersion: 1, Verdict: guard.VerdictBlock, Level: 2, Mode: guard.Block,
		Lockfiles: []guard.LockfileSummary{
			{Path: "package-lock.json", Format: lockfile.FormatPackageLock, FormatVersion: "3", Ecosystem: lockfile.NPM, Packages: 51},
			{Path: "Cargo.lock", Format: lockfile.FormatCargoLock, FormatVersion: "4", Ecosystem: lockfile.CratesIO, Packages: 12},
			{Path: "sub dir/requirements.txt", Format: lockfile.FormatRequirements, Ecosystem: lockfile.PyPI, Packages: 3},
		},
		Findings: append([]guard.Finding{vuln, labelOnly, unknown, mal, unmaint, unsound, notice, noLock}, pins...),
		Items:    items(2)}
	withErrors := &guard.Report{SchemaVersion: 1, Verdict: guard.VerdictBlock, Level: 2, Mode: guard.Block,
		Lockfiles: full.Lockfiles[:1], Findings: []guard.Finding{vuln},
		Items: items(2),
		Errors: []guard.Error{
			{Kind: guard.InputError, Path: "broken/package-lock.json", Message: "broken/package-lock.json:6: packages[\"node_modules/a\"].version: not a string"},
			{Kind: guard.CheckError, Message: "OSV API: 503 Service Unavailable after 3 retries"},
		}}
	return map[string]*guard.Report{
		"empty":       {SchemaVersion: 1, Verdict: guard.Allow, Level: 2, Mode: guard.Block, Items: items(2)},
		"zero":        {SchemaVersion: 1, Verdict: guard.Allow, Level: 0, Mode: guard.Warn, Lockfiles: full.Lockfiles, Items: items(0)},
		"full":        full,
		"errors":      withErrors,
		"errors-only": {SchemaVersion: 1, Verdict: guard.Allow, Level: 2, Mode: guard.Block, Errors: withErrors.Errors},
		"hostile": {SchemaVersion: 1, Verdict: guard.VerdictBlock, Level: 3, Mode: guard.Block,
			Findings: []guard.Finding{hostile}, Items: items(3)},
	}
}

func writeSARIF(t *testing.T, r *guard.Report, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := writeFormat(&buf, "sarif", r, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	for name, r := range sarifCases() {
		t.Run(name, func(t *testing.T) {
			validateSARIF(t, writeSARIF(t, r, Options{Version: "1.2.3", Category: "guard/npm"}))
			validateSARIF(t, writeSARIF(t, r, Options{}))
		})
	}
}

// sarifLog is the part of a SARIF log the GitHub assertions read.
type sarifLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name           string `json:"name"`
				Version        string `json:"version"`
				InformationURI string `json:"informationUri"`
				Rules          []struct {
					ID               string                `json:"id"`
					Name             string                `json:"name"`
					ShortDescription struct{ Text string } `json:"shortDescription"`
					FullDescription  struct{ Text string } `json:"fullDescription"`
					Help             struct{ Text, Markdown string }
					HelpURI          string `json:"helpUri"`
					Default          struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
					Properties map[string]any `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		AutomationDetails *struct{ ID string } `json:"automationDetails"`
		Results           []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI       string `json:"uri"`
						URIBaseID string `json:"uriBaseId"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
			PartialFingerprints map[string]string `json:"partialFingerprints"`
			Properties          map[string]any    `json:"properties"`
		} `json:"results"`
		Invocations []struct {
			ExecutionSuccessful bool `json:"executionSuccessful"`
			ExitCode            int  `json:"exitCode"`
			Notifications       []struct {
				Level      string
				Message    struct{ Text string }
				Descriptor struct{ ID string }
			} `json:"toolExecutionNotifications"`
		} `json:"invocations"`
	} `json:"runs"`
}

func parseSARIF(t *testing.T, out []byte) sarifLog {
	t.Helper()
	var l sarifLog
	if err := json.Unmarshal(out, &l); err != nil {
		t.Fatal(err)
	}
	if l.Version != "2.1.0" || len(l.Runs) != 1 {
		t.Fatalf("version %q, %d runs; want 2.1.0 and one run", l.Version, len(l.Runs))
	}
	return l
}

// TestSARIFGitHub checks what GitHub code scanning needs beyond the schema.
func TestSARIFGitHub(t *testing.T) {
	levels := map[guard.Action]string{guard.Block: "error", guard.Warn: "warning", guard.Ignored: "note"}
	for name, r := range sarifCases() {
		t.Run(name, func(t *testing.T) {
			run := parseSARIF(t, writeSARIF(t, r, Options{Version: "1.2.3"})).Runs[0]
			d := run.Tool.Driver
			if d.Name != "guard" || d.Version != "1.2.3" || d.InformationURI != DefaultInformationURI {
				t.Errorf("driver %q %q %q", d.Name, d.Version, d.InformationURI)
			}
			ruleAt := map[string]int{}
			for i, rule := range d.Rules {
				if _, dup := ruleAt[rule.ID]; dup || rule.ID == "" {
					t.Errorf("rule id %q empty or repeated", rule.ID)
				}
				ruleAt[rule.ID] = i
				if rule.ShortDescription.Text == "" || len(rule.ShortDescription.Text) > 1024 ||
					rule.FullDescription.Text == "" || len(rule.FullDescription.Text) > 1024 {
					t.Errorf("rule %s: short/full description empty or over 1024 bytes", rule.ID)
				}
				if rule.Help.Text == "" || rule.Help.Markdown == "" {
					t.Errorf("rule %s: help.text and help.markdown wanted", rule.ID)
				}
				if !slicesContainsAny(rule.Properties["tags"], "security") {
					t.Errorf("rule %s: tags %v lack security", rule.ID, rule.Properties["tags"])
				}
				if s, ok := rule.Properties["security-severity"]; ok {
					str, isString := s.(string)
					v, err := strconv.ParseFloat(str, 64)
					if !isString || err != nil || v < 0 || v > 10 {
						t.Errorf("rule %s: security-severity %#v is not a numeric string in [0, 10]", rule.ID, s)
					}
				}
				if rule.Properties["item"] == "" || rule.Properties["item"] == nil {
					t.Errorf("rule %s: no principle item", rule.ID)
				}
			}
			if len(run.Results) != len(r.Findings) {
				t.Fatalf("%d results for %d findings", len(run.Results), len(r.Findings))
			}
			seen := map[string]bool{}
			for _, res := range run.Results {
				i, ok := ruleAt[res.RuleID]
				if res.RuleID == "" || !ok || i != res.RuleIndex {
					t.Errorf("result ruleId %q index %d: not defined at that index in rules", res.RuleID, res.RuleIndex)
				}
				if len(res.Locations) != 1 {
					t.Fatalf("result %s: %d locations", res.RuleID, len(res.Locations))
				}
				loc := res.Locations[0].PhysicalLocation
				uri := loc.ArtifactLocation.URI
				if loc.ArtifactLocation.URIBaseID != "%SRCROOT%" || uri == "" || strings.HasPrefix(uri, "/") ||
					strings.Contains(uri, "://") || strings.HasPrefix(uri, "../") || strings.Contains(uri, `\`) {
					t.Errorf("result %s: location %q base %q, want a relative URI on %%SRCROOT%%", res.RuleID, uri, loc.ArtifactLocation.URIBaseID)
				}
				if loc.Region.StartLine < 1 {
					t.Errorf("result %s: startLine %d", res.RuleID, loc.Region.StartLine)
				}
				fp := res.PartialFingerprints[fingerprintKey]
				if len(fp) != 64 || seen[fp] {
					t.Errorf("result %s: fingerprint %q missing or repeated", res.RuleID, fp)
				}
				seen[fp] = true
				if res.Properties["item"] == nil || res.Properties["action"] == nil {
					t.Errorf("result %s: properties %v lack item or action", res.RuleID, res.Properties)
				}
				if want := levels[guard.Action(res.Properties["action"].(string))]; res.Level != want {
					t.Errorf("result %s: level %s, want %s", res.RuleID, res.Level, want)
				}
				if d.Rules[res.RuleIndex].Default.Level == "" {
					t.Errorf("rule %s: no defaultConfiguration.level", res.RuleID)
				}
			}
			if len(run.Invocations) != 1 {
				t.Fatalf("%d invocations", len(run.Invocations))
			}
			inv := run.Invocations[0]
			if inv.ExecutionSuccessful != (len(r.Errors) == 0) || inv.ExitCode != r.ExitCode() ||
				len(inv.Notifications) != len(r.Errors) {
				t.Errorf("invocation %+v for %d errors, exit %d", inv, len(r.Errors), r.ExitCode())
			}
			for i, n := range inv.Notifications {
				if n.Level != "error" || n.Message.Text != sarifText(r.Errors[i].Message) || n.Descriptor.ID != string(r.Errors[i].Kind)+"-error" {
					t.Errorf("notification %+v for %+v", n, r.Errors[i])
				}
			}
		})
	}
}

func slicesContainsAny(v any, want string) bool {
	list, _ := v.([]any)
	for _, x := range list {
		if x == want {
			return true
		}
	}
	return false
}

// TestSARIFContent checks the mapping of each kind of finding.
func TestSARIFContent(t *testing.T) {
	r := sarifCases()["full"]
	run := parseSARIF(t, writeSARIF(t, r, Options{})).Runs[0]
	rules := map[string]map[string]any{}
	helpURI := map[string]string{}
	short := map[string]string{}
	for _, rule := range run.Tool.Driver.Rules {
		rules[rule.ID] = rule.Properties
		helpURI[rule.ID] = rule.HelpURI
		short[rule.ID] = rule.ShortDescription.Text
	}
	for id, want := range map[string]string{
		"vulnerability/GHSA-qwcr-r2fm-qrc7": "GHSA-qwcr-r2fm-qrc7: body-parser vulnerable to denial of service",
		"malware/MAL-2024-1":                "Known malicious package MAL-2024-1",
		"pinning/weak-hash":                 "A lockfile entry is pinned only by md5 or sha1",
	} {
		if short[id] != want {
			t.Errorf("%s: shortDescription %q, want %q", id, short[id], want)
		}
	}
	sev := func(id string) any { return rules[id]["security-severity"] }
	for id, want := range map[string]any{
		"vulnerability/GHSA-qwcr-r2fm-qrc7": "8.7",  // CVSS score
		"vulnerability/PYSEC-2021-1":        "9.5",  // CRITICAL label only
		"vulnerability/GHSA-xxxx-yyyy-zzzz": nil,    // UNKNOWN: GitHub falls back on the level
		"malware/MAL-2024-1":                "10.0", // always critical
		"unmaintained/RUSTSEC-2020-0036":    nil,
		"pinning/missing-hash":              nil,
	} {
		if got := sev(id); got != want {
			t.Errorf("%s: security-severity %#v, want %#v", id, got, want)
		}
	}
	if got := helpURI["vulnerability/GHSA-qwcr-r2fm-qrc7"]; got != "https://osv.dev/vulnerability/GHSA-qwcr-r2fm-qrc7" {
		t.Errorf("helpUri %q", got)
	}
	if got := helpURI["pinning/missing-hash"]; got != "" {
		t.Errorf("pinning helpUri %q, want none", got)
	}
	byRule := map[string]int{}
	for _, res := range run.Results {
		byRule[res.RuleID]++
		loc := res.Locations[0].PhysicalLocation
		switch res.RuleID {
		case "vulnerability/GHSA-qwcr-r2fm-qrc7":
			if loc.ArtifactLocation.URI != "package-lock.json" || loc.Region.StartLine != 120 || res.Level != "error" ||
				res.Message.Text != "body-parser@1.19.0 has a problem (via express@4.17.1)" || res.Properties["item"] != "C2.1" {
				t.Errorf("vulnerability result: %+v", res)
			}
		case "vulnerability/PYSEC-2021-1":
			if loc.ArtifactLocation.URI != "sub%20dir/requirements.txt" || loc.Region.StartLine != 3 || res.Level != "warning" {
				t.Errorf("label-only result: %+v", res)
			}
		case "vulnerability/GHSA-xxxx-yyyy-zzzz":
			if loc.Region.StartLine != 1 || res.Level != "note" {
				t.Errorf("ignored result without line: %+v", res)
			}
		case "malware/MAL-2024-1":
			if res.Properties["item"] != "G2.3" {
				t.Errorf("malware result: %+v", res)
			}
		case "pinning/no-lockfile":
			if loc.ArtifactLocation.URI != "services/api" || res.Message.Text != "has a problem" || res.Properties["item"] != "C1.1" {
				t.Errorf("no-lockfile result: %+v", res)
			}
		}
	}
	if len(byRule) != len(r.Findings) {
		t.Errorf("%d rules for %d distinct findings", len(byRule), len(r.Findings))
	}
	if run.Invocations[0].ExitCode != 1 || !run.Invocations[0].ExecutionSuccessful {
		t.Errorf("invocation %+v", run.Invocations[0])
	}
}

func TestSARIFHostile(t *testing.T) {
	out := writeSARIF(t, sarifCases()["hostile"], Options{})
	run := parseSARIF(t, out).Runs[0]
	res := run.Results[0]
	if got := res.Locations[0].PhysicalLocation.ArtifactLocation.URI; got != "we%7Cird%23dir/pa%20ck%25age-lock.json" {
		t.Errorf("uri %q", got)
	}
	if strings.Contains(strings.ReplaceAll(res.Message.Text, `\[`, ""), "[") {
		t.Errorf("message %q has an unescaped [ (an embedded link)", res.Message.Text)
	}
	rule := run.Tool.Driver.Rules[0]
	if rule.HelpURI != "" {
		t.Errorf("helpUri %q made from an id that is no plain advisory id", rule.HelpURI)
	}
	// With every backslash escape taken out, no markup character is left.
	if bare := regexp.MustCompile(`\\.`).ReplaceAllString(rule.Help.Markdown, ""); strings.ContainsAny(bare, "[]<>|`#") {
		t.Errorf("unescaped markup in help.markdown: %q", bare)
	}
}

func TestSARIFPaths(t *testing.T) {
	abs, err := filepath.Abs("repo")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path, base, uri, baseID string
	}{
		{"package-lock.json", "", "package-lock.json", srcRoot},
		{"./a/b/Cargo.lock", ".", "a/b/Cargo.lock", srcRoot},
		{"repo/x/uv.lock", "repo", "x/uv.lock", srcRoot},
		{filepath.Join(abs, "x", "uv.lock"), "repo", "x/uv.lock", srcRoot},
		{"repo/x/uv.lock", abs, "x/uv.lock", srcRoot},
		{"a:b/yarn.lock", "", "./a:b/yarn.lock", srcRoot},
		{"dir with space/#1?.lock", "", "dir%20with%20space/%231%3F.lock", srcRoot},
		{"../outside/package-lock.json", "", "file://" + filepath.ToSlash(filepath.Dir(mustAbs(t, "."))) + "/outside/package-lock.json", ""},
	} {
		loc := artifactLocation(tt.path, tt.base)
		baseID := ""
		if loc.URIBaseID != nil {
			baseID = *loc.URIBaseID
		}
		if *loc.URI != tt.uri || baseID != tt.baseID {
			t.Errorf("artifactLocation(%q, %q) = %q on %q, want %q on %q", tt.path, tt.base, *loc.URI, baseID, tt.uri, tt.baseID)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestSARIFDeterministic: the same findings in any order give the same
// bytes, and a finding's fingerprint does not move with its line.
func TestSARIFDeterministic(t *testing.T) {
	r := sarifCases()["full"]
	want := writeSARIF(t, r, Options{})
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		shuffled := *r
		shuffled.Findings = append([]guard.Finding(nil), r.Findings...)
		rng.Shuffle(len(shuffled.Findings), func(i, j int) {
			shuffled.Findings[i], shuffled.Findings[j] = shuffled.Findings[j], shuffled.Findings[i]
		})
		if got := writeSARIF(t, &shuffled, Options{}); !bytes.Equal(got, want) {
			t.Fatal("output depends on the order of findings")
		}
	}
	moved := *r
	moved.Findings = append([]guard.Finding(nil), r.Findings...)
	for i := range moved.Findings {
		moved.Findings[i].Line += 10
	}
	a, b := parseSARIF(t, want).Runs[0].Results, parseSARIF(t, writeSARIF(t, &moved, Options{})).Runs[0].Results
	for i := range a {
		if a[i].PartialFingerprints[fingerprintKey] != b[i].PartialFingerprints[fingerprintKey] {
			t.Errorf("%s: fingerprint changed when the line moved", a[i].RuleID)
		}
		if a[i].Locations[0].PhysicalLocation.Region.StartLine == b[i].Locations[0].PhysicalLocation.Region.StartLine {
			t.Errorf("%s: line did not move", a[i].RuleID)
		}
	}
}

func TestSARIFTruncates(t *testing.T) {
	defer func(n int) { sarifMaxResults = n }(sarifMaxResults)
	sarifMaxResults = 3
	r := &guard.Report{SchemaVersion: 1, Verdict: guard.VerdictBlock, Level: 2, Mode: guard.Block, Items: items(2)}
	for i := range 5 {
		r.Findings = append(r.Findings, finding(guard.RulePinning, guard.PinMissingHash, "a.lock", "w"+strconv.Itoa(i), "1", i+1, guard.Warn))
	}
	r.Findings = append(r.Findings, finding(guard.RulePinning, guard.PinMissingHash, "z.lock", "blocker", "1", 1, guard.Block))
	out := writeSARIF(t, r, Options{})
	validateSARIF(t, out)
	run := parseSARIF(t, out).Runs[0]
	if len(run.Results) != 3 || run.Results[0].Properties["package"] != "blocker" {
		t.Fatalf("kept %d results, first %v; want 3 with the blocking one first", len(run.Results), run.Results[0].Properties["package"])
	}
	inv := run.Invocations[0]
	if !inv.ExecutionSuccessful || len(inv.Notifications) != 1 || inv.Notifications[0].Descriptor.ID != "results-truncated" ||
		!strings.HasPrefix(inv.Notifications[0].Message.Text, "3 more findings") {
		t.Errorf("invocation %+v", inv)
	}
}

func TestSARIFSchemaRejects(t *testing.T) {
	// The validator must not pass everything: a result without a message
	// and a bad level are schema errors.
	bad := []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"guard"}},"results":[{"ruleId":"x","level":"fatal"}]}]}`)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if err != nil {
		t.Fatal(err)
	}
	if sarifSchema(t).Validate(inst) == nil {
		t.Fatal("schema accepted a result without message and with level fatal")
	}
	// Formats are asserted: informationUri must be an absolute URI.
	bad = []byte(`{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"guard","informationUri":"not a uri"}},"results":[]}]}`)
	if inst, err = jsonschema.UnmarshalJSON(bytes.NewReader(bad)); err != nil {
		t.Fatal(err)
	}
	if sarifSchema(t).Validate(inst) == nil {
		t.Fatal("schema accepted informationUri \"not a uri\"")
	}
}
