package scan

import "bytes"

// A Ref is a reference from one file to another, found with a tokenizer:
// a url() or an @import in a stylesheet, a module specifier in a script,
// or a sourceMappingURL comment in either. Its offsets are bytes of the
// source it was found in; the caller turns them into lines and columns.
type Ref struct {
	Kind  Kind
	At    int    // where the reference's text starts: "url(", "@import", the comment, the specifier's quote, a dynamic "import("
	Start int    // the URL itself, without quotes or spaces ...
	End   int    // ... so that replacing src[Start:End] keeps the rest as written
	URL   string // the URL as read: a stylesheet's escapes decoded (url("a\2e png") is a.png)
	Text  string // the whole reference as written, for messages: url("x") or @import "x"
	// Quote is, for a stylesheet's reference, the quote around its URL,
	// '"' or '\'', or 0 for a URL bare in url(): how [Ref.Escape] writes
	// another URL in its place.
	Quote byte
	// Import is set for a stylesheet's @import, whether its URL is a
	// string or a url().
	Import bool
	// Leading is set for an @import that is preceded, in its own file,
	// only by @charset, @layer statements and other @imports (where CSS
	// allows it).
	Leading bool
	// Dynamic is set for an import() of something other than a string:
	// its URL is empty and Start and End are At, for there is nothing to
	// rewrite.
	Dynamic bool
}

// Escape returns url as it must be written in place of the reference's
// URL, src[r.Start:r.End], to be read back as url: a stylesheet's URL
// with CSS escapes where a quote, a backslash, a newline or (bare in
// url()) a space or parenthesis would end or change it; any other
// reference's as it is. A plain name needs no escape and is returned
// unchanged.
func (r Ref) Escape(url string) string {
	if r.Kind != URL {
		return url
	}
	return escapeCSS(url, r.Quote)
}

// Kind tells what a [Ref] is, which decides what the file it names may
// be and whether a build keeps it.
type Kind int

const (
	URL       Kind = iota // url(...), and @import's URL
	SourceMap             // /*# sourceMappingURL=... */, //# sourceMappingURL=...
	Module                // an ES module specifier: import "x", import("x")
)

// sourceMapComment reads a source map link from a comment: "//# " or,
// in CSS, "/*# " (tabs allowed, and "@" for "#" as older tools wrote),
// then the case-sensitive keyword sourceMappingURL, "=", and the URL up
// to white space or the comment's end. opener is "/*" or "//".
func sourceMapComment(comment []byte, at int, opener string) (Ref, bool) {
	rest, ok := bytes.CutPrefix(comment, []byte(opener))
	if !ok || len(rest) < 2 || rest[0] != '#' && rest[0] != '@' {
		return Ref{}, false
	}
	rest = rest[1:]
	trimmed := bytes.TrimLeft(rest, " \t")
	if len(trimmed) == len(rest) {
		return Ref{}, false
	}
	url, ok := bytes.CutPrefix(trimmed, []byte("sourceMappingURL="))
	if !ok {
		return Ref{}, false
	}
	start := at + len(comment) - len(url)
	if opener == "/*" {
		url = bytes.TrimSuffix(url, []byte("*/"))
	}
	if i := bytes.IndexAny(url, " \t\r\n\f"); i >= 0 {
		url = url[:i]
	}
	if len(url) == 0 {
		return Ref{}, false
	}
	return Ref{Kind: SourceMap, At: at, Start: start, End: start + len(url), URL: string(url),
		Text: string(bytes.TrimRight(comment, " \t\r\n"))}, true
}
