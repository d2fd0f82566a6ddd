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

// TestRealWorldProject builds a project of real vendor packages from npm
// (fetched by testdata/realworld/fetch.sh, which .ci/test runs) the way a
// user would: each package a prefixed root, one CSS bundle of normalize,
// bootstrap, Font Awesome (whose url()s name its web fonts) and animate,
// one JS bundle of jquery, lodash, bootstrap and d3. stapler must accept
// them all with no diagnostic, copy the fonts hash-named, and the bundled
// scripts must still define their globals when run in node.
func TestRealWorldProject(t *testing.T) {
	dir := testenv.RealWorld(t)
	node := testenv.Command(t, "node")
	root := func(pkg, prefix string) string {
		return "[[root]]\npath = " + quote(filepath.Join(dir, pkg)) + "\nprefix = " + quote(prefix) + "\n"
	}
	config := `output = "out"` + "\n" +
		root("normalize.css", "normalize") +
		root("bootstrap/dist", "bootstrap") +
		root("@fortawesome/fontawesome-free", "fontawesome") +
		root("animate.css", "animate") +
		root("jquery/dist", "jquery") +
		root("lodash", "lodash") +
		root("d3/dist", "d3") + `
[bundle.vendor-css]
output = "css/vendor.css"
sources = [
  "normalize/normalize.css",
  "bootstrap/css/bootstrap.css",
  "fontawesome/css/all.css",
  "animate/animate.css",
]

[bundle.vendor-js]
output = "js/vendor.js"
sources = [
  "jquery/jquery.js",
  "lodash/lodash.js",
  "bootstrap/js/bootstrap.bundle.js",
  "d3/d3.js",
]

[manifest]
django = true
`
	work := t.TempDir()
	configPath := filepath.Join(work, "assets.toml")
	if err := os.WriteFile(configPath, []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := bundler.Load(bundler.Options{Config: configPath})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Build(context.Background())
	if err != nil {
		t.Fatalf("real vendor packages did not build:\n%v", err)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("warnings: %v", res.Warnings)
	}
	fonts := 0
	for name := range res.Manifest.Files {
		if strings.HasPrefix(name, "fontawesome/webfonts/") {
			fonts++
		}
	}
	if fonts == 0 {
		t.Errorf("no Font Awesome web font copied; manifest: %v", res.Manifest.Paths())
	}
	css, err := os.ReadFile(filepath.Join(work, "out", "css", "vendor.css"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(css), "url(../fontawesome/webfonts/fa-solid-900.") {
		t.Errorf("vendor.css does not point at the hashed solid font")
	}

	script := filepath.Join(work, "out", "js", "vendor.js")
	check := `
const vm = require("vm"), fs = require("fs");
const ctx = { console, setTimeout, clearTimeout, setInterval, clearInterval };
ctx.window = ctx; ctx.self = ctx; ctx.globalThis = ctx;
const el = () => ({ style: {}, setAttribute() {}, appendChild(c) { return c }, removeChild() {},
  getElementsByTagName: () => [], querySelectorAll: () => [], addEventListener() {},
  hasAttribute: () => false, getAttribute: () => null, classList: { contains: () => false } });
ctx.document = { createElement: el, head: el(), body: el(), documentElement: Object.assign(el(), { dir: "ltr" }),
  addEventListener() {}, removeEventListener() {}, readyState: "complete",
  querySelector: () => null, querySelectorAll: () => [], getElementsByTagName: () => [] };
ctx.addEventListener = () => {}; ctx.getComputedStyle = () => ({});
ctx.location = { href: "http://127.0.0.1/", protocol: "http:", host: "127.0.0.1", hash: "" };
ctx.navigator = { userAgent: "node" };
vm.createContext(ctx);
vm.runInContext(fs.readFileSync(process.argv[1], "utf8"), ctx, { filename: "vendor.js" });
const seen = ["jQuery", "$", "_", "d3", "bootstrap"].filter(n => ctx[n] !== undefined);
console.log(seen.join(" "), typeof ctx._.chunk, typeof ctx.d3.select);
`
	out, err := exec.Command(node, "-e", check, script).CombinedOutput()
	if err != nil {
		t.Fatalf("running the bundled vendor.js: %v\n%s", err, out[max(0, len(out)-2000):])
	}
	if got, want := strings.TrimSpace(string(out)), "jQuery $ _ d3 bootstrap function function"; got != want {
		t.Errorf("globals after running vendor.js: %q, want %q", got, want)
	}
}

func quote(s string) string { return `'` + s + `'` }
