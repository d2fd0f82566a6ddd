package bundler_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stapler-build/stapler/bundler"
)

// recordProject writes a project with two roots, a bundle, [collect] and
// a template, its files an hour old, and returns its directory.
func recordProject(t *testing.T, extra string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range map[string]string{
		"assets.toml": `output = "build/static"
[[root]]
path = "over"
[[root]]
path = "static"
[bundle.site]
output = "css/site.css"
sources = ["css/a.css"]
[templates]
paths = ["templates/*.html"]
[collect]
` + extra,
		"over/keep.txt":          "keep\n",
		"static/css/a.css":       ".a { background: url(../img/x.png) }\n",
		"static/img/x.png":       "png",
		"static/js/app.js":       "var app = 1;\n",
		"templates/page.html":    `{{ asset "css/site.css" }}`,
		"static/dashboard/m.ts":  "export const m: number = 1;\n",
		"static/dashboard/x.txt": "x\n",
	} {
		writeOld(t, filepath.Join(dir, filepath.FromSlash(name)), data)
	}
	return dir
}

// writeOld writes a file and dates it an hour back.
func writeOld(t *testing.T, file, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(file, old, old); err != nil {
		t.Fatal(err)
	}
}

// buildRacy builds dir's project with the cache and the given racy
// window, and reports whether the build ended at the record: no file
// read.
func buildRacy(t *testing.T, dir string, racy time.Duration) (res *bundler.Result, recorded bool, err error) {
	t.Helper()
	opts := bundler.Options{Config: filepath.Join(dir, "assets.toml"), Cache: true}
	p, err := bundler.Load(bundler.WithRacyWindow(opts, racy))
	if err != nil {
		t.Fatal(err)
	}
	res, err = p.Build(context.Background())
	if err != nil {
		return nil, false, err
	}
	return res, res.Stats.Cached == res.Stats.Sources, nil
}

// recordTest starts a parallel test of the record on recordProject,
// returning its directory and where its record is; on Windows, which
// keeps no record, it skips.
func recordTest(t *testing.T) (dir, record string) {
	t.Helper()
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no inodes and change times: a build writes no record")
	}
	dir = recordProject(t, "")
	return dir, filepath.Join(dir, "build", ".static.cache", "record")
}

func exists(file string) bool {
	_, err := os.Stat(file)
	return err == nil
}

// TestBuildRecord: a rebuild with nothing changed ends at the record, and
// every kind of change it depends on sends the next build the whole way:
// a file that shadows another in an earlier root, an edited template, a
// file added to a root; a failed build leaves no record.
func TestBuildRecord(t *testing.T) {
	dir, record := recordTest(t)
	wait := func() { time.Sleep(racy + 50*time.Millisecond) }
	build := func(step string, want bool) *bundler.Result {
		t.Helper()
		res, recorded, err := buildRacy(t, dir, racy)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if recorded != want {
			t.Errorf("%s: the build ended at the record: %t, want %t", step, recorded, want)
		}
		return res
	}
	wait()
	build("first build", false)
	if !exists(record) {
		t.Fatal("the first build wrote no record")
	}
	build("nothing changed", true)

	// A file of an earlier root now shadows the bundle's source.
	writeOld(t, filepath.Join(dir, "over", "css", "a.css"), ".a { color: red }\n")
	wait()
	res := build("a.css in the earlier root", false)
	data, err := os.ReadFile(filepath.Join(dir, "build", "static", filepath.FromSlash(res.Manifest.Files["css/site.css"].Path)))
	if err != nil || !strings.Contains(string(data), "red") {
		t.Errorf("the bundle is %q (%v), not of the earlier root's a.css", data, err)
	}
	build("nothing changed since", true)

	// A template: one that names a file no build makes fails the build.
	writeOld(t, filepath.Join(dir, "templates", "page.html"), `{{ asset "css/missing.css" }}`)
	wait()
	if _, _, err := buildRacy(t, dir, racy); err == nil || !strings.Contains(err.Error(), "css/missing.css") {
		t.Errorf("a template naming a missing file: %v, want its error", err)
	}
	if exists(record) {
		t.Errorf("a failed build left the record in place")
	}
	writeOld(t, filepath.Join(dir, "templates", "page.html"), `{{ asset "js/app.js" }}`)
	wait()
	build("template mended", false)
	build("nothing changed since", true)

	// A new file in a root's directory.
	writeOld(t, filepath.Join(dir, "static", "img", "y.png"), "png2")
	wait()
	res = build("a file added", false)
	if _, ok := res.Manifest.Files["img/y.png"]; !ok {
		t.Errorf("the file added is not in the manifest")
	}

	// The image the bundle refers to, replaced by a rename: new hashed
	// names for it and the bundle, their plain copies linked anew, the
	// rest carried into the next generation; then back to its first
	// bytes, whose hashed files the output still holds, so that the plain
	// copies are linked to files carried over. The record's facts of what
	// the write left alone come from the write's own stats; one that the
	// write's links moved on would send the next build the whole way.
	for i, data := range []string{"png-new", "png"} {
		tmp := filepath.Join(dir, "static", "img", "x.png.new")
		writeOld(t, tmp, data)
		if err := os.Rename(tmp, filepath.Join(dir, "static", "img", "x.png")); err != nil {
			t.Fatal(err)
		}
		wait()
		build(fmt.Sprintf("the image replaced (%d)", i), false)
		build(fmt.Sprintf("nothing changed since the image (%d)", i), true)
	}

	// Every file modified within the racy window (two hours, and they are
	// an hour old): the record keeps the sum of each file read and
	// directory listed, and the next build checks them with the stats.
	writeOld(t, filepath.Join(dir, "static", "img", "z.png"), "png3")
	res, recorded, err := buildRacy(t, dir, 2*time.Hour)
	if err != nil || recorded {
		t.Fatalf("a file added, in the racy window: %v, ended at the record %t", err, recorded)
	}
	again, recorded, err := buildRacy(t, dir, 2*time.Hour)
	if err != nil || !recorded {
		t.Fatalf("nothing changed, in the racy window: %v, ended at the record %t", err, recorded)
	}
	if !reflect.DeepEqual(res.Manifest, again.Manifest) {
		t.Errorf("the record's manifest differs from the build's")
	}

	// The window passed (the files are an hour old; it is now 100 ms): the
	// build that finds the record holding writes it again without the
	// sums, which it no longer needs, so that the builds after it stat
	// and do not read.
	withSums, _ := os.Stat(record)
	if _, recorded, err := buildRacy(t, dir, racy); err != nil || !recorded {
		t.Fatalf("nothing changed, out of the racy window: %v, ended at the record %t", err, recorded)
	}
	without, _ := os.Stat(record)
	if withSums == nil || without == nil || without.Size() >= withSums.Size()-32 {
		t.Errorf("the record kept its sums out of the racy window: %v bytes, then %v", withSums, without)
	}
	for i := range 2 {
		if again, recorded, err := buildRacy(t, dir, racy); err != nil || !recorded || !reflect.DeepEqual(res.Manifest, again.Manifest) {
			t.Fatalf("nothing changed, the record rewritten (%d): %v, ended at the record %t", i, err, recorded)
		}
	}
}

// TestBuildRecordNone: builds the record cannot stand for write none: one
// with a warning, which the next build must show again, and one with an
// entry bundle, whose imports esbuild resolves outside the traced roots.
func TestBuildRecordNone(t *testing.T) {
	t.Parallel()
	for name, extra := range map[string]string{
		"warning": "", // a link out of the project: link-outside
		"entry":   "[bundle.dash]\nentry = \"dashboard/m.ts\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			dir := recordProject(t, extra)
			if name == "warning" {
				if err := os.Symlink(t.TempDir(), filepath.Join(dir, "static", "ext")); err != nil {
					t.Fatal(err)
				}
			}
			res, _, err := buildRacy(t, dir, time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			if name == "warning" && len(res.Warnings) == 0 {
				t.Fatal("no warning: the test does not test it")
			}
			if exists(filepath.Join(dir, "build", ".static.cache", "record")) {
				t.Errorf("the build wrote a record")
			}
		})
	}
}

// TestPlainCopyLinked: a plain copy is a hard link of its hashed file, in
// both switch modes; a rebuild that changes the file replaces the plain
// name and leaves the old hashed file's bytes alone.
func TestPlainCopyLinked(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"link", "in-place"} {
		t.Run(mode, func(t *testing.T) {
			dir := recordProject(t, "")
			cfg := filepath.Join(dir, "assets.toml")
			data, _ := os.ReadFile(cfg)
			writeOld(t, cfg, "switch = \""+mode+"\"\n"+string(data))
			out := filepath.Join(dir, "build", "static")
			build := func() *bundler.Result {
				t.Helper()
				res, _, err := buildRacy(t, dir, time.Millisecond)
				if err != nil {
					t.Fatal(err)
				}
				return res
			}
			res := build()
			old := res.Manifest.Files["js/app.js"].Path
			plain, err := os.Stat(filepath.Join(out, "js", "app.js"))
			if err != nil {
				t.Fatal(err)
			}
			hashed, err := os.Stat(filepath.Join(out, filepath.FromSlash(old)))
			if err != nil {
				t.Fatal(err)
			}
			if !os.SameFile(plain, hashed) {
				t.Errorf("js/app.js is not a hard link of %s", old)
			}
			writeOld(t, filepath.Join(dir, "static", "js", "app.js"), "var app = 2;\n")
			res = build()
			if got, _ := os.ReadFile(filepath.Join(out, "js", "app.js")); string(got) != "var app = 2;\n" {
				t.Errorf("js/app.js after the edit: %q", got)
			}
			if got, _ := os.ReadFile(filepath.Join(out, filepath.FromSlash(old))); string(got) != "var app = 1;\n" {
				t.Errorf("the old %s after the edit: %q, want its own bytes", old, got)
			}
			if p := res.Manifest.Files["js/app.js"].Path; p == old {
				t.Errorf("the edit did not rename js/app.js")
			}
		})
	}
}

// TestBuildRecordGlobRoot: a root given as a glob is recorded through the
// listings and stats that chose its directories, so that a directory the
// glob comes to match, or stops matching, sends the next build the whole
// way, and nothing else does.
func TestBuildRecordGlobRoot(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no inodes and change times: a build writes no record")
	}
	const racy = 100 * time.Millisecond
	dir := t.TempDir()
	writeOld(t, filepath.Join(dir, "assets.toml"), "output = \"build/static\"\n[[root]]\npath = \"apps/*/static\"\n[collect]\n")
	writeOld(t, filepath.Join(dir, "apps", "a", "static", "a", "a.css"), ".a { background: url(x.png) }\n")
	writeOld(t, filepath.Join(dir, "apps", "a", "static", "a", "x.png"), "png")
	wait := func() { time.Sleep(racy + 50*time.Millisecond) }
	build := func(step string, want bool, names ...string) {
		t.Helper()
		wait()
		res, recorded, err := buildRacy(t, dir, racy)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if recorded != want {
			t.Errorf("%s: the build ended at the record: %t, want %t", step, recorded, want)
		}
		var got []string
		for name := range res.Manifest.Files {
			got = append(got, name)
		}
		slices.Sort(got)
		if !slices.Equal(got, names) {
			t.Errorf("%s: the manifest names %q, want %q", step, got, names)
		}
	}
	build("first build", false, "a/a.css", "a/x.png")
	build("nothing changed", true, "a/a.css", "a/x.png")

	// A directory the glob comes to match.
	writeOld(t, filepath.Join(dir, "apps", "b", "static", "b.txt"), "b\n")
	build("apps/b/static added", false, "a/a.css", "a/x.png", "b.txt")
	build("nothing changed since", true, "a/a.css", "a/x.png", "b.txt")

	// An app without static/, then its static/ made: its listing changes.
	writeOld(t, filepath.Join(dir, "apps", "c", "models.py"), "\n")
	build("apps/c added", false, "a/a.css", "a/x.png", "b.txt")
	build("nothing changed since apps/c", true, "a/a.css", "a/x.png", "b.txt")
	writeOld(t, filepath.Join(dir, "apps", "c", "static", "c.txt"), "c\n")
	build("apps/c/static added", false, "a/a.css", "a/x.png", "b.txt", "c.txt")

	// A directory the glob no longer matches.
	if err := os.RemoveAll(filepath.Join(dir, "apps", "b", "static")); err != nil {
		t.Fatal(err)
	}
	build("apps/b/static removed", false, "a/a.css", "a/x.png", "c.txt")
	build("nothing changed at the end", true, "a/a.css", "a/x.png", "c.txt")
}

// TestBuildRecordProjectAgain: a Project built a second time stats its
// files anew, never with the stats the first build's record check took
// (the probe's, see sameCheck.holding): here the first build's check
// found img/x.png as recorded, and x.png changes before the second.
func TestBuildRecordProjectAgain(t *testing.T) {
	dir, record := recordTest(t)
	time.Sleep(racy + 50*time.Millisecond)
	if _, _, err := buildRacy(t, dir, racy); err != nil || !exists(record) {
		t.Fatalf("first build: %v; a record: %t", err, exists(record))
	}
	p, err := bundler.Load(bundler.WithRacyWindow(bundler.Options{Config: filepath.Join(dir, "assets.toml"), Cache: true}, racy))
	if err != nil {
		t.Fatal(err)
	}
	// Another file changes: the check finds the record changed, x.png as
	// it was.
	writeOld(t, filepath.Join(dir, "static", "js", "app.js"), "var app = 2;\n")
	time.Sleep(racy + 50*time.Millisecond)
	if _, err := p.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	// x.png changes, and no record is left to check against.
	os.Remove(record)
	writeOld(t, filepath.Join(dir, "static", "img", "x.png"), "png, changed")
	time.Sleep(racy + 50*time.Millisecond)
	res, err := p.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := buildRacy(t, dir, racy)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Manifest.Files["img/x.png"].Path, want.Manifest.Files["img/x.png"].Path; got != want {
		t.Errorf("the Project's second build named x.png %s, a new Project's %s", got, want)
	}
}
