// Package manifest reads and writes the manifest a stapler build leaves
// in its output directory: which hashed file stands for each logical name.
//
// It imports nothing but the standard library, so a Go web app can import
// it to look up URLs without compiling the bundler into its binary.
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
// The output is deterministic: fields in the order above, files sorted by
// logical name, two-space indentation, HTML characters such as < > & left
// as they are, and a final newline. The URL of a file is the "url" prefix
// followed by its "path".
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
//     "sources": [] is read as no sources.
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
// # Errors
//
// [Parse], [ParseDjango] and the Marshal methods report every problem
// they find, not just the first, as an [ErrorList] of [Error] values, each
// naming the field it is about, as in
//
//	files["css/app.css"].path: bad path "../app.css": contains ".."
//
// A syntax error stops reading; its message gives the line and byte
// column. Each Error wraps one of [ErrSyntax], [ErrSchema], [ErrVersion],
// [ErrBadPath] and [ErrHashMismatch]; test for them with [errors.Is].
package manifest
