package bundler

import (
	"bytes"
	"errors"
	"path"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/evanw/esbuild/pkg/api"
	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/json"
	"github.com/tdewolff/minify/v2/svg"
	"github.com/tdewolff/parse/v2"
)

// djangoExcludes are the patterns collectstatic ignores unless told not
// to (its --no-default-ignore).
var djangoExcludes = []string{".*", "*~", "CVS"}

// collectSet returns the files [collect] writes: every winning file of
// every root, less the excluded ones, sorted by name.
func (p *Project) collectSet(srcs *sourceSet) ([]*source, error) {
	c := p.Config.Collect
	if c == nil {
		return nil, nil
	}
	files, err := p.finder.Files()
	if err != nil {
		return nil, err
	}
	var patterns []string
	for _, v := range c.Exclude {
		patterns = append(patterns, v.S)
	}
	if c.DefaultExcludes {
		patterns = append(patterns, djangoExcludes...)
	}
	var out []*source
	for _, f := range files {
		if !excluded(f.Name, patterns) {
			out = append(out, srcs.get(f))
		}
	}
	return out, nil
}

// excluded reports whether a pattern excludes name. A pattern matches the
// name or any directory above it, so "admin/**" and "tests" both drop a
// tree; a pattern without a slash, like Django's ".*" and "CVS", is also
// matched against each element of the name, so that it drops a hidden
// file or directory anywhere.
func excluded(name string, patterns []string) bool {
	for _, pat := range patterns {
		elems := !strings.Contains(pat, "/")
		for p := name; p != "."; p = path.Dir(p) {
			subject := p
			if elems {
				subject = path.Base(p)
			}
			if ok, _ := doublestar.Match(pat, subject); ok {
				return true
			}
		}
	}
	return false
}

// minifyNode minifies a collected file when [collect] minify asks for it:
// CSS and JS with esbuild, SVG and JSON with tdewolff/minify. A parse
// error is reported at the file's line.
func (p *Project) minifyNode(n *node, data []byte) ([]byte, ErrorList) {
	if p.Config.Collect == nil || !p.Config.Collect.Minify {
		return data, nil
	}
	switch ext := path.Ext(n.src.file.Name); ext {
	case ".css":
		return transform(data, n.src.display, api.LoaderCSS, true)
	case ".js", ".mjs":
		return transform(data, n.src.display, api.LoaderJS, true)
	case ".svg", ".json":
		m := minify.New()
		mediatype := "image/svg+xml"
		m.AddFunc(mediatype, svg.Minify)
		if ext == ".json" {
			mediatype = "application/json"
			m.AddFunc(mediatype, json.Minify)
		}
		// m.Bytes rewrites its input in place: hand it a copy.
		out, err := m.Bytes(mediatype, bytes.Clone(data))
		if err != nil {
			d := &Diagnostic{Pos: Position{File: n.src.display, Line: 1, Col: 1}, Code: "minify", Err: err, Message: err.Error()}
			var pe *parse.Error
			if errors.As(err, &pe) {
				d.Pos.Line, d.Pos.Col, d.Message = pe.Line, pe.Column, pe.Message
			}
			return data, ErrorList{d}
		}
		return out, nil
	}
	return data, nil
}
