package bundler

import (
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// scanJS finds the source map links of a script: "//# sourceMappingURL="
// comments. It reads the script with tdewolff/parse's JS tokenizer, so that
// such text inside a string, a template or a regular expression is not
// taken for a comment.
func scanJS(src []byte) []ref {
	var refs []ref
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
		}
	}
	return refs
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
