package manifest

import (
	"errors"
	"html/template"
	"reflect"
	"strings"
	"testing"
)

// modules holds entry bundles of every shape Tags must follow; the
// comments name the rows of TestTags that use them.
var modules = &Manifest{Version: Version, Prefix: "/static/", Files: map[string]Entry{
	// chain: chain → c1 → c2 → c3.
	"js/chain.js": {Path: "js/chain.1.js", Imports: []string{"js/c1.js"}},
	"js/c1.js":    {Path: "js/c1.1.js", Imports: []string{"js/c2.js"}},
	"js/c2.js":    {Path: "js/c2.1.js", Imports: []string{"js/c3.js"}},
	"js/c3.js":    {Path: "js/c3.1.js"},

	// diamond: app imports a and b, which both import shared; a and
	// shared import each other; app loads lazy, which imports lazy-dep,
	// with import(). app.css is app's and shared's.
	"js/app.js":       {Path: "js/app.1.js", Integrity: sri("app"), Imports: []string{"js/a.js", "js/b.js"}, DynamicImports: []string{"js/lazy.js"}, CSS: []string{"js/app.css"}},
	"js/a.js":         {Path: "js/a.1.js", Integrity: sri("a"), Imports: []string{"js/shared.js"}, CSS: []string{"js/a.css"}},
	"js/b.js":         {Path: "js/b.1.js", Imports: []string{"js/shared.js"}},
	"js/shared.js":    {Path: "js/shared.1.js", Imports: []string{"js/a.js"}, CSS: []string{"js/app.css"}},
	"js/lazy.js":      {Path: "js/lazy.1.js", Imports: []string{"js/lazy-dep.js"}, CSS: []string{"js/lazy.css"}},
	"js/lazy-dep.js":  {Path: "js/lazy-dep.1.js"},
	"js/app.css":      {Path: "js/app.1.css", Integrity: sri("css"), Assets: []string{"fonts/a b.woff2"}},
	"js/a.css":        {Path: "js/a.1.css"},
	"js/lazy.css":     {Path: "js/lazy.1.css"},
	"fonts/a b.woff2": {Path: "fonts/a b.1.woff2"},

	// css from a chunk: the entry has no CSS of its own.
	"js/only-chunk.js": {Path: "js/only-chunk.1.js", Imports: []string{"js/shared.js"}},

	// cycle back to the entry: loop and loop chunk import each other, and
	// themselves.
	"js/loop.js":       {Path: "js/loop.1.js", Imports: []string{"js/loop chunk.js", "js/loop.js"}},
	"js/loop chunk.js": {Path: "js/loop chunk.1.js", Imports: []string{"js/loop.js", "js/loop chunk.js"}, CSS: []string{"js/a.css"}},

	// only dynamic imports.
	"js/router.js": {Path: "js/router.1.js", DynamicImports: []string{"js/lazy.js", "js/app.js"}},

	"css/site.css":  {Path: "css/site.1.css", Integrity: sri("site")},
	"js/classic.js": {Path: "js/classic.1.js"},
}}

func TestTags(t *testing.T) {
	// at returns the Asset of a hashed path, with its integrity if any.
	sris := map[string]string{"js/app.1.js": sri("app"), "js/a.1.js": sri("a"), "js/app.1.css": sri("css"), "css/site.1.css": sri("site")}
	at := func(paths ...string) []Asset {
		var as []Asset
		for _, p := range paths {
			as = append(as, Asset{URL: "/static/" + p, Integrity: sris[strings.ReplaceAll(p, "%20", " ")]})
		}
		return as
	}
	for _, tc := range []struct {
		row, name string
		want      Tags
	}{
		{"chain", "js/chain.js", Tags{
			Script:   at("js/chain.1.js")[0],
			Preloads: at("js/c1.1.js", "js/c2.1.js", "js/c3.1.js"),
		}},
		{"chain from the middle", "js/c2.js", Tags{Script: at("js/c2.1.js")[0], Preloads: at("js/c3.1.js")}},
		// Depth first: a, then shared (a's import), then b, whose import
		// shared is already there; the cycle a ↔ shared ends; app.css,
		// shared's too, comes once; lazy and lazy-dep are left out.
		{"diamond, cycle and dynamic import", "js/app.js", Tags{
			Script:   at("js/app.1.js")[0],
			Preloads: at("js/a.1.js", "js/shared.1.js", "js/b.1.js"),
			Styles:   at("js/app.1.css", "js/a.1.css"),
		}},
		{"css from a chunk", "js/only-chunk.js", Tags{
			Script:   at("js/only-chunk.1.js")[0],
			Preloads: at("js/shared.1.js", "js/a.1.js"),
			Styles:   at("js/app.1.css", "js/a.1.css"),
		}},
		{"cycle back to the entry", "js/loop.js", Tags{
			Script:   at("js/loop.1.js")[0],
			Preloads: at("js/loop%20chunk.1.js"),
			Styles:   at("js/a.1.css"),
		}},
		{"chunk as the entry", "js/shared.js", Tags{
			Script:   at("js/shared.1.js")[0],
			Preloads: at("js/a.1.js"),
			Styles:   at("js/app.1.css", "js/a.1.css"),
		}},
		{"only dynamic imports", "js/router.js", Tags{Script: at("js/router.1.js")[0]}},
		{"dynamically imported entry", "js/lazy.js", Tags{
			Script:   at("js/lazy.1.js")[0],
			Preloads: at("js/lazy-dep.1.js"),
			Styles:   at("js/lazy.1.css"),
		}},
		{"css entry", "css/site.css", Tags{Styles: at("css/site.1.css")}},
		{"script of no entry bundle", "js/classic.js", Tags{Script: at("js/classic.1.js")[0]}},
	} {
		t.Run(tc.row, func(t *testing.T) {
			got, err := modules.Tags(tc.name)
			if err != nil {
				t.Fatalf("Tags(%q): %v", tc.name, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Tags(%q) =\n%+v\nwant\n%+v", tc.name, got, tc.want)
			}
		})
	}
}

func TestTagsErrors(t *testing.T) {
	broken := &Manifest{Prefix: "/", Files: map[string]Entry{
		"js/app.js":   {Path: "js/app.1.js", Imports: []string{"js/chunk.js"}},
		"js/chunk.js": {Path: "js/chunk.1.js", CSS: []string{"js/chunk.css"}},
		"js/chunk.ts": {Path: "js/chunk.1.ts"},
	}}
	for _, tc := range []struct {
		row  string
		m    *Manifest
		name string
		want string
	}{
		{"unknown name", modules, "js/chian.js", `"js/chian.js": not in the manifest; did you mean "js/chain.js"?`},
		{"unknown name, case", modules, "JS/App.js", `"JS/App.js": not in the manifest; did you mean "js/app.js"?`},
		// Parse and Marshal refuse such a manifest; one built by hand
		// fails on the name it lacks.
		{"chunk's stylesheet not in the manifest", broken, "js/app.js", `"js/chunk.css": not in the manifest; did you mean "js/chunk.js" or "js/chunk.ts"?`},
	} {
		t.Run(tc.row, func(t *testing.T) {
			got, err := tc.m.Tags(tc.name)
			var le *LookupError
			if !errors.As(err, &le) || !errors.Is(err, ErrUnknownName) {
				t.Fatalf("Tags(%q) = %+v, %v; want a *LookupError wrapping ErrUnknownName", tc.name, got, err)
			}
			if err.Error() != tc.want {
				t.Errorf("Tags(%q): %v\nwant %s", tc.name, err, tc.want)
			}
			if !reflect.DeepEqual(got, Tags{}) {
				t.Errorf("Tags(%q) returned %+v with its error", tc.name, got)
			}
			if _, urlErr := tc.m.URL(tc.name); tc.m.Files[tc.name].Path == "" && urlErr.Error() != err.Error() {
				t.Errorf("Tags(%q): %v; URL says %v", tc.name, err, urlErr)
			}
		})
	}
}

func TestModuleFunc(t *testing.T) {
	odd := &Manifest{Prefix: `https://cdn.example.com/a&"b/`, Files: map[string]Entry{
		"js/x&y.js": {Path: "js/x&y.1.js", Integrity: sri("x"), Imports: []string{"js/c.js"}, CSS: []string{"js/x.css"}},
		"js/c.js":   {Path: "js/c.1.js"},
		"js/x.css":  {Path: "js/x.1.css"},
	}}
	for _, tc := range []struct {
		row, page string
		m         *Manifest
		want      string
	}{
		{"entry bundle", `{{ module "js/app.js" }}`, modules, `<link rel="stylesheet" href="/static/js/app.1.css" integrity="` + sri("css") + `" crossorigin="anonymous">
<link rel="stylesheet" href="/static/js/a.1.css">
<link rel="modulepreload" href="/static/js/a.1.js" integrity="` + sri("a") + `">
<link rel="modulepreload" href="/static/js/shared.1.js">
<link rel="modulepreload" href="/static/js/b.1.js">
<script type="module" src="/static/js/app.1.js" integrity="` + sri("app") + `"></script>`},
		{"css entry", `<head>{{ module "css/site.css" }}</head>`, modules,
			`<head><link rel="stylesheet" href="/static/css/site.1.css" integrity="` + sri("site") + `" crossorigin="anonymous"></head>`},
		{"no imports, no integrity", `{{ module "js/classic.js" }}`, modules, `<script type="module" src="/static/js/classic.1.js"></script>`},
		{"escaped URL", `{{ module "js/loop.js" }}`, modules, `<link rel="stylesheet" href="/static/js/a.1.css">
<link rel="modulepreload" href="/static/js/loop%20chunk.1.js">
<script type="module" src="/static/js/loop.1.js"></script>`},
		{"HTML-escaped attributes", `{{ module "js/x&y.js" }}`, odd, `<link rel="stylesheet" href="https://cdn.example.com/a&amp;&#34;b/js/x.1.css">
<link rel="modulepreload" href="https://cdn.example.com/a&amp;&#34;b/js/c.1.js">
<script type="module" src="https://cdn.example.com/a&amp;&#34;b/js/x&amp;y.1.js" integrity="` + sri("x") + `"></script>`},
	} {
		t.Run(tc.row, func(t *testing.T) {
			tmpl := template.Must(template.New("page").Funcs(tc.m.FuncMap()).Parse(tc.page))
			var out strings.Builder
			if err := tmpl.Execute(&out, nil); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("got:\n%s\nwant:\n%s", out.String(), tc.want)
			}
		})
	}

	tmpl := template.Must(template.New("page").Funcs(modules.FuncMap()).Parse(`{{ module "js/chian.js" }}`))
	var out strings.Builder
	err := tmpl.Execute(&out, nil)
	if !errors.Is(err, ErrUnknownName) || !strings.Contains(err.Error(), `"js/chian.js": not in the manifest; did you mean "js/chain.js"?`) {
		t.Errorf("module of an unknown name: err = %v, want the LookupError", err)
	}
	if out.Len() != 0 {
		t.Errorf("module of an unknown name wrote %q", out.String())
	}
}

func TestModulesRoundTrip(t *testing.T) {
	data, err := modules.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, modules) {
		t.Errorf("Parse(Marshal(modules)) = %+v\nwant %+v", back, modules)
	}
	again, err := back.Marshal()
	if err != nil || string(again) != string(data) {
		t.Errorf("Parse and Marshal again: %v\n%s\nwant\n%s", err, again, data)
	}
}
