package sourcemap

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestVLQ(t *testing.T) {
	for _, v := range []int{0, 1, -1, 15, 16, -16, 31, 32, 1000, -1000, 1 << 20, -(1 << 29)} {
		enc := string(appendVLQ(nil, v))
		got, rest, err := decodeVLQ(enc + "X")
		if err != nil || got != v || rest != "X" {
			t.Errorf("decodeVLQ(%q) = %d, %q, %v; want %d", enc, got, rest, err, v)
		}
	}
	for _, bad := range []string{"g", "!", "gggggggggggggA"} {
		if _, _, err := decodeVLQ(bad); !errors.Is(err, errBadMappings) {
			t.Errorf("decodeVLQ(%q): err = %v, want errBadMappings", bad, err)
		}
	}
}

func TestMappingsRoundTrip(t *testing.T) {
	// esbuild's map of a minified two-line file, and lines with no
	// segments, a segment with no source, one with a name.
	for _, s := range []string{
		"AAAA,IAAI,MAAQ,EACZ,SAAS,MAAMA,EAAM,CACnB,QAAQ,IAAI,SAAWA,CAAI,CAC7B;;ACFA,SAAS,KAAM",
		";;AAAA;A,CAAC;;",
		"",
	} {
		lines, err := decodeMappings(s, 2, 1)
		if err != nil {
			t.Fatalf("decodeMappings(%q): %v", s, err)
		}
		m := &Map{Lines: lines}
		if got := m.mappings(); got != s {
			t.Errorf("round trip of %q = %q", s, got)
		}
	}
	for _, bad := range []string{"AAAA,ACAA" /* a second source */, "AA", "AAAAAA", "AAAAC" /* a name */, "D"} {
		if _, err := decodeMappings(bad, 1, 0); !errors.Is(err, errBadMappings) {
			t.Errorf("decodeMappings(%q): err = %v, want errBadMappings", bad, err)
		}
	}
}

func seg(genCol, src, line, col int) Segment {
	return Segment{GenCol: genCol, Source: src, Line: line, Col: col, Name: -1}
}

func TestShift(t *testing.T) {
	m := &Map{Sources: []string{"a"}, Lines: [][]Segment{
		{seg(0, 0, 0, 0), seg(10, 0, 0, 4), seg(12, 0, 0, 6), seg(20, 0, 0, 9), seg(30, 0, 0, 12)},
		{seg(5, 0, 1, 0)},
	}}
	// Columns 10–20 of line 0 become 4 bytes longer; 25–30 become empty.
	m.Shift([]Edit{{Line: 0, Start: 10, End: 20, NewLen: 14}, {Line: 0, Start: 25, End: 30, NewLen: 0}})
	want := [][]Segment{
		{seg(0, 0, 0, 0), seg(10, 0, 0, 4), seg(10, 0, 0, 6), seg(24, 0, 0, 9), seg(29, 0, 0, 12)},
		{seg(5, 0, 1, 0)},
	}
	if !slices.EqualFunc(m.Lines, want, slices.Equal) {
		t.Errorf("shifted:\n got %v\nwant %v", m.Lines, want)
	}
}

func TestLineIndexPos(t *testing.T) {
	text := []byte("ab\n\nc→d\n")
	idx := NewLineIndex(text)
	for _, tc := range []struct{ offset, line, col int }{
		{0, 1, 1},
		{2, 1, 3}, // the newline is the line's last column
		{3, 2, 1}, // an empty line
		{4, 3, 1},
		{8, 3, 5},   // columns count bytes: → is 3
		{10, 4, 1},  // the end of a text that ends in a newline
		{20, 4, 11}, // past the end: the last line goes on
	} {
		if line, col := idx.Pos(tc.offset); line != tc.line || col != tc.col {
			t.Errorf("Pos(%d) = %d:%d, want %d:%d", tc.offset, line, col, tc.line, tc.col)
		}
	}
}

func TestEditColumns(t *testing.T) {
	for _, tc := range []struct {
		name, data, span, with string
		want                   Edit
	}{
		{"ASCII", "a {}\nb { background: url(x.png) }\n", "x.png", "x.0123.png", Edit{Line: 1, Start: 20, End: 25, NewLen: 10}},
		// → is 3 bytes and one unit; 🙂 is 4 bytes and two units.
		{"non-ASCII before", "b { content: '→🙂'; background: url(x.png) }", "x.png", "x.0123.png", Edit{Line: 0, Start: 36, End: 41, NewLen: 10}},
		{"non-ASCII inside", "@import 'é.css';", "é.css", "é.0123.css", Edit{Line: 0, Start: 9, End: 14, NewLen: 10}},
		{"a bad byte is one unit", "/*\xff*/ url(x)", "x", "y", Edit{Line: 0, Start: 10, End: 11, NewLen: 1}},
	} {
		data := []byte(tc.data)
		start := strings.Index(tc.data, tc.span)
		got := NewLineIndex(data).Edit(data, start, start+len(tc.span), tc.with)
		if got != tc.want {
			t.Errorf("%s: edit = %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

func TestComposeAndAppend(t *testing.T) {
	// Two sources joined, the second from line 3; then "minified" onto
	// one line by a map over the concatenation.
	a := Verbatim("a.css", []byte("x{}\ny{}\n"), nil)
	b := Verbatim("b.css", []byte("zz url(q)\n"), []Edit{{Line: 0, Start: 7, End: 8, NewLen: 5}})
	concat := &Map{}
	concat.Append(a, 0, 0)
	concat.Append(b, 3, 0)
	if got, want := concat.Sources, []string{"a.css", "b.css"}; !slices.Equal(got, want) {
		t.Fatalf("sources = %q, want %q", got, want)
	}
	outer := &Map{Sources: []string{"joined"}, Lines: [][]Segment{{seg(0, 0, 0, 0), seg(3, 0, 1, 0), seg(6, 0, 3, 3), seg(9, 0, 3, 12)}}}
	m := outer.Compose(concat, true)
	want := [][]Segment{{seg(0, 0, 0, 0), seg(3, 0, 1, 0), seg(6, 1, 0, 3), seg(9, 1, 0, 8)}}
	if !slices.EqualFunc(m.Lines, want, slices.Equal) {
		t.Errorf("composed:\n got %v\nwant %v", m.Lines, want)
	}
	if s, ok := m.Lookup(0, 7); !ok || m.Sources[s.Source] != "b.css" || s.Line != 0 {
		t.Errorf("Lookup(0, 7) = %v, %v", s, ok)
	}
}

// TestAppendReplaces guards issue 13, item 1: a source ending in a newline
// has a segment for the empty line after it, where the next source
// starts. That position must keep one segment, the next source's.
func TestAppendReplaces(t *testing.T) {
	a := Verbatim("a.css", []byte(".aaa { color: red; }\n"), nil)
	b := Verbatim("b.css", []byte(".bbb { color: blue; }\n.bbb2 { color: green; }\n"), nil)
	if len(a.Lines) != 2 {
		t.Fatalf("a's map has %d lines, want 2 (the empty one after its newline too)", len(a.Lines))
	}
	concat := &Map{}
	concat.Append(a, 0, 0)
	concat.Append(b, 1, 0)
	want := [][]Segment{{seg(0, 0, 0, 0)}, {seg(0, 1, 0, 0)}, {seg(0, 1, 1, 0)}, {seg(0, 1, 2, 0)}}
	if !slices.EqualFunc(concat.Lines, want, slices.Equal) {
		t.Errorf("joined:\n got %v\nwant %v", concat.Lines, want)
	}
	// Appended in the middle of a line, from column 3 on.
	c := Verbatim("c.css", []byte("x{}"), nil)
	concat.Append(c, 1, 3)
	want = [][]Segment{{seg(0, 0, 0, 0)}, {seg(0, 1, 0, 0), seg(3, 2, 0, 0)}}
	if !slices.EqualFunc(concat.Lines, want, slices.Equal) {
		t.Errorf("joined mid-line:\n got %v\nwant %v", concat.Lines, want)
	}
	concat.Truncate(1)
	if len(concat.Lines) != 1 {
		t.Errorf("truncated to 1 line: %d lines", len(concat.Lines))
	}
}

func TestDecodeIndexMap(t *testing.T) {
	// Two sections: the second starts at column 4 of line 1, and cuts
	// the first's segments from there on.
	index := `{"version":3,"sections":[
{"offset":{"line":0,"column":0},"map":{"version":3,"sources":["a.js"],"names":["x"],"mappings":"AAAAA;AACA,QAAQ;AACA"}},
{"offset":{"line":1,"column":4},"map":{"version":3,"sourceRoot":"src/","sources":["b.js"],"names":[],"mappings":"AAAA,EAAE;AACA"}}]}`
	m, err := Decode([]byte(index))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Sources, []string{"a.js", "src/b.js"}; !slices.Equal(got, want) {
		t.Errorf("sources = %q, want %q", got, want)
	}
	want := [][]Segment{
		{{GenCol: 0, Source: 0, Line: 0, Col: 0, Name: 0}},
		{seg(0, 0, 1, 0), seg(4, 1, 0, 0), seg(6, 1, 0, 2)},
		{seg(0, 1, 1, 2)},
	}
	if !slices.EqualFunc(m.Lines, want, slices.Equal) {
		t.Errorf("lines:\n got %v\nwant %v", m.Lines, want)
	}
	for _, bad := range []string{
		`{"version":3,"sections":[{"offset":{"line":2,"column":0},"map":{"version":3,"sources":[],"mappings":""}},{"offset":{"line":1,"column":0},"map":{"version":3,"sources":[],"mappings":""}}]}`,
		`{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sections":[]}}]}`,
		`{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sources":[],"mappings":"AAAA"}}]}`,
		`{"version":3,"sections":[{"offset":{"line":2000000000,"column":0},"map":{"version":3,"sources":[],"mappings":""}}]}`,
	} {
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%s): no error", bad)
		}
	}
}

// FuzzDecodeMap feeds Decode what a root may hold as a map: it must not
// panic, and a map it reads must survive writing and reading again, and
// composing, as the bundler's [collect] minify composes a file's own map.
func FuzzDecodeMap(f *testing.F) {
	f.Add(`{"version":3,"sources":["a.ts"],"sourcesContent":["x"],"names":["n"],"mappings":"AAAAA,EAAE;;AACA"}`)
	f.Add(`{"version":3,"sourceRoot":"src/","sources":["a.js",null],"mappings":"A,AAAA,CCAC"}`)
	f.Add(`{"version":3,"sections":[{"offset":{"line":0,"column":2},"map":{"version":3,"sources":["a"],"mappings":"AAAA;AACA"}},{"offset":{"line":1,"column":1},"map":{"version":3,"sources":["b"],"mappings":"AAAA"}}]}`)
	f.Add(`{"version":3,"sections":[{"offset":{"line":0,"column":0},"map":{"version":3,"sections":[]}}]}`)
	f.Fuzz(func(t *testing.T, data string) {
		m, err := Decode([]byte(data))
		if err != nil {
			return
		}
		again, err := Decode(m.Marshal("out.js", ""))
		if err != nil {
			t.Fatalf("a map it read, written, does not read: %v", err)
		}
		// Lines with no segments at the end are not written.
		trim := func(lines [][]Segment) [][]Segment {
			for len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
				lines = lines[:len(lines)-1]
			}
			return lines
		}
		if !slices.EqualFunc(trim(m.Lines), trim(again.Lines), func(a, b []Segment) bool { return len(a) == 0 && len(b) == 0 || slices.Equal(a, b) }) {
			t.Fatalf("round trip:\n got %v\nwant %v", again.Lines, m.Lines)
		}
		if len(m.Sources) == 0 {
			return
		}
		outer := Verbatim("in.js", []byte("a\nbb\nccc\n"), nil)
		for i := range outer.Lines {
			outer.Lines[i] = append(outer.Lines[i], seg(2, 0, i, 5))
		}
		outer.Compose(m, false)
	})
}

// TestVerbatimWords checks that a consumer, which takes the segment at or
// before a column, finds each word of the generated text at its column
// in the source, after edits that change the line's length and after
// non-ASCII text.
func TestVerbatimWords(t *testing.T) {
	src := "@charset \"UTF-8\";\n.é, .b{ color: red; background: url(q) no-repeat }\n"
	gen := "\n.é, .b{ color: red; background: url(qq.123456) no-repeat }\n"
	edits := []Edit{{Line: 0, Start: 0, End: 17, NewLen: 0}, {Line: 1, Start: 36, End: 37, NewLen: 9}}
	m := VerbatimWords("a.css", []byte(src), edits)
	for _, tc := range []struct {
		word      string
		line, col int // in the source, 0-based
	}{
		{".é", 1, 0}, {".b", 1, 4}, {"color", 1, 8}, {"red", 1, 15}, {"background", 1, 20},
		{"url(", 1, 32}, {") no-repeat", 1, 37}, {"no-repeat", 1, 39}, {"}", 1, 49},
	} {
		gl := strings.Index(gen, tc.word)
		line := strings.Count(gen[:gl], "\n")
		col := len(utf16.Encode([]rune(gen[strings.LastIndexByte(gen[:gl], '\n')+1 : gl])))
		s, ok := m.Lookup(line, col)
		if !ok || s.Line != tc.line || s.Col != tc.col {
			t.Errorf("%q at %d:%d maps to %v %v, want %d:%d", tc.word, line, col, s, ok, tc.line, tc.col)
		}
	}
	if got := m.Lines[0]; len(got) != 1 || got[0] != seg(0, 0, 0, 17) {
		t.Errorf("the cut @charset's line: %v, want one segment, after the cut", got)
	}
}
