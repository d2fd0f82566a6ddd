package manifest_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"html/template"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"testing/fstest"

	"github.com/stapler-build/stapler/manifest"
)

// output stands for a stapler output directory that a Go web app embeds.
// In the app it is
//
//	//go:embed static
//	var static embed.FS
//
//	output, err := fs.Sub(static, "static")
//
// where static/ is the output directory of assets.toml: the hashed files,
// the plain copies (keep_unhashed), precompressed siblings if a deploy step
// wrote them, and stapler-manifest.json.
var output = fstest.MapFS{
	"stapler-manifest.json": {Data: []byte(`{
  "version": 1,
  "url": "/static/",
  "files": {
    "css/site.css": {
      "path": "css/site.02849e9865f9.css",
      "size": 39,
      "integrity": "sha384-1tjp0x0Ha7FKtX7FiP9fqbSnowHACyaFXtH3CRqwXk35V+8hL4IAbUGZlOoyaAXw"
    },
    "js/app.js": {
      "path": "js/app.18cd3286f57a.js",
      "size": 42,
      "integrity": "sha384-MTs5sI+LxnqQcsQxNqk2TefGP7daECyl3hviMh1IDTnH3SZzya7CNf2sMrkLezsi"
    }
  }
}
`)},
	"css/site.02849e9865f9.css":    {Data: []byte("body{color:#c00;font-family:system-ui}\n")},
	"css/site.02849e9865f9.css.gz": {Data: gzipped("body{color:#c00;font-family:system-ui}\n")},
	"css/site.css":                 {Data: []byte("body{color:#c00;font-family:system-ui}\n")},
	"js/app.18cd3286f57a.js":       {Data: []byte(`document.documentElement.dataset.js="ok";` + "\n")},
}

// Example_webApp is a Go web app that renders its pages with the asset
// and integrity template functions and serves the stapler output it
// embeds.
func Example_webApp() {
	m, err := manifest.Load(output, manifest.FileName)
	if err != nil {
		log.Fatal(err)
	}
	page := template.Must(template.New("page").Funcs(m.FuncMap()).Parse(`<!doctype html>
<title>Home</title>
<link rel="stylesheet" href="{{ asset "css/site.css" }}" integrity="{{ integrity "css/site.css" }}">
<script src="{{ asset "js/app.js" }}" integrity="{{ integrity "js/app.js" }}" defer></script>
`))

	mux := http.NewServeMux()
	mux.Handle("GET /static/", m.Handler(output))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		// Render first, so that a failure is a clean 500, not half a page.
		var buf bytes.Buffer
		if err := page.Execute(&buf, nil); err != nil {
			log.Print(err)
			http.Error(w, "500 internal server error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		buf.WriteTo(w)
	})

	// The page names the hashed files. (html/template writes the "+" of
	// an integrity hash as "&#43;", which the browser reads as "+".)
	resp := get(mux, "/")
	fmt.Println(resp.Status)
	fmt.Print(readAll(resp))

	// A browser asks for the stylesheet and gets the gzip sibling, cached
	// for a year.
	resp = get(mux, "/static/css/site.02849e9865f9.css", "Accept-Encoding", "gzip, deflate, br, zstd")
	fmt.Println(resp.Status)
	for _, k := range []string{"Content-Type", "Content-Encoding", "Cache-Control", "Etag", "Vary"} {
		fmt.Printf("%s: %s\n", k, resp.Header.Get(k))
	}

	// It revalidates the plain name, which a build may change, with its
	// ETag.
	resp = get(mux, "/static/css/site.css")
	etag := resp.Header.Get("Etag")
	resp = get(mux, "/static/css/site.css", "If-None-Match", etag)
	fmt.Println(resp.Status, resp.Header.Get("Cache-Control"))

	// A name that is not in the manifest is a 404.
	resp = get(mux, "/static/css/site.css.gz")
	fmt.Print(resp.Status, ": ", readAll(resp))

	// A typo in a template fails its execution; it never renders href="".
	typo := template.Must(template.New("typo").Funcs(m.FuncMap()).Parse(
		`<link rel="stylesheet" href="{{ asset "css/stie.css" }}">`))
	fmt.Println(typo.Execute(io.Discard, nil))

	// Output:
	// 200 OK
	// <!doctype html>
	// <title>Home</title>
	// <link rel="stylesheet" href="/static/css/site.02849e9865f9.css" integrity="sha384-1tjp0x0Ha7FKtX7FiP9fqbSnowHACyaFXtH3CRqwXk35V&#43;8hL4IAbUGZlOoyaAXw">
	// <script src="/static/js/app.18cd3286f57a.js" integrity="sha384-MTs5sI&#43;LxnqQcsQxNqk2TefGP7daECyl3hviMh1IDTnH3SZzya7CNf2sMrkLezsi" defer></script>
	// 200 OK
	// Content-Type: text/css; charset=utf-8
	// Content-Encoding: gzip
	// Cache-Control: public, max-age=31536000, immutable
	// Etag: "sha384-1tjp0x0Ha7FKtX7FiP9fqbSnowHACyaFXtH3CRqwXk35V+8hL4IAbUGZlOoyaAXw-gzip"
	// Vary: Accept-Encoding
	// 304 Not Modified public, max-age=60
	// 404 Not Found: 404 page not found
	// template: typo:1:32: executing "typo" at <asset "css/stie.css">: error calling asset: "css/stie.css": not in the manifest; did you mean "css/site.css"?
}

// get sends a GET request to h, with header names and values in pairs.
func get(h http.Handler, target string, header ...string) *http.Response {
	r := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func readAll(resp *http.Response) string {
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		log.Fatal(err)
	}
	return string(b)
}

// gzipped stands for the .gz sibling a deploy step writes.
func gzipped(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	io.WriteString(w, s)
	w.Close()
	return b.Bytes()
}

func ExampleManifest_URL() {
	m := &manifest.Manifest{
		Prefix: "https://cdn.example.com/static/",
		Files: map[string]manifest.Entry{
			"css/site.css":        {Path: "css/site.02849e9865f9.css"},
			"img/hero banner.png": {Path: "img/hero banner.5d41402abc4b.png"},
		},
	}
	for _, name := range []string{"css/site.css", "img/hero banner.png", "css/sites.css", "site.css"} {
		u, err := m.URL(name)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Println(u)
	}
	// Output:
	// https://cdn.example.com/static/css/site.02849e9865f9.css
	// https://cdn.example.com/static/img/hero%20banner.5d41402abc4b.png
	// error: "css/sites.css": not in the manifest; did you mean "css/site.css"?
	// error: "site.css": not in the manifest; did you mean "css/site.css"?
}
