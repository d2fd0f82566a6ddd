package djangoinit

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/pelletier/go-toml/v2"
	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/finders"
)

// TestQuote reads back with a TOML decoder each string quote writes.
func TestQuote(t *testing.T) {
	for _, s := range []string{
		"", "static", `it's "static"`, `C:\static\dir`, "é ü 日本 😀", "tab\there", "line\nbreak\r\x00\x1f\x7f",
		`\u00e9 is not an escape`, "#not a comment", "trailing\\",
	} {
		var got struct{ V string }
		if err := toml.Unmarshal([]byte("v = "+quote(s)+"\n"), &got); err != nil {
			t.Errorf("quote(%q) = %s: %v", s, quote(s), err)
			continue
		}
		if got.V != s {
			t.Errorf("quote(%q) = %s, which reads back as %q", s, quote(s), got.V)
		}
	}
	var list struct{ V []string }
	in := []string{`a"b`, `c\d`, "é"}
	if err := toml.Unmarshal([]byte("v = "+quoteList(in)+"\n"), &list); err != nil || !slices.Equal(list.V, in) {
		t.Errorf("quoteList(%q) = %s: read back %q, %v", in, quoteList(in), list.V, err)
	}
}

// TestLiteralPath checks that each escaped path is a valid pattern that
// matches the path and nothing else.
func TestLiteralPath(t *testing.T) {
	for _, p := range []string{"static", "a[b]/c", "x*y?z", "{vendor}/dist", "it's/é", "a]b}c"} {
		pat := literalPath(p)
		if err := finders.ValidPattern(pat); err != nil {
			t.Errorf("literalPath(%q) = %q: %v", p, pat, err)
			continue
		}
		if ok, _ := doublestar.Match(pat, p); !ok {
			t.Errorf("literalPath(%q) = %q does not match it", p, pat)
		}
		if ok, _ := doublestar.Match(pat, p+"x"); ok {
			t.Errorf("literalPath(%q) = %q matches %q too", p, pat, p+"x")
		}
	}
	if got := literalBraces("js/{a,b}/*.js"); got != "js/[{]a,b[}]/*.js" {
		t.Errorf("literalBraces = %q", got)
	}
}

// TestComment keeps a comment on its line.
func TestComment(t *testing.T) {
	if got := comment("a\nb\rc\x00d\te"); got != `a\nb\rc\x00d`+"\te" {
		t.Errorf("comment = %q", got)
	}
	if got := pyQuote("admin.base"); got != "'admin.base'" {
		t.Errorf("pyQuote = %s", got)
	}
	if got := pyQuote("it's"); got != `"it's"` {
		t.Errorf("pyQuote = %s", got)
	}
}

// TestSettingsModule reads manage.py's default as Django's startproject
// writes it, in either quote, and lets the option and the environment
// override it, as manage.py's setdefault does.
func TestSettingsModule(t *testing.T) {
	t.Setenv("DJANGO_SETTINGS_MODULE", "")
	for _, src := range []string{
		`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")`,
		`os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')`,
		"os.environ.setdefault(\n    'DJANGO_SETTINGS_MODULE',\n    'mysite.settings'\n)",
	} {
		if got, err := settingsModule([]byte(src), Options{}); got != "mysite.settings" || err != nil {
			t.Errorf("%s: %q, %v", src, got, err)
		}
	}
	manage := []byte(`os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")`)
	t.Setenv("DJANGO_SETTINGS_MODULE", "mysite.env")
	if got, _ := settingsModule(manage, Options{}); got != "mysite.env" {
		t.Errorf("with $DJANGO_SETTINGS_MODULE: %q", got)
	}
	if got, _ := settingsModule(manage, Options{Settings: "mysite.flag"}); got != "mysite.flag" {
		t.Errorf("with --settings: %q", got)
	}
	t.Setenv("DJANGO_SETTINGS_MODULE", "")
	if _, err := settingsModule([]byte("print()"), Options{}); err == nil {
		t.Errorf("a manage.py without the setting: no error")
	}
}

// TestPythonCommand takes manage.py's #! interpreter when it is there.
func TestPythonCommand(t *testing.T) {
	dir := t.TempDir()
	python := filepath.Join(dir, "python")
	if err := os.WriteFile(python, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	for _, c := range []struct {
		manage, opt string
		want        []string
	}{
		{"#!" + python + "\n", "", []string{python}},
		{"#!" + python + " -u\n", "", []string{python, "-u"}},
		{"#!/usr/bin/env python\n", "", []string{"python"}},
		{"#!/usr/bin/env -S python -u\n", "", []string{"python", "-u"}},
		{"#!/nonexistent/python3.7\n", "", []string{"python"}}, // no python3 in PATH here
		{"import os\n", "", []string{"python"}},
		{"#!" + python + "\n", "/opt/venv/bin/python", []string{"/opt/venv/bin/python"}},
	} {
		got, err := pythonCommand([]byte(c.manage), c.opt)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%q, --python %q: %q, %v; want %q", c.manage, c.opt, got, err, c.want)
		}
	}
	t.Setenv("PATH", t.TempDir())
	if _, err := pythonCommand([]byte("#!/usr/bin/env python3\n"), ""); err == nil {
		t.Errorf("no Python at all: no error")
	}
}

// TestBundleNameAgrees: the names init writes as bundle names of their
// own are the names bundler accepts, and the others it refuses. The
// pattern is written twice, since djangoinit compiles nothing of bundler;
// this holds the two to one rule.
func TestBundleNameAgrees(t *testing.T) {
	for _, name := range []string{"site", "site-css", "a_b", "A9", "-", "a.b", "a b", "é", "x/y", "a+b", "ß", "a\tb"} {
		config := fmt.Sprintf("output = \"out\"\n[bundle.%q]\noutput = \"x.css\"\nsources = [\"a.css\"]\n", name)
		p, err := bundler.Load(bundler.Options{FS: fstest.MapFS{"assets.toml": {Data: []byte(config)}, "a.css": {Data: []byte("a{}")}}})
		if err != nil {
			t.Fatal(err)
		}
		refused := strings.Contains(p.ConfigProblems().Error(), fmt.Sprintf("bundle name %q", name))
		if ours := bundleName.MatchString(name); ours == refused {
			t.Errorf("bundle name %q: init's pattern matches it: %v; bundler refuses it: %v (%v)", name, ours, refused, p.ConfigProblems())
		}
	}
}
