"""Render django-pipeline's template tags, and pack its script bundles,
with the real Django and django-pipeline, over a tree stapler built.

Usage: python3 pipeline_render.py < REQUEST.json > ANSWER.json

The request:

    {"static_root": DIR,          stapler's output: staticfiles.json and the files
     "templates": DIR,            the template directory
     "stylesheets": {GROUP: {"source_filenames": [...], "output_filename": NAME}},
     "javascript": {...},         PIPELINE['STYLESHEETS'] and ['JAVASCRIPT']
     "render": [TEMPLATE, ...],   templates whose lines are rendered one by one
     "pack": {KEY: [NAME, ...]}}  script sources to join as pipeline does

Django runs with DEBUG = False, ManifestStaticFilesStorage reading
stapler's staticfiles.json (manifest_strict), and pipeline enabled, as in
production: {% stylesheet %} and {% javascript %} render the group's
output_filename through the storage, and an unknown group as "". Each
line of a template that holds a tag is rendered alone, after
{% load pipeline %}. A pack is pipeline's compress_js of the names (read
from STATIC_ROOT, where stapler's [collect] put them) with no compressor,
so with pipeline's wrapper unless DISABLE_WRAPPER.

The answer: {"render": {TEMPLATE: [OUTPUT per line]}, "pack": {KEY: TEXT}}.
Exits 2 when Django or django-pipeline cannot be imported.

bundler's TestPipelineAgrees runs it.
"""

import json
import logging
import os
import sys

STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


def main():
    req = json.load(sys.stdin)
    try:
        import django
        from django.conf import settings
        import pipeline  # noqa: F401
    except ImportError as e:
        print("pipeline_render.py: %s (apt-get install python3-django-pipeline)" % e, file=sys.stderr)
        sys.exit(2)

    options = dict(
        DEBUG=False,
        STATIC_ROOT=os.path.abspath(req["static_root"]),
        STATIC_URL="/static/",
        INSTALLED_APPS=["django.contrib.staticfiles", "pipeline"],
        TEMPLATES=[{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [req["templates"]],
            "APP_DIRS": True,
        }],
        PIPELINE={
            "PIPELINE_ENABLED": True,
            "PIPELINE_COLLECTOR_ENABLED": False,
            "STYLESHEETS": req.get("stylesheets", {}),
            "JAVASCRIPT": req.get("javascript", {}),
            "CSS_COMPRESSOR": None,
            "JS_COMPRESSOR": None,
        },
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
    logging.disable(logging.WARNING)  # pipeline's "Package %r is unknown"

    from django.template import Context, Template
    from pipeline.compressors import Compressor

    answer = {"render": {}, "pack": {}}
    for name in req.get("render", []):
        with open(os.path.join(req["templates"], name), encoding="utf-8") as f:
            lines = f.read().split("\n")
        out = []
        for line in lines:
            if "{%" not in line or "load" in line:
                out.append("")
                continue
            out.append(Template("{% load pipeline %}" + line).render(Context({})).strip())
        answer["render"][name] = out
    for key, names in req.get("pack", {}).items():
        answer["pack"][key] = Compressor(verbose=False).compress_js(names)
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
