package finders_test

import (
	"errors"
	"fmt"
	"strings"
	"testing/fstest"

	"github.com/stapler-build/stapler/finders"
)

func ExampleFinder_Find() {
	app := fstest.MapFS{
		"js/application.js": {Data: []byte("app()")},
		"css/site.css":      {Data: []byte("body{}")},
	}
	vendor := fstest.MapFS{
		"css/site.css":      {Data: []byte("/* vendor */")},
		"css/bootstrap.css": {Data: []byte(".btn{}")},
	}
	f := finders.New(
		finders.Root{FS: app, Dir: "static"},
		finders.Root{FS: vendor, Dir: "vendor/static"},
		finders.Root{FS: vendor, Prefix: "bootstrap", Dir: "vendor/static"},
	)

	file, hidden, err := f.Find("css/site.css")
	if err != nil {
		panic(err)
	}
	fmt.Println(file.Name, "from", f.Roots()[file.Root].Dir)
	for _, h := range hidden {
		fmt.Println("  hides", h.Name, "from", f.Roots()[h.Root].Dir)
	}

	file, _, _ = f.Find("bootstrap/css/bootstrap.css")
	fmt.Println(file.Name, "is", file.Path, "in root", file.Root)

	_, _, err = f.Find("js/aplication.js")
	fmt.Println(err)
	var ferr *finders.Error
	if errors.As(err, &ferr) && errors.Is(err, finders.ErrNotFound) {
		fmt.Println("did you mean", ferr.Suggestions)
	}

	_, _, err = f.Find("CSS/site.css")
	fmt.Println(err)
	// Output:
	// css/site.css from static
	//   hides css/site.css from vendor/static
	// bootstrap/css/bootstrap.css is css/bootstrap.css in root 2
	// find js/aplication.js: not found in any root
	// did you mean [js/application.js]
	// find CSS/site.css: case mismatch: exists as "css/site.css"
}

func ExampleFinder_Glob() {
	f := finders.New(
		finders.Root{FS: fstest.MapFS{
			"js/b.js":      {},
			"js/a.js":      {},
			"js/lib/z.js":  {},
			"css/site.css": {},
		}},
		finders.Root{FS: fstest.MapFS{"js/jquery.js": {}}, Prefix: "vendor"},
	)
	for _, pattern := range []string{"js/*.js", "**/*.js", "./js/*.js", "js/*.ts"} {
		files, err := f.Glob(pattern)
		if err != nil {
			fmt.Println(err)
			continue
		}
		var names []string
		for _, file := range files {
			names = append(names, file.Name)
		}
		fmt.Println(strings.Join(names, " "))
	}
	// Output:
	// js/a.js js/b.js
	// js/a.js js/b.js js/lib/z.js vendor/js/jquery.js
	// glob ./js/*.js: bad pattern: starts with "./"
	// glob js/*.ts: no matching files
}
