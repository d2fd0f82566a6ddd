package manifest_test

import (
	"fmt"
	"log"

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
