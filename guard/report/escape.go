package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Escape is the one function that makes an untrusted string — a package
// name or version, a resolved URL or path from a lockfile, an OSV summary,
// an exception reason, an error message that quotes any of them — safe to
// print on a terminal and in a plain-text or Markdown report. It shows
// instead of passing through:
//   - C0 and C1 control characters and DEL (ESC starts CSI and OSC
//     sequences: colours, cursor moves, screen clears, OSC 8 hyperlinks,
//     window titles; BEL, CR, LF, TAB) as \x1b, \r, \n, \t, \u009b, ...;
//   - Unicode format characters (category Cf): bidirectional embeddings,
//     overrides and isolates (U+202A–U+202E, U+2066–U+2069, "Trojan
//     Source"), marks, zero-width characters, and the line and paragraph
//     separators U+2028 and U+2029, as \u202e, ...;
//   - bytes that are not UTF-8, as \xff.
//
// Everything else, backslashes included, is kept as it is: the result
// cannot move the cursor, change colours, start a new line or reorder what
// follows it. Markdown escapes its markup on top (mdEscape); SARIF, whose
// consumers render text themselves, drops the same characters (stripUnsafe).
func Escape(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !unsafeRune(c):
			b.WriteString(s[i : i+size])
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x80:
			fmt.Fprintf(&b, `\x%02x`, c)
		default:
			fmt.Fprintf(&b, `\u%04x`, c)
		}
		i += size
	}
	return b.String()
}

// EscapeAll escapes each string of a list (a dependency chain, aliases).
func EscapeAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = Escape(s)
	}
	return out
}

// unsafeRune reports the characters Escape shows escaped and stripUnsafe
// drops: controls, format characters and line separators.
func unsafeRune(c rune) bool {
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ||
		c == '\u2028' || c == '\u2029' || unicode.Is(unicode.Cf, c)
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b >= 0x7f {
			// Only ASCII printable strings skip the slow path.
			for _, c := range s {
				if c == utf8.RuneError || unsafeRune(c) {
					return true
				}
			}
			return false
		}
	}
	return false
}

// stripUnsafe drops what Escape would escape (and bytes that are not
// UTF-8): SARIF strings are shown by viewers that render text themselves,
// so a visible escape would only add noise there.
func stripUnsafe(s string) string {
	if !needsEscape(s) {
		return s
	}
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(c rune) rune {
		switch {
		case c == '\n' || c == '\r' || c == '\t':
			return ' '
		case unsafeRune(c):
			return -1
		}
		return c
	}, s)
}

// mdEscape makes untrusted text literal in GitHub-flavoured Markdown, inside
// a table cell as well as in a paragraph: line breaks become spaces (a
// newline would end the table row), then Escape shows every other control
// and format character, and every character that can start markup is
// escaped with a backslash — "|" (cell border), "`" (code), "*", "_", "~"
// (emphasis), "[", "]" (links, images), "<", ">" (HTML, autolinks, quotes),
// "&" (entities), "#" (headings), "$" (math), "\" itself (so Escape's
// \x1b shows as written), and "@" at the start of a word (mentions).
func mdEscape(s string) string {
	s = Escape(mdLineBreaks.Replace(s))
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	prev := ' '
	for _, c := range s {
		switch c {
		case '\\', '`', '*', '_', '~', '[', ']', '<', '>', '|', '&', '#', '$':
			b.WriteByte('\\')
		case '@':
			if !unicode.IsLetter(prev) && !unicode.IsDigit(prev) {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(c)
		prev = c
	}
	return b.String()
}

// mdLineBreaks turns line breaks into spaces (bytes that are not UTF-8 are
// left for Escape).
var mdLineBreaks = strings.NewReplacer("\r", " ", "\n", " ", "\t", " ", "\u0085", " ", "\u2028", " ", "\u2029", " ")
