package bundler

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pelletier/go-toml/v2/unstable"
)

// TestTOMLPositions guards the position index built on go-toml's unstable
// AST, which is outside go-toml's compatibility promise: a go-toml upgrade
// that moves a position fails here, not in a user's error message.
func TestTOMLPositions(t *testing.T) {
	doc := strings.Join([]string{
		`output = "build"   # a comment`, // 1
		`url = '/s/'`,                    // 2
		`[[root]]`,                       // 3
		`path = "static"`,                // 4
		`[bundle.app]`,                   // 5
		`sources = [`,                    // 6
		`  "a.js",`,                      // 7
		`    'b.js', 3,`,                 // 8
		`]`,                              // 9
		`x.y = { a = 1, b = [true] }`,    // 10
		`[bundle."we ird"]`,              // 11
		`empty = []`,                     // 12
		"\tnested = [[1], \"s\"]",        // 13
		`[[root]]`,                       // 14
		`path = """multi`,                // 15
		`line"""`,                        // 16
	}, "\n")
	top, d := parseTOML("a.toml", []byte(doc))
	if d != nil {
		t.Fatal(d)
	}
	pos := func(line, col int) Position { return Position{File: "a.toml", Line: line, Col: col} }
	get := func(t *ttable, names ...string) *tkey {
		var k *tkey
		for i, n := range names {
			k = t.get(n)
			if k == nil {
				return nil
			}
			if i < len(names)-1 {
				t = k.val.tab
			}
		}
		return k
	}
	app := get(top, "bundle", "app").val.tab
	weird := get(top, "bundle", "we ird")
	roots := get(top, "root").val.arr
	tests := []struct {
		what      string
		got, want Position
	}{
		{"output key", get(top, "output").pos, pos(1, 1)},
		{"output value: its opening quote", get(top, "output").val.pos, pos(1, 10)},
		{"literal string", get(top, "url").val.pos, pos(2, 7)},
		{"array-of-tables header key", get(top, "root").pos, pos(3, 3)},
		{"first array table's key", roots[0].tab.get("path").pos, pos(4, 1)},
		{"second array table's value", roots[1].tab.get("path").val.pos, pos(15, 8)},
		{"table header key", get(top, "bundle", "app").pos, pos(5, 9)},
		{"quoted table header key", weird.pos, pos(11, 9)},
		{"array: its bracket", app.get("sources").val.pos, pos(6, 11)},
		{"array element", app.get("sources").val.arr[0].pos, pos(7, 3)},
		{"indented element", app.get("sources").val.arr[1].pos, pos(8, 5)},
		{"non-string element", app.get("sources").val.arr[2].pos, pos(8, 13)},
		{"dotted key's last part", get(app, "x", "y").pos, pos(10, 3)},
		{"inline table", get(app, "x", "y").val.pos, pos(10, 7)},
		{"inline table's array element", get(app, "x", "y").val.tab.get("b").val.arr[0].pos, pos(10, 21)},
		{"empty array: its bracket", weird.val.tab.get("empty").val.pos, pos(12, 9)},
		{"tab-indented key", weird.val.tab.get("nested").pos, pos(13, 2)},
		{"nested array's first element", weird.val.tab.get("nested").val.arr[0].pos, pos(13, 12)},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: at %v, want %v", tt.what, tt.got, tt.want)
		}
	}
	if got := app.get("sources").val.arr[2].kind; got != unstable.Integer {
		t.Errorf("kind of 3 = %v", got)
	}
	if got := roots[1].tab.get("path").val.str; got != "multi\nline" {
		t.Errorf("multi-line string = %q", got)
	}
}

func TestParseTOMLSyntaxError(t *testing.T) {
	tests := []struct {
		doc  string
		line int
		col  int
	}{
		{"output = \"build\nx = 1\n", 1, 16},       // a newline in a basic string
		{"output = \"a\"\noutput = \"b\"\n", 2, 1}, // duplicate key
		{"[a]\nb = 1\n[a]\n", 3, 2},                // table defined twice
		{"a = [1,\n", 1, 8},                        // unterminated array
	}
	for _, tt := range tests {
		_, d := parseTOML("a.toml", []byte(tt.doc))
		if d == nil {
			t.Errorf("%q: no error", tt.doc)
			continue
		}
		if d.Code != "syntax" || !strings.HasPrefix(d.Message, "invalid TOML: ") {
			t.Errorf("%q: got %s %q", tt.doc, d.Code, d.Message)
		}
		if d.Pos.Line != tt.line || d.Pos.Col != tt.col {
			t.Errorf("%q: error at %d:%d, want %d:%d (%s)", tt.doc, d.Pos.Line, d.Pos.Col, tt.line, tt.col, d.Message)
		}
	}
}

func TestDecodeConfig(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []string // every diagnostic, "line:col: message"
	}{{
		name: "defaults",
		doc:  "output = \"out\"\n[[root]]\npath = \"s\"\n[bundle.a]\noutput = \"a.js\"\nsources = [\"x.js\"]\n",
	}, {
		name: "unknown keys at every level, with did-you-mean",
		doc: "ouput = \"out\"\n[[root]]\npth = \"s\"\n[bundle.a]\noutput = \"a.js\"\nsources = [\"x.js\"]\nminfy = false\n" +
			"[manifest]\ndjango_verison = \"1.0\"\n[colect]\n",
		want: []string{
			`1:1: missing output: the directory results go to, e.g. output = "build/static"`,
			`1:1: unknown key "ouput"; did you mean "output"?`,
			`2:3: root: missing path`,
			`3:1: unknown key "root.pth"; did you mean "path"?`,
			`7:1: unknown key "bundle.a.minfy"; did you mean "minify"?`,
			`9:1: unknown key "manifest.django_verison"; did you mean "django_version"?`,
			`10:2: unknown key "colect"; did you mean "collect"?`,
		},
	}, {
		name: "wrong types",
		doc: "output = 1\nurl = \"/s\"\nkeep_unhashed = \"yes\"\nroot = \"static\"\n[bundle.a]\noutput = \"a.js\"\n" +
			"sources = \"x.js\"\n[bundle.b]\noutput = \"b.js\"\nsources = [\"x.js\", 2, true]\n[manifest]\ndjango_version = \"2.0\"\n",
		want: []string{ // a value of the wrong type is not also missing
			`1:10: output must be a string, not an integer`,
			`2:7: url "/s" must end with a slash`,
			`3:17: keep_unhashed must be true or false, not a string`,
			`4:8: root must be an array of tables ([[root]]), not a string`,
			`7:11: sources must be an array of strings, not a string`,
			`10:20: sources: elements must be strings, not an integer`,
			`10:23: sources: elements must be strings, not a boolean`,
			`12:18: django_version must be "1.1" (Django 4.2 and later) or "1.0" (earlier), not "2.0"`,
		},
	}, {
		name: "bundle names and missing keys",
		doc:  "output = \"out\"\n[[root]]\npath = \"s\"\n[bundle.\"a b\"]\noutput = \"a.js\"\nsources = []\n[bundle.c]\nsources = []\n",
		want: []string{
			`4:9: bundle name "a b": use letters, digits, '-' and '_'`,
			`7:9: bundle "c": missing output`,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			top, d := parseTOML("a.toml", []byte(tt.doc))
			if d != nil {
				t.Fatal(d)
			}
			var diags ErrorList
			decodeConfig("a.toml", top, &diags)
			var got []string
			diags.Sort()
			for _, d := range diags {
				got = append(got, strings.TrimPrefix(d.Error(), "a.toml:"))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// FuzzLoad feeds arbitrary configs to Load and Check over a small project.
// Neither may panic, and every problem must be positioned inside the
// config or a file of the project.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("output = \"out\"\n[[root]]\npath = \"static\"\n[bundle.app]\noutput = \"js/app.js\"\nsources = [\"js/*.js\", \"!js/b.js\"]\n"))
	f.Add([]byte("output = \"out\"\nroot = [{path = \"static\", prefix = \"v\"}]\nbundle = {c = {output = \"c.css\", sources = [\"v/css/a.css\"], minify = false}}\n"))
	f.Add([]byte("a.b.c = 1\n[a]\n[[a.d]]\n"))
	f.Add([]byte("[bundle.x]\noutput = \"../x.js\"\nsources = [\"js/a.js\", \"js/a.js\", \"js/[\"]\nallow_empty = [\"q\"]\n"))
	f.Add([]byte("output = '''\nx'''\n[manifest]\ndjango = true\ndjango_version = \"1.0\"\n"))
	f.Fuzz(func(t *testing.T, config []byte) {
		fsys := fstest.MapFS{
			"assets.toml":         {Data: config},
			"static/js/a.js":      {Data: []byte("var a = 1\n")},
			"static/js/b.js":      {Data: []byte("function b() { return a }\n")},
			"static/css/a.css":    {Data: []byte(".a { background: url(../img/x.png) }\n")},
			"static/img/x.png":    {Data: []byte("png")},
			"static/js/broken.js": {Data: []byte("var = ;\n")},
		}
		p, err := Load(Options{FS: fsys, Config: "assets.toml"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Check(t.Context())
		list, _ := err.(ErrorList)
		if err != nil && list == nil {
			t.Fatalf("Check returned %T %v, want an ErrorList", err, err)
		}
		lines := strings.Count(string(config), "\n") + 1
		for _, d := range list {
			if d.Pos.File == "" || d.Pos.Line < 1 || d.Pos.Col < 1 {
				t.Errorf("unpositioned: %s (%+v)", d, d.Pos)
			}
			if d.Pos.File == "assets.toml" && d.Pos.Line > lines {
				t.Errorf("position past the end of the config (%d lines): %s", lines, d)
			}
			if d.Message == "" || strings.Contains(d.Message, "\n") {
				t.Errorf("message must be one non-empty line: %q", d.Message)
			}
		}
	})
}
