package djangoinit

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/stapler-build/stapler/finders"
)

// SchemaLine is the first line of every config init writes: editors that
// read JSON Schemas (Taplo, VS Code's Even Better TOML) validate the file
// against stapler's schema.
const SchemaLine = "#:schema https://raw.githubusercontent.com/stapler-build/stapler/main/schema/assets.schema.json"

// djangoIgnore are Django's default ignore patterns, which stapler's
// default_excludes stands for.
var djangoIgnore = []string{"CVS", ".*", "*~"}

// project is the directory init writes for.
type project struct {
	dir string
	abs []string // its absolute path, and its real one when a link leads there
}

// rel shows path, absolute as Python gives it, relative to the project
// and slash-separated when it is inside it; otherwise as it is.
func (p *project) rel(path string) string {
	for _, base := range p.abs {
		if r, err := filepath.Rel(base, path); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(r)
		}
	}
	return filepath.ToSlash(path)
}

// inside reports whether path, absolute and real, is in the project.
func (p *project) inside(path string) bool {
	return within(path, p.abs...)
}

// within reports whether path is one of dirs or below one.
func within(path string, dirs ...string) bool {
	for _, d := range dirs {
		if r, err := filepath.Rel(d, path); err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// writer builds the config's text.
type writer struct {
	b   strings.Builder
	res *Result
}

func (w *writer) line(format string, args ...any) {
	fmt.Fprintf(&w.b, format, args...)
	w.b.WriteByte('\n')
}

// comment writes text as comment lines, one per line of text.
func (w *writer) comment(text string) {
	for _, l := range strings.Split(text, "\n") {
		if l == "" {
			w.line("#")
			continue
		}
		w.line("# %s", comment(l))
	}
}

// unsupported writes what stapler does not do as a comment, and keeps it
// for the list at the top of the file and the command's stderr.
func (w *writer) unsupported(text string) {
	w.comment("NOT CARRIED OVER: " + text)
	w.res.Unsupported = append(w.res.Unsupported, text)
}

// note writes a comment that the user should read, and keeps it for
// the command's stderr.
func (w *writer) note(text string) {
	w.comment("NOTE: " + text)
	w.res.Notes = append(w.res.Notes, text)
}

// root is a [[root]] as written.
type root struct {
	path, prefix string // as Django has them: path absolute
	real         string // path with its links resolved
}

// render writes the config of a project from its settings.
func (p *project) render(s *settings) ([]byte, *Result) {
	res := &Result{Settings: s.Settings, Python: s.command, Django: s.DjangoVersion}
	body := &writer{res: res}

	// output and url.
	body.line("")
	if s.StaticRoot != nil {
		body.comment("STATIC_ROOT: where stapler build writes, as collectstatic did")
		body.line("output = %s", quote(p.rel(*s.StaticRoot)))
	} else {
		body.note("STATIC_ROOT is not set (collectstatic needs it): stapler writes to staticfiles/; set STATIC_ROOT to match")
		body.line("output = %s", quote("staticfiles"))
	}
	if s.StaticURL != nil && strings.HasSuffix(*s.StaticURL, "/") {
		body.comment("STATIC_URL")
		body.line("url = %s", quote(*s.StaticURL))
	} else if s.StaticURL != nil {
		body.note(fmt.Sprintf("STATIC_URL %q does not end in /, which Django requires: stapler's default, /static/, is used", *s.StaticURL))
	}

	roots := p.renderRoots(body, s)
	p.renderCollect(body, s, roots)
	renderManifest(body, s)
	p.renderTemplates(body, s)
	renderPipeline(body, s)

	var w writer
	w.line("%s", SchemaLine)
	w.comment(fmt.Sprintf("stapler's config for this Django project, written by `stapler init` from the settings\n"+
		"%s as Django %s resolves them (%s, Python %s).\n"+
		"`stapler check` checks everything a build would, writing nothing; `stapler build` writes\n"+
		"STATIC_ROOT where the deploy ran collectstatic. Every key is in docs/config.md; what init\n"+
		"reads and writes, in docs/init.md.", s.Settings, s.DjangoVersion, s.Python, s.PythonVersion))
	if len(res.Unsupported) > 0 {
		w.comment("\nNot carried over, because stapler does not do it (each is also below, where it applies):")
		for _, u := range res.Unsupported {
			w.comment("  - " + u)
		}
	}
	w.b.WriteString(body.b.String())
	return []byte(w.b.String()), res
}

// renderRoots writes a [[root]] for each directory of the finders, in
// their order, and returns them.
func (p *project) renderRoots(w *writer, s *settings) []root {
	w.line("")
	w.comment("The roots, in the order Django's finders search them (STATICFILES_FINDERS): for each name,\n" +
		"the first root that holds it wins, as in collectstatic and findstatic.")
	var roots []root
	seen := map[root]bool{}
	first := true // the first root of a finder follows its comment
	add := func(path, prefix, label string) {
		if !first {
			w.line("")
		}
		first = false
		r := root{path: path, prefix: prefix}
		st, err := os.Stat(path)
		if err != nil || !st.IsDir() {
			if label != "" {
				w.comment(label)
			}
			w.note(fmt.Sprintf("%s is not a directory: no root for it", p.rel(path)))
			return
		}
		r.real = path
		if real, err := filepath.EvalSymlinks(path); err == nil {
			r.real = real
		}
		if seen[root{path: r.real, prefix: prefix}] {
			w.comment(fmt.Sprintf("%s (%s) is a root already, above: its files are found there first", label, p.rel(path)))
			return
		}
		seen[root{path: r.real, prefix: prefix}] = true
		if label != "" {
			w.comment(label)
		}
		w.line("[[root]]")
		w.line("path = %s", quote(literalPath(p.rel(path))))
		if prefix != "" {
			w.line("prefix = %s", quote(prefix))
		}
		if link := p.linkOutside(r); link != "" {
			w.comment(link + ", outside the root and the project:\ncollectstatic copies what such links lead to, and so does stapler with this")
			w.line("links_outside = true")
		}
		roots = append(roots, r)
		w.res.Roots++
	}
	for i, f := range s.Finders {
		w.line("")
		first = true
		switch f.Kind {
		case "filesystem":
			w.comment(fmt.Sprintf("STATICFILES_FINDERS[%d], %s: STATICFILES_DIRS, in order", i, f.Path))
			for _, loc := range f.Locations {
				add(loc.Path, loc.Prefix, "")
			}
		case "app_directories":
			w.comment(fmt.Sprintf("STATICFILES_FINDERS[%d], %s: each installed app's static/,\nin INSTALLED_APPS order", i, f.Path))
			for _, app := range f.Apps {
				add(app.Path, "", app.App)
			}
			if len(f.Apps) == 0 {
				w.comment("(no installed app has one)")
			}
		default:
			w.comment(fmt.Sprintf("STATICFILES_FINDERS[%d], %s", i, f.Path))
			w.unsupported(finderNote(f.Path, f.Class))
		}
	}
	return roots
}

// finderNote says why a finder has no roots.
func finderNote(path, class string) string {
	switch {
	case strings.HasPrefix(class, "pipeline.finders."):
		return fmt.Sprintf("STATICFILES_FINDERS %s: it serves django-pipeline's outputs, which stapler builds itself; drop it from STATICFILES_FINDERS once pipeline is gone", path)
	case class == "django.contrib.staticfiles.finders.DefaultStorageFinder":
		return fmt.Sprintf("STATICFILES_FINDERS %s: the default storage's files (MEDIA_ROOT) are no static files to stapler; add its directory as a [[root]] if they are meant to be", path)
	}
	return fmt.Sprintf("STATICFILES_FINDERS %s: stapler has no counterpart, and the files it finds are not in any root; add the directory it serves as a [[root]] (with its prefix) where it should be searched", path)
}

// linkOutside returns the first symbolic link in the root that leads out
// of it and of the project, "x links to y", or "": stapler warns of such a
// link (link-outside) unless the root sets links_outside.
func (p *project) linkOutside(r root) string {
	links, err := finders.New(finders.Root{FS: os.DirFS(r.path), Dir: r.path}).Links()
	if err != nil {
		return ""
	}
	for _, l := range links {
		target := l.Target
		if !filepath.IsAbs(target) {
			target = filepath.Join(r.path, filepath.FromSlash(path.Dir(l.Path)), target)
		}
		real, err := filepath.EvalSymlinks(target)
		if err != nil {
			real = target
		}
		if !within(real, r.real, r.path) && !p.inside(real) {
			return fmt.Sprintf("its %s links to %s", l.Path, real)
		}
	}
	return ""
}

// renderManifest writes [manifest] for the storage.
func renderManifest(w *writer, s *settings) {
	st := s.Storage
	w.line("")
	w.comment(fmt.Sprintf("%s: %s", st.Setting, st.Backend))
	if !st.Manifest {
		w.comment("reads no staticfiles.json: {% static %} gives the plain names, which stapler writes\n" +
			"too (keep_unhashed). With ManifestStaticFilesStorage, set django = true and get the hashed ones.")
		w.line("[manifest]")
		w.line("django = false")
		return
	}
	version, reads := "1.0", `"1.0" only`
	if s.Django[0] > 4 || s.Django[0] == 4 && s.Django[1] >= 2 {
		version, reads = "1.1", `"1.0" and "1.1", and writes "1.1"`
	}
	w.comment(fmt.Sprintf("reads staticfiles.json, which stapler writes in the format Django %d.%d reads (%s)", s.Django[0], s.Django[1], reads))
	if st.ManifestName != "" && st.ManifestName != "staticfiles.json" {
		w.unsupported(fmt.Sprintf("the storage's manifest_name %q: stapler writes staticfiles.json; rename it after the build, or use that name", st.ManifestName))
	}
	w.line("[manifest]")
	w.line("django = true")
	w.line("django_version = %s", quote(version))
	if st.WhitenoiseCompressed {
		w.line("")
		w.comment(fmt.Sprintf("%s compressed every file in collectstatic: stapler\nwrites the .gz and .br siblings, which whitenoise serves", st.Class))
		w.line("[compress]")
	}
}

// templateExts are the extensions of the files [templates] checks.
var templateExts = []string{"html", "htm", "txt", "xml", "jinja", "jinja2", "j2"}

// renderTemplates writes [templates] over the engines' directories.
func (p *project) renderTemplates(w *writer, s *settings) {
	var lines []string
	seen := map[string]bool{}
	for _, t := range s.Templates {
		label := fmt.Sprintf("TEMPLATES[%d] DIRS", t.Engine)
		if t.App != "" {
			label = fmt.Sprintf("TEMPLATES[%d] APP_DIRS: %s", t.Engine, t.App)
		}
		if seen[t.Path] {
			continue
		}
		seen[t.Path] = true
		exts := extsIn(t.Path)
		rel := p.rel(t.Path)
		switch {
		case exts == nil:
			lines = append(lines, fmt.Sprintf("  # %s, %s: no template files (%s) in it", comment(label), comment(rel), strings.Join(templateExts, ", ")))
			continue
		case strings.ContainsRune(rel, '\\'):
			lines = append(lines, fmt.Sprintf("  # %s, %s: a backslash in the path, which stapler's patterns do not take", comment(label), comment(rel)))
			continue
		}
		glob := "*." + exts[0]
		if len(exts) > 1 {
			glob = "*.{" + strings.Join(exts, ",") + "}"
		}
		lines = append(lines, fmt.Sprintf("  # %s", comment(label)), fmt.Sprintf("  %s,", quote(literalPath(rel)+"/**/"+glob)))
	}
	if len(lines) == 0 {
		return
	}
	w.line("")
	w.comment("Every {% static %}, pipeline tag and Jinja2 static() in the templates must name a file the\n" +
		"build makes: the project's and its apps' template directories, as Django's loaders find them.")
	w.line("[templates]")
	w.line("paths = [")
	for _, l := range lines {
		w.line("%s", l)
	}
	w.line("]")
}

// extsIn returns the template extensions of the files below dir, in
// templateExts' order, or nil.
func extsIn(dir string) []string {
	found := map[string]bool{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			found[strings.TrimPrefix(filepath.Ext(p), ".")] = true
		}
		return nil
	})
	var exts []string
	for _, e := range templateExts {
		if found[e] {
			exts = append(exts, e)
		}
	}
	return exts
}

// bundleName is what a stapler bundle name may hold: bundler's rule,
// which TestBundleNameAgrees holds this copy to.
var bundleName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// renderPipeline writes a bundle for each of PIPELINE's groups.
func renderPipeline(w *writer, s *settings) {
	pl := s.Pipeline
	if pl == nil {
		return
	}
	w.line("")
	w.comment("PIPELINE's groups, each a bundle answering to its group name (pipeline = …), so that\n" +
		"{% stylesheet %} and {% javascript %} keep their names; stapler minifies with esbuild.")
	if !pl.Installed {
		w.note("django-pipeline does not import under this Python: PIPELINE was read as written, with pipeline's defaults assumed")
	}
	if v, ok := pl.Settings["PIPELINE_COLLECTOR_ENABLED"]; !ok || v != false {
		w.comment("While pipeline stays installed, set PIPELINE['PIPELINE_COLLECTOR_ENABLED'] = False:\n" +
			"under DEBUG its collector would copy sources over stapler's output in STATIC_ROOT.")
	}
	for _, key := range []string{"TEMPLATE_FUNC", "TEMPLATE_NAMESPACE", "TEMPLATE_SEPARATOR", "EMBED_MAX_IMAGE_SIZE", "EMBED_PATH", "MIMETYPES"} {
		if v, ok := pl.Settings[key]; ok {
			w.comment(fmt.Sprintf("PIPELINE[%q] = %v: used by what stapler does not do (below)", key, v))
		}
	}
	wrap := !pl.DisableWrapper
	if wrap && !pl.DefaultJSWrapper {
		w.unsupported(fmt.Sprintf("PIPELINE['JS_WRAPPER'] = %q: stapler's wrap = true writes pipeline's default, (function() {…}).call(this);", pl.JSWrapper))
	}

	// Names: a group's own when it is a bundle name and only one kind
	// has it; else made one, with -css or -js.
	names := map[string]int{}
	for _, g := range pl.Stylesheets {
		names[g.Name]++
	}
	for _, g := range pl.Javascript {
		names[g.Name]++
	}
	own := func(group string) bool { return bundleName.MatchString(group) && names[group] == 1 }
	used := map[string]bool{}
	for n := range names {
		if own(n) {
			used[n] = true
		}
	}
	name := func(group, kind string) string {
		if own(group) {
			return group
		}
		n := strings.Trim(regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(group, "-"), "-")
		if n == "" {
			n = "group"
		}
		n += "-" + kind
		base := n
		for i := 2; used[n]; i++ {
			n = fmt.Sprintf("%s-%d", base, i)
		}
		used[n] = true
		return n
	}
	for _, g := range pl.Stylesheets {
		renderGroup(w, pl, g, "STYLESHEETS", name(g.Name, "css"), false)
	}
	for _, g := range pl.Javascript {
		renderGroup(w, pl, g, "JAVASCRIPT", name(g.Name, "js"), wrap)
	}
}

// renderGroup writes one group's bundle.
func renderGroup(w *writer, pl *pipelineSettings, g pipelineGroup, kind, name string, wrap bool) {
	w.line("")
	where := fmt.Sprintf("PIPELINE['%s'][%s]", kind, pyQuote(g.Name))
	w.comment(where)
	if g.Output == "" {
		w.unsupported(where + " has no output_filename: no bundle")
		return
	}
	for _, k := range sortedKeys(g.Other) {
		v := g.Other[k]
		if v == nil || v == "{}" || v == "" || v == false {
			continue
		}
		switch k {
		case "variant":
			w.unsupported(fmt.Sprintf("%s variant %v: stapler does not inline images as data: URIs; the stylesheet keeps its url()s, hashed", where, v))
		case "extra_context", "template_name":
			w.unsupported(fmt.Sprintf("%s %s %v: how pipeline renders the tag; stapler renders no tags: it applies while pipeline renders them, and the <link> or <script> that replaces the tag must carry it", where, k, v))
		case "compiler_options":
			w.comment(fmt.Sprintf("compiler_options %v: for pipeline's compilers (below)", v))
		case "manifest":
			w.comment(fmt.Sprintf("manifest %v: pipeline's HTML5 appcache manifest, which stapler does not write", v))
		default:
			w.unsupported(fmt.Sprintf("%s %s %v: no counterpart in stapler", where, k, v))
		}
	}
	var sources []string
	live := 0
	for _, src := range g.Sources {
		pat := literalBraces(src.Pattern)
		switch {
		case src.Template:
			w.unsupported(fmt.Sprintf("%s source %q: a JavaScript template (TEMPLATE_EXT), which pipeline compiles into %s functions; stapler does not: compile it to a .js source", where, src.Pattern, templateNamespace(pl)))
			sources = append(sources, fmt.Sprintf("  # %s,  # a JavaScript template: not carried over", quote(pat)))
			continue
		case src.Compiler != "":
			w.unsupported(fmt.Sprintf("%s source %q: compiled by %s; stapler compiles nothing of the kind: compile it to %s in a root before stapler runs", where, src.Pattern, src.Compiler, src.Compiled))
			sources = append(sources, fmt.Sprintf("  %s,  # was %s, which %s compiles", quote(literalBraces(src.Compiled)), quote(src.Pattern), comment(src.Compiler)))
			live++
			continue
		}
		if strings.Contains(pat, "**") {
			// pipeline's glob matches each element with fnmatch: a ** is
			// a *, within one directory.
			fixed := regexp.MustCompile(`\*\*+`).ReplaceAllString(pat, "*")
			sources = append(sources, fmt.Sprintf("  %s,  # was %s: pipeline's ** matches within one directory, as * does", quote(fixed), quote(src.Pattern)))
			live++
			continue
		}
		sources = append(sources, "  "+quote(pat)+",")
		live++
	}
	if live == 0 {
		w.unsupported(where + ": none of its sources is one stapler takes: no bundle")
		for _, l := range sources {
			w.line("%s", l)
		}
		return
	}
	w.line("[bundle.%s]", name)
	if g.Name == "" || strings.ContainsAny(g.Name, "'\" \t\r\n\f\v") {
		w.unsupported(fmt.Sprintf("%s: a name with white space or quotes, which no {%% stylesheet %%} or {%% javascript %%} tag can name: the bundle answers to %q", where, name))
	} else {
		w.line("pipeline = %s", quote(g.Name))
	}
	w.line("output = %s", quote(g.Output))
	w.line("sources = [")
	for _, l := range sources {
		w.line("%s", l)
	}
	w.line("]")
	if wrap {
		w.comment("pipeline's (function() {…}).call(this); around the bundle: PIPELINE has no DISABLE_WRAPPER")
		w.line("wrap = true")
	}
	w.res.Bundles++
}

// pyQuote writes s as a Python string literal, as settings.py would
// hold it: in single quotes unless it has one.
func pyQuote(s string) string {
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		return `"` + s + `"`
	}
	return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
}

func templateNamespace(pl *pipelineSettings) string {
	if v, ok := pl.Settings["TEMPLATE_NAMESPACE"].(string); ok {
		return v
	}
	return "window.JST"
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
