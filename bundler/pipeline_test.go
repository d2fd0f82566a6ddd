package bundler_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/internal/testenv"
)

// pipelineBundles are the bundles of TestPipelineAgrees, each as stapler
// has it and as django-pipeline's settings have it: a stylesheet and a
// script group both named "main", a group name with a '.', and bundles
// without a pipeline key, which answer to their own names.
var pipelineBundles = []struct {
	name, group, output string
	sources             []string
	wrap                bool
}{
	{name: "main-css", group: "main", output: "css/main.css", sources: []string{"css/base.css"}},
	{name: "main-js", group: "main", output: "js/main.js", sources: []string{"js/legacy.js", "js/later.js"}, wrap: true},
	{name: "admin", group: "admin.base", output: "css/admin.css", sources: []string{"css/admin-base.css"}},
	{name: "site", output: "css/site.css", sources: []string{"css/base.css"}},
	{name: "plain", output: "js/plain.js", sources: []string{"js/legacy.js", "js/later.js"}},
}

// pipelineTags are the lines of the template of TestPipelineAgrees, each
// with the output its tag loads, or "" where django-pipeline renders
// nothing.
var pipelineTags = []struct{ line, loads string }{
	{`{% load pipeline %}`, ""},
	{`{% stylesheet 'main' %}`, "css/main.css"},
	{`{% javascript 'main' %}`, "js/main.js"},
	{`{% stylesheet "main" %}`, "css/main.css"},
	{`{% stylesheet 'admin.base' %}`, "css/admin.css"},
	{`{% stylesheet 'site' %}`, "css/site.css"},
	{`{% javascript 'plain' %}`, "js/plain.js"},
	{`{% javascript 'admin.base' %}`, ""}, // a stylesheet group only
	{`{% javascript 'site' %}`, ""},       // likewise
	{`{% stylesheet 'mian' %}`, ""},       // a typo
	{`{% stylesheet 'main-css' %}`, ""},   // a bundle's name, but it answers to "main"
	{`{% stylesheet 'admin' %}`, ""},      // likewise
	{`{% javascript 'plain.js' %}`, ""},   // an output, not a group
}

// TestPipelineAgrees holds stapler against the real django-pipeline
// (Debian's python3-django-pipeline, under Debian's Django), configured
// from the same bundles: PIPELINE['STYLESHEETS'] and ['JAVASCRIPT'] with
// each bundle's group name, sources and output, served through
// ManifestStaticFilesStorage from stapler's staticfiles.json.
//
//   - Each of django-pipeline's tags that renders nothing, stapler's
//     check reports, at its line; each that renders the bundle's hashed
//     URL, it accepts.
//   - pipeline's own bundle of the script group's sources, wrapped as it
//     wraps them, declares the same globals and does the same when it runs
//     as stapler's bundle with wrap = true: none, where stapler's bundle
//     without wrap declares every top-level name of its sources.
func TestPipelineAgrees(t *testing.T) {
	python := testenv.DjangoPipeline(t)
	node := testenv.Command(t, "node")
	dir := t.TempDir()

	var config, check strings.Builder
	config.WriteString("output = \"build\"\n[[root]]\npath = \"static\"\n[collect]\n[manifest]\ndjango = true\n")
	stylesheets, javascript := map[string]any{}, map[string]any{}
	for _, b := range pipelineBundles {
		quoted := make([]string, len(b.sources))
		for i, s := range b.sources {
			quoted[i] = strconv.Quote(s)
		}
		fmt.Fprintf(&config, "[bundle.%s]\noutput = %q\nsources = [%s]\nwrap = %t\n", b.name, b.output, strings.Join(quoted, ", "), b.wrap)
		group := b.name
		if b.group != "" {
			fmt.Fprintf(&config, "pipeline = %q\n", b.group)
			group = b.group
		}
		groups := stylesheets
		if strings.HasSuffix(b.output, ".js") {
			groups = javascript
		}
		groups[group] = map[string]any{"source_filenames": b.sources, "output_filename": b.output}
	}
	check.WriteString(config.String() + "[templates]\npaths = [\"templates/*.html\"]\n")
	var tmpl strings.Builder
	for _, tag := range pipelineTags {
		tmpl.WriteString(tag.line + "\n")
	}
	files := map[string]string{
		"assets.toml":               config.String(),
		"check.toml":                check.String(),
		"templates/tags.html":       tmpl.String(),
		"static/css/base.css":       "body { color: #222 }\n",
		"static/css/admin-base.css": "#header { color: #fff }\n",
	}
	for name, data := range wrapSources {
		files[name] = data
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := build(t, filepath.Join(dir, "assets.toml"))

	// What stapler's check says of the template.
	p := load(t, filepath.Join(dir, "check.toml"))
	_, err := p.Check(context.Background())
	var list bundler.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("check with the template: %v, want its problems", err)
	}
	reported := map[int]string{} // line → message
	for _, d := range list {
		if d.Pos.File != filepath.Join(dir, "templates", "tags.html") {
			t.Errorf("a problem not in the template: %v", d)
			continue
		}
		reported[d.Pos.Line] = d.Message
	}

	// What django-pipeline renders, and packs.
	request, err := json.Marshal(map[string]any{
		"static_root": filepath.Join(dir, "build"),
		"templates":   filepath.Join(dir, "templates"),
		"stylesheets": stylesheets,
		"javascript":  javascript,
		"render":      []string{"tags.html"},
		"pack":        map[string][]string{"main": pipelineBundles[1].sources},
	})
	if err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "pipeline_render.py"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, script)
	cmd.Stdin = strings.NewReader(string(request))
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("django-pipeline: %v\n%s", err, stderr.String())
	}
	var answer struct {
		Render map[string][]string
		Pack   map[string]string
	}
	if err := json.Unmarshal([]byte(stdout.String()), &answer); err != nil {
		t.Fatalf("django-pipeline's answer: %v\n%s", err, stdout.String())
	}

	rendered := answer.Render["tags.html"]
	for i, tag := range pipelineTags {
		if i == 0 {
			continue // {% load %}
		}
		line := i + 1
		out := rendered[i]
		msg, rejected := reported[line]
		t.Logf("line %d %s: pipeline renders %q; stapler: %q", line, tag.line, out, msg)
		if rejected != (out == "") {
			t.Errorf("line %d %s: django-pipeline renders %q, and stapler's check reports %q: they disagree", line, tag.line, out, msg)
		}
		// The table is right about pipeline: the test is not vacuous.
		if tag.loads == "" {
			if out != "" {
				t.Errorf("line %d %s: django-pipeline renders %q, want nothing", line, tag.line, out)
			}
			continue
		}
		url, err := res.Manifest.URL(tag.loads)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, `"`+url+`"`) {
			t.Errorf("line %d %s: django-pipeline renders %q, want the URL of %s, %s", line, tag.line, out, tag.loads, url)
		}
	}

	// Run pipeline's bundle and stapler's two in node, each in a fresh
	// global scope, as a page runs a classic script.
	packed := filepath.Join(dir, "pipeline-main.js")
	if err := os.WriteFile(packed, []byte(answer.Pack["main"]), 0o644); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(answer.Pack["main"], "(function() {\n") {
		t.Errorf("django-pipeline's bundle is not wrapped:\n%s", answer.Pack["main"])
	}
	const runner = `
const vm = require("vm"), fs = require("fs");
const out = {};
for (const file of process.argv.slice(1)) {
	const ctx = vm.createContext({document: {documentElement: {dataset: {}}}});
	const before = new Set(Object.getOwnPropertyNames(ctx));
	vm.runInContext(fs.readFileSync(file, "utf8"), ctx);
	out[file] = {
		globals: Object.getOwnPropertyNames(ctx).filter(n => !before.has(n)).sort(),
		dataset: ctx.document.documentElement.dataset,
	};
}
console.log(JSON.stringify(out));
`
	wrapped, plain := filepath.Join(dir, "build", "js", "main.js"), filepath.Join(dir, "build", "js", "plain.js")
	run, err := exec.Command(node, "-e", runner, packed, wrapped, plain).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	type ran struct {
		Globals []string
		Dataset map[string]string
	}
	var got map[string]ran
	if err := json.Unmarshal(run, &got); err != nil {
		t.Fatalf("node's answer: %v\n%s", err, run)
	}
	t.Logf("ran: %s", run)
	want := ran{Globals: []string{}, Dataset: map[string]string{"first": "object legacy 1", "second": "legacy 2"}}
	for _, file := range []string{packed, wrapped} {
		if g := got[file]; !slices.Equal(g.Globals, want.Globals) || fmt.Sprint(g.Dataset) != fmt.Sprint(want.Dataset) {
			t.Errorf("%s declared globals %q and set %v; want %q and %v, as django-pipeline's wrapped bundle does", file, g.Globals, g.Dataset, want.Globals, want.Dataset)
		}
	}
	if g := got[plain]; !slices.Equal(g.Globals, []string{"bump", "counter", "name"}) {
		t.Errorf("%s, without wrap, declared globals %q; want bump, counter and name", plain, g.Globals)
	}
}
