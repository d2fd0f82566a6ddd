package bundler

// The codes of the diagnostics stapler makes itself, one per kind of
// mistake: what [Diagnostic.Code] holds, what `stapler check
// --format=json` prints as "code" and GitHub annotations as their title.
// They are stable; match on them, not on messages. docs/errors.md has an
// example and the fix of each, and a test keeps that page equal to this
// list.
//
// A message of esbuild's that has an ID of its own
// ("unsupported-css-property", "css-syntax-error", ...) keeps that ID as
// its code; [CodeSyntax], [CodeMinifyWarning] and [CodeBundle] are for
// the few that have none.
const (
	// The config.

	CodeSyntax         = "syntax"           // TOML syntax; a JavaScript or CSS syntax error without an esbuild ID
	CodeUnknownKey     = "unknown-key"      // a key stapler does not know, with the nearest known key
	CodeType           = "type"             // a value, or an array element, of the wrong TOML type
	CodeBadValue       = "bad-value"        // a value of the right type that cannot be used
	CodeMissing        = "missing"          // a required key is absent
	CodeRoot           = "root"             // a root that does not exist, is not a directory, or cannot be read
	CodeLinkOutside    = "link-outside"     // warning: a symbolic link in a root that leads out of it and the project
	CodeLinkSystem     = "link-system"      // a symbolic link in a root that leads into a system directory (/etc, /proc…)
	CodeCacheIgnored   = "cache-ignored"    // warning: a build cache that could not be read, rebuilt
	CodeNothingToBuild = "nothing-to-build" // warning: a config with no bundle and no [collect]

	CodeCredentialsInConfig = "credentials-in-config" // a key of [publish] that looks like a credential

	// Names and globs.

	CodeNotFound         = "not-found"          // a source name or entry in no root
	CodeCaseMismatch     = "case-mismatch"      // a name that exists only with another case
	CodeBadName          = "bad-name"           // a name that is not a logical name ("..", "/x", a backslash)
	CodeNoMatch          = "no-match"           // a glob that matches no file
	CodeBadPattern       = "bad-pattern"        // an invalid glob, or one that would match nothing by its form
	CodeExcludeUnused    = "exclude-unused"     // a "!" exclusion that removes nothing
	CodeAllowEmptyUnused = "allow-empty-unused" // an allow_empty entry that is not one of the bundle's sources
	CodeDuplicateSource  = "duplicate-source"   // a name listed twice in one bundle
	CodeEmptyBundle      = "empty-bundle"       // a bundle whose sources resolve to no file
	CodeWrongType        = "wrong-type"         // a source of the wrong type for its bundle

	// Outputs.

	CodeBadOutput          = "bad-output"            // an output outside the output directory, or of the wrong type
	CodeDuplicateOutput    = "duplicate-output"      // two bundles with one output
	CodeOutputShadowsSrc   = "output-shadows-source" // an output named as a file of a root
	CodeOutputOverlapsRoot = "output-overlaps-root"  // the output directory inside a root, or a root inside it
	CodeEmptyOutput        = "empty-output"          // a bundle whose sources hold no code

	CodeDuplicatePipelineName = "duplicate-pipeline-name" // two bundles of one type answering to one django-pipeline name

	// References in stylesheets and scripts.

	CodeURLNotFound       = "url-not-found"       // a url(), @import or module specifier naming no file
	CodeSourceMapNotFound = "sourcemap-not-found" // a sourceMappingURL naming no file
	CodeReferenceExcluded = "reference-excluded"  // a reference to a file [collect] exclude leaves out
	CodePatternUnused     = "pattern-unused"      // a [collect] exclude or [references] glob that matches nothing
	CodeImportOrder       = "import-order"        // an @import that would land after other rules once joined
	CodeDynamicImport     = "dynamic-import"      // a warning: an import() of anything but a string

	// Entry bundles.

	CodeBadEntry       = "bad-entry"        // an entry that is not a script or a stylesheet
	CodeImportNotFound = "import-not-found" // an import naming nothing in the roots
	CodeBareImport     = "bare-import"      // a package import with no node_modules, or not found in them
	CodeAbsoluteImport = "absolute-import"  // an import of an absolute path
	CodeBundle         = "bundle"           // an esbuild problem while bundling, without an ID of its own

	// The assembly of a script bundle (warnings).

	CodeGlobalOrder     = "global-order"     // a source reads, as it loads, a global only a later source declares
	CodeStrictLeak      = "strict-leak"      // "use strict" atop a bundle's first source applies to every later one
	CodeDuplicateGlobal = "duplicate-global" // two sources of a bundle declare one global

	// Minifying and source maps.

	CodeMinifyWarning    = "minify-warning"    // an esbuild warning while minifying, without an ID of its own
	CodeMinify           = "minify"            // a collected SVG or JSON file that cannot be parsed
	CodeMinifyLimited    = "minify-limited"    // a warning: a stylesheet too repetitive for esbuild's syntax minification, minified without it
	CodeSourceMap        = "sourcemap"         // a source map that cannot be read
	CodeSourceMapShared  = "sourcemap-shared"  // a map that [collect] minify remakes for one file, used by another
	CodeSourceMapDropped = "sourcemap-dropped" // a warning: a link to another site's map, dropped
	CodeSourceMapSources = "sourcemap-sources" // a warning: a served map whose sources lead nowhere, without sourcesContent

	// What is shipped.

	CodeUnused = "unused" // a warning (an error by [collect] unused): a collected file nothing refers to

	// Templates.

	CodeTemplateUnknownName   = "template-unknown-name"   // a static reference to a name the build did not make
	CodeTemplateUnknownBundle = "template-unknown-bundle" // a django-pipeline tag naming no bundle
	CodeTemplateWrongBundle   = "template-wrong-bundle"   // {% javascript %} of a stylesheet bundle, or the reverse
	CodeTemplateBundleSource  = "template-bundle-source"  // a warning: a static reference to a bundle's source, not the bundle

	// Verify.

	CodeManifest          = "manifest"           // no manifest in the directory, or one that does not parse
	CodeMissingFile       = "missing-file"       // a file a manifest names is not there
	CodeFileMismatch      = "file-mismatch"      // a file whose size, integrity or hash is not the manifest's
	CodeManifestsDisagree = "manifests-disagree" // the two manifests name different files for one name
	CodeStale             = "stale"              // a deployed file the current sources make differently
	CodeNotDeployed       = "not-deployed"       // a file the current sources make that is not deployed
	CodeNotMade           = "not-made"           // a deployed entry the current sources no longer make
)
