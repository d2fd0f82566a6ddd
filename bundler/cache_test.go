package bundler_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stapler-build/stapler/bundler"
)

// TestCacheRandomEdits holds the build cache to what it must be, an
// optimisation that never changes an output (issue 12): a random sequence
// of edits to a project (a touch without change, a same-size edit with
// the modification time put back, a rename onto a name, a delete, an add,
// a new root ahead of an old one, a config change, an index of another
// format and torn results in the store, an edited stylesheet), and after
// each, a build with the cache and one without, into
// another directory, must give byte-identical trees, manifests included,
// or the same error. After each, a second cached build, which finds
// nothing changed and most often ends at the build record, must leave the
// same tree and return the same manifest. The racy window is cut to
// 100 ms, and each step waits it out, so that the index and the record
// are trusted as they would be a while after an edit.
func TestCacheRandomEdits(t *testing.T) {
	t.Parallel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 42))
	dir := t.TempDir()
	old := time.Now().Add(-time.Hour) // older than the cache's racy window
	var lastOld time.Time
	write := func(name string, data []byte) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		lastOld = old.Add(time.Duration(r.IntN(1000)) * time.Second)
		if err := os.Chtimes(p, lastOld, lastOld); err != nil {
			t.Fatal(err)
		}
	}
	image := func() []byte {
		b := make([]byte, 64+r.IntN(512))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	config := func(extraRoot, excludeSVG bool) {
		var b strings.Builder
		b.WriteString("output = \"build/static\"\n")
		if extraRoot {
			b.WriteString("[[root]]\npath = \"over\"\n")
		}
		b.WriteString("[[root]]\npath = \"static\"\n[bundle.site]\noutput = \"css/site.css\"\nsources = [\"css/*.css\"]\n[collect]\n")
		if excludeSVG {
			b.WriteString("exclude = [\"js\"]\n")
		}
		b.WriteString("[compress]\ngzip = true\nbrotli = false\n[manifest]\ndjango = true\n")
		write("assets.toml", []byte(b.String()))
	}
	config(false, false)
	for i := range 12 {
		write(fmt.Sprintf("static/img/i%d.png", i), image())
	}
	write("static/img/logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>`))
	write("static/css/a.css", []byte(".a { background: url(../img/i0.png); }\n"))
	write("static/css/b.css", []byte(".b { background: url(../img/i1.png); }\n.l { background: url(../img/logo.svg); }\n"))
	write("static/js/app.js", []byte("var app = 1;\n"))

	// Images 0 and 1 are referenced: the edits below never delete them.
	images := func() []string {
		names, _ := filepath.Glob(filepath.Join(dir, "static", "img", "i*.png"))
		var out []string
		for _, n := range names {
			if b := filepath.Base(n); b != "i0.png" && b != "i1.png" {
				out = append(out, n)
			}
		}
		slices.Sort(out)
		return out
	}
	pick := func() string {
		list := images()
		if r.IntN(4) == 0 || len(list) == 0 {
			return filepath.Join(dir, "static", "img", fmt.Sprintf("i%d.png", r.IntN(2)))
		}
		return list[r.IntN(len(list))]
	}
	extraRoot, excludeSVG := false, false
	cached, recorded, patched := 0, 0, 0
	var last *bundler.Result // the last build's with the cache
	for step := range 40 {
		var what string
		switch k := r.IntN(13); k {
		case 0:
			f := pick()
			what = "touch " + filepath.Base(f)
			now := time.Now().Add(-time.Duration(r.IntN(3000)) * time.Second)
			if err := os.Chtimes(f, now, now); err != nil {
				t.Fatal(err)
			}
		case 1:
			f := pick()
			what = "same-size edit, mtime put back: " + filepath.Base(f)
			st, err := os.Stat(f)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := os.ReadFile(f)
			data[r.IntN(len(data))]++
			if err := os.WriteFile(f, data, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(f, st.ModTime(), st.ModTime()); err != nil {
				t.Fatal(err)
			}
		case 2:
			list := images()
			if len(list) < 2 {
				continue
			}
			from, to := list[r.IntN(len(list))], pick()
			if from == to {
				continue
			}
			what = "rename " + filepath.Base(from) + " onto " + filepath.Base(to)
			if err := os.Rename(from, to); err != nil {
				t.Fatal(err)
			}
		case 3:
			list := images()
			if len(list) == 0 {
				continue
			}
			f := list[r.IntN(len(list))]
			what = "delete " + filepath.Base(f)
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		case 4:
			name := fmt.Sprintf("static/img/i%d.png", 12+step)
			what = "add " + name
			write(name, image())
		case 5:
			extraRoot = !extraRoot
			what = fmt.Sprintf("a root ahead of static: %t", extraRoot)
			write("over/img/i1.png", image())
			config(extraRoot, excludeSVG)
		case 6:
			excludeSVG = !excludeSVG
			what = fmt.Sprintf("config: exclude js %t", excludeSVG)
			config(extraRoot, excludeSVG)
		case 7:
			what = "an index of another format, a torn record and a torn store"
			cache := filepath.Join(dir, "build", ".static.cache", "index")
			data, err := os.ReadFile(cache)
			if err == nil {
				os.WriteFile(cache, bytes.Replace(data, []byte("cache 1"), []byte("cache 0"), 1), 0o644)
			}
			record := filepath.Join(dir, "build", ".static.cache", "record")
			if data, err := os.ReadFile(record); err == nil {
				os.WriteFile(record, data[:r.IntN(len(data))], 0o644)
			}
			pack := filepath.Join(dir, "build", ".static.cache", "transforms.pack")
			if data, err := os.ReadFile(pack); err == nil && len(data) > 30 {
				os.WriteFile(pack, data[:len(data)-7], 0o644)
			}
		case 8:
			what = "nothing"
		case 10, 11, 12:
			// A stylesheet of the bundle, and collected: a comment added,
			// a value changed, or another reference.
			name := []string{"a.css", "b.css"}[r.IntN(2)]
			f := filepath.Join(dir, "static", "css", name)
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			switch k {
			case 10:
				what = "a comment added to " + name
				data = fmt.Appendf(data, "/* %d */\n", step)
			case 11:
				what = "a value changed in " + name
				data = fmt.Appendf(data, ".s%d { color: #%06x; }\n", r.IntN(4), r.IntN(1<<24))
			case 12:
				what = "a reference added to " + name
				data = fmt.Appendf(data, ".r%d { background: url(../img/i%d.png); }\n", step, r.IntN(2))
			}
			if err := os.WriteFile(f, data, 0o644); err != nil {
				t.Fatal(err)
			}
		case 9:
			// A file of the last build: older ones, kept for old pages,
			// are no build's to repair.
			var outs []string
			if last != nil {
				for _, o := range last.Outputs {
					if strings.HasSuffix(o.Path, ".png") {
						outs = append(outs, filepath.Join(dir, "build", "static", filepath.FromSlash(o.Path)))
					}
				}
			}
			if len(outs) == 0 {
				continue
			}
			f := outs[r.IntN(len(outs))]
			what = "an output edited: " + filepath.Base(f)
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			// A new file in its place: the generations share inodes.
			os.Remove(f)
			if err := os.WriteFile(f, append(data, "edited"...), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(racy + 50*time.Millisecond)
		withCache, wasPatched, errA := buildPatched(t, dir, "", true)
		if wasPatched {
			patched++
		}
		without, errB := buildInto(t, dir, filepath.Join(dir, "nocache"), false)
		if errorsOnly(errA) != errorsOnly(errB) {
			t.Fatalf("step %d (%s): with the cache: %v; without: %v", step, what, errA, errB)
		}
		if errA != nil {
			continue
		}
		cached += withCache.Stats.Cached
		a, err := readTree(filepath.Join(dir, "build", "static"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := readTree(filepath.Join(dir, "nocache"))
		if err != nil {
			t.Fatal(err)
		}
		if diff := treeDiff(a, b); diff != "" {
			t.Fatalf("step %d (%s): the cached build differs from the uncached one:\n%s", step, what, diff)
		}
		again, err := buildInto(t, dir, "", true)
		if err != nil {
			t.Fatalf("step %d (%s): the build again: %v", step, what, err)
		}
		last = again
		if s := again.Stats; s.Cached == s.Sources && s.Sources > 0 {
			recorded++ // every file unread: the record's result
		}
		a, err = readTree(filepath.Join(dir, "build", "static"))
		if err != nil {
			t.Fatal(err)
		}
		if diff := treeDiff(a, b); diff != "" {
			t.Fatalf("step %d (%s): the cached build again differs from the uncached one:\n%s", step, what, diff)
		}
		if !reflect.DeepEqual(again.Manifest, without.Manifest) || !reflect.DeepEqual(again.Unused, without.Unused) {
			t.Fatalf("step %d (%s): the build again returned another manifest than the uncached one", step, what)
		}
		for i, o := range again.Outputs {
			data, err := o.Bytes()
			if w := without.Outputs[i]; err != nil || o.Name != w.Name || o.Path != w.Path || !bytes.Equal(data, w.Data) {
				t.Fatalf("step %d (%s): the build again returned output %s (%s), not %s (%v)", step, what, o.Name, o.Path, w.Name, err)
			}
		}
	}
	if cached == 0 {
		t.Errorf("no build took a file from the cache: the test did not test it")
	}
	if recorded == 0 {
		t.Errorf("no build ended at the build record: the test did not test it")
	}
	if patched == 0 {
		t.Errorf("no build was a patch build: the test did not test it")
	}
	t.Logf("%d files taken from the cache over 40 builds; %d builds again ended at the record; %d were patch builds", cached, recorded, patched)
}

// racy is the racy window of the builds of buildInto.
const racy = 100 * time.Millisecond

// buildInto builds the project in dir, into out when set, with or
// without the build cache.
func buildInto(t *testing.T, dir, out string, cache bool) (*bundler.Result, error) {
	t.Helper()
	res, _, err := buildPatched(t, dir, out, cache)
	return res, err
}

// buildPatched is buildInto that also reports whether the build was a
// patch build.
func buildPatched(t *testing.T, dir, out string, cache bool) (*bundler.Result, bool, error) {
	t.Helper()
	// The record and graph mapped, as the command's build maps them.
	opts := bundler.Options{Config: filepath.Join(dir, "assets.toml"), OutputDir: out, Cache: cache, MapFiles: cache}
	p, err := bundler.Load(bundler.WithFactsChecked(bundler.WithRacyWindow(opts, racy)))
	if err != nil {
		return nil, false, err
	}
	res, err := p.Build(context.Background())
	if d := bundler.FactsDiffer(p); d != "" {
		t.Errorf("the record's output facts, taken from the last record's (the first), differ from a listing's:\n%s", d)
	}
	return res, bundler.Patched(p), err
}

// errorsOnly returns the errors of a build's error, without its warnings
// (a cache of another format is one, and only with the cache).
func errorsOnly(err error) string {
	var list bundler.ErrorList
	if !errors.As(err, &list) {
		return fmt.Sprint(err)
	}
	var out []string
	for _, d := range list {
		if d.Severity != bundler.SeverityWarning {
			out = append(out, d.Error())
		}
	}
	return strings.Join(out, "\n")
}

// treeDiff lists the names whose bytes differ between two trees.
func treeDiff(a, b map[string][]byte) string {
	var out []string
	for name, data := range a {
		if other, ok := b[name]; !ok {
			out = append(out, "only with the cache: "+name)
		} else if !bytes.Equal(data, other) {
			out = append(out, "differs: "+name)
		}
	}
	for name := range b {
		if _, ok := a[name]; !ok {
			out = append(out, "only without: "+name)
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}
