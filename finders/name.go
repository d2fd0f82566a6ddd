package finders

import (
	"path"
	"strings"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
)

// ValidName reports whether name is a valid logical name: a non-empty,
// slash-separated relative path in UTF-8 with no ".", ".." or empty
// elements, no leading or trailing slash, no backslash and no NUL byte. It returns nil
// or an [*Error] with Op "validate" that wraps [ErrInvalidName] and whose
// Detail says what is wrong.
func ValidName(name string) error {
	if detail := nameProblem(name); detail != "" {
		return &Error{Op: "validate", Name: name, Err: ErrInvalidName, Detail: detail}
	}
	return nil
}

// nameProblem returns what makes name an invalid logical name, or "".
func nameProblem(name string) string {
	switch {
	case name == "":
		return "empty name"
	case strings.IndexByte(name, 0) >= 0:
		return "contains a NUL byte"
	case strings.IndexByte(name, '\\') >= 0:
		return `contains a backslash (names are "/"-separated)`
	case !utf8.ValidString(name):
		// Names end up in URLs and JSON manifests, which need UTF-8.
		return "is not valid UTF-8"
	}
	return elementProblem(name)
}

// elementProblem returns what is wrong with the "/"-separated elements of
// a non-empty name or pattern, or "". The checks guard against names and
// patterns that look meaningful but can never equal or match a logical name.
func elementProblem(s string) string {
	switch {
	case s == "." || strings.HasPrefix(s, "./"):
		return `starts with "./"`
	case s == ".." || strings.HasPrefix(s, "../"):
		return `starts with "../"`
	case strings.HasPrefix(s, "/"):
		return `starts with "/"`
	case strings.HasSuffix(s, "/"):
		return `ends with "/"`
	case strings.Contains(s, "//"):
		return `contains "//"`
	}
	for elem := range strings.SplitSeq(s, "/") {
		switch elem {
		case ".":
			return `contains a "." element`
		case "..":
			return `contains a ".." element`
		}
	}
	return ""
}

// ValidPattern reports whether pattern is a glob that [Finder.Glob] would
// accept: doublestar syntax, none of the prefixes that silently match
// nothing. It returns nil or an [*Error] with Op "validate" that wraps
// [ErrBadPattern]. Callers that match patterns themselves (a bundle's
// exclusions) check them with it.
func ValidPattern(pattern string) error {
	if detail := patternProblem(pattern); detail != "" {
		return &Error{Op: "validate", Name: pattern, Err: ErrBadPattern, Detail: detail}
	}
	return nil
}

// patternProblem returns what makes pattern unusable, or "". Besides the
// syntax doublestar rejects, it rejects patterns doublestar accepts but that
// silently match nothing, such as "./js/*.js". Backslashes are rejected
// rather than taken as doublestar's escapes, because in a configuration
// file they are far more often Windows separators than escapes.
func patternProblem(pattern string) string {
	switch {
	case pattern == "":
		return "empty pattern"
	case strings.IndexByte(pattern, 0) >= 0:
		return "contains a NUL byte"
	case strings.IndexByte(pattern, '\\') >= 0:
		return `contains a backslash (patterns are "/"-separated and cannot escape)`
	}
	if p := elementProblem(pattern); p != "" {
		return p
	}
	if !doublestar.ValidatePattern(pattern) {
		return syntaxProblem(pattern)
	}
	return ""
}

// syntaxProblem says why doublestar.ValidatePattern rejects pattern, which
// contains no backslash.
func syntaxProblem(pattern string) string {
	depth := 0
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '[':
			j := i + 1
			if j < len(pattern) && (pattern[j] == '^' || pattern[j] == '!') {
				j++
			}
			if j < len(pattern) && pattern[j] == ']' {
				return `empty character class "[]"`
			}
			end := strings.IndexByte(pattern[j:], ']')
			if end < 0 {
				return `unclosed "["`
			}
			i = j + end
		case '{':
			depth++
		case '}':
			if depth == 0 {
				return `unmatched "}"`
			}
			depth--
		}
	}
	if depth > 0 {
		return `unclosed "{"`
	}
	return "malformed"
}

// ExcludedBy returns the first pattern that excludes name, or "". A
// pattern matches the name or any directory above it, so "admin/**" and
// "tests" both drop a tree; a pattern without a slash, like Django's ".*"
// and "CVS", is also matched against each element of the name, so that it
// drops a hidden file or directory anywhere. This is the rule of
// stapler's [collect] exclude; stapler init tests the patterns it writes
// with it.
func ExcludedBy(name string, patterns []string) string {
	for _, pat := range patterns {
		elems := !strings.Contains(pat, "/")
		for p := name; p != "."; p = path.Dir(p) {
			subject := p
			if elems {
				subject = path.Base(p)
			}
			if ok, _ := doublestar.Match(pat, subject); ok {
				return pat
			}
		}
	}
	return ""
}
