#!/usr/bin/env bash
# fetch.sh fetches the real-world stylesheets and scripts that
# bundler/minifiers_test.go measures (BenchmarkMinify, TestRealWorldBundles)
# and bundler/tracemap_test.go maps (TestStylesheetMapsTraced), and the
# source-map reader that the latter runs, from the npm registry, into DIR (default: a new temporary directory), and
# prints DIR. Run the measurements with
#
#	dir=$(bash testdata/realworld/fetch.sh /tmp/realworld)
#	STAPLER_REALWORLD=$dir go test -run RealWorld -v ./bundler
#	STAPLER_REALWORLD=$dir go test -run '^$' -bench Minify -benchtime 3x ./bundler
#
# Third-party files are never committed: DIR must lie outside the
# repository. Versions are pinned, so that figures can be compared across
# runs; a package already unpacked at its pinned version is not fetched
# again. Each package is unpacked with `npm pack` and tar, without running
# any of its scripts or installing its dependencies, into DIR/<package>/.
set -euo pipefail

packages=(
	jquery@4.0.0
	bootstrap@5.3.9
	lodash@4.18.1
	d3@7.9.2
	three@0.187.0
	@fortawesome/fontawesome-free@7.3.1
	normalize.css@8.0.1
	animate.css@4.1.1
	# A source-map consumer that is not stapler's, with its dependencies,
	# for the tests that read stapler's maps as a browser's tools would
	# (internal/testenv.NodeModules: node finds them with NODE_PATH=DIR).
	@jridgewell/trace-mapping@0.3.31
	@jridgewell/sourcemap-codec@1.6.0
	@jridgewell/resolve-uri@3.1.3
)

dir=${1:-}
if [[ -z $dir ]]; then
	dir=$(mktemp -d "${TMPDIR:-/tmp}/stapler-realworld.XXXXXX")
fi
dir=$(realpath -m -- "$dir")

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
case $dir/ in
"$repo"/*)
	echo "fetch.sh: $dir is inside the repository ($repo): choose a directory outside it" >&2
	exit 2
	;;
esac
mkdir -p "$dir"

command -v npm >/dev/null || { echo "fetch.sh: npm not found" >&2; exit 2; }

for spec in "${packages[@]}"; do
	name=${spec%@*}
	version=${spec##*@}
	dest=$dir/$name
	if [[ -f $dest/package.json ]] &&
		grep -q "\"version\": *\"$version\"" "$dest/package.json"; then
		continue
	fi
	tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	tgz=$(cd "$tmp" && npm pack --silent --ignore-scripts "$spec" | tail -n 1)
	mkdir "$tmp/pkg"
	tar -xzf "$tmp/$tgz" -C "$tmp/pkg" --strip-components=1 --no-same-owner
	rm -rf "$dest"
	mkdir -p "$(dirname "$dest")"
	mv "$tmp/pkg" "$dest"
	rm -rf "$tmp"
	echo "fetch.sh: $spec" >&2
done

echo "$dir"
