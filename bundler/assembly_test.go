package bundler_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stapler-build/stapler/bundler"
	"github.com/stapler-build/stapler/internal/testenv"
)

// djangoAdminStatic returns the static directory of the Django admin that
// Debian's python3-django installs: real scripts, jQuery plugins and
// stylesheets, its jQuery a link into /usr/share/javascript.
func djangoAdminStatic(t *testing.T) string {
	t.Helper()
	python, _ := testenv.Django(t)
	out, err := exec.Command(python, "-c", "import os, django.contrib.admin as a; print(os.path.join(os.path.dirname(a.__file__), 'static'))").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// TestDjangoAdminAssembly bundles the Django admin's scripts in the order
// its own forms.Media loads them (options.py, widgets.py): no warning of
// any kind, the assembly checks included. In the wrong order, select2 (a
// jQuery plugin) before jQuery, the order check speaks, at select2's read.
func TestDjangoAdminAssembly(t *testing.T) {
	static := djangoAdminStatic(t)
	config := `output = "out"
globals = ["gettext", "ngettext", "interpolate", "pgettext", "get_format", "gettext_noop"]
[[root]]
path = ` + quote(static) + `
links_outside = true

[bundle.change-form]
output = "admin/all/change_form.js"
sources = ["admin/js/vendor/jquery/jquery.js", "admin/js/jquery.init.js", "admin/js/core.js",
  "admin/js/admin/RelatedObjectLookups.js", "admin/js/actions.js", "admin/js/urlify.js",
  "admin/js/prepopulate.js", "admin/js/vendor/xregexp/xregexp.js", "admin/js/inlines.js",
  "admin/js/collapse.js", "admin/js/prepopulate_init.js", "admin/js/change_form.js"]

[bundle.widgets]
output = "admin/all/widgets.js"
sources = ["admin/js/core.js", "admin/js/SelectBox.js", "admin/js/SelectFilter2.js",
  "admin/js/calendar.js", "admin/js/admin/DateTimeShortcuts.js"]

[bundle.autocomplete]
output = "admin/all/autocomplete.js"
sources = ["admin/js/vendor/jquery/jquery.js", "admin/js/vendor/select2/select2.full.js",
  "admin/js/vendor/select2/i18n/fr.js", "admin/js/jquery.init.js", "admin/js/autocomplete.js"]

[bundle.nav]
output = "admin/all/nav.js"
sources = ["admin/js/nav_sidebar.js", "admin/js/cancel.js", "admin/js/popup_response.js"]

[collect]
`
	res := checkConfig(t, config)
	if len(res.Warnings) > 0 {
		t.Errorf("the Django admin's scripts in its own order: %v", res.Warnings)
	}

	wrong := strings.Replace(config, `"admin/js/vendor/jquery/jquery.js", "admin/js/vendor/select2/select2.full.js"`,
		`"admin/js/vendor/select2/select2.full.js", "admin/js/vendor/jquery/jquery.js"`, 1)
	res = checkConfig(t, wrong)
	var got []string
	for _, d := range res.Warnings {
		got = append(got, d.Code+" "+filepath.Base(d.Pos.File)+" "+d.Message)
	}
	want := `global-order select2.full.js bundle "autocomplete": admin/js/vendor/select2/select2.full.js reads jQuery as it loads, but jQuery is declared only later in the bundle, by ` +
		filepath.Join(static, "admin/js/vendor/jquery/jquery.js")
	if len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Errorf("select2 before jQuery: got %q, want one warning starting %q", got, want)
	}
	if len(res.Warnings) == 1 {
		src, err := os.ReadFile(filepath.Join(static, "admin/js/vendor/select2/select2.full.js"))
		if err != nil {
			t.Fatal(err)
		}
		line := strings.Split(string(src), "\n")[res.Warnings[0].Pos.Line-1]
		if c := res.Warnings[0].Pos.Col; !strings.HasPrefix(line[c-1:], "jQuery") || !strings.Contains(line, "factory(jQuery)") {
			t.Errorf("the warning is at %v, on %q: not select2's factory(jQuery)", res.Warnings[0].Pos, line)
		}
	}
}

// checkConfig writes config into a temporary directory and checks it,
// failing the test on an error.
func checkConfig(t *testing.T, config string) *bundler.Result {
	t.Helper()
	path := filepath.Join(t.TempDir(), "assets.toml")
	if err := os.WriteFile(path, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := bundler.Load(bundler.Options{Config: path})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Check(context.Background())
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	return res
}

// TestRealWorldCollected collects whole npm packages (their dist trees,
// with minified files and source maps) the way a site vendoring them
// would: no warning, the source map check included (jQuery's maps name
// jquery.js, served beside them; Bootstrap's carry their sourcesContent).
func TestRealWorldCollected(t *testing.T) {
	dir := testenv.RealWorld(t)
	root := func(pkg, prefix string) string {
		return "[[root]]\npath = " + quote(filepath.Join(dir, pkg)) + "\nprefix = " + quote(prefix) + "\n"
	}
	config := `output = "out"` + "\n" +
		root("jquery/dist", "jquery") +
		root("bootstrap/dist", "bootstrap") +
		root("d3/dist", "d3") +
		root("@fortawesome/fontawesome-free", "fontawesome") +
		root("animate.css", "animate") + `
[collect]
exclude = ["fontawesome/svgs", "**/package.json", "**/*.md", "**/LICENSE*"]
`
	res := checkConfig(t, config)
	if len(res.Warnings) > 0 {
		t.Errorf("warnings: %v", res.Warnings)
	}
	maps := 0
	for name := range res.Manifest.Files {
		if strings.HasSuffix(name, ".map") {
			maps++
		}
	}
	if maps < 10 {
		t.Errorf("%d source maps collected: the packages should hold dozens", maps)
	}
}
