package tomlpos

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pelletier/go-toml/v2/unstable"
)

// TestPositions guards the positions built on go-toml's unstable
// AST, which is outside go-toml's compatibility promise: a go-toml upgrade
// that moves a position fails here, not in a user's error message.
func TestPositions(t *testing.T) {
	doc := strings.Join([]string{
		`output = "build"   # a comment`, // 1
		`url = '/s/'`,                    // 2
		`[[root]]`,                       // 3
		`path = "static"`,                // 4
		`[bundle.app]`,                   // 5
		`sources = [`,                    // 6
		`  "a.js",`,                      // 7
		`    'b.js', 3,`,                 // 8
		`]`,                              // 9
		`x.y = { a = 1, b = [true] }`,    // 10
		`[bundle."we ird"]`,              // 11
		`empty = []`,                     // 12
		"\tnested = [[1], \"s\"]",        // 13
		`[[root]]`,                       // 14
		`path = """multi`,                // 15
		`line"""`,                        // 16
	}, "\n")
	top, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	pos := func(line, col int) Pos { return Pos{Line: line, Col: col} }
	get := func(t *Table, names ...string) *Key {
		var k *Key
		for i, n := range names {
			k = t.Get(n)
			if k == nil {
				return nil
			}
			if i < len(names)-1 {
				t = k.Val.Tab
			}
		}
		return k
	}
	app := get(top, "bundle", "app").Val.Tab
	weird := get(top, "bundle", "we ird")
	roots := get(top, "root").Val.Arr
	tests := []struct {
		what      string
		got, want Pos
	}{
		{"output key", get(top, "output").Pos, pos(1, 1)},
		{"output value: its opening quote", get(top, "output").Val.Pos, pos(1, 10)},
		{"literal string", get(top, "url").Val.Pos, pos(2, 7)},
		{"array-of-tables header key", get(top, "root").Pos, pos(3, 3)},
		{"first array table's key", roots[0].Tab.Get("path").Pos, pos(4, 1)},
		{"second array table's value", roots[1].Tab.Get("path").Val.Pos, pos(15, 8)},
		{"table header key", get(top, "bundle", "app").Pos, pos(5, 9)},
		{"quoted table header key", weird.Pos, pos(11, 9)},
		{"array: its bracket", app.Get("sources").Val.Pos, pos(6, 11)},
		{"array element", app.Get("sources").Val.Arr[0].Pos, pos(7, 3)},
		{"indented element", app.Get("sources").Val.Arr[1].Pos, pos(8, 5)},
		{"non-string element", app.Get("sources").Val.Arr[2].Pos, pos(8, 13)},
		{"dotted key's last part", get(app, "x", "y").Pos, pos(10, 3)},
		{"inline table", get(app, "x", "y").Val.Pos, pos(10, 7)},
		{"inline table's array element", get(app, "x", "y").Val.Tab.Get("b").Val.Arr[0].Pos, pos(10, 21)},
		{"empty array: its bracket", weird.Val.Tab.Get("empty").Val.Pos, pos(12, 9)},
		{"tab-indented key", weird.Val.Tab.Get("nested").Pos, pos(13, 2)},
		{"nested array's first element", weird.Val.Tab.Get("nested").Val.Arr[0].Pos, pos(13, 12)},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: at %v, want %v", tt.what, tt.got, tt.want)
		}
	}
	if got := app.Get("sources").Val.Arr[2].Kind; got != KindInteger {
		t.Errorf("kind of 3 = %v", got)
	}
	if got := roots[1].Tab.Get("path").Val.Str; got != "multi\nline" {
		t.Errorf("multi-line string = %q", got)
	}
}

// TestDotted checks dotted keys and headers: the tables they walk through
// are made once, each at its own part of the key, and an implicit table
// moves to its explicit header.
func TestDotted(t *testing.T) {
	doc := "[a.b]\nx = 1\n[a]\ny.z = \"s\"\n[[r]]\np = 1\n[[r]]\np = 2\n[r.q]\nv = true\n"
	top, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	a := top.Get("a")
	if a == nil || a.Pos != (Pos{3, 2}) || a.Val.Kind != KindTable {
		t.Fatalf("a = %+v, want the table at its own header 3:2", a)
	}
	if got := len(top.Keys); got != 2 {
		t.Errorf("top has %d keys, want a and r", got)
	}
	if b := a.Val.Tab.Get("b"); b == nil || b.Pos != (Pos{1, 4}) || b.Val.Tab.Get("x").Val.Str != "1" {
		t.Errorf("a.b = %+v, want at 1:4 with x = 1", b)
	}
	if z := a.Val.Tab.Get("y").Val.Tab.Get("z"); z.Pos != (Pos{4, 3}) || z.Val.Str != "s" || z.Val.Pos != (Pos{4, 7}) {
		t.Errorf("y.z = %+v at %v", z, z.Val.Pos)
	}
	r := top.Get("r").Val
	if r.Kind != KindArray || len(r.Arr) != 2 {
		t.Fatalf("r = %v with %d elements, want an array of 2 tables", r, len(r.Arr))
	}
	// [r.q] walks into the last element of the array of tables.
	if q := r.Arr[1].Tab.Get("q"); q == nil || q.Val.Tab.Get("v").Val.Kind != KindBool {
		t.Errorf("r[1].q = %+v, want a table holding v = true", q)
	}
	if r.Arr[0].Tab.Get("q") != nil {
		t.Errorf("r[0] got q, which belongs to the last [[r]]")
	}
}

// TestSyntaxError checks that the first problem of an invalid document,
// of each kind, comes back as a *SyntaxError at its place.
func TestSyntaxError(t *testing.T) {
	tests := []struct {
		name, doc string
		want      Pos
	}{
		{"newline in a basic string", "output = \"build\nx = 1\n", Pos{1, 16}},
		{"duplicate key", "output = \"a\"\noutput = \"b\"\n", Pos{2, 1}},
		{"table defined twice", "[a]\nb = 1\n[a]\n", Pos{3, 2}},
		{"dotted key redefines a value", "a = 1\na.b = 2\n", Pos{2, 1}},
		{"unterminated array", "a = [1,\n", Pos{1, 8}},
		{"no value", "a =\n", Pos{1, 4}},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.doc))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%s: got %v, want a *SyntaxError", tt.name, err)
			continue
		}
		if se.Pos != tt.want || se.Msg == "" || strings.HasPrefix(se.Msg, "toml: ") || se.Err == nil {
			t.Errorf("%s: got %v %q (cause %v), want at %v", tt.name, se.Pos, se.Msg, se.Err, tt.want)
		}
	}
}

// FuzzParse checks that no document makes Parse panic, and that every
// position it gives is inside the document.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"a = 1", "[a.b]\nc = [1, [2], {d = 'e'}]", "[[r]]\np = \"\"\"x\ny\"\"\"", "x.y.z = {}", "a = [\n]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		top, err := Parse([]byte(doc))
		if err != nil {
			return
		}
		lines := strings.Count(doc, "\n") + 1
		var walk func(*Table)
		check := func(p Pos) {
			if p.Line < 1 || p.Line > lines || p.Col < 1 {
				t.Fatalf("position %v outside a %d-line document", p, lines)
			}
		}
		var value func(*Value)
		value = func(v *Value) {
			check(v.Pos)
			for _, e := range v.Arr {
				value(e)
			}
			if v.Tab != nil {
				walk(v.Tab)
			}
		}
		walk = func(tab *Table) {
			for _, k := range tab.Keys {
				check(k.Pos)
				value(k.Val)
			}
		}
		walk(top)
	})
}

// TestPosMatchesShape checks the builder's line index against go-toml's
// own Parser.Shape, which it replaces because Shape counts from the top
// of the document on every call: every offset of a document with CRLF
// lines, tabs and multi-byte characters gets the same line and column.
func TestPosMatchesShape(t *testing.T) {
	doc := "a = \"é\"\r\n\t[t.ü]\n\nb = ['€', \"x\"] # ☃\r\nc = 1\n"
	b := &builder{lines: []int{0}}
	for i, c := range []byte(doc) {
		if c == '\n' {
			b.lines = append(b.lines, i+1)
		}
	}
	b.p.Reset([]byte(doc))
	for off := range len(doc) {
		r := unstable.Range{Offset: uint32(off)}
		s := b.p.Shape(r)
		if got, want := b.pos(r), (Pos{s.Start.Line, s.Start.Column}); got != want {
			t.Errorf("offset %d: %v, Shape says %v", off, got, want)
		}
	}
}

// BenchmarkParseLarge parses a config whose one array holds n numbers on
// lines of their own, each of which gets a position. Through go-toml's
// Parser.Shape this was quadratic (issue 11: 100,000 elements 1.7 s,
// 1,000,000 not done in 180 s); figures are in docs/benchmarks.md.
func BenchmarkParseLarge(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		var doc strings.Builder
		doc.WriteString("a = [\n")
		for i := range n {
			fmt.Fprintf(&doc, "  %d,\n", i)
		}
		doc.WriteString("]\n")
		data := []byte(doc.String())
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				top, err := Parse(data)
				if err != nil {
					b.Fatal(err)
				}
				if arr := top.Get("a").Val.Arr; len(arr) != n || arr[n-1].Pos != (Pos{n + 1, 3}) {
					b.Fatalf("got %d elements, the last at %v", len(arr), arr[len(arr)-1].Pos)
				}
			}
		})
	}
}
