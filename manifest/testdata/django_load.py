"""Load a staticfiles.json with the real Django, as a site would.

Usage: python3 django_load.py STATIC_ROOT NAME [NAME...]

Configures Django with ManifestStaticFilesStorage (manifest_strict, the
default) reading STATIC_ROOT/staticfiles.json, and for each NAME checks
that {% static NAME %} gives STATIC_URL followed by a hashed path, other
than NAME, of a file that exists under STATIC_ROOT. Prints "NAME -> URL"
for each name; on the first failure prints why to stderr and exits 1.
Exits 2 on bad usage or if Django cannot be imported.

stapler's manifest tests run it (TestDjangoLoadsManifest).
"""

import os
import sys
from urllib.parse import unquote

STATIC_URL = "/static/"
STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


def fail(msg, code=1):
    print("django_load.py: " + msg, file=sys.stderr)
    sys.exit(code)


def main(argv):
    if len(argv) < 3:
        fail("usage: django_load.py STATIC_ROOT NAME [NAME...]", 2)
    root, names = os.path.abspath(argv[1]), argv[2:]
    try:
        import django
        from django.conf import settings
    except ImportError as e:
        fail("cannot import django (apt-get install python3-django): %s" % e, 2)

    options = dict(
        DEBUG=False,
        STATIC_ROOT=root,
        STATIC_URL=STATIC_URL,
        INSTALLED_APPS=["django.contrib.staticfiles"],
    )
    if django.VERSION >= (4, 2):
        options["STORAGES"] = {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": STORAGE},
        }
    else:
        options["STATICFILES_STORAGE"] = STORAGE
    settings.configure(**options)
    django.setup()

    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.templatetags.static import static

    if not staticfiles_storage.manifest_strict:
        fail("manifest_strict is off; the check would prove nothing")
    if not staticfiles_storage.hashed_files:
        fail("no paths loaded from %s" % os.path.join(root, staticfiles_storage.manifest_name))

    for name in names:
        try:
            url = static(name)
        except ValueError as e:  # Django's "Missing staticfiles manifest entry"
            fail("%s: %s" % (name, e))
        if not url.startswith(STATIC_URL):
            fail("%s: URL %r does not start with %r" % (name, url, STATIC_URL))
        hashed = unquote(url[len(STATIC_URL):])
        if hashed == name:
            fail("%s: URL %r is not hashed" % (name, url))
        if not os.path.isfile(os.path.join(root, *hashed.split("/"))):
            fail("%s: URL %r names %r, which is not a file under %s" % (name, url, hashed, root))
        print("%s -> %s" % (name, url))


if __name__ == "__main__":
    main(sys.argv)
