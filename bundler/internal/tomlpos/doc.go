// Package tomlpos parses a TOML document into a tree of tables, keys and
// values that each keep the line and column they were written at, so that
// a program can report a problem with any value at its place in the file.
//
// It is the only package of stapler that imports go-toml, and the only
// one that knows go-toml's unstable parser API, which is outside go-toml's
// compatibility promise: go.mod pins the version, and this package's tests
// check every kind of position it gives, so that an upgrade that moves one
// fails here rather than in a user's error message.
//
// # Two passes
//
// [Parse] reads the document twice. go-toml's decoder checks it first
// (syntax, duplicate keys, tables defined twice) and gives the position of
// the first problem as a [*SyntaxError]; only a document it accepts is
// then folded from the unstable parser's syntax tree into a [Table].
// BurntSushi/toml, the other candidate, keeps no positions for keys or
// array elements.
//
// # The tree
//
// A [Table] holds its [Key]s in the order they were written; each key
// holds its [Value]. A dotted key (x.y = 1) and a dotted table header
// ([bundle.app]) make the tables they walk through, each at the position
// of its part of the key. An array of tables ([[root]]) is an [KindArray]
// value whose elements are [KindTable] values, one per header; an inline
// table ({ a = 1 }) is a [KindTable] value too. Strings hold their decoded
// text; other scalars their raw text ("true", "3", "1979-05-27").
//
// # Positions
//
// A [Pos] is 1-based: its line, and its column in bytes, as go/token
// counts. A key is at its first byte (a quoted key at its quote). A value
// is at its first byte: a string at its opening quote, an array or inline
// table at its bracket, even an empty one. A table made by a header is at
// its key in the header; one first made implicitly ([a.b] before [a]) moves
// to its own header when that comes.
package tomlpos
