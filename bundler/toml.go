package bundler

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/pelletier/go-toml/v2"
	"github.com/pelletier/go-toml/v2/unstable"
)

// The config is read in two passes over the same bytes. go-toml's decoder
// checks the document (syntax, duplicate keys, redefined tables) and gives
// the position of the first problem; then the unstable parser's AST is
// folded into a tree of values that each keep the position they were
// written at, so that every later problem is reported at its own line.
// BurntSushi/toml has no positions for keys or array elements; the
// unstable API is outside go-toml's compatibility promise, so the version
// is pinned in go.mod and toml_test.go checks the positions it gives.

// tvalue is a TOML value and where it was written.
type tvalue struct {
	kind unstable.Kind // String, Bool, Integer, Array, Table (for any table) ...
	pos  Position      // the value's first byte: a string's opening quote
	str  string        // the decoded string, or the raw text of other scalars
	arr  []*tvalue
	tab  *ttable
}

// ttable is a TOML table: its keys in the order they were written.
type ttable struct {
	keys []*tkey
}

type tkey struct {
	name string
	pos  Position // the key as written
	val  *tvalue
}

func (t *ttable) get(name string) *tkey {
	for _, k := range t.keys {
		if k.name == name {
			return k
		}
	}
	return nil
}

// kindName names a value's kind the way a TOML user would.
func kindName(k unstable.Kind) string {
	switch k {
	case unstable.String:
		return "a string"
	case unstable.Bool:
		return "a boolean"
	case unstable.Integer:
		return "an integer"
	case unstable.Float:
		return "a float"
	case unstable.Array:
		return "an array"
	case unstable.Table, unstable.InlineTable, unstable.ArrayTable:
		return "a table"
	}
	return "a date or time"
}

// parseTOML checks data and returns its top-level table, or the first
// syntax or structure error at its position.
func parseTOML(file string, data []byte) (*ttable, *Diagnostic) {
	var check map[string]any
	if err := toml.Unmarshal(data, &check); err != nil {
		d := &Diagnostic{Pos: Position{File: file, Line: 1, Col: 1}, Code: CodeSyntax, Err: err}
		var de *toml.DecodeError
		if errors.As(err, &de) {
			d.Pos.Line, d.Pos.Col = de.Position()
			d.Message = "invalid TOML: " + string(bytes.TrimPrefix([]byte(de.Error()), []byte("toml: ")))
		} else {
			d.Message = "invalid TOML: " + err.Error()
		}
		return nil, d
	}
	b := &treeBuilder{file: file, root: &ttable{}}
	b.p.Reset(data)
	for b.p.NextExpression() {
		b.expression(b.p.Expression())
	}
	if err := b.p.Error(); err != nil {
		// The decoder accepted what the parser rejects: a go-toml bug.
		return nil, &Diagnostic{Pos: Position{File: file, Line: 1, Col: 1}, Code: CodeSyntax, Err: err,
			Message: "invalid TOML: " + err.Error()}
	}
	return b.root, nil
}

type treeBuilder struct {
	file    string
	p       unstable.Parser
	root    *ttable
	current *ttable // the table that key = value lines go into
}

func (b *treeBuilder) pos(r unstable.Range) Position {
	s := b.p.Shape(r)
	return Position{File: b.file, Line: s.Start.Line, Col: s.Start.Column}
}

func (b *treeBuilder) expression(n *unstable.Node) {
	if b.current == nil {
		b.current = b.root
	}
	switch n.Kind {
	case unstable.KeyValue:
		b.keyValue(b.current, n)
	case unstable.Table:
		keys := b.keys(n.Key())
		b.current = b.descend(b.root, keys, false)
	case unstable.ArrayTable:
		keys := b.keys(n.Key())
		b.current = b.descend(b.root, keys, true)
	}
}

type keyPart struct {
	name string
	pos  Position
}

func (b *treeBuilder) keys(it unstable.Iterator) []keyPart {
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
func (b *treeBuilder) descend(t *ttable, parts []keyPart, array bool) *ttable {
	for i, part := range parts {
		last := i == len(parts)-1
		k := t.get(part.name)
		if k == nil {
			k = &tkey{name: part.name, pos: part.pos}
			if last && array {
				k.val = &tvalue{kind: unstable.Array, pos: part.pos}
			} else {
				k.val = &tvalue{kind: unstable.Table, pos: part.pos, tab: &ttable{}}
			}
			t.keys = append(t.keys, k)
		} else if k.val.kind == unstable.Table && last && !array {
			// A table first made implicitly by a dotted header
			// ([a.b] before [a]) is positioned at its explicit header.
			k.pos, k.val.pos = part.pos, part.pos
		}
		switch {
		case last && array:
			elem := &tvalue{kind: unstable.Table, pos: part.pos, tab: &ttable{}}
			k.val.arr = append(k.val.arr, elem)
			return elem.tab
		case k.val.kind == unstable.Array && len(k.val.arr) > 0:
			t = k.val.arr[len(k.val.arr)-1].tab
		default:
			t = k.val.tab
		}
		if t == nil { // the decoder rejects this; stay safe
			t = &ttable{}
		}
	}
	return t
}

func (b *treeBuilder) keyValue(t *ttable, n *unstable.Node) {
	parts := b.keys(n.Key())
	if len(parts) > 1 {
		t = b.descend(t, parts[:len(parts)-1], false)
	}
	last := parts[len(parts)-1]
	t.keys = append(t.keys, &tkey{name: last.name, pos: last.pos, val: b.value(n.Value(), b.afterEquals(n))})
}

// afterEquals returns where a key/value line's value starts: the first
// non-blank byte after the "=" that follows the key.
func (b *treeBuilder) afterEquals(n *unstable.Node) Position {
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
// AST: at is where the value starts (found from its key), or for an array
// inside an array its first element.
func (b *treeBuilder) value(n *unstable.Node, at Position) *tvalue {
	v := &tvalue{kind: n.Kind, pos: at}
	if n.Raw.Length > 0 {
		v.pos = b.pos(n.Raw)
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
			v.arr = append(v.arr, b.value(elem, elemAt))
		}
	case unstable.InlineTable:
		v.kind = unstable.Table
		v.tab = &ttable{}
		it := n.Children()
		for it.Next() {
			b.keyValue(v.tab, it.Node())
		}
	default:
		v.str = string(n.Data)
	}
	return v
}

// openBracket returns the offset of the "[" or "{" before the first
// element of a nested array or table that starts at offset.
func (b *treeBuilder) openBracket(offset uint32) uint32 {
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

func (v *tvalue) String() string { return fmt.Sprintf("%s@%s", v.kind, v.pos) }
