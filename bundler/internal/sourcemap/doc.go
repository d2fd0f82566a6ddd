// Package sourcemap reads, writes and combines source maps, version 3
// (https://tc39.es/ecma426/), for the bundler. It imports only the
// standard library and knows nothing of builds, files or diagnostics: it
// returns plain values and plain errors, and the bundler puts a file and
// a position on them.
//
// # Maps
//
// A [Map] is a map decoded into segments ([Segment]), by generated line. Every
// line, column and index in it is 0-based, and columns count UTF-16 code
// units, as browsers and every other consumer count them. [Decode] reads
// a map's JSON; [Map.Marshal] writes it back. A build writes one plain
// map per output and never an index map (one with "sections"): every
// consumer reads plain maps, and joining two maps is only a matter of
// moving one down by some lines ([Map.Append]). Each generated position
// keeps one segment: what Append lands on, it replaces, and [Map.Truncate]
// cuts a part's map where its text was cut. Decode still reads index
// maps, which other tools write, as the one plain map they stand for: each
// section's map moved to its offset and cut where the next one starts.
//
// # Composing
//
// A build changes text in steps, each with its own map: esbuild's
// minifying maps its output to the text it was given; that text is a
// concatenation of sources whose references were rewritten; a source may
// itself have been compiled, with a map of its own. [Map.Compose] folds
// two such steps into one map, from the last step's output to the first
// step's sources: each segment of the outer map is looked up ([Map.Lookup])
// in the inner map, at the segment at or before its column.
//
// How far to trust the inner segment depends on where the inner map
// came from. A map this package made with [Verbatim] describes text that
// is its source, character for character, except for known edits; there
// the distance from the segment is added to its column, which is exact.
// A map another tool made is read as browsers read it, the segment's
// position as it is.
//
// # Edits
//
// The bundler rewrites references in place (a url() to its hashed name,
// an import to a chunk's), which moves every column after them on the
// line. An [Edit] records one such replacement in UTF-16 code units;
// [LineIndex.Edit] makes one from the byte offsets a scanner reports.
// [Verbatim] turns a source and its edits into a map with a segment at the
// start of each line and one after each edit, so that everything outside
// an edit maps back to the exact column it came from, for Compose;
// [VerbatimWords] adds one at each word, for a consumer that reads the map
// itself and takes the segment at or before a column as it is. [Map.Shift] serves
// the other side: it moves the generated columns of a map whose output is
// edited after the map was made, as esbuild's outputs are once their
// references to each other get hashed names.
//
// [LineIndex] also answers the bundler's other question of a byte offset,
// its 1-based line and byte column for a diagnostic ([LineIndex.Pos]);
// [Offset] and [Column] turn a line's map column into a byte offset and
// back.
//
// # Untrusted maps
//
// A root may hold any map, and the bundler reads the maps that files link
// to. Decode checks every index a segment holds against the map's sources
// and names, so that nothing it returns panics in Compose or Lookup, and
// returns an error for anything else. An index
// map's section may start at any line, and lines are allocated up to it:
// Decode refuses a section that starts past line 2^20, so that a map of a
// few bytes cannot ask for gigabytes. FuzzDecodeMap holds it to this.
package sourcemap
