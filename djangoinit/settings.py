"""Print a Django project's static-file settings, as Django resolves them,
as JSON: stapler init runs this with the project's own Python.

Usage: python -c "$(cat settings.py)" PROJECT_DIR SETTINGS_MODULE

It does what manage.py does before a command runs: puts PROJECT_DIR first
on sys.path, sets DJANGO_SETTINGS_MODULE and calls django.setup(). Then it
asks Django (and django-pipeline, when installed) rather than reading
settings.py: the finders as instantiated, each app's static directory as
AppDirectoriesFinder found it, the storage class as loaded. Whatever the
settings or the apps print goes to stderr; stdout holds only the JSON.
An exception (the settings do not import, Django is missing) ends it with
Python's traceback on stderr and a status other than 0.
"""

import json
import os
import sys


def dotted(obj):
    cls = obj if isinstance(obj, type) else type(obj)
    return cls.__module__ + "." + cls.__qualname__


def absolute(path):
    """A path from the settings, absolute: a relative one is relative to
    the directory Django runs in, the project's, as manage.py is run."""
    return os.path.abspath(os.fspath(path))


def text(value):
    """A setting's value as the user would read it in settings.py."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def is_utf8(s):
    """Whether a str is text that UTF-8 can hold: a name of the file system
    that is not valid UTF-8 comes to Python with its bytes as surrogates
    (os.fsdecode), which JSON would carry as U+FFFD."""
    try:
        s.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def shown(s):
    """A str of the file system with its bytes that are not UTF-8 as \\xNN."""
    return os.fsencode(s).decode("utf-8", "backslashreplace")


def not_utf8(value, where=""):
    """Where in the answer a str is not valid UTF-8, and the str, shown."""
    found = []
    if isinstance(value, str):
        if not is_utf8(value):
            found.append("%s: %s" % (where, shown(value)))
    elif isinstance(value, dict):
        for k, v in value.items():
            found += not_utf8(v, "%s.%s" % (where, k) if where else k)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            found += not_utf8(v, "%s[%d]" % (where, i))
    return found


NAMES = [
    (r"^finders\[\d+\]\.locations\[(\d+)\]\.path:", r"STATICFILES_DIRS[\1]:"),
    (r"^finders\[\d+\]\.apps\[\d+\]\.path:", "an app's static directory:"),
    (r"^static_root:", "STATIC_ROOT:"),
    (r"^static_url:", "STATIC_URL:"),
    (r"^templates\[\d+\]\.path:", "a template directory:"),
]


def named(where):
    """A place in the answer as the settings name it, where they do."""
    import re

    for pattern, name in NAMES:
        where, n = re.subn(pattern, name, where)
        if n:
            break
    return where


def utf8_only(names):
    """The names of a list that are valid UTF-8, and how many are not:
    stapler build reports each of those itself (bad-name)."""
    if names is None:
        return None, 0
    kept = [n for n in names if is_utf8(n)]
    return kept, len(names) - len(kept)


def finders_of(found):
    from django.contrib.staticfiles import finders as dj

    out = []
    for path in found["finder_paths"]:
        finder = dj.get_finder(path)
        entry = {"path": path, "class": dotted(finder), "kind": "other", "ignore_patterns": []}
        extra = getattr(finder, "get_ignored_patterns", None)
        if callable(extra):
            entry["ignore_patterns"] = sorted(extra())
        if isinstance(finder, dj.FileSystemFinder):
            entry["kind"] = "filesystem"
            entry["locations"] = [{"prefix": prefix, "path": absolute(root)} for prefix, root in finder.locations]
        elif isinstance(finder, dj.AppDirectoriesFinder):
            entry["kind"] = "app_directories"
            entry["apps"] = [
                {"app": name, "path": absolute(finder.storages[name].location)}
                for name in finder.apps
                if name in finder.storages
            ]
        out.append(entry)
    return out


def collected_by(ignore):
    """The names collectstatic would copy, with the same ignore patterns:
    each finder's files in order, the first of each name winning."""
    from django.contrib.staticfiles.finders import get_finders

    ignore = list({os.path.normpath(p) for p in ignore})
    found = set()
    for finder in get_finders():
        for path, storage in finder.list(ignore):
            prefix = getattr(storage, "prefix", None)
            found.add(os.path.join(prefix, path) if prefix else path)
    return sorted(p.replace(os.sep, "/") for p in found)


def storage_of(settings, django):
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage

    if django.VERSION >= (4, 2):
        setting = 'STORAGES["staticfiles"]'
        backend = settings.STORAGES.get("staticfiles", {}).get("BACKEND", "")
    else:
        setting = "STATICFILES_STORAGE"
        backend = settings.STATICFILES_STORAGE
    staticfiles_storage._setup()
    storage = staticfiles_storage._wrapped
    mro = [dotted(c) for c in type(storage).__mro__]
    return {
        "setting": setting,
        "backend": backend,
        "class": dotted(storage),
        "manifest": isinstance(storage, ManifestFilesMixin),
        "manifest_name": getattr(storage, "manifest_name", ""),
        "whitenoise_compressed": any(c.startswith("whitenoise.") and "Compressed" in c for c in mro),
        "pipeline": any(c.startswith("pipeline.") for c in mro),
    }


def loaders_name(loaders, name):
    """Whether a TEMPLATES OPTIONS loaders list names the loader name,
    cached loaders' lists included."""
    for loader in loaders or ():
        if isinstance(loader, (list, tuple)):
            if loader and loader[0] == name:
                return True
            if len(loader) > 1 and isinstance(loader[1], (list, tuple)) and loaders_name(loader[1], name):
                return True
        elif loader == name:
            return True
    return False


def templates_of(settings, apps):
    from django.template import engines

    out = []
    for index, engine in enumerate(engines.all()):
        app_dirs = bool(getattr(engine, "app_dirs", False))
        options = settings.TEMPLATES[index].get("OPTIONS", {}) if index < len(settings.TEMPLATES) else {}
        if loaders_name(options.get("loaders"), "django.template.loaders.app_directories.Loader"):
            app_dirs = True
        for d in getattr(engine, "dirs", ()):
            out.append({"engine": index, "backend": dotted(engine), "path": absolute(d)})
        if app_dirs:
            for config in apps.get_app_configs():
                d = os.path.join(config.path, engine.app_dirname)
                if os.path.isdir(d):
                    out.append({"engine": index, "backend": dotted(engine), "app": config.name, "path": absolute(d)})
    return out


def pipeline_of(settings):
    raw = getattr(settings, "PIPELINE", None)
    if raw is None:
        return None
    try:
        from pipeline.conf import settings as resolved
    except ImportError:
        resolved = None

    def get(key, default):
        if resolved is not None:
            try:
                return resolved[key] if hasattr(resolved, "__getitem__") else getattr(resolved, key)
            except (KeyError, AttributeError):
                pass
        return raw.get(key, default)

    compilers = []
    if resolved is not None:
        from django.utils.module_loading import import_string

        for path in get("COMPILERS", []):
            compilers.append((path, import_string(path)(verbose=False, storage=None)))
    template_ext = get("TEMPLATE_EXT", ".jst")

    def groups(kind):
        out = []
        for name, config in get(kind, {}).items():
            sources = []
            for pattern in config.get("source_filenames", ()):
                source = {"pattern": pattern}
                if template_ext and pattern.endswith(template_ext):
                    source["template"] = True
                for path, compiler in compilers:
                    if compiler.match_file(pattern):
                        source["compiler"] = path
                        source["compiled"] = compiler.output_path(pattern, compiler.output_extension)
                        break
                sources.append(source)
            others = {k: text(v) for k, v in config.items() if k not in ("source_filenames", "output_filename")}
            out.append({"name": name, "sources": sources, "output": config.get("output_filename") or "", "other": others})
        return out

    defaults = {"JS_WRAPPER": "(function() {\n%s\n}).call(this);", "TEMPLATE_EXT": ".jst"}
    return {
        "installed": resolved is not None,
        "stylesheets": groups("STYLESHEETS"),
        "javascript": groups("JAVASCRIPT"),
        "disable_wrapper": bool(get("DISABLE_WRAPPER", False)),
        "js_wrapper": get("JS_WRAPPER", defaults["JS_WRAPPER"]),
        "default_js_wrapper": get("JS_WRAPPER", defaults["JS_WRAPPER"]) == defaults["JS_WRAPPER"],
        "settings": {k: text(v) for k, v in raw.items() if k not in ("STYLESHEETS", "JAVASCRIPT")},
    }


def main():
    project, module = sys.argv[1], sys.argv[2]
    out = sys.stdout
    sys.stdout = sys.stderr  # what the settings or the apps print is not the answer
    sys.path.insert(0, project)
    os.environ["DJANGO_SETTINGS_MODULE"] = module

    import django
    from django.conf import settings

    django.setup()
    from django.apps import apps

    try:
        ignore = list(apps.get_app_config("staticfiles").ignore_patterns)
        staticfiles = dotted(apps.get_app_config("staticfiles"))
    except LookupError:
        ignore, staticfiles = None, ""
    try:
        collected, collect_error = collected_by(ignore if ignore is not None else ["CVS", ".*", "*~"]), ""
    except Exception as e:  # a missing STATICFILES_DIRS entry: stapler says so at the root
        collected, collect_error = None, "%s: %s" % (type(e).__name__, e)
    found = {"finder_paths": list(getattr(settings, "STATICFILES_FINDERS", []))}
    answer = {
        "python": sys.executable,
        "python_version": "%d.%d.%d" % sys.version_info[:3],
        "django_version": django.get_version(),
        "django": list(django.VERSION[:2]),
        "settings": module,
        "installed_apps": [c.name for c in apps.get_app_configs()],
        "staticfiles_app": staticfiles,
        "ignore_patterns": ignore,
        "finders": finders_of(found),
        "collected": collected,
        "collect_error": collect_error,
        "static_root": absolute(settings.STATIC_ROOT) if settings.STATIC_ROOT else None,
        "static_url": settings.STATIC_URL,
        "storage": storage_of(settings, django),
        "templates": templates_of(settings, apps),
        "pipeline": pipeline_of(settings),
    }
    answer["collected"], answer["collected_not_utf8"] = utf8_only(collected)
    answer["not_utf8"] = [named(w) for w in not_utf8(answer)]
    json.dump(answer, out, indent=1)
    out.write("\n")


main()
