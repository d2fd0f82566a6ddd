package tomlpos

import (
	"bytes"
	"errors"
	"fmt"
	"slices"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// Pos is a place in the document: a 1-based line, and a 1-based column
// counted in bytes.
type Pos struct {
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Kind is what a value is, as a TOML user names it.
type Kind int

const (
	KindString Kind = iota
	KindBool
	KindInteger
	KindFloat
	KindDateTime // an offset or local date-time, date or time
	KindArray
	KindTable // a table, from a header or inline
)

// String names a kind with its article, for messages: "a string",
// "an array".
func (k Kind) String() string {
	switch k {
	case KindString:
		return "a string"
	case KindBool:
		return "a boolean"
	case KindInteger:
		return "an integer"
	case KindFloat:
		return "a float"
	case KindArray:
		return "an array"
	case KindTable:
		return "a table"
	}
	return "a date or time"
}

// A Value is a TOML value and where it was written.
type Value struct {
	Kind Kind
	Pos  Pos      // its first byte: a string's opening quote, an array's bracket
	Str  string   // a string's decoded text, or the raw text of another scalar
	Arr  []*Value // an array's elements
	Tab  *Table   // a table's keys
}

func (v *Value) String() string { return fmt.Sprintf("%v@%v", v.Kind, v.Pos) }

// A Table is a TOML table: its keys in the order they were written.
type Table struct {
	Keys []*Key
}

// Get returns the key name of t, or nil.
func (t *Table) Get(name string) *Key {
	for _, k := range t.Keys {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// A Key is a key of a table, where it was written, and its value.
type Key struct {
	Name string
	Pos  Pos
	Val  *Value
}

// A SyntaxError is the first thing that makes a document invalid TOML:
// bad syntax, a key given twice, a table defined twice.
type SyntaxError struct {
	Pos Pos
	Msg string // go-toml's description, without its "toml: " prefix
	Err error  // go-toml's error
}

func (e *SyntaxError) Error() string { return e.Pos.String() + ": " + e.Msg }

func (e *SyntaxError) Unwrap() error { return e.Err }

// Parse checks data and returns its top-level table, or a [*SyntaxError]
// for the first problem.
func Parse(data []byte) (*Table, error) {
	var check map[string]any
	if err := toml.Unmarshal(data, &check); err != nil {
		e := &SyntaxError{Pos: Pos{1, 1}, Msg: err.Error(), Err: err}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			e.Pos.Line, e.Pos.Col = de.Position()
			e.Msg = string(bytes.TrimPrefix([]byte(de.Error()), []byte("toml: ")))
		}
		return nil, e
	}
	b := &builder{root: &Table{}, lines: []int{0}}
	for i, c := range data {
		if c == '\n' {
			b.lines = append(b.lines, i+1)
		}
	}
	b.p.Reset(data)
	for b.p.NextExpression() {
		b.expression(b.p.Expression())
	}
	if err := b.p.Error(); err != nil {
		// The decoder accepted what the parser rejects: a go-toml bug.
		return nil, &SyntaxError{Pos: Pos{1, 1}, Msg: err.Error(), Err: err}
	}
	return b.root, nil
}

// builder folds the parser's expressions into a tree.
type builder struct {
	p       unstable.Parser
	lines   []int // the offset of each line's first byte
	root    *Table
	current *Table // the table that key = value lines go into
}

// pos returns where r starts. The parser's own Shape counts lines from
// the top of the document for every call, which made a large config take
// quadratic time; the builder indexes the line starts once instead.
func (b *builder) pos(r unstable.Range) Pos {
	off := int(r.Offset)
	line, _ := slices.BinarySearch(b.lines, off+1) // lines[line-1] <= off
	return Pos{Line: line, Col: off - b.lines[line-1] + 1}
}

func kindOf(k unstable.Kind) Kind {
	switch k {
	case unstable.String:
		return KindString
	case unstable.Bool:
		return KindBool
	case unstable.Integer:
		return KindInteger
	case unstable.Float:
		return KindFloat
	case unstable.Array:
		return KindArray
	case unstable.Table, unstable.InlineTable, unstable.ArrayTable:
		return KindTable
	}
	return KindDateTime
}

func (b *builder) expression(n *unstable.Node) {
	if b.current == nil {
		b.current = b.root
	}
	switch n.Kind {
	case unstable.KeyValue:
		b.keyValue(b.current, n)
	case unstable.Table:
		b.current = b.descend(b.root, b.keys(n.Key()), false)
	case unstable.ArrayTable:
		b.current = b.descend(b.root, b.keys(n.Key()), true)
	}
}

type keyPart struct {
	name string
	pos  Pos
}

func (b *builder) keys(it unstable.Iterator) []keyPart {
	var parts []keyPart
	for it.Next() {
		k := it.Node()
		parts = append(parts, keyPart{string(k.Data), b.pos(k.Raw)})
	}
	return parts
}

// descend walks a dotted table header from t, making tables as needed. With
// array set, the last part names an array of tables and a new element is
// appended. Through an existing array of tables, it walks into the last
// element, as TOML says.
func (b *builder) descend(t *Table, parts []keyPart, array bool) *Table {
	for i, part := range parts {
		last := i == len(parts)-1
		k := t.Get(part.name)
		if k == nil {
			k = &Key{Name: part.name, Pos: part.pos}
			if last && array {
				k.Val = &Value{Kind: KindArray, Pos: part.pos}
			} else {
				k.Val = &Value{Kind: KindTable, Pos: part.pos, Tab: &Table{}}
			}
			t.Keys = append(t.Keys, k)
		} else if k.Val.Kind == KindTable && last && !array {
			// A table first made implicitly by a dotted header
			// ([a.b] before [a]) is positioned at its explicit header.
			k.Pos, k.Val.Pos = part.pos, part.pos
		}
		switch {
		case last && array:
			elem := &Value{Kind: KindTable, Pos: part.pos, Tab: &Table{}}
			k.Val.Arr = append(k.Val.Arr, elem)
			return elem.Tab
		case k.Val.Kind == KindArray && len(k.Val.Arr) > 0:
			t = k.Val.Arr[len(k.Val.Arr)-1].Tab
		default:
			t = k.Val.Tab
		}
		if t == nil { // the decoder rejects this; stay safe
			t = &Table{}
		}
	}
	return t
}

func (b *builder) keyValue(t *Table, n *unstable.Node) {
	parts := b.keys(n.Key())
	if len(parts) > 1 {
		t = b.descend(t, parts[:len(parts)-1], false)
	}
	last := parts[len(parts)-1]
	t.Keys = append(t.Keys, &Key{Name: last.name, Pos: last.pos, Val: b.value(n.Value(), b.afterEquals(n))})
}

// afterEquals returns where a key/value line's value starts: the first
// non-blank byte after the "=" that follows the key.
func (b *builder) afterEquals(n *unstable.Node) Pos {
	it := n.Key()
	var end int
	for it.Next() {
		r := it.Node().Raw
		end = int(r.Offset + r.Length)
	}
	data := b.p.Data()
	i := end + bytes.IndexByte(data[end:], '=') + 1
	for i < len(data) && (data[i] == ' ' || data[i] == '\t') {
		i++
	}
	return b.pos(unstable.Range{Offset: uint32(i)})
}

// value converts a value node. Arrays carry no range of their own in the
// syntax tree: at is where the value starts (found from its key), or for
// an array inside an array its first element.
func (b *builder) value(n *unstable.Node, at Pos) *Value {
	v := &Value{Kind: kindOf(n.Kind), Pos: at}
	if n.Raw.Length > 0 {
		v.Pos = b.pos(n.Raw)
	}
	switch n.Kind {
	case unstable.Array:
		it := n.Children()
		for it.Next() {
			elem := it.Node()
			elemAt := at
			if elem.Raw.Length > 0 {
				elemAt = b.pos(elem.Raw)
			} else if c := elem.Child(); c != nil && c.Raw.Length > 0 {
				elemAt = b.pos(unstable.Range{Offset: b.openBracket(c.Raw.Offset)})
			}
			v.Arr = append(v.Arr, b.value(elem, elemAt))
		}
	case unstable.InlineTable:
		v.Tab = &Table{}
		it := n.Children()
		for it.Next() {
			b.keyValue(v.Tab, it.Node())
		}
	default:
		v.Str = string(n.Data)
	}
	return v
}

// openBracket returns the offset of the "[" or "{" before the first
// element of a nested array or table that starts at offset.
func (b *builder) openBracket(offset uint32) uint32 {
	data := b.p.Data()
	for i := int(offset) - 1; i >= 0; i-- {
		switch data[i] {
		case '[', '{':
			return uint32(i)
		case ' ', '\t', '\r', '\n':
		default:
			return offset
		}
	}
	return offset
}
