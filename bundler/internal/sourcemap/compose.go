package sourcemap

import "slices"

// Append adds the mappings of o to m, o's generated text starting at
// line and col (0-based) of m's generated text, o's sources and names
// after m's. Joining texts joins their maps this way, with no index map.
// What m maps at or after that point is dropped: o's text is there now,
// as where a source ends in a newline and the next one starts on the
// empty line after it. So each generated position keeps one segment, the
// one of the text that is there: two segments at one column would leave
// consumers to pick one, and they do not pick the same.
func (m *Map) Append(o *Map, line, col int) {
	if line < len(m.Lines) {
		m.Lines = m.Lines[:line+1]
		m.Lines[line] = slices.DeleteFunc(m.Lines[line], func(s Segment) bool { return s.GenCol >= col })
	}
	for len(m.Lines) < line {
		m.Lines = append(m.Lines, nil)
	}
	srcBase, nameBase := len(m.Sources), len(m.Names)
	m.Sources = append(m.Sources, o.Sources...)
	m.Contents = append(m.Contents, o.Contents...)
	m.Names = append(m.Names, o.Names...)
	for i, segs := range o.Lines {
		out := make([]Segment, len(segs))
		for k, seg := range segs {
			if seg.Source >= 0 {
				seg.Source += srcBase
			}
			if seg.Name >= 0 {
				seg.Name += nameBase
			}
			if i == 0 {
				seg.GenCol += col
			}
			out[k] = seg
		}
		if line+i < len(m.Lines) {
			m.Lines[line+i] = append(m.Lines[line+i], out...)
		} else {
			m.Lines = append(m.Lines, out)
		}
	}
}

// Truncate drops what m maps past its first n generated lines: the map
// of its text cut there, as a bundle cuts a source's trailing blank lines.
func (m *Map) Truncate(n int) {
	if n < len(m.Lines) {
		m.Lines = m.Lines[:n]
	}
}

// Compose returns the map from m's generated text to the sources of
// inner, where inner maps m's single source. A position of m's source
// takes inner's segment at or before its column on its line. When inner
// is verbatim (its generated text is its sources' text, but for the
// edits it has segments after, as [Verbatim]'s are), the distance from
// that segment is added, which is exact; a map made by another tool is
// read as every consumer reads it, the segment's position as it is: a
// compiler's segment at a line's indentation maps to the statement after
// it.
func (m *Map) Compose(inner *Map, verbatim bool) *Map {
	out := &Map{Sources: inner.Sources, Contents: inner.Contents}
	names := map[string]int{}
	name := func(s string) int {
		i, ok := names[s]
		if !ok {
			i = len(out.Names)
			names[s] = i
			out.Names = append(out.Names, s)
		}
		return i
	}
	out.Lines = make([][]Segment, len(m.Lines))
	for i, line := range m.Lines {
		for _, seg := range line {
			if seg.Source < 0 {
				continue
			}
			at, ok := inner.Lookup(seg.Line, seg.Col)
			if !ok {
				continue
			}
			o := Segment{GenCol: seg.GenCol, Source: at.Source, Line: at.Line, Col: at.Col, Name: -1}
			if verbatim {
				o.Col += seg.Col - at.GenCol
			}
			switch {
			case seg.Name >= 0:
				o.Name = name(m.Names[seg.Name])
			case at.Name >= 0:
				o.Name = name(inner.Names[at.Name])
			}
			out.Lines[i] = append(out.Lines[i], o)
		}
	}
	return out
}

// Lookup returns the source position a generated position (0-based line,
// column in UTF-16 code units) maps to: the segment at or before the
// column on its line, as browsers read a map. It reports false where no
// segment with a source is.
func (m *Map) Lookup(line, col int) (Segment, bool) {
	if line >= len(m.Lines) {
		return Segment{}, false
	}
	segs := m.Lines[line]
	k, found := slices.BinarySearchFunc(segs, col, func(s Segment, col int) int { return s.GenCol - col })
	if !found {
		k--
	}
	if k < 0 || segs[k].Source < 0 {
		return Segment{}, false
	}
	return segs[k], true
}
