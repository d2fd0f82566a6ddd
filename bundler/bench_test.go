package bundler_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stapler-build/stapler/bundler"
)

// The benchmarks build a generated project shaped like a large Django
// site: a project static/ root, a vendor package mounted under a prefix,
// and benchApps apps with a static/ dir each; about 3,000 files, of which
// some 2,000 are scripts and stylesheets (a few MB), the rest images and
// fonts the stylesheets reference; and twenty bundles of names, globs and
// exclusions.
const (
	benchApps          = 10
	benchAppScripts    = 120 // per app, a tenth of them *.test.js
	benchAppStyles     = 40
	benchAppImages     = 80
	benchProjectJS     = 300
	benchProjectCSS    = 60
	benchProjectImages = 150
	benchVendorJS      = 60
	benchVendorCSS     = 20
	benchVendorFonts   = 20
)

var words = strings.Fields(`account order cart item price user profile comment post
	thread message widget panel modal tooltip chart series axis legend filter search
	result page table row column cell header footer menu nav tab slider gallery image
	upload file folder invoice payment shipping address country region city tag label
	badge alert toast dialog form field input select option button link icon avatar`)

// projectGen writes a project; every choice comes from its seeded source.
type projectGen struct {
	r     *rand.Rand
	dir   string
	files int
	bytes int64 // of scripts and stylesheets
}

func (g *projectGen) word() string { return words[g.r.IntN(len(words))] }

func (g *projectGen) camel(n int) string {
	var b strings.Builder
	for i := range n {
		w := g.word()
		if i > 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
	}
	return b.String()
}

func (g *projectGen) write(name string, data []byte) {
	full := filepath.Join(g.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		panic(err)
	}
	if err := os.WriteFile(full, data, 0o644); err != nil {
		panic(err)
	}
	g.files++
	if ext := filepath.Ext(name); ext == ".js" || ext == ".css" {
		g.bytes += int64(len(data))
	}
}

// script is a classic script of a few hundred to a few thousand bytes:
// a module object built by an IIFE, with helpers, string literals,
// comments and a global it exports.
func (g *projectGen) script(global string, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "/**\n * %s: the %s and %s of the %s screen.\n * Generated for stapler's benchmarks (file %d).\n */\n",
		global, g.word(), g.word(), g.word(), n)
	fmt.Fprintf(&b, "var %s = (function (window, document) {\n  \"use strict\";\n\n", global)
	fmt.Fprintf(&b, "  var DEFAULTS = {\n    endpoint: \"/api/%s/%s/\",\n    pageSize: %d,\n    retries: %d,\n    label: \"%s %s\"\n  };\n\n",
		g.word(), g.word(), 10+g.r.IntN(90), 1+g.r.IntN(5), g.word(), g.word())
	funcs := 2 + g.r.IntN(5)
	var names []string
	for i := range funcs {
		name := fmt.Sprintf("%s%d", g.camel(2), i)
		names = append(names, name)
		fmt.Fprintf(&b, "  // %s %s the %s, or returns null when there is no %s.\n", name, g.word()+"s", g.word(), g.word())
		param := g.word() + "Element"
		fmt.Fprintf(&b, "  function %s(%s, options) {\n", name, param)
		fmt.Fprintf(&b, "    var settings = Object.assign({}, DEFAULTS, options || {});\n")
		fmt.Fprintf(&b, "    settings.%sList = document.querySelectorAll(\".%s-%s\");\n", g.word(), g.word(), g.word())
		fmt.Fprintf(&b, "    if (!%s) {\n      return null;\n    }\n", param)
		for range 1 + g.r.IntN(3) {
			switch g.r.IntN(3) {
			case 0:
				fmt.Fprintf(&b, "    for (var i = 0; i < settings.pageSize; i++) {\n      settings.%s = (settings.%s || 0) + i * %d;\n    }\n", g.word(), g.word(), g.r.IntN(100))
			case 1:
				fmt.Fprintf(&b, "    var message = \"The %s could not be %s: \" + settings.label + \" (\" + settings.retries + \" retries)\";\n    window.console && window.console.log(message);\n", g.word(), g.word())
			default:
				fmt.Fprintf(&b, "    settings.%sHandler = function (event) {\n      event.preventDefault();\n      return { kind: \"%s\", at: Date.now(), target: event.target };\n    };\n", g.word(), g.word())
			}
		}
		b.WriteString("    return settings;\n  }\n\n")
	}
	b.WriteString("  return {\n")
	for i, name := range names {
		fmt.Fprintf(&b, "    %s: %s", name, name)
		if i < len(names)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("  };\n})(window, document);\n")
	return []byte(b.String())
}

// stylesheet is a stylesheet of rules and media queries, some of whose
// backgrounds are images, at relImg from the stylesheet.
func (g *projectGen) stylesheet(prefix string, images []string, relImg string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "/* %s: styles for the %s %s. */\n\n", prefix, g.word(), g.word())
	for i := range 6 + g.r.IntN(10) {
		fmt.Fprintf(&b, ".%s-%s-%d,\n.%s-%s-%d:hover {\n", prefix, g.word(), i, prefix, g.word(), i)
		fmt.Fprintf(&b, "  display: %s;\n", []string{"block", "flex", "grid", "inline-block"}[g.r.IntN(4)])
		fmt.Fprintf(&b, "  margin: %dpx %dpx;\n  padding: %.3frem;\n", g.r.IntN(40), g.r.IntN(40), g.r.Float64()*3)
		fmt.Fprintf(&b, "  color: #%06x;\n", g.r.IntN(1<<24))
		if len(images) > 0 && g.r.IntN(3) == 0 {
			fmt.Fprintf(&b, "  background: #%06x url(%s/%s) no-repeat center;\n", g.r.IntN(1<<24), relImg, images[g.r.IntN(len(images))])
		}
		b.WriteString("}\n\n")
		if g.r.IntN(5) == 0 {
			fmt.Fprintf(&b, "@media (max-width: %dpx) {\n  .%s-%s-%d {\n    display: none;\n  }\n}\n\n", 480+g.r.IntN(800), prefix, g.word(), i)
		}
	}
	return []byte(b.String())
}

// image is a file of 1 to 8 kB that begins like a PNG.
func (g *projectGen) image() []byte {
	data := make([]byte, 1024+g.r.IntN(7*1024))
	for i := range data {
		data[i] = byte(g.r.Uint32())
	}
	copy(data, "\x89PNG\r\n\x1a\n")
	return data
}

// tree writes a root's scripts, stylesheets and images under base (a
// root directory plus the namespace its files live under).
func (g *projectGen) tree(base, global string, scripts, styles, images int) {
	var imgs []string
	for i := range images {
		name := fmt.Sprintf("%s-%03d.png", g.word(), i)
		imgs = append(imgs, name)
		g.write(base+"/img/"+name, g.image())
	}
	for i := range scripts {
		name := fmt.Sprintf("js/%s/%s-%03d.js", []string{"models", "views", "widgets/forms", "widgets/charts"}[i%4], g.word(), i)
		if i%10 == 9 {
			name = strings.TrimSuffix(name, ".js") + ".test.js"
		}
		g.write(base+"/"+name, g.script(fmt.Sprintf("%s%s%d", global, g.camel(1), i), i))
	}
	for i := range styles {
		dir, rel := "css", "../img"
		if i%3 == 0 {
			dir, rel = "css/components", "../../img"
		}
		g.write(fmt.Sprintf("%s/%s/%s-%03d.css", base, dir, g.word(), i), g.stylesheet(fmt.Sprintf("%s-%d", global, i), imgs, rel))
	}
}

// generateProject writes the benchmarks' project to dir and returns its
// number of files and the bytes of its scripts and stylesheets.
func generateProject(dir string) (files int, size int64) {
	g := &projectGen{r: rand.New(rand.NewPCG(2026, 2)), dir: dir}
	g.tree("static", "site", benchProjectJS, benchProjectCSS, benchProjectImages)
	for i := range benchVendorJS {
		g.write(fmt.Sprintf("vendor/dist/js/plugin-%02d.js", i), g.script(fmt.Sprintf("Plugin%s%d", g.camel(1), i), i))
	}
	for i := range benchVendorCSS {
		g.write(fmt.Sprintf("vendor/dist/css/theme-%02d.css", i), g.stylesheet(fmt.Sprintf("theme-%d", i), nil, ""))
	}
	var fonts []string
	for i := range benchVendorFonts {
		name := fmt.Sprintf("icons-%02d.woff2", i)
		fonts = append(fonts, name)
		g.write("vendor/dist/fonts/"+name, g.image())
	}
	var fontFaces strings.Builder
	for i, f := range fonts {
		fmt.Fprintf(&fontFaces, "@font-face {\n  font-family: \"Icons%d\";\n  src: url(\"../fonts/%s?v=4.7.0\") format(\"woff2\");\n}\n", i, f)
	}
	g.write("vendor/dist/css/fonts.css", []byte(fontFaces.String()))

	var cfg strings.Builder
	cfg.WriteString(`output = "build/static"

[[root]]
path = "static"

[[root]]
path = "vendor/dist"
prefix = "vendor"

[[root]]
path = "apps/*/static"

[bundle.core]
output = "bundles/core.js"
sources = [
  "js/models/**/*.js",
  "js/views/*.js",
  "!js/**/*.test.js",
]

[bundle.widgets]
output = "bundles/widgets.js"
sources = ["js/widgets/**/*.js", "!js/widgets/**/*.test.js"]

[bundle.vendor]
output = "bundles/vendor.js"
sources = ["vendor/js/plugin-00.js", "vendor/js/plugin-01.js", "vendor/js/*.js"]

[bundle.site]
output = "bundles/site.css"
sources = ["vendor/css/fonts.css", "vendor/css/theme-*.css", "css/**/*.css"]
`)
	for a := range benchApps {
		app := fmt.Sprintf("app%02d", a)
		g.tree("apps/"+app+"/static/"+app, strings.ToUpper(app[:1])+app[1:], benchAppScripts, benchAppStyles, benchAppImages)
		fmt.Fprintf(&cfg, "\n[bundle.%s-js]\noutput = \"bundles/%s.js\"\nsources = [\n  \"%s/js/models/*.js\",\n  \"%s/js/**/*.js\",\n  \"!%s/js/**/*.test.js\",\n]\n", app, app, app, app, app)
		if a%2 == 0 {
			fmt.Fprintf(&cfg, "\n[bundle.%s-css]\noutput = \"bundles/%s.css\"\nsources = [\"%s/css/**/*.css\"]\n", app, app, app)
		}
	}
	cfg.WriteString(`
[bundle.odd-apps-css]
output = "bundles/odd-apps.css"
sources = ["app01/css/*.css", "app03/css/*.css", "app05/css/*.css", "app07/css/*.css", "app09/css/*.css"]

[manifest]
django = true
`)
	g.write("assets.toml", []byte(cfg.String()))
	return g.files, g.bytes
}

// benchProject generates the project and returns its config's path and
// the bytes a build reads.
func benchProject(b *testing.B) (config string, bytesIn int64) {
	b.Helper()
	dir := b.TempDir()
	files, size := generateProject(dir)
	config = filepath.Join(dir, "assets.toml")
	p, err := bundler.Load(bundler.Options{Config: config})
	if err != nil {
		b.Fatal(err)
	}
	res, err := p.Check(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d files, %.1f MB of JS and CSS; %d bundles read %d files, %.1f MB, and make %d outputs, %.1f MB",
		files, float64(size)/1e6, res.Stats.Bundles, res.Stats.Sources, float64(res.Stats.BytesIn)/1e6, len(res.Outputs), float64(res.Stats.BytesOut)/1e6)
	return config, res.Stats.BytesIn
}

func BenchmarkBuildCold(b *testing.B) {
	config, bytesIn := benchProject(b)
	outs := b.TempDir()
	b.SetBytes(bytesIn)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p, err := bundler.Load(bundler.Options{Config: config, OutputDir: filepath.Join(outs, fmt.Sprint(i))})
		if err != nil {
			b.Fatal(err)
		}
		res, err := p.Build(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if res.Stats.Unchanged != 0 {
			b.Fatalf("cold build found %d files in place", res.Stats.Unchanged)
		}
	}
}

func BenchmarkRebuildUnchanged(b *testing.B) {
	config, bytesIn := benchProject(b)
	p, err := bundler.Load(bundler.Options{Config: config})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.Build(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(bytesIn)
	b.ReportAllocs()
	for b.Loop() {
		p, err := bundler.Load(bundler.Options{Config: config})
		if err != nil {
			b.Fatal(err)
		}
		res, err := p.Build(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if res.Stats.Written != 0 {
			b.Fatalf("rebuild wrote %d files", res.Stats.Written)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	config, bytesIn := benchProject(b)
	b.SetBytes(bytesIn)
	b.ReportAllocs()
	for b.Loop() {
		p, err := bundler.Load(bundler.Options{Config: config})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := p.Check(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
