package scan

import (
	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/css"
	"slices"
)

// Repetition measures how many rules of a stylesheet share their
// declarations: the work of a minifier that merges and drops duplicate
// rules by comparing each rule with the earlier ones whose declarations
// are the same (esbuild's syntax minification does), which grows with the
// square of their number.
type Repetition struct {
	// Pairs counts, over each group of distinct rules with the same
	// declarations, the pairs of rules in it: n(n-1)/2 for a group of n.
	// A rule repeated exactly, selector and all, counts once.
	Pairs int
	// Largest is the size of the largest group, and At the offset of its
	// first rule's selector; -1 when the stylesheet has no rule.
	Largest, At int
}

// CSSRepetition reads a stylesheet with tdewolff/parse's CSS tokenizer and
// measures its [Repetition]. A rule is a block with no block inside it;
// its declarations are compared token by token, white space and comments
// left out, and so are its selectors (or an at-rule's prelude). It keeps
// a count for each distinct rule, not the rules.
func CSSRepetition(src []byte) Repetition {
	rep := Repetition{At: -1}
	type block struct {
		at             int
		prelude, body  uint64
		hasBlockInside bool
	}
	type group struct{ n, at int }
	var stack []block
	groups := map[uint64]*group{}
	seen := map[[2]uint64]bool{} // declarations and selector, of each distinct rule
	// The tokens since the last ";", "{" or "}": a declaration, or the
	// prelude of the next block.
	cur, curAt, curLen := uint64(fnvOffset), -1, 0
	reset := func() { cur, curAt, curLen = fnvOffset, -1, 0 }

	lx := css.NewLexer(parse.NewInputBytes(slices.Clip(src))) // a copy: see JS
	offset := 0
	for {
		tt, text := lx.Next()
		if tt == css.ErrorToken {
			break
		}
		at := offset
		offset += len(text)
		switch tt {
		case css.WhitespaceToken, css.CommentToken, css.CDOToken, css.CDCToken:
			continue
		case css.LeftBraceToken:
			if n := len(stack); n > 0 {
				stack[n-1].hasBlockInside = true
			}
			if curAt < 0 {
				curAt = at
			}
			stack = append(stack, block{at: curAt, prelude: cur, body: fnvOffset})
			reset()
		case css.SemicolonToken, css.RightBraceToken:
			n := len(stack)
			if n > 0 && curLen > 0 {
				stack[n-1].body = fnvAdd(stack[n-1].body, uint64ToBytes(cur))
			}
			reset()
			if tt == css.SemicolonToken || n == 0 {
				continue
			}
			b := stack[n-1]
			stack = stack[:n-1]
			if b.hasBlockInside {
				continue
			}
			if seen[[2]uint64{b.body, b.prelude}] {
				continue
			}
			seen[[2]uint64{b.body, b.prelude}] = true
			g := groups[b.body]
			if g == nil {
				g = &group{at: b.at}
				groups[b.body] = g
			}
			rep.Pairs += g.n
			g.n++
			if g.n > rep.Largest || g.n == rep.Largest && g.at < rep.At {
				rep.Largest, rep.At = g.n, g.at
			}
		default:
			if curAt < 0 {
				curAt = at
			}
			cur = fnvAdd(fnvAdd(cur, []byte{byte(tt), byte(tt >> 8)}), text)
			cur = fnvAdd(cur, []byte{0xff}) // between tokens
			curLen++
		}
	}
	return rep
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// fnvAdd continues an FNV-1a hash over b.
func fnvAdd(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

func uint64ToBytes(v uint64) []byte {
	return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24), byte(v >> 32), byte(v >> 40), byte(v >> 48), byte(v >> 56)}
}
