package bundler

import (
	"strconv"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
)

// esbuild minifies JS and CSS in process. Format is left unset for JS: it
// is the one setting that keeps a classic script's top-level var and
// function declarations as globals (IIFE tree-shakes them away, ESM
// renames them). esbuild's warnings (a broken CSS rule it would drop, a
// duplicate case) are errors here: stapler never drops a mistake silently.

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
	r := api.Transform(string(src), api.TransformOptions{
		Loader:            loader,
		Sourcefile:        file,
		MinifyWhitespace:  minify,
		MinifyIdentifiers: minify,
		MinifySyntax:      minify,
		Sourcemap:         sourcemap,
		LogLevel:          api.LogLevelSilent,
	})
	var diags ErrorList
	for _, m := range r.Errors {
		diags.add(esbuildDiagnostic(m, file, CodeSyntax))
	}
	for _, m := range r.Warnings {
		diags.add(esbuildDiagnostic(m, file, CodeMinifyWarning))
	}
	return []byte(r.Code), r.Map, diags
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
