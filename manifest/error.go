package manifest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Causes of the errors [Parse], [ParseDjango] and the Marshal methods
// return. Test for them with [errors.Is]; each is wrapped in an [Error]
// that says where in the manifest the problem is.
var (
	// ErrSyntax: the data is not JSON, or not UTF-8.
	ErrSyntax = errors.New("syntax error")
	// ErrSchema: the JSON is not a manifest: an unknown, duplicate or
	// missing field, a value of the wrong type, a negative size, a
	// malformed integrity hash or URL prefix, an import, stylesheet or
	// asset that is not a file of the manifest.
	ErrSchema = errors.New("invalid manifest")
	// ErrVersion: a version this package does not read or write.
	ErrVersion = errors.New("unsupported version")
	// ErrBadPath: a logical name or hashed path that is not a clean,
	// relative, slash-separated path.
	ErrBadPath = errors.New("bad path")
	// ErrHashMismatch: a Django "1.1" manifest whose "hash" does not
	// match its paths.
	ErrHashMismatch = errors.New("hash mismatch")
)

// Error is one problem in a manifest.
type Error struct {
	// Field says where the problem is, as a JSON path into the manifest:
	// "version", `files["css/app.css"].path`, `paths["js/app.js"]`.
	// It is empty for the document as a whole.
	Field string
	// Line and Col say where in the text the problem is, both counting
	// from 1, Col in bytes, for an editor or a CI annotation: the place
	// of a syntax error (which its message says too), or the value or
	// key that has the wrong type, is unknown or is repeated. They are 0
	// for a problem with no one place in the text: a missing field, a
	// rule about the entries (a bad path, an unknown import), a file
	// [Verify] finds wrong.
	Line, Col int
	// Err wraps one of the sentinel causes above.
	Err error
}

// Position is a place in a manifest's text: Line and Col count from 1,
// Col in bytes, as in [Error].
type Position struct {
	Line, Col int
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Err.Error()
	}
	return e.Field + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrorList is every problem found in one manifest, in a deterministic
// order: document order for problems of shape, then by logical name.
type ErrorList []*Error

// Error returns the first problem and how many more there are, on one
// line. Range over the list to print them all.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	case 2:
		return l[0].Error() + " (and 1 more error)"
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Unwrap lets [errors.Is] and [errors.As] see every problem in the list.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

func (l *ErrorList) add(field string, err error) {
	*l = append(*l, &Error{Field: field, Err: err})
}

// err returns l as an error, or nil when it is empty.
func (l ErrorList) err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// member returns the JSON path of the member name of the object at field.
func member(field, name string) string {
	return field + "[" + strconv.Quote(name) + "]"
}

// Causes of the errors [Manifest.URL] and [Manifest.Integrity] return,
// wrapped in a [LookupError].
var (
	// ErrUnknownName: the logical name is not in the manifest.
	ErrUnknownName = errors.New("not in the manifest")
	// ErrNoIntegrity: the manifest records no integrity hash for the
	// name.
	ErrNoIntegrity = errors.New("no integrity hash in the manifest")
)

// LookupError is a logical name that a [Manifest] cannot answer for, like
// [fs.PathError] for a file.
type LookupError struct {
	// Name is the logical name as it was asked for.
	Name string
	// Err is [ErrUnknownName] or [ErrNoIntegrity].
	Err error
	// Suggestions holds, for ErrUnknownName, the known names nearest to
	// Name, best first, at most three: the same but for case, a few edits
	// away (a typo), then with the same last element in another directory
	// (a file that moved). It may be empty.
	Suggestions []string
}

// Error returns the error on one line, with the suggestions, as in
//
//	"css/sit.css": not in the manifest; did you mean "css/site.css"?
//
// A template that calls asset shows it as it is.
func (e *LookupError) Error() string {
	var b strings.Builder
	b.WriteString(strconv.Quote(e.Name))
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	for i, s := range e.Suggestions {
		switch {
		case i == 0:
			b.WriteString("; did you mean ")
		case i == len(e.Suggestions)-1:
			b.WriteString(" or ")
		default:
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(s))
	}
	if len(e.Suggestions) > 0 {
		b.WriteString("?")
	}
	return b.String()
}

func (e *LookupError) Unwrap() error { return e.Err }
