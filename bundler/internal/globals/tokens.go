package globals

import (
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// token is a token of a script that is not white space or a comment.
type token struct {
	tt    js.TokenType
	text  string
	at    int // byte offset
	depth int // how many braces it is inside
}

type tokenList []token

// tokens splits a script into tokens, telling a regular expression from a
// division as the scan package does.
func tokens(src []byte) tokenList {
	var toks tokenList
	lx := js.NewLexer(parse.NewInputBytes(src))
	offset, depth := 0, 0
	prev := js.ErrorToken
	for {
		tt, text := lx.Next()
		if tt == js.ErrorToken {
			break
		}
		if (tt == js.DivToken || tt == js.DivEqToken) && regexpAllowed(prev) {
			if tt, text = lx.RegExp(); tt == js.ErrorToken {
				break
			}
		}
		at := offset
		offset += len(text)
		switch tt {
		case js.CommentToken, js.CommentLineTerminatorToken, js.WhitespaceToken, js.LineTerminatorToken:
			continue
		case js.CloseBraceToken:
			depth = max(0, depth-1)
		}
		toks = append(toks, token{tt, string(text), at, depth})
		if tt == js.OpenBraceToken {
			depth++
		}
		prev = tt
	}
	return toks
}

// regexpAllowed reports whether a "/" after a token of type prev starts a
// regular expression rather than a division. It is the rule of
// scan.regexpAllowed (leaves import no other leaf), which TestRegexp
// checks on the cases that rule was written for.
func regexpAllowed(prev js.TokenType) bool {
	switch prev {
	case js.ErrorToken:
		return true
	case js.StringToken, js.TemplateToken, js.TemplateEndToken, js.RegExpToken, js.PrivateIdentifierToken,
		js.CloseParenToken, js.CloseBracketToken, js.CloseBraceToken,
		js.ThisToken, js.SuperToken, js.NullToken, js.TrueToken, js.FalseToken:
		return false
	}
	if js.IsNumeric(prev) {
		return false
	}
	return !js.IsIdentifierName(prev) || js.IsReservedWord(prev)
}

// find returns the offset of text as a variable, the first at the top
// level or else the first anywhere; with property, as the name of a
// property assigned to (.text =). It returns -1 when there is none.
func (toks tokenList) find(text string, variable, property bool) int {
	first := -1
	for i, t := range toks {
		if t.text != text {
			continue
		}
		after := func(k int) js.TokenType {
			if k >= 0 && k < len(toks) {
				return toks[k].tt
			}
			return js.ErrorToken
		}
		dotted := after(i-1) == js.DotToken || after(i-1) == js.OptChainToken
		switch {
		case property:
			if !dotted || after(i+1) != js.EqToken {
				continue
			}
		case variable:
			key := after(i+1) == js.ColonToken && (after(i-1) == js.OpenBraceToken || after(i-1) == js.CommaToken)
			if dotted || key {
				continue
			}
		}
		if t.depth == 0 {
			return t.at
		}
		if first < 0 {
			first = t.at
		}
	}
	return first
}
