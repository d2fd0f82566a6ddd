// Package deps holds no code: its test keeps the import rules of stapler's
// design, which the compiler cannot, by reading `go list -deps` over the
// module. A change that breaks one fails the test with the import that
// broke it, and the package that made it.
//
// # The rules
//
//   - manifest depends on the standard library and internal/suggest only,
//     so that a Go web app that imports it to look up URLs and serve files
//     does not compile esbuild, minifiers or TOML into its binary.
//   - finders depends on nothing of stapler's but internal/suggest.
//   - djangoinit (stapler init) depends on nothing of stapler's but
//     finders (and what finders does): it writes a config and builds
//     nothing.
//   - Each package under bundler/internal depends on nothing of stapler's,
//     not even on another of them: each speaks one vocabulary (a file
//     format, a tokenizer), and bundler turns their results into its own.
//     The rule holds for whatever packages are there. Of other modules,
//     sourcemap uses the standard library only, scan and globals
//     tdewolff/parse only and tomlpos go-toml only (leafModules names
//     them).
//   - bundler and finders depend on neither publish nor its S3 client: a
//     build compiles no network client. Each package under
//     publish/internal depends on the standard library only: every
//     stapler command pays for a library's package initialisation.
//   - cmd/... imports, of stapler's, only the public packages: bundler,
//     manifest, finders, publish and djangoinit. The command can do
//     nothing the library cannot. Its tests may import the test-only
//     packages too.
//   - The test-only packages (internal/testenv, and this one) are imported
//     by _test.go files only.
//
// "Depends on" counts what a package imports and what those import in
// turn; tests are not counted, except for the rules that name them.
package deps
