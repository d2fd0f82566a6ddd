package manifest

import (
	"errors"
	"html/template"
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func TestURL(t *testing.T) {
	m, _ := outputFS(t)
	m.Files["odd/a?#%;b+c.css"] = Entry{Path: "odd/a?#%;b+c.1.css"}
	for name, want := range map[string]string{
		"css/site.css":     "/static/css/site.3d5a6b2c1e9f.css",
		"a b/ü.css":        "/static/a%20b/%C3%BC.708192a3b4c5.css",
		"odd/a?#%;b+c.css": "/static/odd/a%3F%23%25%3Bb+c.1.css",
	} {
		got, err := m.URL(name)
		if err != nil || got != want {
			t.Errorf("URL(%q) = %q, %v; want %q", name, got, err, want)
		}
	}
	m.Prefix = "https://cdn.example.com/static/"
	if got, err := m.URL("js/app.js"); err != nil || got != "https://cdn.example.com/static/js/app.8b1a9953c461.js" {
		t.Errorf("with a CDN prefix: %q, %v", got, err)
	}
}

// TestURLServed checks that what URL returns is what the
// handler serves, for every name.
func TestURLServed(t *testing.T) {
	m, fsys := outputFS(t)
	h := m.Handler(fsys)
	for name, e := range m.Files {
		u, err := m.URL(name)
		if err != nil {
			t.Fatal(err)
		}
		resp := request{target: u}.do(t, h)
		got := body(t, resp)
		if e.Path == "css" { // weird.css names a directory
			if resp.StatusCode != 404 {
				t.Errorf("%s → %s: %d, want 404", name, u, resp.StatusCode)
			}
			continue
		}
		if resp.StatusCode != 200 || got != string(fsys[e.Path].Data) {
			t.Errorf("%s → %s: %d %q", name, u, resp.StatusCode, got)
		}
	}
}

func TestLookupErrors(t *testing.T) {
	m, _ := outputFS(t)
	m.Files["js/vendor/app.js"] = Entry{Path: "js/vendor/app.1.js"}
	m.Files["js/api.js"] = Entry{Path: "js/api.1.js"}
	m.Files["js/ape.js"] = Entry{Path: "js/ape.1.js"}
	for _, tc := range []struct {
		name        string
		suggestions []string
		msg         string
	}{
		{"css/sit.css", []string{"css/site.css"},
			`"css/sit.css": not in the manifest; did you mean "css/site.css"?`},
		{"CSS/Site.css", []string{"css/site.css"},
			`"CSS/Site.css": not in the manifest; did you mean "css/site.css"?`},
		{"/css/site.css", []string{"css/site.css"},
			`"/css/site.css": not in the manifest; did you mean "css/site.css"?`},
		{"site.css", []string{"css/site.css"}, // moved
			`"site.css": not in the manifest; did you mean "css/site.css"?`},
		{"app.js", []string{"js/app.js", "js/vendor/app.js"}, // typos first, then nearest directory
			`"app.js": not in the manifest; did you mean "js/app.js" or "js/vendor/app.js"?`},
		{"fonts/a.wof", []string{"fonts/a.woff", "fonts/a.woff2"},
			`"fonts/a.wof": not in the manifest; did you mean "fonts/a.woff" or "fonts/a.woff2"?`},
		{"a.js", nil,
			`"a.js": not in the manifest`},
		{"js/ap.js", []string{"js/ape.js", "js/api.js", "js/app.js"}, // at most three, ties by name
			`"js/ap.js": not in the manifest; did you mean "js/ape.js", "js/api.js" or "js/app.js"?`},
		{"", nil, `"": not in the manifest`},
		{"totally/unrelated/name.txt", nil, `"totally/unrelated/name.txt": not in the manifest`},
	} {
		for fn, lookup := range map[string]func(string) (string, error){"URL": m.URL, "Integrity": m.Integrity} {
			got, err := lookup(tc.name)
			if got != "" || err == nil || err.Error() != tc.msg {
				t.Errorf("%s(%q) = %q, %v; want error %s", fn, tc.name, got, err, tc.msg)
				continue
			}
			var le *LookupError
			if !errors.Is(err, ErrUnknownName) || !errors.As(err, &le) || le.Name != tc.name {
				t.Errorf("%s(%q): %#v does not wrap ErrUnknownName in a LookupError naming it", fn, tc.name, err)
				continue
			}
			if len(le.Suggestions) != 0 || len(tc.suggestions) != 0 {
				if !reflect.DeepEqual(le.Suggestions, tc.suggestions) {
					t.Errorf("%s(%q): suggestions %q, want %q", fn, tc.name, le.Suggestions, tc.suggestions)
				}
			}
		}
	}
}

func TestIntegrity(t *testing.T) {
	m, _ := outputFS(t)
	if got, err := m.Integrity("css/site.css"); err != nil || got != sri(siteCSS) {
		t.Errorf("Integrity = %q, %v", got, err)
	}
	_, err := m.Integrity("js/mod.mjs")
	if !errors.Is(err, ErrNoIntegrity) || err.Error() != `"js/mod.mjs": no integrity hash in the manifest` {
		t.Errorf("no integrity: %v", err)
	}
}

const pageTemplate = `<link rel="stylesheet" href="{{ asset "css/site.css" }}" integrity="{{ integrity "css/site.css" }}">
<script type="module" src="{{ asset "a b/ü.css" }}"></script>
<p>{{ asset "js/app.js" }}</p>
<style>@import url({{ asset "css/site.css" }});</style>
`

func TestFuncMap(t *testing.T) {
	m, _ := outputFS(t)
	tmpl := template.Must(template.New("page").Funcs(m.FuncMap()).Parse(pageTemplate))
	var out strings.Builder
	if err := tmpl.Execute(&out, nil); err != nil {
		t.Fatal(err)
	}
	// html/template escapes "+" in an attribute as "&#43;", which a browser
	// reads back as "+".
	integrity := strings.ReplaceAll(sri(siteCSS), "+", "&#43;")
	want := `<link rel="stylesheet" href="/static/css/site.3d5a6b2c1e9f.css" integrity="` + integrity + `">
<script type="module" src="/static/a%20b/%C3%BC.708192a3b4c5.css"></script>
<p>/static/js/app.8b1a9953c461.js</p>
<style>@import url(/static/css/site.3d5a6b2c1e9f.css);</style>
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestFuncMapUnknownName(t *testing.T) {
	m, _ := outputFS(t)
	for _, tc := range []struct {
		src, msg string
		is       error
	}{
		{`<link href="{{ asset "css/sit.css" }}">`,
			`template: page:1:15: executing "page" at <asset "css/sit.css">: error calling asset: "css/sit.css": not in the manifest; did you mean "css/site.css"?`,
			ErrUnknownName},
		{`<script src="/x.js" integrity="{{ integrity "js/mod.mjs" }}"></script>`,
			`template: page:1:34: executing "page" at <integrity "js/mod.mjs">: error calling integrity: "js/mod.mjs": no integrity hash in the manifest`,
			ErrNoIntegrity},
		{`{{ define "x" }}{{ asset . }}{{ end }}<p>{{ template "x" "nope.css" }}</p>`,
			`template: page:1:19: executing "x" at <asset .>: error calling asset: "nope.css": not in the manifest`,
			ErrUnknownName},
	} {
		tmpl := template.Must(template.New("page").Funcs(m.FuncMap()).Parse(tc.src))
		var out strings.Builder
		err := tmpl.Execute(&out, nil)
		if err == nil || err.Error() != tc.msg {
			t.Errorf("Execute(%s) = %v, want %s", tc.src, err, tc.msg)
		}
		if !errors.Is(err, tc.is) {
			t.Errorf("Execute(%s): %v does not wrap %v", tc.src, err, tc.is)
		}
		// Nothing of the failed action reaches the output: no empty URL.
		if strings.Contains(out.String(), `=""`) || strings.Contains(out.String(), `href=">`) {
			t.Errorf("Execute(%s) wrote %q", tc.src, out.String())
		}
	}
}

func TestLoad(t *testing.T) {
	m, fsys := outputFS(t)
	got, err := Load(fsys, FileName)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Errorf("Load = %+v, want %+v", got, m)
	}

	// Django's manifest: paths only, under /static/.
	dj, err := Load(fsys, DjangoFileName)
	if err != nil {
		t.Fatal(err)
	}
	if dj.Prefix != "/static/" || len(dj.Files) != len(m.Files) || !reflect.DeepEqual(dj.Files["css/site.css"], Entry{Path: sitePath}) {
		t.Errorf("Load(staticfiles.json) = %+v", dj)
	}
	if u, err := dj.URL("css/site.css"); err != nil || u != siteURL {
		t.Errorf("URL from staticfiles.json = %q, %v", u, err)
	}
	if _, err := dj.Integrity("css/site.css"); !errors.Is(err, ErrNoIntegrity) {
		t.Errorf("Integrity from staticfiles.json: %v, want ErrNoIntegrity", err)
	}

	// In a subdirectory, by the base name.
	sub := fstest.MapFS{"static/" + DjangoFileName: fsys[DjangoFileName], "static/" + FileName: fsys[FileName]}
	if dj2, err := Load(sub, "static/"+DjangoFileName); err != nil || !reflect.DeepEqual(dj2, dj) {
		t.Errorf("Load(static/staticfiles.json) = %+v, %v", dj2, err)
	}
	if m2, err := Load(sub, "static/"+FileName); err != nil || !reflect.DeepEqual(m2, m) {
		t.Errorf("Load(static/stapler-manifest.json) = %+v, %v", m2, err)
	}
}

func TestLoadErrors(t *testing.T) {
	fsys := fstest.MapFS{
		FileName:       {Data: []byte(entryJSON(`"a.css"`, `{"path": "../a.css"}`))},
		DjangoFileName: {Data: []byte(`{"paths": {"a.css": "a.1.css"}, "version": "1.1", "hash": "000000000000"}`)},
		"dir/x":        {Data: []byte("{}")},
	}
	for _, tc := range []struct {
		name, msg string
		is        error
	}{
		{"missing.json", "open missing.json: file does not exist", fs.ErrNotExist},
		{"dir", "read dir: is a directory", nil},
		{FileName, `stapler-manifest.json: files["a.css"].path: bad path "../a.css": contains ".."`, ErrBadPath},
		{DjangoFileName, `staticfiles.json: hash: hash mismatch: "000000000000", but the paths hash to "` +
			DjangoHash(map[string]string{"a.css": "a.1.css"}) + `"`, ErrHashMismatch},
		{"dir/x", `dir/x: invalid manifest: missing field "version" (and 2 more errors)`, ErrSchema},
	} {
		m, err := Load(fsys, tc.name)
		if m != nil || err == nil {
			t.Errorf("Load(%q) = %v, %v; want an error", tc.name, m, err)
			continue
		}
		if tc.name != "dir" && err.Error() != tc.msg {
			t.Errorf("Load(%q): %v, want %s", tc.name, err, tc.msg)
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("Load(%q): %v does not wrap %v", tc.name, err, tc.is)
		}
	}
}
