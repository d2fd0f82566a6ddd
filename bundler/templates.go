package bundler

import (
	"context"
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
// template's line and column, with a did-you-mean. A reference built from
// a variable cannot be checked: it is counted as skipped.
func (p *Project) checkTemplates(ctx context.Context, res *Result, diags *ErrorList) error {
	t := p.cfg.Templates
	if t == nil || p.dir == nil {
		return nil
	}
	var files []string
	for _, pat := range t.Paths {
		matches, err := doublestar.Glob(p.dir, pat.S, doublestar.WithFilesOnly(), doublestar.WithFailOnIOErrors())
		if err != nil {
			return err
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
	found := make([]ErrorList, len(files))
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
				if _, ok := res.Manifest.Files[r.Name]; !ok {
					s := suggest.Nearest(r.Name, names)
					d := found[i].errorf(at, CodeTemplateUnknownName, finders.ErrNotFound, "%s: %q is not in the manifest%s", r.Text, r.Name, didYouMean(s))
					d.Suggestion = first(s)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	res.Stats.Templates = len(files)
	for i := range files {
		*diags = append(*diags, found[i]...)
		res.Stats.TemplateRefs += checked[i]
		res.Stats.TemplateSkipped += skipped[i]
	}
	return nil
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
