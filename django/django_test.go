package django

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stapler-build/stapler/internal/testenv"
	"github.com/stapler-build/stapler/manifest"
)

// readSources reads the files the Python processes of these tests read,
// so that go test's cache, which sees only the files the test binary itself
// opens, runs the tests again when one of them changes.
func readSources(t *testing.T) {
	t.Helper()
	for _, dir := range []string{"stapler_django", "tests", filepath.Join("..", "testdata", "manifest")} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(p, ".pyc") {
				return err
			}
			_, err = os.ReadFile(p)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestTags runs the app's Python tests (tests/test_tags.py: the rows of
// testdata/manifest/tags.json, the manifest read once, the settings, the
// errors) under Debian's Django 3.2 and under Django 5.2.
func TestTags(t *testing.T) {
	readSources(t)
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for _, dj := range []struct {
		version    string
		pythonpath func(t *testing.T) string
	}{
		{"3.2", func(t *testing.T) string {
			if _, v := testenv.Django(t); v != "3.2" {
				t.Fatalf("Debian's Django is %s, want 3.2", v)
			}
			return here
		}},
		{"5.2", func(t *testing.T) string {
			return testenv.Django52(t) + string(os.PathListSeparator) + here
		}},
	} {
		t.Run("Django"+dj.version, func(t *testing.T) {
			pythonpath := dj.pythonpath(t)
			cmd := exec.Command(testenv.Python, "-m", "unittest", "-v", "tests.test_tags")
			cmd.Env = append(os.Environ(), "PYTHONPATH="+pythonpath, "STAPLER_TEST_DJANGO="+dj.version, "PYTHONDONTWRITEBYTECODE=1")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("python3 -m unittest tests.test_tags: %v\n%s", err, out)
			}
			ran := regexp.MustCompile(`(?m)^Ran (\d+) tests?`).FindSubmatch(out)
			if ran == nil || !bytes.Contains(out, []byte("\nOK")) {
				t.Fatalf("unittest did not report success:\n%s", out)
			}
			t.Logf("Django %s: %s tests passed", dj.version, ran[1])
		})
	}
}

// TestPipInstall installs the app as a Django user does, with pip from the
// directory, into a fresh venv over Debian's Python and Django, with no
// index and no build isolation (Debian's setuptools builds it), and renders
// a tag with the installed copy, from outside the repository.
func TestPipInstall(t *testing.T) {
	readSources(t)
	python, _ := testenv.Django(t)
	// pip builds the app with these, as the venv sees Debian's packages.
	testenv.PythonModule(t, "setuptools", "python3-setuptools")
	testenv.PythonModule(t, "wheel", "python3-wheel")
	tmp := t.TempDir()
	// A copy, so that the build leaves nothing in the clone.
	src := filepath.Join(tmp, "src")
	copyDir(t, src, ".", func(rel string) bool {
		return rel == "__pycache__" || strings.HasSuffix(rel, ".egg-info") || rel == "build"
	})
	venv := filepath.Join(tmp, "venv")
	run(t, tmp, nil, python, "-m", "venv", "--system-site-packages", venv)
	vpython := filepath.Join(venv, "bin", "python")
	run(t, tmp, nil, vpython, "-m", "pip", "install", "--no-index", "--no-build-isolation",
		"--disable-pip-version-check", "--quiet", src)

	m := filepath.Join(tmp, "stapler-manifest.json")
	if err := os.WriteFile(m, []byte(`{"version": 1, "url": "/static/", "files": {"js/app.js": {"path": "js/app.1.js", "integrity": "`+manifest.Integrity([]byte("app"))+`"}}}`), 0o666); err != nil {
		t.Fatal(err)
	}
	out := run(t, tmp, nil, vpython, "-c", renderOne, m)
	want := "stapler_django from " + filepath.Join(venv, "lib") + "\n" +
		`<script type="module" src="/static/js/app.1.js" integrity="` + manifest.Integrity([]byte("app")) + `"></script>` + "\n"
	if got := regexp.MustCompile(`(?m)^(stapler_django from \S+/lib)/python[^\n]*`).ReplaceAllString(out, "$1"); got != want {
		t.Errorf("the installed app rendered:\n%s\nwant:\n%s", out, want)
	}
}

// renderOne renders {% stapler_module "js/app.js" %} with the manifest
// named by its argument, and says where stapler_django came from.
const renderOne = `
import os, sys
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["stapler_django"], STAPLER_MANIFEST=sys.argv[1],
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}])
django.setup()
import stapler_django
from django.template import engines
print("stapler_django from", os.path.dirname(stapler_django.__file__))
print(engines["django"].from_string('{% load stapler %}{% stapler_module "js/app.js" %}').render({}))
`

// The browser test needs Debian's chromium and, for a real web font, its
// fonts-dejavu-core.
const (
	chromiumPath = "/usr/bin/chromium"
	dejaVuSans   = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)

// TestBrowser builds the example project with the stapler command, has
// Django render tests/templates/dashboard.html, a page whose head holds
// {% stapler_module "js/dashboard.js" %} (the example's TypeScript entry:
// a chunk it imports, a chunk it loads with import(), a stylesheet with a
// web font) and a stylesheet linked with {% stapler_static %} and
// {% stapler_integrity %}, and loads it in headless Chromium, the output
// directory served by manifest.Handler. It wants the entry run, its lazy
// chunk loaded, its stylesheet and font applied, every file the page
// names requested and answered 200, and no element failing to load; and,
// to show that Chromium checks the hashes the tags write, a page rendered
// from a manifest with one tampered integrity hash loses exactly that file.
func TestBrowser(t *testing.T) {
	readSources(t)
	testenv.File(t, chromiumPath, "chromium")
	font, err := os.ReadFile(testenv.File(t, dejaVuSans, "fonts-dejavu-core"))
	if err != nil {
		t.Fatal(err)
	}
	python, _ := testenv.Django(t)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	tmp := t.TempDir()

	// The example, its dashboard's font a real one, built by the command.
	example := filepath.Join(tmp, "example")
	copyDir(t, example, filepath.Join("..", "testdata", "example"), func(rel string) bool {
		return rel == "build" || strings.HasPrefix(filepath.Base(rel), ".")
	})
	if err := os.WriteFile(filepath.Join(example, "static", "fonts", "dejavu-sans.ttf"), font, 0o644); err != nil {
		t.Fatal(err)
	}
	css := filepath.Join(example, "static", "dashboard", "dashboard.css")
	data, err := os.ReadFile(css)
	if err != nil {
		t.Fatal(err)
	}
	from, to := `url("../fonts/inter.woff2") format("woff2")`, `url("../fonts/dejavu-sans.ttf") format("truetype")`
	if !bytes.Contains(data, []byte(from)) {
		t.Fatalf("%s has no %s", css, from)
	}
	if err := os.WriteFile(css, bytes.Replace(data, []byte(from), []byte(to), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	stapler := filepath.Join(tmp, "stapler")
	run(t, ".", nil, "go", "build", "-o", stapler, "../cmd/stapler")
	run(t, example, nil, stapler, "build", "-c", "assets.toml")
	output := filepath.Join(example, "build", "static")
	m, err := manifest.Load(os.DirFS(output), manifest.FileName)
	if err != nil {
		t.Fatal(err)
	}
	entry := m.Files["js/dashboard.js"]
	if len(entry.Imports) != 1 || len(entry.DynamicImports) != 1 || len(entry.CSS) != 1 {
		t.Fatalf("js/dashboard.js: imports %q, dynamic imports %q, css %q; want one of each", entry.Imports, entry.DynamicImports, entry.CSS)
	}
	chunk, lazy, sheet := entry.Imports[0], entry.DynamicImports[0], entry.CSS[0]
	if got := m.Files[sheet].Assets; !slices.Contains(got, "fonts/dejavu-sans.ttf") {
		t.Fatalf("%s: assets %q, want the font", sheet, got)
	}
	url := func(name string) string {
		u, err := m.URL(name)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}

	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string][]byte{} // by URL path
	render := func(page string, tamper string) {
		t.Helper()
		mpath := filepath.Join(output, manifest.FileName)
		if tamper != "" {
			tampered := *m
			tampered.Files = maps.Clone(m.Files)
			e := tampered.Files[tamper]
			e.Integrity = manifest.Integrity([]byte("not the bytes of " + tamper))
			tampered.Files[tamper] = e
			data, err := tampered.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			mpath = filepath.Join(tmp, "tampered-"+strings.ReplaceAll(tamper, "/", "-")+".json")
			if err := os.WriteFile(mpath, data, 0o666); err != nil {
				t.Fatal(err)
			}
		}
		out := filepath.Join(tmp, "page"+strings.ReplaceAll(page, "/", "-")+".html")
		env := append(os.Environ(), "PYTHONPATH="+here, "PYTHONDONTWRITEBYTECODE=1")
		run(t, ".", env, python, filepath.Join("tests", "render_page.py"), mpath, "dashboard.html", out)
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		pages[page] = data
	}
	render("/", "")
	for _, name := range []string{"js/dashboard.js", sheet, chunk} {
		render("/tampered/"+name, name)
	}

	// The site: the pages Django rendered, the output directory served by
	// manifest.Handler; every request logged. It starts once the pages are
	// there: its goroutines only read them.
	var mu sync.Mutex
	var served []string // "path status"
	static := m.Handler(os.DirFS(output))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		if strings.HasPrefix(r.URL.Path, "/static/") {
			static.ServeHTTP(rec, r)
		} else if page, ok := pages[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write(page)
		} else {
			http.NotFound(rec, r)
		}
		mu.Lock()
		served = append(served, fmt.Sprintf("%s %d", r.URL.Path, rec.status))
		mu.Unlock()
	}))
	defer srv.Close()

	// The page as Django rendered it: what {{ module }} writes.
	want, err := m.Tags("js/dashboard.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range append(append(want.Styles, want.Preloads...), want.Script) {
		if !bytes.Contains(pages["/"], []byte(`="`+html.EscapeString(a.URL)+`" integrity="`+a.Integrity+`"`)) {
			t.Errorf("the page has no element for %s with integrity %s:\n%s", a.URL, a.Integrity, pages["/"])
		}
	}

	t.Run("page", func(t *testing.T) {
		mu.Lock()
		served = nil
		mu.Unlock()
		dom := dumpDOM(ctx, t, srv.URL+"/")
		if got := attr(dom, "html", "data-failed"); got != "" {
			t.Errorf("elements failed to load: %s", got)
		}
		if ready, text := attr(dom, `p id="dashboard"`, "data-ready"), elementText(dom, "dashboard"); ready != "true" || text != "Dashboard (2 rows): posts: 3, carts: one" {
			t.Errorf("the dashboard: data-ready %q, text %q; want the entry run and its chart, loaded by import(), drawn", ready, text)
		}
		if got := attr(dom, `p id="probe"`, "data-border"); got != "rgb(0, 128, 0)" {
			t.Errorf("#dashboard's border-left-color is %q, want rgb(0, 128, 0), from %s", got, sheet)
		}
		if got := attr(dom, `p id="probe"`, "data-logo"); got != "120x40" {
			t.Errorf("the logo's natural size is %q, want 120x40, from %s", got, url("img/logo.svg"))
		}
		if got := attr(dom, `p id="probe"`, "data-fonts"); !strings.Contains(got, "Dashboard:loaded") {
			t.Errorf("fonts %q: want the family Dashboard loaded, from %s", got, url("fonts/dejavu-sans.ttf"))
		}
		mu.Lock()
		log := slices.Clone(served)
		mu.Unlock()
		for _, name := range []string{"js/dashboard.js", chunk, lazy, sheet, "fonts/dejavu-sans.ttf", "css/site.css", "img/logo.svg"} {
			if !slices.Contains(log, url(name)+" 200") {
				t.Errorf("%s (%s) was not requested and answered 200: %q", name, url(name), log)
			}
		}
		for _, l := range log {
			if !strings.HasSuffix(l, " 200") {
				t.Errorf("request %s", l)
			}
		}
		t.Logf("requests: %q", log)
	})

	// A hash that does not match: Chromium refuses that one file, and only
	// it, and what depends on it does not happen.
	for _, tc := range []struct {
		name      string
		dashboard bool   // the entry runs and draws its chart
		border    string // the stylesheet applies
		refuses   []string
	}{
		{"js/dashboard.js", false, "rgb(0, 128, 0)", []string{url("js/dashboard.js")}},
		// The border falls back to the text's colour, css/base.css's.
		{sheet, true, "rgb(34, 34, 34)", []string{url(sheet)}},
		// A modulepreload that fails leaves its chunk failed in the
		// module map: the entry, which imports it, fails too.
		{chunk, false, "rgb(0, 128, 0)", []string{url(chunk), url("js/dashboard.js")}},
	} {
		t.Run("tampered "+tc.name, func(t *testing.T) {
			dom := dumpDOM(ctx, t, srv.URL+"/tampered/"+tc.name)
			var failed []string
			for _, f := range strings.Fields(attr(dom, "html", "data-failed")) {
				failed = append(failed, strings.TrimPrefix(f, srv.URL))
			}
			slices.Sort(failed)
			if !slices.Equal(failed, slices.Sorted(slices.Values(tc.refuses))) {
				t.Errorf("failed to load: %q, want %q", failed, tc.refuses)
			}
			if ran := attr(dom, `p id="dashboard"`, "data-ready") == "true"; ran != tc.dashboard {
				t.Errorf("the dashboard ran: %v, want %v (%s)", ran, tc.dashboard, elementText(dom, "dashboard"))
			}
			if got := attr(dom, `p id="probe"`, "data-border"); got != tc.border {
				t.Errorf("#dashboard's border-left-color is %q, want %q", got, tc.border)
			}
		})
	}
}

// dumpDOM loads pageURL in headless Chromium, with a fresh profile, lets
// it run until nothing is pending (virtual time: no wall-clock wait), and
// returns the DOM it ends with.
func dumpDOM(ctx context.Context, t *testing.T, pageURL string) string {
	t.Helper()
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromiumPath,
		"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+filepath.Join(home, "profile"),
		"--virtual-time-budget=30000", "--dump-dom", pageURL)
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium --dump-dom %s: %v\n%s", pageURL, err, stderr.Bytes())
	}
	dom := stdout.String()
	if attr(dom, `p id="probe"`, "data-done") != "true" {
		t.Fatalf("the page's probe did not finish:\n%s\nchromium:\n%s", dom, stderr.Bytes())
	}
	return dom
}

// attr returns the value of the attribute name of the first element whose
// start tag begins with start ("html", `p id="probe"`), unescaped.
func attr(dom, start, name string) string {
	tag := regexp.MustCompile(`<` + regexp.QuoteMeta(start) + `(?:\s[^>]*)?>`).FindString(dom)
	m := regexp.MustCompile(`\s` + regexp.QuoteMeta(name) + `="([^"]*)"`).FindStringSubmatch(tag)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// elementText returns the text of the element with the id, which holds
// no other element.
func elementText(dom, id string) string {
	m := regexp.MustCompile(`<[a-z]+ id="` + regexp.QuoteMeta(id) + `"[^>]*>([^<]*)<`).FindStringSubmatch(dom)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// run runs a command in dir, with env (nil: this process's), and returns
// its standard output, or ends the test with its output if it fails.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.String()
}

// copyDir copies the regular files of src to dst, leaving out the
// directories skip says yes to (rel is slash-separated, relative to src).
func copyDir(t *testing.T, dst, src string, skip func(rel string) bool) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && skip(rel) {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o777)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o666)
	})
	if err != nil {
		t.Fatal(err)
	}
}
