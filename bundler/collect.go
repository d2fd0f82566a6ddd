package bundler

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/stapler-build/stapler/bundler/internal/scan"
	"github.com/stapler-build/stapler/bundler/internal/sourcemap"
	"github.com/stapler-build/stapler/finders"
	"github.com/stapler-build/stapler/manifest"
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
func (p *Project) collectSet(srcs *sourceSet, diags *ErrorList) ([]*source, error) {
	c := p.cfg.Collect
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
		if pat := finders.ExcludedBy(f.Name, patterns); pat != "" {
			for i := range c.Exclude {
				if c.Exclude[i].S == pat {
					srcs.used[&c.Exclude[i]] = true
				}
			}
			continue
		}
		if err := finders.ValidName(f.Name); err != nil {
			// Its name could be neither served nor written in a manifest.
			diags.errorf(Position{File: p.FilePath(f)}, CodeBadName, err, "%q cannot be collected: its name %s; rename it, or exclude it", p.FilePath(f), detail(err))
			continue
		}
		out = append(out, srcs.get(f))
	}
	return out, nil
}

// patterns returns the exclude patterns, with Django's defaults if on.
func (c *collectConfig) patterns() []string {
	var patterns []string
	for _, v := range c.Exclude {
		patterns = append(patterns, v.S)
	}
	if c.DefaultExcludes {
		patterns = append(patterns, djangoExcludes...)
	}
	return patterns
}

// minifies reports whether [collect] minify hands a node to esbuild: a
// stylesheet or script of a root.
func (p *Project) minifies(n *node) bool {
	if n.made != nil || p.cfg.Collect == nil || !p.cfg.Collect.Minify {
		return false
	}
	switch path.Ext(n.name) {
	case ".css", ".js", ".mjs":
		return true
	}
	return false
}

// planMaps decides the source map of each file that [collect] minify
// hands to esbuild, which drops the file's sourceMappingURL comment: the
// map it named describes the file before minifying. What was mapped stays
// mapped, to the same sources:
//   - a map file of the roots that the comment names is remade, under its
//     own name, to map the minified file to that map's sources;
//   - a map inline in the comment, as a data: URL, is remade as the
//     file's name plus ".map";
//   - a file with no map of its own gets one of that name, mapping to the
//     file as collected, when sourcemap is set; a link to another site's
//     map is then replaced, and otherwise dropped with a warning.
//
// A remade map file belongs to the one file that links it: another
// reference to it, which would name a map of nothing, is an error.
func (p *Project) planMaps(g *graph, diags *ErrorList) {
	global := p.cfg.SourceMap != sourceMapNone
	for _, n := range g.nodes {
		if !p.minifies(n) {
			continue
		}
		var link *resolved
		var linked *node // the map file link names
		for i := range n.refs {
			if n.refs[i].Kind == scan.SourceMap {
				link, linked = &n.refs[i], n.to[i] // the last one is the one browsers read
			}
		}
		sm := &nodeMap{link: link}
		at := sm.pos(n)
		switch {
		case linked != nil:
			m := linked
			if m.mapOf != nil {
				diags.errorf(at, CodeSourceMapShared, nil, "%s → %q is the source map of %s too: [collect] minify remakes a map for the one file it maps, so two files cannot share it",
					link.Text, m.name, m.mapOf.display())
				continue
			}
			m.mapOf, sm.file = n, m
			n.smap = sm
			continue
		case link != nil && strings.HasPrefix(link.URL, "data:"):
			data, err := dataURL(link.URL)
			if err == nil {
				sm.inline, err = sourcemap.Decode(data)
			}
			if err != nil {
				diags.errorf(at, CodeSourceMap, err, "the inline source map cannot be read: %v", err)
				continue
			}
		case link != nil && link.diag != nil:
			// Not found, and reported so; a map of the file is made
			// all the same when the project makes maps.
			if !global {
				continue
			}
		case !global:
			if link != nil {
				diags.add(&Diagnostic{Pos: at, Severity: SeverityWarning, Code: CodeSourceMapDropped,
					Message: fmt.Sprintf("%s is dropped: [collect] minify changes the file, so the map it names no longer fits; set sourcemap to make a map of the minified file", link.Text)})
			}
			continue
		}
		name := n.name + ".map"
		if _, _, err := p.finder.Find(name); err == nil {
			diags.errorf(at, CodeOutputShadowsSrc, nil, "[collect] minify makes the source map of %s as %q, but a root has a file of that name, which %s does not link: link it with a sourceMappingURL comment, or exclude it",
				n.src.display, name, n.src.display)
			continue
		}
		sm.out = &Output{Name: name}
		n.smap = sm
	}
	for _, n := range g.nodes {
		for i, r := range n.refs {
			if n.to[i] == nil || r.Kind == scan.SourceMap && p.minifies(n) {
				continue // a minified file's map comment is dropped, or seen to above
			}
			if owner := n.to[i].mapOf; owner != nil && owner != n {
				diags.errorf(n.src.lines.pos(n.src.display, r.At), CodeSourceMapShared, nil, "%s → %q is the source map of %s, which [collect] minify remakes for that file alone, so nothing else may refer to it",
					r.Text, n.to[i].name, owner.display())
			}
		}
	}
}

// pos is where to report a problem with the map of n: at its comment, or
// at the file's start when it has none.
func (sm *nodeMap) pos(n *node) Position {
	if sm.link == nil {
		return Position{File: n.src.display, Line: 1, Col: 1}
	}
	return n.src.lines.pos(n.src.display, sm.link.At)
}

// dataURL returns the bytes of a data: URL, base64 or percent-encoded.
func dataURL(u string) ([]byte, error) {
	head, body, ok := strings.Cut(strings.TrimPrefix(u, "data:"), ",")
	if !ok {
		return nil, errors.New("a data: URL without a comma")
	}
	mediatype, _, _ := strings.Cut(head, ";")
	if mediatype != "" && mediatype != "application/json" {
		return nil, fmt.Errorf("a data: URL of %s, not application/json", mediatype)
	}
	if strings.HasSuffix(head, ";base64") {
		return base64.StdEncoding.DecodeString(body)
	}
	s, err := url.PathUnescape(body)
	return []byte(s), err
}

// minifyNode minifies a file when [collect] minify asks for it: CSS and
// JS with esbuild, with the map planMaps asked for; SVG and JSON with
// tdewolff/minify. A parse error is reported at the file's line.
func (p *Project) minifyNode(n *node, data []byte, edits []sourcemap.Edit) ([]byte, ErrorList) {
	if n.made != nil || p.cfg.Collect == nil || !p.cfg.Collect.Minify {
		return data, nil
	}
	switch ext := path.Ext(n.name); ext {
	case ".css":
		return p.minifyCode(n, data, edits, api.LoaderCSS)
	case ".js", ".mjs":
		return p.minifyCode(n, data, edits, api.LoaderJS)
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
			d := &Diagnostic{Pos: Position{File: n.src.display, Line: 1, Col: 1}, Code: CodeMinify, Err: err, Message: err.Error()}
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

// minifyCode minifies a stylesheet or script with esbuild and, when it
// has a map (planMaps), makes it: esbuild's map of the minified bytes,
// composed with the rewriting's edits and then with the file's own map,
// if it had one; and links it with a comment unless maps are hidden.
func (p *Project) minifyCode(n *node, data []byte, edits []sourcemap.Edit, loader api.Loader) ([]byte, ErrorList) {
	sm := n.smap
	r := p.cachedTransform(fmt.Sprintf("minify %s %t", n.src.display, sm != nil), data, func() transformed {
		defer p.esbuildSlot(len(data))()
		out, m, diags := transformMap(data, n.src.display, loader, true, sm != nil)
		return transformed{out, m, diags}
	})
	out, diags := r.out, copied(r.diags)
	if sm == nil {
		return out, diags
	}
	mf := sm.file
	if mf != nil {
		// What it is when the map cannot be made: the build fails.
		sm.remade, sm.remadeHash = mf.src.data, manifest.ContentHash(mf.src.data)
	}
	if diags.Errors() > 0 {
		return out, diags
	}
	at := sm.pos(n)
	m, err := sourcemap.Decode(r.m)
	if err != nil { // esbuild's own map: a bug to report
		diags.errorf(at, CodeSourceMap, err, "esbuild's source map: %v", err)
		return out, diags
	}
	if loader == api.LoaderCSS {
		fixShorthands(m, out, textIs(data))
	}
	m = m.Compose(sourcemap.Verbatim(n.name, n.src.data, edits), true)
	inner := sm.inline
	if mf != nil {
		if inner, err = sourcemap.Decode(mf.src.data); err != nil {
			diags.errorf(at, CodeSourceMap, err, "%s → %q cannot be read, so the minified file cannot be mapped: %v", sm.link.Text, mf.name, err)
			return out, diags
		}
	}
	file := path.Base(n.name)
	var mapURL string
	switch {
	case mf != nil:
		sm.remade = m.Compose(inner, false).Marshal(file, "")
		sm.remadeHash = manifest.ContentHash(sm.remade)
		written := strings.TrimSpace(sm.link.URL)
		mapURL = manifest.HashedPath(written[:len(written)-len(sm.link.suffix)], sm.remadeHash) + sm.link.suffix
	default:
		// An inline map's sources are relative to the file, and so to
		// the map beside it; the file's own name is from the top.
		var mapData []byte
		if inner != nil {
			mapData = m.Compose(inner, false).Marshal(file, "")
		} else {
			mapData = m.Marshal(file, relDir(path.Dir(n.name), ""))
		}
		sm.out.Data = mapData
		sm.out.Path = manifest.HashedPath(sm.out.Name, manifest.ContentHash(mapData))
		mapURL = escapeSegment(path.Base(sm.out.Path))
	}
	if p.cfg.SourceMap != sourceMapHidden {
		// out may be the memo's, shared with later builds: a copy.
		out, _ = appendMapComment(bytes.Clone(out), loader == api.LoaderCSS, mapURL)
	}
	return out, diags
}
