// Package django holds no Go code: it is the home of stapler_django, the
// Django app of stapler's template tags (a Python package, installable
// with pip install ./django), and of the Go tests that run it, so that
// go test ./... holds it to the Go side.
//
// The tags ({% stapler_module %}, {% stapler_static %}, {% stapler_integrity %})
// answer from stapler-manifest.json as the manifest package's template
// functions do (module, asset, integrity), byte for byte: both are held to
// the rows of testdata/manifest/tags.json, the Go side by
// manifest.TestTagTable, the Python side by tests/test_tags.py, which
// TestTags runs under Debian's Django 3.2 and under Django 5.2.
// TestAgreesWithGo asks both sides the same questions of random manifests
// and near-miss names, thousands of them, beyond the table's rows.
// TestPipInstall installs the app with pip into a fresh venv and renders a
// tag from there; TestBrowser renders a page with the tags for the example
// project's TypeScript entry and loads it in headless Chromium: the entry
// runs, its lazy chunk loads, and a tampered integrity hash is refused.
//
// The reference is docs/django-tags.md.
package django
