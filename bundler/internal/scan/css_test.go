package scan

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
		// Escapes are decoded as CSS reads them; Start:End stays as written.
		{"escaped newline in a string", "a{b:url(\"a\\\nb.png\")}", []string{"url(\"a\\\nb.png\") | ab.png"}},
		{"escaped CRLF in a string", "a{b:url('a\\\r\nb.png')}", []string{"url('a\\\r\nb.png') | ab.png"}},
		{"hex escape and its space", `a{b:url(a\2e png)}`, []string{`url(a\2e png) | a.png`}},
		{"six hex digits", `a{b:url("\00006Bx.png")}`, []string{`url("\00006Bx.png") | kx.png`}},
		{"escaped character", `a{b:url(a\(1\).png)}`, []string{`url(a\(1\).png) | a(1).png`}},
		{"null escape", `a{b:url("\0 x.png")}`, []string{"url(\"\\0 x.png\") | \ufffdx.png"}},
		{"import string escape", "@import \"x\\\ny.css\";", []string{"@@import \"x\\\ny.css\" | xy.css"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := CSS([]byte(tt.css))
			var got []string
			for _, r := range s.Refs {
				g := r.Text + " | " + r.URL
				if r.Import {
					g = "@" + g
				}
				if got := unescapeCSS([]byte(tt.css[r.Start:r.End])); got != r.URL {
					t.Errorf("%s: src[start:end] reads %q, want %q", r.Text, got, r.URL)
				}
				if !strings.HasPrefix(tt.css[r.At:], r.Text) {
					t.Errorf("%s: does not start at %d", r.Text, r.At)
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
		s := CSS([]byte(tt.css))
		if got := tt.css[:s.CharsetEnd]; got != tt.charset {
			t.Errorf("%q: charset %q, want %q", tt.css, got, tt.charset)
		}
		if s.FirstRule != tt.firstRule {
			t.Errorf("%q: first rule at %d, want %d", tt.css, s.FirstRule, tt.firstRule)
		}
		var leading []bool
		for _, r := range s.Refs {
			if r.Import {
				leading = append(leading, r.Leading)
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
		"a{b:url(\"a\\\nb\\22 c\\\\.png\")}@import 'x\\'y';",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		s := CSS(src)
		if s.CharsetEnd < 0 || s.CharsetEnd > len(src) || s.FirstRule < -1 || s.FirstRule > len(src) {
			t.Fatalf("charsetEnd %d, firstRule %d for %d bytes", s.CharsetEnd, s.FirstRule, len(src))
		}
		last := 0
		for _, r := range s.Refs {
			if r.At < last || r.Start < r.At || r.End < r.Start || r.End > len(src) {
				t.Fatalf("bad ranges %+v in %q", r, src)
			}
			if got := unescapeCSS(src[r.Start:r.End]); got != r.URL {
				t.Fatalf("src[start:end] = %q reads %q, url %q", src[r.Start:r.End], got, r.URL)
			}
			if e := r.Escape(r.URL); !strings.ContainsRune(r.URL, 0) && unescapeCSS([]byte(e)) != r.URL {
				t.Fatalf("Escape(%q) = %q reads back %q", r.URL, e, unescapeCSS([]byte(e)))
			}
			if !strings.HasPrefix(string(src[r.At:]), r.Text) {
				t.Fatalf("text %q not at %d", r.Text, r.At)
			}
			last = r.End
		}
		rep := CSSRepetition(src)
		if rep.Pairs < 0 || rep.Largest < 0 || rep.At < -1 || rep.At >= max(len(src), 1) || (rep.At < 0) != (rep.Largest == 0) ||
			rep.Pairs < rep.Largest*(rep.Largest-1)/2 {
			t.Fatalf("repetition %+v for %d bytes", rep, len(src))
		}
	})
}

// TestCSSEscape: what Escape writes in place of a URL reads back as that
// URL, in each of the three places a stylesheet writes one, and a plain
// name is written as it is.
func TestCSSEscape(t *testing.T) {
	tests := []struct {
		quote byte
		url   string
		want  string
	}{
		{'"', "img/a.1f2e3d.png", "img/a.1f2e3d.png"},
		{0, "img/a.1f2e3d.png?#iefix", "img/a.1f2e3d.png?#iefix"},
		{'"', `a "b" 'c'.png`, `a \"b\" 'c'.png`},
		{'\'', `a "b" 'c'.png`, `a "b" \'c\'.png`},
		{0, `a (b) "c".png`, `a\ \(b\)\ \"c\".png`},
		{'"', "a\\b\nc.png", `a\\b\a c.png`},
	}
	for _, tt := range tests {
		r := Ref{Kind: URL, Quote: tt.quote}
		got := r.Escape(tt.url)
		if got != tt.want {
			t.Errorf("Escape(%q) with quote %q = %q, want %q", tt.url, tt.quote, got, tt.want)
		}
		if back := unescapeCSS([]byte(got)); back != tt.url {
			t.Errorf("%q reads back as %q, want %q", got, back, tt.url)
		}
	}
	if got := (Ref{Kind: Module, Quote: '"'}).Escape(`a"b.js`); got != `a"b.js` {
		t.Errorf("a script's reference was escaped: %q", got)
	}
}
