package bundler

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/stapler-build/stapler/bundler/internal/globals"
)

// Checks of a script bundle's assembly: its sources are joined into one
// classic script, so a global read as one source loads must be declared by
// an earlier one, a "use strict" at the top of the first applies to all,
// and a global declared by two sources is the later one's. Each is a
// warning: the bundle is written all the same.

// globalsOf returns what a script source declares and reads at its top
// level, or nil when tdewolff's parser cannot read it (esbuild, which
// reports syntax errors, may accept newer syntax): such a source is left
// out of these checks.
func (s *sourceSet) globalsOf(src *source) *globals.Script {
	src.globalsOnce.Do(func() {
		data, err := s.read(src)
		if err != nil {
			return
		}
		src.globals = s.p.readGlobals(data)
		if src.globals != nil {
			src.globalLines = newLineIndex(data)
		}
	})
	return src.globals
}

// readGlobals is globals.Read of a script, kept in the build cache's store
// as JSON ("null" for a script it cannot read): a rebuild does not parse
// an unchanged bundle source again.
func (p *Project) readGlobals(data []byte) *globals.Script {
	r := p.cachedTransform("globals", data, func() transformed {
		s, _ := globals.Read(data)
		out, err := json.Marshal(s)
		if err != nil {
			panic(err) // a Script is plain data
		}
		return transformed{out: out}
	})
	var s *globals.Script
	if json.Unmarshal(r.out, &s) != nil {
		s, _ = globals.Read(data) // a stored result this stapler cannot read: made again
	}
	return s
}

// checkAssembly adds the warnings of a script bundle's assembly to bb;
// hasCode says which sources put something into the joined script.
func (p *Project) checkAssembly(bb *builtBundle, srcs *sourceSet, hasCode []bool) {
	bp := bb.plan
	scripts := make([]*globals.Script, len(bp.sources))
	for i, src := range bp.sources {
		scripts[i] = srcs.globalsOf(src)
	}
	known := map[string]bool{}
	for _, g := range p.cfg.Globals {
		known[g.S] = true
	}
	at := func(i, offset int) Position {
		src := bp.sources[i]
		return src.globalLines.pos(src.display, offset)
	}
	type decl struct {
		src int
		globals.Decl
	}
	first := map[string]decl{} // each global's first declaration
	for i, s := range scripts {
		if s == nil {
			continue
		}
		for _, d := range s.Declares {
			if _, ok := first[d.Name.Name]; !ok {
				first[d.Name.Name] = decl{i, d}
			}
		}
	}
	for i, s := range scripts {
		if s == nil {
			continue
		}
		name := bp.sources[i].file.Name
		// Reads of a global that only a later source declares.
		for _, r := range s.Reads {
			d, ok := first[r.Name]
			if !ok || d.src <= i || known[r.Name] || globals.Builtin(r.Name) {
				continue
			}
			later := bp.sources[d.src].file.Name
			bb.diags.add(&Diagnostic{Pos: at(i, r.At), Severity: SeverityWarning, Code: CodeGlobalOrder,
				Message: fmt.Sprintf("bundle %q: %s reads %s as it loads, but %s is declared only later in the bundle, by %s: list %s before %s",
					bp.cfg.Name, name, r.Name, r.Name, at(d.src, d.At), later, name)})
		}
		// Globals a source declares again.
		for _, d := range s.Declares {
			f := first[d.Name.Name]
			if f.src >= i || d.Kind == globals.Implicit || d.Kind == globals.Property || d.Guarded ||
				f.Kind == globals.Implicit || f.Kind == globals.Property {
				continue
			}
			bb.diags.add(&Diagnostic{Pos: at(i, d.At), Severity: SeverityWarning, Code: CodeDuplicateGlobal,
				Message: fmt.Sprintf("bundle %q: %s declares %s, already declared by %s: the later declaration replaces the earlier once the bundle is joined",
					bp.cfg.Name, name, d.Name.Name, at(f.src, f.At))})
		}
	}
	p.checkStrictLeak(bb, scripts, hasCode, at)
}

// checkStrictLeak warns of a "use strict" directive at the top of a
// bundle's first source with code: once joined, it is the directive of
// the whole script, and every later source runs in strict mode. Only the
// later sources that are not strict already change: a bundle of strict
// sources (Django's admin scripts) is left alone. A directive at the top
// of a later source is no directive once joined (it follows other code)
// and leaks nothing. A bundle wrapped in one function (django-pipeline's
// wrapper) leaks the same: the directive opens the function's body.
func (p *Project) checkStrictLeak(bb *builtBundle, scripts []*globals.Script, hasCode []bool, at func(i, offset int) Position) {
	bp := bb.plan
	first := slices.Index(hasCode, true)
	if first < 0 || scripts[first] == nil || scripts[first].Strict < 0 {
		return
	}
	var sloppy []string // the later sources that change mode
	for i := first + 1; i < len(hasCode); i++ {
		if hasCode[i] && (scripts[i] == nil || scripts[i].Strict < 0) {
			sloppy = append(sloppy, bp.sources[i].file.Name)
		}
	}
	if len(sloppy) == 0 {
		return
	}
	name := bp.sources[first].file.Name
	which := sloppy[0]
	if n := len(sloppy) - 1; n > 0 {
		which += fmt.Sprintf(" and %d more", n)
	}
	bb.diags.add(&Diagnostic{Pos: at(first, scripts[first].Strict), Severity: SeverityWarning, Code: CodeStrictLeak,
		Message: fmt.Sprintf("bundle %q: \"use strict\" at the top of %s applies to every later source once the bundle is joined, and %s would run in strict mode: move it into the source's functions, or make %s the bundle's last source",
			bp.cfg.Name, name, which, name)})
}
