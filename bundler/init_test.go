package bundler_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/djangoinit"
	"github.com/stapler-build/stapler/internal/testenv"
)

// The tests of stapler init (package djangoinit) against real Django
// projects: init reads the settings with the real Django, stapler builds
// the config it wrote, and the result is held against what Django's own
// collectstatic makes of the same project, and, for the django-pipeline
// project, against pipeline's own build in a browser.

// copyTree copies the directory src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			if d.Name() == "__pycache__" {
				return filepath.SkipDir
			}
			return os.MkdirAll(to, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// initProject copies testdata/django/NAME into a temporary directory and
// runs init there with Debian's Python, and returns the directory.
func initProject(t *testing.T, name string) (string, *djangoinit.Result) {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, filepath.Join("..", "testdata", "django", name), dir)
	res, err := djangoinit.Init(t.Context(), djangoinit.Options{Config: filepath.Join(dir, "assets.toml"), Python: testenv.Python})
	if err != nil {
		t.Fatalf("stapler init: %v", err)
	}
	data, err := os.ReadFile(res.Config)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("assets.toml:\n%s", data)
	if !strings.HasPrefix(string(data), djangoinit.SchemaLine+"\n") {
		t.Errorf("assets.toml does not start with the #:schema line")
	}
	return dir, res
}

// buildClean builds the config and fails the test on any warning: the
// config init writes must check cleanly.
func buildClean(t *testing.T, config string) *bundler.Result {
	t.Helper()
	res := build(t, config)
	for _, w := range res.Warnings {
		t.Errorf("warning: %v", w)
	}
	return res
}

// staticfilesJSON reads a staticfiles.json: its version and its names.
func staticfilesJSON(t *testing.T, file string) (version string, names []string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Version string
		Paths   map[string]string
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return m.Version, slices.Sorted(maps.Keys(m.Paths))
}

// collectstatic runs the project's own manage.py collectstatic, with its
// settings but STATIC_ROOT set to root, and returns what it wrote in
// staticfiles.json.
func collectstatic(t *testing.T, dir, pkg, root string) (version string, names []string) {
	t.Helper()
	settings := fmt.Sprintf("from .settings import *  # noqa\nSTATIC_ROOT = %q\n", root)
	if err := os.WriteFile(filepath.Join(dir, pkg, "collect_settings.py"), []byte(settings), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(testenv.Python, "manage.py", "collectstatic", "--noinput", "-v", "0", "--settings", pkg+".collect_settings")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("manage.py collectstatic: %v\n%s", err, out)
	}
	return staticfilesJSON(t, filepath.Join(root, "staticfiles.json"))
}

// sameNames holds stapler's staticfiles.json to collectstatic's.
func sameNames(t *testing.T, stapler, django []string) {
	t.Helper()
	var more, fewer []string
	for _, n := range stapler {
		if !slices.Contains(django, n) {
			more = append(more, n)
		}
	}
	for _, n := range django {
		if !slices.Contains(stapler, n) {
			fewer = append(fewer, n)
		}
	}
	if len(more)+len(fewer) > 0 {
		t.Errorf("staticfiles.json: stapler's has %d names, collectstatic's %d; only stapler's: %q; only collectstatic's: %q", len(stapler), len(django), more, fewer)
	}
	t.Logf("staticfiles.json: %d names, the same in both", len(stapler))
}

// testInitProject is TestInitDjango32's and TestInitDjango52's: the
// project with admin and DRF, whose settings pick STORAGES or
// STATICFILES_STORAGE by Django's version.
func testInitProject(t *testing.T, wantVersion string) {
	dir, res := initProject(t, "project")
	if res.Roots != 5 || len(res.Unsupported) != 0 || len(res.Notes) != 0 {
		t.Errorf("init: %d roots, unsupported %q, notes %q; want 5 and none", res.Roots, res.Unsupported, res.Notes)
	}
	built := buildClean(t, filepath.Join(dir, "assets.toml"))
	for _, name := range []string{"admin/css/base.css", "rest_framework/css/bootstrap.min.css", "vendor/js/vendor.js", "blog/css/post.css", "css/site.css"} {
		if _, ok := built.Manifest.Files[name]; !ok {
			t.Errorf("the build lacks %s", name)
		}
	}
	version, mine := staticfilesJSON(t, filepath.Join(dir, "build", "static", "staticfiles.json"))
	theirVersion, theirs := collectstatic(t, dir, "mysite", filepath.Join(t.TempDir(), "collected"))
	if version != wantVersion || theirVersion != wantVersion {
		t.Errorf("staticfiles.json version: stapler %q, collectstatic %q; want %q", version, theirVersion, wantVersion)
	}
	sameNames(t, mine, theirs)
	for _, ignored := range []string{"css/theme.scss", "README.md", ".cache/state"} {
		if slices.Contains(mine, ignored) {
			t.Errorf("stapler collected %s, which the project's ignore patterns leave out", ignored)
		}
	}
}

// TestInitDjango32 runs init on a project with Django's admin and Django
// REST framework under Debian's Django 3.2 (STATICFILES_STORAGE), whose
// admin and DRF link their vendored files into /usr/share: the config
// builds without a warning, and its staticfiles.json, in version 1.0,
// names what collectstatic's does.
func TestInitDjango32(t *testing.T) {
	testenv.DjangoREST(t)
	testInitProject(t, "1.0")
}

// TestInitDjango52 runs init on the same project under Django 5.2, whose
// settings then name the storage in STORAGES: staticfiles.json in version
// 1.1, with the names collectstatic's has.
func TestInitDjango52(t *testing.T) {
	testenv.DjangoREST(t)
	t.Setenv("PYTHONPATH", testenv.Django52(t))
	testInitProject(t, "1.1")
}

// pipelineOutputs are the outputs of the pipeline project's groups, by the
// tag that loads each.
var pipelineOutputs = map[string]string{
	"{% stylesheet 'main' %}":       "css/main.css",
	"{% stylesheet 'admin.base' %}": "css/admin.css",
	"{% javascript 'main' %}":       "js/main.js",
	"{% javascript 'shop' %}":       "js/shop.js",
}

// TestInitPipeline runs init on a django-pipeline project (Debian's
// python3-django-pipeline, under Debian's Django) and holds stapler's
// build of the config against pipeline's own collectstatic:
//
//   - staticfiles.json names the same files, the groups' outputs among
//     them;
//   - every {% stylesheet %} and {% javascript %} of the pages, rendered
//     by Django with pipeline over stapler's output, loads the hashed URL
//     of its group's output;
//   - each page, served from either output to headless Chromium, has the
//     same computed styles and defines the same globals, and every request
//     it makes is answered.
func TestInitPipeline(t *testing.T) {
	testenv.DjangoPipeline(t)
	testenv.File(t, chromiumPath, "chromium")
	dir, res := initProject(t, "pipeline")
	if res.Bundles != 4 {
		t.Errorf("init wrote %d bundles, want 4", res.Bundles)
	}
	wantUnsupported := []string{"pipeline.finders.PipelineFinder", "extra_context"}
	for _, w := range wantUnsupported {
		if !slices.ContainsFunc(res.Unsupported, func(u string) bool { return strings.Contains(u, w) }) {
			t.Errorf("init's unsupported list %q does not name %s", res.Unsupported, w)
		}
	}
	built := buildClean(t, filepath.Join(dir, "assets.toml"))
	_, mine := staticfilesJSON(t, filepath.Join(dir, "staticfiles", "staticfiles.json"))
	pipelineRoot := filepath.Join(t.TempDir(), "collected")
	_, theirs := collectstatic(t, dir, "shopsite", pipelineRoot)
	sameNames(t, mine, theirs)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	staplerSite := startDjangoSite(ctx, t, dir, "shopsite.settings", filepath.Join(dir, "staticfiles"))
	pipelineSite := startDjangoSite(ctx, t, dir, "shopsite.settings", pipelineRoot)

	// The tags, rendered over stapler's output.
	pages := map[string][]string{"/": {"{% stylesheet 'main' %}", "{% stylesheet 'admin.base' %}", "{% javascript 'main' %}"},
		"/cart/": {"{% stylesheet 'main' %}", "{% javascript 'main' %}", "{% javascript 'shop' %}"}}
	for _, page := range slices.Sorted(maps.Keys(pages)) {
		html := httpGet(t, staplerSite+page)
		for _, tag := range pages[page] {
			url, err := built.Manifest.URL(pipelineOutputs[tag])
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(html, `"`+url+`"`) {
				t.Errorf("%s: %s does not load %s (%s):\n%s", page, tag, pipelineOutputs[tag], url, html)
			}
		}
	}

	b := startChromium(ctx, t)
	for _, page := range slices.Sorted(maps.Keys(pages)) {
		mineSeen := pipelinePage(ctx, t, b, staplerSite+page)
		theirsSeen := pipelinePage(ctx, t, b, pipelineSite+page)
		mj, _ := json.MarshalIndent(mineSeen, "", "  ")
		tj, _ := json.MarshalIndent(theirsSeen, "", "  ")
		t.Logf("%s after stapler build: %s", page, mj)
		if string(mj) != string(tj) {
			t.Errorf("%s behaves differently:\nafter stapler build:\n%s\nafter pipeline's collectstatic:\n%s", page, mj, tj)
		}
		// Not vacuous: what pipeline's build does, stapler's does.
		want := map[string]string{"body color": "rgb(34, 34, 34)", ".container max-width": "960px", "nav a padding-left": "24px"}
		if page == "/" {
			want["#header border-left-color"] = "rgb(0, 128, 0)"
			want[".logo width"] = "120px"
		}
		for k, v := range want {
			if mineSeen.Styles[k] != v {
				t.Errorf("%s: computed %s is %q, want %q", page, k, mineSeen.Styles[k], v)
			}
		}
		// Wrapped, the library's var name is the bundle's own: window.name
		// stays the tab's name, a string.
		wantTypes := map[string]string{"Lib": "object", "App": "object", "counter": "undefined", "bump": "undefined", "ready": "undefined", "name": "string"}
		if page == "/cart/" {
			wantTypes["Cart"], wantTypes["items"] = "object", "undefined"
		}
		for k, v := range wantTypes {
			if mineSeen.Types[k] != v {
				t.Errorf("%s: typeof %s is %q, want %q", page, k, mineSeen.Types[k], v)
			}
		}
		if want := "started 1 object"; mineSeen.Dataset != want {
			t.Errorf("%s: the scripts left data-app %q, want %q", page, mineSeen.Dataset, want)
		}
	}
	b.stop()
}

// pageSeen is what a page of the pipeline project does in the browser.
type pageSeen struct {
	Styles  map[string]string
	Types   map[string]string
	Globals []string // the window's own enumerable names
	Dataset string
	Failed  []string // requests not answered 200
	Errors  []string // uncaught exceptions, console errors
}

// pipelineProbe reports the computed styles and the globals of a page of
// the pipeline project.
const pipelineProbe = `(async () => {
	const style = (sel, prop) => {
		const el = document.querySelector(sel);
		return el ? getComputedStyle(el).getPropertyValue(prop) : "(no element)";
	};
	const styles = {};
	for (const [sel, prop] of [["body", "color"], ["body", "margin-top"], [".logo", "width"], [".logo", "height"],
		[".container", "max-width"], ["nav a", "padding-left"], ["nav a", "text-decoration-line"], ["#header", "border-left-color"]]) {
		styles[sel + " " + prop] = style(sel, prop);
	}
	const types = {};
	for (const n of ["Lib", "App", "Cart", "Vendor", "counter", "bump", "ready", "items", "name"]) {
		types[n] = typeof window[n];
	}
	return {styles, types, globals: Object.keys(window).sort(), dataset: document.documentElement.dataset.app || ""};
})()`

// pipelinePage loads a page in a new tab and returns what it does.
func pipelinePage(ctx context.Context, t *testing.T, b *browser, url string) pageSeen {
	t.Helper()
	var seen pageSeen
	b.evaluate(ctx, t, url, pipelineProbe, &seen)
	st := b.waitFor(ctx, t, "the requests to end", func(st *pageState) bool { return st.allDone() })
	for _, r := range st.requests {
		if r.failed != "" || r.status != http.StatusOK {
			seen.Failed = append(seen.Failed, fmt.Sprintf("%s %d %s", r.url, r.status, r.failed))
		}
	}
	seen.Errors = st.problems
	for _, f := range seen.Failed {
		t.Errorf("%s: request %s", url, f)
	}
	for _, e := range seen.Errors {
		t.Errorf("%s: %s", url, e)
	}
	// The two sites differ in their origin's port: requests are compared
	// by their count only.
	seen.Failed, seen.Errors = nil, nil
	return seen
}

// startDjangoSite serves the project's pages, rendered by Django with
// STATIC_ROOT set to root, and root's files (testdata/django_site.py),
// until the test ends. It returns the site's origin.
func startDjangoSite(ctx context.Context, t *testing.T, dir, settings, root string) string {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "django_site.py"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, testenv.Python, script, dir, settings, root)
	cmd.Stderr = new(syncBuffer)
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
			t.Logf("the site over %s:\n%s", root, cmd.Stderr.(*syncBuffer).String())
		}
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	m := regexp.MustCompile(`^serving (http://127\.0\.0\.1:\d+)/\n$`).FindStringSubmatch(line)
	if m == nil {
		cancel()
		cmd.Wait()
		t.Fatalf("the site did not start: %q %v\n%s", line, err, cmd.Stderr.(*syncBuffer).String())
	}
	go io.Copy(io.Discard, out)
	return m[1]
}

func httpGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s\n%s", url, resp.Status, body)
	}
	return string(body)
}
