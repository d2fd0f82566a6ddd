package bundler

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/stapler-build/stapler/finders"
)

// A plan is everything that can be decided before any source is read:
// each bundle resolved to its files, in order.
type plan struct {
	bundles []*bundlePlan
}

type bundlePlan struct {
	cfg     *bundleConfig
	typ     string    // "js" or "css"
	sources []*source // in bundle order, no file twice
	// bad is set for a bundle with problems in its config. It is built all
	// the same, so that problems in its sources are reported in the same
	// run, but never written.
	bad bool
}

// isGlob reports whether a source entry is a pattern rather than a name.
func isGlob(s string) bool { return strings.ContainsAny(s, "*?[{") }

// makePlan resolves every bundle's sources and checks every bundle's
// output, adding a diagnostic for each problem.
func (p *Project) makePlan(srcs *sourceSet, diags *ErrorList) *plan {
	pl := &plan{}
	outputs := map[string]*bundleConfig{}
	for _, b := range p.cfg.Bundles {
		bad := len(*diags)
		bp := &bundlePlan{cfg: b, typ: b.Type(), bad: b.broken}
		if b.Output.S == "" {
			// Missing, or not a string: already reported. Its sources are
			// still looked up, but it has no type to build.
			bp.bad = true
		} else {
			p.checkOutput(b, outputs, diags)
		}
		if b.Entry.S != "" {
			p.resolveEntry(bp, srcs, diags)
		} else {
			p.resolveSources(bp, srcs, diags)
		}
		bp.bad = bp.bad || len(*diags) > bad
		switch {
		case len(bp.sources) > 0 && bp.typ != "":
			pl.bundles = append(pl.bundles, bp)
		case !bp.bad:
			diags.errorf(b.Output.Pos, CodeEmptyBundle, nil, "bundle %q resolves to no files", b.Name)
		}
	}
	return pl
}

// checkOutput checks a bundle's output name: valid, of a bundle type, not
// made by another bundle, not hiding a source file.
func (p *Project) checkOutput(b *bundleConfig, outputs map[string]*bundleConfig, diags *ErrorList) {
	out := b.Output
	if err := finders.ValidName(out.S); err != nil {
		diags.errorf(out.Pos, CodeBadOutput, err, "bundle %q: output %q must be a relative name inside the output directory: %s", b.Name, out.S, detail(err))
		return
	}
	if b.Type() == "" {
		diags.errorf(out.Pos, CodeBadOutput, nil, "bundle %q: output %q must end in .js or .css", b.Name, out.S)
	}
	if first, ok := outputs[out.S]; ok {
		diags.errorf(out.Pos, CodeDuplicateOutput, nil, "bundle %q: output %q is also the output of bundle %q at line %d", b.Name, out.S, first.Name, first.Output.Pos.Line)
		return
	}
	outputs[out.S] = b
	if f, _, err := p.finder.Find(out.S); err == nil {
		diags.errorf(out.Pos, CodeOutputShadowsSrc, nil, "bundle %q: output %q is also a source file (%s): one would hide the other", b.Name, out.S, p.FilePath(f))
	}
	if b.SourceMap == sourceMapNone || b.Entry.S != "" { // an entry bundle's maps are checked as it is built
		return
	}
	mapName := out.S + ".map"
	if first, ok := outputs[mapName]; ok {
		diags.errorf(out.Pos, CodeDuplicateOutput, nil, "bundle %q: its source map %q is also the output of bundle %q at line %d", b.Name, mapName, first.Name, first.Output.Pos.Line)
	}
	outputs[mapName] = b
	if f, _, err := p.finder.Find(mapName); err == nil {
		diags.errorf(out.Pos, CodeOutputShadowsSrc, nil, "bundle %q: its source map %q is also a source file (%s): one would hide the other", b.Name, mapName, p.FilePath(f))
	}
}

// resolveSources expands a bundle's entries in order: names, globs, and
// exclusions of what came before.
func (p *Project) resolveSources(bp *bundlePlan, srcs *sourceSet, diags *ErrorList) {
	b := bp.cfg
	allowEmpty := map[string]bool{}
	listed := map[string]value{} // literal names, for duplicates
	inSources := map[string]bool{}
	for _, e := range b.Sources {
		inSources[e.S] = true
	}
	for _, e := range b.AllowEmpty {
		allowEmpty[e.S] = true
		if !inSources[e.S] {
			diags.errorf(e.Pos, CodeAllowEmptyUnused, nil, "bundle %q: allow_empty %q is not one of the bundle's sources", b.Name, e.S)
		}
	}
	var files []finders.File
	have := map[string]bool{}
	add := func(f finders.File, e value) {
		if have[f.Name] {
			return
		}
		if bp.typ != "" && strings.TrimPrefix(path.Ext(f.Name), ".") != bp.typ {
			what := "a ." + strings.TrimPrefix(path.Ext(f.Name), ".") + " file"
			if path.Ext(f.Name) == "" {
				what = "a file with no extension"
			}
			if e.S == f.Name {
				diags.errorf(e.Pos, CodeWrongType, nil, "bundle %q: %q is %s; the bundle makes %s", b.Name, f.Name, what, b.Output.S)
			} else {
				diags.errorf(e.Pos, CodeWrongType, nil, "bundle %q: %q matches %q, %s; the bundle makes %s", b.Name, e.S, f.Name, what, b.Output.S)
			}
			return
		}
		have[f.Name] = true
		files = append(files, f)
	}
	for _, e := range b.Sources {
		switch {
		case strings.HasPrefix(e.S, "!"):
			pattern := e.S[1:]
			if err := finders.ValidPattern(pattern); err != nil {
				diags.errorf(e.Pos, CodeBadPattern, err, "bundle %q: exclusion %q: %s", b.Name, e.S, detail(err))
				continue
			}
			kept := files[:0]
			for _, f := range files {
				if ok, _ := doublestar.Match(pattern, f.Name); ok {
					delete(have, f.Name)
				} else {
					kept = append(kept, f)
				}
			}
			if len(kept) == len(files) {
				diags.errorf(e.Pos, CodeExcludeUnused, finders.ErrNoMatch, "bundle %q: exclusion %q excludes nothing", b.Name, e.S)
			}
			files = kept
		case isGlob(e.S):
			matches, err := p.finder.Glob(e.S)
			switch {
			case errors.Is(err, finders.ErrNoMatch) && allowEmpty[e.S]:
			case errors.Is(err, finders.ErrNoMatch):
				diags.errorf(e.Pos, CodeNoMatch, err, "bundle %q: %q matches no file in any root", b.Name, e.S).Notes = p.Searched()
			case err != nil:
				p.finderError(e, err, diags).Message = fmt.Sprintf("bundle %q: %q: %s", b.Name, e.S, detail(err))
			}
			for _, f := range matches {
				if err := finders.ValidName(f.Name); err != nil {
					// A file of a root whose name no URL or manifest can hold.
					diags.errorf(e.Pos, CodeBadName, err, "bundle %q: %q matches %q, which is not a valid name: %s; rename it", b.Name, e.S, p.FilePath(f), detail(err))
					continue
				}
				add(f, e)
			}
		default:
			if first, ok := listed[e.S]; ok {
				diags.errorf(e.Pos, CodeDuplicateSource, nil, "bundle %q: %q is listed twice (first at line %d)", b.Name, e.S, first.Pos.Line)
				continue
			}
			listed[e.S] = e
			f, _, err := p.finder.Find(e.S)
			if err != nil {
				p.finderError(e, err, diags).Message = fmt.Sprintf("bundle %q: %s", b.Name, p.findMessage(e.S, err))
				continue
			}
			add(f, e)
		}
	}
	for _, f := range files {
		bp.sources = append(bp.sources, srcs.get(f))
	}
}

// finderError adds a diagnostic for a failed Find or Glob.
func (p *Project) finderError(e value, err error, diags *ErrorList) *Diagnostic {
	d := diags.errorf(e.Pos, CodeNotFound, err, "%q: %s", e.S, detail(err))
	var fe *finders.Error
	if errors.As(err, &fe) && len(fe.Suggestions) > 0 {
		d.Suggestion = fe.Suggestions[0]
	}
	switch {
	case errors.Is(err, finders.ErrNotFound):
		d.Notes = p.Searched()
	case errors.Is(err, finders.ErrCaseMismatch):
		d.Code = CodeCaseMismatch
	case errors.Is(err, finders.ErrInvalidName):
		d.Code = CodeBadName
	case errors.Is(err, finders.ErrBadPattern):
		d.Code = CodeBadPattern
	case errors.Is(err, finders.ErrNoMatch):
		d.Code = CodeNoMatch
	default:
		d.Code = CodeRoot
	}
	return d
}

// findMessage says why a source name was not found, with a did-you-mean,
// or why its root could not be read.
func (p *Project) findMessage(name string, err error) string {
	if msg, ok := FindMessage(name, err); ok {
		return msg
	}
	return fmt.Sprintf("%q: %s", name, detail(err))
}

// FindMessage returns what stapler says about a name that the roots do
// not supply, given the error [finders.Finder.Find] returned for it, and
// whether err is such a problem (the name not found, in the wrong case or
// invalid) rather than one of reading a root. A bundle's sources, a
// stylesheet's url(), an entry's imports and stapler find all use these
// words, so that a name is explained alike wherever it was written:
//
//	"js/aplication.js" not found in any root; did you mean "js/application.js"?
//	"js/App.js" not found: names are case-sensitive, and the file is "js/app.js"
//	"bootstrap/css" not found in any root: is a directory
//	"../js/app.js" is outside every root
//	"/js/app.js" is not a valid name: starts with "/"
func FindMessage(name string, err error) (string, bool) {
	var fe *finders.Error
	if !errors.As(err, &fe) || !isFindError(err) {
		return "", false
	}
	return strconv.Quote(name) + " " + findProblem(err), true
}

// isFindError reports whether err says a name is not in the roots, as
// opposed to a root that could not be read.
func isFindError(err error) bool {
	return errors.Is(err, finders.ErrNotFound) || errors.Is(err, finders.ErrCaseMismatch) || errors.Is(err, finders.ErrInvalidName)
}

// findProblem says why a name was not found, with a did-you-mean: what
// [FindMessage] says after the name, for messages that show the name
// their own way (a reference, as url(…) → "name").
func findProblem(err error) string {
	var fe *finders.Error
	errors.As(err, &fe)
	switch {
	case errors.Is(err, finders.ErrInvalidName) && strings.HasPrefix(fe.Name, "../"):
		return "is outside every root"
	case errors.Is(err, finders.ErrNotFound) && fe.Detail != "":
		return "not found in any root: " + fe.Detail
	case errors.Is(err, finders.ErrNotFound):
		return "not found in any root" + didYouMean(fe.Suggestions)
	case errors.Is(err, finders.ErrCaseMismatch):
		return fmt.Sprintf("not found: names are case-sensitive, and the file is %q", fe.Suggestions[0])
	}
	return "is not a valid name: " + detail(err)
}

// Searched returns the notes that follow a name not found when the
// command's -v asks for them: the roots searched, in order, as the
// config names them.
func (p *Project) Searched() []string {
	notes := []string{"searched, in order:"}
	for _, r := range p.roots {
		s := "  " + r.Dir
		if r.Prefix != "" {
			s += " (as " + r.Prefix + "/)"
		}
		notes = append(notes, s)
	}
	return notes
}

// FilePath returns a found file's path: on disk, as the config's path
// was given (relative to the current directory when it was), or in the
// project's fs.FS. Diagnostics name source files this way.
func (p *Project) FilePath(f finders.File) string {
	dir := p.roots[f.Root].Dir
	if p.disk {
		return filepath.Join(dir, filepath.FromSlash(f.Path))
	}
	return path.Join(dir, f.Path)
}
