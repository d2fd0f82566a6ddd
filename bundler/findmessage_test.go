package bundler_test

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/finders"
)

// unreadableFS is a root that cannot be read.
type unreadableFS struct{}

func (unreadableFS) Open(string) (fs.File, error) { return nil, errors.New("disk on fire") }

func TestFindMessage(t *testing.T) {
	f := finders.New(finders.Root{FS: fstest.MapFS{
		"js/application.js":           {},
		"js/app.js":                   {},
		"bootstrap/css/bootstrap.css": {},
	}})
	tests := []struct {
		find string
		want string // "" when FindMessage is not ok
	}{
		{"js/aplication.js", `"js/aplication.js" not found in any root; did you mean "js/application.js"?`},
		{"js/ap.js", `"js/ap.js" not found in any root; did you mean "js/app.js"?`},
		{"fonts/roboto.woff2", `"fonts/roboto.woff2" not found in any root`},
		{"bootstrap/css", `"bootstrap/css" not found in any root: is a directory`},
		{"js/App.js", `"js/App.js" not found: names are case-sensitive, and the file is "js/app.js"`},
		{"../js/app.js", `"../js/app.js" is outside every root`},
		{"/js/app.js", `"/js/app.js" is not a valid name: starts with "/"`},
		{"", `"" is not a valid name: empty name`},
		{"js/app.js", ""}, // found: no error
	}
	for _, tt := range tests {
		_, _, err := f.Find(tt.find)
		msg, ok := bundler.FindMessage(tt.find, err)
		if msg != tt.want || ok != (tt.want != "") {
			t.Errorf("FindMessage(%q, %v) = %q, %v; want %q", tt.find, err, msg, ok, tt.want)
		}
	}

	// A root that cannot be read is not a problem with the name.
	_, _, err := finders.New(finders.Root{FS: unreadableFS{}, Dir: "static"}).Find("js/app.js")
	if err == nil {
		t.Fatal("Find in an unreadable root succeeded")
	}
	if msg, ok := bundler.FindMessage("js/app.js", err); ok {
		t.Errorf("FindMessage(%v) = %q, true; want false", err, msg)
	}
	if msg, ok := bundler.FindMessage("js/app.js", finders.ErrNotFound); ok {
		t.Errorf("FindMessage of a bare sentinel = %q, true; want false", msg)
	}
}

// FindMessage says why a name is not in the roots in the words stapler
// check and stapler find use.
func ExampleFindMessage() {
	f := finders.New(finders.Root{FS: fstest.MapFS{"js/application.js": {}}})
	for _, name := range []string{"js/aplication.js", "js/Application.js"} {
		_, _, err := f.Find(name)
		if msg, ok := bundler.FindMessage(name, err); ok {
			fmt.Println(msg)
		}
	}
	// Output:
	// "js/aplication.js" not found in any root; did you mean "js/application.js"?
	// "js/Application.js" not found: names are case-sensitive, and the file is "js/application.js"
}
