package bundler

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
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

// cssItem is a selector (each of a rule's list) or a declaration of a
// stylesheet, found by cssItems: a reading of CSS that is the test's own,
// not stapler's.
type cssItem struct {
	decl bool
	text string // a selector, or a declaration's property
	full string // the selector, or the whole declaration, spaces collapsed
	at   int    // byte offset
}

// cssItems returns the selectors and declarations of a stylesheet with no
// nesting: a block holds rules (what reaches a "{" first) or declarations
// (what reaches a ";" or "}" first). An at-rule's prelude is neither.
func cssItems(s string) []cssItem {
	var items []cssItem
	// skip returns the end of the comment or string at i, or i.
	skip := func(i int) int {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			if k := strings.Index(s[i+2:], "*/"); k >= 0 {
				return i + 2 + k + 2
			}
			return len(s)
		case s[i] == '"' || s[i] == '\'':
			for j := i + 1; j < len(s); j++ {
				switch s[j] {
				case '\\':
					j++
				case s[i]:
					return j + 1
				}
			}
			return len(s)
		}
		return i
	}
	collapse := func(t string) string { return strings.Join(strings.Fields(t), " ") }
	for i := 0; i < len(s); {
		if k := skip(i); k != i {
			i = k
			continue
		}
		if strings.ContainsRune(" \t\r\n\f}", rune(s[i])) {
			i++
			continue
		}
		start, depth := i, 0
		j := i
		for j < len(s) {
			if k := skip(j); k != j {
				j = k
				continue
			}
			c := s[j]
			if depth == 0 && (c == '{' || c == ';' || c == '}') {
				break
			}
			switch c {
			case '(', '[':
				depth++
			case ')', ']':
				depth--
			}
			j++
		}
		text := s[start:j]
		switch {
		case s[start] == '@':
		case j < len(s) && s[j] == '{':
			// A selector list: each starts after a comma, spaces and
			// comments aside.
			k := start
			for k < j {
				for k < j && (strings.ContainsRune(" \t\r\n\f", rune(s[k])) || strings.HasPrefix(s[k:], "/*")) {
					k = max(k+1, skip(k))
				}
				end, depth := k, 0
				for end < j && (depth > 0 || s[end] != ',') {
					if n := skip(end); n != end {
						end = n
						continue
					}
					switch s[end] {
					case '(', '[':
						depth++
					case ')', ']':
						depth--
					}
					end++
				}
				if end > k {
					sel := collapse(s[k:end])
					items = append(items, cssItem{text: sel, full: sel, at: k})
				}
				k = end + 1
			}
		default:
			if colon := strings.IndexByte(text, ':'); colon > 0 {
				items = append(items, cssItem{decl: true, text: strings.TrimSpace(text[:colon]), full: collapse(text), at: start})
			}
		}
		i = j + 1
	}
	return items
}

// lines indexes a text's lines: lineCol returns the 0-based line and
// UTF-16 column of a byte offset.
type lines struct {
	s      string
	starts []int
}

func newLines(s string) lines {
	starts := []int{0}
	for i := range len(s) {
		if s[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return lines{s, starts}
}

func (ls lines) lineCol(at int) (int, int) {
	l, found := slices.BinarySearch(ls.starts, at)
	if !found {
		l--
	}
	return l, utf16Col(ls.s[ls.starts[l]:], at-ls.starts[l])
}

// TestStylesheetMapsTraced guards issue 13, items 1 and 2 on a real
// stylesheet: bootstrap's CSS, cut at top-level rules into six sources
// of a bundle. trace-mapping (npm), as a browser's tools would, must find
// every selector and every declaration of the bundle at a selector or a
// declaration of the same property in a source (at its line and column):
// the very one, unminified; one that esbuild's minifying kept or merged
// into it, minified. esbuild places box shorthands (margin, padding,
// inset, border-radius) at 1:0 of its input, the first source's top; the
// bundle's map must not say so.
func TestStylesheetMapsTraced(t *testing.T) {
	dir := testenv.NodeModules(t, "@jridgewell/trace-mapping")
	css, err := os.ReadFile(filepath.Join(dir, "bootstrap", "dist", "css", "bootstrap.css"))
	if err != nil {
		t.Fatal(err)
	}
	var parts []lines
	sources := map[string][]cssItem{} // by logical name
	var names []string
	work := t.TempDir()
	for i, p := range cutAtRules(string(css), 6) {
		name := fmt.Sprintf("css/part%d.css", i+1)
		names = append(names, strconv.Quote(name))
		sources[name] = cssItems(p)
		parts = append(parts, newLines(p))
		writeFile(t, filepath.Join(work, "static", name), p)
	}
	for _, minify := range []bool{false, true} {
		t.Run(fmt.Sprintf("minify=%t", minify), func(t *testing.T) {
			config := filepath.Join(work, fmt.Sprintf("assets-%t.toml", minify))
			writeFile(t, config, fmt.Sprintf("output = \"out\"\n[[root]]\npath = \"static\"\n[bundle.bootstrap]\noutput = \"css/bootstrap.css\"\nsources = [%s]\nsourcemap = true\nminify = %t\n",
				strings.Join(names, ", "), minify))
			p, err := Load(Options{Config: config})
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Check(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var o, mo Output
			for _, out := range res.Outputs {
				switch out.Name {
				case "css/bootstrap.css":
					o = out
				case "css/bootstrap.css.map":
					mo = out
				}
			}
			gen := string(o.Data)
			t.Logf("%s: %d bytes, its map %d bytes", o.Name, len(o.Data), len(mo.Data))
			items := cssItems(gen)
			queries := make([][2]int, len(items))
			genLines := newLines(gen)
			for i, it := range items {
				queries[i][0], queries[i][1] = genLines.lineCol(it.at)
			}
			for reader, got := range map[string][]traced{
				"trace-mapping": traceMapping(t, mo, queries),
				"stapler":       staplerTraced(t, mo, queries),
			} {
				bad := 0
				for i, it := range items {
					if why := wrongItem(it, got[i], sources, parts, minify); why != "" {
						if bad++; bad <= 20 {
							t.Errorf("%s: %q at %d:%d maps to %s:%d:%d, %s", reader, it.full, queries[i][0]+1, queries[i][1], got[i].Source, got[i].Line, got[i].Column, why)
						}
					}
				}
				if bad > 0 {
					t.Errorf("%s: %d of %d selectors and declarations mapped wrong", reader, bad, len(items))
				}
				t.Logf("%s: %d selectors and declarations checked", reader, len(items))
			}
		})
	}
}

// wrongItem says why the position got is not where item came from, or
// returns "".
func wrongItem(item cssItem, got traced, sources map[string][]cssItem, parts []lines, minify bool) string {
	var part lines
	for i, p := range parts {
		if got.Source == fmt.Sprintf("css/part%d.css", i+1) {
			part = p
		}
	}
	if part.s == "" {
		return "not a source"
	}
	for _, s := range sources[got.Source] {
		if l, c := part.lineCol(s.at); l+1 != got.Line || c != got.Column {
			continue
		}
		switch {
		case s.decl != item.decl:
			return fmt.Sprintf("which is %q", s.full)
		case !minify && s.full != item.full:
			return fmt.Sprintf("which is %q", s.full)
		case item.decl && family(s.text) != family(item.text):
			return fmt.Sprintf("which is %q, another property", s.full)
		case !item.decl && canonical(s.text) != canonical(item.text):
			return fmt.Sprintf("which is %q, another selector", s.full)
		}
		return ""
	}
	return "where no selector or declaration starts"
}

// family returns what a property and those esbuild merges it with have
// in common: margin for margin-top, border for border-top-left-radius,
// inset for top.
func family(prop string) string {
	if strings.HasPrefix(prop, "--") {
		return prop
	}
	prop = strings.TrimPrefix(prop, "-webkit-")
	prop = strings.TrimPrefix(prop, "-moz-")
	f, _, _ := strings.Cut(prop, "-")
	switch f {
	case "top", "right", "bottom", "left":
		return "inset"
	}
	return f
}

// canonical returns a selector as esbuild's minifying writes it: no
// spaces around combinators, attribute values unquoted where they can
// be, :nth-child(even) as (2n), the pseudo-elements of CSS 2 with one colon, keyframes' 0% and
// 100% as from and to (the shorter of each).
func canonical(sel string) string {
	sel = strings.NewReplacer(" > ", ">", " + ", "+", " ~ ", "~", "\"", "", "'", "", "(even)", "(2n)").Replace(sel)
	for _, pe := range []string{"after", "before", "first-line", "first-letter"} {
		sel = strings.ReplaceAll(sel, "::"+pe, ":"+pe)
	}
	switch sel {
	case "from":
		return "0%"
	case "100%":
		return "to"
	}
	return sel
}

// cutAtRules cuts a stylesheet into n parts of about the same size, each
// cut at the start of a line outside every block.
func cutAtRules(s string, n int) []string {
	var parts []string
	depth, last := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case strings.HasPrefix(s[i:], "/*"):
			if k := strings.Index(s[i+2:], "*/"); k >= 0 {
				i += k + 3
			}
		case s[i] == '{':
			depth++
		case s[i] == '}':
			depth--
		case s[i] == '\n' && depth == 0 && i+1 < len(s) && s[i+1] != '\n' &&
			i+1-last >= len(s)/n && len(parts) < n-1:
			parts = append(parts, s[last:i+1])
			last = i + 1
		}
	}
	return append(parts, s[last:])
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
