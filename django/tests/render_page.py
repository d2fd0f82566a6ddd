"""render_page.py renders a template of tests/templates with Django, as a
view would, reading the manifest the tags need from STAPLER_MANIFEST:

    python3 tests/render_page.py MANIFEST TEMPLATE OUT

django_test.go's TestBrowser serves what it writes to headless Chromium.
"""

import os
import sys

import django
from django.conf import settings


def main():
    manifest, template, out = sys.argv[1:]
    settings.configure(
        INSTALLED_APPS=["stapler_django"],
        STAPLER_MANIFEST=manifest,
        STATIC_URL="/static/",
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")],
        }],
    )
    django.setup()
    from django.template.loader import render_to_string

    html = render_to_string(template)
    with open(out, "w", encoding="utf-8") as f:
        f.write(html)


if __name__ == "__main__":
    main()
