package bundler_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stapler-build/stapler/bundler"
)

// TestSpill: a build that lets go of every copied file's bytes once they
// are hashed (a budget of one byte), and reads each again to write it,
// writes the same tree as one that keeps them, with and without the build
// cache, compression included; and a file changed between its hashing and
// its writing fails the build, naming it, rather than going out under a
// name its bytes do not hash to.
func TestSpill(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../testdata/example")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(dir, "build"))
	config := filepath.Join(dir, "assets.toml")
	build := func(out string, budget int64, cache bool, progress func(bundler.Progress)) error {
		t.Helper()
		opts := bundler.Options{Config: config, OutputDir: out, Cache: cache, Progress: progress}
		if budget > 0 {
			opts = bundler.WithSpillBudget(opts, budget)
		}
		p, err := bundler.Load(opts)
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Build(context.Background())
		return err
	}
	kept := filepath.Join(t.TempDir(), "kept")
	if err := build(kept, 0, false, nil); err != nil {
		t.Fatal(err)
	}
	want, err := readTree(kept)
	if err != nil {
		t.Fatal(err)
	}
	for _, cache := range []bool{false, true} {
		out := filepath.Join(t.TempDir(), "spilled")
		for range 2 { // the second with the cache's index in place
			if err := build(out, 1, cache, nil); err != nil {
				t.Fatal(err)
			}
			got, err := readTree(out)
			if err != nil {
				t.Fatal(err)
			}
			if d := treeDiff(got, want); d != "" {
				t.Errorf("cache %t: the tree of a build that spilled every copied file differs from one that kept them:\n%s", cache, d)
			}
		}
	}

	// The image changed once every file is made and hashed, as the
	// compression before the writing starts: the build fails and writes
	// nothing.
	image := filepath.Join(dir, "static", "img", "paper.png")
	out := filepath.Join(t.TempDir(), "raced")
	changed := false
	err = build(out, 1, false, func(pr bundler.Progress) {
		if pr.Stage == bundler.StageCompress && !changed {
			changed = true
			f, err := os.OpenFile(image, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.Write([]byte("changed"))
			f.Close()
		}
	})
	if !changed {
		t.Fatal("no compression reported: the test tests nothing")
	}
	if err == nil || !strings.Contains(err.Error(), "img/paper.png changed while the build ran: build again") {
		t.Errorf("an image changed between hashing and writing: %v, want its error", err)
	}
	if _, err := os.Stat(filepath.Join(out, "stapler-manifest.json")); err == nil {
		t.Errorf("the failed build left a manifest")
	}
}
