package bundler_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stapler-build/stapler/bundler"
)

// TestSpill: a build that lets go of every copied file's bytes once they
// are hashed (a budget of one byte), and reads each again to write it,
// writes the same tree as one that keeps them, with and without the build
// cache, compression included; and a file changed between its hashing and
// its writing fails the build, naming it, rather than going out under a
// name its bytes do not hash to. With a racy window of a nanosecond, so
// that the stat under which each file was hashed is trusted, the writer
// copies the spilled files without reading them (copyCreate): the same
// tree, and the same failure for a file changed in between.
func TestSpill(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := copyExample(t, dir)
	build := func(out string, budget int64, cache bool, racy time.Duration, progress func(bundler.Progress)) error {
		t.Helper()
		opts := bundler.Options{Config: config, OutputDir: out, Cache: cache, Progress: progress}
		if budget > 0 {
			opts = bundler.WithSpillBudget(opts, budget)
		}
		if racy > 0 {
			opts = bundler.WithRacyWindow(opts, racy)
		}
		p, err := bundler.Load(opts)
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Build(context.Background())
		return err
	}
	kept := filepath.Join(t.TempDir(), "kept")
	if err := build(kept, 0, false, 0, nil); err != nil {
		t.Fatal(err)
	}
	want, err := readTree(kept)
	if err != nil {
		t.Fatal(err)
	}
	for _, racy := range []time.Duration{0, time.Nanosecond} {
		for _, cache := range []bool{false, true} {
			out := filepath.Join(t.TempDir(), "spilled")
			for range 2 { // the second with the cache's index in place
				if err := build(out, 1, cache, racy, nil); err != nil {
					t.Fatal(err)
				}
				got, err := readTree(out)
				if err != nil {
					t.Fatal(err)
				}
				if d := treeDiff(got, want); d != "" {
					t.Errorf("cache %t, racy window %v: the tree of a build that spilled every copied file differs from one that kept them:\n%s", cache, racy, d)
				}
			}
		}
	}

	// The image changed once every file is made and hashed, as the
	// compression before the writing starts: the build fails and writes
	// nothing, whether the image would be read again or copied (the
	// cache's stats make copying possible).
	image := filepath.Join(dir, "static", "img", "paper.png")
	for _, racy := range []time.Duration{0, time.Nanosecond} {
		out := filepath.Join(t.TempDir(), "raced")
		progress, changed := changeAtCompress(t, image)
		err := build(out, 1, true, racy, progress)
		changed()
		if err == nil || !strings.Contains(err.Error(), "img/paper.png changed while the build ran: build again") {
			t.Errorf("racy window %v: an image changed between hashing and writing: %v, want its error", racy, err)
		}
		if _, err := os.Stat(filepath.Join(out, "stapler-manifest.json")); err == nil {
			t.Errorf("racy window %v: the failed build left a manifest", racy)
		}
		// Back as it was, for the next.
		data, err := os.ReadFile(image)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(image, bytes.TrimSuffix(data, []byte("changed")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCacheHitChanged: a file the build cache shows unchanged is not read,
// but when its hashed output is missing the writer needs its bytes after
// all: it copies or reads them then, and a file changed since its stat
// fails the build rather than go out under the name of its old bytes.
func TestCacheHitChanged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	config := copyExample(t, dir)
	out := filepath.Join(t.TempDir(), "out")
	build := func(progress func(bundler.Progress)) error {
		t.Helper()
		opts := bundler.WithRacyWindow(bundler.Options{Config: config, OutputDir: out, Cache: true, Progress: progress}, time.Nanosecond)
		p, err := bundler.Load(opts)
		if err != nil {
			t.Fatal(err)
		}
		_, err = p.Build(context.Background())
		return err
	}
	if err := build(nil); err != nil {
		t.Fatal(err)
	}
	want, err := readTree(out)
	if err != nil {
		t.Fatal(err)
	}
	removeHashed := func() {
		t.Helper()
		hashed, err := filepath.Glob(filepath.Join(out, "img", "paper.*.png"))
		if err != nil || len(hashed) != 1 {
			t.Fatalf("the hashed image: %v, %v", hashed, err)
		}
		if err := os.Remove(hashed[0]); err != nil {
			t.Fatal(err)
		}
	}

	// Nothing changed: the missing file is made again, the same.
	removeHashed()
	if err := build(nil); err != nil {
		t.Fatal(err)
	}
	got, err := readTree(out)
	if err != nil {
		t.Fatal(err)
	}
	if d := treeDiff(got, want); d != "" {
		t.Errorf("a hashed file of the cache's made again differs:\n%s", d)
	}

	// The image changed after the build took its stat, before the write.
	removeHashed()
	image := filepath.Join(dir, "static", "img", "paper.png")
	progress, changed := changeAtCompress(t, image)
	err = build(progress)
	changed()
	if err == nil || !strings.Contains(err.Error(), "img/paper.png changed while the build ran: build again") {
		t.Errorf("an image the cache showed unchanged changed before it was written: %v, want its error", err)
	}
}

// changeAtCompress returns a Progress function that appends "changed" to
// file when the build starts compressing: once every file is made and
// hashed, before the writing. The function returned with it fails the
// test when that never happened, or the append failed (a Progress function
// may run off the test's goroutine, where it must not stop the test).
func changeAtCompress(t *testing.T, file string) (func(bundler.Progress), func()) {
	var once sync.Once
	var err error
	done := false
	return func(pr bundler.Progress) {
			if pr.Stage != bundler.StageCompress {
				return
			}
			once.Do(func() {
				var f *os.File
				if f, err = os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0); err != nil {
					return
				}
				_, err = f.Write([]byte("changed"))
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				done = true
			})
		}, func() {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			if !done {
				t.Fatal("no compression reported: the test tests nothing")
			}
		}
}
