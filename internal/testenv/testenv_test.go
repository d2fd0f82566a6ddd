package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// fakeT records how a test would have ended.
type fakeT struct{ skipped, failed string }

func (f *fakeT) Helper()          {}
func (f *fakeT) Skip(args ...any) { f.skipped = fmt.Sprint(args...) }
func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
}

// TestMissing runs each check without what it looks for: plain, the test
// skips; under CI=true, it fails; either way the message names the command
// that installs what is missing, and the one that installs everything.
func TestMissing(t *testing.T) {
	checks := []struct {
		name, install string
		check         func(TB)
	}{
		{"Command", `"apt-get install nodejs"`, func(t TB) { Command(t, "node") }},
		{"File", `"apt-get install chromium"`, func(t TB) { File(t, "/nonexistent/chromium", "chromium") }},
		{"Taplo", `"export STAPLER_TAPLO=$(bash schema/taplo.sh ~/.cache/stapler-tools)"`, func(t TB) { Taplo(t) }},
		{"Venv", `"apt-get install python3-venv"`, func(t TB) { Venv(t, "/nonexistent/venv") }},
		{"RealWorld", `"export STAPLER_REALWORLD=$(bash testdata/realworld/fetch.sh ~/.cache/stapler-realworld)"`, func(t TB) { RealWorld(t) }},
		{"NodeModules/fetched before", `"bash testdata/realworld/fetch.sh `, func(t TB) { NodeModules(t, "@jridgewell/trace-mapping") }},
		{"NodeModules", `"export STAPLER_REALWORLD=$(bash testdata/realworld/fetch.sh ~/.cache/stapler-realworld)"`, func(t TB) { NodeModules(t, "@jridgewell/trace-mapping") }},
		{"S3Server", `"export STAPLER_S3_SERVER=$(bash testdata/s3/server.sh ~/.cache/stapler-tools)"`, func(t TB) { S3Server(t) }},
	}
	for _, c := range checks {
		for _, ci := range []string{"", "false", "true", "1"} {
			t.Run(c.name+"/CI="+ci, func(t *testing.T) {
				t.Setenv("PATH", t.TempDir())
				t.Setenv("STAPLER_REALWORLD", "")
				if c.name == "NodeModules/fetched before" {
					t.Setenv("STAPLER_REALWORLD", t.TempDir())
				}
				t.Setenv("STAPLER_TAPLO", "")
				t.Setenv("STAPLER_S3_SERVER", "")
				t.Setenv("CI", ci)
				var f fakeT
				c.check(&f)
				got, other := f.skipped, f.failed
				if ci == "true" || ci == "1" {
					got, other = f.failed, f.skipped
				}
				if got == "" || other != "" {
					t.Fatalf("skipped %q, failed %q", f.skipped, f.failed)
				}
				for _, want := range []string{c.install, `"bash .ci/test"`} {
					if !strings.Contains(got, want) {
						t.Errorf("message %q does not name %s", got, want)
					}
				}
			})
		}
	}
}

// TestPackagesInCI checks that .ci/test installs each Debian package that
// a skip may name, so that the one command it names installs all.
func TestPackagesInCI(t *testing.T) {
	script, err := os.ReadFile("../../.ci/test")
	if err != nil {
		t.Fatal(err)
	}
	// Those that File, Venv, Django, DjangoPipeline, DjangoREST and the
	// tests' PythonModule calls name, then those of Command's programs.
	pkgs := []string{"chromium", "fonts-dejavu-core", "python3-django", "python3-django-pipeline", "python3-djangorestframework", "python3-whitenoise", "python3-setuptools", "python3-wheel", "python3-venv"}
	for _, pkg := range packages {
		pkgs = append(pkgs, pkg)
	}
	for _, pkg := range pkgs {
		if !strings.Contains(string(script), "\nneed "+pkg+" ") {
			t.Errorf(".ci/test does not install %s", pkg)
		}
	}
}

// TestDjango52 runs collectstatic of the Django that [Django52] gives: it
// is 5.2, and it writes the manifest version 1.1 that only Django 4.2 and
// later write.
func TestDjango52(t *testing.T) {
	pythonpath := Django52(t)
	root := t.TempDir()
	script := `
import json, sys
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.staticfiles", "django.contrib.admin", "django.contrib.auth",
                    "django.contrib.contenttypes", "django.contrib.messages", "django.contrib.sessions"],
    SECRET_KEY="test", STATIC_URL="/static/", STATIC_ROOT=sys.argv[1],
    STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
              "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}})
import django
django.setup()
from django.core.management import call_command
call_command("collectstatic", "--noinput", verbosity=0)
m = json.load(open(sys.argv[1] + "/staticfiles.json"))
print(django.get_version(), m["version"], len(m["paths"]))
`
	cmd := exec.Command(Python, "-c", script, root)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+pythonpath)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("collectstatic under Django 5.2: %v\n%s", err, out)
	}
	var version, manifest string
	var paths int
	if _, err := fmt.Sscan(string(out), &version, &manifest, &paths); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if !strings.HasPrefix(version, "5.2.") || manifest != "1.1" || paths < 50 {
		t.Errorf("Django %s wrote manifest version %s with %d admin files; want 5.2.x, 1.1 and the admin's files", version, manifest, paths)
	}
}
