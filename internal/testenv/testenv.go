package testenv

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// InstallAll is the command that installs everything the tests need and
// then runs them.
const InstallAll = "bash .ci/test"

// Python is Debian's Python, the one that python3-django installs Django
// for: a python3 earlier in $PATH (a pyenv shim, a virtualenv) may lack it.
const Python = "/usr/bin/python3"

// TB is what this package needs of a test. A *testing.T or *testing.B is
// one; so is a small adapter around testscript's TestScript.
type TB interface {
	Helper()
	Skip(args ...any)
	Fatalf(format string, args ...any)
}

// packages names the Debian package that installs each program a test
// runs; .ci/test installs every one of them (TestPackagesInCI checks).
var packages = map[string]string{
	"node":    "nodejs",
	"npm":     "npm",
	"python3": "python3",
	"script":  "bsdutils",
}

// Command returns the path of the program name, found in $PATH, or ends
// the test (see the package doc).
func Command(t TB, name string) string {
	t.Helper()
	pkg, ok := packages[name]
	if !ok {
		t.Fatalf("testenv: no Debian package known for %q: add it to testenv's packages and to .ci/test", name)
	}
	p, err := exec.LookPath(name)
	if err != nil {
		missing(t, name, err, "apt-get install "+pkg)
	}
	return p
}

// File returns path, a file that the Debian package pkg installs, or ends
// the test if there is none.
func File(t TB, path, pkg string) string {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		missing(t, path, err, "apt-get install "+pkg)
	}
	return path
}

// Django returns [Python] and the version, major.minor, of the Django it
// imports, or ends the test if it has none.
func Django(t TB) (python, version string) {
	t.Helper()
	out, err := exec.Command(Python, "-c", "import django; print('%d.%d' % django.VERSION[:2])").Output()
	if err != nil {
		// Python's last line says why: "ModuleNotFoundError: No module named 'django'".
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			lines := strings.Split(strings.TrimSpace(string(exit.Stderr)), "\n")
			err = fmt.Errorf("%w: %s", err, lines[len(lines)-1])
		}
		missing(t, "Django under "+Python, err, "apt-get install python3-django")
	}
	return Python, strings.TrimSpace(string(out))
}

// Django52 returns a directory which, on PYTHONPATH, makes [Python]
// import Django 5.2 instead of Debian's own Django: $STAPLER_DJANGO52,
// where testdata/django/django52.sh fetched it. It ends the test if there
// is none, or if Django 5.2 does not import from it.
func Django52(t TB) (pythonpath string) {
	t.Helper()
	Django(t) // Debian's python3-django brings the asgiref and sqlparse that 5.2 needs
	dir := os.Getenv("STAPLER_DJANGO52")
	const install = "export STAPLER_DJANGO52=$(bash testdata/django/django52.sh ~/.cache/stapler-tools)"
	if dir == "" {
		missing(t, "Django 5.2", errors.New("STAPLER_DJANGO52 is not set"), install)
	}
	cmd := exec.Command(Python, "-c", "import django; print('%d.%d' % django.VERSION[:2])")
	cmd.Env = append(os.Environ(), "PYTHONPATH="+dir)
	out, err := cmd.Output()
	if err == nil && strings.TrimSpace(string(out)) != "5.2" {
		err = fmt.Errorf("it holds Django %s", strings.TrimSpace(string(out)))
	}
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			lines := strings.Split(strings.TrimSpace(string(exit.Stderr)), "\n")
			err = fmt.Errorf("%w: %s", err, lines[len(lines)-1])
		}
		missing(t, "Django 5.2 in "+dir, err, install)
	}
	return dir
}

// RealWorld returns the directory, named by $STAPLER_REALWORLD, into which
// testdata/realworld/fetch.sh fetched real packages from npm, or ends the
// test if there is none.
func RealWorld(t TB) string {
	t.Helper()
	dir, err := realWorld()
	if err != nil {
		missing(t, "the npm packages of testdata/realworld/fetch.sh", err,
			"export STAPLER_REALWORLD=$(bash testdata/realworld/fetch.sh ~/.cache/stapler-realworld)")
	}
	return dir
}

// Taplo returns the path of Taplo's command-line tool (npm's @taplo/cli),
// named by $STAPLER_TAPLO or found in $PATH, or ends the test if there is
// none. schema/taplo.sh installs it outside the clone and prints its path.
func Taplo(t TB) string {
	t.Helper()
	p := os.Getenv("STAPLER_TAPLO")
	var err error
	if p != "" {
		_, err = os.Stat(p)
	} else if p, err = exec.LookPath("taplo"); err != nil {
		err = errors.New("STAPLER_TAPLO is not set, and no taplo in $PATH")
	}
	if err != nil {
		missing(t, "Taplo (npm's @taplo/cli)", err,
			"export STAPLER_TAPLO=$(bash schema/taplo.sh ~/.cache/stapler-tools)")
	}
	return p
}

// Venv makes a Python virtual environment in dir, with pip, and returns
// the path of its python, or ends the test if the python3 in $PATH cannot
// make one (Debian's python3 needs python3-venv for that).
func Venv(t TB, dir string) string {
	t.Helper()
	python := Command(t, "python3")
	if out, err := exec.Command(python, "-m", "venv", dir).CombinedOutput(); err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		missing(t, "venv with pip for "+python, fmt.Errorf("%w: %s", err, lines[len(lines)-1]), "apt-get install python3-venv")
	}
	if runtime.GOOS == "windows" {
		return filepath.Join(dir, "Scripts", "python.exe")
	}
	return filepath.Join(dir, "bin", "python")
}

// DjangoPipeline returns [Python] once [Django] is there and
// django-pipeline imports under it, or ends the test.
func DjangoPipeline(t TB) string {
	t.Helper()
	python, _ := Django(t)
	if out, err := exec.Command(python, "-c", "import pipeline").CombinedOutput(); err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		missing(t, "django-pipeline under "+Python, fmt.Errorf("%w: %s", err, lines[len(lines)-1]), "apt-get install python3-django-pipeline")
	}
	return python
}

// DjangoREST returns [Python] once [Django] is there and Django REST
// framework imports under it, or ends the test.
func DjangoREST(t TB) string {
	t.Helper()
	return PythonModule(t, "rest_framework", "python3-djangorestframework")
}

// PythonModule returns [Python] once [Django] is there and the module
// imports under it, or ends the test, naming the Debian package pkg that
// installs it.
func PythonModule(t TB, module, pkg string) string {
	t.Helper()
	python, _ := Django(t)
	if out, err := exec.Command(python, "-c", "import "+module).CombinedOutput(); err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		missing(t, module+" under "+Python, fmt.Errorf("%w: %s", err, lines[len(lines)-1]), "apt-get install "+pkg)
	}
	return python
}

func realWorld() (string, error) {
	dir := os.Getenv("STAPLER_REALWORLD")
	if dir == "" {
		return "", errors.New("STAPLER_REALWORLD is not set")
	}
	_, err := os.Stat(dir)
	return dir, err
}

// NodeModules returns the directory of [RealWorld], checking that it holds
// the npm package pkg (fetched there without node_modules, each package
// at DIR/<name>): node finds pkg and its dependencies with NODE_PATH set
// to it. It ends the test if pkg is not there, as in a directory fetched
// before fetch.sh named pkg.
func NodeModules(t TB, pkg string) string {
	t.Helper()
	if _, err := realWorld(); err != nil {
		return RealWorld(t)
	}
	dir := RealWorld(t)
	if _, err := os.Stat(filepath.Join(dir, pkg, "package.json")); err != nil {
		missing(t, "the npm package "+pkg+" of testdata/realworld/fetch.sh", err,
			"bash testdata/realworld/fetch.sh "+dir)
	}
	return dir
}

// missing skips the test, or under CI fails it, saying what is missing
// and how to install it.
func missing(t TB, what string, err error, install string) {
	t.Helper()
	msg := fmt.Sprintf("missing %s (%v):\ninstall it with %q, or run %q, which installs all the tests need", what, err, install, InstallAll)
	if ci() {
		t.Fatalf("CI=true, so this fails rather than skips: %s", msg)
	} else {
		t.Skip(msg)
	}
}

// ci reports whether the tests run under CI, where nothing may be skipped
// for want of a tool.
func ci() bool {
	on, _ := strconv.ParseBool(os.Getenv("CI"))
	return on
}
