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
func JS(src []byte) []Ref {
	var refs []Ref
	var toks []jsToken // the tokens that are not white space or comments
	// Clipped, as in CSS.
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
				refs = append(refs, r)
			}
		case js.WhitespaceToken, js.LineTerminatorToken:
		default:
			prev = tt
			toks = append(toks, jsToken{tt, text, at})
		}
	}
	refs = append(refs, moduleRefs(src, toks)...)
	slices.SortFunc(refs, func(a, b Ref) int { return a.At - b.At }) // rewriting goes in order
	return refs
}

type jsToken struct {
	tt   js.TokenType
	text []byte
	at   int
}

// moduleRefs finds the specifiers of import "x", import … from "x",
// export … from "x" and import("x").
func moduleRefs(src []byte, toks []jsToken) []Ref {
	var refs []Ref
	// add keeps the references in order, each string once: a from clause
	// is found by looking ahead, so a statement the tokenizer reads inside
	// another's clause ("import export * from ''") would name its string
	// again, and a rewrite of one string twice overlaps itself.
	add := func(r Ref) {
		if n := len(refs); n > 0 && r.At <= refs[n-1].At {
			return
		}
		refs = append(refs, r)
	}
	str := func(t jsToken) Ref {
		r := Ref{Kind: Module, At: t.at, Start: t.at + 1, End: t.at + len(t.text) - 1, Text: string(t.text)}
		r.URL = string(t.text[1 : len(t.text)-1])
		return r
	}
	is := func(i int, tt js.TokenType) bool { return i < len(toks) && toks[i].tt == tt }
	for i := 0; i < len(toks); i++ {
		switch toks[i].tt {
		case js.ImportToken:
			if i > 0 && toks[i-1].tt == js.DotToken { // obj.import
				continue
			}
			switch {
			case is(i+1, js.StringToken): // import "x"
				add(str(toks[i+1]))
			case is(i+1, js.OpenParenToken): // import(…)
				if is(i+2, js.StringToken) && (is(i+3, js.CloseParenToken) || is(i+3, js.CommaToken)) {
					add(str(toks[i+2]))
				} else if i+2 < len(toks) {
					arg := toks[i+2]
					add(Ref{Kind: Module, Dynamic: true, At: toks[i].at, Start: toks[i].at, End: toks[i].at,
						Text: string(src[toks[i].at : arg.at+len(arg.text)])})
				}
			case is(i+1, js.DotToken): // import.meta
			default: // import bindings from "x"
				if j := fromClause(toks, i+1, importBinding); j >= 0 {
					add(str(toks[j]))
				}
			}
		case js.ExportToken:
			switch {
			case is(i+1, js.MulToken): // export * [as ns] from "x"
				if j := fromClause(toks, i+1, importBinding); j >= 0 {
					add(str(toks[j]))
				}
			case is(i+1, js.OpenBraceToken): // export { … } from "x"
				if j := fromClause(toks, i+1, importBinding); j >= 0 {
					add(str(toks[j]))
				}
			}
		}
	}
	return refs
}

// importBinding reports whether a token can stand between import (or
// export) and from: names, braces, commas, "*" and "as".
func importBinding(t jsToken) bool {
	switch t.tt {
	case js.OpenBraceToken, js.CloseBraceToken, js.CommaToken, js.MulToken, js.AsToken, js.StringToken:
		return true
	}
	return js.IsIdentifierName(t.tt) && t.tt != js.FromToken
}

// fromClause returns the index of the string after "from", when every
// token from i up to it is a binding; -1 otherwise.
func fromClause(toks []jsToken, i int, binding func(jsToken) bool) int {
	for ; i < len(toks); i++ {
		if toks[i].tt == js.FromToken {
			// from "x" ends the clause; a binding may be named from too,
			// as in import { from } from "x".
			if i+1 < len(toks) && toks[i+1].tt == js.StringToken && toks[i-1].tt != js.CommaToken && toks[i-1].tt != js.OpenBraceToken {
				return i + 1
			}
			continue
		}
		if !binding(toks[i]) {
			return -1
		}
	}
	return -1
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
