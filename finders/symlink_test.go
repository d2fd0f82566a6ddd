package finders_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stapler-build/stapler/finders"
)

// tree makes files (with their names as contents) and symlinks ("link ->
// target") under a new temporary directory, and returns it.
func tree(t *testing.T, entries ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, e := range entries {
		name, target, isLink := strings.Cut(e, " -> ")
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if isLink {
			err = os.Symlink(filepath.FromSlash(target), p)
		} else {
			err = os.WriteFile(p, []byte(name), 0o644)
		}
		if err != nil {
			t.Skipf("cannot make %s: %v", e, err)
		}
	}
	return dir
}

func TestSymlinks(t *testing.T) {
	dir := tree(t,
		"js/app.js",
		"shared/lib.js",
		"js/lib -> ../shared",      // a directory link, followed
		"js/main.js -> app.js",     // a file link, a file
		"js/gone.js -> missing.js", // a dangling link, left out
		"css/a/b -> ../../shared",  // another way to the same directory
		"css/s.css",
	)
	f := finders.New(finders.Root{FS: os.DirFS(dir), Dir: "static"})
	files, err := f.Files()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"css/a/b/lib.js", "css/s.css", "js/app.js", "js/lib/lib.js", "js/main.js", "shared/lib.js"}
	if !slices.Equal(names(files), want) {
		t.Errorf("Files() = %q, want %q", names(files), want)
	}
	file, _, err := f.Find("js/main.js")
	if err != nil {
		t.Fatal(err)
	}
	if data, err := f.ReadFile(file); err != nil || string(data) != "js/app.js" {
		t.Errorf("ReadFile(js/main.js) = %q, %v; want the contents of js/app.js", data, err)
	}
}

func TestSymlinkLoop(t *testing.T) {
	tests := []struct {
		name    string
		entries []string
		detail  string
	}{
		{
			name:    "link to parent",
			entries: []string{"a/x.js", "a/b/loop -> .."},
			detail:  "static/a/b/loop leads back to static/a",
		},
		{
			name:    "link to root",
			entries: []string{"a/x.js", "a/loop -> .."},
			detail:  "static/a/loop leads back to static",
		},
		{
			name:    "link to itself as a directory",
			entries: []string{"x.js", "self -> ."},
			detail:  "static/self leads back to static",
		},
		{
			name:    "two links to each other's directories",
			entries: []string{"a/x.js", "b/y.js", "a/to-b -> ../b", "b/to-a -> ../a"},
			detail:  "static/a/to-b/to-a leads back to static/a",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := finders.New(finders.Root{FS: os.DirFS(tree(t, tt.entries...)), Dir: "static"})
			_, _, findErr := f.Find("a/x.js")
			_, globErr := f.Glob("**/*.js")
			_, filesErr := f.Files()
			for _, err := range []error{findErr, globErr, filesErr} {
				if !errors.Is(err, finders.ErrSymlinkLoop) {
					t.Fatalf("error = %v, want ErrSymlinkLoop", err)
				}
				if d := asError(t, err).Detail; d != tt.detail {
					t.Errorf("Detail = %q, want %q", d, tt.detail)
				}
			}
			if want := "glob **/*.js: symlink loop: " + tt.detail; globErr.Error() != want {
				t.Errorf("Error() = %q, want %q", globErr.Error(), want)
			}
		})
	}
}

// TestSymlinkLoopWithoutIdentity covers file systems that report no device
// and inode numbers: the walk stops at a depth limit instead.
func TestSymlinkLoopWithoutIdentity(t *testing.T) {
	fsys := fstest.MapFS{
		"a/x.js":    {Data: []byte("x")},
		"a/b/loop":  {Data: []byte(".."), Mode: fs.ModeSymlink},
		"c/deep.js": {Data: []byte("d")},
	}
	if info, err := fs.Stat(fsys, "a/b/loop/b/loop/x.js"); err != nil || info.IsDir() {
		t.Skipf("fstest.MapFS does not follow symlinks: %v", err)
	}
	_, err := finders.New(finders.Root{FS: fsys, Dir: "mem"}).Files()
	if !errors.Is(err, finders.ErrSymlinkLoop) {
		t.Fatalf("Files() = %v, want ErrSymlinkLoop", err)
	}
	if d := asError(t, err).Detail; !strings.HasSuffix(d, "is more than 64 directories deep") || !strings.HasPrefix(d, "mem/a/b/loop/b/loop/") {
		t.Errorf("Detail = %q", d)
	}
}

// TestDeepTreeWithoutIdentity guards against the depth limit firing on a
// deep tree with no links.
func TestDeepTreeWithoutIdentity(t *testing.T) {
	name := strings.Repeat("d/", 40) + "x.js"
	f := finders.New(finders.Root{FS: mapFS(name)})
	if _, _, err := f.Find(name); err != nil {
		t.Fatal(err)
	}
}

func TestPermissionDenied(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads any directory")
	}
	dir := tree(t, "ok.js", "locked/x.js")
	locked := filepath.Join(dir, "locked")
	if err := os.Chmod(locked, 0); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	_, err := finders.New(finders.Root{FS: os.DirFS(dir), Dir: "static"}).Files()
	if !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("Files() = %v, want fs.ErrPermission", err)
	}
	if !strings.Contains(err.Error(), "static/locked") {
		t.Errorf("Error() = %q, want it to name static/locked", err.Error())
	}
}

// TestLinksOut lists the links that lead out of a root (issue 11: a link
// to /etc was followed without a word): absolute targets, and relative
// ones that climb above the root, but not links inside the root, nor
// links beyond one that is already out.
func TestLinksOut(t *testing.T) {
	further := tree(t, "far.js")
	outside := tree(t, "lib.js", "deeper -> "+further) // beyond a link already out
	dir := tree(t,
		"static/js/app.js",
		"static/js/lib -> ../../shared", // out of the root "static"
		"static/js/same -> ../css",      // inside it
		"static/css/s.css",
		"shared/x.js",
		"static/etc -> /etc",
	)
	if err := os.Symlink(outside, filepath.Join(dir, "static", "vendor")); err != nil {
		t.Fatal(err)
	}
	f := finders.New(finders.Root{FS: os.DirFS(filepath.Join(dir, "static")), Dir: "static"})
	links, err := f.Links()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range links {
		got = append(got, l.Path+" -> "+l.Target)
	}
	want := []string{"etc -> /etc", "js/lib -> ../../shared", "vendor -> " + outside}
	if !slices.Equal(got, want) {
		t.Errorf("Links() = %q, want %q", got, want)
	}
}

// TestLinkFanout guards a walk through links that form no loop but reach
// the same directories by ever more paths (issue 11: 2^15 paths to one
// file took 4 s, 18 levels 55 s): it ends with ErrTooManyPaths, quickly.
func TestLinkFanout(t *testing.T) {
	entries := []string{"l20/file.js"}
	for i := range 20 {
		entries = append(entries, fmt.Sprintf("l%d/a -> ../l%d", i, i+1), fmt.Sprintf("l%d/b -> ../l%d", i, i+1))
	}
	dir := tree(t, entries...)
	f := finders.New(finders.Root{FS: os.DirFS(filepath.Join(dir, "l0")), Dir: "static"})
	_, err := f.Files()
	if !errors.Is(err, finders.ErrTooManyPaths) {
		t.Fatalf("Files() error = %v, want ErrTooManyPaths", err)
	}
	if !strings.Contains(err.Error(), "more than 1000 directories are reached again") {
		t.Errorf("error %q does not say why", err)
	}

	// Two paths to one directory are fine.
	dir = tree(t, "shared/x.js", "a/s -> ../shared", "b/s -> ../shared")
	files, err := finders.New(finders.Root{FS: os.DirFS(dir)}).Files()
	if err != nil || len(files) != 3 {
		t.Errorf("Files() = %v, %v; want 3 files", names(files), err)
	}
}
