package manifest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

// sri returns the integrity hash of s, which is also the ETag the handler
// computes for a file that has none in the manifest.
func sri(s string) string {
	return Integrity([]byte(s))
}

// The bytes of the files in outputFS. The compressed variants are not
// really compressed: the handler never reads them, and distinct bytes show
// which file it sent.
const (
	siteCSS     = "body{color:#c00;font-family:Inter}\n"
	siteCSSBr   = "br(site.css)"
	siteCSSZst  = "zstd(site.css)"
	siteCSSGz   = "gzip(site.css)"
	plainCSSGz  = "gzip(plain site.css)"
	appJS       = "document.body.dataset.ok=1;\n"
	appJSGz     = "gzip(app.js)"
	modMJS      = "export const x = 1;\n"
	logoSVG     = `<svg xmlns="http://www.w3.org/2000/svg"/>`
	staleLogo   = `<svg xmlns="http://www.w3.org/2000/svg" class="old"/>`
	secret      = "not for the web"
	sitePath    = "css/site.3d5a6b2c1e9f.css"
	siteURL     = "/static/" + sitePath
	appURL      = "/static/js/app.8b1a9953c461.js"
	plainSite   = "/static/css/site.css"
	notFoundMsg = "404 page not found\n"
)

// outputFS is a stapler output directory: hashed files with their
// entries, some plain copies (keep_unhashed), some precompressed
// siblings, both manifests, and files the handler must not serve.
func outputFS(t testing.TB) (*Manifest, fstest.MapFS) {
	m := &Manifest{
		Version: Version,
		Prefix:  "/static/",
		Files: map[string]Entry{
			"css/site.css":  {Path: sitePath, Size: int64(len(siteCSS)), Integrity: sri(siteCSS)},
			"js/app.js":     {Path: "js/app.8b1a9953c461.js", Size: int64(len(appJS)), Integrity: sri(appJS)},
			"js/mod.mjs":    {Path: "js/mod.1a2b3c4d5e6f.mjs", Size: int64(len(modMJS))}, // no integrity
			"img/logo.svg":  {Path: "img/logo.2b3c4d5e6f70.svg", Size: int64(len(logoSVG)), Integrity: sri(logoSVG)},
			"fonts/a.woff2": {Path: "fonts/a.3c4d5e6f7081.woff2"},
			"fonts/a.woff":  {Path: "fonts/a.4d5e6f708192.woff"},
			"data/x.json":   {Path: "data/x.5e6f708192a3.json"},
			"js/app.js.map": {Path: "js/app.8b1a9953c461.js.map"},
			"wasm/x.wasm":   {Path: "wasm/x.6f708192a3b4.wasm"},
			"a b/ü.css":     {Path: "a b/ü.708192a3b4c5.css"},
			"weird.css":     {Path: "css"}, // names a directory
		},
	}
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	django, err := m.MarshalDjango("1.1")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		FileName:       {Data: data},
		DjangoFileName: {Data: django},
		"secret.txt":   {Data: []byte(secret)},

		sitePath:          {Data: []byte(siteCSS)},
		sitePath + ".br":  {Data: []byte(siteCSSBr)},
		sitePath + ".zst": {Data: []byte(siteCSSZst)},
		sitePath + ".gz":  {Data: []byte(siteCSSGz)},
		"css/site.css":    {Data: []byte(siteCSS)},
		"css/site.css.gz": {Data: []byte(plainCSSGz)},

		"js/app.8b1a9953c461.js":    {Data: []byte(appJS)},
		"js/app.8b1a9953c461.js.gz": {Data: []byte(appJSGz)},
		// No plain js/app.js: that name is not served.

		"js/mod.1a2b3c4d5e6f.mjs":    {Data: []byte(modMJS)},
		"img/logo.2b3c4d5e6f70.svg":  {Data: []byte(logoSVG)},
		"img/logo.svg":               {Data: []byte(staleLogo)}, // a plain copy from an older build
		"fonts/a.3c4d5e6f7081.woff2": {Data: []byte("wOF2")},
		"fonts/a.4d5e6f708192.woff":  {Data: []byte("wOFF")},
		"data/x.5e6f708192a3.json":   {Data: []byte(`{"x":1}`)},
		"js/app.8b1a9953c461.js.map": {Data: []byte(`{"version":3}`)},
		"wasm/x.6f708192a3b4.wasm":   {Data: []byte("\x00asm\x01\x00\x00\x00")},
		"a b/ü.708192a3b4c5.css":     {Data: []byte("p{}")},
	}
	return m, fsys
}

// absent is the value of a wanted header that must not be there.
const absent = "(absent)"

type request struct {
	method string // GET if empty
	target string
	header []string // name, value, name, value...
}

func (rq request) do(t testing.TB, h http.Handler) *http.Response {
	t.Helper()
	method := rq.method
	if method == "" {
		method = http.MethodGet
	}
	r := httptest.NewRequest(method, rq.target, nil)
	for i := 0; i+1 < len(rq.header); i += 2 {
		r.Header.Add(rq.header[i], rq.header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func etag(s string) string { return `"` + s + `"` }

func TestHandlerHeaders(t *testing.T) {
	m, fsys := outputFS(t)
	h := m.Handler(fsys)
	siteTag := etag(sri(siteCSS))
	siteBrTag := etag(sri(siteCSS) + "-br")
	const immutable = "public, max-age=31536000, immutable"
	const short = "public, max-age=60"
	const css = "text/css; charset=utf-8"
	for _, tc := range []struct {
		name   string
		req    request
		status int
		header map[string]string // exact values; absent for none
		body   string
	}{
		// Cache-Control and ETag by kind of name.
		{"hashed name: immutable, ETag from the integrity",
			request{target: siteURL}, 200,
			map[string]string{"Cache-Control": immutable, "Etag": siteTag, "Vary": "Accept-Encoding",
				"Content-Type": css, "Content-Length": strconv.Itoa(len(siteCSS)), "Content-Encoding": absent,
				"Accept-Ranges": "bytes", "Last-Modified": absent, "X-Content-Type-Options": "nosniff"},
			siteCSS},
		{"query string ignored",
			request{target: siteURL + "?v=2"}, 200,
			map[string]string{"Cache-Control": immutable, "Etag": siteTag}, siteCSS},
		{"plain name: short max-age, ETag from its content",
			request{target: plainSite}, 200,
			map[string]string{"Cache-Control": short, "Etag": siteTag, "Vary": "Accept-Encoding", "Content-Type": css},
			siteCSS},
		{"stale plain copy: ETag of the bytes served, not of the entry",
			request{target: "/static/img/logo.svg"}, 200,
			map[string]string{"Cache-Control": short, "Etag": etag(sri(staleLogo)), "Content-Type": "image/svg+xml"},
			staleLogo},
		{"hashed name without integrity: ETag from content",
			request{target: "/static/js/mod.1a2b3c4d5e6f.mjs"}, 200,
			map[string]string{"Cache-Control": immutable, "Etag": etag(sri(modMJS)), "Vary": "Accept-Encoding"},
			modMJS},
		{"escaped name",
			request{target: "/static/a%20b/%C3%BC.708192a3b4c5.css"}, 200,
			map[string]string{"Content-Type": css}, "p{}"},

		// Conditional requests.
		{"If-None-Match → 304 with the same ETag, Cache-Control, Vary",
			request{target: siteURL, header: []string{"If-None-Match", siteTag}}, 304,
			map[string]string{"Etag": siteTag, "Cache-Control": immutable, "Vary": "Accept-Encoding",
				"Content-Type": absent, "Content-Length": absent, "Content-Encoding": absent},
			""},
		{"If-None-Match list, weak form → 304",
			request{target: siteURL, header: []string{"If-None-Match", `"nope", W/` + siteTag}}, 304,
			map[string]string{"Etag": siteTag}, ""},
		{"If-None-Match * → 304",
			request{target: siteURL, header: []string{"If-None-Match", "*"}}, 304,
			map[string]string{"Etag": siteTag}, ""},
		{"If-None-Match other → 200",
			request{target: siteURL, header: []string{"If-None-Match", `"sha384-other"`}}, 200,
			map[string]string{"Etag": siteTag}, siteCSS},
		{"plain name 304",
			request{target: plainSite, header: []string{"If-None-Match", siteTag}}, 304,
			map[string]string{"Etag": siteTag, "Cache-Control": short, "Vary": "Accept-Encoding"}, ""},
		{"identity ETag does not match the br variant",
			request{target: siteURL, header: []string{"If-None-Match", siteTag, "Accept-Encoding", "br"}}, 200,
			map[string]string{"Etag": siteBrTag, "Content-Encoding": "br"}, siteCSSBr},
		{"br ETag → 304 for br, no Content-Encoding",
			request{target: siteURL, header: []string{"If-None-Match", siteBrTag, "Accept-Encoding", "br"}}, 304,
			map[string]string{"Etag": siteBrTag, "Vary": "Accept-Encoding", "Cache-Control": immutable, "Content-Encoding": absent}, ""},
		{"br ETag does not match identity",
			request{target: siteURL, header: []string{"If-None-Match", siteBrTag}}, 200,
			map[string]string{"Etag": siteTag, "Content-Encoding": absent}, siteCSS},
		{"If-Match other → 412",
			request{target: siteURL, header: []string{"If-Match", `"x"`, "Accept-Encoding", "br"}}, 412,
			map[string]string{"Content-Encoding": absent}, ""},

		// HEAD.
		{"HEAD: headers, no body",
			request{method: "HEAD", target: siteURL}, 200,
			map[string]string{"Etag": siteTag, "Content-Length": strconv.Itoa(len(siteCSS)), "Cache-Control": immutable, "Content-Type": css},
			""},
		{"HEAD br: the variant's length",
			request{method: "HEAD", target: siteURL, header: []string{"Accept-Encoding", "br"}}, 200,
			map[string]string{"Etag": siteBrTag, "Content-Length": strconv.Itoa(len(siteCSSBr)), "Content-Encoding": "br"},
			""},

		// Range.
		{"Range → 206",
			request{target: siteURL, header: []string{"Range", "bytes=0-3"}}, 206,
			map[string]string{"Content-Range": "bytes 0-3/" + strconv.Itoa(len(siteCSS)), "Content-Length": "4",
				"Etag": siteTag, "Cache-Control": immutable, "Content-Encoding": absent},
			siteCSS[:4]},
		{"suffix Range",
			request{target: siteURL, header: []string{"Range", "bytes=-2"}}, 206,
			map[string]string{"Content-Range": "bytes " + strconv.Itoa(len(siteCSS)-2) + "-" + strconv.Itoa(len(siteCSS)-1) + "/" + strconv.Itoa(len(siteCSS))},
			siteCSS[len(siteCSS)-2:]},
		{"Range applies to the br variant",
			request{target: siteURL, header: []string{"Range", "bytes=3-5", "Accept-Encoding", "br"}}, 206,
			map[string]string{"Content-Range": "bytes 3-5/" + strconv.Itoa(len(siteCSSBr)), "Content-Encoding": "br",
				"Etag": siteBrTag, "Content-Length": "3", "Vary": "Accept-Encoding"},
			siteCSSBr[3:6]},
		{"unsatisfiable Range → 416",
			request{target: siteURL, header: []string{"Range", "bytes=1000-2000"}}, 416,
			map[string]string{"Content-Range": "bytes */" + strconv.Itoa(len(siteCSS)), "Content-Encoding": absent},
			"invalid range: failed to overlap\n"},
		{"If-Range matching → 206",
			request{target: siteURL, header: []string{"Range", "bytes=0-3", "If-Range", siteTag}}, 206,
			map[string]string{"Content-Range": "bytes 0-3/" + strconv.Itoa(len(siteCSS))}, siteCSS[:4]},
		{"If-Range stale → 200, whole file",
			request{target: siteURL, header: []string{"Range", "bytes=0-3", "If-Range", `"sha384-old"`}}, 200,
			map[string]string{"Content-Range": absent, "Etag": siteTag}, siteCSS},

		// Content-Type by extension, whatever the OS's MIME database says.
		{"js", request{target: appURL}, 200, map[string]string{"Content-Type": "text/javascript; charset=utf-8"}, appJS},
		{"mjs", request{target: "/static/js/mod.1a2b3c4d5e6f.mjs"}, 200, map[string]string{"Content-Type": "text/javascript; charset=utf-8"}, modMJS},
		{"svg", request{target: "/static/img/logo.2b3c4d5e6f70.svg"}, 200, map[string]string{"Content-Type": "image/svg+xml"}, logoSVG},
		{"woff2", request{target: "/static/fonts/a.3c4d5e6f7081.woff2"}, 200, map[string]string{"Content-Type": "font/woff2"}, "wOF2"},
		{"woff", request{target: "/static/fonts/a.4d5e6f708192.woff"}, 200, map[string]string{"Content-Type": "font/woff"}, "wOFF"},
		{"json", request{target: "/static/data/x.5e6f708192a3.json"}, 200, map[string]string{"Content-Type": "application/json"}, `{"x":1}`},
		{"map", request{target: "/static/js/app.8b1a9953c461.js.map"}, 200, map[string]string{"Content-Type": "application/json"}, `{"version":3}`},
		{"wasm", request{target: "/static/wasm/x.6f708192a3b4.wasm"}, 200, map[string]string{"Content-Type": "application/wasm"}, "\x00asm\x01\x00\x00\x00"},
		{"Content-Type of the file, not of its gzip variant",
			request{target: appURL, header: []string{"Accept-Encoding", "gzip"}}, 200,
			map[string]string{"Content-Type": "text/javascript; charset=utf-8", "Content-Encoding": "gzip"}, appJSGz},

		// Vary on every file response, siblings or not.
		{"Vary without siblings", request{target: "/static/data/x.5e6f708192a3.json"}, 200,
			map[string]string{"Vary": "Accept-Encoding"}, `{"x":1}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := tc.req.do(t, h)
			got := body(t, resp)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.status)
			}
			checkHeaders(t, resp.Header, tc.header)
			if got != tc.body {
				t.Errorf("body %q, want %q", got, tc.body)
			}
		})
	}
}

func checkHeaders(t *testing.T, got http.Header, want map[string]string) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		v := got.Values(k)
		switch {
		case want[k] == absent && len(v) > 0:
			t.Errorf("%s: %q, want none", k, v)
		case want[k] != absent && (len(v) != 1 || v[0] != want[k]):
			t.Errorf("%s: %q, want %q", k, v, want[k])
		}
	}
}

// TestHandlerAcceptEncoding checks the choice among precompressed
// siblings: q-values, refusals, identity, "*", and br > zstd > gzip
// between equals.
func TestHandlerAcceptEncoding(t *testing.T) {
	m, fsys := outputFS(t)
	h := m.Handler(fsys)
	site := map[string]string{"": siteCSS, "br": siteCSSBr, "zstd": siteCSSZst, "gzip": siteCSSGz}
	app := map[string]string{"": appJS, "gzip": appJSGz} // only a .gz sibling
	plain := map[string]string{"": siteCSS, "gzip": plainCSSGz}
	for _, tc := range []struct {
		target string
		accept []string // Accept-Encoding header lines; nil for none
		want   string   // the coding served; "" for identity
	}{
		{siteURL, nil, ""},
		{siteURL, []string{""}, ""},
		{siteURL, []string{"gzip"}, "gzip"},
		{siteURL, []string{"GZIP"}, "gzip"},
		{siteURL, []string{"x-gzip"}, "gzip"},
		{siteURL, []string{"br"}, "br"},
		{siteURL, []string{"zstd"}, "zstd"},
		{siteURL, []string{"gzip, deflate, br, zstd"}, "br"}, // a browser's
		{siteURL, []string{"gzip, zstd"}, "zstd"},
		{siteURL, []string{"gzip", "br"}, "br"}, // two header lines
		{siteURL, []string{"br;q=0.5, gzip"}, "gzip"},
		{siteURL, []string{"br;q=0.5, gzip;q=0.8, zstd;q=0.7"}, "gzip"},
		{siteURL, []string{"br ; Q=0.9 , gzip;q=0.95"}, "gzip"},
		{siteURL, []string{"br;q=0, gzip;q=0"}, ""},
		{siteURL, []string{"br;q=0"}, ""},
		{siteURL, []string{"*"}, "br"},
		{siteURL, []string{"br;q=0, *"}, "zstd"},
		{siteURL, []string{"*;q=0"}, ""}, // nothing acceptable: identity anyway
		{siteURL, []string{"*;q=0, gzip"}, "gzip"},
		{siteURL, []string{"identity"}, ""},
		{siteURL, []string{"identity;q=0, gzip;q=0.1"}, "gzip"},
		{siteURL, []string{"gzip;q=0.5, identity"}, ""},
		{siteURL, []string{"gzip, identity"}, "gzip"}, // equal: compressed first
		{siteURL, []string{"deflate"}, ""},
		{siteURL, []string{"br;q=abc, gzip;q=0.1"}, "gzip"}, // malformed q refuses
		{siteURL, []string{"br;q=2, gzip;q=0.1"}, "gzip"},
		{siteURL, []string{"br;q=0.001"}, "br"},
		{siteURL, []string{"br;q=0.2, br;q=0.9, gzip;q=0.5"}, "br"},
		{appURL, []string{"br"}, ""},
		{appURL, []string{"br, gzip"}, "gzip"},
		{appURL, []string{"br;q=1, gzip;q=0.1"}, "gzip"},
		{plainSite, []string{"br, gzip"}, "gzip"},
	} {
		t.Run(tc.target+" "+strings.Join(tc.accept, "|"), func(t *testing.T) {
			var hdr []string
			for _, a := range tc.accept {
				hdr = append(hdr, "Accept-Encoding", a)
			}
			resp := request{target: tc.target, header: hdr}.do(t, h)
			got := body(t, resp)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			contents := site
			identityTag := sri(siteCSS)
			switch tc.target {
			case appURL:
				contents, identityTag = app, sri(appJS)
			case plainSite:
				contents = plain
			}
			wantTag, wantEnc := etag(identityTag), absent
			if tc.want != "" {
				wantTag, wantEnc = etag(identityTag+"-"+tc.want), tc.want
			}
			checkHeaders(t, resp.Header, map[string]string{
				"Content-Encoding": wantEnc,
				"Etag":             wantTag,
				"Vary":             "Accept-Encoding",
				"Content-Length":   strconv.Itoa(len(contents[tc.want])),
			})
			if got != contents[tc.want] {
				t.Errorf("body %q, want %q", got, contents[tc.want])
			}
		})
	}
}

// TestHandlerNotFound checks that every request the handler does not serve
// gets the same 404, with nothing in it about why.
func TestHandlerNotFound(t *testing.T) {
	m, fsys := outputFS(t)
	h := m.Handler(fsys)
	// Controls, so that the misses are not vacuous.
	for _, target := range []string{siteURL, plainSite, "/static/a%20b/%C3%BC.708192a3b4c5.css"} {
		if resp := (request{target: target}).do(t, h); resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d, want 200", target, resp.StatusCode)
		}
	}
	wantHeader := http.Header{
		"Content-Type":           {"text/plain; charset=utf-8"},
		"X-Content-Type-Options": {"nosniff"},
	}
	for _, target := range []string{
		"/static/../secret.txt",
		"/static/../" + sitePath,
		"/static/css/../" + sitePath,
		"/static/%2e%2e/secret.txt",
		"/static/%2E%2E/" + sitePath,
		"/static/css/%2e%2e/" + sitePath,
		"/static/./" + sitePath,
		"/static//" + sitePath,
		"/static/css%2Fsite.3d5a6b2c1e9f.css", // an encoded slash, even to a real file
		"/static/css%2fsite.3d5a6b2c1e9f.css",
		"/static/a%2Fb",
		`/static/css\site.3d5a6b2c1e9f.css`,
		"/static/css%5Csite.3d5a6b2c1e9f.css",
		"/static/%5C..%5Csecret.txt",
		"/static/%00",
		"/static/" + sitePath + "%00",
		"/static/" + sitePath + "%00.css",
		"/static/css/",
		"/static/css",
		"/static/",
		"/static",
		"/static/" + sitePath + "/",
		"/static/weird.css", // a logical name whose path is a directory
		"/static/" + FileName,
		"/static/" + DjangoFileName,
		"/static/secret.txt",
		"/static/" + sitePath + ".br",
		"/static/" + sitePath + ".gz",
		"/static/css/site.css.gz",
		"/static/js/app.js", // a logical name with no plain copy
		"/static/css/nope.css",
		"/static/CSS/site.3d5a6b2c1e9f.css",
		"/" + sitePath, // outside the prefix
		"/staticx/" + sitePath,
		"/secret.txt",
		"/",
		"/static/%ff.css",
		"/static/a%20b/ü.708192a3b4c5.css%2F",
	} {
		t.Run(target, func(t *testing.T) {
			for _, method := range []string{"GET", "HEAD"} {
				resp := request{method: method, target: target, header: []string{"Accept-Encoding", "br, gzip"}}.do(t, h)
				got := body(t, resp)
				if resp.StatusCode != 404 {
					t.Errorf("%s: status %d, want 404", method, resp.StatusCode)
				}
				if want := notFoundMsg; method == "GET" && got != want {
					t.Errorf("%s: body %q, want %q", method, got, want)
				}
				resp.Header.Del("Content-Length") // the recorder adds it to HEAD
				if !maps.EqualFunc(resp.Header, wantHeader, slices.Equal) {
					t.Errorf("%s: header %v, want %v", method, resp.Header, wantHeader)
				}
			}
		})
	}
}

func TestHandlerMethods(t *testing.T) {
	m, fsys := outputFS(t)
	h := m.Handler(fsys)
	for _, method := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"} {
		for _, target := range []string{siteURL, "/static/nope"} {
			resp := request{method: method, target: target}.do(t, h)
			if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
				t.Errorf("%s %s: %d, Allow %q; want 405, GET, HEAD", method, target, resp.StatusCode, resp.Header.Get("Allow"))
			}
			if got := body(t, resp); got != "405 method not allowed\n" {
				t.Errorf("%s %s: body %q", method, target, got)
			}
		}
	}
}

func TestHandlerPlainCacheControl(t *testing.T) {
	m, fsys := outputFS(t)
	h := m.Handler(fsys)
	h.PlainCacheControl = "no-cache"
	for target, want := range map[string]string{
		plainSite: "no-cache",
		siteURL:   "public, max-age=31536000, immutable", // hashed names keep theirs
	} {
		resp := request{target: target}.do(t, h)
		if got := resp.Header.Get("Cache-Control"); got != want {
			t.Errorf("%s: Cache-Control %q, want %q", target, got, want)
		}
	}
}

// TestHandlerPrefix checks that the handler serves under the path of the
// manifest's URL, absolute or not, and nothing when it has none.
func TestHandlerPrefix(t *testing.T) {
	for _, tc := range []struct {
		url, target string
		status      int
	}{
		{"https://cdn.example.com/assets/", "/assets/" + sitePath, 200},
		{"https://cdn.example.com/assets/", "/static/" + sitePath, 404},
		{"//cdn.example.com/a/b/", "/a/b/" + sitePath, 200},
		{"/", "/" + sitePath, 200},
		{"/", "/" + FileName, 404},
		{"/my%20static/", "/my%20static/" + sitePath, 200},
		{"https://cdn.example.com/", "/" + sitePath, 200},
		{"static/", "/static/" + sitePath, 404}, // no absolute path: nothing served
		{"%zz/", "/%25zz/" + sitePath, 404},
	} {
		m, fsys := outputFS(t)
		m.Prefix = tc.url
		resp := request{target: tc.target}.do(t, m.Handler(fsys))
		if resp.StatusCode != tc.status {
			t.Errorf("url %q, GET %s: %d, want %d", tc.url, tc.target, resp.StatusCode, tc.status)
		}
	}
}

// TestHandlerSnapshot checks that the handler does not see later changes
// to the manifest, and never serves names that are not clean paths.
func TestHandlerSnapshot(t *testing.T) {
	m, fsys := outputFS(t)
	fsys["evil"] = &fstest.MapFile{Data: []byte(secret)}
	m.Files["../evil"] = Entry{Path: "css/../evil"}
	h := m.Handler(fsys)
	delete(m.Files, "css/site.css")
	for target, want := range map[string]int{
		siteURL:           200,
		plainSite:         200,
		"/static/evil":    404,
		"/static/../evil": 404,
	} {
		if resp := (request{target: target}).do(t, h); resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", target, resp.StatusCode, want)
		}
	}
}

// TestHandlerContentTagChanges checks that a plain file rewritten by a
// later build gets a new ETag.
func TestHandlerContentTagChanges(t *testing.T) {
	m, fsys := outputFS(t)
	h := m.Handler(fsys)
	first := request{target: plainSite}.do(t, h).Header.Get("Etag")
	fsys["css/site.css"] = &fstest.MapFile{Data: []byte("body{}"), ModTime: time.Unix(1e9, 0)}
	resp := request{target: plainSite, header: []string{"If-None-Match", first}}.do(t, h)
	if resp.StatusCode != 200 || resp.Header.Get("Etag") != etag(sri("body{}")) || body(t, resp) != "body{}" {
		t.Errorf("after a rewrite: %d, ETag %s (first %s)", resp.StatusCode, resp.Header.Get("Etag"), first)
	}
}

// TestHandlerSniff checks the Content-Type of an extension no table knows:
// sniffed from the identity bytes, even when a gzip variant is sent.
func TestHandlerSniff(t *testing.T) {
	fsys := fstest.MapFS{
		"x.1.stapler-test":    {Data: []byte("plain words")},
		"x.1.stapler-test.gz": {Data: []byte("\x1f\x8b\x08\x00")},
	}
	m := &Manifest{Prefix: "/s/", Files: map[string]Entry{"x.stapler-test": {Path: "x.1.stapler-test"}}}
	for _, accept := range []string{"", "gzip"} {
		resp := request{target: "/s/x.1.stapler-test", header: []string{"Accept-Encoding", accept}}.do(t, m.Handler(fsys))
		if got := resp.Header.Get("Content-Type"); got != "text/plain; charset=utf-8" {
			t.Errorf("Accept-Encoding %q: Content-Type %q", accept, got)
		}
	}
}

// TestHandlerDirFS serves a real directory, whose files are *os.File, and
// one whose files cannot seek.
func TestHandlerDirFS(t *testing.T) {
	m, mapFS := outputFS(t)
	dir := t.TempDir()
	for name, f := range mapFS {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		fsys fs.FS
	}{
		{"os.DirFS", os.DirFS(dir)},
		{"no Seek", noSeekFS{mapFS}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := m.Handler(tc.fsys)
			resp := request{target: siteURL, header: []string{"Range", "bytes=1-2", "Accept-Encoding", "zstd"}}.do(t, h)
			if got := body(t, resp); resp.StatusCode != 206 || got != siteCSSZst[1:3] || resp.Header.Get("Content-Encoding") != "zstd" {
				t.Errorf("Range: %d %q %q", resp.StatusCode, got, resp.Header.Get("Content-Encoding"))
			}
			resp = request{target: "/static/js/mod.1a2b3c4d5e6f.mjs"}.do(t, h)
			if got := body(t, resp); resp.StatusCode != 200 || got != modMJS || resp.Header.Get("Etag") != etag(sri(modMJS)) {
				t.Errorf("content ETag: %d %q %s", resp.StatusCode, got, resp.Header.Get("Etag"))
			}
			for _, target := range []string{"/static/css", "/static/../secret.txt", "/static/" + FileName} {
				if resp := (request{target: target}).do(t, h); resp.StatusCode != 404 || body(t, resp) != notFoundMsg {
					t.Errorf("GET %s: %d", target, resp.StatusCode)
				}
			}
		})
	}
}

// noSeekFS hides the Seek method of its files.
type noSeekFS struct{ fsys fs.FS }

func (f noSeekFS) Open(name string) (fs.File, error) {
	file, err := f.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	return struct{ fs.File }{file}, nil
}

// TestHandlerServer serves through a real server and http.ServeMux, as an
// app mounts it, with a real gzip sibling that Go's client decompresses.
func TestHandlerServer(t *testing.T) {
	m, fsys := outputFS(t)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(siteCSS))
	zw.Close()
	fsys[sitePath+".gz"] = &fstest.MapFile{Data: gz.Bytes()}
	delete(fsys, sitePath+".br")
	delete(fsys, sitePath+".zst")
	mux := http.NewServeMux()
	mux.Handle("GET /static/", m.Handler(fsys))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, err := http.Get(srv.URL + siteURL) // the transport asks for gzip and inflates it
	if err != nil {
		t.Fatal(err)
	}
	if got := body(t, resp); resp.StatusCode != 200 || got != siteCSS || !resp.Uncompressed {
		t.Errorf("GET: %d, uncompressed %v, %q", resp.StatusCode, resp.Uncompressed, got)
	}
	resp.Body.Close()

	req, _ := http.NewRequest("GET", srv.URL+siteURL, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if got := body(t, resp); got != gz.String() || resp.Header.Get("Content-Encoding") != "gzip" ||
		resp.ContentLength != int64(gz.Len()) || resp.Header.Get("Etag") != etag(sri(siteCSS)+"-gzip") {
		t.Errorf("GET gzip: %q, length %d, header %v", got, resp.ContentLength, resp.Header)
	}
	resp.Body.Close()

	for _, target := range []string{"/static/%2e%2e/secret.txt", "/static/a%2Fb", "/static/css/", "/static/" + FileName} {
		resp, err := http.Get(srv.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		if got := body(t, resp); resp.StatusCode != 404 || got != notFoundMsg {
			t.Errorf("GET %s: %d %q", target, resp.StatusCode, got)
		}
		resp.Body.Close()
	}
}

// TestHandlerConcurrent runs requests in parallel; with -race it checks
// the ETag cache.
func TestHandlerConcurrent(t *testing.T) {
	m, fsys := outputFS(t)
	h := m.Handler(fsys)
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			target := []string{plainSite, "/static/js/mod.1a2b3c4d5e6f.mjs", siteURL, "/static/img/logo.svg"}[i%4]
			resp := request{target: target, header: []string{"Accept-Encoding", "gzip"}}.do(t, h)
			if resp.StatusCode != 200 {
				t.Errorf("GET %s: %d", target, resp.StatusCode)
			}
		})
	}
	wg.Wait()
}

// TestMergeRanges checks the Range headers the handler hands on to
// ServeContent, for a file of 100 bytes.
func TestMergeRanges(t *testing.T) {
	many := make([]string, 40)
	for i := range many {
		many[i] = fmt.Sprintf("%d-%d", 2*i, 2*i) // one byte in two: nothing merges
	}
	tests := []struct{ in, want string }{
		{"bytes=0-3", "bytes=0-3"},
		{"bytes=0-", "bytes=0-99"},
		{"bytes=-10", "bytes=90-99"},
		{"bytes=-500", "bytes=0-99"},
		{"bytes=50-500", "bytes=50-99"},
		{"bytes=0-9, 5-14", "bytes=0-14"},                  // overlapping
		{"bytes=20-29,10-19", "bytes=10-29"},               // adjacent, out of order
		{"bytes=0-0,0-0,0-0", "bytes=0-0"},                 // repeated
		{"bytes=0-1,10-11", "bytes=0-1,10-11"},             // apart: kept apart
		{"bytes=0-1,200-300", "bytes=0-1"},                 // one beyond the end: dropped
		{"bytes=" + strings.Join(many, ","), "bytes=0-78"}, // past maxRanges: one span
		// Left for ServeContent: unsatisfiable, unreadable, other units.
		{"bytes=200-300", "bytes=200-300"},
		{"bytes=5-2", "bytes=5-2"},
		{"bytes=x-y", "bytes=x-y"},
		{"items=0-3", "items=0-3"},
	}
	for _, tt := range tests {
		if got := mergeRanges(tt.in, 100); got != tt.want {
			t.Errorf("mergeRanges(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestHandlerRangeFlood guards the response to a request of many
// overlapping ranges: 5,000 "0-0" ranges once made a multipart response
// 7.4 times the file's size; now they are one range of one byte.
func TestHandlerRangeFlood(t *testing.T) {
	m, fsys := outputFS(t)
	h := m.Handler(fsys)
	req := httptest.NewRequest("GET", siteURL, nil)
	req.Header.Set("Range", "bytes="+strings.Repeat("0-0,", 4999)+"0-0")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusPartialContent || rec.Body.String() != siteCSS[:1] {
		t.Errorf("got %d with %d bytes (%.40q), want 206 with the first byte", rec.Code, rec.Body.Len(), rec.Body.String())
	}
	if got := rec.Header().Get("Content-Range"); got != "bytes 0-0/"+strconv.Itoa(len(siteCSS)) {
		t.Errorf("Content-Range %q", got)
	}
	// Many ranges apart: one response no larger than the file.
	var apart []string
	for i := 0; i < len(siteCSS)-1; i += 2 {
		apart = append(apart, fmt.Sprintf("%d-%d", i, i))
	}
	req.Header.Set("Range", "bytes="+strings.Join(apart, ","))
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusPartialContent || rec.Body.Len() > len(siteCSS) {
		t.Errorf("%d ranges apart: got %d with %d bytes, want 206 with at most the file's %d", len(apart), rec.Code, rec.Body.Len(), len(siteCSS))
	}
}
