package manifest

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The Cache-Control headers the [Handler] sends, and stapler publish
// stores with each object, so that a bucket behind a CDN serves what a
// web app would.
const (
	// HashedCacheControl is for hashed names, whose bytes never change:
	// a year, the most RFC 9111 says a cache need honour, and immutable so
	// that a reload does not revalidate them.
	HashedCacheControl = "public, max-age=31536000, immutable"
	// PlainCacheControl is the default for plain names, whose bytes
	// change with every build that changes them.
	PlainCacheControl = "public, max-age=60"
)

// Handler serves a stapler output directory over HTTP; see "Serving" in
// the package documentation for the rules. Make one with
// [Manifest.Handler] and set its fields before it serves its first
// request. It is safe for concurrent use.
type Handler struct {
	// PlainCacheControl is the Cache-Control header of a file served under
	// its logical name rather than its hashed one (the copies a build
	// with keep_unhashed writes). Empty means "public, max-age=60"; use
	// "no-cache" to have every use revalidated with its ETag.
	PlainCacheControl string

	fsys   fs.FS
	prefix string            // the path of the manifest's URL; "" serves nothing
	hashed map[string]string // hashed path → its integrity, "" if none recorded
	plain  map[string]bool   // the logical names

	mu   sync.Mutex
	tags map[string]contentTag // ETags computed from content, by file name
}

// contentTag is an ETag computed from a file's bytes, valid while its
// size and modification time stay the same.
type contentTag struct {
	size int64
	mod  time.Time
	tag  string
}

// Handler returns an [http.Handler] serving the files of the output
// directory fsys (an [embed.FS] through [fs.Sub], or [os.DirFS]) under the
// path of m's URL prefix: "/static/" for "/static/" and for
// "https://cdn.example.com/static/" alike. Mount it at that path, without
// stripping the prefix:
//
//	mux.Handle("GET /static/", m.Handler(out))
//
// It serves each entry's hashed path, and its logical name when fsys has
// a file of that name. It takes what it needs from m when it is called;
// later changes to m do not reach it. Names in m that are not clean
// relative paths (see [Parse]) are never served. If m's URL has no path
// that begins and ends with a slash, every request is answered 404.
func (m *Manifest) Handler(fsys fs.FS) *Handler {
	h := &Handler{
		fsys:   fsys,
		hashed: make(map[string]string, len(m.Files)),
		plain:  make(map[string]bool, len(m.Files)),
		tags:   make(map[string]contentTag),
	}
	if u, err := url.Parse(m.Prefix); err == nil && strings.HasPrefix(u.Path, "/") && strings.HasSuffix(u.Path, "/") {
		h.prefix = u.Path
	}
	for name, e := range m.Files {
		if checkPath(name) == nil {
			h.plain[name] = true
		}
		if checkPath(e.Path) == nil {
			if checkIntegrity(e.Integrity) != nil {
				e.Integrity = "" // not fit for an ETag; hash the content
			}
			// Two names may share a path; whichever has an integrity
			// gives the ETag, whatever the order of the map.
			if h.hashed[e.Path] == "" {
				h.hashed[e.Path] = e.Integrity
			}
		}
	}
	return h
}

// ServeHTTP serves a GET or HEAD request for one of the files; see
// [Manifest.Handler].
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "405 method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name, ok := h.resolve(r.URL)
	if !ok {
		notFound(w)
		return
	}
	integrity, isHashed := h.hashed[name]
	f, content, size, mod, ok := h.open(name)
	if !ok {
		notFound(w)
		return
	}
	defer f.Close()

	// Everything about the file is settled before any header is written:
	// a failure here is a 404 like any other, with nothing of it shown.
	tag := `"` + integrity + `"`
	if !isHashed || integrity == "" {
		var err error
		if tag, err = h.contentTag(name, content, size, mod); err != nil {
			notFound(w)
			return
		}
	}
	ctype, err := ContentType(name, content)
	if err != nil {
		notFound(w)
		return
	}
	var available []coding
	for _, c := range codings {
		if info, err := fs.Stat(h.fsys, name+c.ext); err == nil && info.Mode().IsRegular() {
			available = append(available, c)
		}
	}
	var enc coding // identity
	if c, ok := negotiate(r.Header.Values("Accept-Encoding"), available); ok {
		if vf, vcontent, vsize, _, ok := h.open(name + c.ext); ok {
			defer vf.Close()
			enc, content, size = c, vcontent, vsize
			tag = tag[:len(tag)-1] + "-" + c.name + `"`
		}
	}
	if ranges := r.Header.Get("Range"); ranges != "" {
		if merged := mergeRanges(ranges, size); merged != ranges {
			r = r.Clone(r.Context())
			r.Header.Set("Range", merged)
		}
	}

	hdr := w.Header()
	if isHashed {
		hdr.Set("Cache-Control", HashedCacheControl)
	} else if h.PlainCacheControl != "" {
		hdr.Set("Cache-Control", h.PlainCacheControl)
	} else {
		hdr.Set("Cache-Control", PlainCacheControl)
	}
	hdr.Set("Etag", tag)
	hdr.Add("Vary", "Accept-Encoding")
	hdr.Set("Content-Type", ctype)
	hdr.Set("X-Content-Type-Options", "nosniff")
	if enc.name != "" {
		w = &encodingWriter{ResponseWriter: w, coding: enc.name}
	}
	// ServeContent answers If-None-Match (304), If-Match and If-Range with
	// the ETag above, Range (206, 416) over the bytes of the variant
	// served, and HEAD. The zero time leaves Last-Modified out: the ETag
	// says more, and an embed.FS has no times.
	http.ServeContent(w, r, name, time.Time{}, content)
}

// maxRanges is how many ranges of one file a response may hold; a
// request for more gets the one range that spans them all.
const maxRanges = 16

// mergeRanges returns the Range header "bytes=..." of a request for a file
// of size bytes, with overlapping and adjacent ranges merged and past
// maxRanges coalesced into one, as RFC 9110 (14.2) lets a server do; so
// that no response is much larger than the file, whatever the request
// (5,000 overlapping "0-0" ranges made a multipart response 7.4 times its
// size). A header it cannot read, or one that no range of the file
// satisfies, is returned as it is, for ServeContent to answer.
func mergeRanges(header string, size int64) string {
	specs, ok := strings.CutPrefix(header, "bytes=")
	if !ok {
		return header
	}
	type span struct{ start, end int64 } // end inclusive
	var spans []span
	for spec := range strings.SplitSeq(specs, ",") {
		spec = strings.TrimSpace(spec)
		if spec == "" {
			continue
		}
		first, last, ok := strings.Cut(spec, "-")
		if !ok {
			return header
		}
		var sp span
		switch {
		case first == "": // the last n bytes
			n, err := strconv.ParseInt(last, 10, 64)
			if err != nil || n <= 0 {
				return header
			}
			sp = span{max(size-n, 0), size - 1}
		default:
			start, err := strconv.ParseInt(first, 10, 64)
			if err != nil || start < 0 {
				return header
			}
			end := size - 1
			if last != "" {
				if end, err = strconv.ParseInt(last, 10, 64); err != nil || end < start {
					return header
				}
				end = min(end, size-1)
			}
			sp = span{start, end}
		}
		if sp.start < size && sp.start <= sp.end {
			spans = append(spans, sp)
		}
	}
	if len(spans) == 0 {
		return header
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	merged := spans[:1]
	for _, sp := range spans[1:] {
		if cur := &merged[len(merged)-1]; sp.start <= cur.end+1 {
			cur.end = max(cur.end, sp.end)
		} else {
			merged = append(merged, sp)
		}
	}
	if len(merged) > maxRanges {
		merged = []span{{merged[0].start, merged[len(merged)-1].end}}
	}
	var b strings.Builder
	b.WriteString("bytes=")
	for i, sp := range merged {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d-%d", sp.start, sp.end)
	}
	return b.String()
}

// notFound answers every request the handler does not serve with the same
// few bytes, whatever the reason: nothing tells a file that does not
// exist from one that may not be served, or shows a path or an error.
func notFound(w http.ResponseWriter) {
	http.Error(w, "404 page not found", http.StatusNotFound)
}

// resolve returns the name in fsys that the request's URL asks for, and
// whether it is one the handler serves.
func (h *Handler) resolve(u *url.URL) (string, bool) {
	if h.prefix == "" {
		return "", false
	}
	name, ok := strings.CutPrefix(u.Path, h.prefix)
	if !ok {
		return "", false
	}
	// An escaped slash or backslash would make one element of the path
	// two once decoded: "a%2Fb" is not "a/b".
	if esc := strings.ToLower(u.EscapedPath()); strings.Contains(esc, "%2f") || strings.Contains(esc, "%5c") {
		return "", false
	}
	// checkPath turns away "..", ".", empty elements (a directory's
	// trailing slash), absolute paths and backslashes.
	if strings.ContainsRune(name, 0) || checkPath(name) != nil {
		return "", false
	}
	if name == FileName || name == DjangoFileName {
		return "", false
	}
	if _, ok := h.hashed[name]; ok || h.plain[name] {
		return name, true
	}
	return "", false
}

// open opens a regular file for ServeContent, which needs to seek.
func (h *Handler) open(name string) (f fs.File, content io.ReadSeeker, size int64, mod time.Time, ok bool) {
	f, err := h.fsys.Open(name)
	if err != nil {
		return nil, nil, 0, time.Time{}, false
	}
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, 0, time.Time{}, false
	}
	if rs, isSeeker := f.(io.ReadSeeker); isSeeker {
		return f, rs, info.Size(), info.ModTime(), true
	}
	// Files of an embed.FS, an os.DirFS and an fstest.MapFS can seek; an
	// fs.FS of another kind may not.
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, nil, 0, time.Time{}, false
	}
	return f, bytes.NewReader(data), int64(len(data)), info.ModTime(), true
}

// contentTag returns a strong ETag for a file that has no integrity in
// the manifest or is served under its plain name (which may not hold the
// bytes the entry records): the [Integrity] of its bytes. It is computed once for each size and modification time.
func (h *Handler) contentTag(name string, content io.ReadSeeker, size int64, mod time.Time) (string, error) {
	h.mu.Lock()
	ct, ok := h.tags[name]
	h.mu.Unlock()
	if ok && ct.size == size && ct.mod.Equal(mod) {
		return ct.tag, nil
	}
	sri, err := readIntegrity(content)
	if err != nil {
		return "", err
	}
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	tag := `"` + sri + `"`
	h.mu.Lock()
	h.tags[name] = contentTag{size, mod, tag}
	h.mu.Unlock()
	return tag, nil
}

// contentTypes are the types of the files a build writes, so that they do
// not depend on the MIME database of the machine serving them, which can
// say application/javascript, or nothing at all for .woff2.
var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".json":  "application/json",
	".map":   "application/json",
	".svg":   "image/svg+xml",
	".wasm":  "application/wasm",
	".woff":  "font/woff",
	".woff2": "font/woff2",
	".ttf":   "font/ttf",
	".otf":   "font/otf",
	".png":   "image/png",
	".jpg":   "image/jpeg",
	".jpeg":  "image/jpeg",
	".gif":   "image/gif",
	".webp":  "image/webp",
	".avif":  "image/avif",
	".ico":   "image/vnd.microsoft.icon",
	".html":  "text/html; charset=utf-8",
	".txt":   "text/plain; charset=utf-8",
}

// ContentType returns the Content-Type the [Handler] serves the file
// name with: by its extension, from the table above and then the MIME
// database, or else sniffed from the first bytes of content (the
// identity ones, not a compressed sibling's), which it reads and then
// seeks back to the start. stapler publish stores each object with it.
func ContentType(name string, content io.ReadSeeker) (string, error) {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := contentTypes[ext]; ok {
		return t, nil
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t, nil
	}
	var buf [512]byte
	n, err := io.ReadFull(content, buf[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return "", err
	}
	if _, err := content.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	return http.DetectContentType(buf[:n]), nil
}

// coding is a content coding a build (or a deploy step) may have stored
// beside a file, as the file's name and ext.
type coding struct {
	name string // the Content-Encoding token
	ext  string
}

// codings are the precompressed siblings a build writes ([Suffix]) and
// the handler looks for, in the order it prefers them when a client
// accepts several as much: Brotli and Zstandard compress text better
// than gzip.
var codings = []coding{
	{"br", ".br"},
	{"zstd", ".zst"},
	{"gzip", ".gz"},
}

// negotiate chooses among the available codings by the Accept-Encoding
// header values, after RFC 9110 section 12.5.3: a coding the header names
// has its q-value, one it does not name that of "*" if present, else it
// is not acceptable. The highest q-value wins; between equals, the order
// of codings. The winner is sent unless identity is named (itself or as
// "*") with a higher q-value, as in "gzip;q=0.5, identity". An identity
// the header does not name is acceptable but least preferred, so
// "gzip;q=0.1" still gets gzip. ok is false for identity, which is also
// the answer when no header is sent and when every coding is refused
// ("*;q=0"): the representation every client can read.
func negotiate(header []string, available []coding) (c coding, ok bool) {
	if len(header) == 0 || len(available) == 0 {
		return coding{}, false
	}
	q := parseAcceptEncoding(header)
	qOf := func(name string) float64 {
		if v, ok := q[name]; ok {
			return v
		}
		return q["*"] // 0 if absent
	}
	best, bestQ := coding{}, 0.0
	for _, c := range available {
		if v := qOf(c.name); v > bestQ {
			best, bestQ = c, v
		}
	}
	if bestQ == 0 || bestQ < qOf("identity") {
		return coding{}, false
	}
	return best, true
}

// parseAcceptEncoding returns the q-value of each coding the header
// values name, lower-cased, with "x-gzip" read as "gzip". A coding named
// twice keeps its highest q-value; a malformed q-value counts as 0, which
// refuses the coding rather than risk sending what a client cannot read.
func parseAcceptEncoding(header []string) map[string]float64 {
	q := make(map[string]float64)
	for _, value := range header {
		for elem := range strings.SplitSeq(value, ",") {
			name, params, _ := strings.Cut(elem, ";")
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			if name == "x-gzip" {
				name = "gzip"
			}
			v := 1.0
			for param := range strings.SplitSeq(params, ";") {
				k, val, _ := strings.Cut(param, "=")
				if !strings.EqualFold(strings.TrimSpace(k), "q") {
					continue
				}
				f, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
				if err != nil || !(0 <= f && f <= 1) {
					f = 0
				}
				v = f
			}
			if old, seen := q[name]; !seen || v > old {
				q[name] = v
			}
		}
	}
	return q
}

// encodingWriter adds Content-Encoding to a response that carries the
// variant's bytes, 200 or 206, and to no other: a 304, 412 or 416 carries
// none. Adding it only then also keeps ServeContent setting
// Content-Length on a 200, which it leaves out when it sees
// Content-Encoding, expecting compression on the fly.
type encodingWriter struct {
	http.ResponseWriter
	coding string
}

func (w *encodingWriter) WriteHeader(code int) {
	if code == http.StatusOK || code == http.StatusPartialContent {
		w.Header().Set("Content-Encoding", w.coding)
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets [http.ResponseController] reach the writer underneath.
func (w *encodingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
