package sourcemap

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// An Edit replaces a span of one line, columns [Start, End) of the text
// before any edit, with text NewLen long. Columns and lengths are in
// UTF-16 code units, as a map counts them, so that a caller who knows
// only byte offsets makes one with [LineIndex.Edit]. The edits of a line
// are in order.
type Edit struct {
	Line, Start, End, NewLen int
}

// LineIndex turns byte offsets of a text into lines and columns. Made
// once per text by [NewLineIndex], it answers each offset with a binary
// search, where counting newlines would scan the text again.
type LineIndex struct {
	starts []int // the offset of each line's first byte
}

// NewLineIndex returns the index of text's lines.
func NewLineIndex(text []byte) LineIndex {
	starts := []int{0}
	for i, c := range text {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return LineIndex{starts}
}

// Pos returns the 1-based line and column of a byte offset. The column
// counts bytes, as go/token does and as diagnostics print it; a map's
// columns, in UTF-16 code units, come from [LineIndex.Edit].
func (idx LineIndex) Pos(offset int) (line, col int) {
	lo, hi := 0, len(idx.starts)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if idx.starts[mid] <= offset {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1, offset - idx.starts[lo] + 1
}

// Edit returns the edit that replaces text[start:end], on one line of
// text (which idx indexes), with s.
func (idx LineIndex) Edit(text []byte, start, end int, s string) Edit {
	line, col := idx.Pos(start)
	u := utf16Len(text[start-(col-1) : start])
	return Edit{Line: line - 1, Start: u, End: u + utf16Len(text[start:end]), NewLen: utf16Len([]byte(s))}
}

// utf16Len returns the length of UTF-8 text in UTF-16 code units: one
// for each rune, two for one outside the Basic Multilingual Plane.
func utf16Len(text []byte) int {
	n := 0
	for i := 0; i < len(text); {
		if text[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:]) // a bad byte is U+FFFD, one unit
		n += utf16.RuneLen(r)
		i += size
	}
	return n
}

// Verbatim returns the map of a text that is content, the text of the
// source name, unchanged but for edits: one segment at the start of each
// line and one after each edit, so that a column outside an edit maps
// back exactly. It is the inner map that [Map.Compose] reads as verbatim.
func Verbatim(name string, content []byte, edits []Edit) *Map {
	text := string(content)
	m := &Map{Sources: []string{name}, Contents: []*string{&text}}
	n := bytes.Count(content, []byte{'\n'}) + 1
	m.Lines = make([][]Segment, n)
	for i := range m.Lines {
		m.Lines[i] = []Segment{{GenCol: 0, Source: 0, Line: i, Col: 0, Name: -1}}
	}
	delta := map[int]int{} // by line, the shift so far
	for _, e := range edits {
		if e.Line >= n {
			continue
		}
		d := delta[e.Line]
		newEnd := e.End + d + e.NewLen - (e.End - e.Start)
		m.Lines[e.Line] = append(m.Lines[e.Line], Segment{GenCol: newEnd, Source: 0, Line: e.Line, Col: e.End, Name: -1})
		delta[e.Line] = d + e.NewLen - (e.End - e.Start)
	}
	return m
}

// Shift moves the segments of m's generated lines past edits of the
// generated text, so that a map of a text stays true once the text is
// edited: a segment at or after an edit's end moves by the change in
// length, one inside the edit moves to its start.
func (m *Map) Shift(edits []Edit) {
	for i := len(edits) - 1; i >= 0; i-- { // right to left: columns before the edit
		e := edits[i]
		if e.Line >= len(m.Lines) {
			continue
		}
		d := e.NewLen - (e.End - e.Start)
		for k := range m.Lines[e.Line] {
			seg := &m.Lines[e.Line][k]
			switch {
			case seg.GenCol >= e.End:
				seg.GenCol += d
			case seg.GenCol > e.Start:
				seg.GenCol = e.Start
			}
		}
	}
}
