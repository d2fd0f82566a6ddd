package bundler

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/stapler-build/stapler/bundler/internal/scan"
	"github.com/stapler-build/stapler/finders"
	"github.com/stapler-build/stapler/internal/suggest"
)

// checkTemplates finds the static references of the templates [templates]
// names and reports each that names nothing the build made, at the
// template's line and column, with a did-you-mean; and, as a warning, each
// that names a bundle's source, which the page should get bundled, unless
// a stylesheet or script refers to it too (refd). A reference built from
// a variable cannot be checked: it is counted as skipped. It returns the
// names the templates refer to, a bundle's output for a django-pipeline
// tag.
func (p *Project) checkTemplates(ctx context.Context, res *Result, refd map[string]bool, diags *ErrorList) (map[string]bool, error) {
	t := p.cfg.Templates
	if t == nil || p.dir == nil {
		return nil, nil
	}
	var files []templateFile
	for _, pat := range t.Paths {
		fsys, pattern, display := p.dir, pat.S, p.dirPath
		if isAbs(pat.S) {
			if !p.disk {
				diags.errorf(pat.Pos, CodeBadValue, nil, "templates: %q: must stay inside the project's file system", pat.S)
				continue
			}
			// Globbed below the directory the pattern starts with, as
			// a [[root]] path is.
			vol := filepath.VolumeName(pat.S)
			var base string
			base, pattern = doublestar.SplitPattern(filepath.ToSlash(strings.TrimPrefix(pat.S, vol)))
			base = vol + filepath.FromSlash(base)
			fsys = p.traced(base)
			display = func(name string) string { return filepath.Join(base, filepath.FromSlash(name)) }
		}
		matches, err := doublestar.Glob(fsys, pattern, doublestar.WithFilesOnly(), doublestar.WithFailOnIOErrors())
		if err != nil {
			return nil, err
		}
		if len(matches) == 0 {
			diags.errorf(pat.Pos, CodeNoMatch, finders.ErrNoMatch, "templates: %q matches no file", pat.S)
		}
		for _, m := range matches {
			files = append(files, templateFile{fsys, m, display(m)})
		}
	}
	slices.SortFunc(files, func(a, b templateFile) int { return strings.Compare(a.display, b.display) })
	files = slices.CompactFunc(files, func(a, b templateFile) bool { return a.display == b.display })
	if p.disk {
		// A patch build leaves a template changed to the full build.
		p.templateFiles = p.templateFiles[:0]
		for _, f := range files {
			if abs, err := filepath.Abs(f.display); err == nil {
				p.templateFiles = append(p.templateFiles, abs)
			}
		}
	}

	names := slices.Sorted(maps.Keys(res.Manifest.Files))
	sourceOf := p.bundleSources(res)
	pipeline := newPipelineNames(p.cfg.Bundles)
	found := make([]ErrorList, len(files))
	named := make([][]string, len(files))
	checked := make([]int, len(files))
	skipped := make([]int, len(files))
	err := inParallel(ctx, files, func(i int, f templateFile) error {
		src, err := fs.ReadFile(f.fsys, f.name)
		if err != nil {
			return err
		}
		display := f.display
		lines := newLineIndex(src)
		for _, r := range scan.Template(src, t.Functions, t.Patterns) {
			at := lines.pos(display, r.At)
			switch {
			case r.Dynamic:
				skipped[i]++
			case r.Bundle:
				checked[i]++
				if b := pipeline.check(r, at, &found[i]); b != nil {
					named[i] = append(named[i], b.Output.S)
				}
			default:
				checked[i]++
				named[i] = append(named[i], r.Name)
				if _, ok := res.Manifest.Files[r.Name]; !ok {
					s := suggest.Nearest(r.Name, names)
					if len(s) > 0 && strings.EqualFold(s[0], r.Name) {
						// The words a source's name in the wrong case gets.
						d := found[i].errorf(at, CodeCaseMismatch, finders.ErrCaseMismatch, "%s: %q is not in the manifest: names are case-sensitive, and the file is %q", r.Text, r.Name, s[0])
						d.Suggestion = s[0]
						break
					}
					d := found[i].errorf(at, CodeTemplateUnknownName, finders.ErrNotFound, "%s: %q is not in the manifest%s", r.Text, r.Name, didYouMean(s))
					d.Suggestion = first(s)
				} else if b := sourceOf[r.Name]; b != nil && !refd[r.Name] {
					found[i].add(&Diagnostic{Pos: at, Severity: SeverityWarning, Code: CodeTemplateBundleSource, Suggestion: b.Output.S,
						Message: fmt.Sprintf("%s: %q is a source of bundle %q: the page gets it unbundled and unminified, and twice where the bundle is loaded too; load %q instead",
							r.Text, r.Name, b.Name, b.Output.S)})
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Stats.Templates = len(files)
	used := map[string]bool{}
	for i := range files {
		*diags = append(*diags, found[i]...)
		res.Stats.TemplateRefs += checked[i]
		res.Stats.TemplateSkipped += skipped[i]
		for _, n := range named[i] {
			used[n] = true
		}
	}
	return used, nil
}

// bundleSources returns, for each file a bundle is made of, the first
// bundle in the config's order that it is a source of: a script or
// stylesheet bundle's sources, and what an entry bundle's outputs came from.
func (p *Project) bundleSources(res *Result) map[string]*bundleConfig {
	byName := map[string]*bundleConfig{}
	for _, b := range p.cfg.Bundles {
		byName[b.Name] = b
	}
	order := map[*bundleConfig]int{}
	for i, b := range p.cfg.Bundles {
		order[b] = i
	}
	out := map[string]*bundleConfig{}
	for _, o := range res.Outputs {
		b := byName[o.Bundle]
		if b == nil {
			continue
		}
		for _, s := range o.Sources {
			if have, ok := out[s]; !ok || order[b] < order[have] {
				out[s] = b
			}
		}
	}
	return out
}

// templateFile is a template [templates] paths names: a file of the
// config's directory, or of the directory an absolute pattern starts in.
type templateFile struct {
	fsys    fs.FS
	name    string // in fsys
	display string // how messages name it
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// pipelineNames are the django-pipeline group names the bundles answer
// to: one namespace per type, as PIPELINE['STYLESHEETS'] and
// ['JAVASCRIPT'] are.
type pipelineNames struct {
	byType map[string]map[string]*bundleConfig // "css" or "js" → name → bundle
	names  map[string][]string                 // "css" or "js" → sorted names
	all    []string                            // every name, sorted
	byName map[string]*bundleConfig            // the bundles by their own names
}

// pipelineTags are the tags of django-pipeline and the type of bundle
// each loads.
var pipelineTags = map[string]string{"stylesheet": "css", "javascript": "js"}

func newPipelineNames(bundles []*bundleConfig) *pipelineNames {
	pn := &pipelineNames{byType: map[string]map[string]*bundleConfig{"css": {}, "js": {}}, names: map[string][]string{}, byName: map[string]*bundleConfig{}}
	for _, b := range bundles {
		pn.byName[b.Name] = b
		names, ok := pn.byType[b.Type()]
		if !ok {
			continue
		}
		if _, dup := names[b.PipelineName()]; !dup { // reported with the config: the first wins
			names[b.PipelineName()] = b
		}
	}
	for typ, names := range pn.byType {
		pn.names[typ] = slices.Sorted(maps.Keys(names))
		pn.all = append(pn.all, pn.names[typ]...)
	}
	slices.Sort(pn.all)
	pn.all = slices.Compact(pn.all)
	return pn
}

// check checks the name of a django-pipeline tag, and returns the bundle
// the tag loads: one of the tag's type must answer to it. django-pipeline
// renders an unknown name, and a bundle of the other type, as an empty
// string: the page silently loses it.
func (pn *pipelineNames) check(r scan.TemplateRef, at Position, found *ErrorList) *bundleConfig {
	typ := pipelineTags[r.Tag]
	if b := pn.byType[typ][r.Name]; b != nil {
		return b
	}
	for otherTag, otherTyp := range pipelineTags {
		b := pn.byType[otherTyp][r.Name]
		if otherTyp == typ || b == nil {
			continue
		}
		what := fmt.Sprintf("bundle %q", b.Name)
		if b.Name != r.Name {
			what += fmt.Sprintf(" (pipeline = %q)", r.Name)
		}
		d := found.errorf(at, CodeTemplateWrongBundle, nil, "%s: %s makes %s, which {%% %s %%} does not load; use {%% %s %q %%}", r.Text, what, b.Output.S, r.Tag, otherTag, r.Name)
		d.Suggestion = otherTag
		return nil
	}
	// A bundle of that name that answers to another: its pipeline key.
	if b := pn.byName[r.Name]; b != nil && pipelineTags[r.Tag] == b.Type() {
		d := found.errorf(at, CodeTemplateUnknownBundle, nil, "%s: no bundle answers to %q: bundle %q answers to {%% %s %q %%} (its pipeline key)", r.Text, r.Name, b.Name, r.Tag, b.PipelineName())
		d.Suggestion = b.PipelineName()
		return nil
	}
	s := suggest.Nearest(r.Name, pn.names[typ])
	if len(s) == 0 {
		s = suggest.Nearest(r.Name, pn.all)
	}
	d := found.errorf(at, CodeTemplateUnknownBundle, nil, "%s: no bundle %q%s", r.Text, r.Name, didYouMean(s))
	d.Suggestion = first(s)
	return nil
}

// templateDirs returns the directories outside the config's that
// [templates] patterns given as absolute paths start in, for Watch.
func (p *Project) templateDirs() []string {
	t := p.cfg.Templates
	if t == nil || !p.disk {
		return nil
	}
	var dirs []string
	for _, pat := range t.Paths {
		if !isAbs(pat.S) {
			continue
		}
		vol := filepath.VolumeName(pat.S)
		base, _ := doublestar.SplitPattern(filepath.ToSlash(strings.TrimPrefix(pat.S, vol)))
		dirs = append(dirs, vol+filepath.FromSlash(base))
	}
	return dirs
}
