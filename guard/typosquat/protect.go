package typosquat

import (
	"path"
	"strings"
)

// CheckProtected tells whether name imitates one of an organisation's own
// names, given as globs in path.Match syntax (the [typosquat] protect
// patterns of one ecosystem). A name a pattern matches is the
// organisation's own and never a look-alike (ok is false, own is true).
//
// A literal pattern ("acme-utils") protects that name, as the popular
// lists protect theirs. A pattern with a wildcard protects its leading
// word: "@acme/*" and "acme-*" both protect "acme", so "@acrne/utils",
// "@acme_/utils" and, against "@acme/*", "acme-utils" (the scope turned
// into a public name: dependency confusion) are look-alikes.
func CheckProtected(ecosystem, name string, patterns []string) (m Match, ok, own bool) {
	if name == "" {
		return Match{}, false, false
	}
	key := Normalize(ecosystem, name)
	for _, pat := range patterns {
		if matched, _ := path.Match(pat, name); matched {
			return Match{}, false, true
		}
		if matched, _ := path.Match(Normalize(ecosystem, pat), key); matched {
			return Match{}, false, true
		}
	}
	for _, pat := range patterns {
		var how string
		if strings.ContainsAny(pat, "*?[\\") {
			how = likeWord(ecosystem, name, key, pat)
		} else {
			how = likeName(ecosystem, name, key, Normalize(ecosystem, pat))
		}
		if how != "" {
			return Match{Target: pat, Protected: true, How: how}, true, false
		}
	}
	return Match{}, false, false
}

// likeName describes how a candidate (name as written, key normalised)
// imitates the protected key t, or returns "".
func likeName(eco, name, key, t string) string {
	if key == t {
		return ""
	}
	if sq := squash(key); sq == squash(t) && len(sq) >= minLen {
		return sepHow(key, t)
	}
	if e, ok := oneEdit(key, t); ok {
		return e.how
	}
	return homoglyphOf(eco, name, key, t)
}

// homoglyphOf reports the look-alike character that turns the candidate
// into t, or "".
func homoglyphOf(eco, name, key, t string) string {
	for _, hp := range homoglyphPairs {
		from, to := hp[0], hp[1]
		src := key
		if strings.ToLower(from) != from {
			src = name
		}
		for off := 0; ; {
			j := strings.Index(src[off:], from)
			if j < 0 {
				break
			}
			j += off
			if Normalize(eco, src[:j]+strings.ToLower(to)+src[j+len(from):]) == t {
				return "homoglyph " + from + " for " + strings.ToLower(to)
			}
			off = j + len(from)
		}
	}
	return ""
}

// likeWord compares the candidate's leading word with the word a glob
// protects.
func likeWord(eco, name, key, pat string) string {
	stem, scoped := leadingWord(Normalize(eco, pat))
	if len(stem) < minLen {
		return ""
	}
	var word string
	cscoped := strings.HasPrefix(key, "@")
	if cscoped {
		word, _, _ = strings.Cut(key[1:], "/")
	} else {
		end := strings.IndexFunc(key, func(r rune) bool { return r < 0x80 && isSep(byte(r)) })
		if end < 0 {
			// No separator: "acmeutils" imitates "acme-utils" only when
			// the protected word starts it.
			if strings.HasPrefix(key, stem) && len(key) > len(stem) {
				return "separator removed after " + stem
			}
			return ""
		}
		word = key[:end]
	}
	switch {
	case word == stem:
		switch {
		case scoped && !cscoped:
			return "scope @" + stem + "/ written as a name prefix"
		case !scoped && cscoped:
			return "name prefix " + stem + " written as a scope"
		}
		return "separator changed"
	case squash(word) == stem:
		if cscoped {
			return "scope separator changed"
		}
		return "separator changed"
	}
	if e, ok := oneEdit(word, stem); ok {
		return e.how
	}
	// homoglyphs in the leading word, as written
	wname := name
	if len(wname) >= len(key) && cscoped {
		wname = wname[1:]
	}
	if len(wname) >= len(word) {
		wname = wname[:len(word)]
	}
	return homoglyphOf(eco, wname, word, stem)
}

// leadingWord is the word a glob protects: its scope without "@" and "/",
// or its text up to the first separator or wildcard.
func leadingWord(pat string) (string, bool) {
	if strings.HasPrefix(pat, "@") {
		w, _, _ := strings.Cut(pat[1:], "/")
		if strings.ContainsAny(w, "*?[\\") {
			return "", true
		}
		return w, true
	}
	end := strings.IndexAny(pat, "-_./*?[\\")
	if end < 0 {
		return pat, false
	}
	return pat[:end], false
}
