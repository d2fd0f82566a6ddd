package bundler

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/stapler-build/stapler/bundler/internal/sourcemap"
)

// TestFixShorthands guards issue 13, item 2: esbuild maps the box
// shorthands of a minified stylesheet to 1:1 of its input. Once repaired,
// each declaration maps to the start of the property it came from (for
// a merged margin, the one of its first value).
func TestFixShorthands(t *testing.T) {
	in := ".a { color: red }\n.b {\n  margin: 0 auto;\n  padding: 1px 2px;\n  inset: 0;\n  border-radius: 3px;\n  margin-top: 1px;\n}\n.c { padding: 0 }\n"
	out, mapData, diags := transformMap([]byte(in), "in.css", api.LoaderCSS, true, true)
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	m, err := sourcemap.Decode(mapData)
	if err != nil {
		t.Fatal(err)
	}
	at := func(m *sourcemap.Map, text string) string {
		l, c := genPos(t, out, text)
		s, ok := m.Lookup(l, c)
		if !ok {
			return "nothing"
		}
		line := strings.Split(in, "\n")[s.Line]
		return strings.Fields(fromColumn(line, s.Col))[0]
	}
	if got := at(m, "margin:"); got != ".a" {
		t.Logf("esbuild's own map puts margin at %q, not at .a: is its bug fixed?", got)
	}
	fixShorthands(m, out, textIs([]byte(in)))
	for text, want := range map[string]string{
		".a{":            ".a",
		"color:":         "color:",
		"margin:1px":     "margin-top:", // merged: its first value is margin-top's
		"padding:1px":    "padding:",
		"inset:":         "inset:",
		"border-radius:": "border-radius:",
		"padding:0":      "padding:",
	} {
		if got := at(m, text); got != want {
			t.Errorf("%q maps to %q, want %q\n%s", text, got, want, out)
		}
	}
}

// TestFixShorthandsFallback checks the repairs of a declaration whose
// value has no segment of its own: the segment before it on its line,
// or none.
func TestFixShorthandsFallback(t *testing.T) {
	seg := func(genCol, line, col int) sourcemap.Segment {
		return sourcemap.Segment{GenCol: genCol, Line: line, Col: col, Name: -1}
	}
	in := []byte(".x{}\n.a {\n  margin: 0;\n}\n")
	out := []byte(".a{margin:0}\nmargin:0\n")
	m := &sourcemap.Map{Sources: []string{"in.css"}, Lines: [][]sourcemap.Segment{
		{seg(0, 1, 0), seg(3, 0, 0)}, // margin at 0:0, its value unmapped
		{seg(0, 0, 0)},               // not a declaration: kept
	}}
	fixShorthands(m, out, textIs(in))
	want := [][]sourcemap.Segment{{seg(0, 1, 0), seg(3, 1, 0)}, {seg(0, 0, 0)}}
	if !slices.EqualFunc(m.Lines, want, slices.Equal) {
		t.Errorf("repaired:\n got %v\nwant %v", m.Lines, want)
	}

	out = []byte("{margin:0}\n")
	m = &sourcemap.Map{Sources: []string{"in.css"}, Lines: [][]sourcemap.Segment{{seg(1, 0, 0), seg(7, 2, 10)}}}
	fixShorthands(m, out, textIs(in))
	want = [][]sourcemap.Segment{{seg(1, 2, 2), seg(7, 2, 10)}}
	if !slices.EqualFunc(m.Lines, want, slices.Equal) {
		t.Errorf("repaired from its value:\n got %v\nwant %v", m.Lines, want)
	}

	m = &sourcemap.Map{Sources: []string{"in.css"}, Lines: [][]sourcemap.Segment{{seg(1, 0, 0)}}}
	fixShorthands(m, out, textIs(in))
	if len(m.Lines[0]) != 0 {
		t.Errorf("with nothing to go by: %v, want the segment dropped", m.Lines[0])
	}
}

// TestFixShorthandsEntry checks the map of an entry bundle's stylesheet,
// where esbuild puts a box shorthand at 1:1 of its own source.
func TestFixShorthandsEntry(t *testing.T) {
	for _, minify := range []string{"true", "false"} {
		fsys := fstest.MapFS{
			"assets.toml": {Data: []byte(`output = "out"
[[root]]
path = "static"
[bundle.site]
entry = "app/site.css"
output = "css/site.css"
sourcemap = true
minify = ` + minify + "\n")},
			"static/app/site.css": {Data: []byte("@import \"./box.css\";\n.a { color: red }\n")},
			"static/app/box.css":  {Data: []byte(".x { color: blue }\n.b {\n  margin: 0 auto;\n  padding: 1px;\n}\n")},
		}
		outputs, _ := checkOutputs(t, fsys)
		o, mo := outputs["css/site.css"], outputs["css/site.css.map"]
		wantMapped(t, o, mo, "margin", "app/box.css", 3, 3, "margin: 0 auto")
		wantMapped(t, o, mo, "padding", "app/box.css", 4, 3, "padding: 1px")
		wantMapped(t, o, mo, ".a", "app/site.css", 2, 1, ".a")
	}
}
