package scan

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// checkRef checks what every reference found in src must satisfy: its
// ranges lie inside src, in order; src[start:end] is its URL; its text
// is what src holds at at.
func checkRef(t *testing.T, src string, r Ref) {
	t.Helper()
	if r.At < 0 || r.At > r.Start || r.Start > r.End || r.End > len(src) {
		t.Fatalf("%q: at %d, start %d, end %d out of order or outside 0..%d", r.Text, r.At, r.Start, r.End, len(src))
	}
	if got := src[r.Start:r.End]; got != r.URL {
		t.Errorf("src[start:end] = %q, url %q", got, r.URL)
	}
	if !strings.HasPrefix(src[r.At:], r.Text) {
		t.Errorf("text %q is not at %d: %q", r.Text, r.At, src[r.At:min(len(src), r.At+len(r.Text))])
	}
	if r.Kind != SourceMap && r.Kind != Module {
		t.Errorf("%q: kind %d, want SourceMap or Module", r.Text, r.Kind)
	}
}

func TestScanJS(t *testing.T) {
	tests := []struct {
		name string
		js   string
		want []string // each reference: "text | url"
	}{
		{"comment at end", "var a = 1;\n//# sourceMappingURL=a.js.map",
			[]string{"//# sourceMappingURL=a.js.map | a.js.map"}},
		{"comment at end, newline", "var a = 1;\n//# sourceMappingURL=a.js.map\n",
			[]string{"//# sourceMappingURL=a.js.map | a.js.map"}},
		{"first line (Django's source_map.js)", "//# sourceMappingURL=source_map.js.map\nlet a_variable = 1;\n",
			[]string{"//# sourceMappingURL=source_map.js.map | source_map.js.map"}},
		{"trailing tab and space (Django's source_map_trailing_whitespace.js)", "//# sourceMappingURL=source_map.js.map\t \nlet a_variable = 1;\n",
			[]string{"//# sourceMappingURL=source_map.js.map | source_map.js.map"}},
		{"trailing spaces, CRLF", "x();\r\n//# sourceMappingURL=x.js.map  \r\n",
			[]string{"//# sourceMappingURL=x.js.map | x.js.map"}},
		{"tab after #", "x();\n//#\tsourceMappingURL=x.js.map\n",
			[]string{"//#\tsourceMappingURL=x.js.map | x.js.map"}},
		{"legacy //@", "x();\n//@ sourceMappingURL=old.js.map\n",
			[]string{"//@ sourceMappingURL=old.js.map | old.js.map"}},
		{"after code on the same line", "x(); //# sourceMappingURL=x.js.map\n",
			[]string{"//# sourceMappingURL=x.js.map | x.js.map"}},
		{"query and fragment kept in the URL", "//# sourceMappingURL=x.js.map?v=2#f\n",
			[]string{"//# sourceMappingURL=x.js.map?v=2#f | x.js.map?v=2#f"}},
		{"data: URL", "x();\n//# sourceMappingURL=data:application/json;charset=utf8;base64,eyJ2ZXJzaW9uIjozfQ==\n",
			[]string{"//# sourceMappingURL=data:application/json;charset=utf8;base64,eyJ2ZXJzaW9uIjozfQ== | data:application/json;charset=utf8;base64,eyJ2ZXJzaW9uIjozfQ=="}},
		{"several comments", "//# sourceMappingURL=a.js.map\nvar a;\n// a comment\n//# sourceMappingURL=b.js.map\n",
			[]string{"//# sourceMappingURL=a.js.map | a.js.map", "//# sourceMappingURL=b.js.map | b.js.map"}},

		// Not a link.
		{"wrong case (Django's source_map_sensitive.js)", "//# sOuRcEMaPpInGURL=source_map.js.map\n", nil},
		{"lower case keyword", "//# sourcemappingurl=x.js.map\n", nil},
		{"no # or @", "// sourceMappingURL=x.js.map\n", nil},
		{"no space after #", "//#sourceMappingURL=x.js.map\n", nil}, // Django's pattern needs one too
		{"space before #", "// # sourceMappingURL=x.js.map\n", nil},
		{"empty URL", "//# sourceMappingURL=\n", nil},
		{"empty URL, trailing space", "//# sourceMappingURL= \n", nil},
		{"in a block comment", "/*\n//# sourceMappingURL=x.js.map\n*/\nx();\n", nil},
		{"in a double-quoted string", `var s = "//# sourceMappingURL=x.js.map";`, nil},
		{"in a single-quoted string", `var s = '\n//# sourceMappingURL=x.js.map';`, nil},
		{"in a template literal", "var t = `\n//# sourceMappingURL=x.js.map\n`;\n", nil},
		{"in a template literal, after a substitution", "var t = `${a}\n//# sourceMappingURL=x.js.map\n${b}`;\n", nil},
		{"in a regular expression", "var r = /[//]# sourceMappingURL=x.js.map/;\n", nil},
		{"in a regular expression after return", "function f(s) {\n  return /[//]# sourceMappingURL=x.js.map/.test(s);\n}\n", nil},
		{"in a regular expression after (", "f(/[//]# sourceMappingURL=x.js.map/);\n", nil},
		{"in a regular expression at the start", "/[//]# sourceMappingURL=x.js.map/.test(s);\n", nil},

		// A division is no regular expression: the comment after it is one.
		{"after a division", "var x = a / 2 //# sourceMappingURL=ok.js.map\n",
			[]string{"//# sourceMappingURL=ok.js.map | ok.js.map"}},
		{"after a division by a call", "var x = f(a) / g(b) //# sourceMappingURL=ok.js.map\n",
			[]string{"//# sourceMappingURL=ok.js.map | ok.js.map"}},
		{"after a division of an index", "var x = a[0] / b[1] //# sourceMappingURL=ok.js.map\n",
			[]string{"//# sourceMappingURL=ok.js.map | ok.js.map"}},
		{"after /=", "a /= 2 //# sourceMappingURL=ok.js.map\n",
			[]string{"//# sourceMappingURL=ok.js.map | ok.js.map"}},
		{"after a regular expression", "var r = /a/g; //# sourceMappingURL=ok.js.map\n",
			[]string{"//# sourceMappingURL=ok.js.map | ok.js.map"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range JS([]byte(tt.js)) {
				checkRef(t, tt.js, r)
				got = append(got, r.Text+" | "+r.URL)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("%q:\ngot\n%s\nwant\n%s", tt.js, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestSourceMapComment is the comment syntax on its own, in CSS comments
// as the tokenizer hands them over: Django's source_map.css (no space
// before "*/"), source_map_tabs.css (tabs), source_map_sensitive.css and
// source_map_data_uri.css.
func TestSourceMapComment(t *testing.T) {
	tests := []struct {
		comment string
		url     string // "" when the comment is no link
	}{
		{"/*# sourceMappingURL=source_map.css.map*/", "source_map.css.map"},
		{"/*# sourceMappingURL=source_map.css.map */", "source_map.css.map"},
		{"/*#\tsourceMappingURL=source_map.css.map\t*/", "source_map.css.map"},
		{"/*#\t\tsourceMappingURL=a.css.map\t \t*/", "a.css.map"},
		{"/*# sourceMappingURL=a.css.map\n*/", "a.css.map"},
		{"/*# sourceMappingURL=a.css.map\r\n*/", "a.css.map"},
		{"/*@ sourceMappingURL=a.css.map */", "a.css.map"},
		{"/*# sourceMappingURL=data:application/json;charset=utf8;base64,eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbIl9zcmMv*/",
			"data:application/json;charset=utf8;base64,eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbIl9zcmMv"},
		{"/*# sOuRcEMaPpInGURL=source_map.css.map */", ""},
		{"/*# sourcemappingurl=a.css.map */", ""},
		{"/*#sourceMappingURL=a.css.map*/", ""},
		{"/* # sourceMappingURL=a.css.map */", ""},
		{"/*\t# sourceMappingURL=a.css.map */", ""},
		{"/* sourceMappingURL=a.css.map */", ""},
		{"/*# sourceMappingURL=*/", ""},
		{"/*# sourceMappingURL= */", ""},
		{"/*# sourceMappingURL=\t*/", ""},
		{"/*#", ""},
		{"/**/", ""},
		{"/*# */", ""},
		{"//# sourceMappingURL=a.css.map", ""}, // a JS comment is no CSS comment
	}
	const before = "a{b:c}\n\n\n" // the comment is not at the file's start
	for _, tt := range tests {
		src := before + tt.comment
		r, ok := sourceMapComment([]byte(tt.comment), len(before), "/*")
		switch {
		case !ok && tt.url == "":
		case !ok:
			t.Errorf("%q: no link; want %q", tt.comment, tt.url)
		case tt.url == "":
			t.Errorf("%q: link %q; want none", tt.comment, r.URL)
		case r.URL != tt.url:
			t.Errorf("%q: link %q; want %q", tt.comment, r.URL, tt.url)
		default:
			checkRef(t, src, r)
			if r.At != len(before) {
				t.Errorf("%q: at %d, want %d", tt.comment, r.At, len(before))
			}
		}
	}

	// In a whole stylesheet, through CSS: the URL is replaced in place,
	// the tabs kept.
	css := "* {outline: 1px solid red;}\n/*#\tsourceMappingURL=source_map.css.map\t*/\n"
	s := CSS([]byte(css))
	if len(s.Refs) != 1 {
		t.Fatalf("CSS(%q): %d references, want 1", css, len(s.Refs))
	}
	r := s.Refs[0]
	checkRef(t, css, r)
	if got := css[:r.Start] + "source_map.css.0123456789ab.map" + css[r.End:]; got != "* {outline: 1px solid red;}\n/*#\tsourceMappingURL=source_map.css.0123456789ab.map\t*/\n" {
		t.Errorf("replaced in place: %q", got)
	}
}

// jsSeeds are the JS fuzz targets' seeds.
var jsSeeds = []string{
	"var a = 1;\n//# sourceMappingURL=a.js.map",
	"//# sourceMappingURL=source_map.js.map\t \nlet a_variable = 1;\n",
	"//@ sourceMappingURL=old.js.map\r\n",
	"var s = '//# sourceMappingURL=x.js.map';",
	"var t = `${a}\n//# sourceMappingURL=x.js.map\n${`${b}`}`;",
	"var r = /[//]# sourceMappingURL=x.js.map/g; x = a / 2 //# sourceMappingURL=ok.js.map\n",
	"return /=/ //# sourceMappingURL=y.map",
	"a\n/b/g //# sourceMappingURL=z.map",
	"/* unterminated //# sourceMappingURL=x.map",
	"var s = \"unterminated //# sourceMappingURL=x.map",
	"/[unterminated //# sourceMappingURL=x.map",
	"`unterminated ${ //# sourceMappingURL=x.map",
	"<!-- //# sourceMappingURL=x.map\n--> y",
	"#!/usr/bin/env node\n//# sourceMappingURL=x.map",
	"\xff\xfe//# sourceMappingURL=\xe9.map",
	"import a, {b as c} from './a.js'; export * from \"../b.js\"; import('./c.js'); import(`./${x}.js`)",
	"import './side.js'\nexport { from } from './f.js'\nimport.meta.url; obj.import('x')",
	"import export*from\"./x.js\"; import from \"y\"; import {a, from from 'z'}",
	"import a, import './s.js' from './x.js'; import('a', {with: {}}); import ('b' + c); import(",
	"x.import('a'); import\n(\n'./b.js'\n); export {a as default, b} from './c.js'; import('",
}

func FuzzScanJS(f *testing.F) {
	for _, s := range jsSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		refs := JS([]byte(src))
		last := -1
		for _, r := range refs {
			checkRef(t, src, r)
			if r.At <= last {
				t.Errorf("references out of order: %d after %d", r.At, last)
			}
			last = r.At
			switch {
			case r.Kind == Module && r.Dynamic:
				if !strings.HasPrefix(r.Text, "import") || r.URL != "" {
					t.Errorf("dynamic import %q, url %q", r.Text, r.URL)
				}
			case r.Kind == Module:
				if q := r.Text[0]; len(r.Text) < 2 || q != '"' && q != '\'' || r.Text[len(r.Text)-1] != q {
					t.Errorf("module specifier %q is no string literal", r.Text)
				}
			default:
				if !strings.HasPrefix(r.Text, "//") || !strings.Contains(r.Text, "sourceMappingURL=") {
					t.Errorf("text %q is no source map comment", r.Text)
				}
				if r.URL == "" || strings.ContainsAny(r.URL, " \t\r\n\f") {
					t.Errorf("url %q is empty or holds white space", r.URL)
				}
			}
		}
	})
}

func TestScanJSModules(t *testing.T) {
	tests := []struct {
		src  string
		want []string // "url@at", "dynamic:text@at"
	}{
		{`import a from "./a.js";`, []string{`./a.js@14`}},
		{`import {a, b as c} from './b.js'`, []string{`./b.js@24`}},
		{`import * as ns from "../ns.mjs"`, []string{`../ns.mjs@20`}},
		{`import d, {e} from "/static/js/e.js"`, []string{`/static/js/e.js@19`}},
		{`import "./side-effect.js"`, []string{`./side-effect.js@7`}},
		{`import { from } from "./from.js"`, []string{`./from.js@21`}},
		{`export * from "./all.js"`, []string{`./all.js@14`}},
		{`export * as all from "./all.js"`, []string{`./all.js@21`}},
		{`export { a, b as c } from "./some.js"`, []string{`./some.js@26`}},
		{`export const a = 1; export function f() { return g.from("x") }`, nil},
		{`const m = await import("./lazy.js")`, []string{`./lazy.js@23`}},
		{"import(`./${name}.js`)", []string{"dynamic:import(`./${@0"}},
		{`import(name)`, []string{`dynamic:import(name@0`}},
		{`import("./a" + b)`, []string{`dynamic:import("./a"@0`}},
		{`import.meta.url`, nil},
		{`obj.import("x")`, nil},
		{"// import \"./comment.js\"\nvar s = 'import \"./string.js\"'", nil},
		{`import lodash from "lodash"`, []string{`lodash@19`}}, // bare: left alone when resolved
		// Two statements' clauses reach one string: it is named once (a
		// fuzz crasher, which panicked the rewrite of a collected file).
		{`import export*from"./x.js"`, []string{`./x.js@18`}},
		// An import "x" among another import's bindings is no valid
		// script; both strings are named, each once.
		{`import a, import "./s.js" from "./x.js"`, []string{`./s.js@17`, `./x.js@31`}},
		{`import("./a.js", {with: {type: "json"}})`, []string{`./a.js@7`}},
		{`import("./a.js"`, []string{`dynamic:import("./a.js"@0`}},
		{`export {a as default, b} from "./c.js"; export default from`, []string{`./c.js@30`}},
	}
	for _, tt := range tests {
		var got []string
		for _, r := range JS([]byte(tt.src)) {
			if r.Kind != Module {
				continue
			}
			if r.Dynamic {
				got = append(got, fmt.Sprintf("dynamic:%s@%d", r.Text, r.At))
				continue
			}
			if tt.src[r.Start:r.End] != r.URL {
				t.Errorf("%q: src[start:end] = %q, url %q", tt.src, tt.src[r.Start:r.End], r.URL)
			}
			got = append(got, fmt.Sprintf("%s@%d", r.URL, r.At))
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("JS(%q):\ngot  %q\nwant %q", tt.src, got, tt.want)
		}
	}
}

// TestScanJSMemory guards the window: a 2 MB script of some 1,000,000
// tokens is scanned with one copy of it (the tokenizer's) and no list of
// its tokens (the list allocated 215 MB as it grew).
func TestScanJSMemory(t *testing.T) {
	src := []byte(strings.Repeat("var x = [1, 2, 3], y = x.map(function (v) { return v / 2; });\n", 2<<20/64))
	src = append(src, "import \"./last.js\";\n"...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	refs := JS(src)
	runtime.ReadMemStats(&after)
	if len(refs) != 1 || refs[0].URL != "./last.js" {
		t.Fatalf("references %+v, want ./last.js", refs)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > uint64(len(src))+1<<20 {
		t.Errorf("scanning %d bytes allocated %d bytes, want under 1 MiB more", len(src), n)
	}
}

// TestScanLeavesSource: the scanners write nothing into the caller's
// slice, not even in its spare capacity, where the tokenizer wants a NUL:
// two goroutines may scan one file's bytes at once (the race detector
// caught a scanner and another tokenizer of the bundler doing so).
func TestScanLeavesSource(t *testing.T) {
	for _, text := range []string{"import a from './a.js'; var b = /x/;", ".a{background:url(a.png)}.b{color:red}"} {
		buf := append(make([]byte, 0, len(text)+8), text...)
		spare := buf[:cap(buf)]
		for i := len(buf); i < len(spare); i++ {
			spare[i] = 'X'
		}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { JS(buf) })
			wg.Go(func() { CSS(buf) })
			wg.Go(func() { CSSRepetition(buf) })
		}
		wg.Wait()
		if string(spare) != text+"XXXXXXXX" {
			t.Errorf("%q: the slice's spare capacity became %q", text, spare[len(buf):])
		}
	}
}
