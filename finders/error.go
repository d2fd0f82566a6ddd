package finders

import (
	"errors"
	"strings"
)

// Sentinel causes of an [*Error]. Test for them with [errors.Is].
var (
	// ErrNotFound reports that no root holds the name.
	ErrNotFound = errors.New("not found in any root")
	// ErrCaseMismatch reports that no root holds the name, but some root
	// holds a name that differs from it only in case.
	ErrCaseMismatch = errors.New("case mismatch")
	// ErrNoMatch reports that a pattern matches no file.
	ErrNoMatch = errors.New("no matching files")
	// ErrBadPattern reports a malformed pattern, or one that could never
	// match a logical name.
	ErrBadPattern = errors.New("bad pattern")
	// ErrInvalidName reports a name that is not a valid logical name
	// (see [ValidName]), or a root's invalid Prefix.
	ErrInvalidName = errors.New("invalid name")
	// ErrSymlinkLoop reports a symbolic link to a directory that leads
	// back to one of its own ancestors.
	ErrSymlinkLoop = errors.New("symlink loop")
	// ErrTooManyPaths reports symbolic links that, with no loop, reach
	// the same directories by too many paths for a walk to end in time.
	ErrTooManyPaths = errors.New("too many paths through symbolic links")
)

// Error records a failed lookup, like [fs.PathError].
type Error struct {
	Op   string // "find", "glob", "files", "read" or "validate"
	Name string // the name or pattern as given
	// Err is one of the sentinel errors of this package, or an I/O error
	// from a root, whose path (if it is an *fs.PathError) starts with the
	// root's Dir.
	Err error
	// Suggestions holds, for ErrNotFound, the nearest existing logical
	// names, best first, at most 3; for ErrCaseMismatch, the name as it
	// exists (more than one if several names differ from it only in case);
	// nil otherwise.
	Suggestions []string
	// Detail is an optional one-phrase explanation, such as
	// `starts with "./"`.
	Detail string
}

// Error returns the error on one line: op, name, cause and detail, as in
// `find js/App.js: case mismatch: exists as "js/app.js"`.
// It leaves out Suggestions for ErrNotFound, which callers present in
// their own words.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	if e.Op != "files" {
		b.WriteByte(' ')
		if e.Name == "" {
			b.WriteString(`""`)
		} else {
			b.WriteString(e.Name)
		}
	}
	b.WriteString(": ")
	if e.Err != nil {
		b.WriteString(e.Err.Error())
	} else {
		b.WriteString("unknown error")
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

// Unwrap returns e.Err.
func (e *Error) Unwrap() error { return e.Err }
