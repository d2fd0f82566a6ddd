"""System checks: manage.py check (and runserver, migrate, ...) says when
the manifest and the settings disagree."""

import os

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .manifest import Manifest, ManifestError


@checks.register("stapler")
def check_manifest(app_configs=None, **kwargs):
    """check_manifest reads the manifest the tags will read, when there is
    one yet (before the first stapler build there is none, and nothing to
    say): stapler_django.E001 if stapler would not read it,
    stapler_django.W001 if its URL prefix is not STATIC_URL, where
    {% static %} and {% stapler_static %} would point at different places."""
    from .loader import manifest_path

    try:
        path = manifest_path()
    except ImproperlyConfigured as e:
        return [checks.Error(str(e), id="stapler_django.E002")]
    if not os.path.exists(path):
        return []
    try:
        m = Manifest.load(path)
    except (OSError, ManifestError) as e:
        return [checks.Error("%s" % e, hint="Run stapler build again.", id="stapler_django.E001")]
    static_url = settings.STATIC_URL
    if static_url and m.prefix != static_url:
        return [checks.Warning(
            "%s: the URL prefix %r is not STATIC_URL, %r: {%% stapler_static %%} and {%% static %%} "
            "give different URLs" % (path, m.prefix, static_url),
            hint="Set url in assets.toml to STATIC_URL, and build again.",
            id="stapler_django.W001")]
    return []
