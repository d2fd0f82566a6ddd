package bundler

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestStandIns: a minified stylesheet bundle is made with stand-ins for
// its targets' hashes (standIns), byte for byte what minifying its real
// text makes, with its source map; when only an image it refers to
// changes, the rebuild finds esbuild's result in the store and makes no
// new one. Text in which a stand-in could not be told apart (a CSS
// escape, a number that looks like one) is minified from its real text.
func TestStandIns(t *testing.T) {
	for _, tc := range []struct {
		name  string
		extra string // a third source of the bundle
		reuse bool   // whether the rebuild after the image changed reuses esbuild's result
	}{
		{"plain", ".c{color:red}\n", true},
		{"escape", ".md\\:flex{display:flex;background:url(../img/a.png)}\n", false},
		{"number", ".c{width:0.000000001px;background:url(../img/a.png)}\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{
				"assets.toml": `output = "out/static"
url = "/static/"
[[root]]
path = "static"
[bundle.site]
output = "css/site.css"
sourcemap = true
sources = ["css/one.css", "css/two.css", "css/three.css"]
`,
				"static/css/one.css":   "/* one */\n.a {\n  background: url(../img/a.png) no-repeat;\n}\n.dup { color: blue }\n",
				"static/css/two.css":   ".b { background-image: url('/static/img/b.png'), url(\"../img/a.png\"); }\n.dup { color: blue }\n",
				"static/css/three.css": tc.extra,
				"static/img/a.png":     "a-bytes",
				"static/img/b.png":     "b-bytes",
			}
			for name, text := range files {
				writeFile(t, filepath.Join(dir, name), text)
			}
			build := func(out string, noStandIns bool) (css, cssMap []byte) {
				t.Helper()
				p, err := Load(Options{Config: filepath.Join(dir, "assets.toml"), OutputDir: out, Cache: !noStandIns, racyWindow: time.Hour, noStandIns: noStandIns})
				if err != nil {
					t.Fatal(err)
				}
				res, err := p.Build(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range res.Outputs {
					switch o.Name {
					case "css/site.css":
						css = o.Data
					case "css/site.css.map":
						cssMap = o.Data
					}
				}
				if css == nil || cssMap == nil {
					t.Fatalf("no bundle or map among %d outputs", len(res.Outputs))
				}
				return css, cssMap
			}
			out := filepath.Join(dir, "out", "static")
			check := func(round string) []string {
				t.Helper()
				css, cssMap := build(out, false)
				wantCSS, wantMap := build(filepath.Join(t.TempDir(), "static"), true)
				if !bytes.Equal(css, wantCSS) {
					t.Errorf("%s: the bundle\n%s\nminified from its real text:\n%s", round, css, wantCSS)
				}
				if !bytes.Equal(cssMap, wantMap) {
					t.Errorf("%s: the bundle's map\n%s\nminified from its real text:\n%s", round, cssMap, wantMap)
				}
				if bytes.Contains(css, []byte(standInMark)) && tc.name != "number" {
					t.Errorf("%s: a stand-in is left in the bundle:\n%s", round, css)
				}
				var diags ErrorList
				c := loadCache(cachePath(out), racyWindow, &diags)
				var keys []string
				for k := range c.store {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				return keys
			}
			first := check("cold")
			if err := os.WriteFile(filepath.Join(dir, "static/img/a.png"), []byte("A-BYTES"), 0o644); err != nil {
				t.Fatal(err)
			}
			second := check("one image changed")
			if reused := slices.Equal(first, second); reused != tc.reuse {
				t.Errorf("after one image changed, the store's results were reused: %v, want %v\nbefore: %q\nafter:  %q", reused, tc.reuse, first, second)
			}
		})
	}
}

func TestStandInsFill(t *testing.T) {
	a, b := &node{hash: "0123456789ab"}, &node{hash: "ba9876543210"}
	s := newStandIns(true)
	ha, hb := s.hash(a), s.hash(b)
	if ha != "000000000000" || hb != "000000000001" || s.hash(a) != ha {
		t.Fatalf("stand-ins %q, %q, then %q", ha, hb, s.hash(a))
	}
	if got := s.hash(&node{hash: "short"}); got != "short" {
		t.Errorf("a hash not of a content hash's length became %q", got)
	}
	text := "x{a:url(a." + ha + ".png)}y{b:url(b." + hb + ".png)}z{c:url(a." + ha + ".png)}"
	want := "x{a:url(a.0123456789ab.png)}y{b:url(b.ba9876543210.png)}z{c:url(a.0123456789ab.png)}"
	if got, ok := s.fillInput([]byte(text)); !ok || string(got) != want {
		t.Errorf("fillInput = %q, %v; want %q", got, ok, want)
	}
	for _, bad := range []string{
		text + ".00000000",                     // one mark more than written
		strings.Replace(text, ")}", "\\)}", 1), // an escape
	} {
		if got, ok := s.fillInput([]byte(bad)); ok {
			t.Errorf("fillInput(%q) = %q, true; want refused", bad, got)
		}
	}
	// esbuild dropped a rule: fewer stand-ins than written is fine.
	if got, ok := s.fillOutput([]byte("y{b:url(b." + hb + ".png)}")); !ok || string(got) != "y{b:url(b.ba9876543210.png)}" {
		t.Errorf("fillOutput of one = %q, %v", got, ok)
	}
	for _, bad := range []string{
		"u(a.000000000002.png)",   // no third target
		"u(a.00000000zz00.png)",   // not hex
		"u(a.00000000",            // cut short
		text + "u(.000000000000)", // more stand-ins than written
	} {
		if got, ok := s.fillOutput([]byte(bad)); ok {
			t.Errorf("fillOutput(%q) = %q, true; want refused", bad, got)
		}
	}
}
