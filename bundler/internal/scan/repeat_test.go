package scan

import (
	"fmt"
	"strings"
	"testing"
)

func TestCSSRepetition(t *testing.T) {
	tests := []struct {
		name, css string
		want      Repetition
	}{
		{"empty", "", Repetition{At: -1}},
		{"no rule", "@import 'a.css';", Repetition{At: -1}},
		{"one rule", ".a{color:red}", Repetition{Largest: 1}},
		{"three alike", ".a{color:red}\n.b{color:red}\n.c{color:red}", Repetition{Pairs: 3, Largest: 3}},
		{"white space and comments do not count", ".x{margin:0}.a{color:red}.b{ color : red ; }.c{/**/color:red;;}", Repetition{Pairs: 3, Largest: 3, At: 12}},
		{"repeated exactly: once", ".a{color:red}.a{color:red}.a { color: red }", Repetition{Largest: 1}},
		{"two groups", ".a{x:1}.b{x:2}.c{x:1}.d{x:2}.e{x:2}", Repetition{Pairs: 1 + 3, Largest: 3, At: 7}},
		{"order of declarations counts", ".a{x:1;y:2}.b{y:2;x:1}", Repetition{Largest: 1}},
		{"a block with blocks inside is no rule", "@media print{.a{x:1}.b{x:1}}", Repetition{Pairs: 1, Largest: 2, At: 13}},
		{"unbalanced braces", "}}.a{x:1}.b{x:1", Repetition{Largest: 1, At: 2}},
	}
	for _, tt := range tests {
		if got := CSSRepetition([]byte(tt.css)); got != tt.want {
			t.Errorf("%s: CSSRepetition(%q) = %+v, want %+v", tt.name, tt.css, got, tt.want)
		}
	}

	// Many rules, one block of declarations for every seventh.
	var b strings.Builder
	for i := range 21000 {
		fmt.Fprintf(&b, ".c%d { margin: %dpx; }\n", i, i%7)
	}
	if got, want := CSSRepetition([]byte(b.String())), (Repetition{Pairs: 7 * 3000 * 2999 / 2, Largest: 3000}); got != want {
		t.Errorf("21,000 rules: %+v, want %+v", got, want)
	}
}
