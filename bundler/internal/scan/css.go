package scan

import (
	"bytes"
	"slices"
	"strings"

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
				r.URL = string(text[1 : len(text)-1])
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
		inner = inner[1 : n-1]
		i++
	}
	r.Start, r.End = at+i, at+i+len(inner)
	r.URL = string(inner)
	return r
}
