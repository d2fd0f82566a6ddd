package scan

import (
	"bytes"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
)

// A Stylesheet is what a stylesheet holds that concatenating and
// rewriting it must know.
type Stylesheet struct {
	// Refs are the url()s, @imports and source map comments, in order.
	Refs []Ref
	// CharsetEnd ends the source's "@charset ...;" rule, which CSS only
	// honours as a file's very first bytes; 0 when there is none.
	CharsetEnd int
	// FirstRule is the offset of the first top-level statement that is not
	// @charset, @import or an @layer statement: once concatenated, an @import
	// after it is ignored by browsers. -1 when there is none.
	FirstRule int
}

// CSS scans a stylesheet with tdewolff/parse's CSS tokenizer, so that
// comments, strings and escapes are what the CSS spec says they are.
func CSS(src []byte) Stylesheet {
	s := Stylesheet{FirstRule: -1}
	// The tokenizer writes a NUL after the text when there is room for
	// one: into the byte past len(src), which another goroutine may be
	// reading, or which is the start of another text (a data race seen
	// between scan.JS and globals.Read of one source). Clipped, it appends
	// to a copy instead. The same holds in JS and in package globals.
	lx := css.NewLexer(parse.NewInputBytes(slices.Clip(src)))
	offset := 0
	depth := 0
	// The top-level statement being read: its first keyword.
	stmtAt, stmtKind := -1, ""
	var imp *Ref // the @import whose URL comes next
	for {
		tt, text := lx.Next()
		if tt == css.ErrorToken {
			break
		}
		at := offset
		offset += len(text)
		switch tt {
		case css.CommentToken:
			if r, ok := sourceMapComment(text, at, "/*"); ok {
				s.Refs = append(s.Refs, r)
			}
			continue
		case css.WhitespaceToken, css.CDOToken, css.CDCToken:
			continue
		}
		if depth == 0 && stmtAt < 0 {
			stmtAt, stmtKind = at, ""
			if tt == css.AtKeywordToken {
				stmtKind = strings.ToLower(string(text))
			}
			switch stmtKind {
			case "@charset", "@import", "@layer":
			default:
				if s.FirstRule < 0 {
					s.FirstRule = at
				}
			}
			if stmtKind == "@import" {
				imp = &Ref{At: at, Import: true, Leading: s.FirstRule < 0}
				continue
			}
		}
		switch tt {
		case css.URLToken:
			r := urlToken(text, at)
			if imp != nil {
				r.At, r.Import, r.Leading = imp.At, true, imp.Leading
				r.Text = string(src[imp.At:at]) + r.Text
				imp = nil
			}
			s.Refs = append(s.Refs, r)
		case css.StringToken:
			if imp != nil && len(text) >= 2 {
				r := *imp
				r.Start, r.End = at+1, at+len(text)-1
				r.Quote = text[0]
				r.URL = unescapeCSS(text[1 : len(text)-1])
				r.Text = string(src[imp.At : at+len(text)])
				s.Refs = append(s.Refs, r)
			}
			imp = nil
		case css.LeftBraceToken:
			depth++
			imp = nil
		case css.RightBraceToken:
			if depth > 0 {
				depth--
			}
			if depth == 0 {
				stmtAt = -1
			}
		case css.SemicolonToken:
			if depth == 0 {
				if stmtKind == "@charset" && stmtAt == 0 {
					s.CharsetEnd = offset
				}
				stmtAt = -1
			}
			imp = nil
		default:
			imp = nil
		}
	}
	return s
}

// urlToken reads a url(...) token, in any case and spacing, quoted or not.
func urlToken(text []byte, at int) Ref {
	r := Ref{At: at, Text: string(text)}
	inner := text[4:] // after "url("
	i := 4
	if n := len(inner); n > 0 && inner[n-1] == ')' {
		inner = inner[:n-1]
	}
	trimmed := bytes.TrimLeft(inner, " \t\r\n\f")
	i += len(inner) - len(trimmed)
	inner = bytes.TrimRight(trimmed, " \t\r\n\f")
	if n := len(inner); n >= 2 && (inner[0] == '"' || inner[0] == '\'') && inner[n-1] == inner[0] {
		r.Quote = inner[0]
		inner = inner[1 : n-1]
		i++
	}
	r.Start, r.End = at+i, at+i+len(inner)
	r.URL = unescapeCSS(inner)
	return r
}

// unescapeCSS returns the value of a string's or a url()'s contents as
// CSS Syntax Level 3 reads them (§4.3.5, §4.3.7): a backslash before a
// newline continues the line and is dropped (the tokenizer allows it in
// strings only); a backslash and one to six hex digits, then one white
// space if there is one, is that code point (U+FFFD for zero, a
// surrogate or one past U+10FFFF); a backslash and any other character
// is that character.
func unescapeCSS(b []byte) string {
	if bytes.IndexByte(b, '\\') < 0 {
		return string(b)
	}
	var out strings.Builder
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' {
			out.WriteByte(c)
			continue
		}
		i++
		switch {
		case i == len(b):
			// A backslash at the end: nothing to escape.
		case b[i] == '\n' || b[i] == '\f':
		case b[i] == '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		case isHex(b[i]):
			j := i
			var cp rune
			for j < len(b) && j-i < 6 && isHex(b[j]) {
				cp = cp<<4 | rune(hexValue(b[j]))
				j++
			}
			if cp == 0 || 0xD800 <= cp && cp <= 0xDFFF || cp > 0x10FFFF {
				cp = utf8.RuneError
			}
			out.WriteRune(cp)
			switch {
			case j+1 < len(b) && b[j] == '\r' && b[j+1] == '\n':
				j += 2
			case j < len(b) && isSpace(b[j]):
				j++
			}
			i = j - 1
		default:
			_, n := utf8.DecodeRune(b[i:])
			out.Write(b[i : i+n])
			i += n - 1
		}
	}
	return out.String()
}

// escapeCSS writes url so that CSS reads it back as url: in a string
// quoted with quote, or bare in url() when quote is 0. Only what would
// end or change the value is escaped, so that a plain name is written
// as it is.
func escapeCSS(url string, quote byte) string {
	var out strings.Builder
	for i := 0; i < len(url); i++ {
		c := url[i]
		switch {
		case c < 0x20 || c == 0x7f:
			// A code point, and a space to end it.
			out.WriteString(`\`)
			out.WriteString(strconv.FormatInt(int64(c), 16))
			out.WriteByte(' ')
		case c == '\\' || quote != 0 && c == quote ||
			quote == 0 && (c == ' ' || c == '"' || c == '\'' || c == '(' || c == ')'):
			out.WriteByte('\\')
			out.WriteByte(c)
		default:
			out.WriteByte(c)
		}
	}
	return out.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func hexValue(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}
