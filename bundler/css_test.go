package bundler

import (
	"strings"
	"testing"
)

func TestScanCSS(t *testing.T) {
	tests := []struct {
		name string
		css  string
		want []string // each reference: "text | url", imports prefixed "@"
	}{
		{"unquoted", `a{b:url(x.png)}`, []string{"url(x.png) | x.png"}},
		{"double quotes", `a{b:url("x.png")}`, []string{`url("x.png") | x.png`}},
		{"single quotes", `a{b:url('x.png')}`, []string{`url('x.png') | x.png`}},
		{"spaces inside", "a{b:url(  'x.png'\t)}", []string{"url(  'x.png'\t) | x.png"}},
		{"spaces, unquoted", `a{b:url( x.png )}`, []string{"url( x.png ) | x.png"}},
		{"upper case", `a{b:URL(x.png)}`, []string{"URL(x.png) | x.png"}},
		{"mixed case", `a{b:Url("x.png")}`, []string{`Url("x.png") | x.png`}},
		{"in a comment", `/* url(x.png) */a{b:url(y.png)}`, []string{"url(y.png) | y.png"}},
		{"in a string", `a{content:"url(x.png)"}`, nil},
		{"two in one declaration", `a{src:url(a.woff2) format("woff2"),url(a.woff)}`,
			[]string{"url(a.woff2) | a.woff2", "url(a.woff) | a.woff"}},
		{"query and fragment", `a{src:url("f.eot?#iefix")}`, []string{`url("f.eot?#iefix") | f.eot?#iefix`}},
		{"data URI", `a{b:url(data:image/png;base64,iVBO=)}`, []string{"url(data:image/png;base64,iVBO=) | data:image/png;base64,iVBO="}},
		{"empty", `a{b:url()}`, []string{"url() | "}},
		{"import string", `@import "a.css";`, []string{`@@import "a.css" | a.css`}},
		{"import url", `@import url(a.css) screen;`, []string{`@@import url(a.css) | a.css`}},
		{"import with layer", `@import url("a.css") layer(base) supports(display:grid);`, []string{`@@import url("a.css") | a.css`}},
		{"custom property", `:root{--bg:url(x.png)}`, []string{"url(x.png) | x.png"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := scanCSS([]byte(tt.css))
			var got []string
			for _, r := range s.refs {
				g := r.text + " | " + r.url
				if r.isImport {
					g = "@" + g
				}
				if tt.css[r.start:r.end] != r.url {
					t.Errorf("%s: src[start:end] = %q, want %q", r.text, tt.css[r.start:r.end], r.url)
				}
				if !strings.HasPrefix(tt.css[r.at:], r.text) {
					t.Errorf("%s: does not start at %d", r.text, r.at)
				}
				got = append(got, g)
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestScanCSSOrder(t *testing.T) {
	tests := []struct {
		css       string
		charset   string
		firstRule int
		leading   []bool // of each @import
	}{
		{`@charset "UTF-8";@import "a.css";a{}`, `@charset "UTF-8";`, 33, []bool{true}},
		{"/* c */\n@import url(x.css);\n@layer base;\n@import 'y.css';\nb{}", "", 58, []bool{true, true}},
		{"a{}\n@import 'y.css';", "", 0, []bool{false}},
		{" @charset \"UTF-8\";a{}", "", 18, nil}, // not the first bytes: not a charset rule
		{"@media print{a{}}", "", 0, nil},
		{"", "", -1, nil},
	}
	for _, tt := range tests {
		s := scanCSS([]byte(tt.css))
		if got := tt.css[:s.charsetEnd]; got != tt.charset {
			t.Errorf("%q: charset %q, want %q", tt.css, got, tt.charset)
		}
		if s.firstRule != tt.firstRule {
			t.Errorf("%q: first rule at %d, want %d", tt.css, s.firstRule, tt.firstRule)
		}
		var leading []bool
		for _, r := range s.refs {
			if r.isImport {
				leading = append(leading, r.leading)
			}
		}
		if len(leading) != len(tt.leading) {
			t.Errorf("%q: imports %v, want %v", tt.css, leading, tt.leading)
			continue
		}
		for i := range leading {
			if leading[i] != tt.leading[i] {
				t.Errorf("%q: imports %v, want %v", tt.css, leading, tt.leading)
			}
		}
	}
}

func TestLocalTarget(t *testing.T) {
	tests := []struct {
		ref, from, prefix string
		name, suffix      string
		local             bool
	}{
		{"../img/a.png", "css", "/static/", "img/a.png", "", true},
		{"img/a.png", "css", "/static/", "css/img/a.png", "", true},
		{"./a.png", "css", "/static/", "css/a.png", "", true},
		{"a.png?v=2", "", "/static/", "a.png", "?v=2", true},
		{"f.eot?#iefix", "fonts", "/static/", "fonts/f.eot", "?#iefix", true},
		{"icons.svg#home", "img", "/static/", "img/icons.svg", "#home", true},
		{"my%20file.png", "img", "/static/", "img/my file.png", "", true},
		{"/static/img/a.png", "css/deep", "/static/", "img/a.png", "", true},
		{"https://cdn.example.com/static/a.png", "css", "https://cdn.example.com/static/", "a.png", "", true},
		{"/other/a.png", "css", "/static/", "", "", false},
		{"data:image/png;base64,xx", "css", "/static/", "", "", false},
		{"DATA:image/png;base64,xx", "css", "/static/", "", "", false},
		{"http://x.test/a.png", "css", "/static/", "", "", false},
		{"HTTPS://x.test/a.png", "css", "/static/", "", "", false},
		{"chrome://x/a.png", "css", "/static/", "", "", false},
		{"//cdn.test/a.png", "css", "/static/", "", "", false},
		{"#frag", "css", "/static/", "", "", false},
		{"", "css", "/static/", "", "", false},
		{"  ", "css", "/static/", "", "", false},
		{"?v=1", "css", "/static/", "", "", false},
		{"../../../a.png", "css", "/static/", "../../a.png", "", true}, // resolves outside: not found later
	}
	for _, tt := range tests {
		name, suffix, local := localTarget(tt.ref, tt.from, tt.prefix)
		if name != tt.name || suffix != tt.suffix || local != tt.local {
			t.Errorf("localTarget(%q, %q, %q) = %q, %q, %v; want %q, %q, %v", tt.ref, tt.from, tt.prefix, name, suffix, local, tt.name, tt.suffix, tt.local)
		}
	}
}

func TestRelDir(t *testing.T) {
	tests := []struct{ dir, to, want string }{
		{"css", "img", "../img/"},
		{"css", "css", ""},
		{".", "img", "img/"},
		{"", ".", ""},
		{"a/b/c", "a/x", "../../x/"},
		{"a", "a/b", "b/"},
		{"css", "img/my dir (1)", "../img/my%20dir%20%281%29/"},
		{"css", "img/café", "../img/caf%C3%A9/"},
	}
	for _, tt := range tests {
		if got := relDir(tt.dir, tt.to); got != tt.want {
			t.Errorf("relDir(%q, %q) = %q, want %q", tt.dir, tt.to, got, tt.want)
		}
	}
}

func TestHashedName(t *testing.T) {
	tests := []struct{ name, want string }{
		{"css/site.css", "css/site.0123456789ab.css"},
		{"js/a.min.js", "js/a.min.0123456789ab.js"},
		{"LICENSE", "LICENSE.0123456789ab"},
		{"dir/.htaccess", "dir/.htaccess.0123456789ab"},
		{"dir.v2/file", "dir.v2/file.0123456789ab"},
	}
	for _, tt := range tests {
		if got := hashedName(tt.name, "0123456789ab"); got != tt.want {
			t.Errorf("hashedName(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got := contentHash([]byte("")); got != "e3b0c44298fc" { // SHA-256 of nothing
		t.Errorf("contentHash(empty) = %q", got)
	}
}

// FuzzScanCSS checks the reference scanner on arbitrary stylesheets: it
// must not panic, and every reference's ranges must lie inside the source,
// start with what the reference says it is, and hold its URL.
func FuzzScanCSS(f *testing.F) {
	for _, s := range []string{
		`@charset "UTF-8";@import url("a.css") screen;a{b:url( 'x.png?#y' )}`,
		`/* url(x) */ a { background: URL(x.png), url(data:a,b) } @import "q";`,
		"a{b:url(\"unterminated\n}",
		`a{b:url(x y)}@import`,
		"\x00url(\\29)",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s := scanCSS(src)
		if s.charsetEnd < 0 || s.charsetEnd > len(src) || s.firstRule < -1 || s.firstRule > len(src) {
			t.Fatalf("charsetEnd %d, firstRule %d for %d bytes", s.charsetEnd, s.firstRule, len(src))
		}
		last := 0
		for _, r := range s.refs {
			if r.at < last || r.start < r.at || r.end < r.start || r.end > len(src) {
				t.Fatalf("bad ranges %+v in %q", r, src)
			}
			if string(src[r.start:r.end]) != r.url {
				t.Fatalf("src[start:end] = %q, url %q", src[r.start:r.end], r.url)
			}
			if !strings.HasPrefix(string(src[r.at:]), r.text) {
				t.Fatalf("text %q not at %d", r.text, r.at)
			}
			last = r.end
		}
	})
}
