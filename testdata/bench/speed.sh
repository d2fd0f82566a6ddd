#!/usr/bin/env bash
# speed.sh times stapler against the floor and against Django, in one run on
# one machine (issue 12), on the generated site of TestWriteBenchTree: with
# APPS=0 about 4,000 files (27 MB), with APPS=20 about 20,000 (160 MB).
#
#   floor       cp -r of every root, in finder order, into a new directory,
#               plus sha256sum of every file: what copying and hashing cost
#   django      Django's collectstatic with ManifestStaticFilesStorage, cold
#   cold        stapler build into a new directory
#   unchanged   stapler build again, nothing changed
#   image       stapler build after one image (referenced by 3 stylesheets,
#               one in a bundle) got new bytes of the same size
#   source      stapler build after one source of the CSS bundle changed
#   check       stapler check
#
# Each step runs RUNS times (default 3), the tools taking turns; it prints
# the median (min–max), the ratio of the median to the floor's and to
# Django's, and the largest peak RSS (/usr/bin/time).
#
# usage: APPS=0 testdata/bench/speed.sh [WORKDIR]
#
# WORKDIR, a new temporary directory unless given, keeps the tree, every
# output and times.tsv. Nothing is deleted between runs (see the note on
# ext4 in collectstatic.sh).
set -euo pipefail

runs=${RUNS:-3}
apps=${APPS:-0}
python=${PYTHON:-/usr/bin/python3}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/stapler-speed.XXXXXX")}
mkdir -p "$work"
work=$(cd "$work" && pwd)
tree=$work/tree
if [ -e "$tree" ]; then
	echo "speed.sh: $tree exists: give a new WORKDIR" >&2
	exit 2
fi
if ! django_version=$("$python" -c 'import django; print(django.get_version())'); then
	echo "speed.sh: $python cannot import django (apt-get install python3-django)" >&2
	exit 2
fi
if [ ! -x /usr/bin/time ]; then
	echo "speed.sh: needs /usr/bin/time (apt-get install time)" >&2
	exit 2
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr), $(stat -f -c %T "$work") file system"
echo "versions: $(cd "$repo" && go version | cut -d' ' -f3-), stapler $(cd "$repo" && git rev-parse --short HEAD), Django $django_version"
# Built as packaging/build.sh builds what users install: static, without
# cgo (a dynamically linked stapler starts 3-4 ms later, every step).
(cd "$repo" && CGO_ENABLED=0 go build -trimpath -o "$work/stapler" ./cmd/stapler)
(cd "$repo" && STAPLER_BENCH_APPS=$apps STAPLER_BENCH_TREE=$tree go test ./bundler -run '^TestWriteBenchTree$' -count=1 -v) |
	sed -n 's/^ *bench_collect_test.go:[0-9]*: /tree: /p'
read -r image size _ <"$tree/bench-image.txt"
components=("$tree"/static/css/components/*.css) # a source of the CSS bundle
source=${components[0]}

mkdir "$work/django"
cat >"$work/django/bench_settings.py" <<EOF
import glob, os

TREE = "$tree"
SECRET_KEY = "speed.sh"
INSTALLED_APPS = ["django.contrib.staticfiles"]
STATIC_URL = "/static/"
STATIC_ROOT = os.environ["STATIC_ROOT"]
STATICFILES_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
STATICFILES_DIRS = [
    os.path.join(TREE, "static"),
    ("vendor", os.path.join(TREE, "vendor", "dist")),
] + sorted(glob.glob(os.path.join(TREE, "apps", "*", "static")))
EOF

times=$work/times.tsv
: >"$times"

# timed STEP COMMAND... flushes dirty pages, then runs COMMAND under
# /usr/bin/time, appending "STEP seconds peak-KB" to times.tsv. The seconds
# are bash's clock around it, to the microsecond: /usr/bin/time's own are
# to the hundredth, a fifth of a rebuild with nothing changed.
timed() {
	local step=$1
	shift
	sync
	local start=${EPOCHREALTIME/[.,]/}
	/usr/bin/time -f %M -o "$work/rss" "$@" >>"$work/runs.log" 2>&1
	local us=$((${EPOCHREALTIME/[.,]/} - start))
	printf '%s\t%d.%06d\t%s\n' "$step" $((us / 1000000)) $((us % 1000000)) "$(tail -n 1 "$work/rss")" >>"$times"
}
floor() {
	local to=$work/floor-$1
	mkdir "$to"
	cp -r "$tree/static/." "$to/"
	mkdir -p "$to/vendor"
	cp -r "$tree/vendor/dist/." "$to/vendor/"
	for d in "$tree"/apps/*/static; do
		[ -d "$d" ] && cp -r "$d/." "$to/"
	done
	find "$tree/static" "$tree/vendor/dist" $(ls -d "$tree"/apps/*/static 2>/dev/null) -type f -print0 | xargs -0 sha256sum >/dev/null
}
export -f floor
export tree work
# stapler's steps run the command itself, not through a shell as the
# floor's do: a bash would add its own start to stapler's time.
st=$work/stapler
change_image() {
	local f=$tree/$image
	{
		head -c 16 "$f"
		head -c $((size - 16)) /dev/urandom
	} >"$f.new"
	mv "$f.new" "$f"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$runs"); do
	timed floor bash -c "floor $i"
	sed "0,/^output = .*/s||output = \"build/cold-$i\"|" "$tree/assets.toml" >"$tree/cold-$i.toml"
	timed cold "$st" build -q -c "$tree/cold-$i.toml"
	timed django env STATIC_ROOT="$work/django/cold-$i" "$python" -m django collectstatic --noinput -v0 --settings=bench_settings --pythonpath="$work/django"
done
last=cold-$runs
for i in $(seq "$runs"); do
	timed unchanged "$st" build -q -c "$tree/$last.toml"
	change_image
	timed image "$st" build -q -c "$tree/$last.toml"
	printf '/* edit %s */\n' "$i" >>"$source"
	timed source "$st" build -q -c "$tree/$last.toml"
	timed check "$st" check -q -c "$tree/$last.toml"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

"$python" - "$times" "$runs" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    parts = line.rstrip("\n").split("\t")
    if len(parts) != 3:
        continue  # a failed command's line
    step, secs, kb = parts
    rows.setdefault(step, []).append((float(secs), int(kb)))
med = {s: statistics.median(t for t, _ in v) for s, v in rows.items()}
print("| step | median (min–max) | × floor | × Django | peak RSS |")
print("|---|---|---|---|---|")
for step in ("floor", "django", "cold", "unchanged", "image", "source", "check"):
    v = rows.get(step)
    if not v:
        print(f"| {step} | failed | | | |")
        continue
    ts = [t for t, _ in v]
    rss = max(k for _, k in v) / 1024
    print(f"| {step} | {med[step]:.3f} s ({min(ts):.3f}–{max(ts):.3f}) | {med[step] / med['floor']:.2f}× | {med[step] / med['django']:.2f}× | {rss:.0f} MB |")
print(f"\nmedians of {sys.argv[2]} runs; the floor's RSS is that of its largest process")
EOF
