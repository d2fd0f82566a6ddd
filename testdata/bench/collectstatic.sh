#!/usr/bin/env bash
# collectstatic.sh times `stapler build` against Django's `collectstatic`
# with ManifestStaticFilesStorage, in one run on one machine, on the site of
# about 20,000 files that the BenchmarkCollect* benchmarks build (written by
# TestWriteBenchTree): a cold build into an empty directory, a rebuild with
# nothing changed, and a rebuild after one image that a few stylesheets
# reference got new bytes. It prints the median and range of each, the
# ratios, and how many files each tool made.
#
# usage: testdata/bench/collectstatic.sh [WORKDIR]
#
#   RUNS    timed runs of each step (default 3)
#   PYTHON  a Python with Django (default /usr/bin/python3, with Debian's
#           python3-django)
#
# WORKDIR, a new temporary directory unless given, is left holding the
# tree, every cold build's output (about 2 × RUNS × 330 MB), the stapler
# binary, the Django settings, every run's output (runs.log) and every time
# (times.tsv). Remove it a few minutes before the next run, not just
# before: see the note on deleting below.
set -euo pipefail

runs=${RUNS:-3}
python=${PYTHON:-/usr/bin/python3}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/stapler-bench.XXXXXX")}
mkdir -p "$work"
work=$(cd "$work" && pwd)
tree=$work/tree
if [ -e "$tree" ]; then
	echo "collectstatic.sh: $tree exists: give a new WORKDIR" >&2
	exit 2
fi
if ! django_version=$("$python" -c 'import django; print(django.get_version())'); then
	echo "collectstatic.sh: $python cannot import django (apt-get install python3-django)" >&2
	exit 2
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr), $(stat -f -c %T "$work") file system"
echo "versions: $(cd "$repo" && go version | cut -d' ' -f3-), Django $django_version, Python $("$python" -c 'import platform; print(platform.python_version())')"
echo "workdir: $work"

(cd "$repo" && go build -o "$work/stapler" ./cmd/stapler)
(cd "$repo" && STAPLER_BENCH_TREE=$tree go test ./bundler -run '^TestWriteBenchTree$' -count=1 -v) |
	sed -n 's/^ *bench_collect_test.go:[0-9]*: /tree: /p'
read -r image size _ <"$tree/bench-image.txt"

# Django gets the same roots in the same order: STATICFILES_DIRS first, the
# vendor root under its prefix, then the apps' static dirs, sorted as
# stapler sorts apps/*/static.
mkdir "$work/django"
cat >"$work/django/bench_settings.py" <<EOF
import glob, os

TREE = "$tree"
SECRET_KEY = "collectstatic.sh"
INSTALLED_APPS = ["django.contrib.staticfiles"]
STATIC_URL = "/static/"
STATIC_ROOT = os.environ["STATIC_ROOT"]
STATICFILES_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
STATICFILES_DIRS = [
    os.path.join(TREE, "static"),
    ("vendor", os.path.join(TREE, "vendor", "dist")),
] + sorted(glob.glob(os.path.join(TREE, "apps", "*", "static")))
EOF

# Each cold build writes to a new directory, and nothing is deleted: on a
# file system without a journal (this project's CI machine), ext4 reuses
# no inode within a minute of its deletion (five while its block is
# dirty), and scanning past the recently deleted ones made each file
# created after an `rm -rf` of a previous output cost up to a millisecond
# of system time: a cold build took 20 to 30 s instead of 3, for either
# tool.
stapler() { "$work/stapler" build -c "$tree/$1.toml"; }
django() { STATIC_ROOT=$work/django/$1 "$python" -m django collectstatic --noinput --settings=bench_settings --pythonpath="$work/django"; }
log=$work/runs.log
times=$work/times.tsv
: >"$log"
: >"$times"

# timed NAME COMMAND... flushes dirty pages to disk (so that no run pays
# for the previous one's writes), then times COMMAND into times.tsv, its
# output into runs.log.
timed() {
	local name=$1 t0 t1
	shift
	sync
	echo "== $name" >>"$log"
	t0=$(date +%s%N)
	"$@" >>"$log" 2>&1
	t1=$(date +%s%N)
	printf '%s\t%d\n' "$name" "$(((t1 - t0) / 1000))" >>"$times"
	last[$name]=$(tail -n 1 "$log")
}
declare -A last

# change_image gives the image new bytes of the same size, its first 16
# (the format's magic number) kept, and a new modification time.
change_image() {
	local f=$tree/$image
	{
		head -c 16 "$f"
		head -c $((size - 16)) /dev/urandom
	} >"$f.new"
	mv "$f.new" "$f"
}

count() { find "$1" -type f | wc -l; }

# The two tools take turns, run by run, so that whatever else the machine
# is doing weighs on both alike; the load average says how busy it was.
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$runs"); do
	sed "0,/^output = .*/s||output = \"build/cold-$i\"|" "$tree/assets.toml" >"$tree/cold-$i.toml"
	timed "stapler cold" stapler "cold-$i"
	timed "django cold" django "cold-$i"
done
# The rebuilds are of the last cold build's output.
stapler_out=$tree/build/cold-$runs
django_out=$work/django/cold-$runs
stapler_files=$(count "$stapler_out")
django_files=$(count "$django_out")
for i in $(seq "$runs"); do
	timed "stapler unchanged" stapler "cold-$runs"
	timed "django unchanged" django "cold-$runs"
done
for i in $(seq "$runs"); do
	change_image
	timed "stapler one image changed" stapler "cold-$runs"
	change_image
	timed "django one image changed" django "cold-$runs"
done

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
for step in cold unchanged "one image changed"; do
	for tool in stapler django; do
		printf '%-28s %s\n' "$tool $step:" "${last[$tool $step]}"
	done
done

echo
"$python" - "$times" "$stapler_out/staticfiles.json" "$django_out/staticfiles.json" "$stapler_files" "$django_files" "$runs" <<'EOF'
import json, statistics, sys

times_file, stapler_manifest, django_manifest, stapler_files, django_files, runs = sys.argv[1:]
times = {}
for line in open(times_file):
    name, us = line.split("\t")
    times.setdefault(name, []).append(int(us) / 1e6)

print(f"| step | stapler build | Django collectstatic | Django / stapler (best / best) |")
print(f"|---|---|---|---|")
for step in ("cold", "unchanged", "one image changed"):
    s, d = times["stapler " + step], times["django " + step]
    cell = lambda t: f"{statistics.median(t):.2f} s ({min(t):.2f}–{max(t):.2f})"
    print(f"| {step} | {cell(s)} | {cell(d)} | {statistics.median(d) / statistics.median(s):.1f}× ({min(d) / min(s):.1f}×) |")
print(f"\nmedian (min–max) of {runs} runs each; the ratio of the medians, and of the best runs")

s = set(json.load(open(stapler_manifest))["paths"])
d = set(json.load(open(django_manifest))["paths"])
print(f"\nfiles written by a cold build: stapler {stapler_files}, Django {django_files}")
print(f"staticfiles.json entries: stapler {len(s)}, Django {len(d)}; only stapler's: {', '.join(sorted(s - d)) or 'none'}; only Django's: {', '.join(sorted(d - s)) or 'none'}")
if d - s:
    sys.exit("collectstatic.sh: Django collected names stapler did not")
EOF
