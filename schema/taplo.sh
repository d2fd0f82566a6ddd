#!/usr/bin/env bash
# taplo.sh installs Taplo's command-line tool, npm's @taplo/cli (a
# WebAssembly build run by node, nothing downloaded at run time), into
# DIR/taplo-VERSION, and prints the path of its taplo command. The schema's
# tests (bundler/schema_test.go) run it:
#
#	export STAPLER_TAPLO=$(bash schema/taplo.sh ~/.cache/stapler-tools)
#	go test -run Schema ./bundler
#
# DIR must lie outside the repository: third-party files are never
# committed. The version is pinned; one installed already is not fetched
# again.
set -euo pipefail

version=0.7.0

dir=${1:?usage: taplo.sh DIR}
dir=$(realpath -m -- "$dir")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
case $dir/ in
"$repo"/*)
	echo "taplo.sh: $dir is inside the repository ($repo): choose a directory outside it" >&2
	exit 2
	;;
esac
command -v npm >/dev/null || { echo "taplo.sh: npm not found" >&2; exit 2; }

dest=$dir/taplo-$version
taplo=$dest/node_modules/.bin/taplo
if [[ ! -x $taplo ]]; then
	mkdir -p "$dest"
	npm install --silent --no-audit --no-fund --ignore-scripts --no-save --prefix "$dest" "@taplo/cli@$version" >&2
	echo "taplo.sh: @taplo/cli@$version" >&2
fi
echo "$taplo"
