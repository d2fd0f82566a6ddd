#!/usr/bin/env bash
# server.sh builds versitygw, a real S3-compatible server (Versity's S3
# gateway, Apache-2.0, from the Go module proxy), into DIR/versitygw-VERSION
# and prints the path of its binary. The tests of `stapler publish` start it
# on 127.0.0.1 through internal/testenv's S3Server; so does
# testdata/bench/publish.sh:
#
#	export STAPLER_S3_SERVER=$(bash testdata/s3/server.sh ~/.cache/stapler-tools)
#	go test -run S3 ./internal/testenv
#
# DIR must lie outside the repository: third-party files are never
# committed. The version is pinned; a binary built already is not built
# again. The build takes a few CPU-minutes (see the README's test section); it runs
# under nice.
set -euo pipefail

version=v1.8.0

dir=${1:?usage: server.sh DIR}
dir=$(realpath -m -- "$dir")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
case $dir/ in
"$repo"/*)
	echo "server.sh: $dir is inside the repository ($repo): choose a directory outside it" >&2
	exit 2
	;;
esac
command -v go >/dev/null || { echo "server.sh: go not found" >&2; exit 2; }

dest=$dir/versitygw-$version
bin=$dest/versitygw
if [[ ! -x $bin ]]; then
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/.versitygw-$version.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# Its go.mod has no replace directive, so `go install` builds it as
	# released, with the versions its go.sum pins. Run outside the clone,
	# so that stapler's own go.mod plays no part.
	(cd "$tmp" && CGO_ENABLED=0 GOFLAGS=-trimpath GOBIN=$tmp/bin nice go install "github.com/versity/versitygw/cmd/versitygw@$version") >&2
	rm -rf "$dest"
	mv "$tmp/bin" "$dest"
	echo "server.sh: built versitygw $version" >&2
fi
echo "$bin"
