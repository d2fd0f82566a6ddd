package bundler

// The measurements behind stapler's choice of minifier (see the README's
// "Minification"), taken on real stylesheets and scripts. They are an
// explicit opt-in: the files are third-party and never committed, so
// BenchmarkMinify and TestRealWorldBundles skip unless STAPLER_REALWORLD
// names the directory that testdata/realworld/fetch.sh prints:
//
//	dir=$(bash testdata/realworld/fetch.sh /tmp/realworld)
//	STAPLER_REALWORLD=$dir go test -run RealWorld -v ./bundler
//	STAPLER_REALWORLD=$dir go test -run '^$' -bench Minify -benchtime 3x ./bundler
//
// TestBrokenCSSMinifiers needs no files and always runs.

import (
	"bytes"
	"compress/gzip"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/evanw/esbuild/pkg/api"
	"github.com/stapler-build/stapler/bundler/internal/scan"
	"github.com/stapler-build/stapler/internal/testenv"
	"github.com/tdewolff/minify/v2"
	mincss "github.com/tdewolff/minify/v2/css"
	minjs "github.com/tdewolff/minify/v2/js"
)

// realWorldFiles are the files fetch.sh fetches, relative to its
// directory: stylesheets first, then scripts. three's build/three.cjs is
// a stub that requires three.core.js, so the library itself is measured.
var realWorldFiles = []string{
	"bootstrap/dist/css/bootstrap.css",
	"@fortawesome/fontawesome-free/css/all.css",
	"normalize.css/normalize.css",
	"animate.css/animate.css",
	"jquery/dist/jquery.js",
	"bootstrap/dist/js/bootstrap.js",
	"lodash/lodash.js",
	"d3/dist/d3.js",
	"three/build/three.core.js",
	"three/build/three.module.js",
}

// The bundles compared minified file by file and minified whole.
var (
	realWorldScripts = []string{
		"jquery/dist/jquery.js",
		"lodash/lodash.js",
		"bootstrap/dist/js/bootstrap.js",
		"d3/dist/d3.js",
	}
	realWorldStylesheets = []string{
		"normalize.css/normalize.css",
		"bootstrap/dist/css/bootstrap.css",
		"@fortawesome/fontawesome-free/css/all.css",
		"animate.css/animate.css",
	}
)

// realWorldDir returns the directory of fetched files, or skips
// (internal/testenv).
func realWorldDir(tb testing.TB) string {
	return testenv.RealWorld(tb)
}

func readRealWorld(tb testing.TB, dir, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		tb.Fatalf("%v (run testdata/realworld/fetch.sh %s again?)", err, dir)
	}
	return data
}

func loaderOf(name string) api.Loader {
	if path.Ext(name) == ".css" {
		return api.LoaderCSS
	}
	return api.LoaderJS
}

func mediatypeOf(name string) string {
	if path.Ext(name) == ".css" {
		return "text/css"
	}
	return "application/javascript"
}

func newTdewolff() *minify.M {
	m := minify.New()
	m.Add("text/css", &mincss.Minifier{})
	m.Add("application/javascript", &minjs.Minifier{})
	return m
}

// esbuildMinify minifies as stapler does: with its own transform.
func esbuildMinify(tb testing.TB, src []byte, name string) []byte {
	out, diags := transform(src, name, loaderOf(name), true)
	for _, d := range diags {
		tb.Logf("esbuild: [%s] %s", d.Code, d)
	}
	return out
}

// tdewolffMinify minifies with tdewolff/minify. Its m.Bytes rewrites its
// input in place, and returns the input unchanged on an error: hence the
// copy and the check.
func tdewolffMinify(tb testing.TB, m *minify.M, src []byte, name string) []byte {
	out, err := m.Bytes(mediatypeOf(name), bytes.Clone(src))
	if err != nil {
		tb.Fatalf("tdewolff: %s: %v", name, err)
	}
	return out
}

// gzipSize is the size of data gzipped at the default level, which is
// what most servers use.
func gzipSize(data []byte) int {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.DefaultCompression)
	w.Write(data)
	w.Close()
	return b.Len()
}

func BenchmarkMinify(b *testing.B) {
	dir := realWorldDir(b)
	m := newTdewolff()
	for _, name := range realWorldFiles {
		src := readRealWorld(b, dir, name)
		minifiers := []struct {
			name string
			run  func(testing.TB) []byte
		}{
			// TestRealWorldBundles reports esbuild's diagnostics.
			{"esbuild", func(testing.TB) []byte { out, _ := transform(src, name, loaderOf(name), true); return out }},
			{"tdewolff", func(tb testing.TB) []byte { return tdewolffMinify(tb, m, src, name) }},
		}
		for _, mm := range minifiers {
			b.Run(path.Base(name)+"/"+mm.name, func(b *testing.B) {
				b.SetBytes(int64(len(src)))
				var out []byte
				for b.Loop() {
					out = mm.run(b)
				}
				b.ReportMetric(float64(len(out)), "outB")
				b.ReportMetric(float64(gzipSize(out)), "gzB")
			})
		}
	}
}

// TestRealWorldBundles runs stapler's own checks over real files and logs
// every problem esbuild reports in each: stapler treats esbuild's warnings
// as errors, so a file listed here with a warning is one stapler refuses
// to bundle. It also compares minifying each file and joining the results
// with minifying the joined files, for both minifiers.
func TestRealWorldBundles(t *testing.T) {
	dir := realWorldDir(t)
	t.Run("diagnostics", func(t *testing.T) {
		for _, name := range realWorldFiles {
			src := readRealWorld(t, dir, name)
			lines := bytes.Split(src, []byte("\n"))
			logDiags := func(what string, diags ErrorList) {
				nerr, nwarn := esbuildCounts(src, name, loaderOf(name), what == "minify")
				t.Logf("%s: %s: %d diagnostics (esbuild: %d errors, %d warnings)", name, what, len(diags), nerr, nwarn)
				for _, d := range diags {
					t.Logf("    %s: [%s] %s", d.Pos, d.Code, d.Message)
					for _, n := range d.Notes {
						t.Logf("        note: %s", n)
					}
					if l := d.Pos.Line; l >= 1 && l <= len(lines) {
						t.Logf("        | %s", excerpt(lines[l-1], d.Pos.Col))
					}
				}
				if len(diags) > 0 {
					// stapler treats esbuild's warnings as errors: it would
					// refuse to bundle this widely used file.
					t.Errorf("%s: %s: stapler would refuse it with %d diagnostics", name, what, len(diags))
				}
			}
			if loaderOf(name) == api.LoaderCSS {
				// What stapler does to each stylesheet: scan it, check it.
				sc := scan.CSS(src)
				var urls, imports, local, missing int
				for _, r := range sc.Refs {
					if r.Import {
						imports++
						continue
					}
					urls++
					target, _, ok := localTarget(r.URL, path.Dir(name), "/static/")
					if !ok {
						continue
					}
					local++
					if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(target))); err != nil {
						missing++
						t.Errorf("%s: url() target missing: %s → %s", newLineIndex(src).pos(name, r.At), r.Text, target)
					}
				}
				t.Logf("%s: scan.CSS: %d url() (%d local, %d missing), %d @import, @charset end %d, first rule at %d",
					name, urls, local, missing, imports, sc.CharsetEnd, sc.FirstRule)
				_, diags := transform(src, name, api.LoaderCSS, false)
				logDiags("check", diags)
				// A bundle is minified whole; a file alone may warn more.
				_, diags = transform(src, name, api.LoaderCSS, true)
				logDiags("minify", diags)
			} else {
				_, diags := transform(src, name, api.LoaderJS, true)
				logDiags("minify", diags)
			}
		}
	})

	t.Run("join", func(t *testing.T) {
		m := newTdewolff()
		for _, c := range []struct {
			sep   string // what joins the files, raw or minified
			files []string
		}{
			{"\n;\n", realWorldScripts},
			{"\n", realWorldStylesheets},
		} {
			var srcs [][]byte
			for _, name := range c.files {
				src := readRealWorld(t, dir, name)
				if loaderOf(name) == api.LoaderCSS {
					// As joinStylesheets does: @charset only on top.
					src = src[scan.CSS(src).CharsetEnd:]
				}
				srcs = append(srcs, src)
			}
			whole := bytes.Join(srcs, []byte(c.sep))
			wholeName := "bundle" + path.Ext(c.files[0])
			for _, mm := range []struct {
				name string
				run  func(src []byte, name string) []byte
			}{
				{"esbuild", func(src []byte, name string) []byte { return esbuildMinify(t, src, name) }},
				{"tdewolff", func(src []byte, name string) []byte { return tdewolffMinify(t, m, src, name) }},
			} {
				var parts [][]byte
				for i, src := range srcs {
					parts = append(parts, bytes.TrimRight(mm.run(src, c.files[i]), " \t\r\n"))
				}
				each := bytes.Join(parts, []byte(c.sep))
				all := mm.run(whole, wholeName)
				ge, ga := gzipSize(each), gzipSize(all)
				t.Logf("%s %s (%d files, %d B): each file then joined: %d B, gzip %d B; joined then minified: %d B, gzip %d B; each/whole gzip %+.2f%%",
					mm.name, wholeName, len(srcs), len(whole), len(each), ge, len(all), ga, 100*(float64(ge)/float64(ga)-1))
			}
		}
	})
}

// esbuildCounts says how many errors and warnings esbuild itself gives a
// source, which stapler's diagnostics do not tell apart.
func esbuildCounts(src []byte, name string, loader api.Loader, minify bool) (errors, warnings int) {
	r := api.Transform(string(src), api.TransformOptions{
		Loader:            loader,
		Sourcefile:        name,
		MinifyWhitespace:  minify,
		MinifyIdentifiers: minify,
		MinifySyntax:      minify,
		LogLevel:          api.LogLevelSilent,
	})
	return len(r.Errors), len(r.Warnings)
}

// excerpt returns at most 100 bytes of line around 1-based column col.
func excerpt(line []byte, col int) string {
	line = bytes.TrimRight(line, "\r")
	from := min(max(0, col-1-50), len(line))
	to := min(len(line), from+100)
	return string(line[from:to])
}

// TestBrokenCSSMinifiers guards what stapler relies on when it minifies
// CSS with esbuild: a broken rule is reported (as a warning, which stapler
// makes an error). It logs what tdewolff/minify makes of the same input:
// neither minifier drops the broken rule, both pass it through, and
// tdewolff returns no error for any of these.
func TestBrokenCSSMinifiers(t *testing.T) {
	for _, c := range []struct {
		name string
		src  string
		want []string // esbuild's warning IDs, in order
	}{
		{"unknown property, unclosed rule", `.a{color:red}.b{colr:}.c{`, []string{"unsupported-css-property", "css-syntax-error"}},
		{"unclosed url", `.x{color:red;;background:url(}`, []string{"css-syntax-error", "css-syntax-error"}},
		{"empty value (not reported)", `.a{color:red}.b{color:}.c{color:blue}`, nil},
		{"stray closing brace", `.a{color:red}}.b{color:blue}`, []string{"css-syntax-error"}},
		{"missing closing brace", `.a{color:red;.b{color:blue}`, []string{"css-syntax-error"}},
		{"unterminated string", `.a{color:"red}.b{color:blue}`, []string{"css-syntax-error", "css-syntax-error"}},
		{"unclosed @media at end", `@media screen{.a{color:red}`, []string{"css-syntax-error"}},
		{"unclosed rule at end", `.a{color:red}.c{color:blue`, []string{"css-syntax-error"}},
		{"double brace", `.a{color:red}.b{{color:blue}.c{color:green}`, []string{"css-syntax-error", "css-syntax-error"}},
		{"misspelt !important (not reported)", `.a{color:red}.b{color:red!importnt}.c{color:green}`, nil},
		{"unclosed url before rules", `.a{color:red}.b{background:url(x.png}.c{color:green}`, []string{"css-syntax-error", "css-syntax-error"}},
		{"calc without spaces", `.a{color:red}.b{width:calc(1px+2px)}.c{color:green}`, []string{"invalid-calc"}},
		{"empty selector in list", `.a{color:red}.b,{color:blue}.c{color:green}`, []string{"css-syntax-error"}},
		{"unclosed @media before rules", `.a{color:red}@media screen{.b{color:blue}.c{color:green}`, []string{"css-syntax-error"}},
		{"extra closing brace", `.a{color:red}.b{color:blue;}}.c{color:green}`, []string{"css-syntax-error"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := api.Transform(c.src, api.TransformOptions{
				Loader:            api.LoaderCSS,
				Sourcefile:        "broken.css",
				MinifyWhitespace:  true,
				MinifyIdentifiers: true,
				MinifySyntax:      true,
				LogLevel:          api.LogLevelSilent,
			})
			var out bytes.Buffer
			err := newTdewolff().Minify("text/css", &out, strings.NewReader(c.src))
			t.Logf("input:    %q", c.src)
			t.Logf("esbuild:  %q", r.Code)
			for _, m := range r.Errors {
				t.Errorf("esbuild: unexpected error [%s] %s", m.ID, m.Text)
			}
			var ids []string
			for _, m := range r.Warnings {
				ids = append(ids, m.ID)
				col := 0
				if m.Location != nil {
					col = m.Location.Column + 1
				}
				t.Logf("          warning [%s] broken.css:1:%d: %s", m.ID, col, m.Text)
			}
			t.Logf("tdewolff: %q, err %v", out.String(), err)
			if !slices.Equal(ids, c.want) {
				t.Errorf("esbuild reported %q, want %q", ids, c.want)
			}
		})
	}
}
