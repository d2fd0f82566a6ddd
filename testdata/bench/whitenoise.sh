#!/usr/bin/env bash
# whitenoise.sh times stapler's precompression ([compress] gzip and brotli)
# against whitenoise's, `python -m whitenoise.compress DIR`, on the same
# output tree, in one run on one machine. It builds a site once with
# `stapler build` and no [compress] (the base tree), then, run by run,
# copies that tree twice and times whitenoise on one copy and, on the
# other, a `stapler build` into it with [compress], which finds every
# output unchanged and compresses them all. Before that run it times a
# rebuild into the same copy without [compress], so that the cost of the
# compression alone can be told from that of a rebuild with nothing to
# do. It prints the median and range of each, the ratio, and the total
# compressed bytes (.gz + .br) each tool wrote, overall and on the files
# both compressed, after checking that every sibling decompresses to its
# file.
#
# usage: testdata/bench/whitenoise.sh [WORKDIR]
#
#   SITE     bench (default): the site of about 20,000 files that the
#            BenchmarkCollect* benchmarks build (TestWriteBenchTree), as
#            testdata/bench/collectstatic.sh uses;
#            realworld: the npm packages of testdata/realworld/fetch.sh
#            (fetched into REALWORLD, default /tmp/realworld), collected,
#            with one CSS and one JS bundle
#   RUNS     timed runs of each step (default 3)
#   PYTHON   a Python with whitenoise and brotli (default /usr/bin/python3,
#            with Debian's python3-whitenoise and python3-brotli, installed
#            with apt-get when missing)
#   COMPRESS_TABLE
#            the table appended to the site's config for stapler's timed
#            run (default "[compress]\ngzip = true\nbrotli = true")
#   STAPLER_COMPRESS_CMD
#            the command that compresses with stapler, run by bash with
#            STAPLER (the binary), CONFIG (the config, writing into the
#            copy, with COMPRESS_TABLE appended) and OUT (the copy) in its
#            environment; default: "$STAPLER" build -c "$CONFIG"
#
# whitenoise.compress (6.0) walks the tree on one core, and for every file
# whose extension is not in its skip list (jpg jpeg png gif webp zip gz
# tgz bz2 tbz xz br swf flv woff woff2) writes name.br with
# brotli.compress() at its default quality, 11 (window 22), and then,
# unless brotli saved less than 5%, name.gz with Python's gzip at level 9;
# each only when it saves at least 5%. It compresses the hashed and the
# plain copy of each output, and the manifests, alike.
#
# WORKDIR, a new temporary directory unless given, is left holding the
# site, the base tree, every run's two copies (about 2 × RUNS × the base
# tree: 330 MB for the bench site), the stapler binary, every run's output
# (runs.log) and every time (times.tsv). Nothing is deleted, for the
# reason collectstatic.sh gives.
set -euo pipefail

site=${SITE:-bench}
runs=${RUNS:-3}
python=${PYTHON:-/usr/bin/python3}
compress_table=${COMPRESS_TABLE:-$'[compress]\ngzip = true\nbrotli = true'}
compress_cmd=${STAPLER_COMPRESS_CMD:-'"$STAPLER" build -c "$CONFIG"'}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/stapler-whitenoise.XXXXXX")}
mkdir -p "$work"
work=$(cd "$work" && pwd)
if [ -e "$work/site" ]; then
	echo "whitenoise.sh: $work/site exists: give a new WORKDIR" >&2
	exit 2
fi

if ! "$python" -c 'import whitenoise.compress, brotli' 2>/dev/null; then
	if [ "$python" != /usr/bin/python3 ]; then
		echo "whitenoise.sh: $python cannot import whitenoise.compress and brotli" >&2
		exit 2
	fi
	apt-get install -y python3-whitenoise python3-brotli >&2
fi
versions=$("$python" -c '
import importlib.metadata, platform, brotli
print("whitenoise", importlib.metadata.version("whitenoise") + ", Python brotli", brotli.__version__ + ", Python", platform.python_version())')

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr), $(stat -f -c %T "$work") file system"
echo "versions: $(cd "$repo" && go version | cut -d' ' -f3-), $versions"
echo "workdir: $work, site: $site"
echo "stapler: $compress_cmd, with:"
printf '%s\n' "$compress_table" | sed 's/^/  /'

(cd "$repo" && go build -o "$work/stapler" ./cmd/stapler)
mkdir "$work/site"
case $site in
bench)
	(cd "$repo" && STAPLER_BENCH_TREE=$work/site go test ./bundler -run '^TestWriteBenchTree$' -count=1 -v) |
		sed -n 's/^ *bench_collect_test.go:[0-9]*: /site: /p'
	config=$work/site/assets.toml
	;;
realworld)
	rw=$(bash "$repo/testdata/realworld/fetch.sh" "${REALWORLD:-/tmp/realworld}")
	config=$work/site/assets.toml
	root() { printf '[[root]]\npath = %s\nprefix = %s\n\n' "'$rw/$1'" "'$2'"; }
	{
		echo 'output = "build/base"'
		echo
		root normalize.css normalize
		root bootstrap/dist bootstrap
		root @fortawesome/fontawesome-free/css fontawesome/css
		root @fortawesome/fontawesome-free/webfonts fontawesome/webfonts
		root @fortawesome/fontawesome-free/svgs fontawesome/svgs
		root animate.css animate
		root jquery/dist jquery
		root lodash lodash
		root d3/dist d3
		root three/build three
		cat <<-'EOF'
			[bundle.vendor-css]
			output = "css/vendor.css"
			sources = [
			  "normalize/normalize.css",
			  "bootstrap/css/bootstrap.css",
			  "fontawesome/css/all.css",
			  "animate/animate.css",
			]

			[bundle.vendor-js]
			output = "js/vendor.js"
			sources = [
			  "jquery/jquery.js",
			  "lodash/lodash.js",
			  "bootstrap/js/bootstrap.bundle.js",
			  "d3/d3.js",
			]

			[collect]
			exclude = ["**/package.json", "**/*.md", "**/LICENSE*", "lodash/fp/**"]
		EOF
	} >"$config"
	;;
*)
	echo "whitenoise.sh: SITE must be bench or realworld, not $site" >&2
	exit 2
	;;
esac
if grep -q '^\[compress\]' "$config"; then
	echo "whitenoise.sh: $config has a [compress] table already" >&2
	exit 2
fi

# with_output NAME [TABLE] writes the site's config with its output in
# build/NAME, and TABLE appended, as NAME.toml beside it, and prints its
# path.
with_output() {
	local c=${config%/*}/$1.toml
	{
		sed "0,/^output = .*/s||output = \"build/$1\"|" "$config"
		if [ -n "${2:-}" ]; then
			printf '\n%s\n' "$2"
		fi
	} >"$c"
	echo "$c"
}

log=$work/runs.log
times=$work/times.tsv
: >"$log"
: >"$times"

# timed NAME COMMAND... flushes dirty pages to disk (so that no run pays
# for the previous one's writes), then times COMMAND's wall clock and
# CPU time into times.tsv, its output into runs.log.
timed() {
	local name=$1 TIMEFORMAT='%R %U %S' t
	shift
	sync
	echo "== $name" >>"$log"
	if ! t=$({ time "$@" >>"$log" 2>&1; } 2>&1); then
		echo "whitenoise.sh: $name failed; the end of $log:" >&2
		tail -n 5 "$log" >&2
		exit 1
	fi
	awk -v name="$name" '{ printf "%s\t%s\t%.2f\n", name, $1, $2 + $3 }' <<<"$t" >>"$times"
}

STAPLER=$work/stapler
export STAPLER
base=${config%/*}/build/base
if ! b=$("$STAPLER" build -c "$(with_output base)" 2>&1); then
	echo "whitenoise.sh: the build of the base tree failed:" >&2
	echo "$b" >&2
	exit 1
fi
echo "base tree: ${b##*$'\n'}"
if find "$base" -name '*.br' -o -name '*.gz' | grep -q .; then
	echo "whitenoise.sh: the base tree $base has .gz or .br files already" >&2
	exit 2
fi
echo "base tree: $(find "$base" -type f | wc -l) files, $(du -sm "$base" | cut -f1) MB"

# The two tools take turns, run by run, each on its own copy of the base
# tree, made (untimed) just before; the load average says how busy the
# machine was.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$runs"); do
	wn=$work/whitenoise-$i
	cp -a "$base" "$wn"
	timed "whitenoise" "$python" -m whitenoise.compress -q "$wn"

	out=${config%/*}/build/stapler-$i
	cp -a "$base" "$out"
	timed "stapler rebuild, no [compress]" "$STAPLER" build -c "$(with_output "stapler-$i")"
	CONFIG=$(with_output "stapler-$i" "$compress_table") OUT=$out \
		timed "stapler [compress]" bash -c "$compress_cmd"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "last stapler run: $(tail -n 1 "$log")"
echo

"$python" - "$times" "$base" "$work/whitenoise-$runs" "${config%/*}/build/stapler-$runs" "$runs" <<'EOF'
import brotli, collections, gzip, os, statistics, sys

times_file, base, wn, st, runs = sys.argv[1:]
real, cpu = {}, {}
for line in open(times_file):
    name, r, c = line.rstrip("\n").split("\t")
    real.setdefault(name, []).append(float(r))
    cpu.setdefault(name, []).append(float(c))

cell = lambda t: f"{statistics.median(t):.2f} s ({min(t):.2f}–{max(t):.2f})"
print("| step | wall | CPU (user + sys) |")
print("|---|---|---|")
for name in real:
    print(f"| {name} | {cell(real[name])} | {cell(cpu[name])} |")
w, s, r = (statistics.median(real[n]) for n in ("whitenoise", "stapler [compress]", "stapler rebuild, no [compress]"))
print(f"\nmedian (min–max) of {runs} runs each")
print(f"whitenoise / stapler [compress]: {w / s:.2f}× (wall, medians); "
      f"whitenoise / (stapler [compress] − rebuild): {w / (s - r):.2f}×" if s > r else "")

def files(root):
    out = set()
    for d, _, fs in os.walk(root):
        for f in fs:
            out.add(os.path.relpath(os.path.join(d, f), root))
    return out

plain = files(base)
decompress = {".gz": gzip.decompress, ".br": brotli.decompress}

def siblings(root):
    """siblings maps (file, suffix) to the size of each .gz and .br the
    tool wrote beside a file, having checked that it decompresses to the
    file."""
    sib = {}
    all = files(root)
    for rel in all - plain:
        stem, suffix = rel[:-3], rel[-3:]
        if suffix not in decompress or stem not in all:
            continue  # stapler's build history, say
        data = open(os.path.join(root, rel), "rb").read()
        if decompress[suffix](data) != open(os.path.join(root, stem), "rb").read():
            sys.exit(f"whitenoise.sh: {root}/{rel} does not decompress to {stem}")
        sib[stem, suffix] = len(data)
    return sib

sw, ss = siblings(wn), siblings(st)
print("\n| compressed siblings | whitenoise | stapler | stapler / whitenoise |")
print("|---|---|---|---|")
for suffix in (".gz", ".br"):
    a = [n for k, n in sw.items() if k[1] == suffix]
    b = [n for k, n in ss.items() if k[1] == suffix]
    print(f"| {suffix} files | {len(a)} | {len(b)} | |")
    print(f"| {suffix} bytes | {sum(a):,} | {sum(b):,} | {sum(b) / sum(a):.3f} |" if a and b else f"| {suffix} bytes | {sum(a):,} | {sum(b):,} | |")
for suffix in (".gz", ".br"):
    both = [k for k in sw if k[1] == suffix and k in ss]
    a = sum(sw[k] for k in both)
    b = sum(ss[k] for k in both)
    if both:
        print(f"| {suffix} bytes, the {len(both)} files both compressed | {a:,} | {b:,} | {b / a:.3f} |")
tw, ts = sum(sw.values()), sum(ss.values())
print(f"| total .gz + .br bytes | {tw:,} | {ts:,} | {ts / tw:.3f} |" if tw else f"| total .gz + .br bytes | {tw:,} | {ts:,} | |")

def by_ext(keys):
    c = collections.Counter(os.path.splitext(stem)[1] or "(none)" for stem, _ in keys)
    return ", ".join(f"{n} {e}" for e, n in sorted(c.items(), key=lambda x: (-x[1], x[0]))) or "none"
print(f"\nsiblings only whitenoise wrote: {by_ext(sw.keys() - ss.keys())}")
print(f"siblings only stapler wrote: {by_ext(ss.keys() - sw.keys())}")
EOF
