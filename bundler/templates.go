package bundler

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"slices"

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
	var files []string
	for _, pat := range t.Paths {
		matches, err := doublestar.Glob(p.dir, pat.S, doublestar.WithFilesOnly(), doublestar.WithFailOnIOErrors())
		if err != nil {
			return nil, err
		}
		if len(matches) == 0 {
			diags.errorf(pat.Pos, CodeNoMatch, finders.ErrNoMatch, "templates: %q matches no file", pat.S)
		}
		files = append(files, matches...)
	}
	slices.Sort(files)
	files = slices.Compact(files)

	names := slices.Sorted(maps.Keys(res.Manifest.Files))
	var bundles []string
	types := map[string]*bundleConfig{}
	for _, b := range p.cfg.Bundles {
		bundles = append(bundles, b.Name)
		types[b.Name] = b
	}
	sourceOf := p.bundleSources(res)
	found := make([]ErrorList, len(files))
	named := make([][]string, len(files))
	checked := make([]int, len(files))
	skipped := make([]int, len(files))
	err := inParallel(ctx, files, func(i int, name string) error {
		src, err := fs.ReadFile(p.dir, name)
		if err != nil {
			return err
		}
		display := p.dirPath(name)
		lines := newLineIndex(src)
		for _, r := range scan.Template(src, t.Functions, t.Patterns) {
			at := lines.pos(display, r.At)
			switch {
			case r.Dynamic:
				skipped[i]++
			case r.Bundle:
				checked[i]++
				b := types[r.Name]
				if b != nil {
					named[i] = append(named[i], b.Output.S)
				}
				if b == nil {
					d := found[i].errorf(at, CodeTemplateUnknownBundle, nil, "%s: no bundle %q%s", r.Text, r.Name, didYouMean(suggest.Nearest(r.Name, bundles)))
					d.Suggestion = first(suggest.Nearest(r.Name, bundles))
					break
				}
				// django-pipeline renders a bundle of the other kind as an
				// empty string: the page silently loses it.
				if want := map[string]string{"stylesheet": "css", "javascript": "js"}[r.Tag]; b.Type() != want {
					other := map[string]string{"css": "stylesheet", "js": "javascript"}[b.Type()]
					d := found[i].errorf(at, CodeTemplateWrongBundle, nil, "%s: bundle %q makes %s, which {%% %s %%} does not load; use {%% %s %q %%}", r.Text, r.Name, b.Output.S, r.Tag, other, r.Name)
					d.Suggestion = other
				}
			default:
				checked[i]++
				named[i] = append(named[i], r.Name)
				if _, ok := res.Manifest.Files[r.Name]; !ok {
					s := suggest.Nearest(r.Name, names)
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

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
