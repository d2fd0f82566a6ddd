package bundler_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing/fstest"

	"github.com/stapler-build/stapler/bundler"
)

// A project can come from any fs.FS. Check builds it in memory and
// returns the manifest it would write.
func ExampleProject_Check() {
	fsys := fstest.MapFS{
		"assets.toml": {Data: []byte(`
output = "build/static"

[[root]]
path = "static"

[bundle.app]
output = "js/app.js"
sources = ["js/jquery.js", "js/*.js"]

[bundle.site]
output = "css/site.css"
sources = ["css/*.css"]
`)},
		"static/js/jquery.js":  {Data: []byte("var jQuery = function (selector) { return document.querySelectorAll(selector); };\n")},
		"static/js/main.js":    {Data: []byte("var App = { start: function () { jQuery('body'); } };\n")},
		"static/css/base.css":  {Data: []byte("body { margin: 0; background: url(../img/bg.svg); }\n")},
		"static/img/bg.svg":    {Data: []byte("<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n")},
		"static/css/print.css": {Data: []byte("@media print { nav { display: none; } }\n")},
	}
	p, err := bundler.Load(bundler.Options{FS: fsys})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := p.Check(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	paths := res.Manifest.Paths()
	for _, name := range slices.Sorted(maps.Keys(paths)) {
		fmt.Println(name, "→", paths[name])
	}
	fmt.Println(res.Manifest.Files["js/app.js"].Sources)
	// Output:
	// css/site.css → css/site.018b71168d46.css
	// img/bg.svg → img/bg.fb91f9a03c20.svg
	// js/app.js → js/app.6316a43768dc.js
	// [js/jquery.js js/main.js]
}

// Every problem comes back in one ErrorList, each at its position, in
// the form editors and CI annotators read.
func ExampleErrorList() {
	fsys := fstest.MapFS{
		"assets.toml": {Data: []byte(`output = "build/static"

[[root]]
path = "static"

[bundle.app]
output = "js/app.js"
sources = [
  "js/jquery.js",
  "js/aplication.js",
]
`)},
		"static/js/jquery.js":      {Data: []byte("var jQuery = {};\n")},
		"static/js/application.js": {Data: []byte("var App = {};\n")},
	}
	p, err := bundler.Load(bundler.Options{FS: fsys})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = p.Check(context.Background())
	var problems bundler.ErrorList
	if errors.As(err, &problems) {
		for _, d := range problems {
			fmt.Println(d)
		}
	}
	// Output:
	// assets.toml:10:3: bundle "app": "js/aplication.js" not found in any root; did you mean "js/application.js"?
}
