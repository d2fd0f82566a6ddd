package bundler

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stapler-build/stapler/djangoinit"
	"github.com/stapler-build/stapler/internal/testenv"
)

// TestSchemaInitConfigs holds the configs stapler init writes to the
// schema, through Taplo as editors run it: a starter config, and those of
// the Django projects of testdata/django, read with Debian's Django.
func TestSchemaInitConfigs(t *testing.T) {
	taplo := testenv.Taplo(t)
	testenv.DjangoPipeline(t)
	testenv.DjangoREST(t)
	dir := t.TempDir()
	var files []string
	for _, name := range []string{"starter", "project", "pipeline"} {
		project := filepath.Join(dir, name)
		if name == "starter" {
			for _, d := range []string{"static/css", "blog/static/blog", "templates"} {
				if err := os.MkdirAll(filepath.Join(project, d), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			os.WriteFile(filepath.Join(project, "static/css/site.css"), []byte("body{}"), 0o644)
			os.WriteFile(filepath.Join(project, "templates/base.html"), []byte("<p>"), 0o644)
		} else {
			copyDir(t, filepath.Join("..", "testdata", "django", name), project)
		}
		res, err := djangoinit.Init(t.Context(), djangoinit.Options{Config: filepath.Join(project, "assets.toml"), Python: testenv.Python})
		if err != nil {
			t.Fatalf("%s: stapler init: %v", name, err)
		}
		files = append(files, res.Config)
	}
	if bad := runTaplo(t, taplo, dir, files, true); len(bad) > 0 {
		t.Errorf("the schema rejects what stapler init wrote: %q", bad)
	}
}

// copyDir copies the directory src into dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}
