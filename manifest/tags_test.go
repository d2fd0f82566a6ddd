package manifest

import (
	"errors"
	"html/template"
	"slices"
	"strings"
	"testing"
)

// modules is the manifest of an entry bundle: app.js imports a and b,
// which both import shared; a and shared import each other; lazy is
// loaded with import(); a and lazy have stylesheets.
var modules = &Manifest{Version: Version, Prefix: "/static/", Files: map[string]Entry{
	"js/app.js":        {Path: "js/app.1.js", Integrity: sri("app"), Imports: []string{"js/a.js", "js/b.js"}, DynamicImports: []string{"js/lazy.js"}, CSS: []string{"js/app.css"}},
	"js/a.js":          {Path: "js/a.1.js", Integrity: sri("a"), Imports: []string{"js/shared.js"}, CSS: []string{"js/a.css"}},
	"js/b.js":          {Path: "js/b.1.js", Imports: []string{"js/shared.js"}},
	"js/shared.js":     {Path: "js/shared.1.js", Imports: []string{"js/a.js"}, CSS: []string{"js/app.css"}},
	"js/lazy.js":       {Path: "js/lazy.1.js", CSS: []string{"js/lazy.css"}},
	"js/app.css":       {Path: "js/app.1.css", Integrity: sri("css"), Assets: []string{"fonts/a b.woff2"}},
	"js/a.css":         {Path: "js/a.1.css"},
	"js/lazy.css":      {Path: "js/lazy.1.css"},
	"fonts/a b.woff2":  {Path: "fonts/a b.1.woff2"},
	"css/site.css":     {Path: "css/site.1.css", Integrity: sri("site")},
	"js/classic.js":    {Path: "js/classic.1.js"},
	"js/only-chunk.js": {Path: "js/only-chunk.1.js", Imports: []string{"js/shared.js"}},
}}

func urls(as []Asset) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.URL)
	}
	return out
}

func TestTags(t *testing.T) {
	for _, tc := range []struct {
		name             string
		script           string
		preloads, styles []string
	}{
		// Depth first, each once: the cycle a ↔ shared ends, the CSS of
		// shared (app.css) is not repeated, lazy's is not loaded.
		{"js/app.js", "/static/js/app.1.js",
			[]string{"/static/js/a.1.js", "/static/js/shared.1.js", "/static/js/b.1.js"},
			[]string{"/static/js/app.1.css", "/static/js/a.1.css"}},
		{"js/only-chunk.js", "/static/js/only-chunk.1.js",
			[]string{"/static/js/shared.1.js", "/static/js/a.1.js"},
			[]string{"/static/js/app.1.css", "/static/js/a.1.css"}},
		{"js/classic.js", "/static/js/classic.1.js", nil, nil},
		{"css/site.css", "", nil, []string{"/static/css/site.1.css"}},
	} {
		got, err := modules.Tags(tc.name)
		if err != nil {
			t.Errorf("Tags(%q): %v", tc.name, err)
			continue
		}
		if got.Script.URL != tc.script || !slices.Equal(urls(got.Preloads), tc.preloads) || !slices.Equal(urls(got.Styles), tc.styles) {
			t.Errorf("Tags(%q) = script %q, preloads %q, styles %q; want %q, %q, %q",
				tc.name, got.Script.URL, urls(got.Preloads), urls(got.Styles), tc.script, tc.preloads, tc.styles)
		}
	}
	_, err := modules.Tags("js/ap.js")
	var le *LookupError
	if !errors.As(err, &le) || !errors.Is(err, ErrUnknownName) || !slices.Contains(le.Suggestions, "js/app.js") {
		t.Errorf(`Tags("js/ap.js"): err = %v, want an unknown name suggesting js/app.js`, err)
	}
}

func TestModuleFunc(t *testing.T) {
	tmpl := template.Must(template.New("page").Funcs(modules.FuncMap()).Parse(`{{ module "js/app.js" }}
{{ module "css/site.css" }}`))
	var out strings.Builder
	if err := tmpl.Execute(&out, nil); err != nil {
		t.Fatal(err)
	}
	want := `<link rel="stylesheet" href="/static/js/app.1.css" integrity="` + sri("css") + `">
<link rel="stylesheet" href="/static/js/a.1.css">
<link rel="modulepreload" href="/static/js/a.1.js" integrity="` + sri("a") + `">
<link rel="modulepreload" href="/static/js/shared.1.js">
<link rel="modulepreload" href="/static/js/b.1.js">
<script type="module" src="/static/js/app.1.js" integrity="` + sri("app") + `"></script>
<link rel="stylesheet" href="/static/css/site.1.css" integrity="` + sri("site") + `">`
	if out.String() != want {
		t.Errorf("module tags:\n%s\nwant:\n%s", out.String(), want)
	}
	err := template.Must(template.New("page").Funcs(modules.FuncMap()).Parse(`{{ module "js/nope.js" }}`)).Execute(&out, nil)
	if !errors.Is(err, ErrUnknownName) {
		t.Errorf("module of an unknown name: err = %v, want ErrUnknownName", err)
	}
}

func TestModulesRoundTrip(t *testing.T) {
	data, err := modules.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"imports": [`, `"dynamic_imports": [`, `"css": [`, `"assets": [`} {
		if !strings.Contains(string(data), field) {
			t.Errorf("Marshal: no %s in\n%s", field, data)
		}
	}
	back, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := back.Marshal()
	if err != nil || string(again) != string(data) {
		t.Errorf("Parse and Marshal again: %v\n%s\nwant\n%s", err, again, data)
	}
	if got := back.Files["js/app.js"]; !slices.Equal(got.DynamicImports, []string{"js/lazy.js"}) || !slices.Equal(got.Imports, []string{"js/a.js", "js/b.js"}) {
		t.Errorf("parsed js/app.js = %+v", got)
	}
}
