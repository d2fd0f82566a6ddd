package bundler

import (
	"bytes"
	"context"
	"errors"
	"path"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf16"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/stapler-build/stapler/bundler/internal/sourcemap"
)

// checkOutputs checks the project of fsys and returns its outputs, by
// name, and its warnings.
func checkOutputs(t *testing.T, fsys fstest.MapFS) (map[string]Output, ErrorList) {
	t.Helper()
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
	return outputs, res.Warnings
}

// wantMapped checks that the first occurrence of text in output o maps,
// through its map mo, to source (a logical name), line and col (1-based;
// col 0 for any), where the source's content reads at ("" for anything).
func wantMapped(t *testing.T, o, mo Output, text, source string, line, col int, at string) {
	t.Helper()
	m, err := sourcemap.Decode(mo.Data)
	if err != nil {
		t.Errorf("%s: %v", mo.Name, err)
		return
	}
	l, c := genPos(t, o.Data, text)
	s, ok := m.Lookup(l, c)
	if !ok {
		t.Errorf("%s: %q at %d:%d maps to nothing", o.Name, text, l+1, c)
		return
	}
	// Sources are relative to the map, which is beside the output.
	src := path.Join(path.Dir(o.Name), m.Sources[s.Source])
	if src != source || s.Line+1 != line || col > 0 && s.Col+1 != col {
		t.Errorf("%s: %q maps to %s:%d:%d, want %s:%d:%d", o.Name, text, src, s.Line+1, s.Col+1, source, line, col)
	}
	if at == "" {
		return
	}
	if content := fromColumn(strings.Split(*m.Contents[s.Source], "\n")[s.Line], s.Col); !strings.HasPrefix(content, at) {
		t.Errorf("%s: %q maps to %q, want %q", o.Name, text, content, at)
	}
}

// fromColumn returns line from a map's column, in UTF-16 code units.
func fromColumn(line string, col int) string {
	units := 0
	for i, r := range line {
		if units >= col {
			return line[i:]
		}
		units += utf16.RuneLen(r)
	}
	return ""
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
sources = ["js/one.js", "js/two.js", "js/three.js"]
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
		"static/js/one.js": {Data: []byte("var alpha = 1;\nfunction hello(name) {\n  console.log('hello ' + name);\n}\n")},
		"static/js/two.js": {Data: []byte("// two\n\nfunction bye() {\n  throw new Error('bye');\n}\n")},
		// Compiled from TypeScript, with the map inline: the bundle's map
		// points at the logical name, not at where the inline one does.
		"static/js/three.js": {Data: api.Transform("type N = number\n\nconst three: N = 3\nconsole.info('three', three)\n",
			api.TransformOptions{Loader: api.LoaderTS, Sourcefile: "three.ts", Sourcemap: api.SourceMapInline}).Code},
		"static/css/a.css":     {Data: []byte("@charset \"UTF-8\";\nbody {\n  --é: 1; background: url(../img/a.png) no-repeat; color: red;\n}\n")},
		"static/css/b.css":     {Data: []byte(".x {\n  margin: 0 auto;\n}\n\n.y { color: blue }\n")},
		"static/img/a.png":     {Data: []byte("PNG")},
		"static/app/main.ts":   {Data: []byte("import {greet} from './util'\nconst n: number = 1\nimport('./lazy').then(m => m.run(n))\ngreet(n)\n")},
		"static/app/util.ts":   {Data: []byte("export function greet(n: number) {\n  console.warn('hi', n)\n}\n")},
		"static/app/lazy.ts":   {Data: []byte("import {greet} from './util'\nexport function run(n: number) { greet(n + 1) }\n")},
		"static/app/style.css": {Data: []byte("p { color: red }\n")},
	}
	outputs, _ := checkOutputs(t, fsys)
	for _, tc := range []struct {
		output, text string // a text of the output
		source       string
		line, col    int    // 1-based, where it came from
		at           string // the text at that position of the source, when the column is exact
	}{
		{"js/all.js", "console.log", "js/one.js", 3, 3, "console.log"},
		{"js/all.js", "throw", "js/two.js", 4, 3, "throw"},
		{"js/all.js", "console.info", "js/three.js", 2, 1, "console.info"},
		{"js/plain.js", "throw", "js/two.js", 4, 0, ""},
		{"css/all.css", "body", "css/a.css", 2, 1, "body"},
		{"css/all.css", "color:red", "css/a.css", 3, 52, "color: red"}, // after non-ASCII text and the rewritten url()
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
		wantMapped(t, o, mo, tc.text, tc.source, tc.line, tc.col, tc.at)
		comment := []byte("sourceMappingURL=" + path.Base(mo.Path))
		if hidden := tc.output == "js/plain.js"; bytes.Contains(o.Data, comment) == hidden {
			t.Errorf("%s: comment %q present: %v, want %v", tc.output, comment, !hidden, hidden)
		}
	}
}

// collectedMapsFS is a project whose files [collect] minify changes, each
// with a different kind of map: a map file compiled from TypeScript, an
// inline map, a link to another site's map, none (in a stylesheet and a
// module whose references are rewritten before the text it maps, and
// which is in a cycle).
func collectedMapsFS(t *testing.T, sourcemap string) fstest.MapFS {
	t.Helper()
	compile := func(ts, name string, sm api.SourceMap) api.TransformResult {
		r := api.Transform(ts, api.TransformOptions{Loader: api.LoaderTS, Sourcefile: name, Sourcemap: sm})
		if len(r.Errors) > 0 {
			t.Fatal(r.Errors)
		}
		return r
	}
	lib := compile("// the library\nexport function greet(who: string): string {\n  return 'hello ' + who.toUpperCase()\n}\n", "../ts/lib.ts", api.SourceMapExternal)
	inline := compile("type N = number\nconst n: N = 42\nconsole.info('inline', n)\n", "../ts/inline.ts", api.SourceMapInline)
	return fstest.MapFS{
		"assets.toml": {Data: []byte("output = \"out\"\n" + sourcemap + `
[[root]]
path = "static"
[collect]
minify = true
`)},
		"static/js/lib.js":     {Data: append(lib.Code, "//# sourceMappingURL=lib.js.map\n"...)},
		"static/js/lib.js.map": {Data: lib.Map},
		"static/js/inline.js":  {Data: inline.Code},
		"static/js/remote.js":  {Data: []byte("function remote() {\n  return 'far away'\n}\n//# sourceMappingURL=https://cdn.example/remote.js.map\n")},
		"static/js/mod.mjs":    {Data: []byte("import {x} from './dep.mjs'; export const doubled = x * 2; console.debug(doubled)\n")},
		"static/js/dep.mjs":    {Data: []byte("import './mod.mjs' // a cycle: both share a hash\nexport const x = 21\n")},
		"static/css/site.css":  {Data: []byte("body {\n  --arrow: \"→🙂\"; background: url(../img/a.png) no-repeat; color: red;\n}\n.box {\n  padding: 1px 2px;\n}\n")},
		"static/img/a.png":     {Data: []byte("PNG")},
	}
}

// TestCollectedMaps checks that a file [collect] minify changes keeps a
// map, and gets one when the project makes maps: each position of the
// minified output maps back to the file, line and column of the source
// it came from, through the file's own map when it had one.
func TestCollectedMaps(t *testing.T) {
	for _, sm := range []string{"", `sourcemap = true`, `sourcemap = "hidden"`} {
		t.Run(sm, func(t *testing.T) {
			outputs, warnings := checkOutputs(t, collectedMapsFS(t, sm))
			for _, tc := range []struct {
				output, text string // a text of the output
				mapped       bool   // whether it has a map without sourcemap set
				source       string // where it came from, from the top of the output
				line, col    int    // 1-based
				at           string // the text at that position of the source
			}{
				{"js/lib.js", "toUpperCase", true, "ts/lib.ts", 3, 25, "toUpperCase"},
				{"js/lib.js", "return", true, "ts/lib.ts", 3, 3, "return"},
				{"js/inline.js", "console.info", true, "ts/inline.ts", 3, 1, "console.info"},
				{"js/remote.js", "far away", false, "js/remote.js", 2, 10, "'far away'"},
				{"js/mod.mjs", "console.debug", false, "js/mod.mjs", 1, 60, "console.debug"}, // after the rewritten import
				{"css/site.css", "color:red", false, "css/site.css", 2, 60, "color: red"},    // after non-ASCII text and the rewritten url()
				{"css/site.css", "padding:", false, "css/site.css", 5, 3, "padding: 1px"},    // esbuild maps it to 1:1 (issue 13, item 2)
			} {
				o, ok := outputs[tc.output]
				if !ok {
					t.Fatalf("no output %q", tc.output)
				}
				mo, ok := outputs[tc.output+".map"]
				if want := tc.mapped || sm != ""; ok != want {
					t.Errorf("%s has a map: %v, want %v", tc.output, ok, want)
				}
				if !ok {
					if bytes.Contains(o.Data, []byte("sourceMappingURL")) {
						t.Errorf("%s links a map it does not have:\n%s", tc.output, o.Data)
					}
					continue
				}
				comment := []byte("sourceMappingURL=" + path.Base(mo.Path))
				if hidden := strings.Contains(sm, "hidden"); bytes.Contains(o.Data, comment) == hidden || bytes.Count(o.Data, []byte("sourceMappingURL")) > 1 {
					t.Errorf("%s: comment %q present: %v, want %v:\n%s", tc.output, comment, !hidden, hidden, o.Data)
				}
				wantMapped(t, o, mo, tc.text, tc.source, tc.line, tc.col, tc.at)
			}
			if sm == "" {
				want := "static/js/remote.js:4:1: //# sourceMappingURL=https://cdn.example/remote.js.map is dropped"
				if len(warnings) != 1 || !strings.HasPrefix(warnings[0].Error(), want) {
					t.Errorf("warnings:\n%s\nwant one, %q", warnings, want)
				}
			} else if len(warnings) > 0 {
				t.Errorf("warnings:\n%s", warnings)
			}
		})
	}
}

// TestCollectedMapErrors checks each mistake that keeps [collect] minify
// from making a file's map, reported at its place with every other.
func TestCollectedMapErrors(t *testing.T) {
	const mapOK = `{"version":3,"sources":["lib.ts"],"sourcesContent":["var x = 1"],"mappings":"AAAA"}`
	fsys := fstest.MapFS{
		"assets.toml": {Data: []byte(`output = "out"
sourcemap = true
[[root]]
path = "static"
[collect]
minify = true
`)},
		// Two files link one map.
		"static/js/a.js":          {Data: []byte("var a = 1\n//# sourceMappingURL=shared.js.map\n")},
		"static/js/b.js":          {Data: []byte("var b = 2\n//# sourceMappingURL=shared.js.map\n")},
		"static/js/shared.js.map": {Data: []byte(mapOK)},
		// A stylesheet names a map that a script's minifying remakes.
		"static/css/odd.css": {Data: []byte(".odd {\n  background: url(../js/c.js.map);\n}\n")},
		"static/js/c.js":     {Data: []byte("var c = 3\n//# sourceMappingURL=c.js.map\n")},
		"static/js/c.js.map": {Data: []byte(mapOK)},
		// A map that is not one.
		"static/js/d.js":     {Data: []byte("var d = 4\n\n//# sourceMappingURL=d.js.map\n")},
		"static/js/d.js.map": {Data: []byte(`{"version":3,"sources":["d.ts"],"mappings":"AAAA,!"}`)},
		// An inline map that is not one.
		"static/js/e.js": {Data: []byte("var e = 5\n//# sourceMappingURL=data:application/json;base64,e30=\n")},
		// A file with no map, beside a map of its name that it does not link.
		"static/js/f.js":     {Data: []byte("var f = 6\n")},
		"static/js/f.js.map": {Data: []byte(mapOK)},
		// A link to a map that is not there: reported once.
		"static/js/g.js": {Data: []byte("var g = 7\n//# sourceMappingURL=gg.js.map\n")},
	}
	p, err := Load(Options{FS: fsys, Config: "assets.toml"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Check(context.Background())
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Check: %v; want an ErrorList", err)
	}
	var got []string
	for _, d := range list {
		got = append(got, d.Error())
	}
	want := []string{
		`static/css/odd.css:2:15: url(../js/c.js.map) → "js/c.js.map" is the source map of static/js/c.js, which [collect] minify remakes for that file alone, so nothing else may refer to it`,
		`static/js/b.js:2:1: //# sourceMappingURL=shared.js.map → "js/shared.js.map" is the source map of static/js/a.js too: [collect] minify remakes a map for the one file it maps, so two files cannot share it`,
		`static/js/d.js:3:1: //# sourceMappingURL=d.js.map → "js/d.js.map" cannot be read, so the minified file cannot be mapped: source map: bad mappings: '!' is not a base64 digit`,
		`static/js/e.js:2:1: the inline source map cannot be read: source map: version 0, not 3`,
		`static/js/f.js:1:1: [collect] minify makes the source map of static/js/f.js as "js/f.js.map", but a root has a file of that name, which static/js/f.js does not link: link it with a sourceMappingURL comment, or exclude it`,
		`static/js/g.js:2:1: //# sourceMappingURL=gg.js.map → "js/gg.js.map" not found in any root`,
	}
	for i := range max(len(got), len(want)) {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if !strings.HasPrefix(g, w) || w == "" {
			t.Errorf("diagnostic %d:\n got %s\nwant %s", i, g, w)
		}
	}
}

// TestWrapSourceMaps checks the maps of script bundles with wrap = true,
// minified and not: the wrapper's first line moves every source down one
// line, and each position of the output still maps to where it came from.
func TestWrapSourceMaps(t *testing.T) {
	fsys := fstest.MapFS{
		"assets.toml": {Data: []byte(`output = "out"
[[root]]
path = "static"
[bundle.min]
output = "js/min.js"
sources = ["js/one.js", "js/two.js"]
wrap = true
sourcemap = true
[bundle.plain]
output = "js/plain.js"
sources = ["js/one.js", "js/two.js"]
minify = false
wrap = true
sourcemap = true
`)},
		"static/js/one.js": {Data: []byte("var alpha = 1;\nfunction hello(name) {\n  console.log('hello ' + name);\n}\n")},
		"static/js/two.js": {Data: []byte("// two\n\nfunction bye() {\n  throw new Error('bye');\n}\n")},
	}
	outputs, _ := checkOutputs(t, fsys)
	for _, tc := range []struct {
		output, text string
		source       string
		line, col    int
		at           string
	}{
		{"js/min.js", "console.log", "js/one.js", 3, 3, "console.log"},
		{"js/min.js", "throw", "js/two.js", 4, 3, "throw"},
		{"js/plain.js", "var alpha", "js/one.js", 1, 1, "var alpha"},
		{"js/plain.js", "console.log", "js/one.js", 3, 0, ""}, // a verbatim map: lines
		{"js/plain.js", "throw", "js/two.js", 4, 0, ""},
	} {
		o, mo := outputs[tc.output], outputs[tc.output+".map"]
		if !bytes.HasPrefix(o.Data, []byte("(function() {\n")) || !bytes.Contains(o.Data, []byte("\n}).call(this);\n")) {
			t.Errorf("%s is not wrapped:\n%s", tc.output, o.Data)
			continue
		}
		wantMapped(t, o, mo, tc.text, tc.source, tc.line, tc.col, tc.at)
	}
}
