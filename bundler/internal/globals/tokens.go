package globals

import (
	"slices"

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
	// Each token's text is a part of one string of the whole script, not
	// a string of its own. Clipped: the tokenizer writes a NUL past
	// len(src) when there is room, a data race with another reader of the
	// same source (scan.CSS).
	whole := string(src)
	lx := js.NewLexer(parse.NewInputBytes(slices.Clip(src)))
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
		toks = append(toks, token{tt, whole[at:offset], at, depth})
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

// later marks the tokens of the functions that run later, not as the
// script loads: a function, arrow or method, from its first token to its
// body's closing brace, unless it is called where it is written (followed
// by "(", ").call(" and the like, as [Read] sees an IIFE). It is how a
// read is placed, the names themselves coming from the syntax tree.
func (toks tokenList) later() []bool {
	out := make([]bool, len(toks))
	// match returns the index of the bracket closing the one at i.
	match := func(i int) int {
		open, depth := toks[i].tt, 0
		close := map[js.TokenType]js.TokenType{js.OpenParenToken: js.CloseParenToken, js.OpenBraceToken: js.CloseBraceToken}[open]
		for j := i; j < len(toks); j++ {
			switch toks[j].tt {
			case open:
				depth++
			case close:
				if depth--; depth == 0 {
					return j
				}
			}
		}
		return len(toks) - 1
	}
	tt := func(i int) js.TokenType {
		if i >= 0 && i < len(toks) {
			return toks[i].tt
		}
		return js.ErrorToken
	}
	called := func(end int) bool { // the token after a function's body
		switch {
		case tt(end+1) == js.OpenParenToken:
			return true
		case tt(end+1) == js.CloseParenToken && tt(end+2) == js.OpenParenToken:
			return true
		case tt(end+1) == js.CloseParenToken && tt(end+2) == js.DotToken && end+3 < len(toks):
			return toks[end+3].text == "call" || toks[end+3].text == "apply"
		case tt(end+1) == js.DotToken && end+2 < len(toks):
			return toks[end+2].text == "call" || toks[end+2].text == "apply"
		}
		return false
	}
	for i, t := range toks {
		start, params := -1, -1
		switch {
		case t.tt == js.FunctionToken:
			start, params = i, i+1
			for params < len(toks) && toks[params].tt != js.OpenParenToken {
				params++
			}
		case t.tt == js.ArrowToken && tt(i+1) == js.OpenBraceToken:
			start, params = i, -1
			body := i + 1
			end := match(body)
			if !called(end) {
				for k := start; k <= end; k++ {
					out[k] = true
				}
			}
			continue
		case js.IsIdentifierName(t.tt) && !js.IsReservedWord(t.tt) && tt(i+1) == js.OpenParenToken && tt(i-1) != js.DotToken:
			// A method, name(…) { … }, and not a call, name(…);
			if end := match(i + 1); tt(end+1) == js.OpenBraceToken {
				start, params = i, i+1
			}
		}
		if start < 0 || params >= len(toks) {
			continue
		}
		body := match(params) + 1
		if tt(body) != js.OpenBraceToken {
			continue
		}
		end := match(body)
		if !called(end) {
			for k := start; k <= end; k++ {
				out[k] = true
			}
		}
	}
	return out
}

// tokenIndex is where each name and string occurs among a script's
// tokens, in order, so that finding one looks at its own occurrences: a
// scan of every token once per global took minutes on a script of
// 100,000 globals.
type tokenIndex struct {
	toks tokenList
	at   map[string][]int // token indices, by text
}

func (toks tokenList) index() *tokenIndex {
	idx := &tokenIndex{toks: toks, at: map[string][]int{}}
	for i, t := range toks {
		if js.IsIdentifierName(t.tt) || t.tt == js.StringToken {
			idx.at[t.text] = append(idx.at[t.text], i)
		}
	}
	return idx
}

// findRead returns the offset of a read of name as the script loads: its
// first occurrence as a variable outside the functions that run later and
// not under typeof, or else its first occurrence as a variable.
func (idx *tokenIndex) findRead(name string, later []bool) int {
	toks := idx.toks
	for _, i := range idx.at[name] {
		if !later[i] && toks.variable(i) && (i == 0 || toks[i-1].tt != js.TypeofToken) {
			return toks[i].at
		}
	}
	return idx.find(name, true, false)
}

// variable reports whether the token at i can be a variable: not a
// property (after a dot) nor an object literal's key.
func (toks tokenList) variable(i int) bool {
	after := func(k int) js.TokenType {
		if k >= 0 && k < len(toks) {
			return toks[k].tt
		}
		return js.ErrorToken
	}
	dotted := after(i-1) == js.DotToken || after(i-1) == js.OptChainToken
	key := after(i+1) == js.ColonToken && (after(i-1) == js.OpenBraceToken || after(i-1) == js.CommaToken)
	return !dotted && !key
}

// find returns the offset of text as a variable, the first at the top
// level or else the first anywhere; with property, as the name of a
// property assigned to (.text =). It returns -1 when there is none.
func (toks tokenList) find(text string, variable, property bool) int {
	return toks.index().find(text, variable, property)
}

func (idx *tokenIndex) find(text string, variable, property bool) int {
	toks := idx.toks
	after := func(k int) js.TokenType {
		if k >= 0 && k < len(toks) {
			return toks[k].tt
		}
		return js.ErrorToken
	}
	first := -1
	for _, i := range idx.at[text] {
		t := toks[i]
		dotted := after(i-1) == js.DotToken || after(i-1) == js.OptChainToken
		switch {
		case property:
			if !dotted || after(i+1) != js.EqToken {
				continue
			}
		case variable:
			if !toks.variable(i) {
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
