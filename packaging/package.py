#!/usr/bin/env python3
"""package.py packages stapler's binaries as Python wheels and npm packages.

packaging/build.sh builds the binaries and runs it:

    python3 packaging/package.py --version 1.2.3 --out DIR \\
        --readme packaging/README.md --schema schema/assets.schema.json \\
        --shim packaging/npm/bin/stapler.js --django django/stapler_django \\
        linux/amd64=DIR/bin/linux-amd64/stapler ...

It uses the standard library only: no setuptools, no npm. Every archive
is made byte for byte the same from the same inputs: entries sorted, fixed
times, owners and modes, gzip without a name or a time.

A wheel (PEP 427) per platform holds the binary as a script of its
.data directory, which pip installs into the environment's bin (Scripts
on Windows) with its executable bit, as ruff's wheels do, and the Django
app of stapler's template tags, stapler_django (--django, from the
repository's django/), so that one install gives a Django project both.
The npm packages are esbuild's shape: @stapler-build/stapler has a bin shim, the schema, and
an optional dependency on each platform package; npm installs the one
whose os and cpu match, and the shim runs its binary.
"""

import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import zipfile

DIST = "stapler-build"  # the Python distribution's name
NPM_SCOPE = "@stapler-build"
NPM_MAIN = NPM_SCOPE + "/stapler"
SUMMARY = ("A build-time bundler for static files: bundles, minifies and hash-names "
           "them, writes Django's staticfiles.json, and reports every mistake at its line.")
URL = "https://github.com/stapler-build/stapler"

# Each platform: its wheel tags (a static binary runs on any libc, so
# manylinux and musllinux alike; Go 1.26 needs macOS 12), npm's os and cpu.
PLATFORMS = {
    "linux/amd64": (["manylinux_2_17_x86_64", "manylinux2014_x86_64", "musllinux_1_1_x86_64"], "linux", "x64"),
    "linux/arm64": (["manylinux_2_17_aarch64", "manylinux2014_aarch64", "musllinux_1_1_aarch64"], "linux", "arm64"),
    "darwin/amd64": (["macosx_12_0_x86_64"], "darwin", "x64"),
    "darwin/arm64": (["macosx_12_0_arm64"], "darwin", "arm64"),
    "windows/amd64": (["win_amd64"], "win32", "x64"),
}

# The time of every archive entry: zip's earliest for wheels, npm pack's
# own fixed time (1985-10-26T08:15:00Z) for npm tarballs.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
TAR_TIME = 499162500


def pep440(version):
    """pep440 turns a semver version into the Python version it means:
    1.2.3-rc.1 is 1.2.3rc1, 0.0.0-dev.20260101120000.gabc is
    0.0.0.dev20260101120000+gabc."""
    m = re.fullmatch(r"(\d+\.\d+\.\d+)(?:-([0-9A-Za-z.]+))?", version)
    if not m:
        sys.exit(f"package.py: version {version!r} is not semver")
    release, pre = m.group(1), m.group(2)
    if pre is None:
        return release
    parts = pre.split(".")
    kinds = {"dev": ".dev", "rc": "rc", "alpha": "a", "a": "a", "beta": "b", "b": "b"}
    if parts[0] not in kinds or len(parts) < 2 or not parts[1].isdigit():
        sys.exit(f"package.py: pre-release {pre!r}: use dev.N, rc.N, alpha.N or beta.N")
    v = release + kinds[parts[0]] + parts[1]
    if len(parts) > 2:
        v += "+" + ".".join(parts[2:])
    return v


def record_hash(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def write_zip(path, files):
    """write_zip writes files, {name: (data, mode)}, sorted by name but
    for the RECORD, which a wheel has last."""
    names = sorted(files, key=lambda n: (n.endswith(".dist-info/RECORD"), n))
    with zipfile.ZipFile(path, "w") as z:
        for name in names:
            data, mode = files[name]
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = 3  # unix, so that the mode is read
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data, compresslevel=9)


def python_files(package):
    """python_files returns the .py files of the package directory, by
    their names in a wheel: {"stapler_django/__init__.py": (data, mode)}."""
    files = {}
    root = os.path.dirname(os.path.abspath(package))
    for dirpath, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = os.path.join(dirpath, name)
                with open(path, "rb") as f:
                    files[os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")] = (f.read(), 0o644)
    return files


def wheel(out, version, platform, binary, readme, django):
    tags, _, _ = PLATFORMS[platform]
    pyver = pep440(version)
    stem = DIST.replace("-", "_") + "-" + pyver
    exe = "stapler.exe" if platform.startswith("windows/") else "stapler"
    with open(binary, "rb") as f:
        files = {f"{stem}.data/scripts/{exe}": (f.read(), 0o755)}
    files.update(django)
    files[f"{stem}.dist-info/METADATA"] = ("".join([
        "Metadata-Version: 2.1\n",
        f"Name: {DIST}\n",
        f"Version: {pyver}\n",
        f"Summary: {SUMMARY}\n",
        f"Home-page: {URL}\n",
        f"Project-URL: Source, {URL}\n",
        "Requires-Python: >=3.7\n",
        "Description-Content-Type: text/markdown\n",
        "\n",
        readme,
    ]).encode(), 0o644)
    files[f"{stem}.dist-info/WHEEL"] = ("".join(
        ["Wheel-Version: 1.0\n", "Generator: stapler packaging/package.py\n", "Root-Is-Purelib: false\n"]
        + [f"Tag: py3-none-{t}\n" for t in tags]).encode(), 0o644)
    record = "".join(f"{name},{record_hash(data)},{len(data)}\n" for name, (data, _) in sorted(files.items()))
    files[f"{stem}.dist-info/RECORD"] = ((record + f"{stem}.dist-info/RECORD,,\n").encode(), 0o644)
    path = os.path.join(out, f"{stem}-py3-none-{'.'.join(tags)}.whl")
    write_zip(path, files)
    return path


def write_tgz(path, files):
    """write_tgz writes files, {name: (data, mode)}, under package/ as npm
    pack does, sorted, with fixed times and owners."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name in sorted(files):
            data, mode = files[name]
            info = tarfile.TarInfo("package/" + name)
            info.size, info.mode, info.mtime = len(data), mode, TAR_TIME
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    with open(path, "wb") as f:
        with gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as gz:
            gz.write(raw.getvalue())


def npm_name(platform):
    _, os_, cpu = PLATFORMS[platform]
    return f"{NPM_SCOPE}/stapler-{os_}-{cpu}"


def tgz_name(package, version):
    # npm pack's name: the scope's @ dropped, / as -.
    return package.lstrip("@").replace("/", "-") + "-" + version + ".tgz"


def package_json(fields):
    return (json.dumps(fields, indent=2) + "\n").encode()


def npm_platform(out, version, platform, binary):
    _, os_, cpu = PLATFORMS[platform]
    name = npm_name(platform)
    exe = "stapler.exe" if os_ == "win32" else "stapler"
    with open(binary, "rb") as f:
        files = {f"bin/{exe}": (f.read(), 0o755)}
    files["package.json"] = (package_json({
        "name": name,
        "version": version,
        "description": f"The stapler binary for {platform}; install {NPM_MAIN}, which runs it.",
        "repository": {"type": "git", "url": "git+" + URL + ".git"},
        "os": [os_],
        "cpu": [cpu],
        "preferUnplugged": True,
    }), 0o644)
    files["README.md"] = (f"# {name}\n\nThe stapler binary for {platform}. Install `{NPM_MAIN}`, whose "
                          "`stapler` command runs it.\n").encode(), 0o644
    path = os.path.join(out, tgz_name(name, version))
    write_tgz(path, files)
    return path


def npm_main(out, version, shim, schema, readme):
    with open(shim, "rb") as f:
        files = {"bin/stapler.js": (f.read(), 0o755)}
    with open(schema, "rb") as f:
        files["assets.schema.json"] = (f.read(), 0o644)
    files["README.md"] = (readme.encode(), 0o644)
    files["package.json"] = (package_json({
        "name": NPM_MAIN,
        "version": version,
        "description": SUMMARY,
        "repository": {"type": "git", "url": "git+" + URL + ".git"},
        "bin": {"stapler": "bin/stapler.js"},
        "engines": {"node": ">=14"},
        # Every platform, whichever were built: the package is the same.
        "optionalDependencies": {npm_name(p): version for p in sorted(PLATFORMS)},
    }), 0o644)
    path = os.path.join(out, tgz_name(NPM_MAIN, version))
    write_tgz(path, files)
    return path


def main():
    ap = argparse.ArgumentParser(description="Package stapler's binaries as wheels and npm packages.")
    ap.add_argument("--version", required=True, help="semver, without a v")
    ap.add_argument("--out", required=True)
    ap.add_argument("--readme", required=True)
    ap.add_argument("--schema", required=True)
    ap.add_argument("--shim", required=True)
    ap.add_argument("--django", required=True, help="the stapler_django package directory, for the wheels")
    ap.add_argument("binaries", nargs="+", metavar="GOOS/GOARCH=FILE")
    args = ap.parse_args()
    with open(args.readme, encoding="utf-8") as f:
        readme = f.read()
    npm_dir = os.path.join(args.out, "npm")
    os.makedirs(npm_dir, exist_ok=True)
    django = python_files(args.django)
    made = []
    for spec in args.binaries:
        platform, _, binary = spec.partition("=")
        if platform not in PLATFORMS:
            sys.exit(f"package.py: no packaging for {platform}: one of {', '.join(PLATFORMS)}")
        made.append(wheel(args.out, args.version, platform, binary, readme, django))
        made.append(npm_platform(npm_dir, args.version, platform, binary))
    made.append(npm_main(npm_dir, args.version, args.shim, args.schema, readme))
    sums = []
    for path in sorted(made):
        with open(path, "rb") as f:
            sums.append(f"{hashlib.sha256(f.read()).hexdigest()}  {os.path.relpath(path, args.out)}\n")
    with open(os.path.join(args.out, "SHA256SUMS"), "w") as f:
        f.writelines(sums)
    sys.stdout.writelines(sums)


if __name__ == "__main__":
    main()
