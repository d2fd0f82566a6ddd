package bundler_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stapler-build/stapler/bundler"
)

// TestProgressStages builds a project with [compress] and checks what
// Options.Progress hears: the files made, each once, then the outputs of
// compressible types compressed, each once, so that a display does not
// stand still at "all made" while brotli runs.
func TestProgressStages(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"assets.toml": "output = \"build\"\n[[root]]\npath = \"static\"\n[collect]\n[compress]\n" +
			"[bundle.app]\noutput = \"js/all.js\"\nsources = [\"js/a.js\", \"js/b.js\"]\n",
		"static/js/a.js":     "var a = 1;\n",
		"static/js/b.js":     "var b = 2;\n",
		"static/css/s.css":   ".s { color: red }\n",
		"static/img/x.png":   "PNG\n",
		"static/data/d.json": "{\"d\": 1}\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var seen []bundler.Progress
	p, err := bundler.Load(bundler.Options{Config: filepath.Join(dir, "assets.toml"), Progress: func(pr bundler.Progress) {
		mu.Lock()
		seen = append(seen, pr)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Build(context.Background()); err != nil {
		t.Fatal(err)
	}
	// 5 collected files and the bundle are made; the bundle, the two
	// scripts, the stylesheet and the JSON are compressed, not the PNG.
	want := []struct {
		stage string
		total int
	}{{bundler.StageMake, 6}, {bundler.StageCompress, 5}}
	i := 0
	for _, w := range want {
		for done := 1; done <= w.total; done++ {
			if i == len(seen) {
				t.Fatalf("progress stopped at %d calls, before %s %d/%d: %+v", i, w.stage, done, w.total, seen)
			}
			if got := seen[i]; got.Stage != w.stage || got.Done != done || got.Total != w.total {
				t.Fatalf("progress call %d: %+v, want %s %d/%d (all: %+v)", i, got, w.stage, done, w.total, seen)
			}
			i++
		}
	}
	if i != len(seen) {
		t.Errorf("%d progress calls after the last stage: %+v", len(seen)-i, seen[i:])
	}
}
