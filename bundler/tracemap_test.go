package bundler

import (
	"encoding/json"
	"os/exec"
	"path"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf16"

	"github.com/stapler-build/stapler/bundler/internal/sourcemap"
	"github.com/stapler-build/stapler/internal/testenv"
)

// traced is where a source-map consumer says a generated position came
// from: a source (a logical name), a 1-based line and a 0-based column
// in UTF-16 code units, as trace-mapping reports them. Source is "" for
// nothing.
type traced struct {
	Source string `json:"source"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// traceScript reads {map, file, queries} on stdin and prints, for each
// query [line, column] (1-based line, 0-based column), what
// originalPositionFor finds. Sources resolve against the map's URL under
// a made-up origin, so that they come back as the build's logical names.
const traceScript = `
const {TraceMap, originalPositionFor} = require("@jridgewell/trace-mapping");
let input = "";
process.stdin.on("data", d => input += d);
process.stdin.on("end", () => {
  const {map, file, queries} = JSON.parse(input);
  const origin = "https://stapler.invalid/";
  const tm = new TraceMap(map, origin + file);
  const out = queries.map(([line, column]) => {
    const p = originalPositionFor(tm, {line, column});
    return {source: p.source ? p.source.replace(origin, "") : "", line: p.line || 0, column: p.column || 0};
  });
  process.stdout.write(JSON.stringify(out));
});
`

// traceMapping asks @jridgewell/trace-mapping (npm), run by node, where
// each generated position (0-based line and UTF-16 column) of the output
// whose map is mo came from.
func traceMapping(t *testing.T, mo Output, queries [][2]int) []traced {
	t.Helper()
	modules := testenv.NodeModules(t, "@jridgewell/trace-mapping")
	node := testenv.Command(t, "node")
	q := make([][2]int, len(queries))
	for i, p := range queries {
		q[i] = [2]int{p[0] + 1, p[1]}
	}
	in, err := json.Marshal(map[string]any{"map": json.RawMessage(mo.Data), "file": mo.Name, "queries": q})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "-e", traceScript)
	cmd.Env = append(cmd.Environ(), "NODE_PATH="+modules)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("trace-mapping: %v\n%s", err, stderr)
	}
	var res []traced
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("trace-mapping's answer: %v\n%s", err, out)
	}
	return res
}

// staplerTraced is what stapler's own decoder finds at the same
// positions, in trace-mapping's terms.
func staplerTraced(t *testing.T, mo Output, queries [][2]int) []traced {
	t.Helper()
	m, err := sourcemap.Decode(mo.Data)
	if err != nil {
		t.Fatalf("%s: %v", mo.Name, err)
	}
	res := make([]traced, len(queries))
	for i, q := range queries {
		if s, ok := m.Lookup(q[0], q[1]); ok {
			res[i] = traced{path.Join(path.Dir(mo.Name), m.Sources[s.Source]), s.Line + 1, s.Col}
		}
	}
	return res
}

// utf16Col returns the column, in UTF-16 code units, of byte offset i of
// line.
func utf16Col(line string, i int) int {
	n := 0
	for _, r := range line[:i] {
		n += utf16.RuneLen(r)
	}
	return n
}

// TestStylesheetMapsTwoSources guards issue 13, item 1: a source that
// ends in a newline left a segment on the empty line after it, where the
// next source starts, and .bbb mapped to css/a.css:2:0. Both readers,
// trace-mapping and stapler's own, must find each rule and declaration
// in its file, minified and not.
func TestStylesheetMapsTwoSources(t *testing.T) {
	for _, minify := range []bool{true, false} {
		fsys := fstest.MapFS{
			"assets.toml": {Data: []byte(`output = "out"
[[root]]
path = "static"
[bundle.styles]
output = "css/all.css"
sources = ["css/a.css", "css/b.css"]
sourcemap = true
minify = ` + map[bool]string{true: "true", false: "false"}[minify] + "\n")},
			"static/css/a.css": {Data: []byte(".aaa { color: red; }\n")},
			"static/css/b.css": {Data: []byte(".bbb { color: blue; }\n.bbb2 { color: green; }\n")},
		}
		outputs, _ := checkOutputs(t, fsys)
		o, mo := outputs["css/all.css"], outputs["css/all.css.map"]
		want := []struct {
			text, minified string // its first occurrence in the output
			traced
		}{
			{".aaa", ".aaa", traced{"css/a.css", 1, 0}},
			{"color", "color", traced{"css/a.css", 1, 7}},
			{".bbb", ".bbb", traced{"css/b.css", 1, 0}},
			{"color: blue", "color:#00f", traced{"css/b.css", 1, 7}},
			{".bbb2", ".bbb2", traced{"css/b.css", 2, 0}},
			{"color: green", "color:green", traced{"css/b.css", 2, 8}},
		}
		var queries [][2]int
		for _, w := range want {
			text := w.text
			if minify {
				text = w.minified
			}
			l, c := genPos(t, o.Data, text)
			queries = append(queries, [2]int{l, utf16Col(strings.Split(string(o.Data), "\n")[l], c)})
		}
		for reader, got := range map[string][]traced{
			"trace-mapping": traceMapping(t, mo, queries),
			"stapler":       staplerTraced(t, mo, queries),
		} {
			for i, w := range want {
				if got[i] != w.traced {
					t.Errorf("minify=%t: %s: %q maps to %s:%d:%d, want %s:%d:%d", minify, reader, w.text,
						got[i].Source, got[i].Line, got[i].Column, w.Source, w.Line, w.Column)
				}
			}
		}
		// One segment per generated position: two at one column leave
		// consumers to choose, and they do not choose alike.
		m, err := sourcemap.Decode(mo.Data)
		if err != nil {
			t.Fatal(err)
		}
		for l, segs := range m.Lines {
			for k := 1; k < len(segs); k++ {
				if segs[k].GenCol == segs[k-1].GenCol {
					t.Errorf("minify=%t: two segments at %d:%d: %v, %v", minify, l+1, segs[k].GenCol, segs[k-1], segs[k])
				}
			}
		}
	}
}
