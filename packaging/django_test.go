package packaging

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stapler-build/stapler/internal/testenv"
	"github.com/stapler-build/stapler/manifest"
)

// djangoThroughWheel is issue 14's "done when", on the wheel TestPackages
// built: a Django user with Python and Django but no Go installs stapler
// from the wheel into the project's environment (a venv over Debian's
// Python and its Django), runs stapler init and stapler build in the
// project (testdata/django/project: the admin, Django REST framework, an
// app), and the site serves every page with every static request
// answered: each file a page's HTML names, and each file those
// stylesheets' url()s name.
func djangoThroughWheel(t *testing.T, tmp, wheel string) {
	testenv.DjangoREST(t)
	venv := filepath.Join(tmp, "django-venv")
	run(t, tmp, nil, testenv.Python, "-m", "venv", "--system-site-packages", venv)
	python := filepath.Join(venv, "bin", "python")
	run(t, tmp, nil, python, "-m", "pip", "install", "--no-index", "--disable-pip-version-check", "--quiet", wheel)

	project := filepath.Join(tmp, "django-project")
	if err := os.CopyFS(project, os.DirFS(filepath.Join("..", "testdata", "django", "project"))); err != nil {
		t.Fatal(err)
	}
	// The environment activated, and no Go: manage.py's #!/usr/bin/env
	// python3 finds the venv's Python, which init runs.
	env := append(withoutEnv(withoutEnv(os.Environ(), "PATH"), "GOROOT"),
		"PATH="+filepath.Join(venv, "bin")+string(os.PathListSeparator)+"/usr/bin:/bin", "VIRTUAL_ENV="+venv)
	if out, err := exec.Command("/bin/sh", "-c", "PATH="+filepath.Join(venv, "bin")+":/usr/bin:/bin command -v go").Output(); err == nil {
		t.Fatalf("go is on the Django user's PATH: %s", out)
	}
	out := run(t, project, env, "/bin/sh", "-c", "stapler init 2>&1 && stapler build 2>&1")
	t.Logf("stapler init, stapler build:\n%s", out)
	config, err := os.ReadFile(filepath.Join(project, "assets.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "(" + filepath.Join(venv, "bin", "python3") + ", Python "; !strings.Contains(string(config), want) {
		t.Errorf("assets.toml was not written from the venv's Python, the one manage.py's #! finds (%s):\n%s", want, config)
	}

	renderWithWheel(t, python, venv, filepath.Join(project, "build", "static"))

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	origin := serveDjango(ctx, t, python, project, filepath.Join(project, "build", "static"))
	statics := map[string]bool{}
	for _, page := range []string{"/", "/admin/login/", "/api/"} {
		html := get(t, origin+page)
		found := regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(html, -1)
		if len(found) == 0 {
			t.Errorf("%s names no static file:\n%s", page, html)
		}
		for _, m := range found {
			statics[m[1]] = true
		}
	}
	var cssURLs []string
	for u := range statics {
		if strings.HasSuffix(u, ".css") {
			cssURLs = append(cssURLs, u)
		}
	}
	cssURL := regexp.MustCompile(`url\(\s*['"]?([^'")]+?)['"]?\s*\)`)
	for _, u := range cssURLs {
		base, _ := url.Parse(u)
		for _, m := range cssURL.FindAllStringSubmatch(get(t, origin+u), -1) {
			if strings.HasPrefix(m[1], "data:") || strings.HasPrefix(m[1], "#") {
				continue
			}
			ref, err := url.Parse(m[1])
			if err != nil {
				t.Errorf("%s: url(%s): %v", u, m[1], err)
				continue
			}
			r := base.ResolveReference(ref)
			statics[path.Clean(r.Path)] = true
		}
	}
	for _, u := range slices.Sorted(func(yield func(string) bool) {
		for u := range statics {
			if !yield(u) {
				return
			}
		}
	}) {
		get(t, origin+u)
	}
	t.Logf("3 pages and the %d static files they and their stylesheets name: every one answered 200", len(statics))
}

// get fetches a URL as a browser asks for a page, and fails the test
// unless the answer is 200.
func get(t *testing.T, u string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept", "text/html,*/*")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %s", u, resp.Status)
	}
	return string(body)
}

// serveDjango serves the project with bundler/testdata/django_site.py:
// its pages rendered by Django, its STATIC_ROOT's files.
func serveDjango(ctx context.Context, t *testing.T, python, project, root string) string {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("..", "bundler", "testdata", "django_site.py"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, python, script, project, "mysite.settings", root)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("the site:\n%s", stderr.String())
		}
	})
	line, _ := bufio.NewReader(out).ReadString('\n')
	m := regexp.MustCompile(`^serving (http://127\.0\.0\.1:\d+)/\n$`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("the site did not start: %q", line)
	}
	go io.Copy(io.Discard, out)
	return m[1]
}

// renderWithWheel renders {% stapler_static %} and {% stapler_integrity %}
// with the Django app that the wheel installed into venv (the tags ride in
// the same distribution as the binary), from the manifest stapler build
// wrote into output, and checks them against the manifest package's
// answers.
func renderWithWheel(t *testing.T, python, venv, output string) {
	t.Helper()
	m, err := manifest.Load(os.DirFS(output), manifest.FileName)
	if err != nil {
		t.Fatal(err)
	}
	const name = "admin/css/base.css"
	u, err := m.URL(name)
	if err != nil {
		t.Fatal(err)
	}
	sri, err := m.Integrity(name)
	if err != nil {
		t.Fatal(err)
	}
	script := `
import os, sys
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["stapler_django"], STATIC_ROOT=sys.argv[1],
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}])
django.setup()
import stapler_django
from django.template import engines
print(os.path.dirname(stapler_django.__file__))
print(engines["django"].from_string('{% load stapler %}{% stapler_static "` + name + `" %} {% stapler_integrity "` + name + `" %}').render({}))
`
	out := strings.Split(run(t, t.TempDir(), nil, python, "-c", script, output), "\n")
	if len(out) < 2 || !strings.HasPrefix(out[0], filepath.Join(venv, "lib")+string(filepath.Separator)) {
		t.Errorf("stapler_django imported from %q, not from the wheel in %s", out[0], venv)
	}
	if want := u + " " + sri; len(out) < 2 || out[1] != want {
		t.Errorf("the wheel's {%% stapler_static %%} {%% stapler_integrity %%} rendered %q, want %q", out, want)
	}
}
