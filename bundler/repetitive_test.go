package bundler_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stapler-build/stapler/bundler"
)

// repetitiveCSS is n rules with one block of declarations, which esbuild's
// syntax minification compares pairwise: 5,000 of them are 12,497,500
// pairs, more than stapler lets it compare.
func repetitiveCSS(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, ".c%d {\n  color: #ff0000;\n}\n", i)
	}
	return b.String()
}

// TestRepetitiveStylesheet: a stylesheet too repetitive for esbuild's
// syntax pass (issue 11: 40,000 alike rules took 41 s, 200,000 never
// ended) is minified without it, with a warning at the first rule of the
// largest group of alike rules, in its source; a bundle with a warning
// keeps its source map. A small one is minified as before.
func TestRepetitiveStylesheet(t *testing.T) {
	for _, tt := range []struct {
		name     string
		rules    int
		collect  bool
		warning  string // "" for none
		contains string // in the minified output
	}{
		{"bundle, small", 100, false, "", ".c99{color:red}"},
		{"bundle, repetitive", 5000, false, "static/css/b.css:5:1: 5000 rules have the same declarations as this one", ".c4999{color:#ff0000}"},
		{"collected, repetitive", 5000, true, "static/css/b.css:5:1: 5000 rules have the same declarations as this one", ".c4999{color:#ff0000}"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			config := `output = "build"
sourcemap = true

[[root]]
path = "static"

[bundle.site]
output = "css/site.css"
sources = ["css/a.css", "css/b.css"]
`
			out := "css/site.css"
			if tt.collect {
				config += "\n[collect]\nminify = true\n"
				out = "css/b.css"
			}
			fsys := fstest.MapFS{
				"assets.toml":      {Data: []byte(config)},
				"static/css/a.css": {Data: []byte("body {\n  margin: 0;\n}\n")},
				"static/css/b.css": {Data: []byte("/* alike rules */\n\n\n\n" + repetitiveCSS(tt.rules))},
			}
			p, err := bundler.Load(bundler.Options{FS: fsys})
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Check(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			var warnings []string
			for _, d := range res.Warnings {
				if d.Code == bundler.CodeMinifyLimited {
					warnings = append(warnings, d.Error())
				}
			}
			switch {
			case tt.warning == "" && len(warnings) > 0:
				t.Errorf("warnings %q, want none", warnings)
			case tt.warning != "" && (len(warnings) != 1 || !strings.HasPrefix(warnings[0], tt.warning)):
				t.Errorf("warnings %q, want one starting %q", warnings, tt.warning)
			}
			outputs := map[string][]byte{}
			for _, o := range res.Outputs {
				outputs[o.Name] = o.Data
			}
			if !strings.Contains(string(outputs[out]), tt.contains) {
				t.Errorf("%s does not hold %q:\n%.300s", out, tt.contains, outputs[out])
			}
			if strings.Contains(string(outputs[out]), "\n.c1") {
				t.Errorf("%s is not minified:\n%.300s", out, outputs[out])
			}
			if outputs[out+".map"] == nil || !strings.Contains(string(outputs[out]), "sourceMappingURL=") {
				t.Errorf("%s has no source map", out)
			}
		})
	}
}

// TestBundleWarningKeepsMinify: a warning in a stylesheet bundle's source
// (here a missing image that [references] warn covers) fails nothing, so
// the bundle is minified and mapped as any other; it was left joined,
// unminified and without its map.
func TestBundleWarningKeepsMinify(t *testing.T) {
	fsys := fstest.MapFS{
		"assets.toml": {Data: []byte(`output = "build"

[[root]]
path = "static"

[bundle.site]
output = "css/site.css"
sources = ["css/a.css"]
sourcemap = true

[references]
warn = ["img/**"]
`)},
		"static/css/a.css": {Data: []byte(".a {\n  color: #ff0000;\n  background: url(../img/missing.png);\n}\n")},
	}
	p, err := bundler.Load(bundler.Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || res.Warnings[0].Code != bundler.CodeURLNotFound {
		t.Errorf("warnings:\n%s\nwant one url-not-found", diagLines(res.Warnings))
	}
	var css, smap []byte
	for _, o := range res.Outputs {
		switch o.Name {
		case "css/site.css":
			css = o.Data
		case "css/site.css.map":
			smap = o.Data
		}
	}
	if !strings.HasPrefix(string(css), ".a{color:red;background:url(../img/missing.png)}\n/*# sourceMappingURL=site.css.") || smap == nil {
		t.Errorf("css/site.css is not minified and mapped:\n%s", css)
	}
}
