package bundler

import (
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"path"
	"runtime"
	"slices"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/stapler-build/stapler/finders"
	"github.com/stapler-build/stapler/manifest"
	"golang.org/x/sync/errgroup"
)

// Result is what a build made, or in a check would have made.
type Result struct {
	Manifest *manifest.Manifest
	Outputs  []Output // sorted by Name
	Stats    Stats
	Warnings ErrorList // problems that did not fail the build
}

// Output is one file of the output directory.
type Output struct {
	Name    string // logical name: the manifest's key, e.g. "js/stats.js"
	Path    string // hashed name, relative to the output directory
	Data    []byte
	Bundle  string   // the bundle that made it; "" for a file a bundle references
	Sources []string // a bundle's sources, in order
}

// Stats counts a run's work.
type Stats struct {
	Bundles   int
	Sources   int   // distinct files read
	BytesIn   int64 // their size
	BytesOut  int64 // the outputs' size
	Written   int   // files written (a build only)
	Unchanged int   // files already in place with the same content
}

// Check does everything Build does, minification included, in memory: it
// writes nothing. Its error holds every problem found, as an ErrorList;
// any other error is one of I/O.
func (p *Project) Check(ctx context.Context) (*Result, error) {
	return p.make(ctx)
}

// Build checks the project and, when it has no problems, writes its
// outputs and then its manifest, each file atomically. A build that fails
// changes nothing the previous manifest names.
func (p *Project) Build(ctx context.Context) (*Result, error) {
	if p.outputDir == "" && p.Config.Output.S != "" {
		return nil, errors.New("bundler: no output directory: set Options.OutputDir to build a project loaded from an fs.FS")
	}
	res, err := p.make(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.write(res); err != nil {
		return nil, err
	}
	return res, nil
}

// make plans and builds in memory.
func (p *Project) make(ctx context.Context) (*Result, error) {
	diags := slices.Clone(p.problems)
	srcs := newSourceSet(p.finder)
	pl := p.makePlan(srcs, &diags)

	built := make([]*builtBundle, len(pl.bundles))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, bp := range pl.bundles {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var err error
			built[i], err = p.buildBundle(ctx, bp, srcs)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, b := range built {
		diags = append(diags, b.diags...)
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	return p.result(built, srcs, diags)
}

// builtBundle is a bundle's output and the files it references.
type builtBundle struct {
	plan   *bundlePlan
	data   []byte
	assets []*source // files its stylesheets reference, to copy hashed
	diags  ErrorList
}

func (p *Project) buildBundle(ctx context.Context, bp *bundlePlan, srcs *sourceSet) (*builtBundle, error) {
	bb := &builtBundle{plan: bp}
	var err error
	switch bp.typ {
	case "js":
		err = p.joinScripts(ctx, bb, srcs)
	case "css":
		err = p.joinStylesheets(bb, srcs)
	}
	if err != nil {
		return nil, err
	}
	if !bp.bad && len(bb.diags) == 0 && len(bytes.TrimSpace(bb.data)) == 0 {
		bb.diags.errorf(bp.cfg.Output.Pos, "empty-output", nil, "bundle %q: output %q would be empty (its sources hold no code)", bp.cfg.Name, bp.cfg.Output.S)
	}
	return bb, nil
}

// joinScripts minifies each source on its own, in parallel (so error
// positions stay in the source and the result is smaller than minifying
// the whole), and joins them with a ";" barrier, so that a file without a
// trailing semicolon cannot run into the next.
func (p *Project) joinScripts(ctx context.Context, bb *builtBundle, srcs *sourceSet) error {
	bp := bb.plan
	parts := make([][]byte, len(bp.sources))
	partDiags := make([]ErrorList, len(bp.sources))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, src := range bp.sources {
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var err error
			parts[i], partDiags[i], err = srcs.script(src, bp.cfg.Minify)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	var out bytes.Buffer
	for i, part := range parts {
		bb.diags = append(bb.diags, partDiags[i]...)
		part = bytes.TrimRight(part, " \t\r\n")
		if len(part) == 0 {
			continue
		}
		if out.Len() > 0 {
			out.WriteString("\n;\n")
		}
		out.Write(part)
	}
	if out.Len() > 0 {
		out.WriteByte('\n')
	}
	bb.data = out.Bytes()
	return nil
}

// joinStylesheets rewrites each source's references to the hashed copies
// of their targets, joins the sources in order with one @charset at the
// top, and minifies the whole: minifying the concatenation lets esbuild
// drop rules repeated across files. Each source was checked on its own
// first, so that problems are reported at the source's lines.
func (p *Project) joinStylesheets(bb *builtBundle, srcs *sourceSet) error {
	bp := bb.plan
	outDir := path.Dir(bp.cfg.Output.S)
	var joined bytes.Buffer
	var charset []byte
	type span struct {
		src       *source
		firstLine int // the concatenation's line where this source starts
	}
	var spans []span
	line := 1
	ruleFrom := "" // the first source that holds a rule
	for _, src := range bp.sources {
		if _, err := srcs.stylesheet(src); err != nil {
			return err
		}
		bb.diags = append(bb.diags, src.cssDiags...)
		data := src.data
		sc := src.scan
		var out bytes.Buffer
		last := sc.charsetEnd
		if sc.charsetEnd > 0 && charset == nil {
			charset = data[:sc.charsetEnd]
		}
		for _, ref := range sc.refs {
			at := src.lines.pos(src.display, ref.at)
			if ref.isImport {
				p.checkImport(bb, src, ref, at, ruleFrom)
				continue
			}
			target, suffix, ok := localTarget(ref.url, path.Dir(src.file.Name), p.Config.URL)
			if !ok {
				continue
			}
			asset, err := p.findAsset(target, srcs)
			if err != nil {
				if !isFindError(err) {
					return err
				}
				d := bb.diags.errorf(at, "url-not-found", err, "%s → %q %s", ref.text, target, findProblem(err))
				var fe *finders.Error
				if errors.As(err, &fe) && len(fe.Suggestions) > 0 {
					d.Suggestion = fe.Suggestions[0]
				}
				continue
			}
			bb.assets = append(bb.assets, asset)
			hashed := hashedName(asset.file.Name, asset.hash)
			var url string
			if strings.HasPrefix(strings.TrimSpace(ref.url), p.Config.URL) {
				url = p.Config.URL + relURL("", hashed)
			} else {
				url = relURL(outDir, hashed)
			}
			out.Write(data[last:ref.start])
			out.WriteString(url + suffix)
			last = ref.end
		}
		out.Write(data[last:])
		if sc.firstRule >= 0 && ruleFrom == "" {
			ruleFrom = src.display
		}
		spans = append(spans, span{src, line})
		b := bytes.TrimRight(out.Bytes(), " \t\r\n")
		joined.Write(b)
		joined.WriteByte('\n')
		line += bytes.Count(b, []byte{'\n'}) + 1
	}
	if len(bb.diags) > 0 {
		return nil
	}
	var head []byte
	if charset != nil {
		head = append(slices.Clone(charset), '\n')
	}
	if !bp.cfg.Minify {
		bb.data = append(head, joined.Bytes()...)
		return nil
	}
	min, diags := transform(append(head, joined.Bytes()...), bp.cfg.Output.S, api.LoaderCSS, true)
	// Problems of the whole that no source had alone: put each at its
	// source's line (the rewriting changes columns, never lines).
	for _, d := range diags {
		if d.Code == "invalid-@import" { // reported by checkImport, better
			continue
		}
		l := d.Pos.Line
		if charset != nil {
			l--
		}
		for i := len(spans) - 1; i >= 0; i-- {
			if l >= spans[i].firstLine {
				d.Pos = Position{File: spans[i].src.display, Line: l - spans[i].firstLine + 1, Col: d.Pos.Col}
				break
			}
		}
		bb.diags.add(d)
	}
	bb.data = min
	return nil
}

// checkImport checks an @import of a bundled stylesheet. A local one is
// an error: its file belongs in the bundle's list. A remote one (a web
// font's) must come before every rule once the sources are joined, or
// browsers ignore it.
func (p *Project) checkImport(bb *builtBundle, src *source, ref cssRef, at Position, ruleFrom string) {
	b := bb.plan.cfg
	if target, _, local := localTarget(ref.url, path.Dir(src.file.Name), p.Config.URL); local {
		bb.diags.errorf(at, "local-import", nil, "%s imports %q inside bundle %q: list %q in the bundle's sources instead", ref.text, target, b.Name, target)
		return
	}
	if ref.leading && ruleFrom != "" && ruleFrom != src.display {
		bb.diags.errorf(at, "import-order", nil, "%s comes after the rules of %s once bundle %q is joined, and browsers ignore an @import after rules: move it to the bundle's first source", ref.text, ruleFrom, b.Name)
	}
}

// findAsset finds a file a stylesheet references and hashes it.
func (p *Project) findAsset(name string, srcs *sourceSet) (*source, error) {
	f, _, err := p.finder.Find(name)
	if err != nil {
		return nil, err
	}
	src := srcs.get(f, p.FilePath(f))
	if _, err := srcs.contentHash(src); err != nil {
		return nil, err
	}
	return src, nil
}

// isFindError reports whether err says a name is not in the roots, as
// opposed to a root that could not be read.
func isFindError(err error) bool {
	return errors.Is(err, finders.ErrNotFound) || errors.Is(err, finders.ErrCaseMismatch) || errors.Is(err, finders.ErrInvalidName)
}

// findProblem says why a resolved name was not found, with a did-you-mean.
func findProblem(err error) string {
	var fe *finders.Error
	errors.As(err, &fe)
	switch {
	case errors.Is(err, finders.ErrInvalidName) && strings.HasPrefix(fe.Name, "../"):
		return "is outside every root"
	case errors.Is(err, finders.ErrNotFound):
		return "not found in any root" + didYouMean(fe.Suggestions)
	case errors.Is(err, finders.ErrCaseMismatch):
		return fmt.Sprintf("not found: names are case-sensitive, and the file is %q", fe.Suggestions[0])
	}
	return "is not a valid name: " + detail(err)
}

// result names the outputs and makes the manifest.
func (p *Project) result(built []*builtBundle, srcs *sourceSet, warnings ErrorList) (*Result, error) {
	res := &Result{Warnings: warnings}
	files := map[string]manifest.Entry{}
	made := map[string]string{} // logical name → what made it, for collisions
	var diags ErrorList
	add := func(o Output, by string) {
		if _, ok := made[o.Name]; ok {
			return // a file referenced twice; a clash with a bundle is caught below
		}
		made[o.Name] = by
		res.Outputs = append(res.Outputs, o)
		files[o.Name] = manifest.Entry{
			Path: o.Path, Size: int64(len(o.Data)), Integrity: integrity(o.Data),
			Bundle: o.Bundle, Sources: o.Sources,
		}
	}
	for _, b := range built {
		cfg := b.plan.cfg
		names := make([]string, len(b.plan.sources))
		for i, s := range b.plan.sources {
			names[i] = s.file.Name
		}
		add(Output{
			Name: cfg.Output.S, Path: hashedName(cfg.Output.S, contentHash(b.data)), Data: b.data,
			Bundle: cfg.Name, Sources: names,
		}, "bundle "+cfg.Name)
	}
	for _, b := range built {
		for _, a := range b.assets {
			if by, ok := made[a.file.Name]; ok && strings.HasPrefix(by, "bundle ") {
				diags.errorf(b.plan.cfg.Output.Pos, "output-clash", nil, "bundle %q references %q, which is also the output of %s", b.plan.cfg.Name, a.file.Name, by)
				continue
			}
			add(Output{Name: a.file.Name, Path: hashedName(a.file.Name, a.hash), Data: a.data}, "reference")
		}
	}
	if err := diags.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(res.Outputs, func(a, b Output) int { return strings.Compare(a.Name, b.Name) })
	res.Manifest = &manifest.Manifest{Version: manifest.Version, URL: p.Config.URL, Files: files}

	res.Stats.Bundles = len(built)
	for _, s := range srcs.all() {
		res.Stats.Sources++
		res.Stats.BytesIn += int64(len(s.data))
	}
	for _, o := range res.Outputs {
		res.Stats.BytesOut += int64(len(o.Data))
	}
	return res, nil
}

// integrity is the Subresource Integrity value of data.
func integrity(data []byte) string {
	sum := sha512.Sum384(data)
	return "sha384-" + base64.StdEncoding.EncodeToString(sum[:])
}
