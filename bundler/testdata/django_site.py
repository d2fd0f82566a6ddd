"""Serve a Django project's pages and its STATIC_ROOT, for stapler init's
browser test (bundler/init_test.go).

Usage: python3 django_site.py PROJECT_DIR SETTINGS_MODULE STATIC_ROOT

Django renders the pages through the project's own URLs, templates and
storage, with STATIC_ROOT set to the directory given: the one stapler
built, or the one the project's own collectstatic wrote. Requests under
STATIC_URL are answered from that directory, as whitenoise or a web
server in front would. It prints "serving http://127.0.0.1:PORT/" once it
listens, and each request's path and status on stderr.
"""

import mimetypes
import os
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server


def main():
    project, module, static_root = sys.argv[1:4]
    sys.path.insert(0, project)
    os.environ["DJANGO_SETTINGS_MODULE"] = module
    import django
    from django.conf import settings

    settings.STATIC_ROOT = static_root
    django.setup()
    from django.core.wsgi import get_wsgi_application

    django_app = get_wsgi_application()
    prefix = settings.STATIC_URL

    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if not path.startswith(prefix):
            return django_app(environ, start_response)
        name = path[len(prefix):]
        full = os.path.realpath(os.path.join(static_root, name))
        if ".." in name.split("/") or not os.path.isfile(full):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        with open(full, "rb") as f:
            data = f.read()
        kind = mimetypes.guess_type(full)[0] or "application/octet-stream"
        if isinstance(kind, bytes):  # django-pipeline registers its MIMETYPES as bytes
            kind = kind.decode()
        start_response("200 OK", [("Content-Type", kind), ("Content-Length", str(len(data)))])
        return [data]

    class Handler(WSGIRequestHandler):
        def log_message(self, format, *args):
            sys.stderr.write("request: %s\n" % (format % args))
            sys.stderr.flush()

    server = make_server("127.0.0.1", 0, app, handler_class=Handler)
    print("serving http://127.0.0.1:%d/" % server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
