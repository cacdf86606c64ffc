package report

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// mdEscape makes untrusted text literal in GitHub-flavoured Markdown, inside
// a table cell as well as in a paragraph: line breaks become spaces (a
// newline would end the table row), control and bidirectional-override
// characters become U+FFFD, and every character that can start markup is
// escaped with a backslash — "|" (cell border), "`" (code), "*", "_", "~"
// (emphasis), "[", "]" (links, images), "<", ">" (HTML, autolinks, quotes),
// "&" (entities), "#" (headings), "$" (math), "\" itself, and "@" at the
// start of a word (mentions).
func mdEscape(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	prev := ' '
	for _, c := range s {
		switch {
		case c == '\r' || c == '\n' || c == '\t' || c == '\u0085' || c == '\u2028' || c == '\u2029':
			c = ' '
		case c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || isBidiControl(c):
			c = utf8.RuneError
		}
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

// isBidiControl reports the characters that reorder text when shown
// ("Trojan Source"): embeddings, overrides and isolates.
func isBidiControl(c rune) bool {
	return c >= '\u202a' && c <= '\u202e' || c >= '\u2066' && c <= '\u2069'
}
