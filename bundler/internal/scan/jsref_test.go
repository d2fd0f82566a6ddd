package scan

import (
	"slices"
	"testing"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// jsByTokenList is JS as it was before it kept a window of tokens (issue 11,
// issue 12): it kept every token of the script in a list. The fuzz
// target compares the two.
func jsByTokenList(src []byte) []Ref {
	var refs []Ref
	var toks []listToken // the tokens that are not white space or comments
	lx := js.NewLexer(parse.NewInputBytes(src))
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
			toks = append(toks, listToken{tt, text, at})
		}
	}
	refs = append(refs, moduleRefsList(src, toks)...)
	slices.SortFunc(refs, func(a, b Ref) int { return a.At - b.At }) // rewriting goes in order
	return refs
}

type listToken struct {
	tt   js.TokenType
	text []byte
	at   int
}

// moduleRefs finds the specifiers of import "x", import … from "x",
// export … from "x" and import("x").
func moduleRefsList(src []byte, toks []listToken) []Ref {
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
	str := func(t listToken) Ref {
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
				if j := fromClauseList(toks, i+1, importBindingList); j >= 0 {
					add(str(toks[j]))
				}
			}
		case js.ExportToken:
			switch {
			case is(i+1, js.MulToken): // export * [as ns] from "x"
				if j := fromClauseList(toks, i+1, importBindingList); j >= 0 {
					add(str(toks[j]))
				}
			case is(i+1, js.OpenBraceToken): // export { … } from "x"
				if j := fromClauseList(toks, i+1, importBindingList); j >= 0 {
					add(str(toks[j]))
				}
			}
		}
	}
	return refs
}

// importBindingList reports whether a token can stand between import (or
// export) and from: names, braces, commas, "*" and "as".
func importBindingList(t listToken) bool {
	switch t.tt {
	case js.OpenBraceToken, js.CloseBraceToken, js.CommaToken, js.MulToken, js.AsToken, js.StringToken:
		return true
	}
	return js.IsIdentifierName(t.tt) && t.tt != js.FromToken
}

// fromClause returns the index of the string after "from", when every
// token from i up to it is a binding; -1 otherwise.
func fromClauseList(toks []listToken, i int, binding func(listToken) bool) int {
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

// FuzzScanJSWindow compares JS with the token list it replaced. The
// window finds every reference the list did, and one more kind: an
// import "x" inside the bindings of another import's from clause, which
// the list's look-ahead had passed (as in import a, import "./s.js" from
// "./x.js", which is no valid script).
func FuzzScanJSWindow(f *testing.F) {
	for _, s := range jsSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		got, want := JS([]byte(src)), jsByTokenList([]byte(src))
		i := 0
		for _, w := range want {
			for i < len(got) && got[i] != w {
				if got[i].Kind != Module || got[i].Dynamic {
					t.Errorf("%q: JS found %+v, which the token list did not", src, got[i])
				}
				i++
			}
			if i == len(got) {
				t.Fatalf("%q: JS missed %+v\n got %+v\nwant %+v", src, w, got, want)
			}
			i++
		}
	})
}
