// Command stapler builds a project's static files from its assets.toml:
// bundles concatenated and minified, every file hash-named, references
// rewritten, a manifest of its own and Django's staticfiles.json. It
// reports every mistake in the project at the line that holds it, all in
// one run, and writes nothing until there are none.
//
// # Synopsis
//
//	stapler init    [-c file] [--force] [--python program] [--settings module]
//	stapler build   [-c file] [-q] [-v] [--format text|json|github] [--no-cache] [--strict]
//	stapler check   [-c file] [-q] [-v] [--against DIR] [--format text|json|github] [--no-cache] [--strict] [--unused]
//	stapler find    [-c file] [-v] NAME...
//	stapler watch   [-c file] [-v] [--format text|json|github] [--no-cache]
//	stapler verify  [-c file] [--format text|json|github] DIR|BUCKET
//	stapler prune   [-c file] [-n] [-v] [--keep N] [--min-age D] [DIR|BUCKET]
//	stapler publish [-c file] [-n] [-q] [-v] [--format text|json|github] [BUCKET]
//	stapler version
//
// stapler help prints the same synopsis, made from the commands' flag
// sets; a test holds this copy to them. A flag of one letter takes one
// dash and a longer one two, as written here; Go's flag package accepts
// either, and --format=json as well as --format json. Flags may come
// before or after the arguments (stapler verify DIR --format=json,
// stapler find NAME -v); after --, every word is an argument.
// A mistyped command gets a did-you-mean.
//
// # Commands
//
// init writes assets.toml for the Django project whose manage.py is in
// the config's directory: it runs the project's own Python (--python; by
// default the interpreter manage.py's #! line names, when it is there,
// else python3) to read the settings as Django resolves them
// (--settings, else $DJANGO_SETTINGS_MODULE, else the module manage.py's
// os.environ.setdefault names) and writes, with a comment on each, the
// roots in the order of Django's finders, [collect] with the project's
// ignore patterns, [manifest] in the format its Django reads, [templates]
// over its template directories, and a bundle per PIPELINE group. What
// stapler does not do (pipeline's compilers, variant, JavaScript
// templates, a finder with no counterpart) is a comment in the file and a
// "not carried over" line on stderr. Without manage.py, it writes a
// commented starter config from the static/ and templates/ directories
// it finds. It never overwrites a config without --force. A Python that
// cannot read the settings exits 2 with Python's last line
// (ModuleNotFoundError: No module named 'django'). docs/init.md has the
// details.
//
// build checks the project, then writes its outputs and manifests, each
// file under a temporary name renamed into place, the manifests last, and
// prints one line:
//
//	stapler build: 4 bundles, 19 collected, 23 files read, 5.1 kB → 9.6 kB in 453ms (142 written, 0 unchanged, 40 compressed); 21 template references checked in 4 files, 3 skipped (built from variables)
//
// check does everything build does but compressing (which cannot find a
// problem), minification included, in memory, and writes nothing: the CI
// step that fails a pull request with a typo in it. With --against DIR it
// also verifies the deployed directory DIR, as verify does.
//
// watch builds, then builds again after every change to the config, a
// file of a root or anything else under the config's directory (the
// templates), until interrupted. fsnotify watches each directory, and each
// new one as it appears; a burst of events is one rebuild. A failed build
// prints its positioned errors and the watch goes on: the output and the
// manifest are only ever replaced by a complete, successful build. Each
// rebuild reads every file again, minifies only what changed since the
// last build, and writes only what changed; an entry bundle is bundled by
// esbuild anew each time. Files in node_modules are not watched.
//
// find shows which root supplies each NAME and which files of later roots
// it hides, as Django's findstatic does; a name in no root exits 1 with a
// did-you-mean, and with -v the roots searched, in order.
//
// verify checks an output directory as it was deployed, copied or synced:
// its manifests parse and agree; every file they name is there with its
// recorded size, integrity and name hash; each plain copy holds its hashed
// file's bytes; each precompressed sibling has its recorded size, and a
// gzip one decompresses to its file. Given the config (-c, or assets.toml
// when it exists), it also checks that the deployed manifest is what a
// build of the current sources makes, each stale, undeployed or
// no-longer-made entry listed at its line of stapler-manifest.json.
//
// prune deletes the hashed files that no manifest of the last N builds
// names (--keep, default 3, the current build included) and that are
// older than D (--min-age, default 1h), so that browsers holding pages of
// a previous deploy still get their files: Phoenix's and Propshaft's
// policy. The precompressed siblings of a hashed file go with it. It
// also deletes temporary files a failed build left, and, as old, the
// replaced manifests the history no longer lists. It never deletes a file
// the current manifest names, a plain copy, the current manifests or a
// replaced one the history lists. Builds keep the manifests they replace
// in <output>/.stapler/history/ for it, newest first in
// .stapler/history.json, at most 10, and remove the one that falls off.
// DIR defaults to the config's output.
//
// publish sends the config's output directory, as a build left it, to an
// S3-compatible bucket: BUCKET, an s3:// URL with a prefix
// (s3://static/site/), or the config's [publish] bucket, reached at its
// endpoint (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL overrides it). It
// lists the prefix once, then uploads, Concurrency at a time, the hashed
// files and their precompressed siblings the bucket lacks (immutable
// caching), then the plain copies whose bytes changed (short caching),
// then the bucket's replaced manifest into its history, then the
// manifests: a reader of the bucket's manifest never meets a name whose
// object is not there. Interrupted, it leaves the previous manifest in
// place; run again, it uploads only what is missing, and with nothing new
// it makes the listing and no upload. -n lists what would be uploaded.
// Credentials come from the environment, the shared AWS files or an
// instance role, never from assets.toml. A wrong credential, a missing
// bucket or an unreachable endpoint fails at the listing, before any
// upload; any failure names the object and the server's answer, with
// exit status 2. On a terminal it shows the objects and bytes uploaded.
//
//	stapler publish: s3://static/site/: uploaded 12 objects (48.1 kB), 301 up to date, in 412ms
//
// verify and prune accept an s3:// URL for DIR: verify downloads every
// object the bucket's manifests name and checks it as it checks a file;
// prune deletes the hashed objects that no manifest of the bucket's last N
// publishes names and that are older than D by their Last-Modified, with
// the history that publish keeps in the bucket's .stapler/. Both reach the
// bucket as publish does, with the config's [publish] when the config
// exists.
//
// version prints stapler's version: the module version of a go install,
// the version packaging/build.sh stamped into a binary of a wheel or an
// npm package, or (devel) for a build from a work tree.
//
// Paths in assets.toml are relative to its own directory, wherever
// stapler runs.
//
// # Flags
//
//	-c file         the config; default assets.toml in the current directory
//	--force         init: overwrite the config if it exists
//	--python P      init: the project's Python, a program name or a path
//	--settings M    init: the settings module, as manage.py's --settings
//	-q              build, check, publish: print nothing on success
//	-v              build, check: list each output ("js/stats.js → js/stats.5029da091577.js (804 B)");
//	                build, check, watch: show the roots searched, in order, for a name not found;
//	                prune: list each file deleted; publish: list each object uploaded
//	-n              prune: list what would be deleted, delete nothing;
//	                publish: list what would be uploaded, upload nothing
//	--against DIR   check: also verify the deployed output directory DIR
//	--format F      how problems are printed: text (the default), json or github (see Diagnostics)
//	--strict        build, check: warnings are errors too, and fail the command (as strict = true in the config)
//	--unused        check: a warning for each collected file that no template, stylesheet, script,
//	                source map or bundle refers to, with its size; then the count and bytes by root
//	--keep N        prune: keep the files of the last N builds, N ≥ 1 (default 3)
//	--min-age D     prune: keep files younger than D, a Go duration such as 90m (default 1h)
//	--no-cache      build, check, watch: neither read nor write the build cache beside the output
//	                (build/.static.cache/): the index from each copied file's stat to its hashes
//	                that spares a rebuild reading the files that did not change, and esbuild's
//	                results for the inputs that did not change
//
// On a terminal, build and check show their progress on one line
// rewritten in place (files made of the total, bytes), then, for a build
// with [compress], the files compressed ("compressing 12/165 files"), and
// publish the objects and bytes uploaded ("uploading 40/313 objects,
// 1.2 MB of 3.4 MB"); in a CI log, where stderr is not a terminal, there
// is none.
//
// # Diagnostics
//
// Problems go to stderr as file:line:col: error: message, paths relative
// to the current directory, then a count:
//
//	assets.toml:14:3: error: bundle "stats": "js/aplication.js" not found in any root; did you mean "js/application.js"?
//	1 error
//
// Lines and columns are 1-based; a column counts bytes and points at the
// value as written (a string's opening quote). A warning reads "warning:"
// and does not fail the command, unless --strict or the config's strict =
// true makes every warning an error. A control character in a file name
// or a message is printed escaped as Go writes it (\n, \r, \x1b), so that
// each report stays one line. --format=json prints a JSON array of
// {"file", "line", "col", "severity", "code", "message", "suggestion"} on
// stdout instead; --format=github prints GitHub Actions annotations
// (::error file=…,line=…,col=…,title=stapler CODE::message) on stdout, so
// that the problems show on the pull request's diff, each file relative
// to GITHUB_WORKSPACE when that is set and holds it (a step with a
// working-directory still names frontend/assets.toml). The count still
// goes to stderr. Every code, with an example and its fix, is in docs/errors.md.
//
// # Environment
//
// GITHUB_WORKSPACE: see Diagnostics. The AWS variables of publish (the
// endpoint, the region, the credentials) are in docs/deploy.md and
// docs/config.md.
// STAPLER_CPUPROFILE=FILE writes a CPU profile of the run to FILE, and
// STAPLER_MEMPROFILE=FILE every allocation of it, for go tool pprof;
// STAPLER_TRACE=FILE an execution trace, for go tool trace.
//
// Except under watch, which runs on, the command runs Go's garbage
// collector only when the memory it holds reaches 160 MB or twice what
// the last collection left live, whichever is more: most of a build's
// heap is garbage soon made, and a rebuild exits before a collection
// would free anything. GOGC or GOMEMLIMIT in
// the environment leave the collector as they say. On
// Linux, where transparent huge pages are given only to memory that asks
// for them (the mode "madvise"), build, check and watch ask for them for
// the first 256 MB of their heap: on a virtual machine, a page fault is
// dear, and a cold build made a fifth as many. GODEBUG=disablethp=1
// leaves the heap in small pages.
//
// # Exit status
//
// 0 on success; 1 when the project has problems, every one of them
// printed; 2 when stapler could not run: bad flags or arguments, an
// unknown command or format, a config file missing or unreadable, an I/O
// error while writing. With --format=json, status 2 prints
// {"error": "…"} on stdout, and with --format=github an ::error::…
// annotation, besides the message on stderr; a flag error is so printed
// when --format came before it.
package main
