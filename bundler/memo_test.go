package bundler

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stapler-build/stapler/manifest"
	"golang.org/x/sync/semaphore"
)

// TestMemo builds a project three times with one memo, as Watch does: the
// second build reuses every minification and scan of the first and makes
// the same outputs; after an edit of one script, only that script is
// minified and scanned anew.
func TestMemo(t *testing.T) {
	fsys := fstest.MapFS{
		"assets.toml": {Data: []byte(`output = "out"
[[root]]
path = "static"
[bundle.js]
output = "all.js"
sources = ["js/*.js"]
[bundle.css]
output = "all.css"
sources = ["css/*.css"]
[collect]
minify = true
`)},
		"static/js/a.js":   {Data: []byte("var a = 1 + 1;\n")},
		"static/js/b.js":   {Data: []byte("function b(x) { return x * 2 }\n")},
		"static/css/a.css": {Data: []byte("a { color: red }\n")},
		"static/css/b.css": {Data: []byte("b { color: #0000ff }\n")},
	}
	m := newMemo()
	check := func() (*Result, int) {
		t.Helper()
		m.next()
		p, err := Load(Options{FS: fsys, Config: "assets.toml", memo: m})
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Check(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return res, m.hits
	}
	first, hits := check()
	if hits != 0 {
		t.Errorf("first build: %d results reused, want 0", hits)
	}
	second, hits := check()
	// Each script minified for its bundle and as a collected file and
	// read by the globals check, each stylesheet checked and minified as a
	// collected file, the joined stylesheet minified; each of the four
	// files scanned for references.
	if want := 2*3 + 2*2 + 1 + 4; hits != want {
		t.Errorf("second build: %d results reused, want %d", hits, want)
	}
	for i, o := range second.Outputs {
		if f := first.Outputs[i]; o.Name != f.Name || !bytes.Equal(o.Data, f.Data) {
			t.Errorf("second build: output %s differs from the first's %s", o.Name, f.Name)
		}
	}
	fsys["static/js/b.js"] = &fstest.MapFile{Data: []byte("function b(x) { return x * 3 }\n")}
	third, hits := check()
	if want := 2*2 + 1*3 + 1 + 3; hits != want {
		t.Errorf("after an edit: %d results reused, want %d", hits, want)
	}
	for _, o := range third.Outputs {
		if o.Name == "all.js" && !bytes.Contains(o.Data, []byte("*3")) {
			t.Errorf("after an edit: all.js is %q, without the edit", o.Data)
		}
	}
}

// TestEsbuildSlot: esbuild holds at most maxInEsbuild bytes of source at
// once, so two large files are transformed one after the other; a file
// larger than the bound takes all of it.
func TestEsbuildSlot(t *testing.T) {
	p := &Project{inEsbuild: semaphore.NewWeighted(maxInEsbuild)}
	release := p.esbuildSlot(10 << 20)
	if p.inEsbuild.TryAcquire(8 << 20) {
		t.Error("an 8 MB source may run beside a 10 MB one")
	}
	if !p.inEsbuild.TryAcquire(1 << 20) {
		t.Error("a 1 MB source may not run beside a 10 MB one")
	}
	p.inEsbuild.Release(1 << 20)
	release()
	release = p.esbuildSlot(100 << 20)
	if p.inEsbuild.TryAcquire(1) {
		t.Error("a source runs beside one larger than the bound")
	}
	release()
	if !p.inEsbuild.TryAcquire(maxInEsbuild) {
		t.Error("a slot was not given back")
	}
}

// TestMemoManifestPaths: a build under Watch keeps the paths of the
// manifest it writes, exactly what parsing that file gives, and the next
// build takes them from the memo rather than parsing the manifest in
// place.
func TestMemoManifestPaths(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"assets.toml":      "output = \"out\"\n[[root]]\npath = \"static\"\n[bundle.css]\noutput = \"all.css\"\nsources = [\"css/*.css\"]\n",
		"static/css/a.css": "a { color: red }\n",
		"static/img/x.png": "png",
	}
	for name, text := range files {
		writeFile(t, filepath.Join(dir, name), text)
	}
	m := newMemo()
	build := func() {
		t.Helper()
		m.next()
		p, err := Load(Options{Config: filepath.Join(dir, "assets.toml"), memo: m})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Build(context.Background()); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, "out", manifest.FileName))
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := manifest.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		e, ok := m.m[memoKey(manifestPathsStep, data)]
		if !ok {
			t.Fatal("the memo holds no paths for the manifest written")
		}
		if kept := e.v.(map[string]string); !maps.Equal(kept, parsed.Paths()) {
			t.Errorf("the memo's paths %v, a parse's %v", kept, parsed.Paths())
		}
	}
	build()
	// Two edits alike; before the second, the memo loses the paths it
	// kept: that build reuses exactly one result fewer.
	var hits [2]int
	for i, edit := range []string{"a { color: blue }\n", "a { color: green }\n"} {
		if err := os.WriteFile(filepath.Join(dir, "static/css/a.css"), []byte(edit), 0o644); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			data, err := os.ReadFile(filepath.Join(dir, "out", manifest.FileName))
			if err != nil {
				t.Fatal(err)
			}
			delete(m.m, memoKey(manifestPathsStep, data))
		}
		build()
		hits[i] = m.hits
	}
	if hits[0] != hits[1]+1 {
		t.Errorf("results reused after an edit: %d with the manifest's paths kept, %d without; want one more", hits[0], hits[1])
	}
}
