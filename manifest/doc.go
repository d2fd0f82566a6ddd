// Package manifest reads and writes the manifest a stapler build leaves
// in its output directory: which hashed file stands for each logical name.
//
// It imports nothing but the standard library, so a Go web app can import
// it to look up URLs, render templates and serve the files without
// compiling the bundler into its binary (see "In a Go web app" below).
//
// # stapler's manifest
//
// A build writes [FileName], stapler-manifest.json, last, once every file
// it names is in place. [Manifest.Marshal] writes it and [Parse] reads it:
//
//	{
//	  "version": 1,
//	  "url": "/static/",
//	  "files": {
//	    "css/app.css": {
//	      "path": "css/app.3d5a6b2c1e9f.css",
//	      "size": 512,
//	      "integrity": "sha384-…",
//	      "bundle": "app-css",
//	      "sources": [
//	        "css/base.css",
//	        "css/theme.css"
//	      ]
//	    }
//	  }
//	}
//
// A script of an entry bundle, ES modules split into chunks, records what
// a page loads with it, in lists of logical names (on one line here;
// Marshal writes one name a line, as for "sources"):
//
//	"js/app.js": {
//	  "path": "js/app.8b1a9953c461.js",
//	  "size": 2048,
//	  "integrity": "sha384-…",
//	  "bundle": "app",
//	  "imports": ["js/chunk-ui.js"],
//	  "dynamic_imports": ["js/editor.js"],
//	  "css": ["js/app.css"],
//	  "assets": ["fonts/inter.woff2"]
//	}
//
// "imports" are the chunks it imports statically (its direct imports),
// "dynamic_imports" those it loads with import(), "css" the stylesheets its
// code imported, and "assets" the files (fonts, images) it references.
// [Manifest.Tags] follows them for a page. Each is left out when empty.
//
// The output is deterministic: fields in the order above, files sorted by
// logical name, two-space indentation, HTML characters such as < > & left
// as they are, and a final newline. The URL of a file is the "url" prefix
// followed by its "path", each element escaped
// ([Manifest.URL]).
//
// [Parse] accepts exactly what [Manifest.Marshal] writes, and Marshal
// refuses a [Manifest] that Parse would reject. The rules:
//
//   - The data is UTF-8 JSON, one object and nothing after it; no
//     unpaired \uD800–\uDFFF escapes, which would not survive decoding.
//   - Field names are matched exactly, not ignoring case. Unknown and
//     duplicate fields, and duplicate logical names, are errors.
//   - "version", "url" and "files" are required; "version" is [Version].
//     In a Manifest, a zero Version means [Version].
//   - "url" ends in a slash, like Django's STATIC_URL.
//   - Each entry has a non-empty "path". "size" is not negative.
//     "integrity", if not empty, is an SRI hash: "sha256-", "sha384-" or
//     "sha512-" and the standard base64 of a digest of the right length.
//     "sources": [] is read as no sources, and likewise "imports",
//     "dynamic_imports", "css" and "assets".
//   - Every name in "imports", "dynamic_imports", "css" and "assets" is
//     the logical name of a file of the manifest: an entry that points at
//     a chunk the manifest does not list is broken.
//   - Every logical name, path and source is a clean, relative,
//     slash-separated path, as [io/fs.ValidPath] defines it, and is not "."
//     and has no backslash: nothing in a manifest can name a file outside
//     the output directory, on any OS.
//
// # Django's manifest
//
// A build can also write [DjangoFileName], staticfiles.json, the manifest
// of Django's ManifestStaticFilesStorage, so that {% static %} finds
// stapler's files without collectstatic. [Manifest.MarshalDjango] writes
// it byte for byte as Django's save_manifest does, with Python's
// json.dumps: ", " and ": " separators, non-ASCII characters escaped as
// \uXXXX (surrogate pairs beyond U+FFFF), no final newline. The paths are
// sorted by name, where Django keeps the order collectstatic met them.
// There are two versions of the format:
//
//   - "1.0": {"paths": {...}, "version": "1.0"}. Django up to 4.1 writes
//     it, and it is the only one Django 4.1 and earlier read.
//   - "1.1": {"paths": {...}, "version": "1.1", "hash": "..."}. Django 4.2
//     and later write it and read both. The hash is [DjangoHash].
//
// [ParseDjango] reads either, more strictly than Django: the same rules
// for names and paths as above, no unknown fields, and the hash of a "1.1"
// manifest must match its paths (Django does not check it).
//
// # Hashed names
//
// A build writes each file under its logical name with the [ContentHash]
// of its bytes put in by [HashedPath]: css/app.css becomes
// css/app.3d5a6b2c1e9f.css, LICENSE becomes LICENSE.3d5a6b2c1e9f.
// [SplitHashed] takes such a name apart again, [Integrity] is what
// "integrity" records, and a precompressed sibling adds the encoding's
// [Suffix]. These are the format's only statement: the bundler names
// files with them, and [Verify] and stapler prune recognise files with
// them.
//
// # In a Go web app
//
// An app embeds the output directory and reads its manifest once, at
// start-up, with [Load]:
//
//	//go:embed static
//	var static embed.FS
//
//	func main() {
//		output, err := fs.Sub(static, "static")
//		...
//		m, err := manifest.Load(output, manifest.FileName)
//		if err != nil {
//			log.Fatal(err)
//		}
//		pages := template.Must(template.New("").Funcs(m.FuncMap()).ParseFS(templates, "*.html"))
//		mux := http.NewServeMux()
//		mux.Handle("GET /static/", m.Handler(output))
//		...
//	}
//
// An [os.DirFS] of the output directory does as well as an embed.FS.
// [Manifest.URL] returns the URL of a logical name and
// [Manifest.Integrity] its Subresource Integrity hash. Both are strict: a name that is not in the
// manifest is a [LookupError] that wraps [ErrUnknownName] and suggests the
// nearest names, as in
//
//	"css/sit.css": not in the manifest; did you mean "css/site.css"?
//
// Where Django's {% static %} raises only when the page renders in
// production and django-pipeline renders an unknown name as an empty
// string, here the error comes back to the code that asked; stapler check
// finds the same mistakes in templates before they are deployed.
//
// # Templates
//
// [Manifest.FuncMap] gives [html/template] three functions:
//
//	<link rel="stylesheet" href="{{ asset "css/site.css" }}"
//	      integrity="{{ integrity "css/site.css" }}" crossorigin="anonymous">
//	{{ module "js/app.js" }}
//
// asset is [Manifest.URL] and integrity is [Manifest.Integrity]. module
// writes what a page needs to load an entry bundle's entry, as Vite's
// manifest lets a backend do, one element a line:
//
//	<link rel="stylesheet" href="/static/js/app.3d5a6b2c1e9f.css" integrity="sha384-…" crossorigin="anonymous">
//	<link rel="modulepreload" href="/static/js/chunk-ui.5e0c7a1f2b3d.js" integrity="sha384-…">
//	<script type="module" src="/static/js/app.8b1a9953c461.js" integrity="sha384-…"></script>
//
// a stylesheet for each of the entry's and its chunks' stylesheets, a
// modulepreload for each chunk it imports statically, directly or not, so
// that the browser fetches them all at once, and the script; for a .css
// entry, only its stylesheet. What the entry loads with import() is left
// to load when the code asks for it. [Manifest.Tags] returns the same
// files as data, for other template engines. An integrity attribute is left
// out when the manifest records no hash.
//
// An unknown name stops the execution of the template with the LookupError
// (Execute returns it, wrapped with the template's name, line and column):
// a page is never rendered with an empty URL. Render into a buffer and
// write it only when Execute succeeds, so that a failure is a clean error
// response rather than half a page.
//
// # Serving
//
// [Manifest.Handler] returns a [Handler], a [net/http.Handler] that
// serves the output directory under the path of the manifest's URL
// prefix ("/static/" for "/static/" and for "https://cdn.example.com/static/",
// where it serves as the CDN's origin). Mount it at that path without
// stripping it. It answers:
//
//   - Each entry's hashed path, with "Cache-Control: public,
//     max-age=31536000, immutable": its name changes whenever its bytes do.
//   - Each logical name, when the directory has a file of that name (the
//     copies keep_unhashed writes), with "Cache-Control: public,
//     max-age=60", or [Handler.PlainCacheControl].
//   - A strong ETag: the entry's integrity hash for a hashed path, else
//     the SHA-384 of the bytes in the same form, computed once per size
//     and modification time. If-None-Match gives 304 Not Modified with the
//     same ETag, Cache-Control and Vary; If-Match, If-Range, Range (206,
//     and 416 when unsatisfiable) and HEAD work as [net/http.ServeContent]
//     defines them. Overlapping and adjacent ranges are merged first, and
//     more than 16 become the one range that spans them, so that no
//     answer to a Range is larger than the file. There is no
//     Last-Modified: an embed.FS has no times.
//   - Content-Type by extension, from a built-in table for the files a
//     build writes (.css, .js, .mjs, .json, .map, .svg, .wasm, .woff,
//     .woff2, common images and fonts), so that it does not depend on the
//     server's MIME database; then [mime.TypeByExtension]; then sniffed
//     from the first bytes. X-Content-Type-Options: nosniff.
//   - Precompressed siblings: x.br, x.zst and x.gz next to x, when the
//     directory has them, chosen by Accept-Encoding (q-values, q=0
//     refusals, "identity" and "*" as RFC 9110 defines them; br, then
//     zstd, then gzip when the client accepts several as much; x itself
//     when there is no Accept-Encoding or nothing else is acceptable),
//     with Content-Encoding and an ETag of its own (the identity one with
//     "-br", "-zstd" or "-gzip" before its closing quote). A Range applies
//     to the bytes of the variant sent. Every file response carries
//     "Vary: Accept-Encoding", so that a cache never hands gzip to a
//     client that did not ask for it. The siblings are never served under
//     their own names.
//
// Everything else is "404 page not found", the same few bytes whatever the
// reason, with no directory listing, path or error in it: names not in the
// manifest, plain names with no file, directories and trailing slashes,
// "..", "." and empty elements, escaped slashes and backslashes ("%2F",
// "%5C"), backslashes, NUL, anything outside the prefix, and the manifests
// themselves ([FileName], [DjangoFileName]). Methods other than GET and
// HEAD get 405 Method Not Allowed with "Allow: GET, HEAD".
//
// # Errors
//
// [Parse], [ParseDjango] and the Marshal methods report every problem
// they find, not just the first, as an [ErrorList] of [Error] values, each
// naming the field it is about, as in
//
//	files["css/app.css"].path: bad path "../app.css": contains ".."
//
// A syntax error stops reading; its message gives the line and byte
// column, which are also the Error's Line and Col, as they are for a
// value or key that has the wrong type, is unknown or is repeated.
// [EntryPositions] says where each entry is written, for a tool that
// reports a problem with an entry at its line. Each Error wraps one of [ErrSyntax], [ErrSchema], [ErrVersion],
// [ErrBadPath] and [ErrHashMismatch]; test for them with [errors.Is].
// [Load] puts the file's name before the list.
//
// A lookup that fails is a [LookupError] naming the logical name, wrapping
// [ErrUnknownName] (with Suggestions) or [ErrNoIntegrity].
package manifest
