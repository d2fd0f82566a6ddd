package bundler

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"strings"
)

// checkMapSources warns of each source map the build serves (a map file
// of the roots, collected or named by a file's sourceMappingURL) whose
// sources lead nowhere: a source without its sourcesContent whose URL
// resolves outside the served tree ("../../src/app.ts", "/src/app.ts") or
// to a name the build does not serve. DevTools shows nothing for it. A
// source with a scheme (webpack://, https:) is left alone: it may be
// served elsewhere. A map that [collect] minify remakes maps to the
// collected files, and is not checked.
//
// It returns the served names that the maps' sources name: files that a
// map refers to, for the unused-files report.
func (p *Project) checkMapSources(g *graph, built []*builtBundle, srcs *sourceSet, diags *ErrorList) (map[string]bool, error) {
	named := map[string]bool{}
	served := map[string]bool{}
	for _, n := range g.nodes {
		served[n.name] = true
	}
	for _, b := range built {
		served[b.plan.cfg.Output.S] = true
	}
	for _, n := range g.nodes {
		if n.src == nil || n.mapOf != nil || path.Ext(n.name) != ".map" {
			continue
		}
		data, err := srcs.read(n.src)
		if err != nil {
			return nil, err
		}
		var m struct {
			SourceRoot     string    `json:"sourceRoot"`
			Sources        []string  `json:"sources"`
			SourcesContent []*string `json:"sourcesContent"`
		}
		if json.Unmarshal(data, &m) != nil {
			continue // not a map stapler reads; a file named .map all the same
		}
		var nowhere []string
		at := -1
		for i, s := range m.Sources {
			ref := s
			if m.SourceRoot != "" && !schemeRE.MatchString(s) && !strings.HasPrefix(s, "/") {
				ref = strings.TrimSuffix(m.SourceRoot, "/") + "/" + s
			}
			name, _, local := localTarget(ref, path.Dir(n.name), p.cfg.URL)
			if local && served[name] {
				named[name] = true
			}
			if i < len(m.SourcesContent) && m.SourcesContent[i] != nil {
				continue
			}
			why := ""
			switch {
			case !local && strings.HasPrefix(ref, "/") && !strings.HasPrefix(ref, "//"):
				why = "outside the served tree"
			case !local:
				continue // another site's, or a scheme such as webpack://
			case name == ".." || strings.HasPrefix(name, "../"):
				why = "outside the served tree"
			case !served[name]:
				why = "not served"
			default:
				continue
			}
			nowhere = append(nowhere, fmt.Sprintf("%q (%s)", s, why))
			if at < 0 {
				at = sourceOffset(data, s)
			}
		}
		if len(nowhere) == 0 {
			continue
		}
		shown := strings.Join(nowhere[:min(3, len(nowhere))], ", ")
		if len(nowhere) > 3 {
			shown += fmt.Sprintf(" and %d more", len(nowhere)-3)
		}
		pos := Position{File: n.src.display, Line: 1, Col: 1}
		if at >= 0 {
			pos = newLineIndex(data).pos(n.src.display, at)
		}
		diags.add(&Diagnostic{Pos: pos, Severity: SeverityWarning, Code: CodeSourceMapSources,
			Message: fmt.Sprintf("source map %s: %d of its %d sources lead nowhere, without sourcesContent: %s; DevTools shows nothing for them: make the map with sourcesContent, or serve its sources",
				n.name, len(nowhere), len(m.Sources), shown)})
	}
	return named, nil
}

// sourceOffset returns where a map's sources list holds s, as a JSON
// string, or -1.
func sourceOffset(data []byte, s string) int {
	start := bytes.Index(data, []byte(`"sources"`))
	if start < 0 {
		return -1
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	if i := bytes.Index(data[start:], bytes.TrimSpace(b.Bytes())); i >= 0 {
		return start + i
	}
	return -1
}
