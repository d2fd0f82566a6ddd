// Package finders resolves logical names and globs across ordered roots of
// static files, in the manner of Django's staticfiles finders.
//
// # Roots and logical names
//
// A [Root] is a directory of static files, given as an [fs.FS] such as
// os.DirFS("static"), (*os.Root).FS() or an [testing/fstest.MapFS]. A
// [Finder] holds roots in order; [New] makes one. A file's logical name is
// its path inside its root, slash-separated on every OS; a root with a
// Prefix, such as "bootstrap", supplies its file "css/x.css" as
// "bootstrap/css/x.css", and supplies no name outside "bootstrap/".
//
// When several roots hold the same logical name, the first root supplies
// it: it wins, and the files of later roots are hidden. [Finder.Find]
// reports both, so that a caller can warn about overrides.
//
// Logical names are relative and in UTF-8: "js/app.js", never "/js/app.js",
// "./js/app.js", "js/../js/app.js", "js//app.js" or "js\app.js".
// [ValidName] checks a name.
//
// # Finding files
//
// [Finder.Find] looks up one logical name. It compares the name with the
// roots' directory listings and never opens it, so names are case-sensitive
// on every OS: on a case-insensitive file system "js/App.js" is still not
// found when the file is "js/app.js". Instead Find reports [ErrCaseMismatch]
// with the name as it exists. A name that no root holds in any case is
// [ErrNotFound], with up to three suggestions of the nearest existing names
// (did you mean "js/application.js"?), ranked as the manifest package
// ranks a web app's unknown names, so that both suggest the same files.
//
// [Finder.Glob] returns the winning files whose logical names match a
// pattern, sorted by name; [Finder.Files] returns every winning file.
// [Finder.ReadFile] reads a file that either returned.
//
// # Patterns
//
// Glob patterns use the syntax of [github.com/bmatcuk/doublestar/v4],
// matched against whole logical names:
//
//	pattern  matches
//	*        any sequence of characters except "/"
//	**       as a whole path element: zero or more elements ("js/**/*.js")
//	?        any one character except "/"
//	[abc]    one character of the class; [^abc] or [!abc] negates it
//	{a,b}    either alternative
//
// Patterns cross roots and prefixes: "**/*.css" matches "site.css" in an
// unprefixed root and "bootstrap/css/bootstrap.css" in a root with the
// prefix "bootstrap". They match files only, never directories.
//
// Glob never succeeds silently. A pattern that matches no file is an error
// wrapping [ErrNoMatch]. A pattern that doublestar would accept but that
// could never match a logical name, such as "./js/*.js", "/js/*.js",
// "../js/*.js", "js/" or "js//*.js", is [ErrBadPattern], as is an empty or
// malformed one. Backslashes are rejected rather than taken as doublestar's
// escapes, because they are usually Windows separators; match a literal
// meta character with a class, as in "[*]".
//
// # Walking the roots
//
// New does no I/O. The first call that needs the roots walks each of them
// once, all of them in parallel, and every later call, from any goroutine,
// uses that index. A Finder does not notice files added or removed after
// that: make a new one. Any error while walking (a permission denied, say)
// is returned by every Find, Glob and Files, rather than leaving a root
// partly indexed; its path starts with the root's Dir.
//
// Regular files are indexed, and so are symbolic links to regular files.
// Symbolic links to directories are followed. A link that leads back to
// one of its own ancestors would repeat the same files without end; it is
// reported as [ErrSymlinkLoop], naming the link. Loops are detected by
// device and inode numbers where the FS reports them (os.DirFS does), and
// otherwise by refusing to descend more than 64 directories. Links whose
// targets do not exist are left out, as editors leave such links behind as
// lock files; so are devices, sockets and named pipes. No other files are
// ignored: dot files are indexed like any other.
//
// # Errors
//
// Every error from Find, Glob and Files is an [*Error], which names the
// operation and the name or pattern, like [fs.PathError], and wraps one of
// the sentinel errors ([ErrNotFound], [ErrCaseMismatch], [ErrNoMatch],
// [ErrBadPattern], [ErrInvalidName], [ErrSymlinkLoop]) or an I/O error
// from a root. Test for them with [errors.Is]; read Suggestions and Detail
// with [errors.As].
package finders
