package bundler_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/finders"
	"github.com/stapler-build/stapler/manifest"
)

// TestWatch drives a watch: an edit gives a new output; a typo gives the
// positioned error and leaves the previous output and manifest intact; the
// fix brings the build back; a new directory is watched too.
func TestWatch(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) { t.Helper(); writeUnder(t, dir, name, data) }
	config := "output = \"out\"\n[[root]]\npath = \"static\"\n[bundle.app]\noutput = \"js/app.js\"\nsources = [\"js/*.js\"]\n"
	write("assets.toml", config)
	write("static/js/a.js", "var a = 1;\n")

	next := startWatch(t, filepath.Join(dir, "assets.toml"))
	bundle := func() string {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, "out", "js", "app.js"))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}

	if ev := next("starting"); ev.Err != nil || ev.Changed != nil {
		t.Fatalf("first build: %v (changed %v)", ev.Err, ev.Changed)
	}
	if !strings.Contains(bundle(), "var a=1") {
		t.Fatalf("first bundle: %q", bundle())
	}

	write("static/js/a.js", "var a = 2;\n")
	ev := next("an edit")
	if ev.Err != nil || !strings.Contains(bundle(), "var a=2") {
		t.Fatalf("after an edit: %v, bundle %q", ev.Err, bundle())
	}
	if len(ev.Changed) != 1 || !strings.HasSuffix(ev.Changed[0], filepath.Join("js", "a.js")) {
		t.Errorf("changed: %v", ev.Changed)
	}
	before, err := os.ReadFile(filepath.Join(dir, "out", manifest.FileName))
	if err != nil {
		t.Fatal(err)
	}

	// A typo in the config: the error, at its line; the output as it was.
	write("assets.toml", strings.Replace(config, `"js/*.js"`, `"js/*.js", "js/aplication.js"`, 1))
	ev = next("a typo")
	var list bundler.ErrorList
	if !errors.As(ev.Err, &list) || !errors.Is(ev.Err, finders.ErrNotFound) {
		t.Fatalf("after a typo: %v", ev.Err)
	}
	if got := list[0].Pos; got.Line != 6 || got.Col != 23 {
		t.Errorf("typo at %v, want line 6, column 23", got)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "out", manifest.FileName))
	if !bytes.Equal(before, after) || !strings.Contains(bundle(), "var a=2") {
		t.Errorf("a failed build changed the output")
	}

	// The fix, and a file in a new directory.
	write("assets.toml", strings.Replace(config, `"js/*.js"`, `"js/**/*.js"`, 1))
	if ev := next("the fix"); ev.Err != nil {
		t.Fatalf("after the fix: %v", ev.Err)
	}
	write("static/js/lib/b.js", "var b = 3;\n")
	for {
		ev := next("a new directory")
		if ev.Err != nil {
			t.Fatalf("after a new directory: %v", ev.Err)
		}
		if strings.Contains(bundle(), "var b=3") {
			break
		}
	}
}

// TestWatchDirectoryRemade: a directory of a root removed and made again
// is watched again: an edit in it afterwards rebuilds. (The system drops
// the watch of a directory removed.)
func TestWatchDirectoryRemade(t *testing.T) {
	dir := t.TempDir()
	js := filepath.Join(dir, "static", "js")
	writeOld(t, filepath.Join(dir, "assets.toml"), "output = \"out\"\n[[root]]\npath = \"static\"\n[collect]\n")
	writeOld(t, filepath.Join(dir, "static", "css", "a.css"), ".a{}\n")
	writeOld(t, filepath.Join(js, "a.js"), "var a = 1;\n")
	next := startWatch(t, filepath.Join(dir, "assets.toml"))
	if ev := next("starting"); ev.Err != nil {
		t.Fatalf("first build: %v", ev.Err)
	}
	if err := os.RemoveAll(js); err != nil {
		t.Fatal(err)
	}
	if ev := next("the directory removed"); ev.Err != nil {
		t.Fatalf("after the removal: %v", ev.Err)
	}
	if err := os.Mkdir(js, 0o755); err != nil {
		t.Fatal(err)
	}
	if ev := next("the directory made again"); ev.Err != nil {
		t.Fatalf("after the directory came back: %v", ev.Err)
	}
	b := filepath.Join(js, "b.js")
	writeOld(t, b, "var b = 2;\n")
	for {
		ev := next("a file in the directory made again")
		if ev.Err != nil {
			t.Fatalf("after a file in it: %v", ev.Err)
		}
		if ev.Result.Manifest.Files["js/b.js"].Path != "" {
			break
		}
	}
}

// TestWatchTemplatesElsewhere: a template [templates] names by an
// absolute path outside the config's directory is watched too: an edit
// there rebuilds, and its new reference is checked.
func TestWatchTemplatesElsewhere(t *testing.T) {
	dir, elsewhere := t.TempDir(), t.TempDir()
	write := func(file, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pattern := filepath.ToSlash(filepath.Join(elsewhere, "templates", "*.html"))
	write(filepath.Join(dir, "assets.toml"), "output = \"out\"\n[[root]]\npath = \"static\"\n[collect]\n[templates]\npaths = ["+strconv.Quote(pattern)+"]\n")
	write(filepath.Join(dir, "static", "js", "app.js"), "var app = 1;\n")
	page := filepath.Join(elsewhere, "templates", "page.html")
	write(page, `{{ asset "js/app.js" }}`)

	next := startWatch(t, filepath.Join(dir, "assets.toml"))
	if ev := next("starting"); ev.Err != nil {
		t.Fatalf("first build: %v", ev.Err)
	}
	write(page, `{{ asset "js/ap.js" }}`)
	ev := next("an edit of the template elsewhere")
	if ev.Err == nil || !strings.Contains(ev.Err.Error(), `"js/ap.js"`) {
		t.Errorf("after the template's typo: %v, want its error", ev.Err)
	}
	if len(ev.Changed) != 1 || ev.Changed[0] != page {
		t.Errorf("changed: %v, want %s", ev.Changed, page)
	}
}

// startWatch runs Watch on the config until the test ends, and returns a
// function that waits for its next build (what names the change awaited).
func startWatch(t *testing.T, config string) (next func(what string) bundler.WatchEvent) {
	t.Helper()
	events := make(chan bundler.WatchEvent, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- bundler.Watch(ctx, bundler.Options{Config: config}, func(ev bundler.WatchEvent) { events <- ev })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	return func(what string) bundler.WatchEvent {
		t.Helper()
		select {
		case ev := <-events:
			return ev
		case <-time.After(15 * time.Second):
			t.Fatalf("no build after %s", what)
		}
		panic("unreachable")
	}
}

// TestWatchCache: Watch with the build cache keeps the build record, and
// each rebuild (a patch build where it can be) leaves the output an
// uncached build of the same files would, manifest included. The first
// version of the record under Watch saved one with no inputs after a
// build that ended at the record, and every later build ended there too,
// with the old output.
func TestWatchCache(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) { t.Helper(); writeUnder(t, dir, name, data) }
	write("assets.toml", "output = \"build/static\"\n[[root]]\npath = \"static\"\n[collect]\n"+
		"[bundle.site]\noutput = \"css/site.css\"\nsources = [\"css/*.css\"]\n[manifest]\ndjango = true\n")
	write("static/css/a.css", ".a { background: url(../img/a.png) }\n")
	write("static/css/b.css", ".b { color: red }\n")
	write("static/img/a.png", "a-bytes")

	events := make(chan bundler.WatchEvent, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	opts := bundler.WithRacyWindow(bundler.Options{Config: filepath.Join(dir, "assets.toml"), Cache: true}, racy)
	go func() { done <- bundler.Watch(ctx, opts, func(ev bundler.WatchEvent) { events <- ev }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Watch: %v", err)
		}
	})
	// next waits for the builds that follow what, until none follows for
	// 300 ms, and holds the output to an uncached build's.
	next := func(what string) {
		t.Helper()
		select {
		case ev := <-events:
			if ev.Err != nil {
				t.Fatalf("after %s: %v", what, ev.Err)
			}
		case <-time.After(15 * time.Second):
			t.Fatalf("no build after %s", what)
		}
		for quiet := false; !quiet; {
			select {
			case ev := <-events:
				if ev.Err != nil {
					t.Fatalf("after %s: %v", what, ev.Err)
				}
			case <-time.After(300 * time.Millisecond):
				quiet = true
			}
		}
		want, err := buildInto(t, dir, filepath.Join(t.TempDir(), "static"), false)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readTree(filepath.Join(dir, "build", "static"))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range want.Outputs {
			if !bytes.Equal(got[o.Path], o.Data) || !bytes.Equal(got[o.Name], o.Data) {
				t.Errorf("after %s: %s (%s) is not the uncached build's", what, o.Name, o.Path)
			}
		}
		wantManifest, _ := want.Manifest.Marshal()
		if !bytes.Equal(got["stapler-manifest.json"], wantManifest) {
			t.Errorf("after %s: the manifest is not the uncached build's", what)
		}
	}
	next("starting")
	time.Sleep(racy + 50*time.Millisecond) // the record trusted
	for i := range 3 {
		write("static/img/a.png", fmt.Sprintf("a-bytes, edit %d", i))
		next("an image edited")
		write("static/css/b.css", fmt.Sprintf(".b { color: red } /* %d */\n", i))
		next("a stylesheet edited")
	}
	write("static/css/c.css", ".c { background: url(../img/a.png) }\n")
	next("a stylesheet added")
	write("static/css/a.css", ".a { background: url(../img/a.png) } .x {}\n")
	next("a stylesheet edited again")
}

// writeUnder writes data to the file name (slash-separated) under dir,
// making its directories.
func writeUnder(t *testing.T, dir, name, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
