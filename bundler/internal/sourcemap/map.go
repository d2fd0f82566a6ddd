package sourcemap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Map is a decoded map: its mappings as segments, by generated line.
// Its fields are plain data, so that a caller renames sources in place
// (to the logical names a build serves) instead of through accessors. The
// zero Map maps nothing, and a concatenation's map starts from it.
type Map struct {
	Sources  []string
	Contents []*string // sourcesContent, beside Sources; nil entries for none
	Names    []string
	Lines    [][]Segment // by generated line, 0-based
}

// Segment maps a generated column to a position in a source. All values
// are 0-based; Source is -1 for a segment that maps to no source, and
// Name -1 for one with no name. Source and Name index the map's Sources
// and Names. Columns count UTF-16 code units, as every consumer does.
type Segment struct {
	GenCol            int
	Source, Line, Col int
	Name              int
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

// Decode decodes a map in JSON. An index map, with sections, is decoded
// as the one plain map it stands for. The sourceRoot, when there is one,
// is joined to each source, so a map read here has none. The errors are
// plain, each starting "source map: ", for the caller to place.
func Decode(data []byte) (*Map, error) {
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
	m := &Map{Sources: j.Sources, Names: j.Names, Contents: j.SourcesContent}
	for len(m.Contents) < len(m.Sources) {
		m.Contents = append(m.Contents, nil)
	}
	if j.SourceRoot != "" {
		for i, s := range m.Sources {
			m.Sources[i] = j.SourceRoot + s
		}
	}
	var err error
	m.Lines, err = decodeMappings(j.Mappings, len(m.Sources), len(m.Names))
	return m, err
}

// maxSectionLine is the last line an index map's section may start at.
// Lines are allocated up to a section's offset, so without a bound a map
// of a few bytes could ask for gigabytes; a million lines is past the end
// of any file a build maps.
const maxSectionLine = 1 << 20

// decodeSections joins the maps of an index map's sections, each moved to
// its offset and cut at the next one's. Sections come in order.
func decodeSections(sections []mapSection) (*Map, error) {
	m := &Map{}
	line, col := 0, 0 // the previous section's offset
	for i, s := range sections {
		o := s.Offset
		if o.Line < line || o.Line == line && o.Column < col || o.Column < 0 {
			return nil, fmt.Errorf("source map: section %d is out of order", i)
		}
		if o.Line > maxSectionLine {
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
		part, err := Decode(s.Map)
		if err != nil {
			return nil, fmt.Errorf("section %d: %w", i, err)
		}
		// A section maps the text up to the next one's offset, where
		// Append cuts it.
		m.Append(part, o.Line, o.Column)
	}
	return m, nil
}

// decodeMappings decodes a map's mappings: fields are relative to the
// previous segment's, the generated column only within a line.
func decodeMappings(s string, nsources, nnames int) ([][]Segment, error) {
	var lines [][]Segment
	var src, sline, scol, name int
	for _, text := range strings.Split(s, ";") {
		var line []Segment
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
			seg := Segment{GenCol: genCol, Source: -1, Name: -1}
			if n >= 4 {
				src += f[1]
				sline += f[2]
				scol += f[3]
				if src < 0 || src >= nsources || sline < 0 || scol < 0 {
					return nil, fmt.Errorf("%w: a segment out of range", errBadMappings)
				}
				seg.Source, seg.Line, seg.Col = src, sline, scol
			}
			if n == 5 {
				name += f[4]
				if name < 0 || name >= nnames {
					return nil, fmt.Errorf("%w: a name out of range", errBadMappings)
				}
				seg.Name = name
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
func (m *Map) mappings() string {
	var b []byte
	var src, sline, scol, name int
	for i, line := range m.Lines {
		if i > 0 {
			b = append(b, ';')
		}
		genCol := 0
		for j, seg := range line {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendVLQ(b, seg.GenCol-genCol)
			genCol = seg.GenCol
			if seg.Source < 0 {
				continue
			}
			b = appendVLQ(b, seg.Source-src)
			b = appendVLQ(b, seg.Line-sline)
			b = appendVLQ(b, seg.Col-scol)
			src, sline, scol = seg.Source, seg.Line, seg.Col
			if seg.Name >= 0 {
				b = appendVLQ(b, seg.Name-name)
				name = seg.Name
			}
		}
	}
	return string(b)
}

// Marshal returns the map in JSON, for the output named file (its last
// path element), with sources relative to sourceRoot. It writes a plain
// map, never an index map, with sourcesContent only when a source has
// content, and nothing that varies between runs.
func (m *Map) Marshal(file, sourceRoot string) []byte {
	j := mapJSON{Version: 3, File: file, SourceRoot: sourceRoot, Sources: m.Sources, Names: m.Names, Mappings: m.mappings()}
	if slices.ContainsFunc(m.Contents, func(s *string) bool { return s != nil }) {
		j.SourcesContent = m.Contents
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
