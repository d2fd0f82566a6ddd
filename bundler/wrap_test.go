package bundler_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stapler-build/stapler/internal/testenv"
)

// wrapSources are two classic scripts of a project migrated from
// django-pipeline, which wrapped its bundles: the first declares
// top-level names, one of them "name", which in a page is window.name, a
// string; the second uses them.
var wrapSources = map[string]string{
	"static/js/legacy.js": `var name = {title: "legacy"};
var counter = 0;
function bump() { counter++; return counter; }
document.documentElement.dataset.first = typeof name + " " + name.title + " " + bump();
`,
	"static/js/later.js": `document.documentElement.dataset.second = String(name.title) + " " + bump();
`,
}

// writeWrapProject writes the project of TestBrowserWrap under dir: the
// same two sources bundled with wrap = true and without it.
func writeWrapProject(t *testing.T, dir string) string {
	t.Helper()
	files := map[string]string{
		"assets.toml": `output = "build"
[[root]]
path = "static"
[bundle.wrapped]
output = "js/wrapped.js"
sources = ["js/legacy.js", "js/later.js"]
wrap = true
sourcemap = true
[bundle.plain]
output = "js/plain.js"
sources = ["js/legacy.js", "js/later.js"]
`,
		"pages/wrapped.html": `<!doctype html><title>wrapped</title><script src="/static/js/wrapped.js"></script>`,
		"pages/plain.html":   `<!doctype html><title>plain</title><script src="/static/js/plain.js"></script>`,
	}
	for name, data := range wrapSources {
		files[name] = data
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "assets.toml")
}

// TestBrowserWrap loads a bundle made with wrap = true, and the same
// sources without it, in headless Chromium. Wrapped, as django-pipeline
// wraps a bundle, a top-level "var name" stays the bundle's own: the page's
// window.name is untouched, no declaration becomes a global, and the
// second source still sees the first's. Unwrapped, "var name = {…}" is
// window.name, which the browser turns into the string "[object Object]".
func TestBrowserWrap(t *testing.T) {
	testenv.File(t, chromiumPath, "chromium")
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	build(t, writeWrapProject(t, dir))

	mux := http.NewServeMux()
	mux.Handle("/static/", http.StripPrefix("/static/", http.FileServer(http.Dir(filepath.Join(dir, "build")))))
	mux.Handle("/", http.FileServer(http.Dir(filepath.Join(dir, "pages"))))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	type found struct {
		WindowName, Counter, Bump, First, Second string
	}
	const probe = `({
		windowName: window.name,
		counter: typeof window.counter,
		bump: typeof window.bump,
		first: document.documentElement.dataset.first || "(not run)",
		second: document.documentElement.dataset.second || "(not run)",
	})`
	b := startChromium(ctx, t)
	var wrapped, plain found
	b.evaluate(ctx, t, srv.URL+"/wrapped.html", probe, &wrapped)
	b.evaluate(ctx, t, srv.URL+"/plain.html", probe, &plain)
	for _, p := range b.state().problems {
		t.Errorf("browser: %s", p)
	}
	b.stop()

	if want := (found{WindowName: "", Counter: "undefined", Bump: "undefined", First: "object legacy 1", Second: "legacy 2"}); wrapped != want {
		t.Errorf("with wrap = true, the page found %+v, want %+v", wrapped, want)
	}
	// What the wrapper prevents, in the same browser.
	if want := (found{WindowName: "[object Object]", Counter: "number", Bump: "function", First: "string undefined 1", Second: "undefined 2"}); plain != want {
		t.Errorf("without wrap, the page found %+v, want %+v", plain, want)
	}
}
