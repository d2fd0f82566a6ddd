package scan

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// A TemplateRef is a static reference found in a template: a name that
// must be in the manifest, or a bundle's name for django-pipeline's tags.
type TemplateRef struct {
	At      int    // the name's opening quote, or the expression when dynamic
	Name    string // without query or fragment
	Bundle  bool   // {% stylesheet %} / {% javascript %}: a bundle's name
	Tag     string // for a bundle: "stylesheet" or "javascript", the kind it needs
	Text    string // the tag or call as written, for messages
	Dynamic bool   // built from a variable: not checkable
}

// Template finds the static references of a template: Django's
// {% static "x" %} (and "as v"), django-pipeline's {% stylesheet "name" %}
// and {% javascript "name" %}, stapler_django's {% stapler_static "x" %},
// {% stapler_integrity "x" %} and {% stapler_module "x" %}, Jinja2's static('x') and Go templates'
// {{ asset "x" }} (funcs names the functions; both call and space forms),
// and the matches of the custom patterns' "name" group. Comments are
// skipped: {# #}, {% comment %}…{% endcomment %}, {{/* */}}; so is what
// the template prints as written, {% verbatim %}…{% endverbatim %} and
// Jinja2's {% raw %}…{% endraw %}. A literal followed by filters that
// cannot change it ({% static 'x.svg'|default:'y' %}) names x.svg.
func Template(src []byte, funcs []string, patterns []*regexp.Regexp) []TemplateRef {
	var refs []TemplateRef
	for i := 0; i+1 < len(src); {
		if src[i] != '{' {
			j := bytes.IndexByte(src[i+1:], '{')
			if j < 0 {
				break
			}
			i += 1 + j
			continue
		}
		var closer string
		switch src[i+1] {
		case '#':
			closer = "#}"
		case '%':
			closer = "%}"
		case '{':
			closer = "}}"
		default:
			i++
			continue
		}
		end := bytes.Index(src[i+2:], []byte(closer))
		if end < 0 {
			break
		}
		inner := src[i+2 : i+2+end]
		next := i + 2 + end + 2
		switch closer {
		case "%}":
			fields := tagFields(inner, i+2)
			if end := literalEnd(inner, fields); end != nil {
				// What the template prints as written, up to its end
				// tag: no reference in there is one.
				if k := indexEndTag(src[next:], end); k >= 0 {
					next += k
				} else {
					next = len(src)
				}
				break
			}
			refs = append(refs, djangoTag(src, i, next, fields)...)
		case "}}":
			if t := bytes.TrimLeft(inner, " \t-"); bytes.HasPrefix(t, []byte("/*")) {
				break // a Go template comment
			}
			refs = append(refs, calls(src, i, next, inner, i+2, funcs)...)
		}
		i = next
	}
	for _, re := range patterns {
		idx := re.SubexpIndex("name")
		for _, m := range re.FindAllSubmatchIndex(src, -1) {
			if idx < 0 || m[2*idx] < 0 {
				continue
			}
			name := string(src[m[2*idx]:m[2*idx+1]])
			refs = append(refs, TemplateRef{At: m[2*idx], Name: stripQuery(name), Text: string(src[m[0]:m[1]])})
		}
	}
	return refs
}

// field is a word of a template tag, and where it starts in the template.
type field struct {
	text []byte
	at   int
}

// tagFields splits a tag's contents at white space, keeping quoted
// strings whole.
func tagFields(inner []byte, at int) []field {
	var out []field
	i := 0
	for i < len(inner) {
		for i < len(inner) && isSpace(inner[i]) {
			i++
		}
		if i == len(inner) {
			break
		}
		start := i
		if q := inner[i]; q == '"' || q == '\'' {
			i++
			for i < len(inner) && inner[i] != q {
				if inner[i] == '\\' {
					i++
				}
				i++
			}
			i = min(i+1, len(inner))
		}
		// The rest of the word: a filter after a string ("a"|lower)
		// makes it no literal.
		for i < len(inner) && !isSpace(inner[i]) {
			i++
		}
		out = append(out, field{inner[start:i], at + start})
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// literalEnd returns, for a block tag whose contents are not template
// code, whether a tag's contents end it; nil for any other tag. Django's
// {% comment %} ends at {% endcomment %}; its {% verbatim %} at the
// contents repeated after "end" ({% verbatim x %} … {% endverbatim x %}),
// compared without the spaces around them, as Django does; Jinja2's
// {% raw %} at {% endraw %}, "-" markers allowed.
func literalEnd(inner []byte, fields []field) func(inner []byte) bool {
	if len(fields) == 0 {
		return nil
	}
	switch string(fields[0].text) {
	case "comment":
		return func(in []byte) bool {
			fs := tagFields(in, 0)
			return len(fs) > 0 && string(fs[0].text) == "endcomment"
		}
	case "verbatim":
		end := "end" + string(bytes.TrimSpace(inner))
		return func(in []byte) bool { return string(bytes.TrimSpace(in)) == end }
	}
	if string(bytes.Trim(inner, jinjaTrim)) == "raw" {
		return func(in []byte) bool { return string(bytes.Trim(in, jinjaTrim)) == "endraw" }
	}
	return nil
}

// jinjaTrim is what surrounds a Jinja2 tag's name: spaces and the
// whitespace-control markers of {%- -%}.
const jinjaTrim = " \t\n\r\f-"

// indexEndTag returns the offset just after the first {% %} tag of src
// whose contents end says end, or -1.
func indexEndTag(src []byte, end func([]byte) bool) int {
	for i := 0; ; {
		j := bytes.Index(src[i:], []byte("{%"))
		if j < 0 {
			return -1
		}
		i += j + 2
		k := bytes.Index(src[i:], []byte("%}"))
		if k < 0 {
			return -1
		}
		if end(src[i : i+k]) {
			return i + k + 2
		}
		i += k + 2
	}
}

// djangoTag reads {% static "x" %}, {% stylesheet "x" %},
// {% javascript "x" %}, and the tags of stapler's Django app,
// {% stapler_static "x" %}, {% stapler_integrity "x" %} and
// {% stapler_module "x" %}, which look x up in stapler's manifest as it
// is: no query or fragment is taken off.
func djangoTag(src []byte, start, end int, fields []field) []TemplateRef {
	if len(fields) < 2 {
		return nil
	}
	tag := string(fields[0].text)
	stapler := tag == "stapler_static" || tag == "stapler_integrity" || tag == "stapler_module"
	if tag != "static" && tag != "stylesheet" && tag != "javascript" && !stapler {
		return nil
	}
	r := TemplateRef{At: fields[1].at, Bundle: tag == "stylesheet" || tag == "javascript", Text: string(src[start:end])}
	if r.Bundle {
		r.Tag = tag
	}
	if name, ok := tagLiteral(fields[1].text); ok && stapler {
		r.Name = name
	} else if ok {
		r.Name = stripQuery(name)
	} else {
		r.Dynamic = true
	}
	return []TemplateRef{r}
}

// tagLiteral returns the value of a Django tag's argument when it is a
// string literal, perhaps followed by filters that leave a non-empty
// string as it is: {% static 'x.svg'|default:'y' %} names x.svg. Any
// other filter ('x'|lower) makes the value one that only rendering knows.
func tagLiteral(b []byte) (string, bool) {
	if len(b) == 0 || b[0] != '"' && b[0] != '\'' {
		return "", false
	}
	j := skipString(b, 0)
	s, ok := literal(b[:j])
	if !ok {
		return "", false
	}
	for rest := b[j:]; len(rest) > 0; {
		if rest[0] != '|' {
			return "", false
		}
		filter := ident(rest[1:])
		rest = rest[1+len(filter):]
		if len(rest) > 0 && rest[0] == ':' { // the filter's argument
			rest = rest[1:]
			if len(rest) > 0 && (rest[0] == '"' || rest[0] == '\'') {
				rest = rest[skipString(rest, 0):]
			} else if k := bytes.IndexByte(rest, '|'); k >= 0 {
				rest = rest[k:]
			} else {
				rest = nil
			}
		}
		if filter != "default" && filter != "default_if_none" || s == "" {
			return "", false
		}
	}
	return s, true
}

// calls reads the function calls of a {{ }} block: Jinja2's static('x')
// and Go templates' asset "x", asset("x"), "x" | asset.
func calls(src []byte, start, end int, inner []byte, at int, funcs []string) []TemplateRef {
	var refs []TemplateRef
	isFunc := func(name string) bool { return name == "static" || slices.Contains(funcs, name) }
	for i := 0; i < len(inner); {
		c := inner[i]
		switch {
		case c == '"' || c == '\'' || c == '`':
			// A string: perhaps piped into a function, "x" | asset.
			j := skipString(inner, i)
			k := skipSpaces(inner, j)
			if k < len(inner) && inner[k] == '|' {
				k = skipSpaces(inner, k+1)
				id := ident(inner[k:])
				if isFunc(id) {
					if name, ok := literal(inner[i:j]); ok {
						refs = append(refs, TemplateRef{At: at + i, Name: stripQuery(name), Text: string(src[start:end])})
					}
				}
			}
			i = j
		case isIdentStart(c) && (i == 0 || !isIdentPart(inner[i-1]) && inner[i-1] != '.'):
			id := ident(inner[i:])
			j := i + len(id)
			if !isFunc(id) {
				i = j
				continue
			}
			k := skipSpaces(inner, j)
			if k < len(inner) && inner[k] == '(' {
				k = skipSpaces(inner, k+1)
			} else if k == j { // "asset" must be followed by a space or "("
				i = j
				continue
			}
			if k >= len(inner) {
				i = k
				continue
			}
			switch arg := inner[k]; {
			case arg == '"' || arg == '\'' || arg == '`':
				e := skipString(inner, k)
				if name, ok := literal(inner[k:e]); ok {
					refs = append(refs, TemplateRef{At: at + k, Name: stripQuery(name), Text: string(src[start:end])})
				}
				i = e
			case arg == '.' || arg == '$' || isIdentStart(arg):
				refs = append(refs, TemplateRef{At: at + k, Dynamic: true, Text: string(src[start:end])})
				i = k
			default:
				i = k
			}
		default:
			i++
		}
	}
	return refs
}

func skipSpaces(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// skipString returns the index after the string literal starting at i.
func skipString(b []byte, i int) int {
	q := b[i]
	i++
	for i < len(b) && b[i] != q {
		if b[i] == '\\' && q != '`' {
			i++
		}
		i++
	}
	return min(i+1, len(b))
}

func isIdentStart(c byte) bool { return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || '0' <= c && c <= '9' }

func ident(b []byte) string {
	i := 0
	for i < len(b) && isIdentPart(b[i]) {
		i++
	}
	return string(b[:i])
}

// literal returns the value of a quoted string as a template writes it:
// "x" or 'x' (with backslash escapes) or `x`. A string that ends before
// its quote, or holds a filter ("x"|lower), is not a literal.
func literal(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != b[len(b)-1] {
		return "", false
	}
	switch b[0] {
	case '`':
		return string(b[1 : len(b)-1]), true
	case '"':
		s, err := strconv.Unquote(string(b))
		return s, err == nil
	case '\'':
		s := string(b[1 : len(b)-1])
		if !strings.Contains(s, `\`) {
			return s, true
		}
		u, err := strconv.Unquote(`"` + strings.ReplaceAll(strings.ReplaceAll(s, `"`, `\"`), `\'`, `'`) + `"`)
		return u, err == nil
	}
	return "", false
}

// stripQuery drops a query or fragment: {% static "font.eot?#iefix" %}.
func stripQuery(name string) string {
	if i := strings.IndexAny(name, "?#"); i >= 0 {
		return name[:i]
	}
	return name
}
