package manifest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

const (
	// FileName is the name stapler gives its manifest in the output
	// directory.
	FileName = "stapler-manifest.json"
	// DjangoFileName is the name Django's ManifestStaticFilesStorage reads
	// its manifest from, in STATIC_ROOT.
	DjangoFileName = "staticfiles.json"
	// Version is the version of stapler's manifest format this package
	// reads and writes.
	Version = 1
)

// Manifest maps logical names to the hashed files a build wrote.
type Manifest struct {
	// Version is the format version, [Version]. Zero means [Version].
	Version int `json:"version"`
	// Prefix is the URL prefix the files are served under, e.g. "/static/"
	// or "https://cdn.example.com/static/". It must end in a slash.
	Prefix string `json:"url"`
	// Files maps each logical name to what the build wrote for it.
	Files map[string]Entry `json:"files"`
}

// Entry is one file a build wrote.
type Entry struct {
	// Path is the hashed path, relative to the output directory and
	// slash-separated, like the logical name.
	Path string `json:"path"`
	// Size is the length of the file in bytes.
	Size int64 `json:"size"`
	// Integrity is the file's Subresource Integrity hash, "sha384-" and
	// the standard base64 encoding of the digest (sha256 and sha512 are
	// accepted too). It may be empty.
	Integrity string `json:"integrity"`
	// Bundle names the bundle that made the file; empty for a file
	// collected as it is.
	Bundle string `json:"bundle,omitempty"`
	// Sources are the logical names of the bundle's sources, in order.
	Sources []string `json:"sources,omitempty"`
	// Imports are the logical names of the chunks an entry bundle's
	// script imports statically: its direct imports, in order. A page
	// preloads them, and theirs, with it (see [Manifest.Tags]).
	Imports []string `json:"imports,omitempty"`
	// DynamicImports are the logical names of the chunks the script loads
	// with import(), when its code asks for them; a page does not preload
	// them.
	DynamicImports []string `json:"dynamic_imports,omitempty"`
	// CSS are the logical names of the stylesheets the script's own code
	// imported, which esbuild writes as separate .css files; a page links
	// them with it.
	CSS []string `json:"css,omitempty"`
	// Assets are the logical names of the files (fonts, images) this
	// file references.
	//
	// Every name in Imports, DynamicImports, CSS and Assets is a key of
	// [Manifest.Files].
	Assets []string `json:"assets,omitempty"`
	// Encodings holds the size of each precompressed sibling the build
	// wrote, by Content-Encoding: "br", "gzip", "zstd". The sibling is
	// Path with the encoding's [Suffix]: "css/site.3f2a9c1b4d5e.css.br".
	Encodings map[string]int64 `json:"encodings,omitempty"`
}

// Paths returns a new map from each logical name to its hashed path.
func (m *Manifest) Paths() map[string]string {
	paths := make(map[string]string, len(m.Files))
	for name, e := range m.Files {
		paths[name] = e.Path
	}
	return paths
}

// Marshal returns m as stapler writes it: the fields in their declared
// order, files sorted by logical name, indented by two spaces, HTML
// characters not escaped, and a final newline. It returns an [ErrorList]
// if m breaks any of the rules [Parse] enforces, so what Marshal writes
// Parse reads back.
func (m *Manifest) Marshal() ([]byte, error) {
	if err := m.validate(); err != nil {
		return nil, err
	}
	out := *m
	if out.Version == 0 {
		out.Version = Version
	}
	return out.encode(), nil
}

// encode writes m as encoding/json does with two spaces of indent and
// HTML characters not escaped (TestEncodeIsEncodingJSON holds it to
// that), by hand: encoding/json's reflection and its second, indenting
// pass over the text were 20 ms of a 4,000-entry manifest, most of it.
func (m *Manifest) encode() []byte {
	size := 64
	for name, e := range m.Files {
		size += 2*len(name) + len(e.Path) + len(e.Integrity) + 96
	}
	b := m.appendHeader(make([]byte, 0, size))
	for i, name := range slices.Sorted(maps.Keys(m.Files)) {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendEntry(b, name, m.Files[name])
	}
	if len(m.Files) > 0 {
		b = append(b, "\n  "...)
	}
	return append(b, "}\n}\n"...)
}

// appendHeader appends what encode writes before the first entry.
func (m *Manifest) appendHeader(b []byte) []byte {
	b = fmt.Appendf(b, "{\n  \"version\": %d,\n  \"url\": ", m.Version)
	b = appendJSONString(b, m.Prefix)
	return append(b, ",\n  \"files\": {"...)
}

// appendEntry appends the entry e of name as encode writes it: from the
// line break before its name to its closing brace.
func appendEntry(b []byte, name string, e Entry) []byte {
	b = append(b, "\n    "...)
	b = appendJSONString(b, name)
	b = append(b, ": {\n      \"path\": "...)
	b = appendJSONString(b, e.Path)
	b = append(b, ",\n      \"size\": "...)
	b = strconv.AppendInt(b, e.Size, 10)
	b = append(b, ",\n      \"integrity\": "...)
	b = appendJSONString(b, e.Integrity)
	if e.Bundle != "" {
		b = append(b, ",\n      \"bundle\": "...)
		b = appendJSONString(b, e.Bundle)
	}
	for _, l := range []struct {
		key   string
		names []string
	}{{"sources", e.Sources}, {"imports", e.Imports}, {"dynamic_imports", e.DynamicImports}, {"css", e.CSS}, {"assets", e.Assets}} {
		if len(l.names) == 0 {
			continue
		}
		b = append(b, ",\n      \""...)
		b = append(b, l.key...)
		b = append(b, "\": ["...)
		for j, n := range l.names {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, "\n        "...)
			b = appendJSONString(b, n)
		}
		b = append(b, "\n      ]"...)
	}
	if len(e.Encodings) > 0 {
		b = append(b, ",\n      \"encodings\": {"...)
		for j, enc := range slices.Sorted(maps.Keys(e.Encodings)) {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, "\n        "...)
			b = appendJSONString(b, enc)
			b = append(b, ": "...)
			b = strconv.AppendInt(b, e.Encodings[enc], 10)
		}
		b = append(b, "\n      }"...)
	}
	return append(b, "\n    }"...)
}

// MarshalEdited returns what [Manifest.Marshal] returns for m, made from
// prev: what Marshal returned for a manifest of m's version, URL and
// names whose entries were m's but for those named in edited. The text
// of every other entry is taken from prev as it is, and only the edited
// entries are checked and encoded: a build that changed a few files of
// a 20,000-entry manifest writes it in a tenth of the time. Where prev
// is not such a text as far as MarshalEdited can tell (another header,
// another number of entries, an edited name it lacks), it returns
// Marshal's result.
//
// The text comes in pieces, to be written one after another: spans of
// prev, which they share, and the edited entries. A manifest of 1 MB is
// not copied (on the project's machine, memory written for the first time
// costs 4 ms a MB).
func (m *Manifest) MarshalEdited(prev []byte, edited []string) ([][]byte, error) {
	whole := func() ([][]byte, error) { return onePiece(m.Marshal()) }
	out := *m
	if out.Version == 0 {
		out.Version = Version
	}
	var errs ErrorList
	m.validateHead(&errs)
	if !m.validateEdited(edited, &errs) {
		return whole()
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	head := out.appendHeader(nil)
	// Each entry's name begins a line indented by four spaces; the
	// lines within one, by six or more.
	if !bytes.HasPrefix(prev, head) || bytes.Count(prev, []byte("\n    \"")) != len(m.Files) {
		return whole()
	}
	edited = slices.Sorted(slices.Values(edited))
	edited = slices.Compact(edited)
	pieces := make([][]byte, 0, 2*len(edited)+1)
	at := 0
	var key []byte
	for _, name := range edited {
		key = append(appendJSONString(append(key[:0], "\n    "...), name), ": {\n"...)
		from := max(at, len(head)) // an entry, never the header
		i := bytes.Index(prev[from:], key)
		if i < 0 {
			return whole()
		}
		start := from + i
		j := bytes.Index(prev[start:], []byte("\n    }"))
		if j < 0 {
			return whole()
		}
		pieces = append(pieces, prev[at:start], appendEntry(nil, name, m.Files[name]))
		at = start + j + len("\n    }")
	}
	return append(pieces, prev[at:]), nil
}

// onePiece returns a whole encoding as the one piece of an edited one.
func onePiece(b []byte, err error) ([][]byte, error) {
	if err != nil {
		return nil, err
	}
	return [][]byte{b}, nil
}

// validateEdited adds to errs the problems of m's entries named in
// edited; false when m has no entry of one of them.
func (m *Manifest) validateEdited(edited []string, errs *ErrorList) bool {
	for _, name := range edited {
		e, ok := m.Files[name]
		if !ok {
			return false
		}
		*errs = append(*errs, m.validateEntry(name, e, nil)...)
	}
	return true
}

// appendJSONString appends s quoted as encoding/json quotes it with HTML
// characters not escaped: a string of printable ASCII without a quote or
// a backslash as it is, any other through encoding/json itself.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			enc.Encode(s) // a string always encodes
			return append(b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// Parse reads a manifest in stapler's format. It accepts exactly what
// [Manifest.Marshal] can write and reports every problem it finds as an
// [ErrorList]: field names are matched exactly; unknown, duplicate and
// missing fields are errors; the version must be [Version]; every logical
// name, path and source must be a clean relative slash-separated path;
// every name in imports, dynamic_imports, css and assets must be a file of
// the manifest (see the package documentation).
func Parse(data []byte) (*Manifest, error) {
	d, err := newDecoder(data)
	if err != nil {
		return nil, err
	}
	return d.manifest()
}

// EntryPositions returns where each entry of the stapler manifest in data
// is written: the position of its logical name, the key in "files". It
// reads data as [Parse] does, so the positions are right however the text
// is laid out (on one line, indented by hand or by another tool). For a
// manifest Parse refuses it returns Parse's error, with the positions of
// the entries read before the problem. stapler verify reports a stale
// entry at its line with it.
func EntryPositions(data []byte) (map[string]Position, error) {
	d, err := newDecoder(data)
	if err != nil {
		return nil, err
	}
	d.entries = map[string]int64{}
	_, err = d.manifest()
	at := make(map[string]Position, len(d.entries))
	for name, off := range d.entries {
		at[name] = d.position(off)
	}
	return at, err
}

// manifest reads a manifest in stapler's format, for Parse.
func (d *decoder) manifest() (*Manifest, error) {
	m := new(Manifest)
	broken := map[string]bool{} // files whose entries have errors of shape
	var haveVersion, haveURL, haveFiles bool
	isObject, err := d.object("", func(key string) error {
		var err error
		switch key {
		case "version":
			var v int64
			v, haveVersion, err = d.int(key)
			if haveVersion {
				if v != Version {
					d.fail(key, fmt.Errorf("%w %d, want %d", ErrVersion, v, Version))
				}
				m.Version = int(v)
			}
		case "url":
			m.Prefix, haveURL, err = d.str(key)
		case "files":
			m.Files = make(map[string]Entry)
			haveFiles, err = d.object(key, func(name string) error {
				if d.entries != nil {
					d.entries[name] = d.at // the key, just read
				}
				e, ok, err := d.entry(member(key, name))
				if ok {
					m.Files[name] = e
				} else {
					broken[name] = true
				}
				return err
			})
		default:
			err = d.unknown("", key)
		}
		return err
	})
	if err == nil && isObject {
		err = d.end()
	}
	if err != nil {
		return nil, d.stopped(err)
	}
	if !isObject {
		return nil, d.errs
	}
	for _, f := range []struct {
		name string
		have bool
	}{{"version", haveVersion}, {"url", haveURL}, {"files", haveFiles}} {
		if !f.have && !slices.ContainsFunc(d.errs, func(e *Error) bool { return e.Field == f.name }) {
			d.errs.add("", fmt.Errorf("%w: missing field %q", ErrSchema, f.name))
		}
	}
	if len(d.errs) > 0 {
		// Report the other problems of the entries that were read too.
		d.errs = append(d.errs, m.validateFiles(broken)...)
		return nil, d.errs
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// entry reads one member of "files".
func (d *decoder) entry(field string) (e Entry, ok bool, err error) {
	var pathSeen bool
	before := len(d.errs)
	isObject, err := d.object(field, func(key string) error {
		var err error
		sub := field + "." + key
		switch key {
		case "path":
			pathSeen = true
			e.Path, _, err = d.str(sub)
		case "size":
			e.Size, _, err = d.int(sub)
		case "integrity":
			e.Integrity, _, err = d.str(sub)
		case "bundle":
			e.Bundle, _, err = d.str(sub)
		case "sources":
			e.Sources, _, err = d.strs(sub)
		case "imports":
			e.Imports, _, err = d.strs(sub)
		case "dynamic_imports":
			e.DynamicImports, _, err = d.strs(sub)
		case "css":
			e.CSS, _, err = d.strs(sub)
		case "assets":
			e.Assets, _, err = d.strs(sub)
		case "encodings":
			e.Encodings = map[string]int64{}
			_, err = d.object(sub, func(enc string) error {
				n, ok, err := d.int(member(sub, enc))
				if ok {
					e.Encodings[enc] = n
				}
				return err
			})
		default:
			err = d.unknown(field, key)
		}
		return err
	})
	if err != nil || !isObject {
		return e, false, err
	}
	if !pathSeen {
		d.errs.add(field, fmt.Errorf("%w: missing field %q", ErrSchema, "path"))
	}
	if len(e.Sources) == 0 {
		e.Sources = nil // "sources": [] and no sources are the same thing
	}
	return e, len(d.errs) == before, nil
}

// validate checks the rules that are not about JSON's shape, for Parse and
// Marshal alike, in the order of the logical names.
func (m *Manifest) validate() error {
	var errs ErrorList
	m.validateHead(&errs)
	return append(errs, m.validateFiles(nil)...).err()
}

// validateHead checks m's version and URL prefix.
func (m *Manifest) validateHead(errs *ErrorList) {
	if m.Version != 0 && m.Version != Version {
		errs.add("version", fmt.Errorf("%w %d, want %d", ErrVersion, m.Version, Version))
	}
	switch {
	case !utf8.ValidString(m.Prefix):
		errs.add("url", fmt.Errorf("%w: %q is not valid UTF-8", ErrSchema, m.Prefix))
	case !strings.HasSuffix(m.Prefix, "/"):
		// Like Django's STATIC_URL: lookups append the path to it.
		errs.add("url", fmt.Errorf("%w: URL prefix %q does not end in a slash", ErrSchema, m.Prefix))
	}
}

// validateFiles checks the entries of m.Files, in the order of their names.
// A reference to a name in broken, a file whose entry Parse could not read
// and has reported, is not reported again as a reference to no file.
func (m *Manifest) validateFiles(broken map[string]bool) ErrorList {
	// Checked in any order, and the problems put in the order of their
	// entries' names: sorting every name first was a third of the
	// check's time on a 4,000-file manifest, which a build checks twice.
	type found struct {
		name string
		errs ErrorList
	}
	var all []found
	for name, e := range m.Files {
		if errs := m.validateEntry(name, e, broken); len(errs) > 0 {
			all = append(all, found{name, errs})
		}
	}
	slices.SortFunc(all, func(a, b found) int { return strings.Compare(a.name, b.name) })
	var errs ErrorList
	for _, f := range all {
		errs = append(errs, f.errs...)
	}
	return errs
}

// validateEntry checks the entry e, of name.
func (m *Manifest) validateEntry(name string, e Entry, broken map[string]bool) ErrorList {
	var errs ErrorList
	// The field is named only for a problem: building it for every
	// entry was most of this loop's time on a 4,000-file manifest.
	var named string
	field := func() string {
		if named == "" {
			named = member("files", name)
		}
		return named
	}
	if err := checkPath(name); err != nil {
		errs.add(field(), err)
	}
	if e.Path == "" {
		errs.add(field()+".path", fmt.Errorf("%w: empty path", ErrSchema))
	} else if err := checkPath(e.Path); err != nil {
		errs.add(field()+".path", err)
	}
	if e.Size < 0 {
		errs.add(field()+".size", fmt.Errorf("%w: negative size %d", ErrSchema, e.Size))
	}
	if err := checkIntegrity(e.Integrity); err != nil {
		errs.add(field()+".integrity", err)
	}
	if !utf8.ValidString(e.Bundle) {
		errs.add(field()+".bundle", fmt.Errorf("%w: %q is not valid UTF-8", ErrSchema, e.Bundle))
	}
	for i, src := range e.Sources {
		if err := checkPath(src); err != nil {
			errs.add(fmt.Sprintf("%s.sources[%d]", field(), i), err)
		}
	}
	for _, l := range []struct {
		key   string
		names []string
	}{{"imports", e.Imports}, {"dynamic_imports", e.DynamicImports}, {"css", e.CSS}, {"assets", e.Assets}} {
		for i, n := range l.names {
			if _, ok := m.Files[n]; !ok && !broken[n] {
				errs.add(fmt.Sprintf("%s.%s[%d]", field(), l.key, i), fmt.Errorf("%w: %q is not a file of the manifest", ErrSchema, n))
			}
		}
	}
	for _, enc := range slices.Sorted(maps.Keys(e.Encodings)) {
		if Suffix(enc) == "" {
			errs.add(member(field()+".encodings", enc), fmt.Errorf("%w: unknown encoding %q, want br, gzip or zstd", ErrSchema, enc))
		} else if n := e.Encodings[enc]; n <= 0 {
			errs.add(member(field()+".encodings", enc), fmt.Errorf("%w: size %d", ErrSchema, n))
		}
	}
	return errs
}

// checkPath reports whether p is a clean, relative, slash-separated path
// that cannot leave the directory it is relative to, on any OS: what
// [fs.ValidPath] accepts, except "." and backslashes.
func checkPath(p string) error {
	var why string
	switch {
	case p == "":
		why = "empty"
	case !utf8.ValidString(p):
		why = "not valid UTF-8"
	case strings.HasPrefix(p, "/"):
		why = "absolute"
	case strings.Contains(p, `\`):
		why = "contains a backslash" // a separator on Windows
	case fs.ValidPath(p) && p != ".":
		return nil
	case slices.Contains(strings.Split(p, "/"), ".."):
		why = `contains ".."`
	case slices.Contains(strings.Split(p, "/"), "."):
		why = `contains "."`
	default:
		why = "has an empty element"
	}
	return fmt.Errorf("%w %q: %s", ErrBadPath, p, why)
}

// checkIntegrity checks an SRI hash, "<algorithm>-<base64 digest>".
func checkIntegrity(s string) error {
	if s == "" {
		return nil
	}
	alg, b64, _ := strings.Cut(s, "-")
	var size int
	switch alg {
	case "sha256":
		size = 32
	case "sha384":
		size = 48
	case "sha512":
		size = 64
	default:
		return fmt.Errorf("%w: integrity %q: want sha256-, sha384- or sha512-", ErrSchema, s)
	}
	// Decoded into the stack: a digest is at most 64 bytes.
	var digest [64]byte
	n, err := 0, error(nil)
	if base64.StdEncoding.DecodedLen(len(b64)) <= len(digest) {
		n, err = base64.StdEncoding.Strict().Decode(digest[:], []byte(b64))
	} else {
		n = -1
	}
	if err != nil || n != size {
		return fmt.Errorf("%w: integrity %q: want the base64 of a %d-byte %s digest", ErrSchema, s, size, alg)
	}
	return nil
}
