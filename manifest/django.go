package manifest

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode/utf16"
)

// djangoVersions are the "version" values of Django's staticfiles.json:
// "1.0" is written by Django up to 4.1 and is the only one Django 3.2
// reads; "1.1", which adds "hash", is written by Django 4.2 and later,
// which read both.
var djangoVersions = []string{"1.0", "1.1"}

// MarshalDjango returns the logical names and hashed paths of m as
// Django's ManifestStaticFilesStorage writes them to staticfiles.json in
// the given format version, "1.0" or "1.1", byte for byte: Python's
// json.dumps with its default options, the paths sorted by name, and for
// "1.1" the "hash" from [DjangoHash]. There is no final newline. The URL
// prefix is not part of it: Django takes it from STATIC_URL.
func (m *Manifest) MarshalDjango(version string) ([]byte, error) {
	if !slices.Contains(djangoVersions, version) {
		return nil, ErrorList{{Field: "version", Err: fmt.Errorf("%w %q, want %q or %q", ErrVersion, version, "1.0", "1.1")}}
	}
	if err := m.validate(); err != nil {
		return nil, err
	}
	// From the entries, sorted once: a map of the paths first was a
	// third of the work on a 20,000-entry manifest.
	names := make([]string, 0, len(m.Files))
	for name := range m.Files {
		names = append(names, name)
	}
	slices.Sort(names) // byte order: code point order, as Python sorts str
	return djangoJSONOf(names, func(name string) string { return m.Files[name].Path }, version), nil
}

// MarshalDjangoEdited returns what [Manifest.MarshalDjango] returns for
// m, made from prev as [Manifest.MarshalEdited] makes m's own text: prev
// is what MarshalDjango returned, in the same version, for a manifest of
// m's names whose paths were m's but for those named in edited. Only for
// version "1.0": the hash of "1.1" is over every path, and MarshalDjango
// computes it. Where prev is not such a text as far as it can tell, it
// returns MarshalDjango's result. Its text comes in pieces, as
// MarshalEdited's does.
func (m *Manifest) MarshalDjangoEdited(prev []byte, version string, edited []string) ([][]byte, error) {
	whole := func() ([][]byte, error) { return onePiece(m.MarshalDjango(version)) }
	const head = `{"paths": {`
	tail := `}, "version": "1.0"}`
	if version != "1.0" || !bytes.HasPrefix(prev, []byte(head)) || !bytes.HasSuffix(prev, []byte(tail)) ||
		// A quote is escaped within a name or path: each ": " but the
		// version's follows a name.
		bytes.Count(prev, []byte(`": "`)) != len(m.Files)+1 {
		return whole()
	}
	var errs ErrorList
	if !m.validateEdited(edited, &errs) {
		return whole()
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	edited = slices.Compact(slices.Sorted(slices.Values(edited)))
	pieces := make([][]byte, 0, 2*len(edited)+1)
	at := 0
	var key strings.Builder
	for _, name := range edited {
		key.Reset()
		pyQuote(&key, name)
		key.WriteString(": ")
		// The name at the start of the paths, or after a comma.
		i := max(at, len(head))
		for {
			j := bytes.Index(prev[i:], []byte(key.String()))
			if j < 0 {
				return whole()
			}
			i += j
			if i == len(head) || bytes.HasSuffix(prev[:i], []byte(", ")) {
				break
			}
			i++
		}
		end, ok := quotedEnd(prev, i+key.Len())
		if !ok {
			return whole()
		}
		var entry strings.Builder
		entry.WriteString(key.String())
		pyQuote(&entry, m.Files[name].Path)
		pieces = append(pieces, prev[at:i], []byte(entry.String()))
		at = end
	}
	return append(pieces, prev[at:]), nil
}

// quotedEnd returns where the string json.dumps wrote at data[i:] ends,
// after its closing quote.
func quotedEnd(data []byte, i int) (int, bool) {
	if i >= len(data) || data[i] != '"' {
		return 0, false
	}
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1, true
		}
	}
	return 0, false
}

// djangoJSON is json.dumps({"paths": paths, "version": version}), with
// "hash" for version "1.1".
func djangoJSON(paths map[string]string, version string) []byte {
	return djangoJSONOf(sortedKeys(paths), func(name string) string { return paths[name] }, version)
}

// djangoJSONOf is djangoJSON of the sorted names and their paths.
func djangoJSONOf(names []string, paths func(string) string, version string) []byte {
	var b strings.Builder
	b.Grow(quotedSize(names, paths) + 64)
	b.WriteString(`{"paths": {`)
	for i, name := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		pyQuote(&b, name)
		b.WriteString(": ")
		pyQuote(&b, paths(name))
	}
	b.WriteString(`}, "version": `)
	pyQuote(&b, version)
	if version == "1.1" {
		b.WriteString(`, "hash": `)
		pyQuote(&b, djangoHash(names, paths))
	}
	b.WriteString("}")
	return []byte(b.String())
}

// DjangoHash returns the "hash" of a version "1.1" staticfiles.json with
// these paths, as Django 4.2 and later compute it: the first 12 hex digits
// of the MD5 of json.dumps(sorted(paths.items())). Django does not check
// it when it loads a manifest; [ParseDjango] does.
func DjangoHash(paths map[string]string) string {
	return djangoHash(sortedKeys(paths), func(name string) string { return paths[name] })
}

// djangoHash is DjangoHash of paths, whose keys names holds sorted.
func djangoHash(names []string, paths func(string) string) string {
	var b strings.Builder
	b.Grow(quotedSize(names, paths) + 4*len(names) + 2)
	b.WriteString("[")
	for i, name := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("[")
		pyQuote(&b, name)
		b.WriteString(", ")
		pyQuote(&b, paths(name))
		b.WriteString("]")
	}
	b.WriteString("]")
	sum := md5.Sum([]byte(b.String()))
	return hex.EncodeToString(sum[:])[:12]
}

// quotedSize is about the length of names and their paths quoted and
// separated, to size a builder once: exact for printable ASCII.
func quotedSize(names []string, paths func(string) string) int {
	n := 0
	for _, name := range names {
		n += len(name) + len(paths(name)) + 8
	}
	return n
}

// ParseDjango reads a Django staticfiles.json of version "1.0" or "1.1"
// and returns its paths, logical name to hashed path, and its version. It
// is stricter than Django: unknown, duplicate and missing fields are
// errors, names and paths follow the same rules as in [Parse], and a
// "1.1" manifest must carry the "hash" that [DjangoHash] computes.
func ParseDjango(data []byte) (paths map[string]string, version string, err error) {
	d, err := newDecoder(data)
	if err != nil {
		return nil, "", err
	}
	var havePaths, haveVersion, haveHash bool
	var hash string
	isObject, err := d.object("", func(key string) error {
		var err error
		switch key {
		case "paths":
			paths = make(map[string]string)
			havePaths, err = d.object(key, func(name string) error {
				p, ok, err := d.str(member(key, name))
				if ok {
					paths[name] = p
				}
				return err
			})
		case "version":
			version, haveVersion, err = d.str(key)
			if haveVersion && !slices.Contains(djangoVersions, version) {
				d.fail(key, fmt.Errorf("%w %q, want %q or %q", ErrVersion, version, "1.0", "1.1"))
			}
		case "hash":
			hash, haveHash, err = d.str(key)
		default:
			err = d.unknown("", key)
		}
		return err
	})
	if err == nil && isObject {
		err = d.end()
	}
	if err != nil {
		return nil, "", d.stopped(err)
	}
	if !isObject {
		return nil, "", d.errs
	}
	for _, f := range []struct {
		name string
		have bool
	}{{"paths", havePaths}, {"version", haveVersion}} {
		if !f.have && !slices.ContainsFunc(d.errs, func(e *Error) bool { return e.Field == f.name }) {
			d.errs.add("", fmt.Errorf("%w: missing field %q", ErrSchema, f.name))
		}
	}
	switch {
	case !haveVersion || !havePaths:
	case version == "1.1" && !haveHash:
		d.errs.add("", fmt.Errorf("%w: missing field %q, which version 1.1 has", ErrSchema, "hash"))
	case version == "1.1" && hash != DjangoHash(paths):
		d.errs.add("hash", fmt.Errorf("%w: %q, but the paths hash to %q", ErrHashMismatch, hash, DjangoHash(paths)))
	case version == "1.0" && haveHash:
		d.errs.add("hash", fmt.Errorf("%w: version 1.0 has no hash", ErrSchema))
	}
	for _, name := range sortedKeys(paths) {
		if err := checkPath(name); err != nil {
			d.errs.add(member("paths", name), err)
		}
		if err := checkPath(paths[name]); err != nil {
			d.errs.add(member("paths", name), err)
		}
	}
	if len(d.errs) > 0 {
		return nil, "", d.errs
	}
	return paths, version, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Byte order of UTF-8 is code point order, which is how Python sorts
	// str.
	slices.Sort(keys)
	return keys
}

// pyQuote writes s as a JSON string the way Python's json.dumps does with
// ensure_ascii=True, its default: printable ASCII as it is except " and \,
// the short escapes \b \f \n \r \t, and every other character as \u
// with four lowercase hex digits, a UTF-16 surrogate pair beyond U+FFFF.
// "/" is not escaped. Invalid UTF-8 is written as U+FFFD; the callers
// reject it beforehand where it matters.
func pyQuote(b *strings.Builder, s string) {
	const hexDigits = "0123456789abcdef"
	u := func(r rune) {
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hexDigits[r>>shift&0xf])
		}
	}
	if plainASCII(s) { // nearly every name and path: no escapes
		b.WriteByte('"')
		b.WriteString(s)
		b.WriteByte('"')
		return
	}
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			switch {
			case ' ' <= r && r <= '~':
				b.WriteByte(byte(r))
			case r < 0x10000:
				u(r)
			default:
				r1, r2 := utf16.EncodeRune(r)
				u(r1)
				u(r2)
			}
		}
	}
	b.WriteByte('"')
}

// plainASCII reports whether json.dumps writes s as it is, between quotes:
// printable ASCII without a quote or a backslash.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
