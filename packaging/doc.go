// Package packaging holds no Go code: it is the home of stapler's
// packaging for those who install tools without Go, and of its test.
//
// build.sh cross-builds the static binary for linux (amd64, arm64), macOS
// (amd64, arm64) and Windows (amd64), reproducibly, and package.py packages
// each as a Python wheel (pip puts stapler on PATH, as ruff's wheels do)
// and as npm packages in esbuild's shape: @stapler-build/stapler, whose
// bin shim (npm/bin/stapler.js) runs the binary of the platform package npm
// installed, one optional dependency per platform. Nothing is published.
//
// TestPackages builds the wheel and the npm tarballs for this machine
// twice (the same bytes both times), installs the wheel into a fresh venv
// and the tarballs into a fresh npm project, each from the local files,
// and runs `stapler version` and the example build through each. Its
// Django subtest installs the wheel into a venv over Debian's Django, and
// with no Go on PATH runs `stapler init` and `stapler build` in a Django
// project and serves it: every page's static files answer.
package packaging
