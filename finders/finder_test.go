package finders_test

import (
	"errors"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stapler-build/stapler/finders"
)

// mapFS returns a MapFS holding the given files, each containing its own
// path, so that tests can tell which root supplied a file.
func mapFS(paths ...string) fstest.MapFS {
	m := fstest.MapFS{}
	for _, p := range paths {
		m[p] = &fstest.MapFile{Data: []byte(p)}
	}
	return m
}

// testRoots is a project with an app root, a vendored library under a
// prefix, and a fallback root some of whose files the app overrides.
func testRoots() []finders.Root {
	return []finders.Root{
		{FS: mapFS("js/application.js", "js/app.js", "css/site.css", "img/logo.png"), Dir: "static"},
		{FS: mapFS("css/bootstrap.css", "js/bootstrap.js", "css/site.css"), Prefix: "bootstrap", Dir: "vendor/bootstrap"},
		{FS: mapFS("js/app.js", "css/site.css", "css/admin.css", "robots.txt"), Dir: "apps/admin/static"},
	}
}

func names(files []finders.File) []string {
	var s []string
	for _, f := range files {
		s = append(s, f.Name)
	}
	return s
}

// asError returns err as an *Error, failing the test if it is not one.
func asError(t *testing.T, err error) *finders.Error {
	t.Helper()
	e, ok := errors.AsType[*finders.Error](err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *finders.Error", err, err)
	}
	return e
}

func TestFind(t *testing.T) {
	f := finders.New(testRoots()...)
	tests := []struct {
		name   string
		want   finders.File
		hidden []finders.File
	}{
		{
			name: "js/application.js",
			want: finders.File{Name: "js/application.js", Root: 0, Path: "js/application.js"},
		},
		{
			name:   "first root wins, later ones hidden",
			want:   finders.File{Name: "css/site.css", Root: 0, Path: "css/site.css"},
			hidden: []finders.File{{Name: "css/site.css", Root: 2, Path: "css/site.css"}},
		},
		{
			name: "prefix: bootstrap/css/site.css comes from css/site.css",
			want: finders.File{Name: "bootstrap/css/site.css", Root: 1, Path: "css/site.css"},
		},
		{
			name: "later root supplies what earlier ones lack",
			want: finders.File{Name: "robots.txt", Root: 2, Path: "robots.txt"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, hidden, err := f.Find(tt.want.Name)
			if err != nil {
				t.Fatal(err)
			}
			if file != tt.want {
				t.Errorf("Find(%q) = %+v, want %+v", tt.want.Name, file, tt.want)
			}
			if !reflect.DeepEqual(hidden, tt.hidden) {
				t.Errorf("Find(%q) hides %+v, want %+v", tt.want.Name, hidden, tt.hidden)
			}
			data, err := f.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != file.Path {
				t.Errorf("ReadFile(%+v) = %q, want the file of root %d", file, data, file.Root)
			}
		})
	}
}

func TestFindErrors(t *testing.T) {
	f := finders.New(testRoots()...)
	tests := []struct {
		name        string
		find        string
		err         error
		suggestions []string
		detail      string
		msg         string
	}{
		{
			name:        "typo suggests the nearest name",
			find:        "js/aplication.js",
			err:         finders.ErrNotFound,
			suggestions: []string{"js/application.js"},
			msg:         "find js/aplication.js: not found in any root",
		},
		{
			name:        "moved file is suggested by its base name",
			find:        "scripts/application.js",
			err:         finders.ErrNotFound,
			suggestions: []string{"js/application.js"},
		},
		{
			name: "nothing close: no suggestions",
			find: "fonts/roboto.woff2",
			err:  finders.ErrNotFound,
		},
		{
			name:   "a directory is not a file",
			find:   "bootstrap/css",
			err:    finders.ErrNotFound,
			detail: "is a directory",
		},
		{
			name: "prefix root does not supply names outside its prefix",
			find: "css/bootstrap.css",
			err:  finders.ErrNotFound,
			// The same file under its prefix is the nearest name.
			suggestions: []string{"bootstrap/css/bootstrap.css"},
		},
		{
			name:        "case mismatch",
			find:        "js/App.js",
			err:         finders.ErrCaseMismatch,
			suggestions: []string{"js/app.js"},
			detail:      `exists as "js/app.js"`,
			msg:         `find js/App.js: case mismatch: exists as "js/app.js"`,
		},
		{
			name:        "case mismatch in a prefix",
			find:        "Bootstrap/css/bootstrap.css",
			err:         finders.ErrCaseMismatch,
			suggestions: []string{"bootstrap/css/bootstrap.css"},
			detail:      `exists as "bootstrap/css/bootstrap.css"`,
		},
		{name: "empty", find: "", err: finders.ErrInvalidName, detail: "empty name", msg: `find "": invalid name: empty name`},
		{name: "leading slash", find: "/js/app.js", err: finders.ErrInvalidName, detail: `starts with "/"`},
		{name: "trailing slash", find: "js/", err: finders.ErrInvalidName, detail: `ends with "/"`},
		{name: "dot", find: "./js/app.js", err: finders.ErrInvalidName, detail: `starts with "./"`, msg: `find ./js/app.js: invalid name: starts with "./"`},
		{name: "dot dot", find: "js/../js/app.js", err: finders.ErrInvalidName, detail: `contains a ".." element`},
		{name: "backslash", find: `js\app.js`, err: finders.ErrInvalidName, detail: `contains a backslash (names are "/"-separated)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file, hidden, err := f.Find(tt.find)
			if err == nil {
				t.Fatalf("Find(%q) = %+v, %+v, nil; want error", tt.find, file, hidden)
			}
			if !errors.Is(err, tt.err) {
				t.Fatalf("Find(%q) error = %v, want errors.Is %v", tt.find, err, tt.err)
			}
			e := asError(t, err)
			if e.Op != "find" || e.Name != tt.find {
				t.Errorf("error Op, Name = %q, %q; want %q, %q", e.Op, e.Name, "find", tt.find)
			}
			if !slices.Equal(e.Suggestions, tt.suggestions) {
				t.Errorf("Suggestions = %q, want %q", e.Suggestions, tt.suggestions)
			}
			if e.Detail != tt.detail {
				t.Errorf("Detail = %q, want %q", e.Detail, tt.detail)
			}
			if tt.msg != "" && err.Error() != tt.msg {
				t.Errorf("Error() = %q, want %q", err.Error(), tt.msg)
			}
		})
	}
}

func TestSuggestions(t *testing.T) {
	f := finders.New(
		finders.Root{FS: mapFS("a/cart.js", "a/rat.js", "a/cat.js", "b/at.js", "a/bat.js")},
		finders.Root{FS: mapFS("a/cats.js")},
	)
	tests := []struct {
		find string
		want []string
	}{
		// Ties go by name, and at most three are given.
		{"a/at.js", []string{"a/bat.js", "a/cat.js", "a/rat.js"}},
		{"a/carts.js", []string{"a/cart.js", "a/cats.js", "a/cat.js"}},
		// The limit follows the last element ("cart.js": 2 edits), so
		// "a/bat.js", 3 edits away, is not offered.
		{"c/cart.js", []string{"a/cart.js", "a/cat.js"}},
		{"c/at.js", []string{"b/at.js", "a/bat.js", "a/cat.js"}},
		// Too far for a typo, but the same base name: a moved file.
		{"x/y/z/at.js", []string{"b/at.js"}},
		{"static/js/at.js", []string{"b/at.js"}},
		{"zzzzzzzzzzz.js", nil},
	}
	for _, tt := range tests {
		_, _, err := f.Find(tt.find)
		if !errors.Is(err, finders.ErrNotFound) {
			t.Errorf("Find(%q) = %v, want ErrNotFound", tt.find, err)
			continue
		}
		if got := asError(t, err).Suggestions; !slices.Equal(got, tt.want) {
			t.Errorf("Find(%q) suggests %q, want %q", tt.find, got, tt.want)
		}
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name   string
		detail string // "" for a valid name
	}{
		{"app.js", ""},
		{"js/app.js", ""},
		{".well-known/security.txt", ""},
		{"js/..app.js", ""},
		{"a b/c d.js", ""},
		{"", "empty name"},
		{"/", `starts with "/"`},
		{"/js", `starts with "/"`},
		{"js/", `ends with "/"`},
		{"js//app.js", `contains "//"`},
		{".", `starts with "./"`},
		{"./js", `starts with "./"`},
		{"..", `starts with "../"`},
		{"../js", `starts with "../"`},
		{"js/.", `contains a "." element`},
		{"js/./app.js", `contains a "." element`},
		{"js/..", `contains a ".." element`},
		{`js\app.js`, `contains a backslash (names are "/"-separated)`},
		{"js/a\x00.js", "contains a NUL byte"},
		{"js/\xf3.js", "is not valid UTF-8"},
		{"js/café.js", ""},
	}
	for _, tt := range tests {
		err := finders.ValidName(tt.name)
		if tt.detail == "" {
			if err != nil {
				t.Errorf("ValidName(%q) = %v, want nil", tt.name, err)
			}
			continue
		}
		if !errors.Is(err, finders.ErrInvalidName) {
			t.Errorf("ValidName(%q) = %v, want ErrInvalidName", tt.name, err)
			continue
		}
		if e := asError(t, err); e.Detail != tt.detail || e.Name != tt.name {
			t.Errorf("ValidName(%q): Name, Detail = %q, %q; want %q, %q", tt.name, e.Name, e.Detail, tt.name, tt.detail)
		}
	}
}

func TestGlob(t *testing.T) {
	f := finders.New(testRoots()...)
	tests := []struct {
		pattern string
		want    []string
	}{
		{"js/*.js", []string{"js/app.js", "js/application.js"}},
		{"**/*.css", []string{"bootstrap/css/bootstrap.css", "bootstrap/css/site.css", "css/admin.css", "css/site.css"}},
		{"bootstrap/**/*.css", []string{"bootstrap/css/bootstrap.css", "bootstrap/css/site.css"}},
		{"bootstrap/**", []string{"bootstrap/css/bootstrap.css", "bootstrap/css/site.css", "bootstrap/js/bootstrap.js"}},
		{"css/*.css", []string{"css/admin.css", "css/site.css"}},
		{"*", []string{"robots.txt"}},
		{"{js,img}/*", []string{"img/logo.png", "js/app.js", "js/application.js"}},
		{"js/app?*.js", []string{"js/application.js"}},
		{"[ij]*/*.{png,js}", []string{"img/logo.png", "js/app.js", "js/application.js"}},
		{"js/app.js", []string{"js/app.js"}},
	}
	for _, tt := range tests {
		got, err := f.Glob(tt.pattern)
		if err != nil {
			t.Errorf("Glob(%q): %v", tt.pattern, err)
			continue
		}
		if !slices.Equal(names(got), tt.want) {
			t.Errorf("Glob(%q) = %q, want %q", tt.pattern, names(got), tt.want)
		}
	}
}

func TestGlobWinnersOnly(t *testing.T) {
	got, err := finders.New(testRoots()...).Glob("css/site.css")
	if err != nil {
		t.Fatal(err)
	}
	want := []finders.File{{Name: "css/site.css", Root: 0, Path: "css/site.css"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Glob = %+v, want %+v", got, want)
	}
}

// TestGlobSortedAcrossRoots guards against results in root or walk order.
func TestGlobSortedAcrossRoots(t *testing.T) {
	roots := []finders.Root{
		{FS: mapFS("z/z.js", "a/b.js"), Dir: "one"},
		{FS: mapFS("m/m.js", "a/a.js"), Dir: "two"},
		{FS: mapFS("x.js"), Prefix: "b", Dir: "three"},
	}
	want := []string{"a/a.js", "a/b.js", "b/x.js", "m/m.js", "z/z.js"}
	for _, order := range [][]int{{0, 1, 2}, {2, 1, 0}, {1, 2, 0}} {
		var rs []finders.Root
		for _, i := range order {
			rs = append(rs, roots[i])
		}
		f := finders.New(rs...)
		got, err := f.Glob("**/*.js")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(names(got), want) {
			t.Errorf("roots %v: Glob = %q, want %q", order, names(got), want)
		}
		all, err := f.Files()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(names(all), want) {
			t.Errorf("roots %v: Files = %q, want %q", order, names(all), want)
		}
	}
}

func TestGlobErrors(t *testing.T) {
	f := finders.New(testRoots()...)
	tests := []struct {
		pattern string
		err     error
		detail  string
	}{
		{"js/*.ts", finders.ErrNoMatch, ""},
		{"JS/*.js", finders.ErrNoMatch, ""},
		{"nope/**", finders.ErrNoMatch, ""},
		{"js", finders.ErrNoMatch, ""}, // a directory, and Glob matches files only
		{"", finders.ErrBadPattern, "empty pattern"},
		{"./js/*.js", finders.ErrBadPattern, `starts with "./"`},
		{"../js/*.js", finders.ErrBadPattern, `starts with "../"`},
		{"/js/*.js", finders.ErrBadPattern, `starts with "/"`},
		{"js/", finders.ErrBadPattern, `ends with "/"`},
		{"js//*.js", finders.ErrBadPattern, `contains "//"`},
		{"js/../*.js", finders.ErrBadPattern, `contains a ".." element`},
		{"js/./*.js", finders.ErrBadPattern, `contains a "." element`},
		{`js\*.js`, finders.ErrBadPattern, `contains a backslash (patterns are "/"-separated and cannot escape)`},
		{"js/[a-z.js", finders.ErrBadPattern, `unclosed "["`},
		{"js/[].js", finders.ErrBadPattern, `empty character class "[]"`},
		{"js/{a,b.js", finders.ErrBadPattern, `unclosed "{"`},
		{"js/a}.js", finders.ErrBadPattern, `unmatched "}"`},
		{"js/[!].js", finders.ErrBadPattern, `empty character class "[]"`},
		{"js/[", finders.ErrBadPattern, `unclosed "["`},
		{"js/*\x00", finders.ErrBadPattern, "contains a NUL byte"},
	}
	for _, tt := range tests {
		got, err := f.Glob(tt.pattern)
		if !errors.Is(err, tt.err) {
			t.Errorf("Glob(%q) = %q, %v; want %v", tt.pattern, names(got), err, tt.err)
			continue
		}
		if got != nil {
			t.Errorf("Glob(%q) returned files %q with its error", tt.pattern, names(got))
		}
		e := asError(t, err)
		if e.Op != "glob" || e.Name != tt.pattern || e.Detail != tt.detail {
			t.Errorf("Glob(%q) error Op, Name, Detail = %q, %q, %q; want glob, %q, %q", tt.pattern, e.Op, e.Name, e.Detail, tt.pattern, tt.detail)
		}
	}
	_, err := f.Glob("./js/*.js")
	if want := `glob ./js/*.js: bad pattern: starts with "./"`; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	_, err = f.Glob("js/*.ts")
	if want := `glob js/*.ts: no matching files`; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestFiles(t *testing.T) {
	got, err := finders.New(testRoots()...).Files()
	if err != nil {
		t.Fatal(err)
	}
	want := []finders.File{
		{Name: "bootstrap/css/bootstrap.css", Root: 1, Path: "css/bootstrap.css"},
		{Name: "bootstrap/css/site.css", Root: 1, Path: "css/site.css"},
		{Name: "bootstrap/js/bootstrap.js", Root: 1, Path: "js/bootstrap.js"},
		{Name: "css/admin.css", Root: 2, Path: "css/admin.css"},
		{Name: "css/site.css", Root: 0, Path: "css/site.css"},
		{Name: "img/logo.png", Root: 0, Path: "img/logo.png"},
		{Name: "js/app.js", Root: 0, Path: "js/app.js"},
		{Name: "js/application.js", Root: 0, Path: "js/application.js"},
		{Name: "robots.txt", Root: 2, Path: "robots.txt"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Files() =\n%+v\nwant\n%+v", got, want)
	}
	if _, err := finders.New().Files(); err != nil {
		t.Errorf("Files() with no roots: %v", err)
	}
}

func TestRoots(t *testing.T) {
	roots := testRoots()
	f := finders.New(roots...)
	roots[0].Dir = "changed"
	got := f.Roots()
	if len(got) != 3 || got[0].Dir != "static" || got[1].Prefix != "bootstrap" {
		t.Errorf("Roots() = %+v", got)
	}
	got[1].Prefix = "changed"
	if f.Roots()[1].Prefix != "bootstrap" {
		t.Error("Roots() shares its slice with the Finder")
	}
}

func TestInvalidPrefix(t *testing.T) {
	f := finders.New(finders.Root{FS: mapFS("a.js"), Prefix: "vendor/", Dir: "vendor"})
	_, _, err := f.Find("vendor/a.js")
	if !errors.Is(err, finders.ErrInvalidName) {
		t.Fatalf("Find = %v, want ErrInvalidName", err)
	}
	if want := `find vendor/a.js: invalid name: root vendor: prefix "vendor/" ends with "/"`; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestNilFS(t *testing.T) {
	f := finders.New(finders.Root{FS: mapFS("a.js")}, finders.Root{})
	_, err := f.Files()
	if want := "files: root roots[1] has no FS"; err == nil || err.Error() != want {
		t.Errorf("Files() = %v, want %q", err, want)
	}
	if _, err := f.ReadFile(finders.File{Name: "a.js", Root: 1, Path: "a.js"}); err == nil {
		t.Error("ReadFile from a root with no FS succeeded")
	}
}

// errFS fails to read the directory bad.
type errFS struct{ fstest.MapFS }

func (e errFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == "bad" {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return e.MapFS.ReadDir(name)
}

func TestWalkErrorSurfaced(t *testing.T) {
	f := finders.New(
		finders.Root{FS: mapFS("js/app.js"), Dir: "static"},
		finders.Root{FS: errFS{mapFS("ok.js", "bad/x.js")}, Dir: "apps/blog/static"},
	)
	const want = "open apps/blog/static/bad: permission denied"
	check := func(op, name string, err error) {
		t.Helper()
		if !errors.Is(err, fs.ErrPermission) {
			t.Fatalf("%s error = %v, want fs.ErrPermission", op, err)
		}
		e := asError(t, err)
		if e.Op != op || e.Name != name {
			t.Errorf("error Op, Name = %q, %q; want %q, %q", e.Op, e.Name, op, name)
		}
		if pe, ok := errors.AsType[*fs.PathError](err); !ok || pe.Error() != want {
			t.Errorf("%s error = %v, want it to wrap %q", op, err, want)
		}
	}
	// Even a name the healthy root holds is not found in a partly walked index.
	_, _, err := f.Find("js/app.js")
	check("find", "js/app.js", err)
	_, err = f.Glob("**")
	check("glob", "**", err)
	_, err = f.Files()
	check("files", "", err)
	if err.Error() != "files: "+want {
		t.Errorf("Error() = %q", err.Error())
	}
}

// countFS counts the directory reads of its root.
type countFS struct {
	fstest.MapFS
	mu    sync.Mutex
	reads int
}

func (c *countFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == "." {
		c.mu.Lock()
		c.reads++
		c.mu.Unlock()
	}
	return c.MapFS.ReadDir(name)
}

func TestWalkedOnceLazily(t *testing.T) {
	a := &countFS{MapFS: mapFS("js/app.js")}
	b := &countFS{MapFS: mapFS("css/site.css")}
	f := finders.New(finders.Root{FS: a}, finders.Root{FS: b})
	if a.reads != 0 || b.reads != 0 {
		t.Fatal("New walked the roots")
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, _, err := f.Find("js/app.js"); err != nil {
				t.Error(err)
			}
			if _, err := f.Glob("**/*.css"); err != nil {
				t.Error(err)
			}
			if _, err := f.Files(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if a.reads != 1 || b.reads != 1 {
		t.Errorf("roots walked %d and %d times, want once each", a.reads, b.reads)
	}
}

// meetFS blocks its first directory read until every meetFS sharing its
// WaitGroup has begun one, which only roots walked concurrently can do.
type meetFS struct {
	fstest.MapFS
	once *sync.Once
	wg   *sync.WaitGroup
	met  chan struct{}
}

func (m meetFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == "." {
		m.wg.Done()
		m.once.Do(func() { go func() { m.wg.Wait(); close(m.met) }() })
		select {
		case <-m.met:
		case <-time.After(10 * time.Second):
			return nil, errors.New("roots are walked one after another")
		}
	}
	return m.MapFS.ReadDir(name)
}

func TestRootsWalkedConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	var once sync.Once
	met := make(chan struct{})
	const n = 2 // within GOMAXPROCS on any machine
	wg.Add(n)
	var roots []finders.Root
	for i := range n {
		roots = append(roots, finders.Root{FS: meetFS{mapFS(strings.Repeat("x", i+1) + ".js"), &once, &wg, met}})
	}
	if _, err := finders.New(roots...).Files(); err != nil {
		t.Fatal(err)
	}
}

// foldFS is a case-insensitive file system, like the default ones of macOS
// and Windows: it opens a file by any case of its name, but lists names as
// they were created.
type foldFS struct{ fstest.MapFS }

func (c foldFS) fold(name string) string {
	for p := range c.MapFS {
		if strings.EqualFold(p, name) {
			return p
		}
	}
	return name
}

func (c foldFS) Open(name string) (fs.File, error)     { return c.MapFS.Open(c.fold(name)) }
func (c foldFS) Stat(name string) (fs.FileInfo, error) { return c.MapFS.Stat(c.fold(name)) }

func TestCaseInsensitiveFS(t *testing.T) {
	fsys := foldFS{mapFS("js/app.js")}
	if _, err := fs.Stat(fsys, "js/App.js"); err != nil {
		t.Fatalf("foldFS does not fold case: %v", err)
	}
	f := finders.New(finders.Root{FS: fsys, Dir: "static"})
	_, _, err := f.Find("js/App.js")
	if !errors.Is(err, finders.ErrCaseMismatch) {
		t.Fatalf("Find(js/App.js) = %v, want ErrCaseMismatch", err)
	}
	if e := asError(t, err); !slices.Equal(e.Suggestions, []string{"js/app.js"}) {
		t.Errorf("Suggestions = %q, want [js/app.js]", e.Suggestions)
	}
	if _, err := f.Glob("js/App.js"); !errors.Is(err, finders.ErrNoMatch) {
		t.Errorf("Glob(js/App.js) = %v, want ErrNoMatch", err)
	}
	if file, _, err := f.Find("js/app.js"); err != nil || file.Path != "js/app.js" {
		t.Errorf("Find(js/app.js) = %+v, %v", file, err)
	}
}

// TestCaseMismatchSeveral guards the order of names that differ only in case.
func TestCaseMismatchSeveral(t *testing.T) {
	f := finders.New(finders.Root{FS: mapFS("README.md")}, finders.Root{FS: mapFS("readme.md", "Readme.md")})
	_, _, err := f.Find("ReadMe.md")
	want := []string{"README.md", "Readme.md", "readme.md"}
	if e := asError(t, err); !errors.Is(err, finders.ErrCaseMismatch) || !slices.Equal(e.Suggestions, want) {
		t.Errorf("Find(ReadMe.md) = %v, suggestions %q; want ErrCaseMismatch, %q", err, e.Suggestions, want)
	}
}

func TestReadFileErrors(t *testing.T) {
	f := finders.New(finders.Root{FS: mapFS("a.js"), Dir: "static"})
	if _, err := f.ReadFile(finders.File{Name: "a.js", Root: 3, Path: "a.js"}); !errors.Is(err, finders.ErrNotFound) {
		t.Errorf("ReadFile from root 3 = %v, want ErrNotFound", err)
	}
	_, err := f.ReadFile(finders.File{Name: "b.js", Root: 0, Path: "b.js"})
	if !errors.Is(err, fs.ErrNotExist) || err.Error() != "open static/b.js: file does not exist" {
		t.Errorf("ReadFile(b.js) = %v", err)
	}
}
