// Package scan finds the references one file makes to others: the url()s
// and @imports of a stylesheet, the module specifiers of a script, the
// sourceMappingURL comment of either, and the static asset names of a
// template. It is the part of stapler's bundler that reads source text;
// the bundler decides what each reference names, reports the problems,
// and rewrites the references to hashed names.
//
// Every scanner takes the file's bytes and returns plain data: a [Ref] or
// [TemplateRef] holds byte offsets into those bytes and the text as
// written. Nothing here knows file names, lines, roots or the URL prefix,
// and nothing fails: text that is not a reference is passed over, and
// text the tokenizer cannot read (an unterminated regular expression)
// ends the scan early rather than erroring. The caller
// turns offsets into lines and columns, once it has a problem to report.
//
// # Offsets
//
// For a [Ref] r found in src:
//
//   - src[r.At:] begins with r.Text, the whole reference as written
//     (url("x"), @import "x", the specifier's string, the comment);
//   - src[r.Start:r.End] is the URL as written: quotes and the spaces
//     inside url( ) left out, so that replacing that range with another
//     URL keeps the rest of the file byte for byte. r.URL is that text as
//     the file's language reads it: in a stylesheet, CSS escapes decoded
//     (a backslash before a newline in a string dropped, \2e a "."),
//     %-encoding not undone; [Ref.Escape] writes another URL for that
//     range;
//   - At <= Start <= End <= len(src).
//
// These hold for any input; the fuzz tests check them.
//
// # Stylesheets
//
// [CSS] returns a [Stylesheet]: its references in source order, and the
// two offsets that concatenating stylesheets must know, where a leading
// @charset rule ends and where the first rule is (an @import after it is
// ignored by browsers once files are joined; [Ref.Leading] marks those
// before it). It finds url() in any letter case, quoted or not, wherever
// a declaration or at-rule holds it, including custom properties; the
// URL of an @import, as a string or a url(); and a /*# sourceMappingURL=
// */ comment. It does not read other strings as URLs: image-set("a.png")
// and a string src in @font-face are not references, and an @import
// inside a block is not an import (a url() there is found as any other).
//
// [CSSRepetition] measures what makes a minifier that merges and drops
// duplicate rules slow: how many distinct rules share one block of
// declarations. It keeps a count per distinct rule, not the rules.
//
// # Scripts
//
// [JS] returns, in source order, the //# sourceMappingURL= comment (or
// the older //@ form) and the module specifiers of import declarations,
// of export … from and of import() with a string argument. An import()
// of anything else comes back with [Ref.Dynamic] set: it cannot be
// rewritten, and the caller may warn. It does not find require(),
// new URL("x", import.meta.url), or URLs in strings in general: only the
// module syntax says a string names a file.
//
// Whether a "/" starts a regular expression or is a division depends on
// the grammar, not on the tokens; JS decides by the token before it, as
// most tokenizers do without a parser. After a closing brace it assumes
// a division, which is wrong after a block: a regular expression there
// may hide the references after it.
//
// # Templates
//
// [Template] returns the static references of a template: Django's
// {% static "x" %}, django-pipeline's {% stylesheet "x" %} and
// {% javascript "x" %} (a bundle's name, [TemplateRef.Bundle]), Jinja2's
// {{ static("x") }}, the named functions of Go templates in call, space
// and pipe form ({{ asset "x" }}, {{ "x" | asset }}), and the "name"
// group of each custom pattern. A name's query and fragment are dropped.
// A reference built from a variable is returned with
// [TemplateRef.Dynamic] set, since no one can check it before the page
// is rendered, and so is a literal changed by a filter ('X'|lower); a
// filter that cannot change a non-empty literal ('x'|default:'y') leaves
// it a name. Comments are skipped: {# #}, {% comment %}…{% endcomment %}
// and {{/* */}}; so is what a template prints as written, Django's
// {% verbatim %}…{% endverbatim %} and Jinja2's {% raw %}…{% endraw %}. The tags' own references come first, in order, then
// each pattern's matches. It does not read the host language: an HTML
// src or href that names a file directly is found only by a custom
// pattern.
//
// # Why tokenizers
//
// Stylesheets and scripts are read with tdewolff/parse's CSS and JS
// tokenizers, which follow CSS Syntax Level 3 and ECMAScript's lexical
// grammar. A regular expression over the text would take url() in a
// comment, or an import in a string or template literal, for a
// reference; a full parser (esbuild's) would refuse a file with one
// syntax error and does not keep the text as written. A tokenizer keeps
// every byte, so the offsets are exact, and reads on past most of what
// a parser would reject. Template languages have no such tokenizer and share
// only their delimiters, so Template is a small scanner of {% %}, {{ }}
// and {# #} blocks.
//
// The package imports the standard library and tdewolff/parse only.
package scan
