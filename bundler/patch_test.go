package bundler

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestPatchBuild: after each change a patch build can make (an image's
// new bytes, an image replaced by a rename, a stylesheet of the bundle
// edited, a collected stylesheet edited), the build is a patch build, and
// its output and manifest are byte for byte an uncached build's; after a
// change it cannot (a reference added, a file added), it is a full build
// with the same result. The record a patch build writes keeps no sum of a
// file older than the racy window: a record written right after a
// checkout, every file racy, had every later patch build hash every file.
func TestPatchBuild(t *testing.T) {
	const window = 150 * time.Millisecond
	dir := t.TempDir()
	write := func(name, text string) { t.Helper(); writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), text) }
	write("assets.toml", `output = "build/static"
[[root]]
path = "static"
[collect]
[bundle.site]
output = "bundles/site.css"
sources = ["css/*.css"]
[compress]
gzip = true
brotli = false
[manifest]
django = true
`)
	write("static/img/a.png", "a-bytes")
	write("static/img/b.png", "b-bytes")
	write("static/fonts/f.woff2", "font")
	for i := range 40 { // enough sources for several chunks
		write(fmt.Sprintf("static/css/s%02d.css", i), fmt.Sprintf(".s%d { color: #%06x }\n", i, i*99991))
	}
	write("static/css/a.css", ".a { background: url(../img/a.png) }\n.dup { color: red }\n")
	write("static/css/b.css", ".b { background: url('../img/b.png') } @font-face { src: url(../fonts/f.woff2) }\n")
	write("static/other/c.css", ".c { background: url(../img/a.png) }\n") // collected, in no bundle
	write("static/img/logo.svg", strings.Repeat("<svg></svg>", 40))       // worth compressing

	build := func(out string, cache bool) (*Project, *Result) {
		t.Helper()
		p, err := Load(Options{Config: filepath.Join(dir, "assets.toml"), OutputDir: out, Cache: cache, MapFiles: cache, racyWindow: window, checkFacts: true})
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Build(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if p.factsDiffer != "" {
			t.Errorf("the record's output facts, taken from the last record's (the first), differ from a listing's:\n%s", p.factsDiffer)
		}
		return p, res
	}
	out := filepath.Join(dir, "build", "static")
	// Built again without the cache after each step, into the same
	// directory: its generations keep what the cached output's keep.
	ref := filepath.Join(dir, "ref", "static")
	build(ref, false)
	build(out, true) // every file racy: a record with a sum of each
	time.Sleep(window + 50*time.Millisecond)
	steps := []struct {
		what  string
		edit  func()
		patch bool
	}{
		{"an image's new bytes", func() { write("static/img/a.png", "A-BYTES, longer") }, true},
		{"an image replaced by a rename", func() {
			write("static/img/b.png.new", "B-BYTES")
			if err := os.Rename(filepath.Join(dir, "static/img/b.png.new"), filepath.Join(dir, "static/img/b.png")); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"a bundle's stylesheet edited", func() { write("static/css/s07.css", ".s7 { color: blue } /* edited */\n") }, true},
		// Minified, the bundle is the same: its name and siblings stay.
		{"a comment changed in a bundle's stylesheet", func() { write("static/css/s07.css", ".s7 { color: blue } /* again */\n") }, true},
		{"a stylesheet edited that refers to an image", func() {
			write("static/css/a.css", ".a { background: url(../img/a.png); margin: 0 }\n.dup { color: red }\n")
		}, true},
		{"a collected stylesheet edited", func() { write("static/other/c.css", ".c { background: url(../img/a.png) } .d {}\n") }, true},
		{"a font's new bytes", func() { write("static/fonts/f.woff2", "font, again") }, true},
		// Not worth compressing now: the plain copy's sibling goes, and
		// the next build's sync removes it from its generation.
		{"an image no longer worth compressing", func() { write("static/img/logo.svg", "<svg>\x01\x93\xfe\x11</svg>") }, true},
		{"an image's new bytes, after a removal", func() { write("static/img/a.png", "a-bytes, third") }, true},
		{"a reference added", func() { write("static/css/s08.css", ".s8 { background: url(../img/b.png) }\n") }, false},
		{"a file added", func() { write("static/img/c.png", "c") }, false},
	}
	for i, step := range steps {
		step.edit()
		start := time.Now()
		p, res := build(out, true)
		if p.patched != step.patch {
			t.Errorf("%s: a patch build: %t, want %t", step.what, p.patched, step.patch)
		}
		if step.patch && i > 0 && !p.deltaSynced {
			t.Errorf("%s: the write synced its generation whole, not from the last build's delta", step.what)
		}
		_, want := build(ref, false)
		if got, wantTree := filesUnder(t, out), filesUnder(t, ref); !maps.EqualFunc(got, wantTree, bytes.Equal) {
			t.Errorf("%s: the output's tree is not the uncached build's:\n%v\n%v", step.what, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(wantTree)))
		}
		if len(res.Outputs) != len(want.Outputs) {
			t.Fatalf("%s: %d outputs, want %d", step.what, len(res.Outputs), len(want.Outputs))
		}
		for i, o := range res.Outputs {
			w := want.Outputs[i]
			data, err := o.Bytes()
			if err != nil || o.Name != w.Name || o.Path != w.Path || !bytes.Equal(data, w.Data) {
				t.Errorf("%s: output %s (%s), want %s (%s) of the uncached build (%v)", step.what, o.Name, o.Path, w.Name, w.Path, err)
			}
		}
		got, err := res.Manifest.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		wantData, _ := want.Manifest.Marshal()
		if !bytes.Equal(got, wantData) {
			t.Errorf("%s: the manifest differs from the uncached build's", step.what)
		}
		inPlace, err := os.ReadFile(filepath.Join(out, "stapler-manifest.json"))
		if err != nil || !bytes.Equal(inPlace, wantData) {
			t.Errorf("%s: the manifest in place differs from the uncached build's (%v)", step.what, err)
		}
		// The record written keeps sums of racy files only.
		time.Sleep(window + 50*time.Millisecond)
		data, err := readString(recordPath(out))
		if err != nil {
			t.Fatal(err)
		}
		var rec buildRecord
		if facts, _, ok := (&recReader{s: data}).header(&rec); !ok || !facts.facts(&rec, nil) {
			t.Fatalf("%s: the record does not read", step.what)
		}
		for _, f := range rec.Inputs {
			// Racy at the build: modified within the window of its start.
			if modified := time.Unix(0, f.Mtime); f.Sum != 0 && modified.Before(start.Add(-window-50*time.Millisecond)) {
				t.Errorf("%s: the record keeps the sum of %s, modified %v before the build", step.what, f.Path, start.Sub(modified))
				break
			}
		}
	}
}

// TestSaveAfterAnotherBuild: Watch saves a build's record after it has let
// go of the output's lock; when another build has written the output in
// between, the record on disk stays that build's, not one of Watch's
// inputs and result with the other build's output.
func TestSaveAfterAnotherBuild(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) { t.Helper(); writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), text) }
	write("assets.toml", "output = \"build/static\"\n[[root]]\npath = \"static\"\n[collect]\n")
	write("static/css/a.css", ".a { color: red }\n")
	load := func(watch bool) *Project {
		t.Helper()
		opts := Options{Config: filepath.Join(dir, "assets.toml"), Cache: true, racyWindow: time.Millisecond}
		if watch {
			opts.memo = newMemo()
		}
		p, err := Load(opts)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	time.Sleep(10 * time.Millisecond)
	watched := load(true)
	if _, err := watched.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	write("static/css/a.css", ".a { color: blue }\n")
	time.Sleep(10 * time.Millisecond)
	other, err := load(false).Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	watched.saveAfter(context.Background())
	data, err := readString(recordPath(watched.outputDir))
	if err != nil {
		t.Fatal(err)
	}
	rec, ok := readRecord(data)
	if !ok {
		t.Fatal("the record does not read")
	}
	if got, want := rec.Manifest.Files["css/a.css"].Path, other.Manifest.Files["css/a.css"].Path; got != want {
		t.Errorf("the record's manifest names %s, want the other build's %s", got, want)
	}
}

// filesUnder returns the regular files under dir, through its link, by
// slash-separated name.
func filesUnder(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir+string(filepath.Separator)+".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}
