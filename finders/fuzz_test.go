package finders_test

import (
	"errors"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/stapler-build/stapler/finders"
)

func FuzzValidName(f *testing.F) {
	for _, s := range []string{"js/app.js", "", ".", "..", "a/./b", "a//b", "/a", "a/", `a\b`, "a\x00", "...", ".a/..b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := finders.ValidName(name)
		if err == nil {
			// A valid logical name is a valid fs path, already clean, that
			// means the same on every OS.
			if !fs.ValidPath(name) || name == "." || path.Clean(name) != name || strings.ContainsAny(name, "\\\x00") {
				t.Fatalf("ValidName(%q) = nil", name)
			}
			return
		}
		var e *finders.Error
		if !errors.As(err, &e) || !errors.Is(err, finders.ErrInvalidName) || e.Detail == "" || e.Name != name {
			t.Fatalf("ValidName(%q) = %#v", name, err)
		}
		if fs.ValidPath(name) && name != "." && !strings.ContainsAny(name, "\\\x00") {
			t.Fatalf("ValidName(%q) rejects a clean fs path: %v", name, err)
		}
	})
}

// FuzzGlob checks Glob against matching every name, which its search
// through the sorted names must agree with.
func FuzzGlob(f *testing.F) {
	for _, s := range []string{"js/*.js", "**", "**/*.css", "bootstrap/**", "js", "js/**", "{js,css}/*", "[a-j]*/**/*.?s", "j*/app.js", "./x", "a}"} {
		f.Add(s)
	}
	finder := finders.New(testRoots()...)
	all, err := finder.Files()
	if err != nil {
		f.Fatal(err)
	}
	// A name equal to a directory in another root, to exercise "js/**"
	// matching "js" itself.
	finder2 := finders.New(append(testRoots(), finders.Root{FS: mapFS("js")})...)
	all2, err := finder2.Files()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		for _, c := range []struct {
			f   *finders.Finder
			all []finders.File
		}{{finder, all}, {finder2, all2}} {
			got, err := c.f.Glob(pattern)
			var want []finders.File
			valid := doublestar.ValidatePattern(pattern)
			if valid {
				for _, file := range c.all {
					if doublestar.MatchUnvalidated(pattern, file.Name) {
						want = append(want, file)
					}
				}
			}
			switch {
			case err == nil:
				if !valid || !slices.Equal(got, want) {
					t.Fatalf("Glob(%q) = %q, want %q", pattern, names(got), names(want))
				}
			case errors.Is(err, finders.ErrNoMatch):
				if len(want) > 0 {
					t.Fatalf("Glob(%q) = %v, want %q", pattern, err, names(want))
				}
			case errors.Is(err, finders.ErrBadPattern):
				// Some patterns rejected here match by doublestar's rules:
				// "*/**/" matches "robots.txt". They are rejected for
				// what they look like they mean, and must say why.
				if got != nil || asError(t, err).Detail == "" {
					t.Fatalf("Glob(%q) = %q, %v", pattern, names(got), err)
				}
			default:
				t.Fatalf("Glob(%q) = %v", pattern, err)
			}
		}
	})
}
