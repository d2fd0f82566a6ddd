package bundler

import (
	"maps"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
	"github.com/stapler-build/stapler/finders"
	"github.com/stapler-build/stapler/internal/suggest"
)

// config is a decoded assets.toml. Every value keeps the position it was
// written at, so that any later stage can report a problem at its line.
type config struct {
	File string // the config file, as named to Load

	Output       value  // required: the output directory, relative to the config's directory
	URL          string // the URL prefix the outputs are served under; default "/static/"
	KeepUnhashed bool   // also write each output under its plain name; default true
	Roots        []rootConfig
	Bundles      []*bundleConfig // in the order they were written

	Django        bool   // also write Django's staticfiles.json
	DjangoVersion string // "1.1" (default) or "1.0"

	// Collect, when set, writes every file of every root hash-named, as
	// Django's collectstatic does.
	Collect *collectConfig
	// References says which missing references are only warnings, and
	// which references are left alone: [references] warn and ignore.
	References referencesConfig
	// Templates, when set, names the templates whose static references
	// are checked against the manifest.
	Templates *templatesConfig
	// Compress, when set, has Build write precompressed siblings.
	Compress *compressConfig

	// Target is the default of the bundles' target: the JavaScript and
	// CSS an entry bundle is lowered to, e.g. "es2018" or
	// "chrome90,safari14"; "" for no lowering (esnext).
	Target value
	// SourceMap is the default of the bundles' sourcemap.
	SourceMap sourceMapMode
	// NodeModules are the directories, relative to the config, that an
	// entry bundle's bare imports ("preact") are looked up in.
	NodeModules []value

	urlPos Position
}

// sourceMapMode says whether a bundle's outputs get source maps.
type sourceMapMode int

const (
	sourceMapNone   sourceMapMode = iota
	sourceMapLinked               // sourcemap = true: a map, named by a sourceMappingURL comment
	sourceMapHidden               // sourcemap = "hidden": a map, but no comment
)

// value is a string from the config and where it was written.
type value struct {
	S   string
	Pos Position
}

// rootConfig is one [[root]] table.
type rootConfig struct {
	Path   value // a directory, or a glob of directories, relative to the config
	Prefix value
}

// collectConfig is the [collect] table.
type collectConfig struct {
	Exclude         []value // globs over logical names; one matching a directory drops its tree
	DefaultExcludes bool    // also exclude Django's defaults, ".*", "*~" and "CVS"; default true
	Minify          bool    // minify collected CSS, JS, SVG and JSON; default false
}

// referencesConfig is the [references] table: globs matched against the
// logical names of the referring file and of the target.
type referencesConfig struct {
	Warn   []value // a missing target is a warning, and the reference is left as written
	Ignore []value // the reference is left as written, unchecked
}

// compressConfig is the [compress] table: which precompressed siblings
// Build writes beside each output of a compressible type.
type compressConfig struct {
	Gzip, Brotli, Zstd                bool // defaults true, true, false
	GzipLevel, BrotliLevel, ZstdLevel int  // defaults 9, 11, 3 (1–9, 0–11, 1–4)
	Types                             []string
}

// compressTypes are the extensions compressed by default: text, and
// fonts that are not compressed already (not woff, woff2, images or
// archives).
var compressTypes = []string{".css", ".js", ".mjs", ".map", ".json", ".svg", ".html", ".htm", ".txt", ".xml", ".csv", ".wasm", ".ttf", ".otf", ".eot", ".ico"}

// templatesConfig is the [templates] table.
type templatesConfig struct {
	Paths     []value  // globs of template files, relative to the config
	Functions []string // Go template functions that take a name; default ["asset", "integrity", "module"]
	Patterns  []*regexp.Regexp
}

// bundleConfig is one [bundle.NAME] table.
type bundleConfig struct {
	Name       string
	Pos        Position // the name in the table header
	Output     value    // logical name of the result: .js or .css
	Sources    []value  // names, globs and "!" exclusions, in order
	AllowEmpty []value  // globs of Sources that may match nothing
	Minify     bool     // default true

	// Entry, instead of Sources, makes an entry bundle: esbuild bundles
	// the ES module, TypeScript, JSX or CSS file it names with everything
	// it imports, splitting shared code into chunks.
	Entry     value
	Target    value         // an entry bundle's target; default config.Target
	Format    string        // an entry bundle's format: "esm" (default), or "iife" for a classic script
	SourceMap sourceMapMode // default config.SourceMap

	sourceMapSet bool // sourcemap was given in the bundle's table
	broken       bool // its table had problems, already reported
}

// Type returns the bundle's media type from its output's extension:
// "js", "css", or "" for anything else.
func (b *bundleConfig) Type() string {
	switch path.Ext(b.Output.S) {
	case ".js":
		return "js"
	case ".css":
		return "css"
	}
	return ""
}

var (
	bundleNameRE   = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)
	templateFuncRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// decodeConfig decodes the config's tree, adding a diagnostic for every
// problem and keeping every value it can, so that one run reports all.
func decodeConfig(file string, top *ttable, diags *ErrorList) *config {
	c := &config{File: file, URL: "/static/", KeepUnhashed: true, DjangoVersion: "1.1"}
	d := decoder{diags: diags}
	var haveOutput bool
	d.table(top, "", map[string]func(*tkey){
		"output": func(k *tkey) {
			var ok bool
			c.Output, ok = d.str(k)
			haveOutput = true // a value of the wrong type is not also missing
			if ok && c.Output.S == "" {
				diags.errorf(c.Output.Pos, CodeBadValue, nil, "output must not be empty")
			}
		},
		"url": func(k *tkey) {
			v, ok := d.str(k)
			if !ok {
				return
			}
			c.URL, c.urlPos = v.S, v.Pos
			if !strings.HasSuffix(v.S, "/") {
				diags.errorf(v.Pos, CodeBadValue, nil, "url %q must end with a slash", v.S)
			}
		},
		"keep_unhashed": func(k *tkey) { c.KeepUnhashed, _ = d.boolean(k) },
		"target":        func(k *tkey) { c.Target = d.target(k) },
		"sourcemap":     func(k *tkey) { c.SourceMap, _ = d.sourceMap(k) },
		"node_modules":  func(k *tkey) { c.NodeModules, _ = d.strings(k) },
		"root": func(k *tkey) {
			for _, t := range d.tables(k) {
				var r rootConfig
				var havePath bool
				d.table(t.tab, "root", map[string]func(*tkey){
					"path":   func(k *tkey) { r.Path, havePath = d.str(k) },
					"prefix": func(k *tkey) { r.Prefix, _ = d.str(k) },
				})
				if !havePath {
					diags.errorf(t.pos, CodeMissing, nil, "root: missing path")
					continue
				}
				if r.Path.S == "" {
					diags.errorf(r.Path.Pos, CodeBadValue, nil, "root path must not be empty")
					continue
				}
				c.Roots = append(c.Roots, r)
			}
		},
		"bundle": func(k *tkey) {
			t := d.tableValue(k)
			if t == nil {
				return
			}
			for _, bk := range t.keys {
				if b := decodeBundle(&d, bk); b != nil {
					c.Bundles = append(c.Bundles, b)
				}
			}
		},
		"collect": func(k *tkey) {
			t := d.tableValue(k)
			if t == nil {
				return
			}
			c.Collect = &collectConfig{DefaultExcludes: true}
			d.table(t, "collect", map[string]func(*tkey){
				"exclude":          func(k *tkey) { c.Collect.Exclude, _ = d.patterns(k) },
				"default_excludes": func(k *tkey) { c.Collect.DefaultExcludes, _ = d.boolean(k) },
				"minify":           func(k *tkey) { c.Collect.Minify, _ = d.boolean(k) },
			})
		},
		"references": func(k *tkey) {
			t := d.tableValue(k)
			if t == nil {
				return
			}
			d.table(t, "references", map[string]func(*tkey){
				"warn":   func(k *tkey) { c.References.Warn, _ = d.patterns(k) },
				"ignore": func(k *tkey) { c.References.Ignore, _ = d.patterns(k) },
			})
		},
		"compress": func(k *tkey) {
			t := d.tableValue(k)
			if t == nil {
				return
			}
			cc := &compressConfig{Gzip: true, Brotli: true, GzipLevel: 9, BrotliLevel: 11, ZstdLevel: 3, Types: compressTypes}
			c.Compress = cc
			level := func(dst *int, lo, hi int) func(*tkey) {
				return func(k *tkey) {
					if k.val.kind != unstable.Integer {
						d.wrongType(k, "an integer")
						return
					}
					n, err := strconv.Atoi(k.val.str)
					if err != nil || n < lo || n > hi {
						diags.errorf(k.val.pos, CodeBadValue, nil, "%s must be from %d to %d, not %s", k.name, lo, hi, k.val.str)
						return
					}
					*dst = n
				}
			}
			d.table(t, "compress", map[string]func(*tkey){
				"gzip":         func(k *tkey) { cc.Gzip, _ = d.boolean(k) },
				"brotli":       func(k *tkey) { cc.Brotli, _ = d.boolean(k) },
				"zstd":         func(k *tkey) { cc.Zstd, _ = d.boolean(k) },
				"gzip_level":   level(&cc.GzipLevel, 1, 9),
				"brotli_level": level(&cc.BrotliLevel, 0, 11),
				"zstd_level":   level(&cc.ZstdLevel, 1, 4),
				"types": func(k *tkey) {
					vs, ok := d.strings(k)
					if !ok {
						return
					}
					cc.Types = nil
					for _, v := range vs {
						if !strings.HasPrefix(v.S, ".") || strings.Contains(v.S, "/") {
							diags.errorf(v.Pos, CodeBadValue, nil, "types: %q is not an extension such as \".css\"", v.S)
							continue
						}
						cc.Types = append(cc.Types, v.S)
					}
				},
			})
		},
		"templates": func(k *tkey) {
			t := d.tableValue(k)
			if t == nil {
				return
			}
			c.Templates = &templatesConfig{Functions: []string{"asset", "integrity", "module"}}
			var havePaths bool
			d.table(t, "templates", map[string]func(*tkey){
				"paths": func(k *tkey) { c.Templates.Paths, havePaths = d.patterns(k) },
				"functions": func(k *tkey) {
					vs, ok := d.strings(k)
					if !ok {
						return
					}
					c.Templates.Functions = nil
					for _, v := range vs {
						if !templateFuncRE.MatchString(v.S) {
							diags.errorf(v.Pos, CodeBadValue, nil, "functions: %q is not a template function name", v.S)
							continue
						}
						c.Templates.Functions = append(c.Templates.Functions, v.S)
					}
				},
				"pattern": func(k *tkey) {
					for _, pt := range d.tables(k) {
						d.table(pt.tab, "templates.pattern", map[string]func(*tkey){
							"regex": func(k *tkey) {
								v, ok := d.str(k)
								if !ok {
									return
								}
								re, err := regexp.Compile(v.S)
								switch {
								case err != nil:
									diags.errorf(v.Pos, CodeBadValue, err, "regex: %v", err)
								case re.SubexpIndex("name") < 0:
									diags.errorf(v.Pos, CodeBadValue, nil, "regex %q has no (?P<name>...) group for the static name", v.S)
								default:
									c.Templates.Patterns = append(c.Templates.Patterns, re)
								}
							},
						})
					}
				},
			})
			if !havePaths {
				diags.errorf(k.pos, CodeMissing, nil, "templates: missing paths, the globs of the template files to check")
			}
		},
		"manifest": func(k *tkey) {
			t := d.tableValue(k)
			if t == nil {
				return
			}
			d.table(t, "manifest", map[string]func(*tkey){
				"django": func(k *tkey) { c.Django, _ = d.boolean(k) },
				"django_version": func(k *tkey) {
					v, ok := d.str(k)
					if !ok {
						return
					}
					if v.S != "1.0" && v.S != "1.1" {
						diags.errorf(v.Pos, CodeBadValue, nil, `django_version must be "1.1" (Django 4.2 and later) or "1.0" (earlier), not %q`, v.S)
						return
					}
					c.DjangoVersion = v.S
				},
			})
		},
	})
	if !haveOutput {
		diags.errorf(Position{File: file, Line: 1, Col: 1}, CodeMissing, nil, `missing output: the directory results go to, e.g. output = "build/static"`)
	}
	for _, b := range c.Bundles {
		if !b.sourceMapSet {
			b.SourceMap = c.SourceMap
		}
		if b.Entry.S != "" && b.Target.S == "" {
			b.Target = c.Target
		}
	}
	if len(c.Roots) == 0 && top.get("root") == nil {
		diags.errorf(Position{File: file, Line: 1, Col: 1}, CodeMissing, nil, `no [[root]]: name at least one directory of static files`)
	}
	return c
}

// decodeBundle decodes a [bundle.NAME] table. A bundle with a problem is
// kept with what could be decoded, so that its sources are still looked up
// and their problems reported in the same run.
func decodeBundle(d *decoder, bk *tkey) *bundleConfig {
	b := &bundleConfig{Name: bk.name, Pos: bk.pos, Minify: true}
	problems := len(*d.diags)
	defer func() { b.broken = len(*d.diags) > problems }()
	if !bundleNameRE.MatchString(b.Name) {
		d.diags.errorf(bk.pos, CodeBadValue, nil, "bundle name %q: use letters, digits, '-' and '_'", b.Name)
	}
	t := d.tableValue(bk)
	if t == nil {
		return nil
	}
	var haveOutput, haveSources, haveEntry bool
	d.table(t, "bundle."+b.Name, map[string]func(*tkey){
		"output":      func(k *tkey) { b.Output, _ = d.str(k); haveOutput = true },
		"sources":     func(k *tkey) { b.Sources, _ = d.strings(k); haveSources = true },
		"allow_empty": func(k *tkey) { b.AllowEmpty, _ = d.strings(k) },
		"minify":      func(k *tkey) { b.Minify, _ = d.boolean(k) },
		"entry": func(k *tkey) {
			b.Entry, haveEntry = d.str(k)
			if haveEntry && b.Entry.S == "" {
				d.diags.errorf(b.Entry.Pos, CodeBadValue, nil, "bundle %q: entry must not be empty", b.Name)
			}
			haveEntry = true
		},
		"target": func(k *tkey) { b.Target = d.target(k) },
		"format": func(k *tkey) {
			v, ok := d.str(k)
			if ok && v.S != "esm" && v.S != "iife" {
				d.diags.errorf(v.Pos, CodeBadValue, nil, `bundle %q: format must be "esm" or "iife", not %q`, b.Name, v.S)
				return
			}
			b.Format = v.S
		},
		"sourcemap": func(k *tkey) { b.SourceMap, b.sourceMapSet = d.sourceMap(k) },
	})
	switch {
	case haveEntry && haveSources:
		d.diags.errorf(bk.pos, CodeBadValue, nil, "bundle %q: has both entry and sources: an entry bundle's sources are what its entry imports", b.Name)
	case haveEntry:
		if !haveOutput && b.Entry.S != "" {
			// The entry's name with the extension of what it makes.
			ext := ".js"
			if path.Ext(b.Entry.S) == ".css" {
				ext = ".css"
			}
			b.Output = value{S: strings.TrimSuffix(b.Entry.S, path.Ext(b.Entry.S)) + ext, Pos: b.Entry.Pos}
			haveOutput = true
		}
		if b.Format == "" {
			b.Format = "esm"
		}
	default:
		if !haveSources {
			d.diags.errorf(bk.pos, CodeMissing, nil, "bundle %q: missing sources (or an entry)", b.Name)
		}
		if b.Target.S != "" {
			d.diags.errorf(b.Target.Pos, CodeBadValue, nil, "bundle %q: target applies to entry bundles only: esbuild lowers what it bundles", b.Name)
		}
		if b.Format != "" {
			d.diags.errorf(bk.pos, CodeBadValue, nil, "bundle %q: format applies to entry bundles only", b.Name)
		}
	}
	if !haveOutput {
		d.diags.errorf(bk.pos, CodeMissing, nil, "bundle %q: missing output", b.Name)
	}
	return b
}

// decoder decodes values of the config's tree, adding a diagnostic for
// each that is not of the kind wanted.
type decoder struct {
	diags *ErrorList
}

// table calls fields[name] for each key of t, and reports the keys that
// are not fields, with the field they were probably meant to be.
func (d decoder) table(t *ttable, where string, fields map[string]func(*tkey)) {
	for _, k := range t.keys {
		if f, ok := fields[k.name]; ok {
			f(k)
			continue
		}
		full := k.name
		if where != "" {
			full = where + "." + k.name
		}
		known := slices.Sorted(maps.Keys(fields))
		d.diags.errorf(k.pos, CodeUnknownKey, nil, "unknown key %q%s", full, didYouMean(suggest.Nearest(k.name, known)))
	}
}

func (d decoder) wrongType(k *tkey, want string) {
	d.diags.errorf(k.val.pos, CodeType, nil, "%s must be %s, not %s", k.name, want, kindName(k.val.kind))
}

func (d decoder) str(k *tkey) (value, bool) {
	if k.val.kind != unstable.String {
		d.wrongType(k, "a string")
		return value{}, false
	}
	return value{S: k.val.str, Pos: k.val.pos}, true
}

// sourceMap decodes a sourcemap value: true, false or "hidden".
func (d decoder) sourceMap(k *tkey) (sourceMapMode, bool) {
	switch {
	case k.val.kind == unstable.Bool && k.val.str == "true":
		return sourceMapLinked, true
	case k.val.kind == unstable.Bool:
		return sourceMapNone, true
	case k.val.kind == unstable.String && k.val.str == "hidden":
		return sourceMapHidden, true
	}
	d.diags.errorf(k.val.pos, CodeBadValue, nil, `sourcemap must be true, false or "hidden"`)
	return sourceMapNone, false
}

// target decodes a target, checking it as esbuild would.
func (d decoder) target(k *tkey) value {
	v, ok := d.str(k)
	if !ok {
		return value{}
	}
	if _, _, err := parseTarget(v.S); err != nil {
		d.diags.errorf(v.Pos, CodeBadValue, err, "target %q: %v", v.S, err)
		return value{}
	}
	return v
}

func (d decoder) boolean(k *tkey) (bool, bool) {
	if k.val.kind != unstable.Bool {
		d.wrongType(k, "true or false")
		return false, false
	}
	return k.val.str == "true", true
}

// strings decodes an array of strings, keeping the strings of an array
// that also holds other things.
func (d decoder) strings(k *tkey) ([]value, bool) {
	if k.val.kind != unstable.Array {
		d.wrongType(k, "an array of strings")
		return nil, false
	}
	var out []value
	for _, e := range k.val.arr {
		if e.kind != unstable.String {
			d.diags.errorf(e.pos, CodeType, nil, "%s: elements must be strings, not %s", k.name, kindName(e.kind))
			continue
		}
		out = append(out, value{S: e.str, Pos: e.pos})
	}
	return out, true
}

// patterns decodes an array of globs, reporting each invalid one.
func (d decoder) patterns(k *tkey) ([]value, bool) {
	vs, ok := d.strings(k)
	var out []value
	for _, v := range vs {
		if err := finders.ValidPattern(v.S); err != nil {
			d.diags.errorf(v.Pos, CodeBadPattern, err, "%s: %q: %s", k.name, v.S, detail(err))
			continue
		}
		out = append(out, v)
	}
	return out, ok
}

func (d decoder) tableValue(k *tkey) *ttable {
	if k.val.kind != unstable.Table {
		d.wrongType(k, "a table")
		return nil
	}
	return k.val.tab
}

// tables decodes an array of tables ([[root]] or root = [{...}]).
func (d decoder) tables(k *tkey) []*tvalue {
	if k.val.kind != unstable.Array {
		d.wrongType(k, "an array of tables ([[root]])")
		return nil
	}
	var out []*tvalue
	for _, e := range k.val.arr {
		if e.kind != unstable.Table {
			d.diags.errorf(e.pos, CodeType, nil, "%s: elements must be tables, not %s", k.name, kindName(e.kind))
			continue
		}
		out = append(out, e)
	}
	return out
}
