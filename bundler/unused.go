package bundler

import (
	"fmt"
	"slices"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/stapler-build/stapler/finders"
)

// findUnused reports the collected files that nothing refers to, when
// Options.Unused or [collect] unused asks: no template, stylesheet,
// script, source map or bundle (as a source) names them. named holds the
// names that something refers to. [collect] keep's globs keep files on
// purpose; one that keeps nothing is a mistake (pattern-unused).
func (p *Project) findUnused(g *graph, res *Result, named []map[string]bool, diags *ErrorList) {
	c := p.cfg.Collect
	if c == nil || !p.opts.Unused && c.Unused == "ignore" {
		return
	}
	severity := SeverityWarning
	if c.Unused == "error" {
		severity = SeverityError
	}
	used := map[string]bool{}
	for _, m := range named {
		for n := range m {
			used[n] = true
		}
	}
	for _, o := range res.Outputs {
		for _, s := range o.Sources {
			used[s] = true
		}
	}
	kept := make([]bool, len(c.Keep))
	var unused []*node
	for _, n := range g.nodes { // sorted by name
		if !n.collected {
			continue
		}
		keep := false
		for i, k := range c.Keep {
			if ok, _ := doublestar.Match(k.S, n.name); ok {
				kept[i], keep = true, true
			}
		}
		if !keep && !used[n.name] {
			unused = append(unused, n)
		}
	}
	// By root, in the config's order, then by name.
	slices.SortStableFunc(unused, func(a, b *node) int { return a.src.file.Root - b.src.file.Root })
	for _, n := range unused {
		size := n.length()
		res.Unused = append(res.Unused, Unused{Name: n.name, Root: p.roots[n.src.file.Root].Dir, Size: size})
		diags.add(&Diagnostic{Pos: Position{File: n.src.display}, Severity: severity, Code: CodeUnused,
			Message: fmt.Sprintf("%s (%s) is collected, but no template, stylesheet, script, source map or bundle refers to it: delete it, exclude it, or keep it with [collect] keep",
				n.name, byteSize(size))})
	}
	for i, k := range c.Keep {
		if !kept[i] {
			diags.errorf(k.Pos, CodePatternUnused, finders.ErrNoMatch, "keep %q matches no collected file", k.S)
		}
	}
}

// byteSize formats a size as the command does.
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1000/1000)
}
