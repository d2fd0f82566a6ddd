package bundler_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/finders"
	"github.com/stapler-build/stapler/internal/testenv"
	"github.com/stapler-build/stapler/manifest"
)

// copyExample copies testdata/example to dir, leaving out its build/
// directory (a local build's leftovers), and returns the path of the
// copy's assets.toml. The copy's outputs go to dir/build/static.
func copyExample(t testing.TB, dir string) string {
	t.Helper()
	src := filepath.Join("..", "testdata", "example")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rel == "build" {
			return filepath.SkipDir
		}
		to := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "assets.toml")
}

func load(t testing.TB, config string) *bundler.Project {
	t.Helper()
	p, err := bundler.Load(bundler.Options{Config: config})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func build(t testing.TB, config string) *bundler.Result {
	t.Helper()
	res, err := load(t, config).Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// buildWithProcs builds with GOMAXPROCS set to n, and restores it.
func buildWithProcs(t *testing.T, config string, n int) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	build(t, config)
}

func readOutput(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files, err := readTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("%s: no files", dir)
	}
	return files
}

// TestDeterminism builds the example twice, at two absolute paths of
// different depths and with different GOMAXPROCS, and wants the same
// files with the same bytes. Not parallel: GOMAXPROCS is global.
func TestDeterminism(t *testing.T) {
	a := copyExample(t, t.TempDir())
	b := copyExample(t, filepath.Join(t.TempDir(), "much", "deeper", "than", "the", "other", "project"))
	buildWithProcs(t, a, 1)
	buildWithProcs(t, b, 4)
	filesA := readOutput(t, filepath.Join(filepath.Dir(a), "build", "static"))
	filesB := readOutput(t, filepath.Join(filepath.Dir(b), "build", "static"))
	namesA, namesB := slices.Sorted(maps.Keys(filesA)), slices.Sorted(maps.Keys(filesB))
	if !slices.Equal(namesA, namesB) {
		t.Fatalf("file sets differ:\n%q\n%q", namesA, namesB)
	}
	for _, name := range namesA {
		if !bytes.Equal(filesA[name], filesB[name]) {
			t.Errorf("%s differs:\n%s\n%s", name, filesA[name], filesB[name])
		}
	}
}

// TestRebuildUnchanged builds the example twice in one place: the second
// build finds every file in place and writes none.
func TestRebuildUnchanged(t *testing.T) {
	t.Parallel()
	config := copyExample(t, t.TempDir())
	first := build(t, config)
	out := filepath.Join(filepath.Dir(config), "build", "static")
	n := len(readOutput(t, out))
	if first.Stats.Written != n || first.Stats.Unchanged != 0 {
		t.Errorf("first build: written %d, unchanged %d; want %d, 0", first.Stats.Written, first.Stats.Unchanged, n)
	}
	before := snapshot(t, out)
	second := build(t, config)
	if second.Stats.Written != 0 || second.Stats.Unchanged != n {
		t.Errorf("second build: written %d, unchanged %d; want 0, %d", second.Stats.Written, second.Stats.Unchanged, n)
	}
	if diff := before.diff(snapshot(t, out)); diff != "" {
		t.Errorf("the second build changed the output:\n%s", diff)
	}
}

// fileState is what a build may not change about a file it leaves alone.
type fileState struct {
	data    []byte
	mode    fs.FileMode
	modTime time.Time
}

// A dirSnapshot is every entry under a directory, directories included,
// by slash-separated name.
type dirSnapshot map[string]fileState

func snapshot(t *testing.T, dir string) dirSnapshot {
	t.Helper()
	s := dirSnapshot{}
	// As a server sees it: through the output's link, when it is one.
	fsys := os.DirFS(dir)
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		st := fileState{mode: info.Mode(), modTime: info.ModTime()}
		if d.Type().IsRegular() {
			if st.data, err = fs.ReadFile(fsys, p); err != nil {
				return err
			}
		}
		s[p] = st
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// diff describes how s2 differs from s, or returns "".
func (s dirSnapshot) diff(s2 dirSnapshot) string {
	var b strings.Builder
	for _, name := range slices.Sorted(maps.Keys(s)) {
		a, ok := s2[name]
		switch {
		case !ok:
			b.WriteString("removed: " + name + "\n")
		case !bytes.Equal(a.data, s[name].data):
			b.WriteString("content changed: " + name + "\n")
		case a.mode != s[name].mode || !a.modTime.Equal(s[name].modTime):
			b.WriteString("mode or time changed: " + name + "\n")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s2)) {
		if _, ok := s[name]; !ok {
			b.WriteString("added: " + name + "\n")
		}
	}
	return b.String()
}

// editFile replaces old with new in the file.
func editFile(t *testing.T, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s does not hold %q", file, old)
	}
	if err := os.WriteFile(file, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFailedBuildKeepsOutput breaks a project that built, in its sources
// and in its config, and wants the next build to fail with the problem
// and to leave the output directory exactly as it was: no file changed,
// added (not even a temporary one) or removed.
func TestFailedBuildKeepsOutput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		file       string // to edit, relative to the project
		old, new   string
		wantCode   string
		wantPrefix string
	}{
		{
			name: "JS syntax error", file: "static/js/collections/users.js",
			old: `return [{ id: 1`, new: `return [{ id: 1,,`,
			wantCode: "syntax", wantPrefix: filepath.Join("static", "js", "collections", "users.js") + ":3:",
		},
		{
			name: "CSS url() target missing", file: "static/css/base.css",
			old: `url(../img/logo.svg)`, new: `url(../img/logo.png)`,
			wantCode: "url-not-found", wantPrefix: filepath.Join("static", "css", "base.css") + ":11:",
		},
		{
			name: "misspelt source in the config", file: "assets.toml",
			old: `"js/application.js",`, new: `"js/aplication.js",`,
			wantCode: "not-found", wantPrefix: "assets.toml:20:3: ",
		},
		{
			name: "misspelt key in the config", file: "assets.toml",
			old: `output = "css/site.css"`, new: `ouptut = "css/site.css"`,
			wantCode: "unknown-key", wantPrefix: "assets.toml:35:1: ",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			config := copyExample(t, dir)
			out := filepath.Join(dir, "build", "static")
			build(t, config)
			before := snapshot(t, out)

			editFile(t, filepath.Join(dir, filepath.FromSlash(tc.file)), tc.old, tc.new)
			_, err := load(t, config).Build(context.Background())
			var list bundler.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Build: %v; want an ErrorList", err)
			}
			found := false
			for _, d := range list {
				found = found || d.Code == tc.wantCode && strings.HasPrefix(d.Error(), filepath.Join(dir, tc.wantPrefix))
			}
			if !found {
				t.Errorf("no %s error at %s in:\n%v", tc.wantCode, tc.wantPrefix, diagLines(list))
			}
			after := snapshot(t, out)
			if diff := before.diff(after); diff != "" {
				t.Errorf("the failed build changed the output:\n%s", diff)
			}
			for name := range after {
				if strings.HasPrefix(filepath.Base(name), ".stapler-") {
					t.Errorf("temporary file left: %s", name)
				}
			}
		})
	}
}

// TestFailedWriteKeepsOutput makes the writing of a build fail, after a
// change to two bundles' sources: a directory stands where the new JS
// bundle's hashed file must go. The previous manifests and every file
// they name, hashed or plain, must be as they were, and no temporary
// file may be left.
func TestFailedWriteKeepsOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := copyExample(t, dir)
	out := filepath.Join(dir, "build", "static")
	first := build(t, config)

	editFile(t, filepath.Join(dir, "static", "css", "layout.css"), "max-width: 960px", "max-width: 1140px")
	editFile(t, filepath.Join(dir, "static", "js", "application.js"), `version: "1.4.2"`, `version: "1.5.0"`)
	p := load(t, config)
	planned, err := p.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	block := filepath.Join(out, filepath.FromSlash(planned.Manifest.Files["js/stats.js"].Path))
	if err := os.MkdirAll(filepath.Join(block, "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, out)

	_, err = p.Build(context.Background())
	if err == nil {
		t.Fatal("Build succeeded with a directory where its output goes")
	}
	after := snapshot(t, out)
	var names []string
	for name, e := range first.Manifest.Files {
		names = append(names, e.Path)
		names = append(names, name) // the plain copy: keep_unhashed is on
	}
	names = append(names, manifest.FileName, manifest.DjangoFileName)
	slices.Sort(names)
	for _, name := range names {
		b, a := before[name], after[name]
		if a.data == nil || !bytes.Equal(a.data, b.data) || !a.modTime.Equal(b.modTime) {
			t.Errorf("%s: changed by a build that failed", name)
		}
	}
	for name := range after {
		if strings.HasPrefix(filepath.Base(name), ".stapler-") {
			t.Errorf("temporary file left: %s", name)
		}
	}
}

// TestCheckWritesNothing: Check makes the whole result in memory, and
// creates not even the output directory.
func TestCheckWritesNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := copyExample(t, dir)
	res, err := load(t, config).Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Outputs) == 0 || len(res.Manifest.Files) != len(res.Outputs) {
		t.Errorf("Check: %d outputs, %d manifest entries", len(res.Outputs), len(res.Manifest.Files))
	}
	if res.Stats.Written != 0 {
		t.Errorf("Check: Stats.Written = %d", res.Stats.Written)
	}
	if _, err := os.Lstat(filepath.Join(dir, "build")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after Check, %s: %v; want it not to exist", filepath.Join(dir, "build"), err)
	}
}

// scriptRunner loads the scripts named on its command line into one V8
// context, one after the other as a page's <script> tags do, with a
// window that is the global object and a document that does nothing, and
// prints what the scripts left behind.
const scriptRunner = `
const fs = require("fs"), vm = require("vm");
const sandbox = {
  document: {
    querySelectorAll: () => [],
    getElementById: () => null,
    addEventListener: () => {},
  },
};
sandbox.window = sandbox;
const ctx = vm.createContext(sandbox);
for (const file of process.argv.slice(1)) {
  vm.runInContext(fs.readFileSync(file, "utf8"), ctx, { filename: file });
}
const g = (name) => vm.runInContext("typeof " + name, ctx);
const collections = vm.runInContext("App.collections", ctx);
console.log(JSON.stringify({
  types: Object.fromEntries(["App", "registerCollection", "ready", "$", "Bootstrap", "loadComments", "Editor", "Cart"].map((n) => [n, g(n)])),
  version: vm.runInContext("App.version", ctx),
  collections: Object.keys(collections).sort(),
  statsTotal: collections.stats.fetch().total,
  users: collections.users.fetch().length,
  cart: vm.runInContext("Cart.add('book')", ctx),
}));
`

// TestBuiltScriptsRun runs the example's minified, concatenated bundles
// in node, as classic scripts sharing one global scope, and checks that
// the globals they declare exist and work: minification kept their names
// and the ";" barriers kept the files apart.
func TestBuiltScriptsRun(t *testing.T) {
	t.Parallel()
	node := testenv.Command(t, "node")
	dir := t.TempDir()
	config := copyExample(t, dir)
	res := build(t, config)
	out := filepath.Join(dir, "build", "static")
	args := []string{"-e", scriptRunner}
	for _, name := range []string{"js/stats.js", "js/apps.js"} {
		e, ok := res.Manifest.Files[name]
		if !ok {
			t.Fatalf("no %s in the manifest", name)
		}
		args = append(args, filepath.Join(out, filepath.FromSlash(e.Path)))
	}
	cmd := exec.Command(node, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, stderr.Bytes())
	}
	var got struct {
		Types       map[string]string
		Version     string
		Collections []string
		StatsTotal  int
		Users       int
		Cart        int
	}
	if err := json.Unmarshal(stdout, &got); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	want := map[string]string{
		"App": "object", "registerCollection": "function", "ready": "boolean", "$": "function",
		"Bootstrap": "object", "loadComments": "function", "Editor": "object", "Cart": "object",
	}
	if !maps.Equal(got.Types, want) {
		t.Errorf("globals: got %v, want %v", got.Types, want)
	}
	if got.Version != "1.4.2" || !slices.Equal(got.Collections, []string{"stats", "users"}) || got.StatsTotal != 285 || got.Users != 2 || got.Cart != 1 {
		t.Errorf("got %+v", got)
	}
}

// brokenFS is a project with a problem of each kind that has a position:
// in the config's syntax-free keys, in its names and globs, in a script
// and in a stylesheet.
func brokenFS() fstest.MapFS {
	return fstest.MapFS{
		"assets.toml": {Data: []byte(`output = "build"
kep_unhashed = true

[[root]]
path = "static"

[bundle.app]
output = "js/app.js"
sources = ["js/aplication.js", "js/none/*.js", "js/broken.js"]

[bundle.site]
output = "css/site.css"
sources = ["css/site.css"]
`)},
		"static/js/application.js": {Data: []byte("var application = true;\n")},
		"static/js/broken.js":      {Data: []byte("function f() {\n  return (1;\n}\n")},
		"static/css/site.css":      {Data: []byte("body {\n  background: url(missing.png);\n}\n")},
	}
}

// TestErrors checks what a caller can learn from a failed build's error:
// errors.As reaches the ErrorList, errors.Is the finders' sentinel causes,
// and every diagnostic has a 1-based position.
func TestErrors(t *testing.T) {
	t.Parallel()
	p, err := bundler.Load(bundler.Options{FS: brokenFS(), OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Build(context.Background())
	if err == nil {
		t.Fatal("Build succeeded")
	}
	wrapped := errors.Join(errors.New("building"), err) // as a caller might
	var list bundler.ErrorList
	if !errors.As(wrapped, &list) {
		t.Fatalf("errors.As does not reach the ErrorList in %v", err)
	}
	if !errors.Is(wrapped, finders.ErrNotFound) {
		t.Errorf("errors.Is(err, finders.ErrNotFound) = false for %v", diagLines(list))
	}
	if !errors.Is(wrapped, finders.ErrNoMatch) {
		t.Errorf("errors.Is(err, finders.ErrNoMatch) = false for %v", diagLines(list))
	}
	var d *bundler.Diagnostic
	if !errors.As(wrapped, &d) {
		t.Error("errors.As does not reach a *Diagnostic")
	}
	codes := map[string]bool{}
	for _, d := range list {
		codes[d.Code] = true
		if d.Pos.File == "" || d.Pos.Line < 1 || d.Pos.Col < 1 {
			t.Errorf("%q: position %+v is not 1-based", d.Error(), d.Pos)
		}
	}
	for _, code := range []string{"unknown-key", "not-found", "no-match", "syntax", "url-not-found"} {
		if !codes[code] {
			t.Errorf("no %q diagnostic in:\n%s", code, diagLines(list))
		}
	}
	if !slices.IsSortedFunc(list, func(a, b *bundler.Diagnostic) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Pos.Col, b.Pos.Col))
	}) {
		t.Errorf("not sorted by position:\n%s", diagLines(list))
	}
}

func diagLines(list bundler.ErrorList) string {
	var b strings.Builder
	for _, d := range list {
		b.WriteString(d.Error() + "\n")
	}
	return b.String()
}

func okFS() fstest.MapFS {
	return fstest.MapFS{
		"assets.toml": {Data: []byte(`output = "build"

[[root]]
path = "static"

[bundle.app]
output = "js/app.js"
sources = ["js/*.js"]
`)},
		"static/js/a.js": {Data: []byte("var a = 1;\n")},
		"static/js/b.js": {Data: []byte("var b = a + 1;\n")},
	}
}

// TestLoadFS loads a project from an fs.FS: Check needs nothing more,
// Build needs Options.OutputDir, since an fs.FS cannot be written to.
func TestLoadFS(t *testing.T) {
	t.Parallel()
	t.Run("Build with OutputDir", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "static")
		p, err := bundler.Load(bundler.Options{FS: okFS(), OutputDir: out})
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Build(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		files := readOutput(t, out)
		e := res.Manifest.Files["js/app.js"]
		if want := "var a=1;\n;\nvar b=a+1;\n"; string(files[e.Path]) != want || string(files["js/app.js"]) != want {
			t.Errorf("%s: %q; js/app.js: %q; want %q", e.Path, files[e.Path], files["js/app.js"], want)
		}
		if _, ok := files[manifest.FileName]; !ok {
			t.Errorf("no %s", manifest.FileName)
		}
	})
	t.Run("Build without OutputDir", func(t *testing.T) {
		p, err := bundler.Load(bundler.Options{FS: okFS()})
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Build(context.Background())
		var list bundler.ErrorList
		switch {
		case err == nil:
			t.Fatal("Build succeeded with nowhere to write")
		case errors.As(err, &list):
			t.Fatalf("Build: %v; want an error about OutputDir, not a problem in the project", err)
		case !strings.Contains(err.Error(), "OutputDir"):
			t.Errorf("Build: %v; want it to say that Options.OutputDir is needed", err)
		}
	})
	t.Run("Check", func(t *testing.T) {
		p, err := bundler.Load(bundler.Options{FS: okFS()})
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Check(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Manifest.Files["js/app.js"].Sources; !slices.Equal(got, []string{"js/a.js", "js/b.js"}) {
			t.Errorf("sources %q", got)
		}
	})
}

// TestInvalidUTF8Name guards a file whose name is not UTF-8 (issue 11):
// it stopped the build with "readfile ...: invalid argument" and exit
// status 2; it is a positioned problem naming the file, once collected,
// once matched by a bundle's glob, and nothing when [collect] excludes it.
func TestInvalidUTF8Name(t *testing.T) {
	dir := t.TempDir()
	js := filepath.Join(dir, "static", "js")
	if err := os.MkdirAll(js, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(js, "ok.js"), []byte("var a=1;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(js, "bad\xff.js"), []byte("var b=2;\n"), 0o644); err != nil {
		t.Skipf("this file system refuses a name that is not UTF-8: %v", err)
	}
	tests := []struct {
		name, config string
		want         []string
	}{
		{"collected", "[collect]\n", []string{
			// The position shows the byte that is not UTF-8 as \xNN.
			filepath.Join("static", "js", `bad\xff.js`) + `: "` + filepath.Join("static", "js") + `/bad\xff.js" cannot be collected: its name is not valid UTF-8; rename it, or exclude it`,
		}},
		{"excluded", "[collect]\nexclude = [\"js/bad*\"]\n", nil},
		{"globbed", "[bundle.all]\noutput = \"all.js\"\nsources = [\"js/*.js\"]\n", []string{
			`assets.toml:6:12: bundle "all": "js/*.js" matches "` + filepath.Join("static", "js") + `/bad\xff.js", which is not a valid name: is not valid UTF-8; rename it`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			config := filepath.Join(dir, "assets.toml")
			if err := os.WriteFile(config, []byte("output = \"build\"\n[[root]]\npath = \"static\"\n"+tt.config), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := bundler.Load(bundler.Options{Config: config})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Check(context.Background())
			var got []string
			var list bundler.ErrorList
			if errors.As(err, &list) {
				for _, d := range list {
					got = append(got, strings.ReplaceAll(d.Error(), dir+string(filepath.Separator), ""))
				}
			} else if err != nil {
				t.Fatalf("Check: %v; want a positioned problem", err)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestPlantedLink guards the output directory against a symbolic link
// planted inside it (issue 11): with build/static/js a link to a directory
// elsewhere, a build wrote the scripts there. It now fails before writing
// anything, with an error naming the link, and the directory the link
// names stays empty.
func TestPlantedLink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := copyExample(t, dir)
	out := filepath.Join(dir, "build", "static")
	elsewhere := filepath.Join(dir, "elsewhere")
	if err := os.MkdirAll(elsewhere, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(out, "js")
	if err := os.Symlink(elsewhere, link); err != nil {
		t.Fatal(err)
	}
	_, err := load(t, config).Build(context.Background())
	if err == nil || !strings.Contains(err.Error(), link+": it is a symbolic link") {
		t.Fatalf("Build: %v; want an error naming the link %s", err, link)
	}
	if entries, err := os.ReadDir(elsewhere); err != nil || len(entries) > 0 {
		t.Errorf("written through the link: %v %v", entries, err)
	}
	if _, err := os.Stat(filepath.Join(out, manifest.FileName)); err == nil {
		t.Errorf("a manifest was written by a build that failed")
	}
}

// TestConcurrentWriters guards an output directory written by several
// processes at once (issue 11): two builds of different sources into one
// output, and a prune keeping only the current build, in rounds. Without
// a lock, a round could leave a plain copy of one build beside the
// manifest of the other, or a manifest naming a file prune had just
// deleted. After every round the output must verify.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "out")
	var configs []string
	for i, version := range []string{`version: "1.4.2"`, `version: "2.0.0"`} {
		dir := filepath.Join(t.TempDir(), fmt.Sprint(i))
		configs = append(configs, copyExample(t, dir))
		editFile(t, filepath.Join(dir, "static", "js", "application.js"), `version: "1.4.2"`, version)
	}
	for round := range 16 {
		var wg sync.WaitGroup
		errs := make([]error, len(configs)+1)
		for i, config := range configs {
			wg.Go(func() {
				p, err := bundler.Load(bundler.Options{Config: config, OutputDir: out})
				if err == nil {
					_, err = p.Build(context.Background())
				}
				errs[i] = err
			})
		}
		if round > 0 {
			wg.Go(func() {
				_, errs[len(configs)] = bundler.Prune(out, bundler.PruneOptions{Keep: 1, MinAge: -1})
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		if _, err := bundler.Verify(context.Background(), out, nil); err != nil {
			t.Fatalf("round %d: the output does not verify: %v", round, err)
		}
	}
}

// TestLitterRemoved guards the temporary files of builds killed while
// writing in place (issue 11: 1,811 were left, and neither the next build
// nor prune removed them): the next build sweeps the directories it writes
// to, and prune the rest, the build history's included. (In link mode a
// killed build's files die with its generation: TestReliabilityKill.)
func TestLitterRemoved(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := copyExample(t, dir)
	data, err := os.ReadFile(config)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config, append([]byte("switch = \"in-place\"\n"), data...), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "build", "static")
	build(t, config)
	litter := []string{
		filepath.Join(out, "js", ".stapler-KILLED.tmp"),
		filepath.Join(out, ".stapler-KILLED.tmp"),
		filepath.Join(out, ".stapler", "history", ".stapler-KILLED.tmp"),
	}
	for _, name := range litter {
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	build(t, config)
	for _, name := range litter[:2] {
		if _, err := os.Stat(name); err == nil {
			t.Errorf("the next build left %s", name)
		}
	}
	if _, err := bundler.Prune(out, bundler.PruneOptions{MinAge: -1}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(litter[2]); err == nil {
		t.Errorf("prune left %s", litter[2])
	}
	if _, err := bundler.Verify(context.Background(), out, nil); err != nil {
		t.Errorf("the output does not verify: %v", err)
	}
}
