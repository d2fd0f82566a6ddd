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
	return verbatim(name, content, edits, false)
}

// VerbatimWords is [Verbatim] with a segment at the start of each word
// too: a character that is not a space, after a space or one of {};, in
// the text. Composing needs none of them; a consumer reading the map
// itself does, as it maps a column to the segment at or before it and
// not past it: with one segment a line, every declaration of a
// stylesheet's line maps to the line's start.
func VerbatimWords(name string, content []byte, edits []Edit) *Map {
	return verbatim(name, content, edits, true)
}

func verbatim(name string, content []byte, edits []Edit, words bool) *Map {
	text := string(content)
	m := &Map{Sources: []string{name}, Contents: []*string{&text}}
	lines := bytes.Split(content, []byte{'\n'})
	m.Lines = make([][]Segment, len(lines))
	byLine := make([][]Edit, len(lines))
	for _, e := range edits {
		if e.Line < len(lines) {
			byLine[e.Line] = append(byLine[e.Line], e)
		}
	}
	for i, line := range lines {
		var segs []Segment
		delta := 0 // how much the edits so far moved the line's columns
		add := func(col int) {
			s := Segment{GenCol: col + delta, Source: 0, Line: i, Col: col, Name: -1}
			switch n := len(segs); {
			case n > 0 && s.GenCol == segs[n-1].GenCol:
				segs[n-1] = s // what was there was cut: what follows is there
			case n == 0 || s.Col > segs[n-1].Col:
				segs = append(segs, s)
			}
		}
		es := byLine[i]
		for _, col := range starts(line, words) {
			for len(es) > 0 && es[0].End <= col {
				delta += es[0].NewLen - (es[0].End - es[0].Start)
				add(es[0].End)
				es = es[1:]
			}
			if len(es) > 0 && es[0].Start < col {
				continue // inside an edit, whose text is not the source's
			}
			add(col)
		}
		for _, e := range es {
			delta += e.NewLen - (e.End - e.Start)
			add(e.End)
		}
		m.Lines[i] = segs
	}
	return m
}

// starts returns the columns, in UTF-16 code units, where a verbatim map
// has a segment on line: its start and, with words, each word's.
func starts(line []byte, words bool) []int {
	cols := []int{0}
	if !words {
		return cols
	}
	col, prev := 0, byte(' ')
	for i := 0; i < len(line); {
		c := line[i]
		if col > 0 && !isSpace(c) && (isSpace(prev) || prev == '{' || prev == '}' || prev == ';' || prev == ',') {
			cols = append(cols, col)
		}
		size := 1
		if c >= utf8.RuneSelf {
			var r rune
			r, size = utf8.DecodeRune(line[i:])
			col += utf16.RuneLen(r) - 1 // a bad byte is U+FFFD, one unit
		}
		col++
		prev = c
		i += size
	}
	return cols
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\f' }

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

// Offset returns the byte offset in line, UTF-8 text, of column col in
// UTF-16 code units, as a map counts them; false if the line is shorter
// or col falls inside a character.
func Offset(line []byte, col int) (int, bool) {
	n := 0
	for i := 0; i < len(line); {
		if n == col {
			return i, true
		}
		if n > col {
			return 0, false
		}
		r, size := rune(line[i]), 1
		if line[i] >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(line[i:])
		}
		n += utf16.RuneLen(r)
		i += size
	}
	return len(line), n == col
}

// Column returns the column of line's byte offset i in UTF-16 code units,
// as a map counts it.
func Column(line []byte, i int) int {
	return utf16Len(line[:i])
}
