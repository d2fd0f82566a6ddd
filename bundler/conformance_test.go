package bundler_test

// Conformance with Django's ManifestStaticFilesStorage: the cases of
// Django's tests/staticfiles_tests that the golden archives
// (testdata/golden/collect_*.txtar) cannot state, because they are about
// a second build, warnings, or outputs the golden harness does not accept,
// and the cases where Django is wrong and stapler must not be.

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/rogpeppe/go-internal/txtar"
	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/finders"
	"github.com/stapler-build/stapler/internal/testenv"
	"github.com/stapler-build/stapler/manifest"
)

// collectConfig is an assets.toml that collects the root "static".
const collectConfig = `output = "out"
keep_unhashed = false

[[root]]
path = "static"

[collect]
`

// checkFiles checks, in memory, a project of the given files (names
// relative to the config's directory) whose assets.toml is config, and
// returns its outputs by logical name.
func checkFiles(t *testing.T, config string, files map[string]string) map[string]bundler.Output {
	t.Helper()
	fsys := fstest.MapFS{"assets.toml": {Data: []byte(config)}}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	p, err := bundler.Load(bundler.Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Check(context.Background())
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	out := map[string]bundler.Output{}
	for _, o := range res.Outputs {
		out[o.Name] = o
	}
	return out
}

// hashIn returns the hash in a hashed name: "css/a.0123456789ab.css" →
// "0123456789ab".
func hashIn(t *testing.T, o bundler.Output) string {
	t.Helper()
	_, hash, ok := manifest.SplitHashed(o.Path)
	if !ok {
		t.Fatalf("%s: %q is not a hashed name", o.Name, o.Path)
	}
	return hash
}

// TestImportLoop is Django's test_import_loop: loop/foo.css and
// loop/bar.css @import each other, and bar.css imports baz.css too.
// Django 3.2 (Debian 12's) fails the whole collectstatic with
// "Max post-process passes exceeded" (issue 3, "Why"). The files of the
// cycle must share one hash, computed over both, and refer to each
// other's hashed names; baz.css, outside it, is named for its own bytes.
// (Not a golden archive: a cycle member's name cannot carry the hash of
// its own final bytes, which the golden harness requires of every file.)
func TestImportLoop(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"static/loop/foo.css": "@import url(\"bar.css\");\n",
		"static/loop/bar.css": "@import url(\"foo.css\");\n@import url(\"baz.css\");\n",
		"static/loop/baz.css": "body {\n    background-color: #fafafa;\n}\n",
	}
	out := checkFiles(t, collectConfig, files)
	foo, bar, baz := out["loop/foo.css"], out["loop/bar.css"], out["loop/baz.css"]
	h, hb := hashIn(t, foo), hashIn(t, baz)
	if hashIn(t, bar) != h {
		t.Errorf("foo.css and bar.css: hashes %s and %s; want one shared hash", h, hashIn(t, bar))
	}
	if hb != manifest.ContentHash(baz.Data) || hb == h {
		t.Errorf("baz.css: hash %s; want its own bytes' %s, not the cycle's %s", hb, manifest.ContentHash(baz.Data), h)
	}
	if want := "@import url(\"bar." + h + ".css\");\n"; string(foo.Data) != want {
		t.Errorf("foo.css:\n%s\nwant:\n%s", foo.Data, want)
	}
	if want := "@import url(\"foo." + h + ".css\");\n@import url(\"baz." + hb + ".css\");\n"; string(bar.Data) != want {
		t.Errorf("bar.css:\n%s\nwant:\n%s", bar.Data, want)
	}

	// The shared hash is computed over the whole cycle, and what it
	// refers to outside it: a change to any of the three renames both.
	for _, name := range slices.Sorted(maps.Keys(files)) {
		changed := maps.Clone(files)
		changed[name] += "/* changed */\n"
		out2 := checkFiles(t, collectConfig, changed)
		if got := hashIn(t, out2["loop/foo.css"]); got == h || got != hashIn(t, out2["loop/bar.css"]) {
			t.Errorf("after changing %s: foo.css %s, bar.css %s; want a new shared hash, not %s",
				name, got, hashIn(t, out2["loop/bar.css"]), h)
		}
	}

	// The same sources give the same bytes.
	again := checkFiles(t, collectConfig, files)
	for name, o := range out {
		if again[name].Path != o.Path || !bytes.Equal(again[name].Data, o.Data) {
			t.Errorf("%s: %s, then %s", name, o.Path, again[name].Path)
		}
	}
}

// TestCircularDependencies is Django's test_circular_dependencies:
// test/style1.css and test/style2.css import each other, and style2.css
// imports test/common.css. The two share a hash and name each other's
// hashed copy, style2.css names common.css's; after common.css changes,
// all three hashes change and the references follow.
func TestCircularDependencies(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"static/test/style1.css": "@import url('style2.css');\n.style1 { color: red; }",
		"static/test/style2.css": "@import url('style1.css');\n@import url('common.css');\n.style2 { color: blue; }",
		"static/test/common.css": ".common { color: green; }",
	}
	type hashes struct{ style1, style2, common string }
	check := func(files map[string]string) hashes {
		t.Helper()
		out := checkFiles(t, collectConfig, files)
		s1, s2, c := out["test/style1.css"], out["test/style2.css"], out["test/common.css"]
		h := hashes{hashIn(t, s1), hashIn(t, s2), hashIn(t, c)}
		if h.style1 != h.style2 {
			t.Errorf("style1.css %s, style2.css %s: files with circular dependencies should have the same hash", h.style1, h.style2)
		}
		if want := "@import url('style2." + h.style2 + ".css');\n.style1 { color: red; }"; string(s1.Data) != want {
			t.Errorf("style1.css:\n%s\nwant:\n%s", s1.Data, want)
		}
		if want := "@import url('style1." + h.style1 + ".css');\n@import url('common." + h.common + ".css');\n.style2 { color: blue; }"; string(s2.Data) != want {
			t.Errorf("style2.css:\n%s\nwant:\n%s", s2.Data, want)
		}
		if h.common != manifest.ContentHash(c.Data) {
			t.Errorf("common.css: hash %s, of its bytes %s", h.common, manifest.ContentHash(c.Data))
		}
		return h
	}
	before := check(files)
	changed := maps.Clone(files)
	changed["static/test/common.css"] = ".common { color: black; }"
	after := check(changed)
	if after.style1 == before.style1 || after.style2 == before.style2 || after.common == before.common {
		t.Errorf("after common.css changed: hashes %+v, before %+v; want all three changed", after, before)
	}
}

// TestSelfReference: a file that refers to itself is a cycle of one, not
// an error (Django 3.2: "Max post-process passes exceeded"). It refers to
// its own hashed name, with the fragment kept.
func TestSelfReference(t *testing.T) {
	t.Parallel()
	out := checkFiles(t, collectConfig, map[string]string{
		"static/css/cursors.css": ".grab { cursor: url(cursors.css#grab), move; }\n",
	})
	o := out["css/cursors.css"]
	h := hashIn(t, o)
	if want := ".grab { cursor: url(cursors." + h + ".css#grab), move; }\n"; string(o.Data) != want {
		t.Errorf("cursors.css:\n%s\nwant:\n%s", o.Data, want)
	}
}

// TestFileChangeAfterCollect is Django's test_file_change_after_collectstatic:
// collect, change the images a stylesheet refers to, collect again into
// the same directory: the stylesheet refers to the new hashed names, and
// is itself renamed, since its hash is taken over its rewritten bytes.
func TestFileChangeAfterCollect(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, data string) { t.Helper(); writeUnder(t, dir, name, data) }
	write("assets.toml", collectConfig)
	write("static/test/foo.png", "foo")
	write("static/test/xyz.png", "xyz")
	write("static/test/bar.css", `div{background:url("foo.png");}span{background:url("xyz.png");}`)
	config := filepath.Join(dir, "assets.toml")
	barCSS := func(res *bundler.Result) (string, string) {
		t.Helper()
		e := res.Manifest.Files["test/bar.css"]
		data, err := os.ReadFile(filepath.Join(dir, "out", filepath.FromSlash(e.Path)))
		if err != nil {
			t.Fatal(err)
		}
		return e.Path, string(data)
	}
	want := func(foo, xyz string) string {
		return `div{background:url("foo.` + manifest.ContentHash([]byte(foo)) + `.png");}span{background:url("xyz.` + manifest.ContentHash([]byte(xyz)) + `.png");}`
	}

	path1, css1 := barCSS(build(t, config))
	if css1 != want("foo", "xyz") {
		t.Errorf("first build: test/bar.css:\n%s\nwant:\n%s", css1, want("foo", "xyz"))
	}
	const changed = "new content of file to change its hash"
	write("static/test/foo.png", changed)
	write("static/test/xyz.png", changed)
	path2, css2 := barCSS(build(t, config))
	if css2 != want(changed, changed) {
		t.Errorf("second build: test/bar.css:\n%s\nwant:\n%s", css2, want(changed, changed))
	}
	if path2 == path1 {
		t.Errorf("test/bar.css kept its name %s after the images it refers to changed", path1)
	}
}

// TestNonUTF8Stylesheet is Django's test_post_processing_nonutf8: Django
// decodes every stylesheet as UTF-8 and fails with UnicodeDecodeError on
// one in Latin-1. CSS may be in any encoding its @charset names; stapler
// rewrites the references and leaves every other byte as it was.
func TestNonUTF8Stylesheet(t *testing.T) {
	t.Parallel()
	src := "@charset \"iso-8859-1\";\n/* \xe9viter \xe9crasement */\n.test { margin: 1 rem; background: url(a.png); }\n"
	out := checkFiles(t, collectConfig, map[string]string{
		"static/nonutf8/nonutf8.css": src,
		"static/nonutf8/a.png":       "a",
	})
	want := strings.Replace(src, "a.png", "a."+manifest.ContentHash([]byte("a"))+".png", 1)
	if got := string(out["nonutf8/nonutf8.css"].Data); got != want {
		t.Errorf("nonutf8.css:\n%q\nwant:\n%q", got, want)
	}
}

// TestNoDefaultExcludesDotfile is the rest of Django's
// test_common_ignore_patterns and test_no_common_ignore_patterns: the
// dotfile test/.hidden is not collected by default, and with
// default_excludes = false it is, as test/.hidden.<hash>, the name
// Django gives it (os.path.splitext takes no extension from ".hidden").
func TestNoDefaultExcludesDotfile(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"static/test/.hidden":  "should be ignored",
		"static/test/file.txt": "In STATICFILES_DIRS directory.",
	}
	if _, ok := checkFiles(t, collectConfig, files)["test/.hidden"]; ok {
		t.Error("test/.hidden collected with the default excludes")
	}
	out := checkFiles(t, collectConfig+"default_excludes = false\n", files)
	o, ok := out["test/.hidden"]
	if !ok {
		t.Fatal("test/.hidden not collected with default_excludes = false")
	}
	if want := "test/.hidden." + manifest.ContentHash([]byte("should be ignored")); o.Path != want {
		t.Errorf("test/.hidden written as %s; want %s", o.Path, want)
	}
}

// loadArchive writes the input sections of testdata/golden/NAME.txtar to
// a new directory, with the files of edits replaced, and loads the
// project from it as an fs.FS, so that positions are relative to it.
func loadArchive(t *testing.T, name string, edits map[string]string) *bundler.Project {
	t.Helper()
	fsys := archiveFS(t, name, edits)
	p, err := bundler.Load(bundler.Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// archiveFS returns the input sections of testdata/golden/NAME.txtar as
// an fs.FS, with the files of edits replaced (an edit to "assets.toml"
// is appended to it).
func archiveFS(t *testing.T, name string, edits map[string]string) fstest.MapFS {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join("..", "testdata", "golden", name+".txtar"))
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for _, f := range ar.Files {
		fname, data := f.Name, f.Data
		if base, ok := strings.CutSuffix(fname, noEOL); ok {
			fname, data = base, bytes.TrimSuffix(data, []byte("\n"))
		}
		if !strings.HasPrefix(fname, "want/") {
			fsys[fname] = &fstest.MapFile{Data: data}
		}
	}
	for fname, data := range edits {
		if fname == "assets.toml" {
			data = string(fsys[fname].Data) + data
		}
		fsys[fname] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

// archiveErrors returns the want/errors section of testdata/golden/NAME.txtar.
func archiveErrors(t *testing.T, name string) string {
	t.Helper()
	ar, err := txtar.ParseFile(filepath.Join("..", "testdata", "golden", name+".txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ar.Files {
		if f.Name == "want/errors" {
			return string(f.Data)
		}
	}
	t.Fatalf("%s.txtar has no want/errors", name)
	return ""
}

// lines renders diagnostics one a line, as the command prints them.
func lines(list bundler.ErrorList) string {
	var b strings.Builder
	for _, d := range list {
		b.WriteString(d.Pos.String() + ": " + d.Severity.String() + ": " + d.Message + "\n")
	}
	return b.String()
}

// TestReferencesWarn: [references] warn makes a missing target a warning
// (testdata/golden/collect_references_warn.txtar has the outputs): the
// build succeeds, and Result.Warnings has each at the referring file's
// position, sorted, with its code and the finders.ErrNotFound cause.
func TestReferencesWarn(t *testing.T) {
	t.Parallel()
	res, err := loadArchive(t, "collect_references_warn", nil).Check(context.Background())
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	want := `static/vendor/chart/chart.min.css:2:1: warning: /*# sourceMappingURL=chart.min.css.map */ → "vendor/chart/chart.min.css.map" not found in any root
static/vendor/chart/chart.min.js:2:1: warning: //# sourceMappingURL=chart.min.js.map → "vendor/chart/chart.min.js.map" not found in any root
static/vendor/lib/css/lib.css:2:15: warning: url("../img/spinner.gif") → "vendor/lib/img/spinner.gif" not found in any root
`
	if got := lines(res.Warnings); got != want {
		t.Errorf("warnings:\n%s\nwant:\n%s", got, want)
	}
	codes := []string{"sourcemap-not-found", "sourcemap-not-found", "url-not-found"}
	for i, d := range res.Warnings {
		if d.Severity != bundler.SeverityWarning || i < len(codes) && d.Code != codes[i] || !errors.Is(d, finders.ErrNotFound) {
			t.Errorf("%s: severity %v, code %q, cause %v; want a warning %q wrapping finders.ErrNotFound", d, d.Severity, d.Code, d.Err, codes[min(i, len(codes)-1)])
		}
	}
}

// TestReferencesIgnore: what [references] ignore covers is left alone
// silently (testdata/golden/collect_references_ignore.txtar has the
// outputs): no warning.
func TestReferencesIgnore(t *testing.T) {
	t.Parallel()
	res, err := loadArchive(t, "collect_references_ignore", nil).Check(context.Background())
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings:\n%s", lines(res.Warnings))
	}
}

// TestCheckReportsCollectProblems: Django's collectstatic --dry-run skips
// post-processing, so it finds none of these problems (issue 3, "Why").
// Check reports exactly what Build does, for each collect_*.txtar that
// fails, in one run.
func TestCheckReportsCollectProblems(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"collect_missing_target", "collect_missing_images", "collect_missing_sourcemap", "collect_bundle_collision"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := loadArchive(t, name, nil).Check(context.Background())
			var list bundler.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Check: %v; want an ErrorList", err)
			}
			if got, want := lines(list), archiveErrors(t, name); got != want {
				t.Errorf("Check:\n%s\nwant, as Build reports:\n%s", got, want)
			}
		})
	}
}

// TestDjangoServesCollectedNames has the real Django (Debian's
// python3-django) load the staticfiles.json of collected trees with
// ManifestStaticFilesStorage and manifest_strict on: static(name) must
// give an existing hashed file for every collected name, among them names
// with non-ASCII characters, spaces and "%" (Django's
// test_nonascii_filenames, test_filename_with_percent_sign), and a
// prefixed root's.
func TestDjangoServesCollectedNames(t *testing.T) {
	python, _ := testenv.Django(t)
	script, err := filepath.Abs(filepath.Join("..", "manifest", "testdata", "django_load.py"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"collect_defaults", "collect_names"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// "1.0": Debian 12's Django 3.2 reads no other; later ones read it too.
			fsys := archiveFS(t, name, map[string]string{"assets.toml": "\n[manifest]\ndjango = true\ndjango_version = \"1.0\"\n"})
			dir := t.TempDir()
			for fname, f := range fsys {
				file := filepath.Join(dir, filepath.FromSlash(fname))
				if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			res := build(t, filepath.Join(dir, "assets.toml"))
			names := slices.Sorted(maps.Keys(res.Manifest.Files))
			out := filepath.Join(dir, "out")
			if _, err := os.Stat(filepath.Join(out, manifest.DjangoFileName)); err != nil {
				t.Fatal(err)
			}
			// Django cannot serve test/%2F.txt (test_filename_with_percent_sign
			// only checks that it is collected): static() percent-decodes the
			// name before the lookup and the URL after it
			// (HashedFilesMixin._url), so "%2F" becomes "/" either way, with
			// Django's own manifest too. The golden archive checks its
			// collection.
			names = slices.DeleteFunc(names, func(n string) bool { return strings.Contains(n, "%2F") })
			cmd := exec.Command(python, append([]string{script, out}, names...)...)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("Django could not serve the build: %v\n%s%s", err, stdout.String(), stderr.String())
			}
			got := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
			if len(got) != len(names) {
				t.Errorf("Django served %d names; the manifest has %d:\n%s", len(got), len(names), stdout.String())
			}
			for _, n := range names {
				if strings.Contains(n, ".hidden") || strings.Contains(n, "ignoreme") || path.Base(n) == "CVS" {
					t.Errorf("%s collected: Django's default ignore patterns or the exclude should drop it", n)
				}
			}
		})
	}
}
