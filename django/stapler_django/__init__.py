"""stapler_django: Django template tags for what stapler's manifest knows.

Add "stapler_django" to INSTALLED_APPS, then in a template:

    {% load stapler %}
    {% stapler_module "js/app.js" %}
    <img src="{% stapler_static "img/logo.png" %}">
    <link rel="stylesheet" href="{% stapler_static "css/site.css" %}"
          integrity="{% stapler_integrity "css/site.css" %}" crossorigin="anonymous">

The tags read STATIC_ROOT/stapler-manifest.json (or the file the
STAPLER_MANIFEST setting names) once per process. manifest() returns the
Manifest they read, for code outside templates (a Jinja2 environment's
globals, a view); stapler_django.manifest, which imports no Django, reads
any manifest file. See docs/django-tags.md in stapler's repository.
"""

from .manifest import (  # noqa: F401
    FILE_NAME,
    Asset,
    Manifest,
    ManifestError,
    NoIntegrity,
    StaplerLookupError,
    Tags,
    UnknownName,
)
from .loader import manifest, manifest_path  # noqa: F401

__all__ = [
    "FILE_NAME", "Asset", "Manifest", "ManifestError", "NoIntegrity",
    "StaplerLookupError", "Tags", "UnknownName", "manifest", "manifest_path",
]
