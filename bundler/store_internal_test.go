package bundler

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestStorePack: the store of esbuild's results is one pack. A rebuild
// that made nothing new and used every entry leaves it as it is; one whose
// bundle source changed holds the new results and no longer the old; a
// pack cut short is ignored with a warning (cache-ignored) and rebuilt;
// the per-entry directory of earlier staplers is removed.
func TestStorePack(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../testdata/example")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(dir, "build"))
	config := filepath.Join(dir, "assets.toml")
	build := func() *Result {
		t.Helper()
		// No build record: each build goes the whole way, to the store.
		p, err := Load(Options{Config: config, Cache: true, racyWindow: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		res, err := p.Build(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	build()
	out := filepath.Join(dir, "build", "static")
	pack := filepath.Join(cachePath(out), "transforms.pack")
	keys := func() []string {
		t.Helper()
		var diags ErrorList
		c := loadCache(cachePath(out), racyWindow, &diags)
		if len(diags) > 0 {
			t.Fatalf("loading the cache: %v", diags)
		}
		var k []string
		for key := range c.store {
			k = append(k, key)
		}
		slices.Sort(k)
		return k
	}
	first := keys()
	if len(first) == 0 {
		t.Fatal("the pack holds no result")
	}
	before, err := os.Stat(pack)
	if err != nil {
		t.Fatal(err)
	}
	legacy := filepath.Join(cachePath(out), "transforms", "ab")
	if err := os.MkdirAll(legacy, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(legacy, "cdef"), []byte("old"), 0o644)

	// Nothing new: the same pack, not written again.
	build()
	after, err := os.Stat(pack)
	if err != nil {
		t.Fatal(err)
	}
	if !after.ModTime().Equal(before.ModTime()) || after.Sys() == nil || !os.SameFile(before, after) {
		t.Errorf("a rebuild with nothing new wrote the pack again")
	}
	if _, err := os.Stat(filepath.Join(cachePath(out), "transforms")); err == nil {
		t.Errorf("the directory of an earlier stapler's store is still there")
	}

	// A bundle source changed: its new results in, its old ones out.
	src := filepath.Join(dir, "static", "css", "layout.css")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(src, append(data, []byte("\n.new-rule { color: teal }\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	build()
	second := keys()
	var gone, added int
	for _, k := range first {
		if !slices.Contains(second, k) {
			gone++
		}
	}
	for _, k := range second {
		if !slices.Contains(first, k) {
			added++
		}
	}
	if gone == 0 || added == 0 {
		t.Errorf("after a source changed, %d results left the pack and %d came in; want some of each", gone, added)
	}

	// Cut short: a warning, and a build as good as without the cache.
	packed, err := os.ReadFile(pack)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(pack, packed[:len(packed)-5], 0o644)
	if res := build(); len(res.Warnings) != 1 || res.Warnings[0].Code != CodeCacheIgnored {
		t.Errorf("a pack cut short: warnings %v, want one %s", res.Warnings, CodeCacheIgnored)
	}
	if again, err := os.ReadFile(pack); err != nil || !bytes.Equal(again, packed) {
		t.Errorf("the pack rebuilt is not the pack the same build made before (%v)", err)
	}
}
