#!/usr/bin/env bash
# build.sh cross-builds stapler's static binary and packages it for those
# who install tools with pip or npm rather than Go:
#
#	bash packaging/build.sh [-o DIR] [GOOS/GOARCH...]
#
# The platforms default to all five: linux/amd64 linux/arm64 darwin/amd64
# darwin/arm64 windows/amd64. Into DIR (default dist/ in the repository,
# which git ignores) it writes
#
#   bin/GOOS-GOARCH/stapler[.exe]      the binary
#   stapler_build-V-py3-none-TAG.whl   a wheel per platform: pip puts stapler on PATH,
#                                      and the Django app stapler_django (django/) beside it
#   npm/stapler-build-stapler-V.tgz    npm's @stapler-build/stapler: a bin shim
#                                      that runs the binary of its platform package
#   npm/stapler-build-stapler-OS-CPU-V.tgz   a platform package per platform
#   SHA256SUMS
#
# Nothing is published. Install from the files:
#
#	pip install --no-index dist/stapler_build-*-manylinux_*x86_64*.whl
#	npm install ./dist/npm/stapler-build-stapler-V.tgz ./dist/npm/stapler-build-stapler-linux-x64-V.tgz
#
# Reproducible: the same commit, built with the same Go, gives the same
# bytes, whenever and wherever it is built (CGO_ENABLED=0, -trimpath,
# -buildvcs=false, no build ID; archives with fixed times, owners and
# order). The version is $STAPLER_VERSION (semver: 1.2.3, 1.2.3-rc.1), or
# the tag vX.Y.Z at HEAD, or else 0.0.0-dev.<commit time, UTC>.g<commit>;
# `stapler version` prints it, with a v. Needs go, git and python3 (the
# standard library only).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
out=$repo/dist
while getopts o: opt; do
	case $opt in
	o) out=$(realpath -m -- "$OPTARG") ;;
	*) echo "usage: build.sh [-o DIR] [GOOS/GOARCH...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
platforms=("$@")
((${#platforms[@]})) || platforms=(linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64)

cd "$repo"
version=${STAPLER_VERSION:-}
if [[ -z $version ]]; then
	if tag=$(git describe --tags --exact-match --match 'v[0-9]*' HEAD 2>/dev/null); then
		version=${tag#v}
	else
		version=0.0.0-dev.$(TZ=UTC git show -s --format=%cd --date=format-local:%Y%m%d%H%M%S HEAD).g$(git rev-parse --short=12 HEAD)
	fi
fi
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
	echo "build.sh: version $version is not semver, such as 1.2.3 or 1.2.3-rc.1" >&2
	exit 2
fi

# DIR is emptied first: refuse one that holds anything but a former build.
if [[ -d $out && -n $(ls -A "$out") && ! -e $out/SHA256SUMS && ! -d $out/bin ]]; then
	echo "build.sh: $out holds other files: choose a new directory, or an old build's" >&2
	exit 2
fi
rm -rf "$out"
mkdir -p "$out"
binaries=()
for p in "${platforms[@]}"; do
	goos=${p%/*} goarch=${p#*/}
	exe=stapler
	[[ $goos == windows ]] && exe=stapler.exe
	bin=$out/bin/$goos-$goarch/$exe
	# The environment that could change the bytes is set, not inherited.
	env CGO_ENABLED=0 GOOS="$goos" GOARCH="$goarch" GOAMD64=v1 GOARM64=v8.0 GOFLAGS= GOEXPERIMENT= \
		go build -trimpath -buildvcs=false \
		-ldflags="-s -w -buildid= -X main.versionStamp=v$version" \
		-o "$bin" ./cmd/stapler
	binaries+=("$p=$bin")
	echo "build.sh: $bin" >&2
done

python3 packaging/package.py --version "$version" --out "$out" \
	--readme packaging/README.md --schema schema/assets.schema.json \
	--shim packaging/npm/bin/stapler.js --django django/stapler_django "${binaries[@]}"
