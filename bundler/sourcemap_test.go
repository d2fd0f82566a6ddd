package bundler

import (
	"bytes"
	"context"
	"errors"
	"path"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
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
		m := &sourceMap{lines: lines}
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

func seg(genCol, src, line, col int) segment {
	return segment{genCol: genCol, src: src, line: line, col: col, name: -1}
}

func TestShift(t *testing.T) {
	m := &sourceMap{sources: []string{"a"}, lines: [][]segment{
		{seg(0, 0, 0, 0), seg(10, 0, 0, 4), seg(12, 0, 0, 6), seg(20, 0, 0, 9), seg(30, 0, 0, 12)},
		{seg(5, 0, 1, 0)},
	}}
	// Columns 10–20 of line 0 become 4 bytes longer; 25–30 become empty.
	m.shift([]edit{{line: 0, start: 10, end: 20, newLen: 14}, {line: 0, start: 25, end: 30, newLen: 0}})
	want := [][]segment{
		{seg(0, 0, 0, 0), seg(10, 0, 0, 4), seg(10, 0, 0, 6), seg(24, 0, 0, 9), seg(29, 0, 0, 12)},
		{seg(5, 0, 1, 0)},
	}
	if !slices.EqualFunc(m.lines, want, slices.Equal) {
		t.Errorf("shifted:\n got %v\nwant %v", m.lines, want)
	}
}

func TestComposeAndAppend(t *testing.T) {
	// Two sources joined, the second from line 3; then "minified" onto
	// one line by a map over the concatenation.
	a := lineMap("a.css", []byte("x{}\ny{}\n"), nil)
	b := lineMap("b.css", []byte("zz url(q)\n"), []edit{{line: 0, start: 7, end: 8, newLen: 5}})
	concat := &sourceMap{}
	concat.appendMap(a, 0)
	concat.appendMap(b, 3)
	if got, want := concat.sources, []string{"a.css", "b.css"}; !slices.Equal(got, want) {
		t.Fatalf("sources = %q, want %q", got, want)
	}
	outer := &sourceMap{sources: []string{"joined"}, lines: [][]segment{{seg(0, 0, 0, 0), seg(3, 0, 1, 0), seg(6, 0, 3, 3), seg(9, 0, 3, 12)}}}
	m := outer.compose(concat)
	want := [][]segment{{seg(0, 0, 0, 0), seg(3, 0, 1, 0), seg(6, 1, 0, 3), seg(9, 1, 0, 8)}}
	if !slices.EqualFunc(m.lines, want, slices.Equal) {
		t.Errorf("composed:\n got %v\nwant %v", m.lines, want)
	}
	if s, ok := m.lookup(0, 7); !ok || m.sources[s.src] != "b.css" || s.line != 0 {
		t.Errorf("lookup(0, 7) = %v, %v", s, ok)
	}
}

// genPos returns the 0-based line and column where text first occurs in
// data.
func genPos(t *testing.T, data []byte, text string) (int, int) {
	t.Helper()
	i := bytes.Index(data, []byte(text))
	if i < 0 {
		t.Fatalf("%q not in output:\n%s", text, data)
	}
	return bytes.Count(data[:i], []byte{'\n'}), i - (bytes.LastIndexByte(data[:i], '\n') + 1)
}

// TestSourceMaps builds script, stylesheet and entry bundles with source
// maps, minified and not, and checks that a position in each output maps
// back to the source file, line and column it came from.
func TestSourceMaps(t *testing.T) {
	fsys := fstest.MapFS{
		"assets.toml": {Data: []byte(`output = "out"
[[root]]
path = "static"
[bundle.scripts]
output = "js/all.js"
sources = ["js/one.js", "js/two.js"]
sourcemap = true
[bundle.plain]
output = "js/plain.js"
sources = ["js/one.js", "js/two.js"]
minify = false
sourcemap = "hidden"
[bundle.styles]
output = "css/all.css"
sources = ["css/a.css", "css/b.css"]
sourcemap = true
[bundle.app]
entry = "app/main.ts"
output = "js/app.js"
sourcemap = true
`)},
		"static/js/one.js":     {Data: []byte("var alpha = 1;\nfunction hello(name) {\n  console.log('hello ' + name);\n}\n")},
		"static/js/two.js":     {Data: []byte("// two\n\nfunction bye() {\n  throw new Error('bye');\n}\n")},
		"static/css/a.css":     {Data: []byte("@charset \"UTF-8\";\nbody {\n  background: url(../img/a.png) no-repeat; color: red;\n}\n")},
		"static/css/b.css":     {Data: []byte(".x {\n  margin: 0 auto;\n}\n\n.y { color: blue }\n")},
		"static/img/a.png":     {Data: []byte("PNG")},
		"static/app/main.ts":   {Data: []byte("import {greet} from './util'\nconst n: number = 1\nimport('./lazy').then(m => m.run(n))\ngreet(n)\n")},
		"static/app/util.ts":   {Data: []byte("export function greet(n: number) {\n  console.warn('hi', n)\n}\n")},
		"static/app/lazy.ts":   {Data: []byte("import {greet} from './util'\nexport function run(n: number) { greet(n + 1) }\n")},
		"static/app/style.css": {Data: []byte("p { color: red }\n")},
	}
	p, err := Load(Options{FS: fsys, Config: "assets.toml"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]Output{}
	for _, o := range res.Outputs {
		outputs[o.Name] = o
	}
	for _, tc := range []struct {
		output, text string // a text of the output
		source       string
		line, col    int    // 1-based, where it came from
		at           string // the text at that position of the source, when the column is exact
	}{
		{"js/all.js", "console.log", "js/one.js", 3, 3, "console.log"},
		{"js/all.js", "throw", "js/two.js", 4, 3, "throw"},
		{"js/plain.js", "throw", "js/two.js", 4, 0, ""},
		{"css/all.css", "body", "css/a.css", 2, 1, "body"},
		{"css/all.css", "color:red", "css/a.css", 3, 44, "color: red"}, // after the rewritten url()
		{"css/all.css", ".y", "css/b.css", 5, 1, ".y"},
		{"js/app.chunk.js", "console.warn", "app/util.ts", 2, 3, "console.warn"},
		{"js/app.js", "then(", "app/main.ts", 3, 18, "then"}, // after the rewritten import()
		{"js/app.lazy.js", "+1", "app/lazy.ts", 2, 0, ""},
	} {
		o, ok := outputs[tc.output]
		if !ok {
			t.Errorf("no output %q", tc.output)
			continue
		}
		mo, ok := outputs[tc.output+".map"]
		if !ok {
			t.Errorf("no map of %q", tc.output)
			continue
		}
		m, err := decodeMap(mo.Data)
		if err != nil {
			t.Errorf("%s: %v", mo.Name, err)
			continue
		}
		line, col := genPos(t, o.Data, tc.text)
		s, ok := m.lookup(line, col)
		if !ok {
			t.Errorf("%s: %q at %d:%d maps to nothing", tc.output, tc.text, line+1, col)
			continue
		}
		src := path.Clean(strings.TrimPrefix(m.sources[s.src], "../"))
		if src != tc.source || s.line+1 != tc.line || tc.col > 0 && s.col+1 != tc.col {
			t.Errorf("%s: %q maps to %s:%d:%d, want %s:%d:%d", tc.output, tc.text, src, s.line+1, s.col+1, tc.source, tc.line, tc.col)
		}
		if tc.at != "" {
			content := strings.Split(*m.contents[s.src], "\n")[s.line]
			if !strings.HasPrefix(content[s.col:], tc.at) {
				t.Errorf("%s: %q maps to %q, want %q", tc.output, tc.text, content[s.col:], tc.at)
			}
		}
		comment := []byte("sourceMappingURL=" + path.Base(mo.Path))
		if hidden := tc.output == "js/plain.js"; bytes.Contains(o.Data, comment) == hidden {
			t.Errorf("%s: comment %q present: %v, want %v", tc.output, comment, !hidden, hidden)
		}
	}
}
