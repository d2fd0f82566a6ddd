package bundler

import (
	"strings"
	"testing"
	"testing/fstest"
)

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
			`12:18: django_version must be "1.0" (every Django) or "1.1" (Django 4.2 and later), not "2.0"`,
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
