package manifest

import (
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"strings"

	"github.com/stapler-build/stapler/internal/suggest"
)

// djangoURL is the URL prefix [Load] gives a manifest read from a
// staticfiles.json, which has none of its own: the STATIC_URL of Django's
// own documentation and of almost every project.
const djangoURL = "/static/"

// Load reads the manifest called name from fsys, as a Go web app does at
// start-up, usually from the output directory it embeds:
//
//	//go:embed static
//	var static embed.FS
//
//	out, _ := fs.Sub(static, "static")
//	m, err := manifest.Load(out, manifest.FileName)
//
// A name whose last element is [DjangoFileName] is read as Django's
// staticfiles.json with [ParseDjango]; every other name as stapler's
// manifest with [Parse]. A staticfiles.json records only the hashed paths:
// the Manifest's URL is "/static/" (set m.URL to your STATIC_URL if it
// differs), and its entries have no size and no integrity, so
// [Manifest.Integrity] fails for every name. Prefer stapler's manifest,
// which a build always writes.
//
// A manifest that does not parse is an error that starts with name and
// wraps the [ErrorList].
func Load(fsys fs.FS, name string) (*Manifest, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err // an *fs.PathError, which names the file
	}
	if path.Base(name) != DjangoFileName {
		m, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return m, nil
	}
	paths, _, err := ParseDjango(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	m := &Manifest{Version: Version, Prefix: djangoURL, Files: make(map[string]Entry, len(paths))}
	for name, p := range paths {
		m.Files[name] = Entry{Path: p}
	}
	return m, nil
}

// URL returns the URL of the file the build wrote for the logical name:
// the manifest's URL prefix followed by the entry's hashed path, each
// element of the path escaped as a URL path segment needs ("a b.css"
// becomes "a%20b.css"). It is strict: a name that is not in the manifest
// is a [*LookupError] wrapping [ErrUnknownName], with the closest known
// names as suggestions. asset is its name in templates.
func (m *Manifest) URL(name string) (string, error) {
	e, err := m.lookup(name)
	if err != nil {
		return "", err
	}
	segs := strings.Split(e.Path, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return m.Prefix + strings.Join(segs, "/"), nil
}

// Integrity returns the Subresource Integrity hash of the file the build
// wrote for the logical name, for the integrity attribute of a <script>
// or <link> element. A name that is not in the manifest is a
// [*LookupError] wrapping [ErrUnknownName]; an entry with no integrity
// recorded (as in a manifest read from a staticfiles.json) is one
// wrapping [ErrNoIntegrity]: an empty integrity attribute would turn the
// check off without a word.
func (m *Manifest) Integrity(name string) (string, error) {
	e, err := m.lookup(name)
	if err != nil {
		return "", err
	}
	if e.Integrity == "" {
		return "", &LookupError{Name: name, Err: ErrNoIntegrity}
	}
	return e.Integrity, nil
}

func (m *Manifest) lookup(name string) (Entry, error) {
	if e, ok := m.Files[name]; ok {
		return e, nil
	}
	names := make([]string, 0, len(m.Files))
	for n := range m.Files {
		names = append(names, n)
	}
	return Entry{}, &LookupError{Name: name, Err: ErrUnknownName, Suggestions: suggest.Nearest(name, names)}
}

// FuncMap returns the functions a template needs to name stapler's files,
// for [html/template.Template.Funcs]:
//
//	<link rel="stylesheet" href="{{ asset "css/site.css" }}"
//	      integrity="{{ integrity "css/site.css" }}">
//
// asset is [Manifest.URL] and integrity is [Manifest.Integrity]. module
// writes the elements that load an entry bundle's entry, from
// [Manifest.Tags], one a line:
//
//	{{ module "js/app.js" }}
//
// gives a <link rel="stylesheet" href="…" integrity="…"
// crossorigin="anonymous"> for each of Styles, a <link
// rel="modulepreload" href="…" integrity="…"> for each of Preloads, then
// <script type="module" src="…" integrity="…"></script>; for a .css entry,
// only the stylesheet. An integrity attribute (and a stylesheet's
// crossorigin) is left out when the manifest records no hash; values are
// HTML-escaped. An unknown name stops the template's execution with the
// [*LookupError], did you mean and all: a page never renders with an empty
// URL in it. The functions read m when they are called. Under other
// names, copy them:
//
//	funcs := m.FuncMap()
//	funcs["static"] = funcs["asset"]
//
// and list them in the templates table of assets.toml, so that stapler
// check finds them too.
func (m *Manifest) FuncMap() template.FuncMap {
	return template.FuncMap{
		"asset":     m.URL,
		"integrity": m.Integrity,
		"module":    m.moduleTags,
	}
}

// Tags are the files a page loads for one entry of an entry bundle: its
// own script, the chunks it imports statically and the stylesheets of
// both. What the entry loads with import() is not among them: the browser
// fetches it, and its stylesheets, when the code asks for it.
type Tags struct {
	// Script is the entry's own file, for <script type="module">. It is
	// zero for a stylesheet (a name ending in .css), which is in Styles.
	Script Asset
	// Preloads are the chunks the entry imports statically, directly or
	// through other chunks, each once, in depth-first order of
	// [Entry.Imports], for <link rel="modulepreload">: the browser fetches
	// them all at once rather than one level of imports at a time. The
	// entry itself is not among them.
	Preloads []Asset
	// Styles are the stylesheets ([Entry.CSS]) of the entry and of each
	// of its preloads, each once, in the same order, for <link
	// rel="stylesheet">.
	Styles []Asset
}

// Asset is one file a page loads: its URL, as [Manifest.URL] gives it, and
// its Subresource Integrity hash, "" when the manifest records none.
type Asset struct {
	URL, Integrity string
}

// Tags returns the files a page loads for the logical name, from the
// imports and css fields of the manifest. Cycles among imports end: each
// file is visited once. It is strict, as [Manifest.URL] is: a name that is
// not in the manifest is a [*LookupError] wrapping [ErrUnknownName], with
// suggestions; so is a name that an entry's imports or css list and the
// manifest lacks, which only a Manifest built by hand can have ([Parse]
// and [Manifest.Marshal] refuse it). module is its form in templates.
func (m *Manifest) Tags(name string) (Tags, error) {
	asset := func(n string) (Asset, error) {
		u, err := m.URL(n)
		if err != nil {
			return Asset{}, err
		}
		return Asset{URL: u, Integrity: m.Files[n].Integrity}, nil
	}
	self, err := asset(name)
	if err != nil {
		return Tags{}, err
	}
	var t Tags
	visited := map[string]bool{name: true} // scripts, so that cycles end
	styled := map[string]bool{}            // stylesheets
	if strings.EqualFold(path.Ext(name), ".css") {
		t.Styles = append(t.Styles, self)
		styled[name] = true
	} else {
		t.Script = self
	}
	var visit func(e Entry) error
	visit = func(e Entry) error {
		for _, c := range e.CSS {
			if styled[c] {
				continue
			}
			styled[c] = true
			a, err := asset(c)
			if err != nil {
				return err
			}
			t.Styles = append(t.Styles, a)
		}
		for _, imp := range e.Imports {
			if visited[imp] {
				continue
			}
			visited[imp] = true
			a, err := asset(imp)
			if err != nil {
				return err
			}
			t.Preloads = append(t.Preloads, a)
			if err := visit(m.Files[imp]); err != nil {
				return err
			}
		}
		return nil
	}
	if err := visit(m.Files[name]); err != nil {
		return Tags{}, err
	}
	return t, nil
}

// moduleTags is the module template function: the elements of
// [Manifest.Tags], one a line, stylesheets first so that they are
// fetched first. A stylesheet with an integrity hash gets
// crossorigin="anonymous": without it a stylesheet from another origin (a
// CDN prefix) is fetched without CORS, and the browser, unable to check
// its hash, refuses it. Module scripts and modulepreload links are always
// fetched with CORS, in that same mode.
func (m *Manifest) moduleTags(name string) (template.HTML, error) {
	t, err := m.Tags(name)
	if err != nil {
		return "", err
	}
	var lines []string
	tag := func(open, attr string, a Asset, extra, end string) {
		l := open + " " + attr + `="` + html.EscapeString(a.URL) + `"`
		if a.Integrity != "" {
			l += ` integrity="` + html.EscapeString(a.Integrity) + `"` + extra
		}
		lines = append(lines, l+end)
	}
	for _, a := range t.Styles {
		tag(`<link rel="stylesheet"`, "href", a, ` crossorigin="anonymous"`, ">")
	}
	for _, a := range t.Preloads {
		tag(`<link rel="modulepreload"`, "href", a, "", ">")
	}
	if t.Script != (Asset{}) {
		tag(`<script type="module"`, "src", t.Script, "", "></script>")
	}
	return template.HTML(strings.Join(lines, "\n")), nil
}
