// Command stapler builds a project's static files from its assets.toml:
// bundles concatenated and minified, every file hash-named, references
// rewritten, a manifest of its own and Django's staticfiles.json. It
// reports every mistake in the project at the line that holds it, all in
// one run, and writes nothing until there are none.
//
// # Commands
//
//	stapler build  [-c assets.toml] [-v] [-q] [--format=text|json|github]
//	stapler check  [-c assets.toml] [-v] [-q] [--format=…] [--against DIR]
//	stapler watch  [-c assets.toml] [-v] [--format=…]
//	stapler find   [-c assets.toml] NAME...
//	stapler verify [-c assets.toml] [--format=…] DIR
//	stapler prune  [-c assets.toml] [--keep N] [--min-age D] [-n] [-v] [DIR]
//	stapler version
//
// build checks the project, then writes its outputs and manifests, each
// file atomically, the manifests last. check does the same in memory and
// writes nothing; with --against it also verifies a deployed directory.
// watch builds, then builds again after every change, until interrupted.
// find shows which root supplies each name and which files it hides.
// verify checks a deployed output directory against its manifests and,
// when the config is there, against what the current sources make. prune
// deletes the hashed files no manifest of the last N builds names.
//
// # Flags
//
//	-c FILE        the config; default assets.toml in the current directory
//	-v             list each output; show the roots searched for a name not found
//	-q             print nothing on success
//	--format F     how problems are printed: text (file:line:col: error: message,
//	               on stderr), json (an array on stdout) or github (Actions
//	               annotations on stdout)
//	--against DIR  check: also verify the deployed directory DIR
//	--keep N       prune: keep the files of the last N builds (default 3)
//	--min-age D    prune: keep files younger than D (default 1h)
//	-n             prune: list what would be deleted, delete nothing
//
// On a terminal, build and check show their progress on one line; in a CI
// log there is none.
//
// # Exit status
//
// 0 on success; 1 when the project has problems, every one of them
// printed; 2 when stapler could not run: bad flags, a config file missing
// or unreadable, an I/O error while writing.
package main
