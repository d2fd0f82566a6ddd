package bundler

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/stapler-build/stapler/bundler/internal/scan"
	"github.com/stapler-build/stapler/bundler/internal/sourcemap"
	"github.com/stapler-build/stapler/manifest"
	"golang.org/x/sync/errgroup"
)

// Result is what a build made, or in a check would have made.
type Result struct {
	Manifest *manifest.Manifest
	Outputs  []Output // sorted by Name
	Stats    Stats
	Warnings ErrorList // problems that did not fail the build
	// Unused are the collected files nothing refers to, sorted by root
	// then name, when Options.Unused or [collect] unused asks for them.
	Unused []Unused
}

// Unused is a collected file that no template, stylesheet, script, source
// map or bundle refers to.
type Unused struct {
	Name string // its logical name
	Root string // the directory of its root, as the config names it
	Size int64  // the bytes it adds to the output
}

// Output is one file of the output directory.
type Output struct {
	Name string // logical name: the manifest's key, e.g. "js/stats.js"
	Path string // hashed name, relative to the output directory
	// Data is the output's bytes. It is nil for a file copied as it is
	// that the build did not keep: one the build cache showed unchanged
	// (with [Options.Cache]), which it did not read, or one read once the
	// bytes kept for copied files passed their budget (see spill); and,
	// with [Options.Cache], for any output of a build that ended at its
	// record, or that a patch build did not make again, both of which
	// take it from the output directory. Bytes reads it.
	Data    []byte
	Bundle  string   // the bundle that made it; "" for a file a bundle references
	Sources []string // a bundle's sources, in order

	// For an output of an entry bundle, by logical name: the chunks it
	// imports, statically and with import(); the stylesheets its code
	// imported; the fonts, images and other files it refers to.
	Imports, DynamicImports, CSS, Assets []string

	size      int64                  // when Data is nil: its length
	integrity string                 // when known already
	load      func() ([]byte, error) // when Data is nil: reads it
	from      *copySource            // when Data is nil: the file it copies, for the writer
}

// Bytes returns the output's bytes: Data, or the file read now when the
// build cache showed it unchanged and the build did not read it.
func (o *Output) Bytes() ([]byte, error) {
	if o.Data != nil || o.load == nil {
		return o.Data, nil
	}
	return o.load()
}

// Size returns the length of the output's bytes, read or not.
func (o *Output) Size() int64 {
	if o.Data == nil {
		return o.size
	}
	return int64(len(o.Data))
}

// Stats counts a run's work.
type Stats struct {
	Bundles    int
	Collected  int   // files [collect] wrote
	Sources    int   // distinct files of the roots used
	Cached     int   // of those, the files the build cache showed unchanged, not read
	BytesIn    int64 // their size
	BytesOut   int64 // the outputs' size
	Written    int   // files written (a build only)
	Unchanged  int   // files already in place with the same content
	Compressed int   // precompressed siblings made (a build only)

	Templates       int // template files checked
	TemplateRefs    int // static references in them, checked against the manifest
	TemplateSkipped int // references built from a variable, which cannot be checked
}

// Progress is how far a run has got, for Options.Progress: in a stage,
// files done of the total, and their bytes. Every run makes its files
// (StageMake); a build with [compress] then compresses those of its
// types (StageCompress), which at brotli's level 11 can take longer.
type Progress struct {
	Stage       string
	Done, Total int
	Bytes       int64 // the bytes of the files done: made, or compressed (before)
}

// The stages of a run, as Progress names them.
const (
	StageMake     = "make"
	StageCompress = "compress"
)

// Check does everything Build does, minification included, in memory: it
// writes nothing. Its error holds every problem found, as an ErrorList;
// any other error is one of I/O.
func (p *Project) Check(ctx context.Context) (*Result, error) {
	return p.make(ctx)
}

// Build checks the project and, when it has no problems, writes its
// outputs and its manifests. In link mode (the config's switch, the
// default but on Windows) they become visible at once, with the rename of
// a link; in place, file by file, the manifests last. A build that fails
// changes nothing the previous manifest names.
func (p *Project) Build(ctx context.Context) (*Result, error) {
	if p.outputDir == "" && p.cfg.Output.S != "" {
		return nil, errors.New("bundler: no output directory: set Options.OutputDir to build a project loaded from an fs.FS")
	}
	if res, err := p.unchanged(ctx); res != nil || err != nil {
		return res, err
	}
	// From here on the record in place may not stand for the output: a
	// build that fails leaves none.
	dropRecord(p.outputDir)
	var res *Result
	p.building = true
	defer func() { p.building = false }()
	p.patched, p.patchFacts, p.patchedGraph, p.patchEdited = false, nil, [sha256.Size]byte{}, nil
	p.built, p.builtRes = false, nil
	if plan := p.patch; plan != nil {
		p.patch = nil
		var err error
		if res, err = p.applyPatch(ctx, plan); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// Whatever stopped the patch, the full build makes or
			// reports.
			res = nil
		}
		p.patched = res != nil
	}
	if res == nil {
		var err error
		if res, err = p.make(ctx); err != nil {
			return nil, err
		}
	}
	// One writer of the output directory at a time, from reading the
	// manifest in place to renaming the new one into place.
	unlock, err := lockOutput(ctx, p.outputDir, "stapler build", p.opts.Waiting)
	if err != nil {
		return nil, err
	}
	defer unlock()
	o, err := openOutput(p.outputDir, p.cfg.Switch == switchLink)
	if err != nil {
		return nil, err
	}
	if err := o.sweep(); err != nil {
		return nil, err
	}
	if err := p.write(ctx, res, o); err != nil {
		return nil, err
	}
	// The cache is an optimisation: a build that cannot keep it still
	// built. Watch saves both after it reports the build (see saveLater).
	p.built, p.builtRes = true, res
	if p.opts.memo == nil {
		p.saveLater()
	}
	return res, nil
}

// saveLater saves the build cache and the record of the build Build just
// made; nothing for a build that ended at the record, or failed.
func (p *Project) saveLater() {
	if !p.built {
		return
	}
	p.built = false
	if p.cache != nil {
		p.cache.save()
	}
	p.saveRecord(p.builtRes)
}

// saveAfter is saveLater for Watch, which calls it after Build has let go
// of the output's lock: it takes the lock again, and writes the record
// only if the manifest in place is still the one Build wrote. Another
// build may have written the output since, and a record of this build's
// inputs and result with that output's stats would stand for a build
// that did not happen. (A manifest of the same bytes is an output of the
// same bytes: every file of it is named for its content.)
func (p *Project) saveAfter(ctx context.Context) {
	if !p.built {
		return
	}
	unlock, err := lockOutput(ctx, p.outputDir, "stapler watch", nil)
	if err != nil {
		p.built = false
		return
	}
	defer unlock()
	if data, err := os.ReadFile(filepath.Join(p.outputDir, manifest.FileName)); err != nil || !bytes.Equal(data, p.wroteManifest) {
		p.rec = nil // the cache is saved, not the record
	}
	p.saveLater()
}

// unchanged returns the result of the last build when its record shows
// that nothing it depends on changed since (see recordFormat), holding the
// output's lock while it looks; nil when the build must run.
func (p *Project) unchanged(ctx context.Context) (*Result, error) {
	if p.rec == nil || len(p.problems) > 0 {
		return nil, nil
	}
	if _, err := os.Stat(recordPath(p.outputDir)); err != nil {
		return nil, nil
	}
	unlock, err := lockOutput(ctx, p.outputDir, "stapler build", p.opts.Waiting)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return p.recorded(), nil
}

// make plans and builds in memory: the bundles' own checks; then the
// graph of every file written under its own hashed name (collected, or
// referenced by a stylesheet), checked, then made in dependency order;
// then the stylesheet bundles, which point at those names.
func (p *Project) make(ctx context.Context) (*Result, error) {
	// The record check's stats are for this build's probe alone: a
	// Project built again, or checked, stats anew.
	defer func() { p.held, p.heldBy = nil, nil }()
	if p.heldBy != nil {
		p.held = p.heldBy.holding()
	}
	diags := slices.Clone(p.problems)
	p.checkLinks(&diags)
	if p.opts.Cache && p.disk && p.outputDir != "" {
		p.cache = loadCache(cachePath(p.outputDir), p.racy(), &diags)
	}
	srcs := newSourceSet(p)
	defer srcs.close()
	pl := p.makePlan(srcs, &diags)

	built := make([]*builtBundle, len(pl.bundles))
	if err := inParallel(ctx, pl.bundles, func(i int, bp *bundlePlan) (err error) {
		built[i], err = p.prepareBundle(ctx, bp, srcs)
		return err
	}); err != nil {
		return nil, err
	}
	initial, err := p.collectSet(srcs, &diags)
	if err != nil {
		return nil, err
	}
	var made []*madeFile
	collected := map[*source]bool{}
	for _, src := range initial {
		collected[src] = true
	}
	for _, b := range built {
		diags = append(diags, b.diags...)
		b.reported = len(b.diags)
		initial = append(initial, b.targets...)
		made = append(made, b.made...)
	}
	g, err := p.buildGraph(ctx, initial, made, collected, srcs, &diags)
	if err != nil {
		return nil, err
	}
	srcs.unusedPatterns(&diags)
	p.planMaps(g, &diags)
	mapNamed, err := p.checkMapSources(g, built, srcs, &diags)
	if err != nil {
		return nil, err
	}

	// Made even when there are problems already (a missing target is left
	// as written), so that one run reports every problem: a minifier's
	// error in a collected file, an empty bundle.
	progress := p.progress(StageMake, len(g.nodes)+len(built))
	// What the build cache showed unchanged but something needs the bytes
	// of after all: a map file that a minified file remakes.
	for _, n := range g.nodes {
		if n.src != nil && n.src.hit != nil && (n.mapOf != nil || n.smap != nil) {
			n.src.hit = nil
			if _, err := srcs.read(n.src); err != nil {
				return nil, err
			}
		}
	}
	var held atomic.Int64 // the bytes of files copied as they are, kept
	found, err := g.make(ctx, p.minifyNode, func(n *node) {
		progress(n.length())
		p.spill(n, &held)
	})
	if err != nil {
		return nil, err
	}
	if p.cache != nil {
		for _, n := range g.nodes {
			if s := n.src; s != nil && s.hit == nil && s.stat.ino != 0 && n.integrity != "" {
				p.cache.record(s.abs, s.stat, s.statAt, n.hash, n.integrity)
			}
		}
	}
	diags = append(diags, found...)
	if err := inParallel(ctx, built, func(_ int, b *builtBundle) error {
		if b.plan.cfg.Entry.S != "" {
			return nil // its outputs are nodes
		}
		if b.plan.typ == "css" {
			p.joinStylesheets(b, g)
		}
		p.checkEmpty(b)
		progress(int64(len(b.data)))
		return nil
	}); err != nil {
		return nil, err
	}
	for _, b := range built {
		diags = append(diags, b.diags[b.reported:]...)
	}
	p.strictly(diags)
	if err := diags.Err(); err != nil {
		return nil, err
	}
	res, err := p.result(ctx, built, g, len(collected), srcs)
	if err != nil {
		return nil, err
	}
	refd := g.referenced(built)
	tmplNamed, err := p.checkTemplates(ctx, res, refd, &diags)
	if err != nil {
		return nil, err
	}
	p.findUnused(g, res, []map[string]bool{refd, tmplNamed, mapNamed}, &diags)
	p.strictly(diags)
	if err := diags.Err(); err != nil {
		return nil, err
	}
	diags.Sort()
	res.Warnings = diags
	if p.building {
		p.graphOut = p.patchGraphOf(g, built) // for the record
	}
	return res, nil
}

// spillBudget is how many bytes of files copied as they are a build keeps
// from their hashing to their writing; past it, each is let go of once
// hashed and read again to be written. So a build's memory is bounded by
// the budget and the largest file, not by the tree, and a project whose
// copied files fit in it reads each once. 8 MB, not the 32 it was, took
// the 20,000-file site's cold build from 265-296 to 222 MB of peak RSS
// (the target is 250), at no cost in time that showed on either site:
// the files read again come from the page cache.
const spillBudget = 8 << 20

// spill lets go of a made node's bytes, when it is a file of the roots
// copied as it is and the bytes kept already exceed spillBudget: its
// output reads the file again when they are needed (sourceSet.reread),
// checked against its hash.
func (p *Project) spill(n *node, held *atomic.Int64) {
	src := n.src
	if !p.disk || src == nil || n.made != nil || len(n.refs) > 0 || n.mapOf != nil || n.smap != nil ||
		len(n.data) == 0 || len(src.data) != len(n.data) || &src.data[0] != &n.data[0] ||
		!p.copiedAsIs(n.name) || path.Ext(n.name) == ".map" {
		return
	}
	size := int64(len(n.data))
	if held.Add(size) <= cmp.Or(p.opts.spillBudget, spillBudget) {
		return
	}
	held.Add(-size)
	if n.integrity == "" {
		n.integrity = manifest.Integrity(n.data)
	}
	n.size, src.size, src.spillHash = size, size, n.hash
	n.data, src.data = nil, nil
	src.spilled.Store(true)
}

// strictly makes every warning of diags an error when the run is strict
// (Options.Strict, or strict = true in the config). A diagnostic may be
// shared with a memo of an earlier run: it is copied, not changed.
func (p *Project) strictly(diags ErrorList) {
	if !p.opts.Strict && !p.cfg.Strict {
		return
	}
	for i, d := range diags {
		if d.Severity == SeverityWarning {
			c := *d
			c.Severity = SeverityError
			diags[i] = &c
		}
	}
}

// inParallel calls f for each element of list, GOMAXPROCS at a time, and
// returns the first error.
func inParallel[T any](ctx context.Context, list []T, f func(int, T) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, x := range list {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return f(i, x)
		})
	}
	return g.Wait()
}

// progress returns a function to call as each of total files of a stage
// is done, which reports to Options.Progress, one call at a time.
func (p *Project) progress(stage string, total int) func(bytes int64) {
	if p.opts.Progress == nil {
		return func(int64) {}
	}
	var mu sync.Mutex
	pr := Progress{Stage: stage, Total: total}
	return func(bytes int64) {
		mu.Lock()
		defer mu.Unlock()
		pr.Done++
		pr.Bytes += bytes
		p.opts.Progress(pr)
	}
}

// builtBundle is a bundle's output and the files it references.
type builtBundle struct {
	plan *bundlePlan
	data []byte
	// Its source map, when it has one: logical name, hashed name, bytes.
	mapName, mapPath string
	mapData          []byte
	targets          []*source   // files its stylesheets reference, written hashed
	made             []*madeFile // an entry bundle's outputs and their maps
	diags            ErrorList
	reported         int // how many of diags make has taken already
	// A minified stylesheet bundle: each chunk's output with stand-ins for
	// its targets' hashes, and the targets by stand-in; standOK says that
	// every chunk has them.
	chunks  []standChunk
	standOK bool
}

// standChunk is a chunk of a minified stylesheet bundle as a patch build
// fills it in again (see patch.go).
type standChunk struct {
	text  []byte
	nodes []*node
}

// prepareBundle checks a bundle's sources. A script bundle is joined at
// once; a stylesheet bundle waits for the files it references to be named.
func (p *Project) prepareBundle(ctx context.Context, bp *bundlePlan, srcs *sourceSet) (*builtBundle, error) {
	bb := &builtBundle{plan: bp}
	if bp.cfg.Entry.S != "" {
		return bb, p.buildEntry(bb, srcs)
	}
	switch bp.typ {
	case "js":
		return bb, p.joinScripts(ctx, bb, srcs)
	case "css":
		return bb, p.checkStylesheets(bb, srcs)
	}
	return bb, nil
}

func (p *Project) checkEmpty(bb *builtBundle) {
	bp := bb.plan
	if !bp.bad && bb.diags.Errors() == 0 && len(bytes.TrimSpace(bb.data)) == 0 {
		bb.diags.errorf(bp.cfg.Output.Pos, CodeEmptyOutput, nil, "bundle %q: output %q would be empty (its sources hold no code)", bp.cfg.Name, bp.cfg.Output.S)
	}
}

// joinScripts minifies each source on its own, in parallel (so error
// positions stay in the source and the result is smaller than minifying
// the whole), and joins them with a ";" barrier, so that a file without a
// trailing semicolon cannot run into the next. A source's source map
// comment is dropped: its map is not the bundle's.
func (p *Project) joinScripts(ctx context.Context, bb *builtBundle, srcs *sourceSet) error {
	bp := bb.plan
	parts := make([][]byte, len(bp.sources))
	partMaps := make([]*sourcemap.Map, len(bp.sources))
	partDiags := make([]ErrorList, len(bp.sources))
	if err := inParallel(ctx, bp.sources, func(i int, src *source) error {
		out, m, diags, err := srcs.script(src, bp.cfg.Minify)
		if err != nil {
			return err
		}
		if !bp.cfg.Minify { // esbuild drops the comment when it minifies
			if _, err := srcs.scanned(src); err != nil {
				return err
			}
			out = withoutSourceMaps(out, src.scan.Refs)
			if bp.cfg.SourceMap != sourceMapNone {
				m = sourcemap.Verbatim(src.file.Name, src.data, nil)
			}
		}
		parts[i], partMaps[i], partDiags[i] = out, m, diags
		return nil
	}); err != nil {
		return err
	}
	var out bytes.Buffer
	var m *sourcemap.Map
	if bp.cfg.SourceMap != sourceMapNone {
		m = &sourcemap.Map{}
	}
	// The wrapper's first line moves every source down one line, which
	// is all its map needs to know.
	line, head := 0, 0
	if bp.cfg.Wrap {
		out.WriteString(wrapperStart)
		line, head = 1, out.Len()
	}
	hasCode := make([]bool, len(parts))
	for i, part := range parts {
		bb.diags = append(bb.diags, partDiags[i]...)
		part = bytes.TrimRight(part, " \t\r\n")
		if len(part) == 0 {
			continue
		}
		hasCode[i] = true
		if out.Len() > head {
			out.WriteString("\n;\n")
			line += 2
		}
		if m != nil && partMaps[i] != nil {
			// Its trailing blank lines were trimmed: so is their map,
			// which would reach into the next part's lines. A copy: a
			// source's map is shared by the bundles that hold it.
			pm := *partMaps[i]
			pm.Truncate(bytes.Count(part, []byte{'\n'}) + 1)
			m.Append(&pm, line, 0)
		}
		out.Write(part)
		line += bytes.Count(part, []byte{'\n'})
	}
	switch {
	case out.Len() == head:
		out.Reset() // no code: an empty output, reported as such
	case bp.cfg.Wrap:
		out.WriteString(wrapperEnd)
	default:
		out.WriteByte('\n')
	}
	bb.data = out.Bytes()
	if m != nil && bb.diags.Errors() == 0 {
		p.linkMap(bb, m)
	}
	if len(bb.diags) == 0 && !bp.bad {
		// Warnings only: after the map, which a problem would withhold.
		p.checkAssembly(bb, srcs, hasCode)
	}
	return nil
}

// django-pipeline's JS_WRAPPER, around a script bundle with wrap = true.
// The code starts on a line of its own, so that a source's map is moved
// down one line, and ends on one, so that a last line comment does not
// swallow the closing.
const (
	wrapperStart = "(function() {\n"
	wrapperEnd   = "\n}).call(this);\n"
)

// linkMap makes a bundle's source map an output, named for its hash, and
// names it in a comment at the end of the bundle, unless it is hidden.
func (p *Project) linkMap(bb *builtBundle, m *sourcemap.Map) {
	cfg := bb.plan.cfg
	name := cfg.Output.S + ".map"
	bb.mapName = name
	bb.mapData = m.Marshal(path.Base(cfg.Output.S), relDir(path.Dir(name), ""))
	bb.mapPath = manifest.HashedPath(name, manifest.ContentHash(bb.mapData))
	if cfg.SourceMap == sourceMapLinked {
		bb.data, _ = appendMapComment(bb.data, bb.plan.typ == "css", escapeSegment(path.Base(bb.mapPath)))
	}
}

// appendMapComment appends the comment that names an output's source map,
// //# sourceMappingURL=url (/*# … */ in a stylesheet), on a line of its
// own, and returns where url starts.
func appendMapComment(data []byte, css bool, url string) ([]byte, int) {
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(data, '\n')
	}
	open, close := "//# sourceMappingURL=", "\n"
	if css {
		open, close = "/*# sourceMappingURL=", " */\n"
	}
	data = append(data, open...)
	start := len(data)
	data = append(append(data, url...), close...)
	return data, start
}

// withoutSourceMaps returns data without its source map comments.
func withoutSourceMaps(data []byte, refs []scan.Ref) []byte {
	var out []byte
	last := 0
	for _, r := range refs {
		if r.Kind == scan.SourceMap {
			out = append(out, data[last:r.At]...)
			last = r.At + len(r.Text)
		}
	}
	if last == 0 {
		return data
	}
	return append(out, data[last:]...)
}

// checkStylesheets checks each source of a stylesheet bundle on its own,
// with esbuild, so that problems are reported at the source's lines, and
// finds the files its references name: a bundle brings them along, each
// under its hashed name. An @import of a local file becomes a reference to
// that file's hashed copy, where its media, layer() and supports() still
// apply; a remote one (a web font's) must come before every rule once the
// sources are joined, or browsers ignore it.
func (p *Project) checkStylesheets(bb *builtBundle, srcs *sourceSet) error {
	bp := bb.plan
	ruleFrom := "" // the first source that holds a rule
	for _, src := range bp.sources {
		diags, err := srcs.checkStylesheet(src)
		if err != nil {
			return err
		}
		bb.diags = append(bb.diags, diags...)
		refs, err := srcs.references(src)
		if err != nil {
			return err
		}
		for _, r := range refs {
			if r.Kind == scan.SourceMap {
				continue // dropped: the source's map is not the bundle's
			}
			if r.Import && r.Leading && ruleFrom != "" && ruleFrom != src.display {
				bb.diags.errorf(src.lines.pos(src.display, r.At), CodeImportOrder, nil,
					"%s comes after the rules of %s once bundle %q is joined, and browsers ignore an @import after rules: move it to the bundle's first source",
					r.Text, ruleFrom, bp.cfg.Name)
			}
			if r.diag != nil {
				bb.diags.add(r.diag)
			}
			if r.target != nil {
				bb.targets = append(bb.targets, r.target)
			}
		}
		if src.scan.FirstRule >= 0 && ruleFrom == "" {
			ruleFrom = src.display
		}
	}
	return nil
}

// joinStylesheets rewrites each source's references to the hashed names
// of their targets, from the bundle's directory, joins the sources in
// order with one @charset at the top, and minifies them, by chunks (see
// stylesheetChunks): minifying a run of sources together lets esbuild drop
// rules repeated across them.
func (p *Project) joinStylesheets(bb *builtBundle, g *graph) {
	bp := bb.plan
	outDir := path.Dir(bp.cfg.Output.S)
	var charset []byte
	for _, src := range bp.sources {
		if n := src.scan.CharsetEnd; n > 0 {
			charset = src.data[:n]
			break
		}
	}
	var head []byte
	if charset != nil {
		head = append(slices.Clone(charset), '\n')
	}
	withMap := bp.cfg.SourceMap != sourceMapNone
	if !bp.cfg.Minify || bp.bad || bb.diags.Errors() > 0 {
		// A bundle with problems is never written; minifying it would
		// only report its sources' problems again.
		c := p.joinChunk(bp, bp.sources, head, outDir, g, withMap, nil)
		bb.data = append(head, c.joined...)
		if c.concat != nil && !bp.bad && bb.diags.Errors() == 0 {
			p.linkMap(bb, c.concat)
		}
		return
	}
	chunks := stylesheetChunks(bp.sources)
	made := make([]madeChunk, len(chunks))
	var wg sync.WaitGroup
	for i, srcs := range chunks {
		wg.Go(func() {
			h := head
			if i > 0 {
				h = nil
			}
			made[i] = p.minifyChunk(bp, i, srcs, h, outDir, g, withMap)
		})
	}
	wg.Wait()
	var out []byte
	var whole *sourcemap.Map
	if withMap {
		whole = &sourcemap.Map{}
	}
	line := 0 // the output's line where the chunk starts
	bb.standOK = true
	for i, c := range made {
		for _, d := range c.diags {
			bb.diags.add(d)
		}
		min := c.out
		if i < len(made)-1 && len(min) > 0 && min[len(min)-1] != '\n' {
			min = append(min, '\n') // the next chunk on a line of its own
		}
		if whole != nil && c.m != nil {
			whole.Append(c.m, line, 0)
		}
		line += bytes.Count(min, []byte{'\n'})
		out = append(out, min...)
		bb.standOK = bb.standOK && c.standOK
		bb.chunks = append(bb.chunks, standChunk{text: c.standText, nodes: c.standNodes})
	}
	bb.data = out
	if whole != nil && bb.diags.Errors() == 0 {
		p.linkMap(bb, whole)
		bb.standOK = false // its comment names the map: not a patch build's to fill in
	}
}

// chunkEvery is how many sources a chunk of a stylesheet bundle has, on
// average: see stylesheetChunks. 8, not the 16 it was: a patch build of
// one source edited on the 4,000-file site, 132 -> 121 ms; check, no
// slower (198 -> 190 ms); the bundle 21 bytes longer.
const chunkEvery = 8

// stylesheetChunks splits a stylesheet bundle's sources into the runs
// that are minified apart, each ending at a source whose name's hash is a
// multiple of chunkEvery: where they end depends on the sources' names
// alone, so that a source edited costs esbuild a run over its chunk (35 kB
// on the 4,000-file site), not over the bundle (1.1 MB, 60 ms), and the
// cache's result of every other chunk holds. A rule repeated in two
// chunks is kept in both. A bundle of fewer than 4*chunkEvery sources is
// one chunk: the number of its sources, too, depends on their names alone.
func stylesheetChunks(srcs []*source) [][]*source {
	if len(srcs) < 4*chunkEvery {
		return [][]*source{srcs} // small: one run costs little
	}
	var out [][]*source
	start := 0
	for i, src := range srcs {
		h := fnv.New32a()
		h.Write([]byte(src.file.Name))
		if i == len(srcs)-1 || h.Sum32()%chunkEvery == 0 {
			out = append(out, srcs[start:i+1])
			start = i + 1
		}
	}
	return out
}

// joinedChunk is a run of a stylesheet bundle's sources, joined.
type joinedChunk struct {
	joined []byte
	concat *sourcemap.Map // the join's map, when the bundle has one
	spans  []chunkSpan
}

// chunkSpan is where a source starts in a join.
type chunkSpan struct {
	src       *source
	firstLine int // the join's line where this source starts
}

// joinChunk joins srcs, each rewritten (see bundledStylesheet) with the
// hashes stand gives its targets (the real ones when stand is nil), after
// head, which takes its lines.
func (p *Project) joinChunk(bp *bundlePlan, srcs []*source, head []byte, outDir string, g *graph, withMap bool, stand *standIns) joinedChunk {
	hash := func(n *node) string { return n.hash }
	if stand != nil {
		hash = stand.hash
	}
	var c joinedChunk
	var joined bytes.Buffer
	if withMap {
		c.concat = &sourcemap.Map{}
	}
	line := 1
	for _, src := range srcs {
		data := src.data
		out, edits := bundledStylesheet(src, outDir, g, hash, withMap)
		c.spans = append(c.spans, chunkSpan{src, line})
		b := bytes.TrimRight(out, " \t\r\n")
		if withMap {
			// The @charset, when a source starts with one, is cut: its
			// columns go with it.
			if n := src.scan.CharsetEnd; n > 0 {
				edits = append([]sourcemap.Edit{{Line: 0, Start: 0, End: n, NewLen: 0}}, edits...)
			}
			// A segment at each word: unminified, this map is the
			// bundle's, and a consumer maps a column to the segment at
			// or before it. It ends where the trimmed text does: the next
			// source starts on the line after, which it would also cover.
			m := sourcemap.VerbatimWords(src.file.Name, data, edits)
			m.Truncate(bytes.Count(b, []byte{'\n'}) + 1)
			c.concat.Append(m, line-1, 0)
		}
		joined.Write(b)
		joined.WriteByte('\n')
		line += bytes.Count(b, []byte{'\n'}) + 1
	}
	if head != nil && c.concat != nil {
		c.concat.Lines = append([][]sourcemap.Segment{nil}, c.concat.Lines...)
	}
	c.joined = joined.Bytes()
	return c
}

// madeChunk is a chunk of a stylesheet bundle, minified.
type madeChunk struct {
	out   []byte
	m     *sourcemap.Map // its map, when the bundle has one
	diags ErrorList
	// esbuild's output with stand-ins for the targets' hashes, and the
	// targets by stand-in: what a patch build fills in again. standOK is
	// false where the output was made from the real hashes.
	standText  []byte
	standNodes []*node
	standOK    bool
}

// minifyChunk minifies the i-th chunk of a stylesheet bundle, srcs, after
// head (the first chunk's). It is made with a stand-in for each target's
// hash (see standIns), so that a target whose bytes change, an image,
// does not cost esbuild a run over it: the cached result holds.
func (p *Project) minifyChunk(bp *bundlePlan, i int, srcs []*source, head []byte, outDir string, g *graph, withMap bool) madeChunk {
	stand := newStandIns(!p.opts.noStandIns)
	c := p.joinChunk(bp, srcs, head, outDir, g, withMap, stand)
	whole := append(slices.Clone(head), c.joined...)
	minify := func(whole []byte) transformed {
		return p.cachedTransform(fmt.Sprintf("stylesheet %s %d %t", bp.cfg.Output.S, i, withMap), whole, func() transformed {
			defer p.esbuildSlot(len(whole))()
			min, minMap, diags := transformMap(whole, bp.cfg.Output.S, api.LoaderCSS, true, withMap)
			return transformed{min, minMap, diags}
		})
	}
	var made madeChunk
	var r transformed
	if !stand.used() {
		r = minify(whole)
		// No target, or none with a stand-in: only the former is the
		// same whatever the targets' hashes.
		made.standText, made.standOK = r.out, len(r.diags) == 0 && stand.real == 0
	} else if real, ok := stand.fillInput(whole); !ok {
		// The stand-ins cannot be told from the text around them: make
		// the text again with the real hashes (as long: the edits of the
		// map, and the spans, hold).
		rc := p.joinChunk(bp, srcs, head, outDir, g, false, nil)
		whole = append(slices.Clone(head), rc.joined...)
		r = minify(whole)
	} else {
		r = minify(whole)
		filled, ok := stand.fillOutput(r.out)
		if ok && len(r.diags) == 0 {
			made.standText, made.standNodes, made.standOK = r.out, stand.nodes, stand.real == 0
			r.out = filled
		} else {
			// A problem's message may quote a stand-in: minify the real
			// text.
			r = minify(real)
		}
		whole = real
	}
	made.out = r.out
	// Problems of the chunk that no source had alone: put each at its
	// source's line (the rewriting changes columns, never lines).
	for _, d := range copied(r.diags) {
		if d.Code == "invalid-@import" { // reported by checkStylesheets, better
			continue
		}
		l := d.Pos.Line
		if head != nil {
			l--
		}
		for k := len(c.spans) - 1; k >= 0; k-- {
			if l >= c.spans[k].firstLine {
				d.Pos = Position{File: c.spans[k].src.display, Line: l - c.spans[k].firstLine + 1, Col: d.Pos.Col}
				break
			}
		}
		made.diags = append(made.diags, d)
	}
	if withMap && len(made.diags) == 0 && c.concat != nil {
		outer, err := sourcemap.Decode(r.m)
		if err != nil {
			made.diags.errorf(bp.cfg.Output.Pos, CodeSourceMap, err, "bundle %q: esbuild's source map: %v", bp.cfg.Name, err)
			return made
		}
		fixShorthands(outer, made.out, textIs(whole))
		made.m = outer.Compose(c.concat, true)
	}
	return made
}

// bundledStylesheet returns a source of a stylesheet bundle as it is
// joined: without its @charset and its source map comments, and with each
// reference made anew from the bundle's directory outDir to its target's
// hashed name. With edits, it also returns how that moved its columns.
func bundledStylesheet(src *source, outDir string, g *graph, hash func(*node) string, withEdits bool) ([]byte, []sourcemap.Edit) {
	data := src.data
	var out bytes.Buffer
	var edits []sourcemap.Edit
	replace := func(start, end int, with string) {
		if withEdits {
			edits = append(edits, src.lines.Edit(data, start, end, with))
		}
		out.WriteString(with)
	}
	last := src.scan.CharsetEnd
	for _, r := range src.resolved {
		switch {
		case r.Kind == scan.SourceMap:
			out.Write(data[last:r.At])
			replace(r.At, r.At+len(r.Text), "")
			last = r.At + len(r.Text)
		case r.target != nil:
			out.Write(data[last:r.Start])
			replace(r.Start, r.End, r.Escape(bundleURL(r, outDir, g.node(r.target), hash(g.node(r.target)))))
			last = r.End
		}
	}
	out.Write(data[last:])
	return out.Bytes(), edits
}

// result names the outputs and makes the manifest. No name is made
// twice: a bundle's output may not be the name of a file in a root, and
// every other output is one.
func (p *Project) result(ctx context.Context, built []*builtBundle, g *graph, collected int, srcs *sourceSet) (*Result, error) {
	// Room for an output a node and two a bundle (it and its map); a
	// node's own map, rarer, grows the list. An Output is 232 bytes:
	// growing the list from nothing was half of this function's time.
	res := &Result{Outputs: make([]Output, 0, len(g.nodes)+2*len(built))}
	add := func(o Output) { res.Outputs = append(res.Outputs, o) }
	for _, b := range built {
		cfg := b.plan.cfg
		if cfg.Entry.S != "" {
			continue // its outputs are nodes
		}
		names := make([]string, len(b.plan.sources))
		for i, s := range b.plan.sources {
			names[i] = s.file.Name
		}
		add(Output{
			Name: cfg.Output.S, Path: manifest.HashedPath(cfg.Output.S, manifest.ContentHash(b.data)), Data: b.data,
			Bundle: cfg.Name, Sources: names,
		})
		if b.mapData != nil {
			add(Output{Name: b.mapName, Path: b.mapPath, Data: b.mapData})
		}
	}
	for _, n := range g.nodes {
		o := Output{Name: n.name, Path: n.path, Data: n.data, integrity: n.integrity}
		if src := n.src; n.data == nil && src != nil && (src.hit != nil || src.spilled.Load()) {
			o.size = n.size
			hash := n.hash
			o.load = func() ([]byte, error) { return srcs.readChecked(src, hash) }
			o.from = p.copySource(src)
		}
		if i := n.made.outputInfo(); i != nil {
			o.Bundle, o.Sources = i.bundle, i.sources
			o.Imports, o.DynamicImports, o.CSS, o.Assets = i.imports, i.dynamicImports, i.css, i.assets
		}
		add(o)
		if n.smap != nil && n.smap.out != nil {
			add(*n.smap.out)
		}
	}
	slices.SortFunc(res.Outputs, func(a, b Output) int { return strings.Compare(a.Name, b.Name) })
	// SHA-384 over every output is a tenth of a rebuild: in parallel.
	entries := make([]manifest.Entry, len(res.Outputs))
	if err := inParallel(ctx, res.Outputs, func(i int, o Output) error {
		entries[i] = manifest.Entry{
			Path: o.Path, Size: o.Size(), Integrity: o.integrity,
			Bundle: o.Bundle, Sources: o.Sources,
			Imports: o.Imports, DynamicImports: o.DynamicImports, CSS: o.CSS, Assets: o.Assets,
		}
		if o.integrity == "" {
			entries[i].Integrity = manifest.Integrity(o.Data)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	files := make(map[string]manifest.Entry, len(entries))
	for i, o := range res.Outputs {
		files[o.Name] = entries[i]
	}
	res.Manifest = &manifest.Manifest{Version: manifest.Version, Prefix: p.cfg.URL, Files: files}

	res.Stats.Bundles = len(built)
	res.Stats.Collected = collected
	for _, s := range srcs.all() {
		res.Stats.Sources++
		if s.hit != nil {
			res.Stats.Cached++
			res.Stats.BytesIn += s.hit.size
		} else if s.spilled.Load() {
			res.Stats.BytesIn += s.size
		} else {
			res.Stats.BytesIn += int64(len(s.data))
		}
	}
	for _, o := range res.Outputs {
		res.Stats.BytesOut += o.Size()
	}
	return res, nil
}
