package bundler

import (
	"bytes"
	"slices"

	"github.com/stapler-build/stapler/bundler/internal/sourcemap"
)

// esbuild's map of a minified stylesheet places some declarations at the
// very start of their source, line 1 column 1: the box shorthands
// (margin, padding, inset, border-radius) that its minifier rebuilds.
// In a bundle of joined sources that is the top of the first one, so a
// browser's tools would send every margin of every file there. Their
// values' segments are right. fixShorthands repairs the segments that are
// known to be wrong, so that no map stapler makes passes them on;
// docs/build.md ("Source maps") says so.

// fixShorthands repairs m, esbuild's map of the minified stylesheet out,
// in place; text returns the text of m's source i (nil if unknown). A
// segment is wrong when it maps a declaration of out to its source's
// first position while the source does not start with that property. It
// takes the position of the property whose value the next segment, in
// the same declaration, maps to; failing that the position of the
// segment before it on its line, the declaration before or the rule's
// selector; failing that it is dropped, and maps nothing.
func fixShorthands(m *sourcemap.Map, out []byte, text func(i int) []byte) {
	outLines := bytes.Split(out, []byte{'\n'})
	sources := map[int][][]byte{} // the lines of each source read
	lines := func(i int) [][]byte {
		ls, ok := sources[i]
		if !ok {
			ls = bytes.Split(text(i), []byte{'\n'})
			sources[i] = ls
		}
		return ls
	}
	for l, segs := range m.Lines {
		if l >= len(outLines) {
			break
		}
		line := outLines[l]
		drop := false
		for k := range segs {
			s := &segs[k]
			if s.Source < 0 || s.Line != 0 || s.Col != 0 {
				continue
			}
			at, ok := sourcemap.Offset(line, s.GenCol)
			if !ok {
				continue
			}
			in := lines(s.Source)
			prop := declarationAt(line, at)
			if prop == nil || startsDeclaration(in[0], prop) {
				continue
			}
			if pos, ok := propertyBefore(segs, k, line, at, in); ok {
				s.Line, s.Col = pos.Line, pos.Col
				continue
			}
			if k > 0 && segs[k-1].Source >= 0 {
				s.Line, s.Col, s.Source = segs[k-1].Line, segs[k-1].Col, segs[k-1].Source
				continue
			}
			s.Source, drop = -1, true
		}
		if drop {
			m.Lines[l] = slices.DeleteFunc(segs, func(s sourcemap.Segment) bool { return s.Source < 0 })
		}
	}
}

// textOf returns the text of a map's sources from its sourcesContent,
// for [fixShorthands].
func textOf(m *sourcemap.Map) func(i int) []byte {
	return func(i int) []byte {
		if i < len(m.Contents) && m.Contents[i] != nil {
			return []byte(*m.Contents[i])
		}
		return nil
	}
}

// textIs returns in as the text of a map's one source, for
// [fixShorthands].
func textIs(in []byte) func(i int) []byte {
	return func(int) []byte { return in }
}

// declarationAt returns the property of the declaration that starts at
// byte i of a minified stylesheet's line, after a "{" or a ";", or nil.
func declarationAt(line []byte, i int) []byte {
	if i == 0 || line[i-1] != '{' && line[i-1] != ';' {
		return nil
	}
	n := identEnd(line, i)
	if n == i || n >= len(line) || line[n] != ':' {
		return nil
	}
	return line[i:n]
}

// startsDeclaration reports whether line starts, after spaces, with the
// declaration of prop.
func startsDeclaration(line, prop []byte) bool {
	line = bytes.TrimLeft(line, " \t")
	return bytes.HasPrefix(line, prop) && identEnd(line, len(prop)) == len(prop)
}

// propertyBefore returns the position in the input of the property whose
// value the segment after segs[k] maps to, if that segment is in the same
// declaration (which starts at byte at of line) and what precedes its
// position in the input reads "property:".
func propertyBefore(segs []sourcemap.Segment, k int, line []byte, at int, in [][]byte) (sourcemap.Segment, bool) {
	if k+1 >= len(segs) || segs[k+1].Source != segs[k].Source || segs[k+1].Line >= len(in) {
		return sourcemap.Segment{}, false
	}
	next := segs[k+1]
	end, ok := sourcemap.Offset(line, next.GenCol)
	if !ok || end <= at || bytes.ContainsAny(line[at:end], ";{}") {
		return sourcemap.Segment{}, false
	}
	src := in[next.Line]
	i, ok := sourcemap.Offset(src, next.Col)
	if !ok {
		return sourcemap.Segment{}, false
	}
	i = len(bytes.TrimRight(src[:i], " \t"))
	if i == 0 || src[i-1] != ':' {
		return sourcemap.Segment{}, false
	}
	i = len(bytes.TrimRight(src[:i-1], " \t"))
	start := i
	for start > 0 && isIdentByte(src[start-1]) {
		start--
	}
	if start == i || start > 0 && !bytes.ContainsRune([]byte(" \t{;"), rune(src[start-1])) {
		return sourcemap.Segment{}, false
	}
	return sourcemap.Segment{Line: next.Line, Col: sourcemap.Column(src, start)}, true
}

// identEnd returns where the run of property-name bytes from i ends.
func identEnd(line []byte, i int) int {
	for i < len(line) && isIdentByte(line[i]) {
		i++
	}
	return i
}

func isIdentByte(c byte) bool {
	return c == '-' || c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}
