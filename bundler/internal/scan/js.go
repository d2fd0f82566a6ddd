package scan

import (
	"slices"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// JS finds a script's references: its "//# sourceMappingURL="
// comment, and the module specifiers of its import and export
// declarations and of import() calls with a string. It reads the script
// with tdewolff/parse's JS tokenizer, so that such text inside a comment,
// a string, a template or a regular expression is not taken for one. An
// import() of anything but a string literal cannot be rewritten: it comes
// back as a Ref with Dynamic set. The references are in order.
//
// It keeps the last few tokens only, so its memory is that of the
// references it finds, whatever the script's size.
func JS(src []byte) []Ref {
	var m moduleScanner
	m.src = src
	// The tokenizer ends the text with a NUL, in the spare capacity of its
	// slice when there is some: clipped, it gets a copy, and src (which
	// other goroutines may be reading) is never written.
	lx := js.NewLexer(parse.NewInputBytes(slices.Clip(src)))
	offset := 0
	prev := js.ErrorToken // the last token that is not white space or a comment
	for {
		tt, text := lx.Next()
		if tt == js.ErrorToken {
			break
		}
		if (tt == js.DivToken || tt == js.DivEqToken) && regexpAllowed(prev) {
			tt, text = lx.RegExp()
			if tt == js.ErrorToken {
				break // an unterminated expression: nothing after it is read
			}
			// RegExp reads from the slash again: text holds the whole literal.
		}
		at := offset
		offset += len(text)
		switch tt {
		case js.CommentToken, js.CommentLineTerminatorToken:
			if r, ok := sourceMapComment(text, at, "//"); ok {
				m.maps = append(m.maps, r)
			}
		case js.WhitespaceToken, js.LineTerminatorToken:
		default:
			prev = tt
			m.next(jsToken{tt, text, at})
		}
	}
	m.end()
	refs := append(m.maps, m.refs...)
	slices.SortFunc(refs, func(a, b Ref) int { return a.At - b.At }) // rewriting goes in order
	return refs
}

type jsToken struct {
	tt   js.TokenType
	text []byte
	at   int
}

// moduleScanner finds the specifiers of import "x", import … from "x",
// export … from "x" and import("x") in a stream of tokens (white space and
// comments left out), keeping only the last five and whether a from
// clause is open.
type moduleScanner struct {
	src  []byte
	maps []Ref // source map comments
	refs []Ref // module specifiers, in order

	// last holds the latest tokens, last[0] the current one; a token
	// not yet seen has type js.ErrorToken.
	last [5]jsToken
	// clause is set while the tokens since an import (not followed by a
	// string, "(" or ".") or an export followed by "*" or "{" are all
	// bindings: names, braces, commas, "*", "as" and strings. A "from"
	// and a string end it, naming the module. Clauses that overlap (an
	// import inside another's bindings, as in "import export * from")
	// see the same tokens from then on, so they end together and one flag
	// stands for them all.
	clause bool
}

// add keeps the references in order, each string once: a string that
// ends two clauses is named once, and a rewrite of one string twice would
// overlap itself.
func (m *moduleScanner) add(r Ref) {
	if n := len(m.refs); n > 0 && r.At <= m.refs[n-1].At {
		return
	}
	m.refs = append(m.refs, r)
}

func (m *moduleScanner) str(t jsToken) Ref {
	return Ref{Kind: Module, At: t.at, Start: t.at + 1, End: t.at + len(t.text) - 1, Text: string(t.text),
		URL: string(t.text[1 : len(t.text)-1])}
}

// dynamic is an import() whose argument, up to arg, is not a string alone.
func (m *moduleScanner) dynamic(imp, arg jsToken) {
	m.add(Ref{Kind: Module, Dynamic: true, At: imp.at, Start: imp.at, End: imp.at,
		Text: string(m.src[imp.at : arg.at+len(arg.text)])})
}

// importAt reports whether last[i] is the keyword import, not a property
// (obj.import).
func (m *moduleScanner) importAt(i int) bool {
	return m.last[i].tt == js.ImportToken && (i+1 == len(m.last) || m.last[i+1].tt != js.DotToken)
}

func (m *moduleScanner) next(t jsToken) {
	copy(m.last[1:], m.last[:len(m.last)-1])
	m.last[0] = t
	l := &m.last

	// import("x"), decided at the token after the string: ")" or ","
	// for a specifier, anything else for an expression.
	if l[1].tt == js.StringToken && l[2].tt == js.OpenParenToken && m.importAt(3) {
		if t.tt == js.CloseParenToken || t.tt == js.CommaToken {
			m.add(m.str(l[1]))
		} else {
			m.dynamic(l[3], l[1])
		}
	}

	if m.clause {
		switch {
		case l[1].tt == js.FromToken && t.tt == js.StringToken &&
			l[2].tt != js.CommaToken && l[2].tt != js.OpenBraceToken:
			// from "x" ends the clause; a binding may be named from
			// too, as in import { from } from "x".
			m.add(m.str(t))
			m.clause = false
		case t.tt != js.FromToken && !importBinding(t.tt):
			m.clause = false
		}
	}

	switch {
	case m.importAt(1):
		switch t.tt {
		case js.StringToken: // import "x"
			m.add(m.str(t))
		case js.OpenParenToken: // import(…): decided by the next tokens
		case js.DotToken: // import.meta
		default: // import bindings from "x"
			m.startClause(t)
		}
	case l[1].tt == js.ImportToken: // obj.import
	case l[1].tt == js.OpenParenToken && m.importAt(2) && t.tt != js.StringToken:
		m.dynamic(l[2], t) // import(name), import(`…`)
	case l[1].tt == js.ExportToken && (t.tt == js.MulToken || t.tt == js.OpenBraceToken):
		m.startClause(t) // export * [as ns] from "x", export { … } from "x"
	}
}

// startClause opens a from clause at its first token t.
func (m *moduleScanner) startClause(t jsToken) {
	if m.clause {
		return // one is open: it sees the same tokens
	}
	m.clause = t.tt == js.FromToken || importBinding(t.tt)
}

// end decides what the last tokens left open: an import("x" at the end
// is an expression.
func (m *moduleScanner) end() {
	if l := &m.last; l[0].tt == js.StringToken && l[1].tt == js.OpenParenToken && m.importAt(2) {
		m.dynamic(l[2], l[0])
	}
}

// importBinding reports whether a token can stand between import (or
// export) and from: names, braces, commas, "*" and "as".
func importBinding(tt js.TokenType) bool {
	switch tt {
	case js.OpenBraceToken, js.CloseBraceToken, js.CommaToken, js.MulToken, js.AsToken, js.StringToken:
		return true
	}
	return js.IsIdentifierName(tt) && tt != js.FromToken
}

// regexpAllowed reports whether a "/" after a token of type prev starts a
// regular expression rather than a division: the usual rule, that a value
// (a name, a literal, a closing bracket) is followed by an operator.
func regexpAllowed(prev js.TokenType) bool {
	switch prev {
	case js.ErrorToken: // the start of the script
		return true
	case js.StringToken, js.TemplateToken, js.TemplateEndToken, js.RegExpToken, js.PrivateIdentifierToken,
		js.CloseParenToken, js.CloseBracketToken, js.CloseBraceToken,
		js.ThisToken, js.SuperToken, js.NullToken, js.TrueToken, js.FalseToken:
		return false
	}
	if js.IsNumeric(prev) {
		return false
	}
	// A keyword such as return or typeof comes before an expression; a
	// name before an operator.
	return !js.IsIdentifierName(prev) || js.IsReservedWord(prev)
}
