"""The manifest of the running Django project, read once per process."""

import os
import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from .manifest import FILE_NAME, Manifest

_lock = threading.Lock()
_cache = {}  # path → Manifest


def manifest_path():
    """manifest_path is the file the tags read: the STAPLER_MANIFEST
    setting, or stapler-manifest.json in STATIC_ROOT, where stapler build
    writes it when assets.toml's output is STATIC_ROOT."""
    path = getattr(settings, "STAPLER_MANIFEST", None)
    if path:
        return os.fspath(path)
    root = getattr(settings, "STATIC_ROOT", None)
    if not root:
        raise ImproperlyConfigured(
            "stapler_django: set STATIC_ROOT (stapler build's output) or STAPLER_MANIFEST "
            "(the path of its %s)" % FILE_NAME)
    return os.path.join(os.fspath(root), FILE_NAME)


def manifest():
    """manifest returns the project's Manifest, reading it the first time
    only; under DEBUG, again whenever the file has changed (stapler watch
    rebuilt it), at the cost of a stat per lookup. A manifest that is
    missing or that stapler would not read raises ImproperlyConfigured
    naming the file, and is tried again next time, so that a page works as
    soon as stapler build has run."""
    path = manifest_path()
    cached = _cache.get(path)
    stamp = None
    if settings.DEBUG:
        stamp = _stamp(path)
        if cached is not None and cached[0] != stamp:
            cached = None
    if cached is not None:
        return cached[1]
    with _lock:
        try:
            m = Manifest.load(path)
        except FileNotFoundError:
            raise ImproperlyConfigured(
                "stapler_django: %s: no such file: run stapler build, whose output is STATIC_ROOT, "
                "or set STAPLER_MANIFEST to the manifest it writes" % path) from None
        except ValueError as e:  # ManifestError
            raise ImproperlyConfigured("stapler_django: %s" % e) from e
        _cache[path] = (stamp, m)
    return m


def _stamp(path):
    """_stamp tells one version of the file from the next: a build writes
    a new file (and a new generation directory) rather than rewriting it."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_dev, st.st_mtime_ns, st.st_size)


@receiver(setting_changed)
def _forget(setting, **kwargs):
    # override_settings in tests: the next lookup reads the file it names.
    if setting in ("STAPLER_MANIFEST", "STATIC_ROOT"):
        with _lock:
            _cache.clear()
