package bundler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/stapler-build/stapler/bundler/internal/scan"
	"github.com/stapler-build/stapler/bundler/internal/sourcemap"
	"github.com/stapler-build/stapler/finders"
	"github.com/stapler-build/stapler/manifest"
)

// Entry bundles. esbuild bundles an entry with everything it imports, in
// process (api.Build, writing nothing). A plugin resolves the entry and
// every relative import of a file of a root through the finders, so that
// the first root wins and a missing file is reported at its import with a
// did-you-mean, as a bundle's source would be; bare imports are looked up
// in the configured node_modules directories by esbuild's own resolver.
//
// esbuild names its outputs with its own hashes. Its public path is set to
// a marker, so that every reference from one output to another, a chunk's
// import or a font's url(), reads "/__stapler__/<esbuild's name>"; each
// becomes a reference of the build's graph, from an output of its own
// (a made file) to the output or the root's file it names, and the graph
// names them all by the hash of their final bytes, as it names every other
// file, cycles included. A font or image of a root that a stylesheet
// imported from a script is the root's file, written once under its hashed
// name however many bundles use it.

const (
	esbuildNamespace = "stapler"
	esbuildOutDir    = "__stapler_out__" // under esbuild's working directory; nothing is written there
	esbuildMarker    = "/__stapler__/"
)

// esbuildHashRE is the hash esbuild puts in a chunk's or asset's name
// ("[name]-[hash]"), which the logical name drops.
var esbuildHashRE = regexp.MustCompile(`-[A-Z0-9]{8}(\.[^./]+)?$`)

// entryType returns what an entry makes, "js" or "css", from its
// extension; "" for an extension that is not an entry's.
func entryType(name string) string {
	switch path.Ext(name) {
	case ".js", ".mjs", ".jsx", ".ts", ".mts", ".tsx":
		return "js"
	case ".css":
		return "css"
	}
	return ""
}

// loaders are esbuild's loaders for code; every other file an entry
// bundle imports is an asset, emitted as a file of its own.
var loaders = map[string]api.Loader{
	".js": api.LoaderJS, ".mjs": api.LoaderJS, ".cjs": api.LoaderJS, ".jsx": api.LoaderJSX,
	".ts": api.LoaderTS, ".mts": api.LoaderTS, ".cts": api.LoaderTS, ".tsx": api.LoaderTSX,
	".css": api.LoaderCSS, ".json": api.LoaderJSON,
}

// assetLoaders are the loaders esbuild's own resolver uses for the assets
// of packages in node_modules.
var assetLoaders = func() map[string]api.Loader {
	m := map[string]api.Loader{}
	for _, ext := range []string{".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico", ".bmp",
		".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp3", ".mp4", ".webm", ".ogg", ".wav", ".wasm", ".txt"} {
		m[ext] = api.LoaderFile
	}
	return m
}()

// resolveExts are tried, in order, after an import without an extension,
// and then after "/index".
var resolveExts = []string{".ts", ".tsx", ".js", ".jsx", ".mjs", ".mts", ".json", ".css"}

// resolveEntry finds an entry bundle's entry in the roots.
func (p *Project) resolveEntry(bp *bundlePlan, srcs *sourceSet, diags *ErrorList) {
	b := bp.cfg
	e := b.Entry
	typ := entryType(e.S)
	if typ == "" {
		diags.errorf(e.Pos, CodeBadEntry, nil, "bundle %q: entry %q must be a script (.js, .mjs, .jsx, .ts, .mts, .tsx) or a stylesheet (.css)", b.Name, e.S)
		return
	}
	if bp.typ != "" && bp.typ != typ {
		what := map[string]string{"js": "a script", "css": "a stylesheet"}[typ]
		diags.errorf(b.Output.Pos, CodeBadOutput, nil, "bundle %q: entry %q makes %s, so its output %q must end in .%s", b.Name, e.S, what, b.Output.S, typ)
		return
	}
	f, _, err := p.finder.Find(e.S)
	if err != nil {
		p.finderError(e, err, diags).Message = fmt.Sprintf("bundle %q: entry %s", b.Name, p.findMessage(e.S, err))
		return
	}
	bp.sources = []*source{srcs.get(f)}
}

// outputInfo is what the manifest records of an entry bundle's output
// beyond its name: what a page must load with it.
type outputInfo struct {
	bundle         string
	sources        []string
	imports        []string // chunks it imports, by logical name
	dynamicImports []string
	css            []string
	assets         []string
}

// entryBuild is one run of esbuild for an entry bundle: the plugin's
// state, shared by esbuild's goroutines.
type entryBuild struct {
	p    *Project
	srcs *sourceSet
	bp   *bundlePlan
	wd   string // esbuild's working directory

	mu    sync.Mutex
	found map[string]*source // the files of roots it resolved, by logical name
}

// bareImport marks the resolution of a bare import that the plugin hands
// back to esbuild's resolver.
type bareImport struct{}

// resolveProblem is the Detail of the plugin's error for an import not
// found: what makes it a stapler diagnostic.
type resolveProblem struct {
	code, suggestion string
}

// buildEntry runs esbuild for an entry bundle and makes each of its
// outputs a made file, with its references to the others.
func (p *Project) buildEntry(bb *builtBundle, srcs *sourceSet) error {
	bp := bb.plan
	cfg := bp.cfg
	e := &entryBuild{p: p, srcs: srcs, bp: bp, found: map[string]*source{}, wd: "/"}
	entry := bp.sources[0]
	e.found[entry.file.Name] = entry
	var nodePaths []string
	if p.disk {
		wd, err := filepath.Abs(p.dirName)
		if err != nil {
			return err
		}
		e.wd = wd
		for _, v := range p.cfg.NodeModules {
			nodePaths = append(nodePaths, filepath.Join(wd, filepath.FromSlash(v.S)))
		}
	}
	target, engines := cfg.Target.lang, cfg.Target.engines // parsed when decoded
	outName := cfg.Output.S
	stem := strings.TrimSuffix(path.Base(outName), path.Ext(outName))
	format := api.FormatESModule
	if cfg.Format == "iife" {
		format = api.FormatIIFE
	}
	sourcemap := api.SourceMapNone
	if cfg.SourceMap != sourceMapNone {
		sourcemap = api.SourceMapExternal
	}
	r := api.Build(api.BuildOptions{
		EntryPointsAdvanced: []api.EntryPoint{{InputPath: entry.file.Name, OutputPath: stem}},
		Bundle:              true,
		Write:               false,
		Metafile:            true,
		LogLevel:            api.LogLevelSilent,
		AbsWorkingDir:       e.wd,
		Outdir:              filepath.Join(e.wd, esbuildOutDir),
		ChunkNames:          "[name]-[hash]",
		AssetNames:          "[name]-[hash]",
		PublicPath:          esbuildMarker,
		Platform:            api.PlatformBrowser,
		Format:              format,
		Splitting:           format == api.FormatESModule && bp.typ == "js",
		MinifyWhitespace:    cfg.Minify,
		MinifyIdentifiers:   cfg.Minify,
		MinifySyntax:        cfg.Minify,
		Target:              target,
		Engines:             engines,
		Sourcemap:           sourcemap,
		NodePaths:           nodePaths,
		Loader:              assetLoaders,
		Plugins: []api.Plugin{{Name: "stapler", Setup: func(b api.PluginBuild) {
			b.OnResolve(api.OnResolveOptions{Filter: ".*"}, func(args api.OnResolveArgs) (api.OnResolveResult, error) {
				return e.resolve(b, args)
			})
			b.OnLoad(api.OnLoadOptions{Filter: ".*", Namespace: esbuildNamespace}, e.load)
		}}},
	})
	for _, m := range r.Errors {
		bb.diags.add(e.diagnostic(m, false))
	}
	for _, m := range r.Warnings {
		bb.diags.add(e.diagnostic(m, true))
	}
	if len(r.Errors) > 0 {
		return nil
	}
	return e.outputs(bb, r)
}

// resolve is the plugin's OnResolve: the entry, and the imports of the
// files of roots.
func (e *entryBuild) resolve(b api.PluginBuild, args api.OnResolveArgs) (api.OnResolveResult, error) {
	if _, ok := args.PluginData.(bareImport); ok {
		return api.OnResolveResult{}, nil // esbuild's own resolver
	}
	if args.Kind == api.ResolveEntryPoint {
		return api.OnResolveResult{Path: args.Path, Namespace: esbuildNamespace}, nil
	}
	if args.Namespace != esbuildNamespace {
		return api.OnResolveResult{}, nil // a package's import: esbuild resolves it
	}
	spec := args.Path
	dir := path.Dir(args.Importer)
	switch {
	case args.Kind == api.ResolveCSSURLToken || args.Kind == api.ResolveCSSImportRule:
		// A URL, relative to the stylesheet, or under the URL prefix.
		name, suffix, local := localTarget(spec, dir, e.p.cfg.URL)
		if !local {
			return api.OnResolveResult{Path: spec, External: true}, nil
		}
		return e.file([]string{name}, spec, suffix), nil
	case strings.HasPrefix(spec, "./") || strings.HasPrefix(spec, "../"):
		return e.file(candidates(path.Join(dir, spec)), spec, ""), nil
	case schemeRE.MatchString(spec) || strings.HasPrefix(spec, "//"):
		return api.OnResolveResult{Path: spec, External: true}, nil // loaded from another site at run time
	case strings.HasPrefix(spec, "/"):
		return problem(CodeAbsoluteImport, "", "%q is an absolute path: import a file of a root by a relative path, which the build gives its hashed name", spec), nil
	}
	// A bare import: a package.
	if len(e.p.cfg.NodeModules) == 0 {
		return problem(CodeBareImport, "", `%q is a package, and no node_modules directories are configured to find it in: add node_modules = ["node_modules"] to the config`, spec), nil
	}
	if !e.p.disk {
		return problem(CodeBareImport, "", "%q is a package, and packages are only found in node_modules on disk", spec), nil
	}
	// From the top of the file system, where no node_modules is, so that
	// esbuild finds the package in NodePaths, the configured directories,
	// and not in a node_modules above the project.
	top := filepath.VolumeName(e.wd) + string(filepath.Separator)
	res := b.Resolve(spec, api.ResolveOptions{Kind: args.Kind, ResolveDir: top, PluginData: bareImport{}})
	if len(res.Errors) > 0 {
		var dirs []string
		for _, v := range e.p.cfg.NodeModules {
			dirs = append(dirs, v.S)
		}
		return problem(CodeBareImport, "", "package %q not found in node_modules (%s)", spec, strings.Join(dirs, ", ")), nil
	}
	effects := api.SideEffectsTrue
	if !res.SideEffects {
		effects = api.SideEffectsFalse
	}
	return api.OnResolveResult{Path: res.Path, Namespace: res.Namespace, External: res.External, Suffix: res.Suffix, PluginData: res.PluginData, SideEffects: effects}, nil
}

// candidates returns the names an import may mean, in the order they are
// tried: the name itself when it has an extension of code (and, for ".js",
// the TypeScript file it is compiled from), then with each extension, then
// as a directory's index.
func candidates(name string) []string {
	ext := path.Ext(name)
	if _, ok := loaders[ext]; ok {
		out := []string{name}
		if ext == ".js" {
			base := strings.TrimSuffix(name, ext)
			out = append(out, base+".ts", base+".tsx")
		}
		return out
	}
	var out []string
	if ext != "" {
		out = append(out, name) // an asset: logo.svg
	}
	for _, x := range resolveExts {
		out = append(out, name+x)
	}
	for _, x := range resolveExts {
		out = append(out, name+"/index"+x)
	}
	return out
}

// file finds the first of names in the roots. When none is there, the
// error is the first name's, with the nearest name any of them has.
func (e *entryBuild) file(names []string, spec, suffix string) api.OnResolveResult {
	var first error
	suggestion := ""
	for _, name := range names {
		f, _, err := e.p.finder.Find(name)
		if err == nil {
			e.mu.Lock()
			if _, ok := e.found[f.Name]; !ok {
				e.found[f.Name] = e.srcs.get(f)
			}
			e.mu.Unlock()
			return api.OnResolveResult{Path: f.Name, Namespace: esbuildNamespace, Suffix: suffix}
		}
		if errors.Is(err, finders.ErrCaseMismatch) {
			return problem(CodeCaseMismatch, "", "%q → %q %s", spec, name, findProblem(err))
		}
		if first == nil {
			first = err
		}
		var fe *finders.Error
		if suggestion == "" && errors.As(err, &fe) && len(fe.Suggestions) > 0 {
			suggestion = fe.Suggestions[0]
		}
	}
	if !isFindError(first) {
		return problem(CodeRoot, "", "%q: %v", spec, first)
	}
	what := fmt.Sprintf("%q", names[0])
	if len(names) > 1 && path.Ext(spec) == "" {
		what = fmt.Sprintf("%q (with any extension)", strings.TrimSuffix(names[0], path.Ext(names[0])))
	}
	msg := fmt.Sprintf("%q → %s not found in any root", spec, what)
	if suggestion != "" {
		msg += didYouMean([]string{suggestion})
	}
	return problem(CodeImportNotFound, suggestion, "%s", msg)
}

// problem returns the plugin's result for an import it cannot resolve.
func problem(code, suggestion, format string, args ...any) api.OnResolveResult {
	return api.OnResolveResult{Errors: []api.Message{{
		Text:   fmt.Sprintf(format, args...),
		Detail: resolveProblem{code: code, suggestion: suggestion},
	}}}
}

// load is the plugin's OnLoad: a file of a root, read once per build.
func (e *entryBuild) load(args api.OnLoadArgs) (api.OnLoadResult, error) {
	e.mu.Lock()
	src := e.found[args.Path]
	e.mu.Unlock()
	if src == nil {
		return api.OnLoadResult{}, fmt.Errorf("%q was never resolved", args.Path)
	}
	data, err := e.srcs.read(src)
	if err != nil {
		return api.OnLoadResult{}, err
	}
	loader, ok := loaders[path.Ext(args.Path)]
	if !ok {
		loader = api.LoaderFile
	}
	contents := string(data)
	return api.OnLoadResult{Contents: &contents, Loader: loader}, nil
}

// diagnostic converts one of esbuild's messages. A warning is an error
// unless [references] warn covers the file it is about.
func (e *entryBuild) diagnostic(m api.Message, warning bool) *Diagnostic {
	cfg := e.bp.cfg
	file, logical := "", ""
	if m.Location != nil {
		file = m.Location.File
		if name, ok := strings.CutPrefix(file, esbuildNamespace+":"); ok {
			logical = name
			e.mu.Lock()
			src := e.found[name]
			e.mu.Unlock()
			if src != nil {
				file = src.display
			}
		} else if e.p.disk && file != "" {
			logical = filepath.ToSlash(file)
			file = e.p.dirPath(logical)
		}
	}
	d := esbuildDiagnostic(m, file, CodeBundle)
	if m.Location == nil {
		d.Pos = cfg.Entry.Pos
	}
	if rp, ok := m.Detail.(resolveProblem); ok {
		d.Code = rp.code
		d.Suggestion = rp.suggestion
	}
	if warning && e.srcs.covers(e.p.cfg.References.Warn, logical, "") {
		d.Severity = SeverityWarning
	}
	return d
}

// metaOutput is one output of esbuild's metafile.
type metaOutput struct {
	Imports []struct {
		Path     string `json:"path"`
		Kind     string `json:"kind"`
		External bool   `json:"external"`
	} `json:"imports"`
	EntryPoint string `json:"entryPoint"`
	Inputs     map[string]struct {
		BytesInOutput int `json:"bytesInOutput"`
	} `json:"inputs"`
	CSSBundle string `json:"cssBundle"`
}

// esOutput is one of esbuild's outputs on its way to being a made file.
type esOutput struct {
	rel  string // esbuild's name, relative to its output directory
	data []byte
	meta *metaOutput
	name string    // the logical name
	made *madeFile // what it becomes; nil for an asset that is a root's file ...
	src  *source   // ... which is src
}

// A madeFile is a file an entry bundle made rather than read: one of
// esbuild's outputs, or the source map of one. Its bytes and references
// are known when it is made, and it is never minified again.
type madeFile struct {
	name string
	data []byte
	refs []resolved
	info *outputInfo // what the manifest records of an esbuild output; nil for a map
}

// outputInfo returns what the manifest records of m beyond its name; nil
// for a nil m, a root's file.
func (m *madeFile) outputInfo() *outputInfo {
	if m == nil {
		return nil
	}
	return m.info
}

// outputs turns esbuild's outputs into made files: each named, its
// references found, its source map made.
func (e *entryBuild) outputs(bb *builtBundle, r api.BuildResult) error {
	p := e.p
	cfg := e.bp.cfg
	var meta struct {
		Outputs map[string]*metaOutput `json:"outputs"`
	}
	if err := json.Unmarshal([]byte(r.Metafile), &meta); err != nil {
		return fmt.Errorf("bundle %q: esbuild's metafile: %w", cfg.Name, err)
	}
	outDir := filepath.Join(e.wd, esbuildOutDir)
	outName := cfg.Output.S
	dir := path.Dir(outName)
	stem := strings.TrimSuffix(path.Base(outName), path.Ext(outName))

	mapFiles := map[string][]byte{}
	byRel := map[string]*esOutput{}
	var code []*esOutput
	var shadows []string
	used := map[string]bool{}
	for _, f := range r.OutputFiles {
		rel, err := filepath.Rel(outDir, f.Path)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if m, ok := strings.CutSuffix(rel, ".map"); ok {
			mapFiles[m] = f.Contents
			continue
		}
		o := &esOutput{rel: rel, data: f.Contents, meta: meta.Outputs[esbuildOutDir+"/"+rel]}
		if o.meta == nil {
			return fmt.Errorf("bundle %q: esbuild's output %q is not in its metafile", cfg.Name, rel)
		}
		byRel[rel] = o
		name, ok := e.logicalName(o, dir, stem)
		if !ok {
			continue // an asset that is a root's file: itself
		}
		name = unused(name, used)
		// The output itself the plan has checked already.
		if f, _, err := p.finder.Find(name); err == nil && name != outName {
			shadows = append(shadows, fmt.Sprintf("its %s %q is also a source file (%s)", outputKind(o.rel, stem, e.bp.typ), name, p.FilePath(f)))
		}
		o.name = name
		code = append(code, o)
	}
	// The outputs named after the bundle's may hide sources (its
	// stylesheet, its chunks): one problem, one diagnostic. Where the
	// output itself hides one, the plan has said so, and another output
	// renames the rest too.
	if _, _, err := p.finder.Find(outName); len(shadows) > 0 && err != nil {
		bb.diags.errorf(cfg.Output.Pos, CodeOutputShadowsSrc, nil, "bundle %q: %s: one would hide the other; give the bundle another output", cfg.Name, strings.Join(shadows, ", "))
	}

	for _, o := range code {
		ext := path.Ext(o.rel)
		if ext != ".js" && ext != ".css" {
			o.made = &madeFile{name: o.name, data: o.data}
			bb.made = append(bb.made, o.made)
			continue
		}
		refs, edits := e.references(o, byRel)
		info := e.info(o, refs, byRel)
		data := o.data
		var mapFile *madeFile
		if cfg.SourceMap != sourceMapNone {
			m, err := sourcemap.Decode(mapFiles[o.rel])
			if err != nil {
				return fmt.Errorf("bundle %q: esbuild's map of %s: %w", cfg.Name, o.name, err)
			}
			for i, s := range m.Sources {
				if !strings.HasPrefix(s, esbuildNamespace+":") {
					s = path.Join(esbuildOutDir, s) // relative to the output directory
				}
				m.Sources[i] = inputName(s)
			}
			if ext == ".css" {
				fixShorthands(m, data, textOf(m))
			}
			m.Shift(edits)
			mapFile = e.mapFile(bb, o.name, m, used)
			if cfg.SourceMap == sourceMapLinked {
				var r resolved
				data, r = withMapComment(data, ext, mapFile)
				refs = append(refs, r)
			}
		}
		o.made = &madeFile{name: o.name, data: data, refs: refs, info: info}
		bb.made = append(bb.made, o.made)
		if mapFile != nil {
			bb.made = append(bb.made, mapFile)
		}
	}
	// Every output is made now: the targets of the references.
	for _, o := range code {
		if o.made.info == nil {
			continue // an asset
		}
		for i := range o.made.refs {
			r := &o.made.refs[i]
			if r.target == nil && r.made == nil {
				t := byRel[r.Text]
				r.target, r.made = t.src, t.made
			}
		}
	}
	return nil
}

// logicalName names one of esbuild's outputs in the output directory:
// the entry's own output by the bundle's output, a chunk after it, and a
// package's asset in the bundle's directory. An asset that is a root's
// file is itself: logicalName sets it on o and returns false.
func (e *entryBuild) logicalName(o *esOutput, dir, stem string) (string, bool) {
	ext := path.Ext(o.rel)
	var name string
	switch {
	case o.rel == stem+ext:
		name = path.Join(dir, o.rel) // the entry's script, or its stylesheet
	case ext == ".js" || ext == ".css":
		name = path.Join(dir, stem+"."+esbuildHashRE.ReplaceAllString(o.rel, "$1"))
	default:
		// An asset. A file of a root is itself; a package's is the
		// bundle's.
		inputs := slices.Sorted(maps.Keys(o.meta.Inputs))
		if len(inputs) == 1 {
			if n, ok := strings.CutPrefix(inputs[0], esbuildNamespace+":"); ok {
				o.name, o.src = n, e.found[n]
				return "", false
			}
		}
		name = path.Join(dir, esbuildHashRE.ReplaceAllString(o.rel, "$1"))
	}
	return name, true
}

// outputKind says what one of esbuild's outputs is to an entry bundle of
// type typ whose output's name without extension is stem.
func outputKind(rel, stem, typ string) string {
	switch ext := path.Ext(rel); {
	case ext == ".css" && typ == "js" && rel == stem+ext:
		return "stylesheet"
	case ext == ".js" || ext == ".css":
		return "chunk"
	}
	return "asset"
}

// info is what the manifest records of one of esbuild's code outputs: the
// inputs it holds, the chunks it imports, its stylesheet and its assets.
func (e *entryBuild) info(o *esOutput, refs []resolved, byRel map[string]*esOutput) *outputInfo {
	info := &outputInfo{bundle: e.bp.cfg.Name}
	for in, v := range o.meta.Inputs {
		if v.BytesInOutput > 0 { // not a stylesheet a script imports, nor types only
			info.sources = append(info.sources, inputName(in))
		}
	}
	slices.Sort(info.sources)
	for _, imp := range o.meta.Imports {
		t := byRel[strings.TrimPrefix(imp.Path, esbuildOutDir+"/")]
		if imp.External || t == nil {
			continue
		}
		switch imp.Kind {
		case "import-statement":
			info.imports = append(info.imports, t.name)
		case "dynamic-import":
			info.dynamicImports = append(info.dynamicImports, t.name)
		}
	}
	if o.meta.CSSBundle != "" {
		if t := byRel[strings.TrimPrefix(o.meta.CSSBundle, esbuildOutDir+"/")]; t != nil {
			info.css = append(info.css, t.name)
		}
	}
	for _, r := range refs {
		if n := byRel[r.Text].name; entryType(n) == "" && !slices.Contains(info.assets, n) {
			info.assets = append(info.assets, n)
		}
	}
	return info
}

// inputName is how the manifest names an input of esbuild's: a file of a
// root by its logical name, a package's file from its node_modules
// directory on ("node_modules/preact/dist/preact.module.js").
func inputName(in string) string {
	if n, ok := strings.CutPrefix(in, esbuildNamespace+":"); ok {
		return n
	}
	in = path.Clean(filepath.ToSlash(in))
	if i := strings.LastIndex("/"+in, "/node_modules/"); i >= 0 {
		return in[i:]
	}
	return path.Base(in)
}

// references finds the marked references of one of esbuild's outputs to
// the others, and the edit each will make once rewritten (for its source
// map). Each names its target by esbuild's name, in text.
func (e *entryBuild) references(o *esOutput, byRel map[string]*esOutput) ([]resolved, []sourcemap.Edit) {
	var refs []resolved
	var edits []sourcemap.Edit
	data := o.data
	ext := path.Ext(o.rel)
	dir := path.Dir(o.name)
	lines := newLineIndex(data)
	for at := 0; ; {
		i := bytes.Index(data[at:], []byte(esbuildMarker))
		if i < 0 {
			break
		}
		start := at + i
		end := start + len(esbuildMarker)
		for end < len(data) && !strings.ContainsRune("\"'`) \t\r\n?#\\", rune(data[end])) {
			end++
		}
		at = end
		rel := string(data[start+len(esbuildMarker) : end])
		t := byRel[rel]
		if t == nil {
			continue // not esbuild's: the text of a string
		}
		var url string
		switch {
		case ext == ".js" && entryType(t.rel) == "js":
			// A chunk: a module specifier, relative to the importer.
			url = relDir(dir, path.Dir(t.name))
			if !strings.HasPrefix(url, "../") {
				url = "./" + url
			}
			url += escapeSegment(path.Base(t.name))
		case ext == ".js":
			// An asset's URL in a script is resolved against the page.
			url = e.p.cfg.URL + escapePath(t.name)
		default:
			url = relDir(dir, path.Dir(t.name)) + escapeSegment(path.Base(t.name))
		}
		// The target is set once every output is a source.
		r := resolved{Ref: scan.Ref{Text: rel, URL: url, At: start, Start: start, End: end}}
		refs = append(refs, r)
		// Any hash will do: the edit records only the length.
		edits = append(edits, lines.Edit(data, start, end, manifest.HashedPath(url, manifest.ContentHash(nil))))
	}
	return refs, edits
}

// mapFile makes the source map of an output a made file of its own.
// Its sources are logical names, relative to a source root that is the
// top of the output directory, where a collected source is served.
func (e *entryBuild) mapFile(bb *builtBundle, name string, m *sourcemap.Map, used map[string]bool) *madeFile {
	cfg := e.bp.cfg
	mapName := unused(name+".map", used)
	if f, _, err := e.p.finder.Find(mapName); err == nil {
		bb.diags.errorf(cfg.Output.Pos, CodeOutputShadowsSrc, nil, "bundle %q: its source map %q is also a source file (%s): one would hide the other", cfg.Name, mapName, e.p.FilePath(f))
	}
	data := m.Marshal(path.Base(name), relDir(path.Dir(mapName), ""))
	return &madeFile{name: mapName, data: data}
}

// withMapComment appends the comment that links an output to its map,
// and returns it with the comment's reference to the map.
func withMapComment(data []byte, ext string, mapFile *madeFile) ([]byte, resolved) {
	url := escapeSegment(path.Base(mapFile.name))
	data, start := appendMapComment(bytes.Clone(data), ext == ".css", url)
	return data, resolved{Ref: scan.Ref{Kind: scan.SourceMap, Text: url, URL: url, At: start, Start: start, End: start + len(url)}, made: mapFile}
}

// unused returns name, or name with "-2", "-3"… before its extension when
// it is taken, and takes it.
func unused(name string, used map[string]bool) string {
	n := name
	for i := 2; used[n]; i++ {
		ext := path.Ext(name)
		n = fmt.Sprintf("%s-%d%s", strings.TrimSuffix(name, ext), i, ext)
	}
	used[n] = true
	return n
}

// escapePath escapes each segment of a logical name for a URL.
func escapePath(name string) string {
	segs := strings.Split(name, "/")
	for i, s := range segs {
		segs[i] = escapeSegment(s)
	}
	return strings.Join(segs, "/")
}
