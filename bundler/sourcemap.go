package bundler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Source maps, version 3 (https://tc39.es/ecma426/). A build makes its
// maps from esbuild's, which map an output to the text esbuild was given,
// and composes them with maps of its own steps: the concatenation of a
// bundle's sources, the rewriting of references, which moves columns. It
// writes one plain map per output, not an index map with sections: every
// consumer reads plain maps, and merging them is only a matter of
// offsetting lines.

// sourceMap is a decoded map: its mappings as segments, by generated line.
type sourceMap struct {
	sources  []string
	contents []*string // sourcesContent, beside sources; nil entries for none
	names    []string
	lines    [][]segment
}

// segment maps a generated column to a position in a source. All values
// are 0-based; src is -1 for a segment that maps to no source, and name
// -1 for one with no name.
type segment struct {
	genCol         int
	src, line, col int
	name           int
}

// mapJSON is a map's JSON form, in the order a build writes its fields.
type mapJSON struct {
	Version        int       `json:"version"`
	File           string    `json:"file,omitempty"`
	SourceRoot     string    `json:"sourceRoot,omitempty"`
	Sources        []string  `json:"sources"`
	SourcesContent []*string `json:"sourcesContent,omitempty"`
	Names          []string  `json:"names"`
	Mappings       string    `json:"mappings"`

	// An index map's parts, read and never written.
	Sections []mapSection `json:"sections,omitempty"`
}

// mapSection is a part of an index map: a map of the generated text from
// an offset on.
type mapSection struct {
	Offset struct {
		Line   int `json:"line"`
		Column int `json:"column"`
	} `json:"offset"`
	Map json.RawMessage `json:"map"`
}

var errBadMappings = errors.New("source map: bad mappings")

// decodeMap decodes a map in JSON. An index map, with sections, is
// decoded as the one plain map it stands for.
func decodeMap(data []byte) (*sourceMap, error) {
	var j mapJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, fmt.Errorf("source map: %w", err)
	}
	if j.Version != 3 {
		return nil, fmt.Errorf("source map: version %d, not 3", j.Version)
	}
	if j.Sections != nil {
		return decodeSections(j.Sections)
	}
	m := &sourceMap{sources: j.Sources, names: j.Names, contents: j.SourcesContent}
	for len(m.contents) < len(m.sources) {
		m.contents = append(m.contents, nil)
	}
	if j.SourceRoot != "" {
		for i, s := range m.sources {
			m.sources[i] = j.SourceRoot + s
		}
	}
	var err error
	m.lines, err = decodeMappings(j.Mappings, len(m.sources), len(m.names))
	return m, err
}

// maxSectionLine is the last line an index map's section may start at.
const maxSectionLine = 1 << 20

// decodeSections joins the maps of an index map's sections, each moved to
// its offset and cut at the next one's. Sections come in order.
func decodeSections(sections []mapSection) (*sourceMap, error) {
	m := &sourceMap{}
	line, col := 0, 0 // the previous section's offset
	for i, s := range sections {
		o := s.Offset
		if o.Line < line || o.Line == line && o.Column < col || o.Column < 0 {
			return nil, fmt.Errorf("source map: section %d is out of order", i)
		}
		if o.Line > maxSectionLine {
			// Lines are allocated up to the offset: a map of a few bytes
			// must not ask for gigabytes.
			return nil, fmt.Errorf("source map: section %d starts at line %d, past any file's end", i, o.Line)
		}
		line, col = o.Line, o.Column
		var j mapJSON
		if err := json.Unmarshal(s.Map, &j); err != nil {
			return nil, fmt.Errorf("source map: section %d: %w", i, err)
		}
		if j.Sections != nil {
			return nil, fmt.Errorf("source map: section %d is an index map itself", i)
		}
		part, err := decodeMap(s.Map)
		if err != nil {
			return nil, fmt.Errorf("section %d: %w", i, err)
		}
		if len(part.lines) > 0 {
			for k := range part.lines[0] {
				part.lines[0][k].genCol += o.Column
			}
		}
		// A section maps the text up to the next one's offset.
		if o.Line < len(m.lines) {
			m.lines = m.lines[:o.Line+1]
			m.lines[o.Line] = slices.DeleteFunc(m.lines[o.Line], func(s segment) bool { return s.genCol >= o.Column })
		}
		m.appendMap(part, o.Line)
	}
	return m, nil
}

// decodeMappings decodes a map's mappings: fields are relative to the
// previous segment's, the generated column only within a line.
func decodeMappings(s string, nsources, nnames int) ([][]segment, error) {
	var lines [][]segment
	var src, sline, scol, name int
	for _, text := range strings.Split(s, ";") {
		var line []segment
		genCol := 0
		for _, field := range strings.Split(text, ",") {
			if field == "" {
				continue
			}
			var f [5]int
			n := 0
			for ; len(field) > 0; n++ {
				if n == 5 {
					return nil, fmt.Errorf("%w: a segment of more than 5 fields", errBadMappings)
				}
				v, rest, err := decodeVLQ(field)
				if err != nil {
					return nil, err
				}
				f[n], field = v, rest
			}
			if n != 1 && n != 4 && n != 5 {
				return nil, fmt.Errorf("%w: a segment of %d fields", errBadMappings, n)
			}
			genCol += f[0]
			if genCol < 0 {
				return nil, fmt.Errorf("%w: a negative column", errBadMappings)
			}
			seg := segment{genCol: genCol, src: -1, name: -1}
			if n >= 4 {
				src += f[1]
				sline += f[2]
				scol += f[3]
				if src < 0 || src >= nsources || sline < 0 || scol < 0 {
					return nil, fmt.Errorf("%w: a segment out of range", errBadMappings)
				}
				seg.src, seg.line, seg.col = src, sline, scol
			}
			if n == 5 {
				name += f[4]
				if name < 0 || name >= nnames {
					return nil, fmt.Errorf("%w: a name out of range", errBadMappings)
				}
				seg.name = name
			}
			line = append(line, seg)
		}
		lines = append(lines, line)
	}
	return lines, nil
}

const base64Digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// decodeVLQ decodes one base64 VLQ value from the start of s.
func decodeVLQ(s string) (int, string, error) {
	v, shift := 0, 0
	for i := 0; i < len(s); i++ {
		d := strings.IndexByte(base64Digits, s[i])
		if d < 0 {
			return 0, "", fmt.Errorf("%w: %q is not a base64 digit", errBadMappings, s[i])
		}
		if shift > 30 {
			return 0, "", fmt.Errorf("%w: a value too large", errBadMappings)
		}
		v |= (d & 31) << shift
		shift += 5
		if d&32 == 0 {
			if v&1 != 0 {
				return -(v >> 1), s[i+1:], nil
			}
			return v >> 1, s[i+1:], nil
		}
	}
	return 0, "", fmt.Errorf("%w: a value cut short", errBadMappings)
}

func appendVLQ(b []byte, v int) []byte {
	u := v << 1
	if v < 0 {
		u = -v<<1 | 1
	}
	for {
		d := u & 31
		u >>= 5
		if u > 0 {
			d |= 32
		}
		b = append(b, base64Digits[d])
		if u == 0 {
			return b
		}
	}
}

// mappings encodes the map's segments, each line's sorted by column.
func (m *sourceMap) mappings() string {
	var b []byte
	var src, sline, scol, name int
	for i, line := range m.lines {
		if i > 0 {
			b = append(b, ';')
		}
		genCol := 0
		for j, seg := range line {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendVLQ(b, seg.genCol-genCol)
			genCol = seg.genCol
			if seg.src < 0 {
				continue
			}
			b = appendVLQ(b, seg.src-src)
			b = appendVLQ(b, seg.line-sline)
			b = appendVLQ(b, seg.col-scol)
			src, sline, scol = seg.src, seg.line, seg.col
			if seg.name >= 0 {
				b = appendVLQ(b, seg.name-name)
				name = seg.name
			}
		}
	}
	return string(b)
}

// marshal returns the map in JSON, for the output named file (its last
// path element), with sources relative to sourceRoot.
func (m *sourceMap) marshal(file, sourceRoot string) []byte {
	j := mapJSON{Version: 3, File: file, SourceRoot: sourceRoot, Sources: m.sources, Names: m.names, Mappings: m.mappings()}
	if slices.ContainsFunc(m.contents, func(s *string) bool { return s != nil }) {
		j.SourcesContent = m.contents
	}
	if j.Sources == nil {
		j.Sources = []string{}
	}
	if j.Names == nil {
		j.Names = []string{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(j); err != nil {
		panic(err) // strings and ints only
	}
	return buf.Bytes()
}

// lineMap returns the map of a text that is a source as it is, but for
// edits that each replace a span of one line: one segment at the start of
// each line and one after each edit, so that a column outside an edit
// maps back exactly.
func lineMap(name string, content []byte, edits []edit) *sourceMap {
	text := string(content)
	m := &sourceMap{sources: []string{name}, contents: []*string{&text}}
	n := bytes.Count(content, []byte{'\n'}) + 1
	m.lines = make([][]segment, n)
	for i := range m.lines {
		m.lines[i] = []segment{{genCol: 0, src: 0, line: i, col: 0, name: -1}}
	}
	delta := map[int]int{} // by line, the shift so far
	for _, e := range edits {
		if e.line >= n {
			continue
		}
		d := delta[e.line]
		newEnd := e.end + d + e.newLen - (e.end - e.start)
		m.lines[e.line] = append(m.lines[e.line], segment{genCol: newEnd, src: 0, line: e.line, col: e.end, name: -1})
		delta[e.line] = d + e.newLen - (e.end - e.start)
	}
	return m
}

// An edit replaces a span of one line, columns [start, end) of the text
// before any edit, with text newLen long. Columns and lengths are in
// UTF-16 code units, as a map counts them. The edits of a line are in
// order.
type edit struct {
	line, start, end, newLen int
}

// edit returns the edit that replaces data[start:end], on one line of
// data (which idx indexes), with text.
func (idx lineIndex) edit(data []byte, start, end int, text string) edit {
	pos := idx.pos("", start)
	col := utf16Len(data[start-(pos.Col-1) : start])
	return edit{line: pos.Line - 1, start: col, end: col + utf16Len(data[start:end]), newLen: utf16Len([]byte(text))}
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

// shift moves the segments of generated lines past edits of the
// generated text: a segment at or after an edit's end moves by the
// change in length, one inside the edit moves to its start.
func (m *sourceMap) shift(edits []edit) {
	for i := len(edits) - 1; i >= 0; i-- { // right to left: columns before the edit
		e := edits[i]
		if e.line >= len(m.lines) {
			continue
		}
		d := e.newLen - (e.end - e.start)
		for k := range m.lines[e.line] {
			seg := &m.lines[e.line][k]
			switch {
			case seg.genCol >= e.end:
				seg.genCol += d
			case seg.genCol > e.start:
				seg.genCol = e.start
			}
		}
	}
}

// appendMap adds the mappings of o to m, its generated lines starting at
// line offset of m's generated text, o's sources and names after m's.
func (m *sourceMap) appendMap(o *sourceMap, offset int) {
	for len(m.lines) < offset {
		m.lines = append(m.lines, nil)
	}
	srcBase, nameBase := len(m.sources), len(m.names)
	m.sources = append(m.sources, o.sources...)
	m.contents = append(m.contents, o.contents...)
	m.names = append(m.names, o.names...)
	for i, line := range o.lines {
		out := make([]segment, len(line))
		for k, seg := range line {
			if seg.src >= 0 {
				seg.src += srcBase
			}
			if seg.name >= 0 {
				seg.name += nameBase
			}
			out[k] = seg
		}
		if offset+i < len(m.lines) {
			m.lines[offset+i] = append(m.lines[offset+i], out...)
		} else {
			m.lines = append(m.lines, out)
		}
	}
}

// compose returns the map from m's generated text to the sources of
// inner, where inner maps m's single source. A position of m's source
// takes inner's segment at or before its column on its line. When inner
// is verbatim (its generated text is its sources' text, but for the
// edits it has segments after, as lineMap's are), the distance from that
// segment is added, which is exact; a map made by another tool is read as
// every consumer reads it, the segment's position as it is: a compiler's
// segment at a line's indentation maps to the statement after it.
func (m *sourceMap) compose(inner *sourceMap, verbatim bool) *sourceMap {
	out := &sourceMap{sources: inner.sources, contents: inner.contents}
	names := map[string]int{}
	name := func(s string) int {
		i, ok := names[s]
		if !ok {
			i = len(out.names)
			names[s] = i
			out.names = append(out.names, s)
		}
		return i
	}
	out.lines = make([][]segment, len(m.lines))
	for i, line := range m.lines {
		for _, seg := range line {
			if seg.src < 0 {
				continue
			}
			at, ok := inner.lookup(seg.line, seg.col)
			if !ok {
				continue
			}
			o := segment{genCol: seg.genCol, src: at.src, line: at.line, col: at.col, name: -1}
			if verbatim {
				o.col += seg.col - at.genCol
			}
			switch {
			case seg.name >= 0:
				o.name = name(m.names[seg.name])
			case at.name >= 0:
				o.name = name(inner.names[at.name])
			}
			out.lines[i] = append(out.lines[i], o)
		}
	}
	return out
}

// lookup returns the source position a generated position maps to: the
// segment at or before the column on its line.
func (m *sourceMap) lookup(line, col int) (segment, bool) {
	if line >= len(m.lines) {
		return segment{}, false
	}
	segs := m.lines[line]
	k, found := slices.BinarySearchFunc(segs, col, func(s segment, col int) int { return s.genCol - col })
	if !found {
		k--
	}
	if k < 0 || segs[k].src < 0 {
		return segment{}, false
	}
	return segs[k], true
}
