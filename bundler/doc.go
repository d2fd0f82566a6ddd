// Package bundler turns an assets.toml into concatenated, minified,
// hash-named bundles and a manifest, and reports every mistake in the
// config at the line that holds it.
//
// # Using it
//
// [Load] reads a config, from disk or from an [io/fs.FS], and opens its
// roots; [Project.Check] does everything a build does in memory, and
// [Project.Build] then writes the outputs and the manifest:
//
//	p, err := bundler.Load(bundler.Options{Config: "assets.toml"})
//	if err != nil {
//		return err // the config could not be read
//	}
//	res, err := p.Build(ctx)
//	var problems bundler.ErrorList
//	if errors.As(err, &problems) {
//		for _, d := range problems {
//			fmt.Println(d) // assets.toml:12:3: bundle "app": "js/aplication.js" not found ...
//		}
//	}
//
// The package prints nothing and never exits; the stapler command is a
// thin layer over it.
//
// # The config is the input
//
// A project is always made from an assets.toml: a file on disk, or one in
// [Options.FS] (a [testing/fstest.MapFS] or an [embed.FS] for a build
// script that writes its config in Go). There is no exported Config value
// to fill in instead. Every diagnostic stapler gives about the config
// points at the line and column of the value it is about, and a Config
// built in Go would have no such place to point at; nor could it say,
// as the file does, which keys were left to their defaults. Keeping the
// decoded config unexported keeps one way in, whose every value builds as
// it reads.
//
// # The stages
//
// The config is decoded from a TOML tree that keeps the [Position] of
// every key and value. A [finders.Finder] over the roots resolves each bundle's
// names and globs; the plan this makes is validated as a whole, so that
// one run reports every problem, sorted by position, as an [ErrorList] of
// [Diagnostic] values. Only a project with no problems is built: each
// JavaScript source is minified on its own by esbuild and the results are
// joined with a ";" barrier; stylesheets have their url() references
// rewritten to the hashed copies of their targets, are joined under one
// @charset, and are minified as a whole. Outputs are named for their
// final bytes, by [manifest.HashedPath] and [manifest.ContentHash],
// written under temporary names and renamed into place, the manifest
// last. The manifest a build replaces is kept in the output directory's
// .stapler/history, so that [Prune] can tell the hashed files the last
// few builds name from those none does.
//
// With [collect], every file of every root is written too, under its
// hashed name. Every file written under a hashed name of its own is a node
// of a graph of references (url(), @import, source map comments, ES module
// specifiers), made in dependency order so that a file's hash covers its
// rewritten references; the files of a cycle share one hash. [templates]
// checks the static references of templates against the result,
// [compress] writes precompressed siblings, [Verify] checks a deployed
// directory and [Watch] rebuilds on every change.
//
// # Inside
//
// Each vocabulary the build speaks has a leaf package under
// bundler/internal that imports nothing of stapler's and not each other:
// sourcemap (source map v3: decode, encode, compose, edits, the line
// index), scan (the CSS, JS and template reference scanners, returning
// byte offsets) and tomlpos (the TOML tree with positions). This package
// turns their plain results into [Diagnostic] values. The rules that the
// command and a web app must agree on live once: the hashed-name contract
// in [manifest] ([manifest.HashedPath], [manifest.ContentHash],
// [manifest.Integrity]), the did-you-mean ranking in internal/suggest, the
// wording of a name not found in [FindMessage], and the codes of
// diagnostics in codes.go, which docs/errors.md lists one by one.
//
// # Determinism
//
// The same sources give the same bytes, whatever the order a directory
// lists its files in, the number of CPUs or the project's absolute path:
// lists are sorted, parallel work is joined in input order, and nothing
// records a time.
package bundler
