"""stapler's manifest, stapler-manifest.json, read as the Go package
github.com/stapler-build/stapler/manifest reads it.

This module does not import Django: the template tags call it, and so can
Jinja2 globals or any other Python code. It answers the same questions as
the Go package, with the same answers for the same manifest, down to the
bytes of the HTML and of the error messages, which a shared test table
(testdata/manifest/tags.json) holds both to:

- Manifest.url(name): the manifest's URL prefix and the entry's hashed
  path, each path element escaped as Go's url.PathEscape does (manifest.URL);
- Manifest.integrity(name): the entry's SRI hash (manifest.Integrity);
- Manifest.tags(name): the entry's stylesheets, modulepreloads and script
  (manifest.Tags);
- Manifest.module(name): those as HTML, one element a line (the Go
  template function module).

An unknown name raises UnknownName, whose message names the nearest known
names, ranked as stapler's internal/suggest ranks them.
"""

import base64
import json

FILE_NAME = "stapler-manifest.json"
VERSION = 1

_ENTRY_FIELDS = ("path", "size", "integrity", "bundle", "sources", "imports",
                 "dynamic_imports", "css", "assets", "encodings")
_LISTS = ("sources", "imports", "dynamic_imports", "css", "assets")
_REFERENCES = ("imports", "dynamic_imports", "css", "assets")
_ENCODINGS = ("br", "gzip", "zstd")
_DIGEST_SIZES = {"sha256": 32, "sha384": 48, "sha512": 64}


class ManifestError(ValueError):
    """A manifest that stapler's Go package would refuse to read. problems
    lists every one found, each "field: what is wrong"; the message is the
    first, and how many more, on one line."""

    def __init__(self, path, problems):
        self.path = path
        self.problems = problems
        first = problems[0]
        more = len(problems) - 1
        if more == 1:
            first += " (and 1 more error)"
        elif more > 1:
            first += " (and %d more errors)" % more
        super().__init__("%s: %s" % (path, first) if path else first)


class StaplerLookupError(LookupError):
    """A logical name a manifest cannot answer for, as the Go package's
    LookupError: name as asked for, and its message on one line."""

    reason = ""

    def __init__(self, name, suggestions=()):
        self.name = name
        self.suggestions = list(suggestions)
        super().__init__(self._message())

    def _message(self):
        msg = go_quote(self.name) + ": " + self.reason
        for i, s in enumerate(self.suggestions):
            if i == 0:
                msg += "; did you mean "
            elif i == len(self.suggestions) - 1:
                msg += " or "
            else:
                msg += ", "
            msg += go_quote(s)
        if self.suggestions:
            msg += "?"
        return msg


class UnknownName(StaplerLookupError):
    """The logical name is not in the manifest; suggestions holds the
    nearest known names, best first, at most three."""

    reason = "not in the manifest"


class NoIntegrity(StaplerLookupError):
    """The manifest records no integrity hash for the name."""

    reason = "no integrity hash in the manifest"


class Asset:
    """One file a page loads: its URL and its SRI hash ("" when the
    manifest records none)."""

    __slots__ = ("url", "integrity")

    def __init__(self, url, integrity):
        self.url = url
        self.integrity = integrity

    def __eq__(self, other):
        return isinstance(other, Asset) and (self.url, self.integrity) == (other.url, other.integrity)

    def __repr__(self):
        return "Asset(%r, %r)" % (self.url, self.integrity)


class Tags:
    """The files a page loads for one entry (manifest.Tags): script (None
    for a stylesheet), preloads and styles, lists of Asset."""

    __slots__ = ("script", "preloads", "styles")

    def __init__(self, script=None, preloads=(), styles=()):
        self.script = script
        self.preloads = list(preloads)
        self.styles = list(styles)

    def __eq__(self, other):
        return isinstance(other, Tags) and (self.script, self.preloads, self.styles) == (
            other.script, other.preloads, other.styles)

    def __repr__(self):
        return "Tags(script=%r, preloads=%r, styles=%r)" % (self.script, self.preloads, self.styles)


class Manifest:
    """A stapler manifest: prefix, the URL prefix ("url"), and files, each
    logical name's entry as a dict of the JSON's fields."""

    def __init__(self, prefix, files):
        self.prefix = prefix
        self.files = files

    @classmethod
    def load(cls, path):
        """load reads the manifest at path, refusing, with a ManifestError
        naming path, what stapler's Go package refuses to read."""
        with open(path, "rb") as f:
            data = f.read()
        return cls.parse(data, path)

    @classmethod
    def parse(cls, data, path=""):
        """parse reads a manifest from bytes or str."""
        if isinstance(data, bytes):
            try:
                data = data.decode("utf-8")
            except UnicodeDecodeError as e:
                raise ManifestError(path, ["syntax error: invalid UTF-8 at byte %d" % e.start])
        try:
            doc = json.loads(data, object_pairs_hook=_Object)
        except ValueError as e:
            raise ManifestError(path, ["syntax error: %s" % e])
        problems = _check(doc)
        if problems:
            raise ManifestError(path, problems)
        return cls(doc["url"], {name: dict(e) for name, e in doc["files"]})

    def _entry(self, name):
        e = self.files.get(name)
        if e is None:
            raise UnknownName(name, nearest(name, list(self.files)))
        return e

    def url(self, name):
        """url returns the URL of the file the build wrote for name, or
        raises UnknownName (manifest.URL)."""
        return self.prefix + "/".join(path_escape(s) for s in self._entry(name)["path"].split("/"))

    def integrity(self, name):
        """integrity returns the SRI hash of name's file, or raises
        UnknownName, or NoIntegrity when the manifest records none: an empty
        integrity attribute would turn the check off without a word."""
        i = self._entry(name).get("integrity", "")
        if not i:
            raise NoIntegrity(name)
        return i

    def _asset(self, name):
        return Asset(self.url(name), self.files[name].get("integrity", ""))

    def tags(self, name):
        """tags returns the Tags of name: its script (or, for a .css name,
        its stylesheet), the chunks it imports statically, directly or not,
        depth first, each once, and the stylesheets of it and of each of
        those, each once (manifest.Tags)."""
        me = self._asset(name)
        t = Tags()
        visited = {name}  # scripts, so that cycles end
        styled = set()
        if _equal_fold(_ext(name), ".css"):
            t.styles.append(me)
            styled.add(name)
        else:
            t.script = me

        # Depth first, as the Go code's recursion, with an explicit stack
        # so that a long chain of chunks cannot reach Python's recursion
        # limit: each frame is an entry and how far its imports have gone.
        def css_of(entry):
            for c in entry.get("css", ()):
                if c in styled:
                    continue
                styled.add(c)
                t.styles.append(self._asset(c))

        entry = self.files[name]
        css_of(entry)
        stack = [[entry.get("imports", ()), 0]]
        while stack:
            frame = stack[-1]
            imports, i = frame
            if i == len(imports):
                stack.pop()
                continue
            frame[1] = i + 1
            imp = imports[i]
            if imp in visited:
                continue
            visited.add(imp)
            t.preloads.append(self._asset(imp))
            chunk = self._entry(imp)
            css_of(chunk)
            stack.append([chunk.get("imports", ()), 0])
        return t

    def module(self, name):
        """module returns the HTML that loads name's entry, one element a
        line, byte for byte as the Go template function module writes it:
        a stylesheet link for each of the styles (with crossorigin when it
        has an integrity hash), a modulepreload for each of the preloads,
        then the module script; for a .css name, only the stylesheet.
        Attribute values are escaped as Go's html.EscapeString does."""
        t = self.tags(name)
        lines = []

        def tag(start, attr, a, extra, end):
            line = '%s %s="%s"' % (start, attr, html_escape(a.url))
            if a.integrity:
                line += ' integrity="%s"%s' % (html_escape(a.integrity), extra)
            lines.append(line + end)

        for a in t.styles:
            tag('<link rel="stylesheet"', "href", a, ' crossorigin="anonymous"', ">")
        for a in t.preloads:
            tag('<link rel="modulepreload"', "href", a, "", ">")
        if t.script is not None:
            tag('<script type="module"', "src", t.script, "", "></script>")
        return "\n".join(lines)


class _Object(list):
    """A JSON object as the list of its members, in order, so that
    duplicate keys are seen rather than kept silently."""

    def keys(self):
        return [k for k, _ in self]

    def get(self, key, default=None):
        for k, v in self:
            if k == key:
                return v
        return default

    def __getitem__(self, key):
        if isinstance(key, str):
            for k, v in self:
                if k == key:
                    return v
            raise KeyError(key)
        return super().__getitem__(key)


def _member(field, name):
    return "%s[%s]" % (field, go_quote(name))


def _check(doc):
    """_check returns every problem of doc as a stapler manifest, in the
    Go package's words where it has rules of its own."""
    problems = []
    if not isinstance(doc, _Object):
        return ["invalid manifest: want an object"]
    _duplicates(doc, "", problems)
    for key in doc.keys():
        if key not in ("version", "url", "files"):
            problems.append("invalid manifest: unknown field %s" % go_quote(key))
    for key in ("version", "url", "files"):
        if key not in doc.keys():
            problems.append("invalid manifest: missing field %s" % go_quote(key))
    version = doc.get("version")
    if version is not None:
        if type(version) is not int:
            problems.append("version: invalid manifest: want a number")
        elif version != VERSION:
            problems.append("version: unsupported version %d, want %d" % (version, VERSION))
    url = doc.get("url")
    if url is not None:
        if not isinstance(url, str):
            problems.append("url: invalid manifest: want a string")
        elif not url.endswith("/"):
            problems.append("url: invalid manifest: URL prefix %s does not end in a slash" % go_quote(url))
    files = doc.get("files")
    if files is None:
        return problems
    if not isinstance(files, _Object):
        problems.append("files: invalid manifest: want an object")
        return problems
    _duplicates(files, "files", problems)
    names = set(files.keys())
    for name, e in sorted(files, key=lambda kv: kv[0]):
        field = _member("files", name)
        why = _bad_path(name)
        if why:
            problems.append("%s: bad path %s: %s" % (field, go_quote(name), why))
        if not isinstance(e, _Object):
            problems.append("%s: invalid manifest: want an object" % field)
            continue
        _duplicates(e, field, problems)
        for key in e.keys():
            if key not in _ENTRY_FIELDS:
                problems.append("%s: invalid manifest: unknown field %s" % (field, go_quote(key)))
        p = e.get("path")
        if p is None:
            problems.append("%s: invalid manifest: missing field \"path\"" % field)
        elif not isinstance(p, str):
            problems.append("%s.path: invalid manifest: want a string" % field)
        elif p == "":
            problems.append("%s.path: invalid manifest: empty path" % field)
        elif _bad_path(p):
            problems.append("%s.path: bad path %s: %s" % (field, go_quote(p), _bad_path(p)))
        size = e.get("size", 0)
        if type(size) is not int:
            problems.append("%s.size: invalid manifest: want a number" % field)
        elif size < 0:
            problems.append("%s.size: invalid manifest: negative size %d" % (field, size))
        for key in ("integrity", "bundle"):
            if not isinstance(e.get(key, ""), str):
                problems.append("%s.%s: invalid manifest: want a string" % (field, key))
        integrity = e.get("integrity", "")
        if isinstance(integrity, str) and integrity:
            why = _bad_integrity(integrity)
            if why:
                problems.append("%s.integrity: invalid manifest: integrity %s: %s" % (field, go_quote(integrity), why))
        for key in _LISTS:
            items = e.get(key, [])
            if not isinstance(items, list) or isinstance(items, _Object) or not all(isinstance(s, str) for s in items):
                problems.append("%s.%s: invalid manifest: want an array of strings" % (field, key))
                continue
            for i, s in enumerate(items):
                if key == "sources":
                    why = _bad_path(s)
                    if why:
                        problems.append("%s.sources[%d]: bad path %s: %s" % (field, i, go_quote(s), why))
                elif s not in names:
                    problems.append("%s.%s[%d]: invalid manifest: %s is not a file of the manifest" % (field, key, i, go_quote(s)))
        encodings = e.get("encodings", _Object())
        if not isinstance(encodings, _Object):
            problems.append("%s.encodings: invalid manifest: want an object" % field)
            continue
        for enc, n in sorted(encodings, key=lambda kv: kv[0]):
            if enc not in _ENCODINGS:
                problems.append("%s: invalid manifest: unknown encoding %s, want br, gzip or zstd" % (_member(field + ".encodings", enc), go_quote(enc)))
            elif type(n) is not int or n <= 0:
                problems.append("%s: invalid manifest: size %s" % (_member(field + ".encodings", enc), n))
    return problems


def _duplicates(obj, field, problems):
    seen = set()
    for k in obj.keys():
        if k in seen:
            where = field + ": " if field else ""
            problems.append("%sinvalid manifest: duplicate field %s" % (where, go_quote(k)))
        seen.add(k)


def _bad_path(p):
    """_bad_path returns why p is not a clean, relative, slash-separated
    path, or "" (the Go package's checkPath)."""
    if p == "":
        return "empty"
    if p.startswith("/"):
        return "absolute"
    if "\\" in p:
        return "contains a backslash"
    elems = p.split("/")
    if ".." in elems:
        return 'contains ".."'
    if "." in elems:
        return 'contains "."'
    if "" in elems:
        return "has an empty element"
    return ""


def _bad_integrity(s):
    """_bad_integrity returns why s is not an SRI hash, or "" (the Go
    package's checkIntegrity)."""
    alg, _, b64 = s.partition("-")
    size = _DIGEST_SIZES.get(alg)
    if size is None:
        return "want sha256-, sha384- or sha512-"
    try:
        digest = base64.b64decode(b64, validate=True)
    except ValueError:
        digest = b""
    # Strict, as Go's: padded, and the padding bits zero, so that the text
    # is the one encoding of the digest.
    if len(digest) != size or base64.b64encode(digest).decode() != b64:
        return "want the base64 of a %d-byte %s digest" % (size, alg)
    return ""


# What Go's url.PathEscape leaves as it is: letters, digits, "-._~" and
# "$&+:=@"; everything else is %XX, upper case, byte by byte of UTF-8.
_PATH_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~$&+:=@")


def path_escape(segment):
    """path_escape escapes one path segment as Go's url.PathEscape does."""
    return "".join(chr(b) if b in _PATH_SAFE else "%%%02X" % b for b in segment.encode("utf-8"))


_HTML_ESCAPES = {"&": "&amp;", "'": "&#39;", "<": "&lt;", ">": "&gt;", '"': "&#34;"}


def html_escape(s):
    """html_escape escapes s as Go's html.EscapeString does (Django's
    escape writes &#x27; and &quot; for the same characters)."""
    return "".join(_HTML_ESCAPES.get(c, c) for c in s)


def go_quote(s):
    """go_quote quotes s as Go's strconv.Quote does: printable characters
    as they are, \\" and \\\\, the usual \\n-style escapes, else \\xXX below
    U+0080 and \\uXXXX or \\UXXXXXXXX above."""
    out = ['"']
    named = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
             '"': '\\"', "\\": "\\\\"}
    for c in s:
        r = ord(c)
        if c in named:
            out.append(named[c])
        elif c == " " or (c.isprintable() and r >= 0x20):
            out.append(c)
        elif r < 0x20 or r == 0x7F:
            out.append("\\x%02x" % r)
        elif 0xD800 <= r < 0xE000:
            out.append("\\ufffd")  # Go's utf8.ValidRune refuses surrogates
        elif r < 0x10000:
            out.append("\\u%04x" % r)
        else:
            out.append("\\U%08x" % r)
    out.append('"')
    return "".join(out)


# The did-you-mean: a port of stapler's internal/suggest, which ranks for
# the command and for the Go manifest package alike.

_MOST = 3


def nearest(name, candidates):
    """nearest returns the candidates nearest to name, best first, at most
    three: first those that differ only in case, then those within a few
    edits (at most a third of the last path element's length, and never
    less than 2), then those with the same last element in another
    directory, nearest directory first; ties by name."""
    base = _base(name)
    limit = max(2, len(base) // 3)
    best = []
    for c in candidates:
        if _equal_fold(c, name):
            d = 0
        else:
            d = _distance(name, c, limit)
            if d > limit:
                if _base(c) != base:
                    continue
                d = limit + 1 + _distance(_dir(name), _dir(c), len(c) + len(name))
        best.append((d, c))
    best.sort()
    return [c for _, c in best[:_MOST]]


def _distance(a, b, limit):
    """_distance is the Levenshtein distance of a and b, or some number
    above limit as soon as it must exceed it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
        if min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[len(b)]


def _equal_fold(a, b):
    """_equal_fold is Go's strings.EqualFold: the same length in characters
    and each pair equal under simple case folding."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if x == y:
            continue
        xl, yl, xu, yu = x.lower(), y.lower(), x.upper(), y.upper()
        if len(xl) == len(yl) == 1 and xl == yl:
            continue
        if len(xu) == len(yu) == 1 and xu == yu:
            continue
        return False
    return True


def _base(p):
    """_base is Go's path.Base."""
    if p == "":
        return "."
    p = p.rstrip("/")
    if p == "":
        return "/"
    return p[p.rfind("/") + 1:]


def _dir(p):
    """_dir is Go's path.Dir: all but the last element, cleaned."""
    return _clean(p[:p.rfind("/") + 1])


def _clean(p):
    """_clean is Go's path.Clean."""
    if p == "":
        return "."
    rooted = p.startswith("/")
    out = []
    for elem in p.split("/"):
        if elem in ("", "."):
            continue
        if elem == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append("..")
            continue
        out.append(elem)
    s = "/".join(out)
    if rooted:
        return "/" + s
    return s or "."


def _ext(p):
    """_ext is Go's path.Ext."""
    i = len(p) - 1
    while i >= 0 and p[i] != "/":
        if p[i] == ".":
            return p[i:]
        i -= 1
    return ""
