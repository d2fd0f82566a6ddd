package scan

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

func TestScanTemplate(t *testing.T) {
	funcs := []string{"asset", "integrity"}
	custom := []*regexp.Regexp{regexp.MustCompile(`data-asset="(?P<name>[^"]+)"`)}
	tests := []struct {
		name string
		src  string
		want []string // "name@offset", "bundle:name@offset", "dynamic@offset"
	}{
		{"django double quotes", `<link href="{% static "css/a.css" %}">`, []string{`css/a.css@22`}},
		{"django single quotes", `{% static 'css/a.css' %}`, []string{`css/a.css@10`}},
		{"django as variable", `{% static "img/x.png" as logo %}`, []string{`img/x.png@10`}},
		{"django spaces and dashes", "{%-  static\t'a.js'  -%}", nil}, // {%- is Jinja's, and "-" is no tag name
		{"django variable", `{% static theme.css_path %}`, []string{`dynamic@10`}},
		{"django filter on literal", `{% static "a.css"|lower %}`, []string{`dynamic@10`}},
		{"django filter after a single-quoted literal", `{% static 'x.svg'|default:'y' %}`, []string{`x.svg@10`}},
		{"django filters that keep the literal", `{% static "x.svg"|default_if_none:"y"|default:z %}`, []string{`x.svg@10`}},
		{"django default after an empty literal", `{% static ''|default:'y' %}`, []string{`dynamic@10`}},
		{"django filter that changes the literal", `{% static 'x.svg'|lower|default:'y' %}`, []string{`dynamic@10`}},
		{"django junk after a literal", `{% static 'x.svg'y %}`, []string{`dynamic@10`}},
		{"django verbatim", `{% verbatim %}{% static "x.css" %}{% endverbatim %}{% static "y.css" %}`, []string{`y.css@61`}},
		{"django named verbatim", `{% verbatim a %}{% endverbatim %}{% static "x.css" %}{% endverbatim a %}{% static "y.css" %}`,
			[]string{`y.css@82`}},
		{"django verbatim, unterminated", `{% verbatim %}{% static "x.css" %}`, nil},
		{"jinja raw", `{%- raw -%}{{ static('x.css') }}{% endraw %}{{ static('y.css') }}`, []string{`y.css@54`}},
		{"django query kept out", `{% static "fonts/f.eot?#iefix" %}`, []string{`fonts/f.eot@10`}},
		{"stapler_django's tags", `{% stapler_module "js/a.js" %}{% stapler_static 'x.svg' as v %}{% stapler_integrity "a.css" %}`,
			[]string{`js/a.js@18`, `x.svg@48`, `a.css@84`}},
		// They look the name up as it is, unlike {% static %}.
		{"stapler_django's tags keep a query", `{% stapler_static "f.eot?#iefix" %}`, []string{`f.eot?#iefix@18`}},
		{"stapler_django's tags, variable", `{% stapler_module entry %}`, []string{`dynamic@18`}},
		{"pipeline tags", `{% stylesheet 'site' %}{% javascript "apps" %}`, []string{`bundle:site@14`, `bundle:apps@37`}},
		{"django comment", `{# {% static "x.css" %} #}{% static "y.css" %}`, []string{`y.css@36`}},
		{"django block comment", "{% comment %}{% static 'x.css' %}{% endcomment %}{% static 'y.css' %}", []string{`y.css@59`}},
		{"other tags", `{% load static %}{% url "home" %}{% get_static_prefix %}`, nil},
		{"jinja call", `{{ static('css/a.css') }}`, []string{`css/a.css@10`}},
		{"jinja call, double quotes, spaces", `{{ static( "css/a.css" ) }}`, []string{`css/a.css@11`}},
		{"jinja variable", `{{ static(page.css) }}`, []string{`dynamic@10`}},
		{"go func", `{{ asset "css/a.css" }}`, []string{`css/a.css@9`}},
		{"go raw string", "{{ asset `css/a.css` }}", []string{`css/a.css@9`}},
		{"go pipe", `{{ "js/a.js" | asset }}`, []string{`js/a.js@3`}},
		{"go trim markers", `{{- asset "a.js" -}}`, []string{`a.js@10`}},
		{"go field", `{{ asset .Script }}`, []string{`dynamic@9`}},
		{"go variable", `{{ asset $x }}`, []string{`dynamic@9`}},
		{"go integrity", `{{ integrity "a.css" }}`, []string{`a.css@13`}},
		{"go comment", `{{/* asset "x.js" */}}{{ asset "y.js" }}`, []string{`y.js@31`}},
		{"method named like a func", `{{ .asset "x.js" }} {{ myasset "y.js" }}`, nil},
		{"two calls in one action", `{{ printf "%s %s" (asset "a.js") (asset "b.js") }}`, []string{`a.js@25`, `b.js@40`}},
		{"custom pattern", `<div data-asset="img/a.png"></div>`, []string{`img/a.png@17`}},
		{"unterminated tag", `{% static "a.css"`, nil},
		{"a lone brace", `a { b } {{`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range Template([]byte(tt.src), funcs, custom) {
				switch {
				case r.Dynamic:
					got = append(got, fmt.Sprintf("dynamic@%d", r.At))
				case r.Bundle:
					got = append(got, fmt.Sprintf("bundle:%s@%d", r.Name, r.At))
				default:
					got = append(got, fmt.Sprintf("%s@%d", r.Name, r.At))
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("Template(%q)\ngot  %q\nwant %q", tt.src, got, tt.want)
			}
		})
	}
}

// FuzzScanTemplate: no panic, and every reference's offset lies inside
// the template, at the quote of a literal name.
func FuzzScanTemplate(f *testing.F) {
	for _, s := range []string{
		`{% static "a.css" as x %}{% stylesheet 'b' %}{# c #}`,
		`{{ static('a') }}{{ asset .X }}{{ "y" | asset }}{{/* z */}}`,
		"{% comment %}{% static 'x' %}",
		"{% verbatim v %}{% static 'x' %}{% endverbatim v %}{% raw %}",
		`{% static 'a'|default:'b' %}{% static "c"|default: %}`,
		`{{ asset "unterminated }}`,
		"{{ asset `raw` }}{%",
	} {
		f.Add([]byte(s))
	}
	funcs := []string{"asset"}
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, r := range Template(src, funcs, nil) {
			if r.At < 0 || r.At >= len(src) {
				t.Fatalf("offset %d outside %d bytes", r.At, len(src))
			}
			if !r.Dynamic && !strings.ContainsRune("\"'`", rune(src[r.At])) {
				t.Fatalf("name %q at %d does not start at a quote: %q", r.Name, r.At, src[r.At:])
			}
		}
	})
}
