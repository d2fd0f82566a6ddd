"""A django-pipeline project, for stapler init's tests
(bundler/init_test.go): stylesheet and script groups, one name in both
dicts ("main"), a group name with a dot ("admin.base"), globs, pipeline's
wrapper, its finder and its storage (Debian's PipelineCachedStorage, which
is pipeline's packing over ManifestStaticFilesStorage).
"""
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SECRET_KEY = "stapler-test"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "pipeline",
    "shop",
]
ROOT_URLCONF = "shopsite.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(BASE_DIR, "templates")],
        "APP_DIRS": True,
    },
]
DATABASES = {}

STATIC_URL = "/static/"
STATIC_ROOT = os.path.join(BASE_DIR, "staticfiles")
STATICFILES_DIRS = [os.path.join(BASE_DIR, "static")]
STATICFILES_STORAGE = "pipeline.storage.PipelineCachedStorage"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "pipeline.finders.PipelineFinder",
]

PIPELINE = {
    "PIPELINE_ENABLED": True,
    "CSS_COMPRESSOR": None,
    "JS_COMPRESSOR": None,
    "STYLESHEETS": {
        "main": {
            "source_filenames": ("css/base.css", "css/layout/*.css"),
            "output_filename": "css/main.css",
        },
        "admin.base": {
            "source_filenames": ("shop/css/admin.css",),
            "output_filename": "css/admin.css",
            "extra_context": {"media": "screen"},
        },
    },
    "JAVASCRIPT": {
        "main": {
            "source_filenames": ("js/lib.js", "js/app/*.js"),
            "output_filename": "js/main.js",
        },
        "shop": {
            "source_filenames": ("shop/js/cart.js",),
            "output_filename": "js/shop.js",
        },
    },
}
