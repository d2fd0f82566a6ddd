"""Tests of stapler_django with a real Django, its template engine
configured with settings.configure.

Run from django/ in the repository (django_test.go runs them under Django
3.2 and 5.2):

    python3 -m unittest -v tests.test_tags

$STAPLER_TEST_DJANGO, when set, is the version (major.minor) the tests
must run under, so that a PYTHONPATH that did not take is noticed.
"""

import json
import os
import shutil
import tempfile
import unittest

import django
from django.conf import settings

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "..", "..", "testdata", "manifest", "tags.json")
TMP = tempfile.mkdtemp(prefix="stapler-django-tests-")

settings.configure(
    DEBUG=False,
    INSTALLED_APPS=["django.contrib.staticfiles", "stapler_django"],
    STATIC_URL="/static/",
    STATIC_ROOT=os.path.join(TMP, "static-root"),
    TEMPLATES=[{
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "OPTIONS": {"debug": True},
    }],
)
django.setup()

from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.template import engines  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils.html import escape  # noqa: E402

import stapler_django  # noqa: E402
from stapler_django import loader  # noqa: E402
from stapler_django.manifest import Manifest, ManifestError, NoIntegrity, UnknownName  # noqa: E402

with open(TABLE, encoding="utf-8") as f:
    table = json.load(f)

# Each manifest of the table in a file of its own, as stapler writes it.
paths = {}
for _name, _m in table["manifests"].items():
    os.makedirs(os.path.join(TMP, _name))
    paths[_name] = os.path.join(TMP, _name, "stapler-manifest.json")
    with open(paths[_name], "w", encoding="utf-8") as f:
        json.dump(_m, f, indent=2, ensure_ascii=False)


def render(source, **context):
    return engines["django"].from_string("{% load stapler %}" + source).render(context)


def tearDownModule():
    shutil.rmtree(TMP)


class TestDjango(unittest.TestCase):
    def test_version(self):
        want = os.environ.get("STAPLER_TEST_DJANGO")
        got = "%d.%d" % django.VERSION[:2]
        print("Django", django.get_version(), "from", os.path.dirname(django.__file__))
        if want:
            self.assertEqual(got, want, "the tests run under Django %s, want %s" % (got, want))


class TestTable(unittest.TestCase):
    """The rows of testdata/manifest/tags.json, which the Go package is held
    to too (manifest.TestTagTable): the same answers, byte for byte."""

    def test_cases(self):
        for c in table["cases"]:
            with self.subTest(row=c["row"], func=c["func"]), override_settings(STAPLER_MANIFEST=paths[c["manifest"]]):
                name = c["name"]
                tag = {"module": "stapler_module", "url": "stapler_static", "integrity": "stapler_integrity"}[c["func"]]
                m = Manifest.load(paths[c["manifest"]])
                call = {"module": m.module, "url": m.url, "integrity": m.integrity}[c["func"]]
                if c.get("error"):
                    kind = NoIntegrity if "no integrity hash" in c["error"] else UnknownName
                    with self.assertRaises(kind) as caught:
                        call(name)
                    self.assertEqual(str(caught.exception), c["error"])
                    self.assertEqual(caught.exception.name, name)
                    with self.assertRaises(kind) as caught:
                        render("{% " + tag + " name %}", name=name)
                    self.assertEqual(str(caught.exception), c["error"])
                    continue
                want = c["want"]
                self.assertEqual(call(name), want)
                if c["func"] == "module":
                    # HTML already: never escaped again.
                    self.assertEqual(render("{% stapler_module name %}", name=name), want)
                else:
                    # A value: escaped as {% static %} escapes its URL,
                    # unless autoescape is off.
                    self.assertEqual(render("{% " + tag + " name %}", name=name), escape(want))
                    self.assertEqual(render("{% autoescape off %}{% " + tag + " name %}{% endautoescape %}", name=name), want)
                    self.assertEqual(render("{% " + tag + " name as v %}[{{ v }}]", name=name), "[" + escape(want) + "]")

    def test_literal_names(self):
        # The name written in the template, as pages do.
        with override_settings(STAPLER_MANIFEST=paths["modules"]):
            self.assertEqual(render('{% stapler_static "img/logo.svg" %}'), "/static/img/logo.1.svg")
            self.assertEqual(render("{% stapler_static 'img/café au lait.png' %}"), "/static/img/caf%C3%A9%20au%20lait.1.png")
            self.assertEqual(render('{% stapler_module "js/classic.js" %}'),
                             '<script type="module" src="/static/js/classic.1.js"></script>')

    def test_invalid(self):
        for c in table["invalid"]:
            with self.subTest(row=c["row"]):
                with self.assertRaises(ManifestError) as caught:
                    Manifest.parse(json.dumps(c["manifest"]))
                self.assertEqual(caught.exception.problems[0], c["error"])
                self.assertEqual(str(caught.exception).split(" (and ")[0], c["error"])
                path = os.path.join(TMP, "invalid.json")
                with open(path, "w", encoding="utf-8") as f:
                    json.dump(c["manifest"], f)
                with override_settings(STAPLER_MANIFEST=path), self.assertRaises(ImproperlyConfigured) as caught:
                    render('{% stapler_static "a.js" %}')
                self.assertEqual(str(caught.exception), "stapler_django: %s: %s" % (path, str(ManifestError(None, [c["error"]]))))


class TestManifestParse(unittest.TestCase):
    """What Parse refuses that a JSON decoder would let through."""

    def test_refused(self):
        for row, data in [
            ("duplicate name", '{"version": 1, "url": "/", "files": {"a": {"path": "a"}, "a": {"path": "b"}}}'),
            ("duplicate field", '{"version": 1, "url": "/", "url": "/x/", "files": {}}'),
            ("trailing data", '{"version": 1, "url": "/", "files": {}} {}'),
            ("not an object", '[]'),
            ("a version that is a bool", '{"version": true, "url": "/", "files": {}}'),
            ("a size that is a float", '{"version": 1, "url": "/", "files": {"a": {"path": "a", "size": 1.5}}}'),
            ("invalid UTF-8", b'{"version": 1, "url": "/\xff/", "files": {}}'),
            ("an unknown encoding", '{"version": 1, "url": "/", "files": {"a": {"path": "a", "encodings": {"deflate": 3}}}}'),
        ]:
            with self.subTest(row=row), self.assertRaises(ManifestError):
                Manifest.parse(data)

    def test_every_problem(self):
        with self.assertRaises(ManifestError) as caught:
            Manifest.parse('{"version": 2, "url": "x", "files": {"a": {"path": "../a"}}}')
        self.assertEqual(len(caught.exception.problems), 3, caught.exception.problems)
        self.assertIn("(and 2 more errors)", str(caught.exception))


class TestLoading(unittest.TestCase):
    """The manifest is read once per process, from the setting's path."""

    def setUp(self):
        loader._cache.clear()
        self.loads = []
        real = Manifest.load.__func__

        def counting(cls, path):
            self.loads.append(path)
            return real(cls, path)

        Manifest.load = classmethod(counting)
        self.addCleanup(setattr, Manifest, "load", classmethod(real))
        self.addCleanup(loader._cache.clear)

    def test_once(self):
        dir = os.path.join(TMP, "once")
        os.makedirs(dir, exist_ok=True)
        path = os.path.join(dir, "m.json")
        shutil.copy(paths["modules"], path)
        with override_settings(STAPLER_MANIFEST=path):
            for _ in range(3):
                self.assertEqual(render('{% stapler_static "img/logo.svg" %}'), "/static/img/logo.1.svg")
            # A new build's manifest is not seen until the process restarts
            # (or a setting changes, as in tests).
            with open(path, "w") as f:
                json.dump({"version": 1, "url": "/new/", "files": {"img/logo.svg": {"path": "img/logo.2.svg"}}}, f)
            self.assertEqual(render('{% stapler_static "img/logo.svg" %}'), "/static/img/logo.1.svg")
            self.assertEqual(self.loads, [path])
            self.assertIs(stapler_django.manifest(), stapler_django.manifest())
        with override_settings(STAPLER_MANIFEST=path):
            self.assertEqual(render('{% stapler_static "img/logo.svg" %}'), "/new/img/logo.2.svg")
        self.assertEqual(self.loads, [path, path])

    def test_debug_reads_a_new_build(self):
        dir = os.path.join(TMP, "debug")
        os.makedirs(dir, exist_ok=True)
        path = os.path.join(dir, "m.json")
        shutil.copy(paths["modules"], path)
        with override_settings(STAPLER_MANIFEST=path, DEBUG=True):
            self.assertEqual(render('{% stapler_static "img/logo.svg" %}'), "/static/img/logo.1.svg")
            self.assertEqual(render('{% stapler_static "img/logo.svg" %}'), "/static/img/logo.1.svg")
            self.assertEqual(self.loads, [path])
            # As stapler watch writes it: a new file renamed over the old.
            with open(path + ".new", "w") as f:
                json.dump({"version": 1, "url": "/static/", "files": {"img/logo.svg": {"path": "img/logo.2.svg"}}}, f)
            os.replace(path + ".new", path)
            self.assertEqual(render('{% stapler_static "img/logo.svg" %}'), "/static/img/logo.2.svg")
            self.assertEqual(self.loads, [path, path])

    def test_static_root(self):
        root = os.path.join(TMP, "root")
        os.makedirs(root, exist_ok=True)
        shutil.copy(paths["example"], os.path.join(root, "stapler-manifest.json"))
        with override_settings(STATIC_ROOT=root):
            self.assertEqual(stapler_django.manifest_path(), os.path.join(root, "stapler-manifest.json"))
            self.assertIn('src="/static/js/dashboard.ec6a9d0ca782.js"', render('{% stapler_module "js/dashboard.js" %}'))

    def test_missing(self):
        root = os.path.join(TMP, "not-built")
        with override_settings(STATIC_ROOT=root):
            with self.assertRaises(ImproperlyConfigured) as caught:
                render('{% stapler_static "img/logo.svg" %}')
            self.assertIn(os.path.join(root, "stapler-manifest.json") + ": no such file: run stapler build", str(caught.exception))
            # Not remembered: once the build has run, the page works.
            os.makedirs(root)
            shutil.copy(paths["modules"], os.path.join(root, "stapler-manifest.json"))
            self.assertEqual(render('{% stapler_static "img/logo.svg" %}'), "/static/img/logo.1.svg")

    def test_no_static_root(self):
        with override_settings(STATIC_ROOT=None):
            with self.assertRaises(ImproperlyConfigured) as caught:
                render('{% stapler_static "img/logo.svg" %}')
            self.assertIn("set STATIC_ROOT", str(caught.exception))


class TestChecks(unittest.TestCase):
    def run_checks(self):
        from django.core import checks
        return [(m.id, m.msg) for m in checks.run_checks(tags=["stapler"])]

    def test_agreeing(self):
        with override_settings(STAPLER_MANIFEST=paths["modules"]):
            self.assertEqual(self.run_checks(), [])

    def test_not_built_yet(self):
        with override_settings(STATIC_ROOT=os.path.join(TMP, "never-built")):
            self.assertEqual(self.run_checks(), [])

    def test_other_prefix(self):
        with override_settings(STAPLER_MANIFEST=paths["cdn"]):
            got = self.run_checks()
        self.assertEqual([id for id, _ in got], ["stapler_django.W001"])
        self.assertIn("https://cdn.example.com/a&\"b/", got[0][1])

    def test_unreadable(self):
        path = os.path.join(TMP, "bad-for-check.json")
        with open(path, "w") as f:
            f.write('{"version": 2, "url": "/static/", "files": {}}')
        with override_settings(STAPLER_MANIFEST=path):
            got = self.run_checks()
        self.assertEqual(got, [("stapler_django.E001", path + ": version: unsupported version 2, want 1")])

    def test_no_static_root(self):
        with override_settings(STATIC_ROOT=None):
            self.assertEqual([id for id, _ in self.run_checks()], ["stapler_django.E002"])


class TestTemplateErrors(unittest.TestCase):
    def test_unknown_name_in_a_page(self):
        # Django's debug page shows the template's line: the exception
        # carries it.
        with override_settings(STAPLER_MANIFEST=paths["modules"]):
            t = engines["django"].from_string('{% load stapler %}<head>\n{% stapler_module "js/chian.js" %}\n</head>')
            with self.assertRaises(UnknownName) as caught:
                t.render({})
        e = caught.exception
        self.assertEqual(str(e), '"js/chian.js": not in the manifest; did you mean "js/chain.js"?')
        self.assertEqual(e.suggestions, ["js/chain.js"])
        self.assertIsInstance(e, LookupError)
        self.assertEqual(e.template_debug["line"], 2)

    def test_tag_syntax(self):
        from django.template import TemplateSyntaxError
        with self.assertRaises(TemplateSyntaxError):
            engines["django"].from_string("{% load stapler %}{% stapler_module %}")


if __name__ == "__main__":
    unittest.main()
