#!/usr/bin/env bash
# publish.sh times a deploy to object storage (issue 15): `stapler build`
# then `stapler publish`, against Django's `collectstatic` with
# django-storages' S3ManifestStaticStorage, both into the same real
# S3-compatible server on 127.0.0.1 (versitygw, testdata/s3/server.sh), each
# into a bucket of its own, on the generated site of TestWriteBenchTree
# (APPS=0: about 4,000 files). Three steps, the tools taking turns:
#
#   cold        into an empty prefix of the bucket (stapler: a build into
#               a new directory, then its publish)
#   unchanged   the same again, nothing changed
#   image       after one image, which three stylesheets reference, got
#               new bytes of the same size
#
# It prints the median (min–max) of RUNS runs (default 3) of each, and the
# ratio of stapler's median to Django's, with the issue's target.
#
# usage: testdata/bench/publish.sh [WORKDIR]
#
#   RUNS    timed runs of each step (default 3)
#   APPS    apps of the generated site (default 0)
#   PYTHON  a Python with Django, django-storages and boto3 (default
#           /usr/bin/python3: Debian's python3-django,
#           python3-django-storages and python3-boto3, which this script
#           installs with apt-get when they are missing)
#   ONLY    "django" to time Django's side alone
#
# WORKDIR, a new temporary directory unless given, keeps the tree, the
# server's data, every output, runs.log and times.tsv. The server is built
# once into ${XDG_CACHE_HOME:-~/.cache}/stapler-tools, and stopped at the end.
set -euo pipefail

runs=${RUNS:-3}
apps=${APPS:-0}
only=${ONLY:-}
python=${PYTHON:-/usr/bin/python3}
repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}
work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/stapler-publish.XXXXXX")}
mkdir -p "$work"
work=$(cd "$work" && pwd)
tree=$work/tree
if [ -e "$tree" ]; then
	echo "publish.sh: $tree exists: give a new WORKDIR" >&2
	exit 2
fi

if ! "$python" -c 'import django, storages, boto3' 2>/dev/null; then
	if [ "$python" != /usr/bin/python3 ] || ! command -v apt-get >/dev/null; then
		echo "publish.sh: $python cannot import django, storages and boto3" >&2
		exit 2
	fi
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	echo "publish.sh: installing python3-django python3-django-storages python3-boto3" >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get -qq -o DPkg::Lock::Timeout=600 install -y python3-django python3-django-storages python3-boto3 >/dev/null
fi
server=$(bash "$repo/testdata/s3/server.sh" "$cache/stapler-tools")

versions=$("$python" -c 'import django, storages, boto3, platform; print(f"Django {django.get_version()}, django-storages {storages.__version__}, boto3 {boto3.__version__}, Python {platform.python_version()}")')
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(uname -sr), $(stat -f -c %T "$work") file system"
echo "versions: $(cd "$repo" && go version | cut -d' ' -f3-), stapler $(cd "$repo" && git rev-parse --short HEAD), $versions, $(basename "$(dirname "$server")")"
echo "workdir: $work"

(cd "$repo" && go build -o "$work/stapler" ./cmd/stapler)
(cd "$repo" && STAPLER_BENCH_APPS=$apps STAPLER_BENCH_TREE=$tree go test ./bundler -run '^TestWriteBenchTree$' -count=1 -v) |
	sed -n 's/^ *bench_collect_test.go:[0-9]*: /tree: /p'
read -r image size _ <"$tree/bench-image.txt"

# The server: one account, a free port of 127.0.0.1, its data in WORKDIR.
port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export AWS_ACCESS_KEY_ID=publishbench AWS_SECRET_ACCESS_KEY=publishbench-secret
export AWS_REGION=us-east-1 AWS_ENDPOINT_URL_S3=http://127.0.0.1:$port
export AWS_SHARED_CREDENTIALS_FILE=$work/no-aws-credentials AWS_CONFIG_FILE=$work/no-aws-config
mkdir "$work/s3"
env -i PATH="$PATH" "$server" --port "127.0.0.1:$port" --access "$AWS_ACCESS_KEY_ID" --secret "$AWS_SECRET_ACCESS_KEY" \
	--region "$AWS_REGION" posix "$work/s3" >"$work/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true' EXIT
"$python" - <<'EOF'
import os, time, boto3, botocore
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL_S3"])
for _ in range(600):
    try:
        s3.list_buckets()
        break
    except botocore.exceptions.EndpointConnectionError:
        time.sleep(0.1)
for b in ("django", "stapler"):
    s3.create_bucket(Bucket=b)
EOF

# Django's side: what django-storages' documentation sets up, with the
# long cache of hashed names that a CDN wants. LOCATION, the prefix, is
# given per run.
mkdir "$work/django"
cat >"$work/django/bench_settings.py" <<EOF
import glob, os

TREE = "$tree"
SECRET_KEY = "publish.sh"
INSTALLED_APPS = ["django.contrib.staticfiles", "storages"]
STATIC_URL = "/static/"
STATICFILES_STORAGE = "storages.backends.s3boto3.S3ManifestStaticStorage"
AWS_STORAGE_BUCKET_NAME = "django"
AWS_LOCATION = os.environ["LOCATION"]
AWS_S3_ENDPOINT_URL = os.environ["AWS_ENDPOINT_URL_S3"]
AWS_S3_REGION_NAME = os.environ["AWS_REGION"]
AWS_S3_ADDRESSING_STYLE = "path"
AWS_S3_OBJECT_PARAMETERS = {"CacheControl": "public, max-age=31536000, immutable"}
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = False
STATICFILES_DIRS = [
    os.path.join(TREE, "static"),
    ("vendor", os.path.join(TREE, "vendor", "dist")),
] + sorted(glob.glob(os.path.join(TREE, "apps", "*", "static")))
EOF

log=$work/runs.log
times=$work/times.tsv
: >"$log"
: >"$times"

# timed STEP TOOL COMMAND... flushes dirty pages, then times COMMAND,
# appending "STEP TOOL seconds" to times.tsv and its output to runs.log.
timed() {
	local step=$1 tool=$2 t0 t1
	shift 2
	sync
	echo "== $tool $step" >>"$log"
	t0=$(date +%s%N)
	"$@" >>"$log" 2>&1
	t1=$(date +%s%N)
	printf '%s\t%s\t%d\n' "$step" "$tool" "$(((t1 - t0) / 1000))" >>"$times"
}
# stapler CONFIG PREFIX: a build, then its publish under PREFIX.
stapler() {
	"$work/stapler" build -q -c "$tree/$1.toml" &&
		"$work/stapler" publish -c "$tree/$1.toml" "s3://stapler/$2/"
}
django() { LOCATION=$1 "$python" -m django collectstatic --noinput -v1 --settings=bench_settings --pythonpath="$work/django"; }
change_image() {
	local f=$tree/$image
	{
		head -c 16 "$f"
		head -c $((size - 16)) /dev/urandom
	} >"$f.new"
	mv "$f.new" "$f"
}

for i in $(seq "$runs"); do
	sed "0,/^output = .*/s||output = \"build/cold-$i\"|" "$tree/assets.toml" >"$tree/cold-$i.toml"
	printf '\n[publish]\npath_style = true\n' >>"$tree/cold-$i.toml"
done

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$runs"); do
	[ "$only" = django ] || timed cold stapler stapler "cold-$i" "cold-$i"
	timed cold django django "cold-$i"
done
last=cold-$runs
for i in $(seq "$runs"); do
	[ "$only" = django ] || timed unchanged stapler stapler "$last" "$last"
	timed unchanged django django "$last"
done
for i in $(seq "$runs"); do
	change_image
	[ "$only" = django ] || timed image stapler stapler "$last" "$last"
	change_image
	timed image django django "$last"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

"$python" - "$times" "$runs" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    step, tool, us = line.rstrip("\n").split("\t")
    rows.setdefault((step, tool), []).append(int(us) / 1e6)
cell = lambda t: f"{statistics.median(t):.2f} s ({min(t):.2f}–{max(t):.2f})" if t else "not run"
print("| step | stapler build + publish | Django collectstatic (S3ManifestStaticStorage) | stapler / Django | target |")
print("|---|---|---|---|---|")
for step, name, target in (("cold", "cold", 0.3), ("unchanged", "nothing changed", 0.05), ("image", "one image changed", 0.1)):
    s, d = rows.get((step, "stapler"), []), rows.get((step, "django"), [])
    ratio = f"{statistics.median(s) / statistics.median(d):.3f}×" if s and d else ""
    met = ("met" if statistics.median(s) / statistics.median(d) <= target else "missed") if s and d else ""
    print(f"| {name} | {cell(s)} | {cell(d)} | {ratio} | ≤ {target}× {met} |")
print(f"\nmedian (min–max) of {sys.argv[2]} runs each")
EOF
