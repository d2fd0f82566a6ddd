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
	patterns := c.patterns()
	var out []*source
	for _, f := range files {
		if pat := excludedBy(f.Name, patterns); pat != "" {
			for i := range c.Exclude {
				if c.Exclude[i].S == pat {
					srcs.used[&c.Exclude[i]] = true
				}
			}
			continue
		}
		out = append(out, srcs.get(f))
	}
	return out, nil
}

// patterns returns the exclude patterns, with Django's defaults if on.
func (c *CollectConfig) patterns() []string {
	var patterns []string
	for _, v := range c.Exclude {
		patterns = append(patterns, v.S)
	}
	if c.DefaultExcludes {
		patterns = append(patterns, djangoExcludes...)
	}
	return patterns
}

// excludedBy returns the first pattern that excludes name, or "". A
// pattern matches the name or any directory above it, so "admin/**" and
// "tests" both drop a tree; a pattern without a slash, like Django's ".*"
// and "CVS", is also matched against each element of the name, so that it
// drops a hidden file or directory anywhere.
func excludedBy(name string, patterns []string) string {
	for _, pat := range patterns {
		elems := !strings.Contains(pat, "/")
		for p := name; p != "."; p = path.Dir(p) {
			subject := p
			if elems {
				subject = path.Base(p)
			}
			if ok, _ := doublestar.Match(pat, subject); ok {
				return pat
			}
		}
	}
	return ""
}

// minifyNode minifies a collected file when [collect] minify asks for it:
// CSS and JS with esbuild, SVG and JSON with tdewolff/minify. A parse
// error is reported at the file's line.
func (p *Project) minifyNode(n *node, data []byte) ([]byte, ErrorList) {
	if n.src.made || p.Config.Collect == nil || !p.Config.Collect.Minify {
		return data, nil
	}
	type result struct {
		out   []byte
		diags ErrorList
	}
	minified := func(loader api.Loader) ([]byte, ErrorList) {
		r := memoDo(p.opts.memo, "minify "+n.src.display, data, func() result {
			out, diags := transform(data, n.src.display, loader, true)
			return result{out, diags}
		})
		return r.out, copied(r.diags)
	}
	switch ext := path.Ext(n.src.file.Name); ext {
	case ".css":
		return minified(api.LoaderCSS)
	case ".js", ".mjs":
		return minified(api.LoaderJS)
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
