package globals

import (
	"fmt"
	"strings"
	"testing"
)

// show lists what Read found, as name@line:col, so that a case reads as
// the script it is about.
func show(src string, s *Script) string {
	pos := func(at int) string {
		if at < 0 {
			return "?"
		}
		line := strings.Count(src[:at], "\n") + 1
		col := at - strings.LastIndexByte(src[:at], '\n')
		return fmt.Sprintf("%d:%d", line, col)
	}
	var b strings.Builder
	kinds := []string{"var", "function", "lexical", "implicit", "property"}
	for _, d := range s.Declares {
		fmt.Fprintf(&b, "declares %s %s@%s", kinds[d.Kind], d.Name.Name, pos(d.At))
		if d.Guarded {
			b.WriteString(" guarded")
		}
		b.WriteString("\n")
	}
	for _, r := range s.Reads {
		fmt.Fprintf(&b, "reads %s@%s\n", r.Name, pos(r.At))
	}
	if s.Strict >= 0 {
		fmt.Fprintf(&b, "strict@%s\n", pos(s.Strict))
	}
	return b.String()
}

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"a plugin reads jQuery at load, in its IIFE's arguments",
			"/* x */\n(function ($) {\n  $.fn.x = function () { return jQuery; };\n})(jQuery);\n",
			"reads jQuery@4:4\n"},
		{"a top-level statement reads at load; a function body does not",
			"jQuery.fn.y = 1;\nfunction later() { return _.chunk; }\n",
			"declares function later@2:10\nreads jQuery@1:1\n"},
		{"the body of an IIFE runs at load, .call(this) and ! included",
			"(function () { Backbone.x = 1; }).call(this);\n!function () { moment(); }();\n(() => d3.select)();\n",
			"reads Backbone@1:16\nreads moment@2:16\nreads d3@3:8\n"},
		{"a function passed as an argument runs later, as far as we know",
			"$(function () { App.start(); });\ndefine(['x'], function (x) { y(); });\n",
			"reads $@1:1\nreads define@2:1\n"},
		{"typeof reads nothing",
			"if (typeof jQuery !== 'undefined') { init(); }\n",
			"reads init@1:38\n"},
		{"an assignment declares an implicit global; its value is read",
			"App = Base || {};\n",
			"declares implicit App@1:1\nreads Base@1:7\n"},
		{"declarations of every kind, and guarded vars",
			"var a = 1, b;\nvar django = django || {};\nvar w = window.w || {};\nlet c = 2;\nconst d = 3;\nclass E extends Base {}\nfunction f() {}\n",
			"declares var a@1:5\ndeclares var b@1:12 guarded\ndeclares var django@2:5 guarded\ndeclares var w@3:5 guarded\n" +
				"declares lexical c@4:5\ndeclares lexical d@5:7\ndeclares lexical E@6:7\ndeclares function f@7:10\nreads window@3:9\nreads Base@6:17\n"},
		{"a property of the global object, from inside a function",
			"(function (global, factory) {\n  factory(global);\n})(this, function (window) {\n  var jQuery = {};\n  window.jQuery = window.$ = jQuery;\n});\n",
			"declares property jQuery@5:10\ndeclares property $@5:26\n"},
		{"a read of a name the script declares is not free",
			"var lib = {};\nlib.x = 1;\n",
			"declares var lib@1:5\n"},
		{"use strict at the top",
			"// c\n'use strict';\nvar x = 1;\n",
			"declares var x@3:5\nstrict@2:1\n"},
		{"use strict inside a function is not the script's",
			"(function () { 'use strict'; })();\n",
			""},
		{"a block at the top level runs at load",
			"'use strict';\n{\n  const $ = django.jQuery;\n  $(init);\n}\n",
			"reads django@3:13\nreads init@4:5\nstrict@1:1\n"},
		{"a regular expression is not a division",
			"var r = /}/g; var s = a / b / c;\n",
			"declares var r@1:5\ndeclares var s@1:19\nreads a@1:23\nreads b@1:27\nreads c@1:31\n"},
		{"an object key is not a read of that name",
			"var o = {jQuery: 1};\nfoo(jQuery);\n",
			"declares var o@1:5\nreads foo@2:1\nreads jQuery@2:5\n"},
		{"a function declared in a block is not a global",
			"'use strict';\n{\n  function ready(fn) { fn(); }\n  ready(go);\n}\n",
			"reads go@4:9\nstrict@1:1\n"},
		{"a read is placed outside the functions that run later: a UMD factory's parameter is none",
			"(function (factory) {\n  if (typeof jQuery === 'undefined') { throw 1; }\n  factory(jQuery);\n}(function (jQuery) {\n  return jQuery;\n}));\n",
			"reads jQuery@3:11\n"},
		{"nor a method's body",
			"var o = { m() { return App; } };\nclass C { n() { App.x(); } }\nApp.run();\n",
			"declares var o@1:5\ndeclares lexical C@2:7\nreads App@3:1\n"},
		{"with makes free names unknowable",
			"with (o) { x(); }\n",
			""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Read([]byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			if got := show(tc.src, s); got != tc.want {
				t.Errorf("Read(%q):\n%s\nwant:\n%s", tc.src, got, tc.want)
			}
		})
	}
}

func TestReadSyntaxError(t *testing.T) {
	if _, err := Read([]byte("var = ;")); err == nil {
		t.Error("no error for a syntax error")
	}
}

// TestRegexp checks that a "/" is read as scan reads it: a braces inside a
// regular expression must not move the depth names are placed by.
func TestRegexp(t *testing.T) {
	for _, src := range []string{
		"x = a / 2 / b; y = /{/.test(s); jQuery();",
		"return /{/; jQuery();",
		"f(/}}/); jQuery();",
		"x = (a) / 2; jQuery();",
		"x = [1] / 2; jQuery();",
	} {
		toks := tokens([]byte(src))
		if at := toks.find("jQuery", true, false); at != strings.Index(src, "jQuery") || toks[len(toks)-1].depth != 0 {
			t.Errorf("%q: jQuery found at %d, last depth %d", src, at, toks[len(toks)-1].depth)
		}
	}
}
