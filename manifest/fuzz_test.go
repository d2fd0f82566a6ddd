package manifest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
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
	f.Add([]byte(entryBundleJSON))
	f.Add([]byte(`{"version":1,"url":"/","files":{"a.js":{"path":"a.1.js","imports":["b.js","a.js"],"dynamic_imports":[],"css":["c"],"assets":["b.js"]},"b.js":{"path":"b.1.js","imports":["a.js"]},"c":{"path":"c.1"}}}`))
	f.Add([]byte(`{"version":1,"url":"/","files":{"a.js":{"path":"a.1.js","imports":["b.js",1],"css":null,"assets":["\u00e9"]},"b.js":{"path":5}}}`))
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
		// What Parse accepts, Tags can follow: every reference is a file,
		// and cycles end.
		for name := range m.Files {
			if _, err := m.Tags(name); err != nil {
				t.Fatalf("Tags(%q): %v", name, err)
			}
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
		m := &Manifest{Prefix: "/", Files: make(map[string]Entry)}
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

// FuzzHandlerPath sends the handler requests as a server would parse them
// and checks that it never fails with a 5xx and never sends bytes other
// than those of a file it serves: a hashed path, a plain copy of a logical
// name, or a precompressed sibling of either under its Content-Encoding.
// The secret file, the manifests and a sibling asked for by name are
// never among them.
func FuzzHandlerPath(f *testing.F) {
	for _, target := range []string{
		siteURL, plainSite, appURL, "/static/../secret.txt", "/static/%2e%2e/secret.txt",
		"/static/a%2Fb", "/static/css/", "/static/" + FileName, "/static/" + sitePath + ".br",
		`/static/css\site.css`, "/static/%00", "/static/a%20b/%C3%BC.708192a3b4c5.css",
		"/static//css/site.css", "/static/./css/site.css", "/static/weird.css",
	} {
		f.Add(target, "gzip, br")
	}
	f.Add(siteURL, "br;q=0, *;q=0.5")
	f.Add(siteURL, "identity;q=0")
	m, fsys := outputFS(f)
	h := m.Handler(fsys)
	// What may be sent, by Content-Encoding.
	allowed := map[string]map[string]bool{}
	allow := func(enc, data string) {
		if allowed[enc] == nil {
			allowed[enc] = map[string]bool{}
		}
		allowed[enc][data] = true
	}
	for name, e := range m.Files {
		for _, p := range []string{name, e.Path} {
			if file, ok := fsys[p]; ok && e.Path != "css" {
				allow("", string(file.Data))
				for _, c := range codings {
					if v, ok := fsys[p+c.ext]; ok {
						allow(c.name, string(v.Data))
					}
				}
			}
		}
	}
	for _, never := range []string{secret, string(fsys[FileName].Data), string(fsys[DjangoFileName].Data)} {
		for enc := range allowed {
			if allowed[enc][never] {
				f.Fatalf("the fixture allows %q", never)
			}
		}
	}
	f.Fuzz(func(t *testing.T, target, accept string) {
		if strings.ContainsAny(accept, "\r\n") {
			return
		}
		raw := "GET " + target + " HTTP/1.1\r\nHost: example.com\r\nAccept-Encoding: " + accept + "\r\n\r\n"
		r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
		if err != nil {
			return // a server would answer 400 before any handler
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		resp := w.Result()
		got, _ := io.ReadAll(resp.Body)
		switch {
		case resp.StatusCode >= 500:
			t.Fatalf("GET %q: %d %q", target, resp.StatusCode, got)
		case resp.StatusCode == 404:
			if string(got) != notFoundMsg {
				t.Fatalf("GET %q: 404 body %q", target, got)
			}
		case resp.StatusCode == 200:
			enc := resp.Header.Get("Content-Encoding")
			if !allowed[enc][string(got)] {
				t.Fatalf("GET %q (Accept-Encoding %q) sent %q with Content-Encoding %q", target, accept, got, enc)
			}
		default:
			t.Fatalf("GET %q: unexpected status %d", target, resp.StatusCode)
		}
	})
}
