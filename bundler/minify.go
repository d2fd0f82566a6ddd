package bundler

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/stapler-build/stapler/bundler/internal/scan"
)

// esbuild minifies JS and CSS in process. Format is left unset for JS: it
// is the one setting that keeps a classic script's top-level var and
// function declarations as globals (IIFE tree-shakes them away, ESM
// renames them). esbuild's warnings (a broken CSS rule it would drop, a
// duplicate case) are errors here: stapler never drops a mistake silently.

// maxInEsbuild bounds the bytes of source that esbuild transforms at once,
// over all goroutines. Its syntax tree takes some 60 times the source (a
// 10 MB script, 630 MB), so two large files in parallel, or one on each of
// many cores, multiply a build's peak memory: with the bound, it is about
// 60 times the larger of this and the largest file. Files of an ordinary
// size still run one per core.
const maxInEsbuild = 16 << 20

// esbuildSlot waits until esbuild may take a source of n bytes, and
// returns the function that gives its share back. A source larger than the
// bound takes all of it, and runs alone.
func (p *Project) esbuildSlot(n int) (release func()) {
	w := int64(min(max(n, 1), maxInEsbuild))
	p.inEsbuild.Acquire(context.Background(), w) // never fails: the context is never done
	return func() { p.inEsbuild.Release(w) }
}

// transform runs esbuild over one source and returns its output and its
// messages as diagnostics at the source's own lines. With minify unset it
// only checks the source.
func transform(src []byte, file string, loader api.Loader, minify bool) ([]byte, ErrorList) {
	code, _, diags := transformMap(src, file, loader, minify, false)
	return code, diags
}

// transformMap is transform that also returns, when asked, esbuild's
// source map of the output.
func transformMap(src []byte, file string, loader api.Loader, minify, withMap bool) ([]byte, []byte, ErrorList) {
	sourcemap := api.SourceMapNone
	if withMap {
		sourcemap = api.SourceMapExternal
	}
	var diags ErrorList
	syntax := minify
	if minify && loader == api.LoaderCSS {
		syntax = cssSyntaxMinify(src, file, &diags)
	}
	r := api.Transform(string(src), api.TransformOptions{
		Loader:            loader,
		Sourcefile:        file,
		MinifyWhitespace:  minify,
		MinifyIdentifiers: minify,
		MinifySyntax:      syntax,
		Sourcemap:         sourcemap,
		LogLevel:          api.LogLevelSilent,
	})
	for _, m := range r.Errors {
		diags.add(esbuildDiagnostic(m, file, CodeSyntax))
	}
	for _, m := range r.Warnings {
		diags.add(esbuildDiagnostic(m, file, CodeMinifyWarning))
	}
	return []byte(r.Code), r.Map, diags
}

// maxRulePairs bounds the pairs of rules with the same declarations that
// esbuild's syntax minification may compare in one stylesheet (see
// cssSyntaxMinify): about half a second of its time on the project's
// machine, some 4,500 rules of one block of declarations.
const maxRulePairs = 10_000_000

// cssSyntaxMinify reports whether esbuild may minify a stylesheet's
// syntax. That pass merges adjacent rules with the same declarations and
// drops all but the last of duplicate rules, comparing each rule with
// every earlier one whose declarations hash alike, and its hash leaves
// class names out: 40,000 rules of one block of declarations took 23 s,
// 200,000 did not finish. Above maxRulePairs it is skipped, with a warning
// at the first rule of the largest group: the stylesheet is still
// minified, white space and names, and correct, only larger.
func cssSyntaxMinify(src []byte, file string, diags *ErrorList) bool {
	rep := scan.CSSRepetition(src)
	if rep.Pairs <= maxRulePairs {
		return true
	}
	line := 1 + bytes.Count(src[:rep.At], []byte{'\n'})
	col := rep.At - (bytes.LastIndexByte(src[:rep.At], '\n') + 1) + 1
	diags.add(&Diagnostic{Pos: Position{File: file, Line: line, Col: col}, Severity: SeverityWarning, Code: CodeMinifyLimited,
		Message: fmt.Sprintf("%d rules have the same declarations as this one (%d pairs of alike rules in the stylesheet, more than %d): minified without esbuild's syntax pass, whose time grows with the square of their number; white space and names are minified, duplicate rules kept",
			rep.Largest, rep.Pairs, maxRulePairs)})
	return false
}

// esbuildDiagnostic converts an esbuild message. esbuild's columns are
// 0-based byte offsets; stapler's are 1-based.
func esbuildDiagnostic(m api.Message, file, code string) *Diagnostic {
	d := &Diagnostic{Pos: Position{File: file}, Code: code, Message: m.Text}
	if m.ID != "" {
		d.Code = m.ID
	}
	if loc := m.Location; loc != nil {
		d.Pos.Line, d.Pos.Col = loc.Line, loc.Column+1
		// esbuild's suggestion is text to insert: a did-you-mean only
		// when the message does not already name it ("colr" → "color",
		// but not `Expected ";"` → ";").
		if s := loc.Suggestion; s != "" && !strings.Contains(m.Text, strconv.Quote(s)) {
			d.Suggestion = s
			d.Message += didYouMean([]string{s})
		}
	}
	for _, n := range m.Notes {
		if n.Text != "" {
			d.Notes = append(d.Notes, n.Text)
		}
	}
	return d
}
