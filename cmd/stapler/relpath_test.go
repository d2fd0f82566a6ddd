package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRelPath: a path under the current directory is shown relative to
// it, a name that merely starts with two dots too; one outside stays
// absolute.
func TestRelPath(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		filepath.Join(wd, "static", "a.css"):  filepath.Join("static", "a.css"),
		filepath.Join(wd, "..foo", "a.css"):   filepath.Join("..foo", "a.css"),
		filepath.Join(wd, "..", "b", "a.css"): filepath.Join(filepath.Dir(wd), "b", "a.css"),
		filepath.Dir(wd):                      filepath.Dir(wd),
		"rel/a.css":                           "rel/a.css",
	} {
		if got := relPath(in); got != want {
			t.Errorf("relPath(%q) = %q, want %q", in, got, want)
		}
	}
}
