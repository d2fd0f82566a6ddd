package bundler

import (
	"bytes"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
)

// A ref is a reference from one file to another, found with a tokenizer:
// a url() or an @import in a stylesheet, or a sourceMappingURL comment.
type ref struct {
	kind     refKind
	at       int    // where the reference's text starts: "url(", "@import", the comment
	start    int    // the URL itself, without quotes or spaces ...
	end      int    // ... so that replacing src[start:end] keeps the rest as written
	url      string // the URL as written
	text     string // the whole reference as written, for messages: url("x") or @import "x"
	isImport bool
	// An @import that is preceded, in its own file, only by @charset,
	// @layer statements and other @imports (where CSS allows it).
	leading bool
	// An import() of something other than a string: not rewritable.
	dynamic bool
}

type refKind int

const (
	refURL       refKind = iota // url(...), and @import's URL
	refSourceMap                // /*# sourceMappingURL=... */, //# sourceMappingURL=...
	refModule                   // an ES module specifier: import "x", import("x")
)

// cssScan is what a stylesheet holds that concatenating and rewriting it
// must know. It is found with tdewolff/parse's CSS tokenizer, so that
// comments, strings and escapes are what the CSS spec says they are.
type cssScan struct {
	refs []ref
	// charsetEnd ends the source's "@charset ...;" rule, which CSS only
	// honours as a file's very first bytes; 0 when there is none.
	charsetEnd int
	// firstRule is the offset of the first top-level statement that is not
	// @charset, @import or an @layer statement: once concatenated, an @import
	// after it is ignored by browsers. -1 when there is none.
	firstRule int
}

func scanCSS(src []byte) cssScan {
	s := cssScan{firstRule: -1}
	lx := css.NewLexer(parse.NewInputBytes(src))
	offset := 0
	depth := 0
	// The top-level statement being read: its first keyword.
	stmtAt, stmtKind := -1, ""
	var imp *ref // the @import whose URL comes next
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
				s.refs = append(s.refs, r)
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
				if s.firstRule < 0 {
					s.firstRule = at
				}
			}
			if stmtKind == "@import" {
				imp = &ref{at: at, isImport: true, leading: s.firstRule < 0}
				continue
			}
		}
		switch tt {
		case css.URLToken:
			r := urlToken(text, at)
			if imp != nil {
				r.at, r.isImport, r.leading = imp.at, true, imp.leading
				r.text = string(src[imp.at:at]) + r.text
				imp = nil
			}
			s.refs = append(s.refs, r)
		case css.StringToken:
			if imp != nil && len(text) >= 2 {
				r := *imp
				r.start, r.end = at+1, at+len(text)-1
				r.url = string(text[1 : len(text)-1])
				r.text = string(src[imp.at : at+len(text)])
				s.refs = append(s.refs, r)
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
					s.charsetEnd = offset
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

// sourceMapComment reads a source map link from a comment: "//# " or,
// in CSS, "/*# " (tabs allowed, and "@" for "#" as older tools wrote),
// then the case-sensitive keyword sourceMappingURL, "=", and the URL up
// to white space or the comment's end. opener is "/*" or "//".
func sourceMapComment(comment []byte, at int, opener string) (ref, bool) {
	rest, ok := bytes.CutPrefix(comment, []byte(opener))
	if !ok || len(rest) < 2 || rest[0] != '#' && rest[0] != '@' {
		return ref{}, false
	}
	rest = rest[1:]
	trimmed := bytes.TrimLeft(rest, " \t")
	if len(trimmed) == len(rest) {
		return ref{}, false
	}
	url, ok := bytes.CutPrefix(trimmed, []byte("sourceMappingURL="))
	if !ok {
		return ref{}, false
	}
	start := at + len(comment) - len(url)
	if opener == "/*" {
		url = bytes.TrimSuffix(url, []byte("*/"))
	}
	if i := bytes.IndexAny(url, " \t\r\n\f"); i >= 0 {
		url = url[:i]
	}
	if len(url) == 0 {
		return ref{}, false
	}
	return ref{kind: refSourceMap, at: at, start: start, end: start + len(url), url: string(url),
		text: string(bytes.TrimRight(comment, " \t\r\n"))}, true
}

// urlToken reads a url(...) token, in any case and spacing, quoted or not.
func urlToken(text []byte, at int) ref {
	r := ref{at: at, text: string(text)}
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
	r.start, r.end = at+i, at+i+len(inner)
	r.url = string(inner)
	return r
}

var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// localTarget says whether a reference names a file of the project, and
// if so which: its logical name, resolved against the logical directory of
// the file that holds it, or under the URL prefix for an absolute one; and
// the query and fragment to keep after it. Left alone: data: URIs and any
// other scheme, protocol-relative //host URLs, absolute paths outside the
// URL prefix, fragment-only #x and empty references.
func localTarget(ref, fromDir, urlPrefix string) (name, suffix string, local bool) {
	ref = strings.TrimSpace(ref)
	var p string
	switch {
	case ref == "", strings.HasPrefix(ref, "#"), strings.HasPrefix(ref, "//"):
		// Protocol-relative //host/x is another site's, even when the
		// URL prefix is "/".
		return "", "", false
	case urlPrefix != "" && strings.HasPrefix(ref, urlPrefix) && (strings.HasPrefix(urlPrefix, "/") || schemeRE.MatchString(urlPrefix)) && !strings.HasPrefix(urlPrefix, "//"):
		p = strings.TrimPrefix(ref, urlPrefix)
		fromDir = ""
	case strings.HasPrefix(ref, "/"), strings.HasPrefix(ref, "\\"), schemeRE.MatchString(ref):
		return "", "", false
	default:
		p = ref
	}
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p, suffix = p[:i], p[i:]
	}
	if p == "" {
		return "", "", false
	}
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	return path.Join(fromDir, p), suffix, true
}

// escapeSegment percent-encodes the bytes of a path segment that would end
// or break a url() or change the URL's meaning.
func escapeSegment(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c <= ' ', c >= 0x7f, strings.IndexByte(`"'()\%?#`, c) >= 0:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
