package bundler

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/stapler-build/stapler/bundler/internal/sourcemap"
	"github.com/stapler-build/stapler/internal/suggest"
)

// Position is a place in a file: the config, a source, a template.
// Line and Col are 1-based; Col counts bytes, as go/token does.
type Position struct {
	File string
	Line int
	Col  int
}

// String returns "file:line:col", the form editors and CI annotators parse.
func (p Position) String() string {
	file := shownName(p.File)
	switch {
	case p.Line == 0:
		return file
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", file, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", file, p.Line, p.Col)
}

// shownName returns a file name for a terminal: the bytes of one that is
// not valid UTF-8 (a bad-name file's) that are not, as \xNN.
func shownName(name string) string {
	if utf8.ValidString(name) {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, `\x%02x`, name[i])
		} else {
			b.WriteString(name[i : i+size])
		}
		i += size
	}
	return b.String()
}

// lineIndex turns byte offsets of a file into Positions: sourcemap counts
// the lines, and the file name is the bundler's to add.
type lineIndex struct{ sourcemap.LineIndex }

func newLineIndex(src []byte) lineIndex {
	return lineIndex{sourcemap.NewLineIndex(src)}
}

func (idx lineIndex) pos(file string, offset int) Position {
	line, col := idx.Pos(offset)
	return Position{File: file, Line: line, Col: col}
}

// lazyLines is a source's line index, made when a position or an edit is
// first asked for: a file's references rarely need one (a problem, a
// source map), and the index of a large file is a large slice.
type lazyLines struct {
	once sync.Once
	text []byte
	idx  lineIndex
}

func (l *lazyLines) index() lineIndex {
	l.once.Do(func() { l.idx = newLineIndex(l.text) })
	return l.idx
}

func (l *lazyLines) pos(file string, offset int) Position { return l.index().pos(file, offset) }

func (l *lazyLines) Edit(text []byte, start, end int, s string) sourcemap.Edit {
	return l.index().Edit(text, start, end, s)
}

// Severity says whether a [Diagnostic] fails the build.
type Severity int

const (
	SeverityError Severity = iota
	SeverityWarning
)

func (s Severity) String() string {
	if s == SeverityWarning {
		return "warning"
	}
	return "error"
}

// A Diagnostic is one positioned problem.
type Diagnostic struct {
	Pos        Position
	Severity   Severity
	Code       string   // short and stable: one of the Code constants, or an ID of esbuild's; see docs/errors.md
	Message    string   // one line, without the position
	Suggestion string   // a did-you-mean, when there is one; Message already says it
	Notes      []string // detail shown on request (the command's -v), e.g. the roots searched
	Err        error    // the cause, for errors.Is: e.g. finders.ErrNotFound
}

// Error returns "file:line:col: message".
func (d *Diagnostic) Error() string {
	if d.Pos.File == "" {
		return d.Message
	}
	return d.Pos.String() + ": " + d.Message
}

func (d *Diagnostic) Unwrap() error { return d.Err }

// ErrorList is every problem a run found. Build and Check return one
// when the project has problems; errors.As reaches it through the error
// they return.
type ErrorList []*Diagnostic

func (l *ErrorList) add(d *Diagnostic) { *l = append(*l, d) }

// errorf adds an error at pos.
func (l *ErrorList) errorf(pos Position, code string, cause error, format string, args ...any) *Diagnostic {
	d := &Diagnostic{Pos: pos, Code: code, Err: cause, Message: fmt.Sprintf(format, args...)}
	l.add(d)
	return d
}

// Sort orders the list by file, line, column, then message, and drops
// exact repeats (the same problem found through two bundles). It works in
// place, as go/scanner's does, so that calling it as a statement leaves
// the list sorted and whole.
func (l *ErrorList) Sort() {
	slices.SortStableFunc(*l, func(a, b *Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Message, b.Message),
		)
	})
	*l = slices.CompactFunc(*l, func(a, b *Diagnostic) bool {
		return a.Pos == b.Pos && a.Message == b.Message && a.Severity == b.Severity
	})
}

// Errors returns how many diagnostics are errors, not warnings.
func (l ErrorList) Errors() int {
	n := 0
	for _, d := range l {
		if d.Severity == SeverityError {
			n++
		}
	}
	return n
}

// Error returns the first error and how many more there are.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Unwrap returns the diagnostics, so errors.Is and errors.As look inside.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, d := range l {
		errs[i] = d
	}
	return errs
}

// Err returns nil when the list holds no error, else a sorted copy of the
// list: l itself is left as it is.
func (l ErrorList) Err() error {
	if l.Errors() == 0 {
		return nil
	}
	sorted := slices.Clone(l)
	sorted.Sort()
	return sorted
}

// Nearest returns the candidates a person most likely meant by name,
// best first, at most three: stapler's one did-you-mean ranking (a name
// in another case, then a typo, then a moved file), which every message
// of the library uses, for a front end's own names, such as the
// command's "stapler bulid".
func Nearest(name string, candidates []string) []string {
	return suggest.Nearest(name, candidates)
}

// didYouMean returns "; did you mean "s"?" for a non-empty s.
func didYouMean(s []string) string {
	if len(s) == 0 {
		return ""
	}
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return "; did you mean " + strings.Join(q, " or ") + "?"
}
