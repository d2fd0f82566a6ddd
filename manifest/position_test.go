package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestErrorPositions: the decoder puts the position of a problem in the
// text into the Error's Line and Col, where it has one place, and the
// message of a syntax error says the same numbers.
func TestErrorPositions(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		line, col  int
	}{
		{"end of input", `{"version": 1,`, 1, 15},
		{"syntax, line 3", "{\n  \"version\": 1,\n  \"url\" \"/\"}", 3, 9},
		{"invalid UTF-8", "{\"version\": 1,\n\"url\": \"/\xff/\"}", 2, 10},
		{"lone surrogate", "{\"version\": 1,\r\n  \"url\": \"/\\ud83d/\"}", 2, 12},
		{"trailing data", "{\"version\": 1, \"url\": \"/\", \"files\": {}}\n\n  {}", 3, 3},
		{"unknown field, at its key", "{\"version\": 1, \"url\": \"/\", \"files\": {},\n\t\"extra\": true}", 2, 2},
		{"duplicate key, at the second", "{\n\"version\": 1,\n  \"version\" : 1, \"url\": \"/\", \"files\": {}}", 3, 3},
		{"wrong type, at the value", "{\"version\":\n\n     \"1\", \"url\": \"/\", \"files\": {}}", 3, 6},
		{"not an integer, at the value", `{"version":1.0,"url":"/","files":{}}`, 1, 12},
		{"version, at the value", "{\"version\": 2, \"url\": \"/\", \"files\": {}}", 1, 13},
		{"entry field of the wrong type", "{\"version\": 1, \"url\": \"/\", \"files\": {\n  \"a.css\": {\"path\": 7}}}", 2, 21},
		{"missing field: no one place", `{"url": "/", "files": {}}`, 0, 0},
		{"a rule about the entries: no one place", entryJSON(`"a.css"`, `{"path": "../a.css"}`), 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.data))
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 {
				t.Fatalf("Parse = %v, want an ErrorList", err)
			}
			e := list[0]
			if e.Line != tc.line || e.Col != tc.col {
				t.Errorf("%v: at %d:%d, want %d:%d", e, e.Line, e.Col, tc.line, tc.col)
			}
			if errors.Is(e, ErrSyntax) {
				if want := fmt.Sprintf("line %d, column %d:", e.Line, e.Col); !bytes.Contains([]byte(e.Error()), []byte(want)) {
					t.Errorf("%q does not say %q", e.Error(), want)
				}
			}
		})
	}

	// Django's manifest is read by the same decoder.
	_, _, err := ParseDjango([]byte("{\"paths\": {},\n \"version\": \"2.0\"}"))
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 || list[0].Line != 2 || list[0].Col != 13 {
		t.Errorf("ParseDjango: %#v, want one error at 2:13", err)
	}
}

// TestEntryPositions: the position of each entry's name, from the
// decoder, whatever the layout: as Marshal writes it, re-indented, on one
// line, with the name escaped.
func TestEntryPositions(t *testing.T) {
	m := &Manifest{Version: Version, Prefix: "/static/", Files: map[string]Entry{
		"css/site.css":  {Path: "css/site.0123456789ab.css", Sources: []string{"css/a.css"}},
		"js/app.js":     {Path: "js/app.0123456789ab.js", Imports: []string{"js/chunk.js"}},
		"js/chunk.js":   {Path: "js/chunk.0123456789ab.js"},
		"img/café.png":  {Path: "img/café.0123456789ab.png"},
		"a&b<c>.css":    {Path: "a&b<c>.0123456789ab.css"},
		"css/a.css":     {Path: "css/a.0123456789ab.css"},
		"fonts/x.woff2": {Path: "fonts/x.0123456789ab.woff2"},
	}}
	marshalled, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	indent := func(prefix, indent string) []byte {
		var b bytes.Buffer
		if err := json.Indent(&b, marshalled, prefix, indent); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, marshalled); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		layout string
		data   []byte
	}{
		{"as Marshal writes it", marshalled},
		{"2 spaces under a prefix", indent("  ", "  ")},
		{"tabs", indent("", "\t")},
		{"one line", compact.Bytes()},
	} {
		t.Run(tc.layout, func(t *testing.T) {
			got, err := EntryPositions(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(m.Files) {
				t.Errorf("%d positions, want %d", len(got), len(m.Files))
			}
			lines := bytes.Split(tc.data, []byte("\n"))
			for name := range m.Files {
				p, ok := got[name]
				if !ok {
					t.Errorf("no position for %q", name)
					continue
				}
				var key bytes.Buffer // as Marshal writes it, and Indent and Compact keep
				enc := json.NewEncoder(&key)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(name); err != nil {
					t.Fatal(err)
				}
				if p.Line < 1 || p.Line > len(lines) || p.Col < 1 || !bytes.HasPrefix(lines[p.Line-1][p.Col-1:], append(bytes.TrimSpace(key.Bytes()), ':')) {
					t.Errorf("%q at %d:%d, which is not its key", name, p.Line, p.Col)
				}
			}
		})
	}

	// Written by another tool: escaped names, CRLF line ends, the
	// files before the version.
	data := "{\r\n\"files\":{\r\n   \"img/caf\\u00e9.png\" :{\"path\":\"img/caf\\u00e9.0123456789ab.png\"},\r\n\t\"js/\\u0061pp.js\": {\"path\": \"js/app.0123456789ab.js\"}},\r\n\"url\":\"/\",\"version\":1}"
	got, err := EntryPositions([]byte(data))
	want := map[string]Position{"img/café.png": {3, 4}, "js/app.js": {4, 2}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("EntryPositions = %v, %v; want %v", got, err, want)
	}

	// A manifest Parse refuses: its error, and the entries read before.
	broken := `{"version": 1, "url": "/", "files": {"a.css": {"path": "a.1.css"}, "b.css": {"path": 1}, "c.css": {`
	col := func(key string) int { return strings.Index(broken, key) + 1 }
	got, err = EntryPositions([]byte(broken))
	want = map[string]Position{"a.css": {1, col(`"a.css"`)}, "b.css": {1, col(`"b.css"`)}, "c.css": {1, col(`"c.css"`)}}
	if !errors.Is(err, ErrSyntax) || !errors.Is(err, ErrSchema) || !reflect.DeepEqual(got, want) {
		t.Errorf("EntryPositions of a broken manifest = %v, %v", got, err)
	}
	if _, err := EntryPositions([]byte("\xff")); !errors.Is(err, ErrSyntax) {
		t.Errorf("EntryPositions of invalid UTF-8: %v, want ErrSyntax", err)
	}
}
