package policy

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Setting is one effective value and where it came from.
type Setting struct {
	// Key is the TOML key: "level", "vulnerabilities.block-severity",
	// "provenance.require" (one Setting per list entry).
	Key   string `json:"key"`
	Value any    `json:"value"`
	From  Origin `json:"from"`
	// Note explains a derived value ("follows mode").
	Note string `json:"note,omitempty"`
}

// Settings lists every effective value in file order. Rule actions that
// no file sets follow mode (Note "follows mode", From the mode's origin)
// or are the rule's fixed default.
func (p *Policy) Settings() []Setting {
	c := p.c
	var out []Setting
	add := func(key string, v any, from Origin, note string) {
		out = append(out, Setting{Key: key, Value: v, From: from, Note: note})
	}
	add("level", c.level.V, c.level.From, "")
	add("mode", string(c.mode.V), c.mode.From, "")
	add("on-error", string(c.onError.V), c.onError.From, "")
	add("max-db-age", formatDuration(c.maxDBAge.V), c.maxDBAge.From, "")
	action := func(spec ruleSpec) {
		if spec.rule == RuleMalware {
			add("malware.action", string(Block), defaultOrigin, "malware always blocks")
			return
		}
		a, from, _ := resolveAction(c, spec)
		note := ""
		if _, set := c.actions[spec.rule]; !set && spec.def == "" {
			note = "follows mode"
		}
		add(spec.table+"."+spec.key, string(a), from, note)
	}
	for _, spec := range ruleSpecs {
		switch spec.table {
		case "vulnerabilities":
			if c.vuln.block.Set {
				add("vulnerabilities.block-severity", c.vuln.block.V.String(), c.vuln.block.From, "")
			} else {
				th := thNever
				if c.mode.V == Block {
					th = thAny
				}
				add("vulnerabilities.block-severity", th.String(), c.mode.From, "follows mode")
			}
			if c.vuln.warn.Set {
				add("vulnerabilities.warn-severity", c.vuln.warn.V.String(), c.vuln.warn.From, "")
			} else {
				add("vulnerabilities.warn-severity", thAny.String(), defaultOrigin, "")
			}
			if c.vuln.unrated.Set {
				add("vulnerabilities.unrated", string(c.vuln.unrated.V), c.vuln.unrated.From, "")
			}
			if c.vuln.unreachable.Set {
				add("vulnerabilities.unreachable", string(c.vuln.unreachable.V), c.vuln.unreachable.From, "")
			}
		case "provenance":
			action(spec)
			if spec.key == "mismatch" {
				for _, pat := range c.require {
					add("provenance.require", pat.Text, pat.From, "")
				}
			}
		case "cooldown":
			action(spec)
			add("cooldown.min-age", formatDuration(c.minAge.V), c.minAge.From, "")
			for _, pat := range c.cooldownAllow {
				add("cooldown.allow", pat.Text, pat.From, "")
			}
		case "typosquat":
			action(spec)
			showTypo(c, add)
		case "install-scripts":
			action(spec)
			for _, pat := range c.scriptsAllow {
				add("install-scripts.allow", pat.Text, pat.From, "")
			}
		case "sources":
			action(spec)
			add("sources.resolved-match", c.resolvedMatch.V, c.resolvedMatch.From, "")
			for _, eco := range []string{EcoNPM, EcoPyPI, EcoCrates} {
				es := c.sources[eco]
				if es == nil {
					continue
				}
				prefix := "sources." + ecoKey(eco)
				if es.registries.Set {
					for _, u := range es.registries.V {
						add(prefix+".registries", u, es.registries.From, "")
					}
				}
				if es.hosts.Set {
					for _, h := range es.hosts.V {
						add(prefix+".hosts", h, es.hosts.From, "")
					}
				}
				scopes := make([]string, 0, len(es.scoped))
				for s := range es.scoped {
					scopes = append(scopes, s)
				}
				sort.Strings(scopes)
				for _, s := range scopes {
					add(prefix+".scoped-registries."+tomlKey(s), es.scoped[s].V, es.scoped[s].From, "")
				}
			}
		default:
			action(spec)
		}
	}
	add("exceptions.allow-project", c.allowProject.V, c.allowProject.From, "")
	add("exceptions.max-lifetime", formatDuration(c.maxLifetime.V), c.maxLifetime.From, "")
	return out
}

// Show writes the effective policy: "text" is an annotated TOML document
// (each value commented with where it came from), "json" an object with
// files, settings, publisher pins and exceptions.
func (p *Policy) Show(w io.Writer, format string) error {
	switch format {
	case "json":
		v := struct {
			Files      []File         `json:"files"`
			Settings   []Setting      `json:"settings"`
			Publishers []PublisherPin `json:"publishers"`
			Exceptions []*Exception   `json:"exceptions"`
		}{p.Files(), p.Settings(), append([]PublisherPin{}, p.c.publishers...), p.Exceptions()}
		if v.Files == nil {
			v.Files = []File{}
		}
		if v.Exceptions == nil {
			v.Exceptions = []*Exception{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "text", "":
		return p.showText(w)
	}
	return fmt.Errorf("format %q is not supported: use text or json", format)
}

func (p *Policy) showText(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# effective guard policy\n")
	if len(p.files) == 0 {
		b.WriteString("# no policy file: defaults and flags only\n")
	}
	for _, f := range p.files {
		extra := ""
		if f.Cached {
			extra = ", from the local cache"
		}
		fmt.Fprintf(&b, "# %s policy: %s (sha256 %s%s)\n", f.Role, f.Path, f.SHA256, extra)
	}
	type line struct{ text, comment string }
	var lines []line
	table := ""
	settings := p.Settings()
	for i := 0; i < len(settings); i++ {
		s := settings[i]
		tbl, key := splitKey(s.Key)
		if tbl != table {
			lines = append(lines, line{}, line{text: "[" + tbl + "]"})
			table = tbl
		}
		comment := s.From.String()
		if s.Note != "" {
			comment = s.Note + " (" + comment + ")"
		}
		// Lists: one element per line, each with its origin.
		if j := i + 1; isList(s.Key) {
			var elems []Setting
			for j = i; j < len(settings) && settings[j].Key == s.Key; j++ {
				elems = append(elems, settings[j])
			}
			lines = append(lines, line{text: key + " = ["})
			for _, e := range elems {
				lines = append(lines, line{text: "  " + tomlValue(e.Value) + ",", comment: e.From.String()})
			}
			lines = append(lines, line{text: "]"})
			i = j - 1
			continue
		}
		lines = append(lines, line{text: key + " = " + tomlValue(s.Value), comment: comment})
	}
	for _, pin := range p.c.publishers {
		lines = append(lines, line{}, line{text: "[[provenance.publisher]]", comment: pin.From.String()},
			line{text: "package = " + tomlValue(pin.Package.Text)},
			line{text: "repository = " + tomlValue(pin.Repository)})
		if pin.Workflow != "" {
			lines = append(lines, line{text: "workflow = " + tomlValue(pin.Workflow)})
		}
		if pin.Ref != "" {
			lines = append(lines, line{text: "ref = " + tomlValue(pin.Ref)})
		}
	}
	for _, e := range p.c.exceptions {
		lines = append(lines, line{}, line{text: "[[exception]]", comment: e.From.String()})
		for _, kv := range [][2]string{{"rule", e.Rule}, {"id", e.ID}, {"package", e.Package}, {"version", e.Version}, {"reason", e.Reason}} {
			if kv[1] != "" {
				lines = append(lines, line{text: kv[0] + " = " + tomlValue(kv[1])})
			}
		}
		lines = append(lines, line{text: "expires = " + e.Expires.String()})
	}
	width := 0
	for _, l := range lines {
		if l.comment != "" {
			width = max(width, utf8.RuneCountInString(l.text))
		}
	}
	width = min(width, 60)
	for _, l := range lines {
		if l.comment == "" {
			b.WriteString(l.text + "\n")
			continue
		}
		pad := max(1, width-utf8.RuneCountInString(l.text)+2)
		b.WriteString(l.text + strings.Repeat(" ", pad) + "# " + l.comment + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func isList(key string) bool {
	return strings.HasSuffix(key, ".require") || strings.HasSuffix(key, ".allow") || strings.HasSuffix(key, ".protect") ||
		strings.HasSuffix(key, ".registries") || strings.HasSuffix(key, ".hosts")
}

// splitKey splits "a.b.c" into table "a.b" and key "c", minding quoted
// pieces (`sources."crates.io".hosts`, `scoped-registries."@org"`).
func splitKey(k string) (string, string) {
	var parts []string
	cur, inQ := "", false
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case c == '"':
			inQ = !inQ
			cur += string(c)
		case c == '.' && !inQ:
			parts = append(parts, cur)
			cur = ""
		default:
			cur += string(c)
		}
	}
	parts = append(parts, cur)
	if len(parts) == 1 {
		return "", parts[0]
	}
	if n := len(parts); n >= 3 && parts[n-2] == "scoped-registries" {
		return strings.Join(parts[:n-2], "."), parts[n-2] + "." + parts[n-1]
	}
	return strings.Join(parts[:len(parts)-1], "."), parts[len(parts)-1]
}

func tomlKey(s string) string {
	for i := 0; i < len(s); i++ {
		if !isBareKeyChar(s[i]) {
			return tomlString(s)
		}
	}
	return s
}

func tomlValue(v any) string {
	switch x := v.(type) {
	case string:
		return tomlString(x)
	case int:
		return strconv.Itoa(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return tomlString(fmt.Sprint(v))
}

// tomlString quotes a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
