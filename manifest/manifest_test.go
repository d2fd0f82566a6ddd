package manifest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

const (
	cssSRI = "sha384-Srj3L6FZq7QpeHXn0GaTqjmls1fodldGEylfclT47oDEbFcxCG/bX1L0YOkog4Di"
	pngSRI = "sha384-Zc3d5gZqoLLVw/7loEAJElXoT6s/OI6u6aNyzLlsBUJuPpLxmBxdLuJiPuC2qMko"
)

func sample() *Manifest {
	return &Manifest{
		Version: Version,
		Prefix:  "/static/",
		Files: map[string]Entry{
			"img/logo.png": {Path: "img/logo.8b1a9953c461.png", Size: 4, Integrity: pngSRI},
			"css/app.css": {
				Path:      "css/app.3d5a6b2c1e9f.css",
				Size:      16,
				Integrity: cssSRI,
				Bundle:    "app-css",
				Sources:   []string{"css/base.css", "css/<theme>&.css"},
			},
		},
	}
}

// The exact bytes stapler writes: fields in declared order, files sorted,
// two-space indent, "<>&" not escaped, a final newline.
const sampleJSON = `{
  "version": 1,
  "url": "/static/",
  "files": {
    "css/app.css": {
      "path": "css/app.3d5a6b2c1e9f.css",
      "size": 16,
      "integrity": "` + cssSRI + `",
      "bundle": "app-css",
      "sources": [
        "css/base.css",
        "css/<theme>&.css"
      ]
    },
    "img/logo.png": {
      "path": "img/logo.8b1a9953c461.png",
      "size": 4,
      "integrity": "` + pngSRI + `"
    }
  }
}
`

func TestMarshalGolden(t *testing.T) {
	got, err := sample().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != sampleJSON {
		t.Errorf("Marshal:\n%s\nwant:\n%s", got, sampleJSON)
	}
}

// The exact bytes of an entry bundle's script: imports, dynamic_imports,
// css and assets after sources and before encodings, in their order (not
// sorted: the order of imports is the order of loading).
const entryBundleJSON = `{
  "version": 1,
  "url": "/static/",
  "files": {
    "fonts/inter.woff2": {
      "path": "fonts/inter.1.woff2",
      "size": 0,
      "integrity": ""
    },
    "js/app.css": {
      "path": "js/app.1.css",
      "size": 0,
      "integrity": "",
      "assets": [
        "fonts/inter.woff2"
      ]
    },
    "js/app.js": {
      "path": "js/app.1.js",
      "size": 9,
      "integrity": "",
      "bundle": "app",
      "sources": [
        "src/main.ts"
      ],
      "imports": [
        "js/ui.js",
        "js/chunk.js"
      ],
      "dynamic_imports": [
        "js/editor.js"
      ],
      "css": [
        "js/app.css"
      ],
      "assets": [
        "fonts/inter.woff2"
      ],
      "encodings": {
        "br": 5,
        "gzip": 7
      }
    },
    "js/chunk.js": {
      "path": "js/chunk.1.js",
      "size": 0,
      "integrity": ""
    },
    "js/editor.js": {
      "path": "js/editor.1.js",
      "size": 0,
      "integrity": ""
    },
    "js/ui.js": {
      "path": "js/ui.1.js",
      "size": 0,
      "integrity": "",
      "imports": [
        "js/chunk.js"
      ]
    }
  }
}
`

func entryBundle() *Manifest {
	return &Manifest{Version: Version, Prefix: "/static/", Files: map[string]Entry{
		"js/app.js": {
			Path: "js/app.1.js", Size: 9, Bundle: "app", Sources: []string{"src/main.ts"},
			Imports: []string{"js/ui.js", "js/chunk.js"}, DynamicImports: []string{"js/editor.js"},
			CSS: []string{"js/app.css"}, Assets: []string{"fonts/inter.woff2"},
			Encodings: map[string]int64{"gzip": 7, "br": 5},
		},
		"js/ui.js":          {Path: "js/ui.1.js", Imports: []string{"js/chunk.js"}},
		"js/chunk.js":       {Path: "js/chunk.1.js"},
		"js/editor.js":      {Path: "js/editor.1.js"},
		"js/app.css":        {Path: "js/app.1.css", Assets: []string{"fonts/inter.woff2"}},
		"fonts/inter.woff2": {Path: "fonts/inter.1.woff2"},
	}}
}

func TestMarshalEntryBundleGolden(t *testing.T) {
	got, err := entryBundle().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != entryBundleJSON {
		t.Errorf("Marshal:\n%s\nwant:\n%s", got, entryBundleJSON)
	}
	m, err := Parse(got)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, entryBundle()) {
		t.Errorf("Parse(Marshal(m)) = %+v\nwant %+v", m, entryBundle())
	}
}

func TestMarshalZeroValue(t *testing.T) {
	got, err := (&Manifest{Prefix: "/"}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	// Version 0 means Version; no files is an empty object, not null.
	want := "{\n  \"version\": 1,\n  \"url\": \"/\",\n  \"files\": {}\n}\n"
	if string(got) != want {
		t.Errorf("Marshal = %q, want %q", got, want)
	}
}

func TestRoundTrip(t *testing.T) {
	m, err := Parse([]byte(sampleJSON))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, sample()) {
		t.Errorf("Parse(sampleJSON) = %+v\nwant %+v", m, sample())
	}
	again, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != sampleJSON {
		t.Errorf("Marshal(Parse(sampleJSON)) changed it:\n%s", again)
	}
}

func TestParseAccepts(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       *Manifest
	}{
		{
			name: "empty files",
			data: `{"version":1,"url":"/static/","files":{}}`,
			want: &Manifest{Version: 1, Prefix: "/static/", Files: map[string]Entry{}},
		},
		{
			name: "empty sources is no sources",
			data: `{"version":1,"url":"/s/","files":{"a.css":{"path":"a.1.css","size":0,"integrity":"","sources":[]}}}`,
			want: &Manifest{Version: 1, Prefix: "/s/", Files: map[string]Entry{"a.css": {Path: "a.1.css"}}},
		},
		{
			name: "empty lists are no lists",
			data: `{"version":1,"url":"/s/","files":{"a.js":{"path":"a.1.js","imports":[],"dynamic_imports":[],"css":[],"assets":[]}}}`,
			want: &Manifest{Version: 1, Prefix: "/s/", Files: map[string]Entry{"a.js": {Path: "a.1.js"}}},
		},
		{
			// A chunk may import itself or the entry back; Tags ends.
			name: "references in a cycle",
			data: `{"version":1,"url":"/s/","files":{"a.js":{"path":"a.1.js","imports":["b.js","a.js"]},"b.js":{"path":"b.1.js","imports":["a.js"],"dynamic_imports":["b.js"]}}}`,
			want: &Manifest{Version: 1, Prefix: "/s/", Files: map[string]Entry{
				"a.js": {Path: "a.1.js", Imports: []string{"b.js", "a.js"}},
				"b.js": {Path: "b.1.js", Imports: []string{"a.js"}, DynamicImports: []string{"b.js"}},
			}},
		},
		{
			name: "size and integrity may be absent",
			data: "\n\t{\"files\":{\"a b/ü.css\":{\"path\":\"a b/ü.1.css\"}},\"url\":\"https://cdn.example.com/\",\"version\":1}\n\n",
			want: &Manifest{Version: 1, Prefix: "https://cdn.example.com/", Files: map[string]Entry{"a b/ü.css": {Path: "a b/ü.1.css"}}},
		},
		{
			name: "escaped surrogate pair",
			data: `{"version":1,"url":"/","files":{"\ud83d\ude00.js":{"path":"\ud83d\ude00.1.js"}}}`,
			want: &Manifest{Version: 1, Prefix: "/", Files: map[string]Entry{"😀.js": {Path: "😀.1.js"}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

// entryJSON is a manifest with one file, name, whose entry is body.
func entryJSON(name, body string) string {
	return `{"version": 1, "url": "/static/", "files": {` + name + `: ` + body + `}}`
}

func TestParseRejects(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		is         error
		want       string // the whole Error() of the list
	}{
		{"not JSON", `{"version": 1,`, ErrSyntax,
			"syntax error: line 1, column 15: unexpected end of input"},
		{"syntax error position", "{\n  \"version\": 1,\n  \"url\" \"/\"}", ErrSyntax,
			`syntax error: line 3, column 9: invalid character '"' after object key`},
		{"invalid UTF-8", "{\"version\": 1, \"url\": \"/\xff/\"}", ErrSyntax,
			"syntax error: line 1, column 25: invalid UTF-8"},
		{"lone surrogate", `{"version": 1, "url": "/\ud83d/", "files": {}}`, ErrSyntax,
			`syntax error: line 1, column 25: unpaired surrogate escape \ud83d`},
		{"trailing data", `{"version": 1, "url": "/", "files": {}} {}`, ErrSyntax,
			"syntax error: line 1, column 41: data after the end of the manifest"},
		{"not an object", `[]`, ErrSchema,
			"invalid manifest: array, want object"},
		{"unknown field", `{"version": 1, "url": "/", "files": {}, "extra": true}`, ErrSchema,
			`invalid manifest: unknown field "extra"`},
		{"field names are case-sensitive", `{"Version": 1, "url": "/", "files": {}}`, ErrSchema,
			`invalid manifest: unknown field "Version" (and 1 more error)`},
		{"duplicate field", `{"version": 1, "version": 1, "url": "/", "files": {}}`, ErrSchema,
			`invalid manifest: duplicate key "version"`},
		{"duplicate name", entryJSON(`"a.css": {"path": "a.1.css"}, "a.css"`, `{"path": "a.2.css"}`), ErrSchema,
			`files: invalid manifest: duplicate key "a.css"`},
		{"missing version", `{"url": "/", "files": {}}`, ErrSchema,
			`invalid manifest: missing field "version"`},
		{"missing url", `{"version": 1, "files": {}}`, ErrSchema,
			`invalid manifest: missing field "url"`},
		{"missing files", `{"version": 1, "url": "/"}`, ErrSchema,
			`invalid manifest: missing field "files"`},
		{"null files", `{"version": 1, "url": "/", "files": null}`, ErrSchema,
			`files: invalid manifest: null, want object`},
		{"version 2", `{"version": 2, "url": "/", "files": {}}`, ErrVersion,
			"version: unsupported version 2, want 1"},
		{"version 0", `{"version": 0, "url": "/", "files": {}}`, ErrVersion,
			"version: unsupported version 0, want 1"},
		{"version 1.0", `{"version": 1.0, "url": "/", "files": {}}`, ErrSchema,
			"version: invalid manifest: 1.0 is not a 64-bit integer"},
		{"version string", `{"version": "1", "url": "/", "files": {}}`, ErrSchema,
			"version: invalid manifest: string, want integer"},
		{"url without slash", `{"version": 1, "url": "/static", "files": {}}`, ErrSchema,
			`url: invalid manifest: URL prefix "/static" does not end in a slash`},
		{"missing path", entryJSON(`"a.css"`, `{"size": 1}`), ErrSchema,
			`files["a.css"]: invalid manifest: missing field "path"`},
		{"empty path", entryJSON(`"a.css"`, `{"path": ""}`), ErrSchema,
			`files["a.css"].path: invalid manifest: empty path`},
		{"path of wrong type", entryJSON(`"a.css"`, `{"path": ["a.1.css"]}`), ErrSchema,
			`files["a.css"].path: invalid manifest: array, want string`},
		{"unknown entry field", entryJSON(`"a.css"`, `{"path": "a.1.css", "encoding": {"br": 10}}`), ErrSchema,
			`files["a.css"]: invalid manifest: unknown field "encoding"`},
		{"encoding size not a number", entryJSON(`"a.css"`, `{"path": "a.1.css", "encodings": {"br": "a.1.css.br"}}`), ErrSchema,
			`files["a.css"].encodings["br"]: invalid manifest: string, want integer`},
		{"unknown encoding", entryJSON(`"a.css"`, `{"path": "a.1.css", "encodings": {"deflate": 10}}`), ErrSchema,
			`files["a.css"].encodings["deflate"]: invalid manifest: unknown encoding "deflate", want br, gzip or zstd`},
		{"zero encoding size", entryJSON(`"a.css"`, `{"path": "a.1.css", "encodings": {"br": 0}}`), ErrSchema,
			`files["a.css"].encodings["br"]: invalid manifest: size 0`},
		{"import of no file", entryJSON(`"a.js"`, `{"path": "a.1.js", "imports": ["chunk.js"]}`), ErrSchema,
			`files["a.js"].imports[0]: invalid manifest: "chunk.js" is not a file of the manifest`},
		{"dynamic import of no file", entryJSON(`"a.js"`, `{"path": "a.1.js", "dynamic_imports": ["a.js", "lazy.js"]}`), ErrSchema,
			`files["a.js"].dynamic_imports[1]: invalid manifest: "lazy.js" is not a file of the manifest`},
		{"css of no file", entryJSON(`"a.js"`, `{"path": "a.1.js", "css": ["a.css"]}`), ErrSchema,
			`files["a.js"].css[0]: invalid manifest: "a.css" is not a file of the manifest`},
		{"asset of no file", entryJSON(`"a.js"`, `{"path": "a.1.js", "assets": ["font.woff2"]}`), ErrSchema,
			`files["a.js"].assets[0]: invalid manifest: "font.woff2" is not a file of the manifest`},
		{"imports of wrong type", entryJSON(`"a.js"`, `{"path": "a.1.js", "imports": "a.js"}`), ErrSchema,
			`files["a.js"].imports: invalid manifest: string, want array of strings`},
		{"dynamic imports null", entryJSON(`"a.js"`, `{"path": "a.1.js", "dynamic_imports": null}`), ErrSchema,
			`files["a.js"].dynamic_imports: invalid manifest: null, want array of strings`},
		{"css of wrong element type", entryJSON(`"a.js"`, `{"path": "a.1.js", "css": ["a.js", 1]}`), ErrSchema,
			`files["a.js"].css[1]: invalid manifest: number, want string`},
		{"assets of wrong type", entryJSON(`"a.js"`, `{"path": "a.1.js", "assets": {"a.js": 1}}`), ErrSchema,
			`files["a.js"].assets: invalid manifest: object, want array of strings`},
		{"duplicate imports field", entryJSON(`"a.js"`, `{"path": "a.1.js", "imports": [], "imports": ["a.js"]}`), ErrSchema,
			`files["a.js"]: invalid manifest: duplicate key "imports"`},
		{"imports field name is exact", entryJSON(`"a.js"`, `{"path": "a.1.js", "Imports": ["a.js"]}`), ErrSchema,
			`files["a.js"]: invalid manifest: unknown field "Imports"`},
		{"every reference to no file", entryJSON(`"a.js"`, `{"path": "a.1.js", "imports": ["b.js"], "css": ["a.css"]}`), ErrSchema,
			`files["a.js"].imports[0]: invalid manifest: "b.js" is not a file of the manifest (and 1 more error)`},
		{"reference in another case", entryJSON(`"a.js"`, `{"path": "a.1.js", "imports": ["A.js"]}`), ErrSchema,
			`files["a.js"].imports[0]: invalid manifest: "A.js" is not a file of the manifest`},
		// The file b.js is there, its entry broken: one problem, not two.
		{"reference to a broken entry", `{"version": 1, "url": "/", "files": {"a.js": {"path": "a.1.js", "imports": ["b.js"]}, "b.js": {"path": 5}}}`, ErrSchema,
			`files["b.js"].path: invalid manifest: number, want string`},
		{"absolute path", entryJSON(`"a.css"`, `{"path": "/etc/a.1.css"}`), ErrBadPath,
			`files["a.css"].path: bad path "/etc/a.1.css": absolute`},
		{"dot-dot path", entryJSON(`"a.css"`, `{"path": "css/../../a.1.css"}`), ErrBadPath,
			`files["a.css"].path: bad path "css/../../a.1.css": contains ".."`},
		{"absolute name", entryJSON(`"/a.css"`, `{"path": "a.1.css"}`), ErrBadPath,
			`files["/a.css"]: bad path "/a.css": absolute`},
		{"dot-dot name", entryJSON(`".."`, `{"path": "a.1.css"}`), ErrBadPath,
			`files[".."]: bad path "..": contains ".."`},
		{"empty name", entryJSON(`""`, `{"path": "a.1.css"}`), ErrBadPath,
			`files[""]: bad path "": empty`},
		{"dot name", entryJSON(`"./a.css"`, `{"path": "a.1.css"}`), ErrBadPath,
			`files["./a.css"]: bad path "./a.css": contains "."`},
		{"empty element", entryJSON(`"css//a.css"`, `{"path": "a.1.css"}`), ErrBadPath,
			`files["css//a.css"]: bad path "css//a.css": has an empty element`},
		{"trailing slash", entryJSON(`"css/"`, `{"path": "a.1.css"}`), ErrBadPath,
			`files["css/"]: bad path "css/": has an empty element`},
		{"backslash", entryJSON(`"css\\..\\..\\a.css"`, `{"path": "a.1.css"}`), ErrBadPath,
			`files["css\\..\\..\\a.css"]: bad path "css\\..\\..\\a.css": contains a backslash`},
		{"bad source", entryJSON(`"a.css"`, `{"path": "a.1.css", "sources": ["b.css", "../c.css"]}`), ErrBadPath,
			`files["a.css"].sources[1]: bad path "../c.css": contains ".."`},
		{"negative size", entryJSON(`"a.css"`, `{"path": "a.1.css", "size": -1}`), ErrSchema,
			`files["a.css"].size: invalid manifest: negative size -1`},
		{"integrity algorithm", entryJSON(`"a.css"`, `{"path": "a.1.css", "integrity": "md5-AAAA"}`), ErrSchema,
			`files["a.css"].integrity: invalid manifest: integrity "md5-AAAA": want sha256-, sha384- or sha512-`},
		{"integrity length", entryJSON(`"a.css"`, `{"path": "a.1.css", "integrity": "sha384-AAAA"}`), ErrSchema,
			`files["a.css"].integrity: invalid manifest: integrity "sha384-AAAA": want the base64 of a 48-byte sha384 digest`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse([]byte(tc.data))
			if err == nil {
				t.Fatalf("Parse succeeded: %+v", m)
			}
			if m != nil {
				t.Errorf("Parse returned a manifest with its error")
			}
			if !errors.Is(err, tc.is) {
				t.Errorf("error %q is not %q", err, tc.is)
			}
			var list ErrorList
			if !errors.As(err, &list) {
				t.Errorf("error %T is not an ErrorList", err)
			}
			if err.Error() != tc.want {
				t.Errorf("error:\n%s\nwant:\n%s", err, tc.want)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	data := `{
  "version": 1,
  "url": "/static/",
  "files": {
    "b.css": {"path": "/b.css", "size": "1"},
    "a.css": {"path": "../a.css", "extra": 1},
    "c.css": {"path": "c.1.css", "size": -3}
  }
}`
	_, err := Parse([]byte(data))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Parse error = %v, want an ErrorList", err)
	}
	var got []string
	for _, e := range list {
		got = append(got, e.Error())
	}
	// Problems of shape in document order, then the rest by name.
	want := []string{
		`files["b.css"].size: invalid manifest: string, want integer`,
		`files["a.css"]: invalid manifest: unknown field "extra"`,
		`files["c.css"].size: invalid manifest: negative size -3`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if want := want[0] + " (and 2 more errors)"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
}

func TestMarshalRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    *Manifest
		is   error
	}{
		{"version", &Manifest{Version: 2, Prefix: "/"}, ErrVersion},
		{"url", &Manifest{Prefix: "static"}, ErrSchema},
		{"empty path", &Manifest{Prefix: "/", Files: map[string]Entry{"a.css": {}}}, ErrSchema},
		{"absolute name", &Manifest{Prefix: "/", Files: map[string]Entry{"/a.css": {Path: "a.css"}}}, ErrBadPath},
		// encoding/json would write U+FFFD and Parse would read another name.
		{"invalid UTF-8 name", &Manifest{Prefix: "/", Files: map[string]Entry{"\xff.css": {Path: "a.css"}}}, ErrBadPath},
		{"invalid UTF-8 bundle", &Manifest{Prefix: "/", Files: map[string]Entry{"a.css": {Path: "a.css", Bundle: "\xff"}}}, ErrSchema},
		{"import of no file", &Manifest{Prefix: "/", Files: map[string]Entry{"a.js": {Path: "a.js", Imports: []string{"b.js"}}}}, ErrSchema},
		{"dynamic import of no file", &Manifest{Prefix: "/", Files: map[string]Entry{"a.js": {Path: "a.js", DynamicImports: []string{"b.js"}}}}, ErrSchema},
		{"css of no file", &Manifest{Prefix: "/", Files: map[string]Entry{"a.js": {Path: "a.js", CSS: []string{"a.css"}}}}, ErrSchema},
		{"asset of invalid UTF-8", &Manifest{Prefix: "/", Files: map[string]Entry{"a.js": {Path: "a.js", Assets: []string{"\xff"}}}}, ErrSchema},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, marshal := range []func() ([]byte, error){
				tc.m.Marshal,
				func() ([]byte, error) { return tc.m.MarshalDjango("1.1") },
			} {
				if b, err := marshal(); !errors.Is(err, tc.is) {
					t.Errorf("got %q, %v; want error %q", b, err, tc.is)
				}
			}
		})
	}
}

func TestPaths(t *testing.T) {
	want := map[string]string{
		"css/app.css":  "css/app.3d5a6b2c1e9f.css",
		"img/logo.png": "img/logo.8b1a9953c461.png",
	}
	if got := sample().Paths(); !reflect.DeepEqual(got, want) {
		t.Errorf("Paths() = %v, want %v", got, want)
	}
}
