package manifest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	f.Add([]byte(sampleJSON))
	f.Add([]byte(`{"version":1,"url":"/","files":{}}`))
	f.Add([]byte(entryJSON(`"a.css"`, `{"path":"a.1.css","sources":[]}`)))
	f.Add([]byte(`{"version":1,"url":"/","files":{"\ud83d\ude00":{"path":"\u00e9"}}}`))
	f.Add([]byte(`{"version":1,"version":1,"url":"/","files":{"a":{"path":"../a"},"a":1}} x`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			if m != nil {
				t.Fatalf("Parse returned a manifest with error %v", err)
			}
			return
		}
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("Parse accepted what Marshal rejects: %v", err)
		}
		m2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Marshal(m)): %v\n%s", err, out)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip changed the manifest:\n%+v\n%+v", m, m2)
		}
		out2, err := m2.Marshal()
		if err != nil || !bytes.Equal(out, out2) {
			t.Fatalf("Marshal is not stable: %v\n%s\n%s", err, out, out2)
		}
	})
}

func FuzzParseDjango(f *testing.F) {
	f.Add([]byte(`{"paths": {"a.css": "a.1.css"}, "version": "1.0"}`))
	f.Add([]byte(`{"paths": {"js/app.js": "js/app.8b1a9953c461.js", "css/app.css": "css/app.3d5a6b2c1e9f.css"}, "version": "1.1", "hash": "f9d8d814c367"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		paths, version, err := ParseDjango(data)
		if err != nil {
			return
		}
		m := &Manifest{URL: "/", Files: make(map[string]Entry)}
		for name, p := range paths {
			m.Files[name] = Entry{Path: p}
		}
		out, err := m.MarshalDjango(version)
		if err != nil {
			t.Fatalf("ParseDjango accepted what MarshalDjango rejects: %v", err)
		}
		paths2, version2, err := ParseDjango(out)
		if err != nil || version2 != version || !reflect.DeepEqual(paths, paths2) {
			t.Fatalf("round trip: %q, %q, %v; want %q, %q", paths2, version2, err, paths, version)
		}
	})
}

// FuzzPyQuote checks the Python-compatible encoder against encoding/json:
// what it writes is printable ASCII that decodes to the same string.
func FuzzPyQuote(f *testing.F) {
	for _, name := range trickyNames {
		f.Add(name)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		var b strings.Builder
		pyQuote(&b, s)
		for _, c := range []byte(b.String()) {
			if c < ' ' || c > '~' {
				t.Fatalf("pyQuote(%q) = %s: byte %#x", s, b.String(), c)
			}
		}
		var back string
		if err := json.Unmarshal([]byte(b.String()), &back); err != nil || back != s {
			t.Fatalf("pyQuote(%q) = %s, which decodes to %q, %v", s, b.String(), back, err)
		}
	})
}
