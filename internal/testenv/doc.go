// Package testenv tells a test whether the programs and files it checks
// stapler against are there, and says how to install them when they are
// not. Only _test.go files import it, as with Go's own internal/testenv;
// the import-rules test in internal/deps keeps it so.
//
// # Why
//
// Some of stapler's tests hold its output against the real thing: headless
// Chromium loads the example's pages, Django reads its staticfiles.json,
// node runs its bundles, and real packages from npm go through a build.
// A fresh clone has none of these. Run there, such a test should neither
// fail with "stat /usr/bin/chromium" nor pass without having checked
// anything.
//
// # Skip, or fail under CI
//
// [Command], [File], [Django], [DjangoPipeline], [RealWorld],
// [NodeModules], [Taplo], [Venv] and [S3Server] each return what a test
// runs. When it
// is missing, the test is skipped with a message that names the command
// that installs it, and the one that installs everything:
//
//	--- SKIP: TestBrowser (0.00s)
//	    browser_test.go:55: missing /usr/bin/chromium (stat /usr/bin/chromium: no such file or directory):
//	    install it with "apt-get install chromium", or run "bash .ci/test", which installs all the tests need
//
// With CI=true in the environment (as CI services set it, and as .ci/test
// does) the same test fails instead: a run whose set-up went wrong must not
// pass by skipping.
//
// # The tests' tools
//
// .ci/test installs all of them on Debian:
//
//   - node (nodejs) runs built scripts, in bundler's tests and in the
//     command's scripts (testdata/script, through their "need" command);
//   - python3 checks the bytes of Django's manifest format;
//   - Django (python3-django), under Debian's /usr/bin/python3, reads the
//     built manifests, and django-pipeline (python3-django-pipeline)
//     renders its template tags and wraps its script bundles, which
//     stapler's check and wrap are held against;
//   - Chromium (chromium) and a real font (fonts-dejavu-core) serve
//     bundler's TestBrowser;
//   - script (bsdutils) gives the command a terminal in its progress test;
//   - the npm packages of testdata/realworld/fetch.sh, in the directory
//     $STAPLER_REALWORLD names, feed the real-world tests; among them
//     @jridgewell/trace-mapping, a source-map consumer that is not
//     stapler's, which node finds there ([NodeModules]);
//   - Taplo's CLI (npm's @taplo/cli), which schema/taplo.sh installs out of
//     the clone and $STAPLER_TAPLO names ([Taplo]), checks the schema of
//     assets.toml as editors read it;
//   - versitygw, a real S3-compatible server (Versity's S3 gateway on its
//     posix back end), which testdata/s3/server.sh builds from the Go
//     module proxy out of the clone and $STAPLER_S3_SERVER names; each
//     [S3Server] starts one on a free port of 127.0.0.1 with its own
//     account and an empty bucket, for the tests of stapler publish;
//   - npm and a venv with pip (python3-venv, for Debian's python3; [Venv])
//     install the packages that packaging/build.sh makes; setuptools and
//     wheel (python3-setuptools, python3-wheel) let pip build the Django
//     app in django/ with no network.
package testenv
