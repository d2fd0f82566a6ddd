package manifest

import (
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"net/url"
	"path"
	"slices"
	"strings"
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
	return Entry{}, &LookupError{Name: name, Err: ErrUnknownName, Suggestions: suggest(name, names)}
}

// FuncMap returns the functions a template needs to name stapler's files,
// for [html/template.Template.Funcs]:
//
//	<link rel="stylesheet" href="{{ asset "css/site.css" }}"
//	      integrity="{{ integrity "css/site.css" }}">
//
// asset is [Manifest.URL] and integrity is [Manifest.Integrity]; module
// writes the tags of [Manifest.Tags] for an entry bundle's script,
// {{ module "js/app.js" }}: a <link rel="stylesheet"> for each style, a
// <link rel="modulepreload"> for each preload and the <script
// type="module">, each with its integrity, one per line. An
// unknown name stops the template's execution with the [*LookupError], did
// you mean and all: a page never renders with an empty URL in it. The
// functions read m when they are called. Under other names, copy them:
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
// own script, the chunks it imports statically (for <link
// rel=modulepreload>, so that the browser fetches them at once rather than
// when it has parsed the script), and the stylesheets of the entry and of
// those chunks. What it loads with import() is not among them: it is
// loaded when the code asks for it.
type Tags struct {
	Script   Asset   // the entry's script; zero for a stylesheet entry, which is in Styles
	Preloads []Asset // the chunks it imports statically, transitively, each once, depth first
	Styles   []Asset // the stylesheets of the entry and of those chunks, each once, in that order
}

// Asset is a file's URL and its Subresource Integrity hash ("" when the
// manifest has none).
type Asset struct {
	URL, Integrity string
}

// Tags returns what a page loads for the entry called name: the script's
// and its imports' and stylesheets' URLs, from the manifest's imports and
// css fields. An unknown name is a [*LookupError], as for [Manifest.URL].
func (m *Manifest) Tags(name string) (Tags, error) {
	var t Tags
	asset := func(n string) (Asset, error) {
		u, err := m.URL(n)
		if err != nil {
			return Asset{}, err
		}
		return Asset{URL: u, Integrity: m.Files[n].Integrity}, nil
	}
	seen := map[string]bool{name: true}
	styled := map[string]bool{}
	var visit func(n string, top bool) error
	visit = func(n string, top bool) error {
		e, err := m.lookup(n)
		if err != nil {
			return err
		}
		a, err := asset(n)
		if err != nil {
			return err
		}
		switch {
		case top && path.Ext(n) == ".css":
			t.Styles = append(t.Styles, a)
			styled[n] = true
		case top:
			t.Script = a
		default:
			t.Preloads = append(t.Preloads, a)
		}
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
			if seen[imp] {
				continue
			}
			seen[imp] = true
			if err := visit(imp, false); err != nil {
				return err
			}
		}
		return nil
	}
	if err := visit(name, true); err != nil {
		return Tags{}, err
	}
	return t, nil
}

// moduleTags is the module template function: the HTML of [Manifest.Tags].
func (m *Manifest) moduleTags(name string) (template.HTML, error) {
	t, err := m.Tags(name)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	tag := func(format string, a Asset) {
		integrity := ""
		if a.Integrity != "" {
			integrity = ` integrity="` + html.EscapeString(a.Integrity) + `"`
		}
		fmt.Fprintf(&b, format, html.EscapeString(a.URL), integrity)
		b.WriteByte('\n')
	}
	for _, a := range t.Styles {
		tag(`<link rel="stylesheet" href="%s"%s>`, a)
	}
	for _, a := range t.Preloads {
		tag(`<link rel="modulepreload" href="%s"%s>`, a)
	}
	if t.Script.URL != "" {
		tag(`<script type="module" src="%s"%s></script>`, t.Script)
	}
	return template.HTML(strings.TrimSuffix(b.String(), "\n")), nil
}

// maxSuggestions is how many names a lookup error suggests at most.
const maxSuggestions = 3

// suggest returns the candidates nearest to name, best first, at most
// three: one that differs only in case, those within a few edits of it (a
// typo), then those with the same last path element elsewhere (a file
// that moved). Ties go by name. It ranks as the finders package does when a build looks a name up, so the
// build and the running app suggest the same names; it is repeated here
// because this package imports nothing of stapler's.
func suggest(name string, candidates []string) []string {
	type candidate struct {
		name string
		dist int
	}
	// The limit scales with the last element only: a long directory
	// shared by every candidate must not make unrelated names "close".
	base := path.Base(name)
	limit := max(2, len([]rune(base))/3)
	target := []rune(name)
	var best []candidate
	for _, c := range candidates {
		d := distance(target, []rune(c), limit)
		if strings.EqualFold(c, name) {
			d = 0 // a case mismatch, which only works on some file systems
		} else if d > limit {
			if path.Base(c) != base {
				continue
			}
			// Moved files rank after every typo, nearest directory first.
			d = limit + 1 + distance([]rune(path.Dir(name)), []rune(path.Dir(c)), len(c)+len(name))
		}
		best = append(best, candidate{c, d})
	}
	slices.SortFunc(best, func(a, b candidate) int {
		if a.dist != b.dist {
			return a.dist - b.dist
		}
		return strings.Compare(a.name, b.name)
	})
	var names []string
	for _, c := range best[:min(len(best), maxSuggestions)] {
		names = append(names, c.name)
	}
	return names
}

// distance returns the Levenshtein distance between a and b, or some
// number above limit as soon as it is sure to exceed limit.
func distance(a, b []rune, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
