package bundler

import (
	"maps"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/stapler-build/stapler/bundler/internal/tomlpos"
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
	Switch       string // how a build makes its output visible: switchLink or switchInPlace
	Roots        []rootConfig
	Bundles      []*bundleConfig // in the order they were written

	Django        bool   // also write Django's staticfiles.json
	DjangoVersion string // "1.0" (default: every Django reads it) or "1.1"

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
	// Publish is the [publish] table, for stapler publish; nil without one.
	Publish *PublishConfig

	// Target is the default of the bundles' target: the JavaScript and
	// CSS an entry bundle is lowered to, e.g. "es2018" or
	// "chrome90,safari14"; "" for no lowering (esnext).
	Target target
	// SourceMap is the default of the bundles' sourcemap.
	SourceMap sourceMapMode
	// NodeModules are the directories, relative to the config, that an
	// entry bundle's bare imports ("preact") are looked up in.
	NodeModules []value

	// Strict makes every warning an error, for check and build alike, as
	// Options.Strict does.
	Strict bool
	// Globals are names that scripts on the page provide before a
	// classic bundle runs (another bundle, an inline script): a read of
	// one at load is never out of order.
	Globals []value

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
	// LinksOutside allows, quietly, symbolic links that lead out of the
	// root and the project (Debian's Django admin links its jQuery into
	// /usr/share/javascript); without it each is a warning. A link into a
	// system directory is an error either way.
	LinksOutside bool
}

// collectConfig is the [collect] table.
type collectConfig struct {
	Exclude         []value // globs over logical names; one matching a directory drops its tree
	DefaultExcludes bool    // also exclude Django's defaults, ".*", "*~" and "CVS"; default true
	Minify          bool    // minify collected CSS, JS, SVG and JSON; default false
	// Unused says what to make of collected files nothing refers to:
	// "ignore" (the default: only Options.Unused reports them), "warn" or
	// "error".
	Unused string
	// Keep are globs of collected files kept on purpose, never reported
	// as unused.
	Keep []value
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

	// Pipeline is the django-pipeline group name the bundle answers to,
	// in PIPELINE['STYLESHEETS'] for a .css output and ['JAVASCRIPT'] for
	// a .js one: what {% stylesheet %} and {% javascript %} name. Unset,
	// it is the bundle's name.
	Pipeline value

	// Wrap puts a script bundle inside django-pipeline's wrapper,
	// (function() {…}).call(this), so that its top-level declarations
	// stay its own instead of becoming the page's globals.
	Wrap bool

	// Entry, instead of Sources, makes an entry bundle: esbuild bundles
	// the ES module, TypeScript, JSX or CSS file it names with everything
	// it imports, splitting shared code into chunks.
	Entry     value
	Target    target        // an entry bundle's target; default config.Target
	Format    string        // an entry bundle's format: "esm" (default), or "iife" for a classic script
	SourceMap sourceMapMode // default config.SourceMap

	sourceMapSet bool // sourcemap was given in the bundle's table
	broken       bool // its table had problems, already reported
}

// PipelineName returns the django-pipeline group name the bundle answers
// to, in the namespace of its type.
func (b *bundleConfig) PipelineName() string {
	if b.Pipeline.S != "" {
		return b.Pipeline.S
	}
	return b.Name
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
	// Compiled when first used: its Unicode classes cost every run that
	// has no [globals] 0.3 ms at startup.
	identifierRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^[\p{L}\p{Nl}_$][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_$]*$`)
	})
)

// decodeConfig decodes the config's tree, adding a diagnostic for every
// problem and keeping every value it can, so that one run reports all.
// Each table has a function of its own below.
func decodeConfig(file string, top *tomlpos.Table, diags *ErrorList) *config {
	return decoder{file: file, diags: diags}.config(top)
}

// config decodes the top-level table.
func (d decoder) config(top *tomlpos.Table) *config {
	file, diags := d.file, d.diags
	c := &config{File: file, URL: "/static/", KeepUnhashed: true, Switch: defaultSwitch(), DjangoVersion: "1.0"}
	var haveOutput bool
	d.table(top, "", map[string]func(*tomlpos.Key){
		"output": func(k *tomlpos.Key) {
			var ok bool
			c.Output, ok = d.str(k)
			haveOutput = true // a value of the wrong type is not also missing
			if ok && c.Output.S == "" {
				diags.errorf(c.Output.Pos, CodeBadValue, nil, "output must not be empty")
			}
		},
		"url": func(k *tomlpos.Key) {
			v, ok := d.str(k)
			if !ok {
				return
			}
			c.URL, c.urlPos = v.S, v.Pos
			if !strings.HasSuffix(v.S, "/") {
				diags.errorf(v.Pos, CodeBadValue, nil, "url %q must end with a slash", v.S)
			}
		},
		"keep_unhashed": func(k *tomlpos.Key) { c.KeepUnhashed, _ = d.boolean(k) },
		"switch": func(k *tomlpos.Key) {
			v, ok := d.str(k)
			if ok && v.S != switchLink && v.S != switchInPlace {
				diags.errorf(v.Pos, CodeBadValue, nil, `switch must be %q (the output is a link, switched at once) or %q (files renamed one by one), not %q`, switchLink, switchInPlace, v.S)
				return
			}
			if ok {
				c.Switch = v.S
			}
		},
		"target":       func(k *tomlpos.Key) { c.Target = d.target(k) },
		"sourcemap":    func(k *tomlpos.Key) { c.SourceMap, _ = d.sourceMap(k) },
		"node_modules": func(k *tomlpos.Key) { c.NodeModules, _ = d.strings(k) },
		"root":         func(k *tomlpos.Key) { c.Roots = d.roots(k) },
		"bundle":       func(k *tomlpos.Key) { c.Bundles = d.bundles(k) },
		"collect":      func(k *tomlpos.Key) { c.Collect = d.collect(k) },
		"references":   func(k *tomlpos.Key) { d.references(k, &c.References) },
		"compress":     func(k *tomlpos.Key) { c.Compress = d.compress(k) },
		"templates":    func(k *tomlpos.Key) { c.Templates = d.templates(k) },
		"manifest":     func(k *tomlpos.Key) { d.manifest(k, c) },
		"publish":      func(k *tomlpos.Key) { c.Publish = d.publish(k) },
		"strict":       func(k *tomlpos.Key) { c.Strict, _ = d.boolean(k) },
		"globals": func(k *tomlpos.Key) {
			vs, _ := d.strings(k)
			for _, v := range vs {
				if !identifierRE().MatchString(v.S) {
					diags.errorf(v.Pos, CodeBadValue, nil, "globals: %q is not a JavaScript name", v.S)
					continue
				}
				c.Globals = append(c.Globals, v)
			}
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
	checkPipelineNames(c.Bundles, diags)
	if len(c.Roots) == 0 && top.Get("root") == nil {
		diags.errorf(Position{File: file, Line: 1, Col: 1}, CodeMissing, nil, `no [[root]]: name at least one directory of static files`)
	}
	if len(c.Bundles) == 0 && top.Get("collect") == nil {
		// Valid, and useless: the build would write an empty manifest.
		w := diags.errorf(Position{File: file, Line: 1, Col: 1}, CodeNothingToBuild, nil,
			`no [bundle.NAME] and no [collect]: the build makes nothing but an empty manifest`)
		w.Severity = SeverityWarning
	}
	return c
}

// checkPipelineNames reports each bundle that answers to the
// django-pipeline name of an earlier bundle of its type: django-pipeline
// has one namespace for stylesheets and one for scripts, and a tag naming
// both bundles would load one of them.
func checkPipelineNames(bundles []*bundleConfig, diags *ErrorList) {
	first := map[[2]string]*bundleConfig{} // type, name
	for _, b := range bundles {
		typ := b.Type()
		if typ == "" {
			continue // no output of a bundle type: reported already
		}
		key := [2]string{typ, b.PipelineName()}
		a, ok := first[key]
		if !ok {
			first[key] = b
			continue
		}
		pos := b.Pipeline.Pos
		if b.Pipeline.S == "" {
			pos = b.Pos
		}
		kind, tag := "a stylesheet", "stylesheet"
		if typ == "js" {
			kind, tag = "a script", "javascript"
		}
		diags.errorf(pos, CodeDuplicatePipelineName, nil, "bundle %q: pipeline name %q is also bundle %q's (line %d), %s too: {%% %s %q %%} would load one of them", b.Name, key[1], a.Name, a.Pos.Line, kind, tag, key[1])
	}
}

// roots decodes the [[root]] tables, keeping those with a path.
func (d decoder) roots(k *tomlpos.Key) []rootConfig {
	var roots []rootConfig
	for _, t := range d.tables(k) {
		var r rootConfig
		var havePath bool
		d.table(t.Tab, "root", map[string]func(*tomlpos.Key){
			"path":          func(k *tomlpos.Key) { r.Path, havePath = d.str(k) },
			"prefix":        func(k *tomlpos.Key) { r.Prefix, _ = d.str(k) },
			"links_outside": func(k *tomlpos.Key) { r.LinksOutside, _ = d.boolean(k) },
		})
		if !havePath {
			d.diags.errorf(d.at(t.Pos), CodeMissing, nil, "root: missing path")
			continue
		}
		if r.Path.S == "" {
			d.diags.errorf(r.Path.Pos, CodeBadValue, nil, "root path must not be empty")
			continue
		}
		roots = append(roots, r)
	}
	return roots
}

// bundles decodes the [bundle.NAME] tables, in the order they were written.
func (d decoder) bundles(k *tomlpos.Key) []*bundleConfig {
	t := d.tableValue(k)
	if t == nil {
		return nil
	}
	var bundles []*bundleConfig
	for _, bk := range t.Keys {
		if b := decodeBundle(&d, bk); b != nil {
			bundles = append(bundles, b)
		}
	}
	return bundles
}

// collect decodes the [collect] table.
func (d decoder) collect(k *tomlpos.Key) *collectConfig {
	t := d.tableValue(k)
	if t == nil {
		return nil
	}
	cc := &collectConfig{DefaultExcludes: true, Unused: "ignore"}
	d.table(t, "collect", map[string]func(*tomlpos.Key){
		"exclude": func(k *tomlpos.Key) { cc.Exclude, _ = d.patterns(k) },
		"keep":    func(k *tomlpos.Key) { cc.Keep, _ = d.patterns(k) },
		"unused": func(k *tomlpos.Key) {
			v, ok := d.str(k)
			if ok && v.S != "ignore" && v.S != "warn" && v.S != "error" {
				d.diags.errorf(v.Pos, CodeBadValue, nil, `unused must be "ignore", "warn" or "error", not %q`, v.S)
				return
			}
			if ok {
				cc.Unused = v.S
			}
		},
		"default_excludes": func(k *tomlpos.Key) { cc.DefaultExcludes, _ = d.boolean(k) },
		"minify":           func(k *tomlpos.Key) { cc.Minify, _ = d.boolean(k) },
	})
	return cc
}

// references decodes the [references] table into rc.
func (d decoder) references(k *tomlpos.Key, rc *referencesConfig) {
	t := d.tableValue(k)
	if t == nil {
		return
	}
	d.table(t, "references", map[string]func(*tomlpos.Key){
		"warn":   func(k *tomlpos.Key) { rc.Warn, _ = d.patterns(k) },
		"ignore": func(k *tomlpos.Key) { rc.Ignore, _ = d.patterns(k) },
	})
}

// compress decodes the [compress] table.
func (d decoder) compress(k *tomlpos.Key) *compressConfig {
	t := d.tableValue(k)
	if t == nil {
		return nil
	}
	cc := &compressConfig{Gzip: true, Brotli: true, GzipLevel: 9, BrotliLevel: 11, ZstdLevel: 3, Types: compressTypes}
	level := func(dst *int, lo, hi int) func(*tomlpos.Key) {
		return func(k *tomlpos.Key) {
			if k.Val.Kind != tomlpos.KindInteger {
				d.wrongType(k, "an integer")
				return
			}
			n, err := strconv.Atoi(k.Val.Str)
			if err != nil || n < lo || n > hi {
				d.diags.errorf(d.at(k.Val.Pos), CodeBadValue, nil, "%s must be from %d to %d, not %s", k.Name, lo, hi, k.Val.Str)
				return
			}
			*dst = n
		}
	}
	d.table(t, "compress", map[string]func(*tomlpos.Key){
		"gzip":         func(k *tomlpos.Key) { cc.Gzip, _ = d.boolean(k) },
		"brotli":       func(k *tomlpos.Key) { cc.Brotli, _ = d.boolean(k) },
		"zstd":         func(k *tomlpos.Key) { cc.Zstd, _ = d.boolean(k) },
		"gzip_level":   level(&cc.GzipLevel, 1, 9),
		"brotli_level": level(&cc.BrotliLevel, 0, 11),
		"zstd_level":   level(&cc.ZstdLevel, 1, 4),
		"types": func(k *tomlpos.Key) {
			vs, ok := d.strings(k)
			if !ok {
				return
			}
			cc.Types = nil
			for _, v := range vs {
				if !strings.HasPrefix(v.S, ".") || strings.Contains(v.S, "/") {
					d.diags.errorf(v.Pos, CodeBadValue, nil, "types: %q is not an extension such as \".css\"", v.S)
					continue
				}
				cc.Types = append(cc.Types, v.S)
			}
		},
	})
	return cc
}

// templates decodes the [templates] table and its [[templates.pattern]]s.
func (d decoder) templates(k *tomlpos.Key) *templatesConfig {
	t := d.tableValue(k)
	if t == nil {
		return nil
	}
	tc := &templatesConfig{Functions: []string{"asset", "integrity", "module"}}
	var havePaths bool
	d.table(t, "templates", map[string]func(*tomlpos.Key){
		"paths": func(k *tomlpos.Key) { tc.Paths, havePaths = d.templatePaths(k) },
		"functions": func(k *tomlpos.Key) {
			vs, ok := d.strings(k)
			if !ok {
				return
			}
			tc.Functions = nil
			for _, v := range vs {
				if !templateFuncRE.MatchString(v.S) {
					d.diags.errorf(v.Pos, CodeBadValue, nil, "functions: %q is not a template function name", v.S)
					continue
				}
				tc.Functions = append(tc.Functions, v.S)
			}
		},
		"pattern": func(k *tomlpos.Key) { tc.Patterns = d.templatePatterns(k) },
	})
	if !havePaths {
		d.diags.errorf(d.at(k.Pos), CodeMissing, nil, "templates: missing paths, the globs of the template files to check")
	}
	return tc
}

// templatePaths decodes [templates] paths: globs relative to the
// config, or absolute ones (Django admin's own templates, where Debian
// installs them), as a [[root]] path may be.
func (d decoder) templatePaths(k *tomlpos.Key) ([]value, bool) {
	vs, ok := d.strings(k)
	var out []value
	for _, v := range vs {
		pattern := v.S
		if isAbs(pattern) {
			// The pattern below the file system's root.
			pattern = strings.TrimLeft(filepath.ToSlash(strings.TrimPrefix(pattern, filepath.VolumeName(pattern))), "/")
		}
		if err := finders.ValidPattern(pattern); err != nil {
			d.diags.errorf(v.Pos, CodeBadPattern, err, "%s: %q: %s", k.Name, v.S, detail(err))
			continue
		}
		out = append(out, v)
	}
	return out, ok
}

// isAbs reports whether a path of the config is absolute: "/x" on every
// OS, and "C:\x" on Windows.
func isAbs(p string) bool { return path.IsAbs(p) || filepath.IsAbs(p) }

// templatePatterns decodes the [[templates.pattern]] tables: regular
// expressions with a (?P<name>...) group.
func (d decoder) templatePatterns(k *tomlpos.Key) []*regexp.Regexp {
	var patterns []*regexp.Regexp
	for _, pt := range d.tables(k) {
		d.table(pt.Tab, "templates.pattern", map[string]func(*tomlpos.Key){
			"regex": func(k *tomlpos.Key) {
				v, ok := d.str(k)
				if !ok {
					return
				}
				re, err := regexp.Compile(v.S)
				switch {
				case err != nil:
					d.diags.errorf(v.Pos, CodeBadValue, err, "regex: %v", err)
				case re.SubexpIndex("name") < 0:
					d.diags.errorf(v.Pos, CodeBadValue, nil, "regex %q has no (?P<name>...) group for the static name", v.S)
				default:
					patterns = append(patterns, re)
				}
			},
		})
	}
	return patterns
}

// manifest decodes the [manifest] table into c.
func (d decoder) manifest(k *tomlpos.Key, c *config) {
	t := d.tableValue(k)
	if t == nil {
		return
	}
	d.table(t, "manifest", map[string]func(*tomlpos.Key){
		"django": func(k *tomlpos.Key) { c.Django, _ = d.boolean(k) },
		"django_version": func(k *tomlpos.Key) {
			v, ok := d.str(k)
			if !ok {
				return
			}
			if v.S != "1.0" && v.S != "1.1" {
				d.diags.errorf(v.Pos, CodeBadValue, nil, `django_version must be "1.0" (every Django) or "1.1" (Django 4.2 and later), not %q`, v.S)
				return
			}
			c.DjangoVersion = v.S
		},
	})
}

// decodeBundle decodes a [bundle.NAME] table. A bundle with a problem is
// kept with what could be decoded, so that its sources are still looked up
// and their problems reported in the same run.
func decodeBundle(d *decoder, bk *tomlpos.Key) *bundleConfig {
	b := &bundleConfig{Name: bk.Name, Pos: d.at(bk.Pos), Minify: true}
	problems := len(*d.diags)
	defer func() { b.broken = len(*d.diags) > problems }()
	if !bundleNameRE.MatchString(b.Name) {
		d.diags.errorf(d.at(bk.Pos), CodeBadValue, nil, "bundle name %q: use letters, digits, '-' and '_'", b.Name)
	}
	t := d.tableValue(bk)
	if t == nil {
		return nil
	}
	var haveOutput, haveSources, haveEntry bool
	var wrapPos Position
	d.table(t, "bundle."+b.Name, map[string]func(*tomlpos.Key){
		"wrap":        func(k *tomlpos.Key) { b.Wrap, _ = d.boolean(k); wrapPos = d.at(k.Val.Pos) },
		"output":      func(k *tomlpos.Key) { b.Output, _ = d.str(k); haveOutput = true },
		"sources":     func(k *tomlpos.Key) { b.Sources, _ = d.strings(k); haveSources = true },
		"allow_empty": func(k *tomlpos.Key) { b.AllowEmpty, _ = d.strings(k) },
		"minify":      func(k *tomlpos.Key) { b.Minify, _ = d.boolean(k) },
		"entry": func(k *tomlpos.Key) {
			b.Entry, haveEntry = d.str(k)
			if haveEntry && b.Entry.S == "" {
				d.diags.errorf(b.Entry.Pos, CodeBadValue, nil, "bundle %q: entry must not be empty", b.Name)
			}
			haveEntry = true
		},
		"target": func(k *tomlpos.Key) { b.Target = d.target(k) },
		"format": func(k *tomlpos.Key) {
			v, ok := d.str(k)
			if ok && v.S != "esm" && v.S != "iife" {
				d.diags.errorf(v.Pos, CodeBadValue, nil, `bundle %q: format must be "esm" or "iife", not %q`, b.Name, v.S)
				return
			}
			b.Format = v.S
		},
		"sourcemap": func(k *tomlpos.Key) { b.SourceMap, b.sourceMapSet = d.sourceMap(k) },
		"pipeline": func(k *tomlpos.Key) {
			v, ok := d.str(k)
			switch {
			case !ok:
			case v.S == "":
				d.diags.errorf(v.Pos, CodeBadValue, nil, "bundle %q: pipeline must not be empty", b.Name)
			case strings.ContainsAny(v.S, "'\" \t\r\n\f\v"):
				d.diags.errorf(v.Pos, CodeBadValue, nil, "bundle %q: pipeline name %q: a django-pipeline group name has no white space or quotes", b.Name, v.S)
			default:
				b.Pipeline = v
			}
		},
	})
	switch {
	case haveEntry && haveSources:
		d.diags.errorf(d.at(bk.Pos), CodeBadValue, nil, "bundle %q: has both entry and sources: an entry bundle's sources are what its entry imports", b.Name)
	case haveEntry:
		if !haveOutput && b.Entry.S != "" {
			b.Output = value{S: defaultOutput(b.Entry.S), Pos: b.Entry.Pos}
			haveOutput = true
		}
		if b.Format == "" {
			b.Format = "esm"
		}
	default:
		if !haveSources {
			d.diags.errorf(d.at(bk.Pos), CodeMissing, nil, "bundle %q: missing sources (or an entry)", b.Name)
		}
		if b.Target.S != "" {
			d.diags.errorf(b.Target.Pos, CodeBadValue, nil, "bundle %q: target applies to entry bundles only: esbuild lowers what it bundles", b.Name)
		}
		if b.Format != "" {
			d.diags.errorf(d.at(bk.Pos), CodeBadValue, nil, "bundle %q: format applies to entry bundles only", b.Name)
		}
	}
	if !haveOutput {
		d.diags.errorf(d.at(bk.Pos), CodeMissing, nil, "bundle %q: missing output", b.Name)
	}
	switch {
	case !b.Wrap:
	case haveEntry && b.Format == "iife":
		d.diags.errorf(wrapPos, CodeBadValue, nil, `bundle %q: wrap applies to script bundles of sources: format = "iife" wraps an entry bundle already`, b.Name)
	case haveEntry:
		d.diags.errorf(wrapPos, CodeBadValue, nil, `bundle %q: wrap applies to script bundles of sources: an ES module's declarations are its own already (format = "iife" makes a classic script, wrapped)`, b.Name)
	case b.Type() == "css":
		d.diags.errorf(wrapPos, CodeBadValue, nil, "bundle %q: wrap applies to script bundles: %s is a stylesheet", b.Name, b.Output.S)
	}
	return b
}

// defaultOutput is an entry bundle's output when its table names none:
// the entry's name with the extension of what it makes ("js/app.ts" makes
// "js/app.js"), and ".bundle" before it where the entry already has that
// extension ("js/app.js" makes "js/app.bundle.js", and its stylesheet
// "js/app.bundle.css"): the entry's own name would hide it, and the name
// of its stylesheet would be the stylesheet's beside it that it imports.
func defaultOutput(entry string) string {
	ext := path.Ext(entry)
	stem := strings.TrimSuffix(entry, ext)
	switch ext {
	case ".js", ".css":
		return stem + ".bundle" + ext
	}
	return stem + ".js"
}

// decoder decodes values of the config's tree, adding a diagnostic for
// each that is not of the kind wanted.
type decoder struct {
	file  string
	diags *ErrorList
	// keys, when set, records the keys each table accepts, by the name
	// the table has in messages: see configKeys.
	keys map[string][]string
}

// configKeys returns the keys that the decoder accepts in each table of
// assets.toml, by table: "" for the top level, "root", "bundle.*",
// "collect", "references", "compress", "templates", "templates.pattern"
// "manifest" and "publish". It decodes a config that has each of these tables once,
// with a decoder that records what each call of table is given, so the
// answer is the decoder's own: the schema's test holds
// schema/assets.schema.json to it. A new table needs a line here.
func configKeys() map[string][]string {
	const every = `output = "o"
[[root]]
path = "s"
[bundle.b]
output = "b.js"
sources = ["b.js"]
[collect]
[references]
[compress]
[templates]
paths = ["t/*.html"]
[[templates.pattern]]
[manifest]
[publish]
`
	top, diag := parseTOML("every.toml", []byte(every))
	if diag != nil {
		panic(diag.Error())
	}
	d := decoder{file: "every.toml", diags: new(ErrorList), keys: map[string][]string{}}
	d.config(top)
	if len(*d.diags) > 0 {
		panic(d.diags.Error())
	}
	keys := map[string][]string{}
	for where, names := range d.keys {
		if strings.HasPrefix(where, "bundle.") {
			where = "bundle.*"
		}
		keys[where] = names
	}
	return keys
}

// at returns where in the config a key or value of its tree was written.
func (d decoder) at(p tomlpos.Pos) Position {
	return Position{File: d.file, Line: p.Line, Col: p.Col}
}

// table calls fields[name] for each key of t, and reports the keys that
// are not fields, with the field they were probably meant to be.
func (d decoder) table(t *tomlpos.Table, where string, fields map[string]func(*tomlpos.Key)) {
	if d.keys != nil {
		d.keys[where] = slices.Sorted(maps.Keys(fields))
	}
	for _, k := range t.Keys {
		if f, ok := fields[k.Name]; ok {
			f(k)
			continue
		}
		full := k.Name
		if where != "" {
			full = where + "." + k.Name
		}
		known := slices.Sorted(maps.Keys(fields))
		d.diags.errorf(d.at(k.Pos), CodeUnknownKey, nil, "unknown key %q%s", full, didYouMean(suggest.Nearest(k.Name, known)))
	}
}

func (d decoder) wrongType(k *tomlpos.Key, want string) {
	d.diags.errorf(d.at(k.Val.Pos), CodeType, nil, "%s must be %s, not %s", k.Name, want, k.Val.Kind)
}

func (d decoder) str(k *tomlpos.Key) (value, bool) {
	if k.Val.Kind != tomlpos.KindString {
		d.wrongType(k, "a string")
		return value{}, false
	}
	return value{S: k.Val.Str, Pos: d.at(k.Val.Pos)}, true
}

// sourceMap decodes a sourcemap value: true, false or "hidden".
func (d decoder) sourceMap(k *tomlpos.Key) (sourceMapMode, bool) {
	switch {
	case k.Val.Kind == tomlpos.KindBool && k.Val.Str == "true":
		return sourceMapLinked, true
	case k.Val.Kind == tomlpos.KindBool:
		return sourceMapNone, true
	case k.Val.Kind == tomlpos.KindString && k.Val.Str == "hidden":
		return sourceMapHidden, true
	}
	d.diags.errorf(d.at(k.Val.Pos), CodeBadValue, nil, `sourcemap must be true, false or "hidden"`)
	return sourceMapNone, false
}

// target decodes and parses a target, checking it as esbuild would.
func (d decoder) target(k *tomlpos.Key) target {
	v, ok := d.str(k)
	if !ok {
		return target{}
	}
	lang, engines, err := parseTarget(v.S)
	if err != nil {
		d.diags.errorf(v.Pos, CodeBadValue, err, "target %q: %v", v.S, err)
		return target{}
	}
	return target{value: v, lang: lang, engines: engines}
}

func (d decoder) boolean(k *tomlpos.Key) (bool, bool) {
	if k.Val.Kind != tomlpos.KindBool {
		d.wrongType(k, "true or false")
		return false, false
	}
	return k.Val.Str == "true", true
}

// strings decodes an array of strings, keeping the strings of an array
// that also holds other things.
func (d decoder) strings(k *tomlpos.Key) ([]value, bool) {
	if k.Val.Kind != tomlpos.KindArray {
		d.wrongType(k, "an array of strings")
		return nil, false
	}
	var out []value
	for _, e := range k.Val.Arr {
		if e.Kind != tomlpos.KindString {
			d.diags.errorf(d.at(e.Pos), CodeType, nil, "%s: elements must be strings, not %s", k.Name, e.Kind)
			continue
		}
		out = append(out, value{S: e.Str, Pos: d.at(e.Pos)})
	}
	return out, true
}

// patterns decodes an array of globs, reporting each invalid one.
func (d decoder) patterns(k *tomlpos.Key) ([]value, bool) {
	vs, ok := d.strings(k)
	var out []value
	for _, v := range vs {
		if err := finders.ValidPattern(v.S); err != nil {
			d.diags.errorf(v.Pos, CodeBadPattern, err, "%s: %q: %s", k.Name, v.S, detail(err))
			continue
		}
		out = append(out, v)
	}
	return out, ok
}

func (d decoder) tableValue(k *tomlpos.Key) *tomlpos.Table {
	if k.Val.Kind != tomlpos.KindTable {
		d.wrongType(k, "a table")
		return nil
	}
	return k.Val.Tab
}

// tables decodes an array of tables ([[root]] or root = [{...}]).
func (d decoder) tables(k *tomlpos.Key) []*tomlpos.Value {
	if k.Val.Kind != tomlpos.KindArray {
		d.wrongType(k, "an array of tables ([[root]])")
		return nil
	}
	var out []*tomlpos.Value
	for _, e := range k.Val.Arr {
		if e.Kind != tomlpos.KindTable {
			d.diags.errorf(d.at(e.Pos), CodeType, nil, "%s: elements must be tables, not %s", k.Name, e.Kind)
			continue
		}
		out = append(out, e)
	}
	return out
}
