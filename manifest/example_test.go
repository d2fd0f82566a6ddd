package manifest_test

import (
	"fmt"
	"html/template"
	"log"
	"os"
	"strings"

	"github.com/stapler-build/stapler/manifest"
)

func Example() {
	m := &manifest.Manifest{
		Version: manifest.Version,
		Prefix:  "/static/",
		Files: map[string]manifest.Entry{
			"js/app.js": {
				Path:    "js/app.8b1a9953c461.js",
				Size:    2048,
				Bundle:  "app",
				Sources: []string{"js/a.js", "js/b.js"},
			},
			"css/app.css": {Path: "css/app.3d5a6b2c1e9f.css", Size: 512},
		},
	}

	// stapler-manifest.json
	data, err := m.Marshal()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(data))

	// Read it back, as a Go web app would, and find a file's URL.
	m2, err := manifest.Parse(data)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m2.Prefix + m2.Files["css/app.css"].Path)

	// staticfiles.json for Django 4.2 and later.
	django, err := m.MarshalDjango("1.1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(django))
	// Output:
	// {
	//   "version": 1,
	//   "url": "/static/",
	//   "files": {
	//     "css/app.css": {
	//       "path": "css/app.3d5a6b2c1e9f.css",
	//       "size": 512,
	//       "integrity": ""
	//     },
	//     "js/app.js": {
	//       "path": "js/app.8b1a9953c461.js",
	//       "size": 2048,
	//       "integrity": "",
	//       "bundle": "app",
	//       "sources": [
	//         "js/a.js",
	//         "js/b.js"
	//       ]
	//     }
	//   }
	// }
	// /static/css/app.3d5a6b2c1e9f.css
	// {"paths": {"css/app.css": "css/app.3d5a6b2c1e9f.css", "js/app.js": "js/app.8b1a9953c461.js"}, "version": "1.1", "hash": "f9d8d814c367"}
}

func ExampleParse_error() {
	_, err := manifest.Parse([]byte(`{
  "version": 1,
  "url": "/static/",
  "files": {"css/app.css": {"path": "../app.css"}}
}`))
	fmt.Println(err)
	// Output:
	// files["css/app.css"].path: bad path "../app.css": contains ".."
}

func ExampleManifest_Tags() {
	// An entry bundle: app.js imports a chunk that the settings page
	// shares, and loads the editor with import().
	m := &manifest.Manifest{
		Version: manifest.Version,
		Prefix:  "/static/",
		Files: map[string]manifest.Entry{
			"js/app.js": {
				Path:           "js/app.8b1a9953c461.js",
				Imports:        []string{"js/chunk-ui.js"},
				DynamicImports: []string{"js/editor.js"},
				CSS:            []string{"js/app.css"},
			},
			"js/chunk-ui.js": {Path: "js/chunk-ui.5e0c7a1f2b3d.js", CSS: []string{"js/chunk-ui.css"}},
			"js/editor.js":   {Path: "js/editor.0f4c2a9e1d7b.js"},
			"js/app.css":     {Path: "js/app.3d5a6b2c1e9f.css"},
			"js/chunk-ui.css": {
				Path:      "js/chunk-ui.9a8b7c6d5e4f.css",
				Integrity: "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
			},
		},
	}

	tags, err := m.Tags("js/app.js")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("script: ", tags.Script.URL)
	for _, a := range tags.Preloads {
		fmt.Println("preload:", a.URL)
	}
	for _, a := range tags.Styles {
		fmt.Println("style:  ", strings.TrimSpace(a.URL+" "+a.Integrity))
	}

	// The module template function writes them as HTML.
	page := template.Must(template.New("page").Funcs(m.FuncMap()).Parse(`{{ module "js/app.js" }}`))
	if err := page.Execute(os.Stdout, nil); err != nil {
		log.Fatal(err)
	}
	fmt.Println()

	_, err = m.Tags("js/ap.js")
	fmt.Println(err)
	// Output:
	// script:  /static/js/app.8b1a9953c461.js
	// preload: /static/js/chunk-ui.5e0c7a1f2b3d.js
	// style:   /static/js/app.3d5a6b2c1e9f.css
	// style:   /static/js/chunk-ui.9a8b7c6d5e4f.css sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
	// <link rel="stylesheet" href="/static/js/app.3d5a6b2c1e9f.css">
	// <link rel="stylesheet" href="/static/js/chunk-ui.9a8b7c6d5e4f.css" integrity="sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" crossorigin="anonymous">
	// <link rel="modulepreload" href="/static/js/chunk-ui.5e0c7a1f2b3d.js">
	// <script type="module" src="/static/js/app.8b1a9953c461.js"></script>
	// "js/ap.js": not in the manifest; did you mean "js/app.js"?
}
