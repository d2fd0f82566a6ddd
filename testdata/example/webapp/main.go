// Webapp is the example project's Go web app: it renders its pages with
// html/template and the asset and integrity functions of
// [manifest.Manifest.FuncMap], and serves the stapler output with
// [manifest.Manifest.Handler] under the manifest's URL prefix. The browser
// test in package bundler serves it to headless Chromium.
//
// Build the example project, then run the app, from the repository root:
//
//	go run ./cmd/stapler build -c testdata/example/assets.toml
//	go run ./testdata/example/webapp -log
//
// and open http://127.0.0.1:8080/. The flags:
//
//	-static dir   the stapler output directory, holding stapler-manifest.json
//	              (default testdata/example/build/static)
//	-addr host:port
//	              where to listen (default 127.0.0.1:8080; port 0 picks a free
//	              one); the address is printed on standard error
//	-log          print each request on standard error: method, path, status,
//	              bytes and Content-Encoding ("-" for none)
//
// The app reads the output directory from disk, which suits development:
// rebuild and restart. A deployed app embeds it instead, so that its binary
// carries the exact files its manifest names. go:embed cannot reach
// outside the package's directory, so build into it (output = "static" in
// an assets.toml beside the package, or bundler.Options.OutputDir) and
// then:
//
//	//go:embed static
//	var static embed.FS
//
//	func main() {
//		output, err := fs.Sub(static, "static")
//		if err != nil {
//			log.Fatal(err)
//		}
//		m, err := manifest.Load(output, manifest.FileName)
//		...
//		mux.Handle("GET /static/", m.Handler(output))
//	}
//
// Everything else is as below. The pattern "static" embeds the files a
// build writes, none of which starts with "." or "_"; write "all:static" if
// yours do.
package main

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/stapler-build/stapler/manifest"
)

// templates are the app's pages. They are source files, committed with
// the app and compiled into it; only the stapler output is built.
//
//go:embed *.gohtml
var templates embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stderr))
}

// run serves until ctx is done, then shuts down, letting requests in
// flight finish. It returns the exit status: 2 for bad flags, 1 for any
// other failure.
func run(ctx context.Context, args []string, stderr io.Writer) int {
	logger := log.New(stderr, "webapp: ", 0)
	flags := flag.NewFlagSet("webapp", flag.ContinueOnError)
	flags.SetOutput(stderr)
	static := flags.String("static", "testdata/example/build/static", "the stapler output `dir`")
	addr := flags.String("addr", "127.0.0.1:8080", "listen on `host:port`")
	logRequests := flags.Bool("log", false, "log each request")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 0 {
		logger.Printf("unexpected argument %q", flags.Arg(0))
		return 2
	}

	output := os.DirFS(*static)
	m, err := manifest.Load(output, manifest.FileName)
	if err != nil {
		logger.Printf("%s: %v (build it first: go run ./cmd/stapler build -c testdata/example/assets.toml)", *static, err)
		return 1
	}
	h, err := newApp(m, output, logger)
	if err != nil {
		logger.Print(err)
		return 1
	}
	if *logRequests {
		h = logged(h, logger)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		logger.Print(err)
		return 1
	}
	logger.Printf("serving %s on http://%s/", *static, ln.Addr())
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: logger}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		logger.Print(err)
		return 1
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		logger.Print(err)
		return 1
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		logger.Print(err)
		return 1
	}
	return 0
}

// newApp returns the app's handler: its pages, and the output directory
// under the path of the manifest's URL prefix ("/static/").
func newApp(m *manifest.Manifest, output fs.FS, logger *log.Logger) (http.Handler, error) {
	pages, err := template.New("").Funcs(m.FuncMap()).ParseFS(templates, "*.gohtml")
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(m.Prefix)
	if err != nil || !strings.HasPrefix(u.Path, "/") {
		return nil, fmt.Errorf("manifest URL %q: want a path such as /static/", m.Prefix)
	}
	mux := http.NewServeMux()
	// The prefix stays on the path: the handler serves the output under it.
	mux.Handle("GET "+u.Path, m.Handler(output))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		// Render into a buffer first: a name missing from the manifest is
		// a clean 500 and a log line, not half a page.
		var buf bytes.Buffer
		if err := pages.ExecuteTemplate(&buf, "index.gohtml", nil); err != nil {
			logger.Print(err)
			http.Error(w, "500 internal server error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		// The page names this build's files: revalidate it every time.
		w.Header().Set("Cache-Control", "no-cache")
		buf.WriteTo(w)
	})
	return mux, nil
}

// logged wraps h to log each request once it is served, as
//
//	webapp: GET /static/css/site.b85a24c09931.css 200 1042 br
//
// with the path as requested, the status, the bytes of the body sent and
// the Content-Encoding, "-" for none.
func logged(h http.Handler, logger *log.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &recorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		enc := w.Header().Get("Content-Encoding")
		if enc == "" {
			enc = "-"
		}
		logger.Printf("%s %s %d %d %s", r.Method, r.URL.RequestURI(), rec.status, rec.bytes, enc)
	})
}

// recorder notes the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(p)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets [http.ResponseController] reach the writer underneath.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
