package bundler_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stapler-build/stapler/bundler"
	"golang.org/x/sync/errgroup"
)

// The BenchmarkCollect* benchmarks build a generated site of about 20,000
// files with [collect], as collectstatic would: a project static/ root, a
// vendor root mounted under the prefix "vendor" (a dozen npm-style
// packages and an icon set of SVGs), and collectApps apps with a static/
// dir each. Most files are images and fonts (random bytes behind a real
// format's magic number, from a few hundred bytes to a few hundred kB);
// a few thousand stylesheets reference them with url(), relatively and as
// /static/... (across roots too), and @import one another two levels deep;
// some scripts and vendor stylesheets name the source maps their package
// ships. Every reference names a file that exists and there is no cycle,
// so that Django's ManifestStaticFilesStorage collects the same tree
// (testdata/bench/collectstatic.sh times the two in one run, from the tree
// TestWriteBenchTree writes).
const (
	collectSeed = 2027

	collectApps          = 20
	collectAppImages     = 570
	collectAppComponents = 90 // stylesheets with url()s
	collectAppIndexes    = 10 // stylesheets that @import components
	collectAppScripts    = 110
	collectAppMaps       = 12 // of the scripts, those that ship a .map

	collectProjectImages     = 1200
	collectProjectFonts      = 8 // families, of 5 files each (an SVG font too)
	collectProjectComponents = 260
	collectProjectIndexes    = 20 // and css/main.css, which imports them
	collectProjectScripts    = 380
	collectProjectMaps       = 60

	collectVendorIcons = 1600 // vendor/icons/svg/*.svg
)

var collectVendorPackages = strings.Fields(`chartkit datepick select-lite lightbox
	carousel editor maps tables tooltips uploader colorpick calendar`)

// siteTree is a generated site: its files, and what references what, by
// logical name, so that a benchmark can say which outputs a change must
// rename.
type siteTree struct {
	files   []siteFile
	refs    map[string][]string // target → the stylesheets that url() it
	imports map[string][]string // stylesheet → the stylesheets that @import it
	bundles map[string][]string // bundle output → its sources

	image     string // the image BenchmarkCollectOneImageChanged rewrites
	imageDisk string // its path in the tree, slash-separated
	imageSize int

	count int   // files in the roots
	bytes int64 // their size
	kinds map[string]int
}

// siteFile is a file of the tree: name is its logical name (the manifest
// key), disk its path relative to the tree.
type siteFile struct {
	name, disk string
	data       []byte
}

// siteRoot is a [[root]]: a directory of the tree, and the prefix its
// files' logical names start with.
type siteRoot struct{ disk, prefix string }

type siteGen struct {
	r     *rand.Rand
	js    *projectGen // bench_test.go's scripts, from the same source
	t     *siteTree
	icons []string // the vendor icon set, for /static/vendor/... references
}

func (g *siteGen) add(rt siteRoot, rel string, data []byte) string {
	name := path.Join(rt.prefix, rel)
	g.t.files = append(g.t.files, siteFile{name, path.Join(rt.disk, rel), data})
	g.t.count++
	g.t.bytes += int64(len(data))
	g.t.kinds[path.Ext(name)]++
	return name
}

func (g *siteGen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

var siteMagic = map[string]string{
	".png":   "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
	".gif":   "GIF89a",
	".jpg":   "\xff\xd8\xff\xe0\x00\x10JFIF\x00",
	".webp":  "RIFF\x00\x00\x00\x00WEBPVP8 ",
	".woff2": "wOF2\x00\x01\x00\x00",
	".woff":  "wOFF\x00\x01\x00\x00",
	".ttf":   "\x00\x01\x00\x00\x00\x10\x01\x00",
	".eot":   "\x00\x00\x01\x00\x02\x00\x04\x00LP",
}

// siteBinary is size bytes of noise behind ext's magic number.
func siteBinary(r *rand.Rand, ext string, size int) []byte {
	data := make([]byte, size)
	for i := 0; i < size; i += 8 {
		v := r.Uint64()
		for j := i; j < i+8 && j < size; j++ {
			data[j] = byte(v)
			v >>= 8
		}
	}
	copy(data, siteMagic[ext])
	return data
}

// svg is an icon of a few hundred bytes to a few kB of path data.
func (g *siteGen) svg() []byte {
	var b strings.Builder
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" fill="currentColor" viewBox="0 0 16 16">` + "\n  <path d=\"M")
	for range g.between(20, 300) {
		fmt.Fprintf(&b, "%.3f %.3f%c", g.r.Float64()*16, g.r.Float64()*16, "LCQSAHVZ"[g.r.IntN(8)])
	}
	b.WriteString("\"/>\n</svg>\n")
	return []byte(b.String())
}

// image is an image of a realistic size for its kind: icons of a few
// hundred bytes to 3 kB, interface images to 25 kB, photos to 150 kB:
// about 10 kB on average.
func (g *siteGen) image(rt siteRoot, dir string, i int) string {
	var sub, ext string
	var size int
	switch k := g.r.IntN(100); {
	case k < 49:
		sub, ext, size = "icons", []string{".png", ".png", ".gif", ".svg"}[g.r.IntN(4)], g.between(200, 3000)
	case k < 96:
		sub, ext, size = "ui", []string{".png", ".png", ".webp", ".jpg"}[g.r.IntN(4)], g.between(2000, 25000)
	default:
		sub, ext, size = "photos", ".jpg", g.between(30000, 150000)
	}
	rel := fmt.Sprintf("%s/img/%s/%s-%s-%04d%s", dir, sub, g.js.word(), g.js.word(), i, ext)
	if ext == ".svg" {
		return g.add(rt, rel, g.svg())
	}
	return g.add(rt, rel, siteBinary(g.r, ext, size))
}

// fonts writes a font family in four formats (and an SVG font) and
// returns their names.
func (g *siteGen) fonts(rt siteRoot, dir, family string) []string {
	var names []string
	for _, ext := range []string{".eot", ".woff2", ".woff", ".ttf", ".svg"} {
		rel := fmt.Sprintf("%s/fonts/%s-regular%s", dir, family, ext)
		if ext == ".svg" {
			names = append(names, g.add(rt, rel, g.svg()))
		} else {
			names = append(names, g.add(rt, rel, siteBinary(g.r, ext, g.between(15000, 90000))))
		}
	}
	return names
}

// fontFace is an @font-face rule for the stylesheet css, with the forms of
// Django's tests: an "?#iefix" query and a "#name" fragment.
func (g *siteGen) fontFace(css, family string, fonts []string) string {
	var u []string
	for _, f := range fonts {
		u = append(u, g.ref(css, f, false))
	}
	return fmt.Sprintf(`@font-face {
  font-family: %q;
  src: url("%s");
  src: url("%s?#iefix") format("embedded-opentype"),
       url("%s") format("woff2"),
       url("%s") format("woff"),
       url("%s") format("truetype"),
       url("%s#%sregular") format("svg");
  font-weight: normal;
  font-style: normal;
}

`, family, u[0], u[0], u[1], u[2], u[3], u[4], family)
}

// ref records that the stylesheet css references target, and returns the
// URL it writes: relative, or /static/... when absolute.
func (g *siteGen) ref(css, target string, absolute bool) string {
	if !slices.Contains(g.t.refs[target], css) {
		g.t.refs[target] = append(g.t.refs[target], css)
	}
	if absolute {
		return "/static/" + target
	}
	return siteRelURL(css, target)
}

// siteRelURL is the relative URL of the logical name to from the file
// from: "app01/css/components/a.css", "app01/img/b.png" → "../../img/b.png".
func siteRelURL(from, to string) string {
	var fd []string
	if d := path.Dir(from); d != "." {
		fd = strings.Split(d, "/")
	}
	td := strings.Split(to, "/")
	i := 0
	for i < len(fd) && i < len(td)-1 && fd[i] == td[i] {
		i++
	}
	return strings.Repeat("../", len(fd)-i) + strings.Join(td[i:], "/")
}

func (g *siteGen) url(u string) string {
	q := []string{"", "'", `"`}[g.r.IntN(3)]
	return "url(" + q + u + q + ")"
}

// A small PNG, as stylesheets inline them: Django and stapler both leave
// data: URIs alone.
var siteDataURI = "data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"))

// rules writes n rules for the stylesheet css, a third of them with a
// background from imgs (mostly relative, some /static/..., some a vendor
// icon), and at least one reference.
func (g *siteGen) rules(b *strings.Builder, css string, imgs []string, n int) {
	prefix := strings.TrimSuffix(path.Base(css), ".css")
	refs := 0
	for i := range n {
		fmt.Fprintf(b, ".%s-%s-%d,\n.%s-%s-%d:hover {\n", prefix, g.js.word(), i, prefix, g.js.word(), i)
		fmt.Fprintf(b, "  display: %s;\n", []string{"block", "flex", "grid", "inline-block"}[g.r.IntN(4)])
		fmt.Fprintf(b, "  margin: %dpx %dpx;\n  padding: %.3frem;\n  color: #%06x;\n", g.r.IntN(40), g.r.IntN(40), g.r.Float64()*3, g.r.IntN(1<<24))
		if len(imgs) > 0 && (g.r.IntN(3) == 0 || i == n-1 && refs == 0) {
			refs++
			var u string
			switch k := g.r.IntN(100); {
			case k < 8:
				u = g.ref(css, g.icons[g.r.IntN(len(g.icons))], true)
			case k < 18:
				u = g.ref(css, imgs[g.r.IntN(len(imgs))], true)
			default:
				u = g.ref(css, imgs[g.r.IntN(len(imgs))], false)
				if g.r.IntN(10) == 0 {
					u += fmt.Sprintf("?v=%d", g.r.IntN(20))
				}
			}
			switch g.r.IntN(4) {
			case 0:
				fmt.Fprintf(b, "  background: #%06x %s no-repeat center;\n", g.r.IntN(1<<24), g.url(u))
			case 1:
				fmt.Fprintf(b, "  background-image: %s;\n", g.url(u))
			case 2:
				fmt.Fprintf(b, "  list-style-image: %s;\n", g.url(u))
			default:
				fmt.Fprintf(b, "  cursor: %s, pointer;\n", g.url(u))
			}
		}
		if g.r.IntN(12) == 0 {
			fmt.Fprintf(b, "  border-image: url(%s) 30 round;\n", siteDataURI)
		}
		b.WriteString("}\n\n")
		if g.r.IntN(5) == 0 {
			fmt.Fprintf(b, "@media (max-width: %dpx) {\n  .%s-%s-%d {\n    display: none;\n  }\n}\n\n", 480+g.r.IntN(800), prefix, g.js.word(), i)
		}
	}
}

// importRules writes @import rules for each of comps, from the stylesheet css,
// in the forms people write.
func (g *siteGen) importRules(b *strings.Builder, css string, comps []string) {
	for _, c := range comps {
		g.t.imports[c] = append(g.t.imports[c], css)
		u := siteRelURL(css, c)
		switch g.r.IntN(4) {
		case 0:
			fmt.Fprintf(b, "@import %q;\n", u)
		case 1:
			fmt.Fprintf(b, "@import '%s';\n", u)
		case 2:
			fmt.Fprintf(b, "@import url(%q);\n", u)
		default:
			fmt.Fprintf(b, "@import url(%s) screen and (min-width: %dpx);\n", u, 576+g.r.IntN(800))
		}
	}
	b.WriteString("\n")
}

// scripts writes n scripts under dir/js, of which every n/maps-th names a
// source map shipped beside it.
func (g *siteGen) scripts(rt siteRoot, dir, global string, n, maps int) []string {
	var names []string
	for i := range n {
		rel := fmt.Sprintf("%s/js/%s/%s-%03d.js", dir, []string{"models", "views", "widgets", "lib"}[i%4], g.js.word(), i)
		data := g.js.script(fmt.Sprintf("%s%s%d", global, g.js.camel(1), i), i)
		if maps > 0 && i%(n/maps) == 0 && i/(n/maps) < maps {
			base := path.Base(rel)
			data = append(data, "//# sourceMappingURL="+base+".map\n"...)
			g.add(rt, rel+".map", g.sourceMap(base, len(data)))
		}
		names = append(names, g.add(rt, rel, data))
	}
	return names
}

// sourceMap is a version 3 source map of about twice size bytes.
func (g *siteGen) sourceMap(file string, size int) []byte {
	const vlq = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var m strings.Builder
	for m.Len() < 2*size {
		for range g.between(1, 5) {
			m.WriteByte(vlq[g.r.IntN(len(vlq))])
		}
		m.WriteByte(",;"[g.r.IntN(2)])
	}
	// With the sources' contents, as npm packages ship their maps: the
	// sources themselves are not served (sourcemap-sources).
	src := strings.TrimSuffix(file, ".js") + ".ts"
	return fmt.Appendf(nil, `{"version":3,"file":%q,"sources":["../../src/%s"],"sourcesContent":[%q],"names":[],"mappings":%q}`+"\n",
		file, src, "// "+src+"\n", m.String())
}

// section writes a namespace of a root: images, stylesheets (components
// with url()s, indexes that @import them), scripts. It returns the names
// of each kind of stylesheet and of the scripts.
func (g *siteGen) section(rt siteRoot, dir, global string, images, components, indexes, scripts, maps int) (comps, idx, js []string) {
	var imgs []string
	for i := range images {
		imgs = append(imgs, g.image(rt, dir, i))
	}
	for i := range components {
		rel := fmt.Sprintf("%s/css/components/%s-%03d.css", dir, g.js.word(), i)
		css := path.Join(rt.prefix, rel)
		var b strings.Builder
		fmt.Fprintf(&b, "/* %s: the %s %s. */\n\n", path.Base(css), g.js.word(), g.js.word())
		g.rules(&b, css, imgs, g.between(6, 14))
		comps = append(comps, g.add(rt, rel, []byte(b.String())))
	}
	for i := range indexes {
		rel := fmt.Sprintf("%s/css/%s-%02d.css", dir, g.js.word(), i)
		css := path.Join(rt.prefix, rel)
		var b strings.Builder
		fmt.Fprintf(&b, "/* %s: the %s pages. */\n", path.Base(css), g.js.word())
		var picked []string
		for _, k := range g.r.Perm(len(comps))[:g.between(4, 10)] {
			picked = append(picked, comps[k])
		}
		g.importRules(&b, css, picked)
		g.rules(&b, css, imgs, g.between(2, 5))
		idx = append(idx, g.add(rt, rel, []byte(b.String())))
	}
	js = g.scripts(rt, dir, global, scripts, maps)
	return comps, idx, js
}

// vendorPackage writes an npm-style package: a stylesheet and its
// minified copy with a source map, a script likewise, images, and for
// some an icon font.
func (g *siteGen) vendorPackage(rt siteRoot, pkg string, font bool) {
	var imgs, fonts []string
	for i := range g.between(15, 50) {
		imgs = append(imgs, g.image(rt, pkg, i))
	}
	if font {
		fonts = g.fonts(rt, pkg, pkg+"-icons")
	}
	var full strings.Builder
	fmt.Fprintf(&full, "/*! %s v%d.%d.%d | MIT License */\n", pkg, g.r.IntN(6), g.r.IntN(20), g.r.IntN(10))
	css := path.Join(rt.prefix, pkg, "css", pkg+".css")
	minCSS := path.Join(rt.prefix, pkg, "css", pkg+".min.css")
	if font {
		full.WriteString(g.fontFace(css, pkg+"-icons", fonts))
		g.fontFace(minCSS, pkg+"-icons", fonts) // the same references
	}
	g.rules(&full, css, imgs, g.between(20, 60))
	for _, img := range imgs {
		if slices.Contains(g.t.refs[img], css) {
			g.ref(minCSS, img, false)
		}
	}
	for _, icon := range g.icons {
		if slices.Contains(g.t.refs[icon], css) {
			g.ref(minCSS, icon, false)
		}
	}
	minified := strings.Join(strings.Fields(full.String()), " ") + "\n/*# sourceMappingURL=" + pkg + ".min.css.map */\n"
	g.add(rt, pkg+"/css/"+pkg+".css", []byte(full.String()))
	g.add(rt, pkg+"/css/"+pkg+".min.css.map", g.sourceMap(pkg+".min.css", len(minified)))
	g.add(rt, pkg+"/css/"+pkg+".min.css", []byte(minified))

	script := g.js.script(strings.ReplaceAll(pkg, "-", ""), 0)
	g.add(rt, pkg+"/js/"+pkg+".js", script)
	minJS := strings.Join(strings.Fields(string(script)), " ") + "\n//# sourceMappingURL=" + pkg + ".min.js.map\n"
	g.add(rt, pkg+"/js/"+pkg+".min.js.map", g.sourceMap(pkg+".min.js", len(minJS)))
	g.add(rt, pkg+"/js/"+pkg+".min.js", []byte(minJS))
}

// generateSite makes the benchmarks' site in memory.
func generateSite() *siteTree { return generateSiteApps(collectApps) }

// generateSiteApps generates the site with apps apps: 20 make about
// 20,000 files, none about 4,000.
func generateSiteApps(apps int) *siteTree {
	t := &siteTree{
		refs: map[string][]string{}, imports: map[string][]string{}, bundles: map[string][]string{},
		kinds: map[string]int{},
	}
	r := rand.New(rand.NewPCG(collectSeed, 3))
	g := &siteGen{r: r, js: &projectGen{r: r}, t: t}

	vendor := siteRoot{"vendor/dist", "vendor"}
	for i := range collectVendorIcons {
		g.icons = append(g.icons, g.add(vendor, fmt.Sprintf("icons/svg/%s-%s-%04d.svg", g.js.word(), g.js.word(), i), g.svg()))
	}
	var b strings.Builder
	b.WriteString("/*! icons | MIT License */\n")
	for _, icon := range g.icons[:200] {
		fmt.Fprintf(&b, ".bi-%s::before {\n  content: \"\";\n  background-image: %s;\n}\n", strings.TrimSuffix(path.Base(icon), ".svg"), g.url(g.ref("vendor/icons/icons.css", icon, false)))
	}
	g.add(vendor, "icons/icons.css", []byte(b.String()))
	for i, pkg := range collectVendorPackages {
		g.vendorPackage(vendor, pkg, i%3 == 0)
	}

	project := siteRoot{"static", ""}
	var fontFaces strings.Builder
	for i := range collectProjectFonts {
		family := fmt.Sprintf("%s%d", g.js.word(), i)
		fontFaces.WriteString(g.fontFace("css/fonts.css", family, g.fonts(project, ".", family)))
	}
	g.add(project, "css/fonts.css", []byte(fontFaces.String()))
	comps, idx, scripts := g.section(project, ".", "site", collectProjectImages, collectProjectComponents, collectProjectIndexes, collectProjectScripts, collectProjectMaps)
	b.Reset()
	b.WriteString("/* main.css: every page's styles. */\n")
	g.importRules(&b, "css/main.css", append([]string{"css/fonts.css"}, idx...))
	g.add(project, "css/main.css", []byte(b.String()))
	t.bundles["bundles/site.css"] = comps
	for _, js := range scripts {
		if strings.HasPrefix(js, "js/models/") || strings.HasPrefix(js, "js/views/") {
			t.bundles["bundles/site.js"] = append(t.bundles["bundles/site.js"], js)
		}
	}

	cfg := `# The BenchmarkCollect* site: what collectstatic would collect, plus two bundles.
output = "build/static"

[[root]]
path = "static"

[[root]]
path = "vendor/dist"
prefix = "vendor"

%s[collect]

[bundle.site-css]
output = "bundles/site.css"
sources = ["css/components/*.css"]

[bundle.site-js]
output = "bundles/site.js"
sources = ["js/models/*.js", "js/views/*.js"]

[manifest]
django = true
django_version = "1.0"
`
	appsRoot := ""
	if apps > 0 {
		appsRoot = "[[root]]\npath = \"apps/*/static\"\n\n"
	}
	cfg = fmt.Sprintf(cfg, appsRoot)
	for a := range apps {
		app := fmt.Sprintf("app%02d", a)
		g.section(siteRoot{"apps/" + app + "/static", ""}, app, "App"+app[3:], collectAppImages, collectAppComponents, collectAppIndexes, collectAppScripts, collectAppMaps)
	}
	t.files = append(t.files, siteFile{"", "assets.toml", []byte(cfg)})

	// The image to change: the first of the project's images that a few
	// stylesheets reference, one of them in a bundle.
	for _, f := range t.files {
		refs := t.refs[f.name]
		if strings.HasPrefix(f.name, "img/") && !strings.HasSuffix(f.name, ".svg") && len(refs) >= 3 && len(refs) <= 5 &&
			slices.ContainsFunc(refs, func(css string) bool { return slices.Contains(comps, css) }) {
			t.image, t.imageDisk, t.imageSize = f.name, f.disk, len(f.data)
			break
		}
	}
	if t.image == "" {
		panic("generateSite: no image is referenced by 3 to 5 stylesheets")
	}
	return t
}

// affected returns the outputs that a change to the file name renames:
// the file, the stylesheets that reference it or import one that does,
// and the bundles they are sources of; sorted.
func (t *siteTree) affected(name string) []string {
	set := map[string]bool{name: true}
	queue := slices.Clone(t.refs[name])
	for len(queue) > 0 {
		css := queue[0]
		queue = queue[1:]
		if !set[css] {
			set[css] = true
			queue = append(queue, t.imports[css]...)
		}
	}
	for out, srcs := range t.bundles {
		if slices.ContainsFunc(srcs, func(s string) bool { return set[s] }) {
			set[out] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// write writes the tree under dir, eight files at a time (creating a file
// costs more than writing it), and drops the files' contents.
func (t *siteTree) write(dir string) error {
	dirs := map[string]bool{}
	for _, f := range t.files {
		dirs[path.Dir(f.disk)] = true
	}
	for _, d := range slices.Sorted(maps.Keys(dirs)) {
		if err := os.MkdirAll(filepath.Join(dir, filepath.FromSlash(d)), 0o755); err != nil {
			return err
		}
	}
	var g errgroup.Group
	g.SetLimit(8)
	for _, f := range t.files {
		g.Go(func() error {
			return os.WriteFile(filepath.Join(dir, filepath.FromSlash(f.disk)), f.data, 0o644)
		})
	}
	err := g.Wait()
	t.files = nil
	return err
}

func (t *siteTree) summary() string {
	img := 0
	for _, ext := range []string{".png", ".gif", ".jpg", ".webp", ".svg", ".eot", ".woff2", ".woff", ".ttf"} {
		img += t.kinds[ext]
	}
	return fmt.Sprintf("%d files, %.1f MB: %d images and fonts, %d stylesheets, %d scripts, %d source maps; %s is referenced by %d stylesheets and renames %d outputs",
		t.count, float64(t.bytes)/1e6, img, t.kinds[".css"], t.kinds[".js"], t.kinds[".map"], t.image, len(t.refs[t.image]), len(t.affected(t.image)))
}

// TestWriteBenchTree writes the BenchmarkCollect* site to the directory
// $STAPLER_BENCH_TREE, for testdata/bench/collectstatic.sh, with
// bench-image.txt naming the image to change and its size.
func TestWriteBenchTree(t *testing.T) {
	dir := os.Getenv("STAPLER_BENCH_TREE")
	if dir == "" {
		t.Skip("set STAPLER_BENCH_TREE=DIR to write the BenchmarkCollect* site to DIR (testdata/bench/collectstatic.sh does)")
	}
	apps := collectApps
	if s := os.Getenv("STAPLER_BENCH_APPS"); s != "" {
		var err error
		if apps, err = strconv.Atoi(s); err != nil {
			t.Fatalf("STAPLER_BENCH_APPS: %v", err)
		}
	}
	tree := generateSiteApps(apps)
	if err := tree.write(dir); err != nil {
		t.Fatal(err)
	}
	info := fmt.Sprintf("%s %d %s\n", tree.imageDisk, tree.imageSize, tree.image)
	if err := os.WriteFile(filepath.Join(dir, "bench-image.txt"), []byte(info), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Log(tree.summary())
}

// collectSite writes the site to a temporary directory and returns it.
func collectSite(b *testing.B) (dir string, tree *siteTree) {
	b.Helper()
	dir = b.TempDir()
	tree = generateSite()
	if err := tree.write(dir); err != nil {
		b.Fatal(err)
	}
	b.Log(tree.summary())
	return dir, tree
}

// collectBuild builds the site into out and checks that every file of
// every root was collected.
func collectBuild(b *testing.B, dir, out string, tree *siteTree) *bundler.Result {
	b.Helper()
	p, err := bundler.Load(bundler.Options{Config: filepath.Join(dir, "assets.toml"), OutputDir: out})
	if err != nil {
		b.Fatal(err)
	}
	res, err := p.Build(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	if res.Stats.Collected != tree.count || len(res.Outputs) != tree.count+len(tree.bundles) {
		b.Fatalf("collected %d files and made %d outputs; want %d and %d", res.Stats.Collected, len(res.Outputs), tree.count, tree.count+len(tree.bundles))
	}
	return res
}

// collectFiles is what a build writes when the manifest has no history:
// every output under its hashed name and its plain one, and the two
// manifests.
func collectFiles(res *bundler.Result) int { return 2*len(res.Outputs) + 2 }

func BenchmarkCollectCold(b *testing.B) {
	dir, tree := collectSite(b)
	outs := b.TempDir()
	b.SetBytes(tree.bytes)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		res := collectBuild(b, dir, filepath.Join(outs, fmt.Sprint(i)), tree)
		if res.Stats.Unchanged != 0 || res.Stats.Written != collectFiles(res) {
			b.Fatalf("cold build wrote %d files and found %d in place; want %d and 0", res.Stats.Written, res.Stats.Unchanged, collectFiles(res))
		}
	}
}

func BenchmarkCollectUnchanged(b *testing.B) {
	dir, tree := collectSite(b)
	out := filepath.Join(dir, "build", "static")
	collectBuild(b, dir, out, tree)
	b.SetBytes(tree.bytes)
	b.ReportAllocs()
	for b.Loop() {
		res := collectBuild(b, dir, out, tree)
		if res.Stats.Written != 0 || res.Stats.Unchanged != collectFiles(res) {
			b.Fatalf("rebuild wrote %d files and found %d in place; want 0 and %d", res.Stats.Written, res.Stats.Unchanged, collectFiles(res))
		}
	}
}

// BenchmarkCollectOneImageChanged rebuilds after one image, which a few
// stylesheets reference, got new bytes of the same size (outside the
// timer): exactly the image, those stylesheets, the ones that @import
// them and the bundle that holds one of them get new hashed names.
func BenchmarkCollectOneImageChanged(b *testing.B) {
	dir, tree := collectSite(b)
	out := filepath.Join(dir, "build", "static")
	prev := collectBuild(b, dir, out, tree)
	want := tree.affected(tree.image)
	r := rand.New(rand.NewPCG(collectSeed, 4))
	file := filepath.Join(dir, filepath.FromSlash(tree.imageDisk))
	change := func() {
		if err := os.WriteFile(file, siteBinary(r, path.Ext(tree.image), tree.imageSize), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	change()
	b.Logf("rewriting %s renames %d outputs: %s", tree.image, len(want), strings.Join(want, " "))
	b.SetBytes(tree.bytes)
	b.ReportAllocs()
	for b.Loop() {
		res := collectBuild(b, dir, out, tree)
		var renamed []string
		for i, o := range res.Outputs {
			if prev.Outputs[i].Name != o.Name {
				b.Fatalf("output %d is %s, was %s", i, o.Name, prev.Outputs[i].Name)
			}
			if prev.Outputs[i].Path != o.Path {
				renamed = append(renamed, o.Name)
			}
		}
		if !slices.Equal(renamed, want) {
			b.Fatalf("renamed:\n%s\nwant:\n%s", strings.Join(renamed, "\n"), strings.Join(want, "\n"))
		}
		// The renamed outputs and their plain copies; the two manifests;
		// and, for stapler prune, the replaced manifest's copy in the
		// history and the history's index.
		if res.Stats.Written != 2*len(want)+4 {
			b.Fatalf("wrote %d files; want %d: the renamed outputs, their plain copies, the manifests and their history", res.Stats.Written, 2*len(want)+4)
		}
		prev = res
		b.StopTimer()
		change()
		b.StartTimer()
	}
}
