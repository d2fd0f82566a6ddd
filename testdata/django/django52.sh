#!/usr/bin/env bash
# django52.sh fetches Django 5.2 into DIR/django-5.2.X and prints the
# directory to put on PYTHONPATH for Debian's /usr/bin/python3 to import
# it, beside Debian's own Django 3.2:
#
#	export STAPLER_DJANGO52=$(bash testdata/django/django52.sh ~/.cache/stapler-tools)
#	PYTHONPATH=$STAPLER_DJANGO52 /usr/bin/python3 -c 'import django; print(django.VERSION)'
#
# Debian 12 and 13 ship no Django 5.2 package, but the source package
# python-django of Debian's next release (forky) is 5.2: apt-get fetches
# its source, with a deb-src line and package lists of its own, in a
# temporary directory, so that the machine's apt sources are untouched.
# Django 5.2 runs from its source tree with Debian's python3-asgiref and
# python3-sqlparse, which python3-django brings. Nothing is fetched when a
# 5.2 is in DIR already. DIR must lie outside the repository.
set -euo pipefail

dir=${1:?usage: django52.sh DIR}
dir=$(realpath -m -- "$dir")
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
case $dir/ in
"$repo"/*)
	echo "django52.sh: $dir is inside the repository ($repo): choose a directory outside it" >&2
	exit 2
	;;
esac

# The newest 5.2 fetched already.
have=$(ls -d "$dir"/django-5.2.*/django/__init__.py 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -n $have ]]; then
	dirname "$(dirname "$have")"
	exit 0
fi

command -v apt-get >/dev/null || { echo "django52.sh: needs apt-get (Debian) to fetch Django 5.2's source" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/src"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
for suite in forky sid; do
	echo "deb-src [signed-by=$keyring] http://deb.debian.org/debian $suite main"
done >"$tmp/sources.list"
apt=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache" -o APT::Sandbox::User=root)
if ! out=$(apt-get "${apt[@]}" update 2>&1); then
	echo "$out" >&2
	echo "django52.sh: apt-get update of Debian's forky and sid sources failed" >&2
	exit 2
fi
# The newest 5.2 that the mirror serves: a version just listed may not be
# there yet.
versions=$(apt-cache "${apt[@]}" showsrc python-django 2>/dev/null |
	sed -n 's/^Version: \(\([0-9]*:\)\?5\.2\.[0-9.]*-[^ ]*\)$/\1/p' | sort -Vru)
if [[ -z $versions ]]; then
	echo "django52.sh: Debian's forky and sid hold no python-django 5.2 any more; pick another source of Django 5.2" >&2
	exit 2
fi
version=
for v in $versions; do
	if (cd "$tmp/src" && apt-get "${apt[@]}" source --download-only "python-django=$v" >"$tmp/log" 2>&1); then
		version=$v
		break
	fi
	rm -f "$tmp/src"/*
done
if [[ -z $version ]]; then
	cat "$tmp/log" >&2
	echo "django52.sh: apt-get source python-django failed for each of" $versions >&2
	exit 2
fi
upstream=${version#*:}
upstream=${upstream%-*}
tar -xzf "$tmp/src/python-django_$upstream.orig.tar.gz" -C "$tmp/src"
dest=$dir/django-$upstream
mkdir -p "$dest"
rm -rf "$dest/django"
mv "$tmp/src/django-$upstream/django" "$dest/django"
echo "django52.sh: Django $upstream from Debian's python-django $version" >&2
echo "$dest"
