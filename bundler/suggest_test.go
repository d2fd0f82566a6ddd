package bundler_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/finders"
	"github.com/stapler-build/stapler/manifest"
)

// TestSuggestionsAgree checks that the command and a Go web app suggest
// the same names for the same mistake: stapler check, for a template
// naming a file the build does not make; stapler find and a bundle's
// sources, through the Finder; and the web app, through the built
// manifest's URL (the asset template function).
func TestSuggestionsAgree(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		find  string
		want  []string // what all suggest, best first
	}{
		// Regression (issue 10): stapler check offered "JS/APX.js" and
		// the web app "js/app.js" first. The wrong case is the file meant.
		{"case mismatch beside a typo", []string{"JS/APX.js", "js/app.js"}, "JS/APP.js", []string{"js/app.js", "JS/APX.js"}},
		{"case mismatch far in edits", []string{"css/site.css", "css/main.css"}, "CSS/Site.css", []string{"css/site.css"}},
		{"typo", []string{"js/application.js", "css/site.css"}, "js/aplication.js", []string{"js/application.js"}},
		{"moved", []string{"js/application.js", "css/site.css"}, "scripts/application.js", []string{"js/application.js"}},
		{"typos, then nearest directory", []string{"js/app.js", "js/vendor/app.js", "css/app.css"}, "app.js", []string{"js/app.js", "js/vendor/app.js"}},
		{"at most three, ties by name", []string{"js/app.js", "js/api.js", "js/ape.js", "js/apx.js"}, "js/ap.js", []string{"js/ape.js", "js/api.js", "js/app.js"}},
		{"nothing close", []string{"js/app.js"}, "fonts/roboto.woff2", nil},
	}
	const config = "output = \"build\"\n[[root]]\npath = \"static\"\n[collect]\n"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"assets.toml":      {Data: []byte(config)},
				"check.toml":       {Data: []byte(config + "[templates]\npaths = [\"templates/*.html\"]\n")},
				"templates/a.html": {Data: []byte(`{{ asset "` + tt.find + `" }}`)},
			}
			for _, f := range tt.files {
				fsys["static/"+f] = &fstest.MapFile{Data: []byte("/* " + f + " */\n")}
			}

			// The web app, with the manifest a build makes.
			p, err := bundler.Load(bundler.Options{FS: fsys})
			if err != nil {
				t.Fatal(err)
			}
			res, err := p.Check(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			_, err = res.Manifest.URL(tt.find)
			var le *manifest.LookupError
			if !errors.As(err, &le) {
				t.Fatalf("URL(%q) = %v, want a *manifest.LookupError", tt.find, err)
			}
			if !slices.Equal(le.Suggestions, tt.want) {
				t.Errorf("the web app suggests %q, want %q", le.Suggestions, tt.want)
			}

			// stapler find and a bundle's sources. Find names only the
			// files that differ in case, where there are some.
			_, _, err = p.Finder().Find(tt.find)
			var fe *finders.Error
			if !errors.As(err, &fe) {
				t.Fatalf("Find(%q) = %v, want a *finders.Error", tt.find, err)
			}
			want := tt.want
			if errors.Is(err, finders.ErrCaseMismatch) {
				want = want[:min(len(want), len(fe.Suggestions))]
			}
			if !slices.Equal(fe.Suggestions, want) {
				t.Errorf("stapler find suggests %q, want %q", fe.Suggestions, want)
			}

			// stapler check of a template.
			p, err = bundler.Load(bundler.Options{FS: fsys, Config: "check.toml"})
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Check(context.Background())
			var diags bundler.ErrorList
			if !errors.As(err, &diags) || len(diags) != 1 {
				t.Fatalf("Check with the template = %v, want one problem", err)
			}
			d := diags[0]
			msg := strconv.Quote(tt.find) + " is not in the manifest"
			switch {
			case len(tt.want) > 0 && strings.EqualFold(tt.want[0], tt.find):
				// The words a source's name in the wrong case gets (issue 13).
				msg += ": names are case-sensitive, and the file is " + strconv.Quote(tt.want[0])
			case len(tt.want) > 0:
				q := make([]string, len(tt.want))
				for i, s := range tt.want {
					q[i] = strconv.Quote(s)
				}
				msg += "; did you mean " + strings.Join(q, " or ") + "?"
			}
			if !strings.HasSuffix(d.Message, msg) || d.Suggestion != first(tt.want) {
				t.Errorf("stapler check says %q, suggestion %q; want it to end %q, suggestion %q", d.Message, d.Suggestion, msg, first(tt.want))
			}
		})
	}
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
