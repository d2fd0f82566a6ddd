package packaging

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stapler-build/stapler/internal/testenv"
)

// TestPackages builds this machine's wheel and npm tarballs with build.sh,
// twice, and checks that both builds give the same bytes; then installs
// each from the local file, the wheel into a fresh venv with pip and the
// tarballs into a fresh npm project, and runs `stapler version` and the
// example project's build through what each put on PATH. Its Django
// subtest (djangoThroughWheel) runs stapler init and build in a Django
// project through the wheel, with no Go, and serves the site.
func TestPackages(t *testing.T) {
	platform := runtime.GOOS + "/" + runtime.GOARCH
	switch platform {
	case "linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64":
	default:
		t.Skipf("the test runs the packages of linux and macOS; %s is not one of them", platform)
	}
	testenv.Command(t, "python3") // build.sh's package.py
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal(err)
	}
	npm := testenv.Command(t, "npm")
	testenv.Command(t, "node") // the npm package's shim

	tmp := t.TempDir()
	dist := filepath.Join(tmp, "dist")
	build := func(out string) map[string]string {
		t.Helper()
		cmd := exec.Command(bash, "build.sh", "-o", out, platform)
		cmd.Env = withoutEnv(os.Environ(), "STAPLER_VERSION")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build.sh: %v\n%s", err, b)
		}
		sums := map[string]string{}
		err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			sum := sha256.Sum256(data)
			rel, _ := filepath.Rel(out, p)
			sums[filepath.ToSlash(rel)] = base64.StdEncoding.EncodeToString(sum[:])
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return sums
	}
	first := build(dist)
	second := build(filepath.Join(tmp, "again"))
	if !maps.Equal(first, second) {
		t.Errorf("two builds of one commit differ:\n%v\n%v", first, second)
	}
	t.Logf("%d files, the same bytes from two builds", len(first))

	wheel := only(t, dist, "stapler_build-*-py3-none-*.whl")
	main := only(t, filepath.Join(dist, "npm"), "stapler-build-stapler-[0-9]*.tgz")
	goos := map[string]string{"linux": "linux", "darwin": "darwin"}[runtime.GOOS]
	cpu := map[string]string{"amd64": "x64", "arm64": "arm64"}[runtime.GOARCH]
	plat := only(t, filepath.Join(dist, "npm"), "stapler-build-stapler-"+goos+"-"+cpu+"-*.tgz")
	version := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(main), "stapler-build-stapler-"), ".tgz")
	checkRecord(t, wheel)

	// pip: a fresh venv, the wheel from its file, no index.
	venv := filepath.Join(tmp, "venv")
	python := testenv.Venv(t, venv)
	run(t, tmp, nil, python, "-m", "pip", "install", "--no-index", "--disable-pip-version-check", "--quiet", wheel)
	pipPath := filepath.Join(venv, "bin") + string(os.PathListSeparator) + os.Getenv("PATH")
	t.Run("Django", func(t *testing.T) { djangoThroughWheel(t, tmp, wheel) })

	// npm: a fresh project, the main package and this platform's from
	// their files; offline, with a cache of its own, so the other
	// platforms' packages, which no registry has, are skipped as the
	// optional dependencies they are.
	project := filepath.Join(tmp, "project")
	if err := os.MkdirAll(project, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(project, "package.json"), []byte(`{"private": true}`+"\n"), 0o666); err != nil {
		t.Fatal(err)
	}
	run(t, project, nil, npm, "install", "--offline", "--cache", filepath.Join(tmp, "npm-cache"),
		"--no-audit", "--no-fund", "--loglevel=error", main, plat)
	npmPath := filepath.Join(project, "node_modules", ".bin") + string(os.PathListSeparator) + os.Getenv("PATH")

	var manifests [][]byte
	for _, via := range []struct{ name, path string }{{"pip", pipPath}, {"npm", npmPath}} {
		env := append(withoutEnv(os.Environ(), "PATH"), "PATH="+via.path)
		// Which stapler the shell finds: the one the package installed.
		where := strings.TrimSpace(run(t, tmp, env, bash, "-c", "command -v stapler"))
		if want := strings.SplitN(via.path, string(os.PathListSeparator), 2)[0]; filepath.Dir(where) != want {
			t.Errorf("%s: stapler on PATH is %s, not the one in %s", via.name, where, want)
		}
		if got, want := run(t, tmp, env, bash, "-c", "stapler version"), "stapler v"+version+"\n"; got != want {
			t.Errorf("%s: stapler version printed %q, want %q", via.name, got, want)
		}
		example := filepath.Join(tmp, "example-"+via.name)
		copyExample(t, example)
		out := run(t, example, env, bash, "-c", "stapler build -c assets.toml 2>&1")
		t.Logf("%s: stapler build: %s", via.name, strings.TrimSpace(out))
		m, err := os.ReadFile(filepath.Join(example, "build", "static", "stapler-manifest.json"))
		if err != nil {
			t.Fatalf("%s: the example build wrote no manifest: %v", via.name, err)
		}
		for _, name := range []string{`"js/stats.js"`, `"css/site.css"`, `"js/dashboard.js"`} {
			if !bytes.Contains(m, []byte(name)) {
				t.Errorf("%s: the example's manifest has no %s", via.name, name)
			}
		}
		manifests = append(manifests, m)
	}
	if !bytes.Equal(manifests[0], manifests[1]) {
		t.Errorf("the example's manifest from the wheel's stapler differs from the npm package's")
	}
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

// only returns the one file in dir that pattern matches.
func only(t *testing.T, dir, pattern string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil || len(m) != 1 {
		t.Fatalf("%s in %s: %q (%v), want one file", pattern, dir, m, err)
	}
	return m[0]
}

// checkRecord checks that the wheel holds the binary, executable, its
// METADATA and WHEEL, and a RECORD that lists each with its sha256 and size.
func checkRecord(t *testing.T, wheel string) {
	t.Helper()
	z, err := zip.OpenReader(wheel)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	contents := map[string][]byte{}
	var names []string
	for _, f := range z.File {
		if strings.Contains(f.Name, ".data/scripts/") && f.Mode()&0o111 == 0 {
			t.Errorf("%s: mode %v, not executable", f.Name, f.Mode())
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		contents[f.Name] = data
		names = append(names, f.Name)
	}
	var want []string
	var record string
	for _, name := range names {
		if strings.HasSuffix(name, ".dist-info/RECORD") {
			record = string(contents[name])
			want = append(want, name+",,")
			continue
		}
		sum := sha256.Sum256(contents[name])
		want = append(want, name+",sha256="+base64.RawURLEncoding.EncodeToString(sum[:])+","+strconv.Itoa(len(contents[name])))
	}
	if got := strings.Fields(record); !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
		t.Errorf("RECORD:\n%s\nwant the lines:\n%s", record, strings.Join(want, "\n"))
	}
	var app []string
	for _, name := range names {
		if strings.HasPrefix(name, "stapler_django/") {
			app = append(app, name)
		}
	}
	if !slices.Contains(app, "stapler_django/templatetags/stapler.py") {
		t.Errorf("the wheel holds no stapler_django/templatetags/stapler.py (the Django app): %q", names)
	}
	if len(names) != 4+len(app) || !strings.HasSuffix(names[len(names)-1], ".dist-info/RECORD") {
		t.Errorf("the wheel holds %q, want the binary, the Django app's modules, METADATA, WHEEL and, last, RECORD", names)
	}
}

// copyExample copies testdata/example, but what a build left in it, to dir.
func copyExample(t *testing.T, dir string) {
	t.Helper()
	src := filepath.Join("..", "testdata", "example")
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() && (rel == "build" || strings.HasPrefix(d.Name(), ".build") || strings.HasPrefix(d.Name(), ".static")) {
			return filepath.SkipDir
		}
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o777)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o666)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// withoutEnv returns env without the variable name.
func withoutEnv(env []string, name string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
}
