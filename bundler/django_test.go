package bundler_test

import (
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stapler-build/stapler/internal/testenv"
)

// TestDjangoServesBuiltExample builds the example project and has the real
// Django (Debian's python3-django, which .ci/test installs) read its
// staticfiles.json with ManifestStaticFilesStorage and manifest_strict:
// static(name) must give a URL naming a file that exists, for every name
// the build wrote, the bundles and the files their stylesheets reference.
func TestDjangoServesBuiltExample(t *testing.T) {
	python, _ := testenv.Django(t)
	dir := t.TempDir()
	res := build(t, copyExample(t, dir))
	names := slices.Sorted(maps.Keys(res.Manifest.Files))
	if !slices.Contains(names, "js/stats.js") || !slices.Contains(names, "img/logo.svg") {
		t.Fatalf("the example's manifest lacks js/stats.js or img/logo.svg: %v", names)
	}
	script, err := filepath.Abs(filepath.Join("..", "manifest", "testdata", "django_load.py"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, append([]string{script, filepath.Join(dir, "build", "static")}, names...)...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("Django could not serve the build: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	var want strings.Builder
	for _, name := range names {
		want.WriteString(name + " -> /static/" + res.Manifest.Files[name].Path + "\n")
	}
	if stdout.String() != want.String() {
		t.Errorf("Django's static() gave:\n%s\nwant:\n%s", stdout.String(), want.String())
	}
}
