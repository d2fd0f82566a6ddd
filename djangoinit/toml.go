package djangoinit

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// quote returns s as a TOML basic string: a quote, a backslash and the
// control characters escaped, everything else (UTF-8 text) as it is.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// quoteList returns the strings as a TOML array on one line.
func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// comment makes s safe in a TOML comment, which ends at a line break and
// may hold no other control character than a tab: each is written as Go
// escapes it.
func comment(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f || r == utf8.RuneError }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 && r != '\t' || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// literalPath escapes the characters of a path that stapler would read
// as a glob's (a root's path with one of them is a glob; a [templates]
// path is always one): each in a class of its own, "[[]", which matches
// it alone; a "]" with none open is itself already (and "[]]" an empty
// class). stapler takes no backslash escapes in patterns.
func literalPath(p string) string {
	if !strings.ContainsAny(p, "*?[{}") {
		return p
	}
	var b strings.Builder
	for _, r := range p {
		if strings.ContainsRune("*?[{}", r) {
			b.WriteString("[" + string(r) + "]")
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
