package bundler

import (
	"net/url"
	"path"
	"regexp"
	"strings"
)

var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*:`)

// localTarget says whether a reference names a file of the project, and
// if so which: its logical name, resolved against the logical directory of
// the file that holds it, or under the URL prefix for an absolute one; and
// the query and fragment to keep after it. Left alone: data: URIs and any
// other scheme, protocol-relative //host URLs, absolute paths outside the
// URL prefix, fragment-only #x and empty references.
func localTarget(ref, fromDir, urlPrefix string) (name, suffix string, local bool) {
	ref = strings.TrimSpace(ref)
	var p string
	switch {
	case ref == "", strings.HasPrefix(ref, "#"), strings.HasPrefix(ref, "//"):
		// Protocol-relative //host/x is another site's, even when the
		// URL prefix is "/".
		return "", "", false
	case urlPrefix != "" && strings.HasPrefix(ref, urlPrefix) && (strings.HasPrefix(urlPrefix, "/") || schemeRE.MatchString(urlPrefix)) && !strings.HasPrefix(urlPrefix, "//"):
		p = strings.TrimPrefix(ref, urlPrefix)
		fromDir = ""
	case strings.HasPrefix(ref, "/"), strings.HasPrefix(ref, "\\"), schemeRE.MatchString(ref):
		return "", "", false
	default:
		p = ref
	}
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p, suffix = p[:i], p[i:]
	}
	if p == "" {
		return "", "", false
	}
	if u, err := url.PathUnescape(p); err == nil {
		p = u
	}
	return path.Join(fromDir, p), suffix, true
}

// escapeSegment percent-encodes the bytes of a path segment that would end
// or break a url() or change the URL's meaning.
func escapeSegment(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c <= ' ', c >= 0x7f, strings.IndexByte(`"'()\%?#`, c) >= 0:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
