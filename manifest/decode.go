package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"unicode/utf8"
)

// decoder reads a manifest token by token, so that it can match field
// names exactly (encoding/json matches them case-insensitively), report
// duplicate keys (encoding/json keeps the last one silently) and collect
// every problem of shape in one pass. A syntax error stops it; every other
// problem is recorded in errs and the offending value skipped.
type decoder struct {
	data []byte
	dec  *json.Decoder
	errs ErrorList

	at      int64            // where the token next returned last begins
	lines   []int64          // where each line of data begins, once needed
	entries map[string]int64 // when not nil, where each entry's key begins
}

// errStop ends decoding after a syntax error, which is already in errs.
var errStop = errors.New("stop")

func newDecoder(data []byte) (*decoder, error) {
	d := &decoder{data: data}
	// encoding/json would turn invalid UTF-8 and lone surrogate escapes
	// into U+FFFD without a word, and then the names would no longer be
	// the ones in the file.
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		d.syntax(int64(i), errors.New("invalid UTF-8"))
		return nil, d.errs
	}
	if i := loneSurrogate(data); i >= 0 {
		d.syntax(int64(i), fmt.Errorf("unpaired surrogate escape %s", data[i:i+6]))
		return nil, d.errs
	}
	d.dec = json.NewDecoder(bytes.NewReader(data))
	d.dec.UseNumber()
	return d, nil
}

// loneSurrogate returns the offset of the first \u escape in data that is
// half of a UTF-16 surrogate pair without its other half, or -1.
// Backslashes occur only inside strings in valid JSON, so there is no need
// to track whether we are in one; invalid JSON fails later anyway.
func loneSurrogate(data []byte) int {
	for i := 0; i < len(data); i++ {
		if data[i] != '\\' {
			continue
		}
		r, ok := hexEscape(data, i)
		if !ok {
			i++ // skip the escaped character, which may be a backslash
			continue
		}
		switch {
		case 0xd800 <= r && r < 0xdc00:
			if r2, ok := hexEscape(data, i+6); !ok || r2 < 0xdc00 || r2 >= 0xe000 {
				return i
			}
			i += 11
		case 0xdc00 <= r && r < 0xe000:
			return i
		default:
			i += 5
		}
	}
	return -1
}

// hexEscape decodes the escape \uXXXX at data[i:].
func hexEscape(data []byte, i int) (rune, bool) {
	if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(data[i+2:i+6]), 16, 32)
	return rune(n), err == nil
}

// position returns the line and column of byte offset off, both from 1,
// the column in bytes.
func (d *decoder) position(off int64) Position {
	if d.lines == nil {
		d.lines = []int64{0}
		for i, c := range d.data {
			if c == '\n' {
				d.lines = append(d.lines, int64(i+1))
			}
		}
	}
	off = min(off, int64(len(d.data)))
	i, found := slices.BinarySearch(d.lines, off)
	if !found {
		i--
	}
	return Position{Line: i + 1, Col: int(off-d.lines[i]) + 1}
}

// syntax records a syntax error at byte offset off.
func (d *decoder) syntax(off int64, err error) {
	p := d.position(off)
	d.errs = append(d.errs, &Error{Line: p.Line, Col: p.Col,
		Err: fmt.Errorf("%w: line %d, column %d: %v", ErrSyntax, p.Line, p.Col, err)})
}

// fail records a problem of shape at the token next returned last.
func (d *decoder) fail(field string, err error) {
	p := d.position(d.at)
	d.errs = append(d.errs, &Error{Field: field, Line: p.Line, Col: p.Col, Err: err})
}

// between reports whether c may stand between two tokens.
func between(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ':'
}

// next reads the next token; a syntax error stops decoding.
func (d *decoder) next() (json.Token, error) {
	// The decoder's offset is the end of the last token: the next begins
	// after any white space and the comma or colon between them.
	d.at = d.dec.InputOffset()
	for d.at < int64(len(d.data)) && between(d.data[d.at]) {
		d.at++
	}
	tok, err := d.dec.Token()
	if err == nil {
		return tok, nil
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		d.syntax(se.Offset, err)
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		d.syntax(int64(len(d.data)), errors.New("unexpected end of input"))
	default:
		d.syntax(d.dec.InputOffset(), err)
	}
	return nil, errStop
}

// end checks that nothing but white space follows the document.
func (d *decoder) end() error {
	off := d.dec.InputOffset()
	_, err := d.dec.Token()
	if err == io.EOF {
		return nil
	}
	if err == nil {
		// Point at the extra data, not past it.
		rest := d.data[off:]
		off += int64(len(rest) - len(bytes.TrimLeft(rest, " \t\r\n")))
		d.syntax(off, errors.New("data after the end of the manifest"))
		return errStop
	}
	_, err = d.next() // report the syntax error
	return err
}

// skip consumes the rest of the value that tok begins.
func (d *decoder) skip(tok json.Token) error {
	depth := 0
	for {
		if delim, ok := tok.(json.Delim); ok {
			switch delim {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
		var err error
		if tok, err = d.next(); err != nil {
			return err
		}
	}
}

// wrongType records that the value tok begins is not of kind want, and
// skips it.
func (d *decoder) wrongType(field, want string, tok json.Token) error {
	d.fail(field, fmt.Errorf("%w: %s, want %s", ErrSchema, kind(tok), want))
	return d.skip(tok)
}

func kind(tok json.Token) string {
	switch tok := tok.(type) {
	case json.Delim:
		if tok == '{' {
			return "object"
		}
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	}
	return "null"
}

// object reads an object, calling each for every member once its key has
// been read; each must consume the value. Duplicate keys are recorded and
// their values skipped. ok reports whether the value was an object.
func (d *decoder) object(field string, each func(key string) error) (ok bool, err error) {
	tok, err := d.next()
	if err != nil {
		return false, err
	}
	if tok != json.Delim('{') {
		return false, d.wrongType(field, "object", tok)
	}
	seen := make(map[string]bool)
	for d.dec.More() {
		tok, err := d.next()
		if err != nil {
			return false, err
		}
		key := tok.(string) // the decoder guarantees object keys are strings
		if seen[key] {
			d.fail(field, fmt.Errorf("%w: duplicate key %q", ErrSchema, key))
			if err := d.skipValue(); err != nil {
				return false, err
			}
			continue
		}
		seen[key] = true
		if err := each(key); err != nil {
			return false, err
		}
	}
	_, err = d.next() // '}'
	return true, err
}

// unknown records an unknown field of the object at field and skips its
// value.
func (d *decoder) unknown(field, key string) error {
	d.fail(field, fmt.Errorf("%w: unknown field %q", ErrSchema, key))
	return d.skipValue()
}

func (d *decoder) skipValue() error {
	tok, err := d.next()
	if err != nil {
		return err
	}
	return d.skip(tok)
}

// str reads a string.
func (d *decoder) str(field string) (s string, ok bool, err error) {
	tok, err := d.next()
	if err != nil {
		return "", false, err
	}
	if s, ok := tok.(string); ok {
		return s, true, nil
	}
	return "", false, d.wrongType(field, "string", tok)
}

// int reads an integer: no fraction, no exponent.
func (d *decoder) int(field string) (n int64, ok bool, err error) {
	tok, err := d.next()
	if err != nil {
		return 0, false, err
	}
	num, isNum := tok.(json.Number)
	if !isNum {
		return 0, false, d.wrongType(field, "integer", tok)
	}
	n, perr := strconv.ParseInt(string(num), 10, 64)
	if perr != nil {
		d.fail(field, fmt.Errorf("%w: %s is not a 64-bit integer", ErrSchema, num))
		return 0, false, nil
	}
	return n, true, nil
}

// strs reads an array of strings.
func (d *decoder) strs(field string) (list []string, ok bool, err error) {
	tok, err := d.next()
	if err != nil {
		return nil, false, err
	}
	if tok != json.Delim('[') {
		return nil, false, d.wrongType(field, "array of strings", tok)
	}
	ok = true
	for i := 0; d.dec.More(); i++ {
		s, isStr, err := d.str(fmt.Sprintf("%s[%d]", field, i))
		if err != nil {
			return nil, false, err
		}
		ok = ok && isStr
		list = append(list, s)
	}
	_, err = d.next() // ']'
	return list, ok, err
}

// stopped turns the end of decoding into the error list.
func (d *decoder) stopped(err error) error {
	if err != nil && err != errStop {
		// Cannot happen: every error is recorded before errStop is
		// returned. Keep it rather than lose it.
		d.errs.add("", fmt.Errorf("%w: %v", ErrSyntax, err))
	}
	return d.errs
}
