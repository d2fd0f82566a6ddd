package bundler

import (
	"bytes"
	"context"
	"maps"
	"math"
	"os"
	"path/filepath"
	"reflect"
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

// TestIndexRoundTrip: the index a build saves reads back as the entries it
// holds, extreme values and names with spaces included; a name with a
// newline, which a line of the index cannot hold, is left out, not the
// index made unreadable.
func TestIndexRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	var diags ErrorList
	c := loadCache(dir, time.Second, &diags)
	c.next["/p/static/a b.css"] = &cacheEntry{cacheStat: cacheStat{size: 0, mtime: -1, ctime: math.MaxInt64, ino: math.MaxUint64}, recorded: math.MinInt64, hash: "0123456789ab", integrity: "sha384-x"}
	c.next["/p/static/img/x.png"] = &cacheEntry{cacheStat: cacheStat{size: 1 << 40, mtime: 1e18, ctime: 2e18, ino: 7}, recorded: 3e18, hash: "ba9876543210", integrity: "sha384-y"}
	want := maps.Clone(c.next)
	c.next["/p/static/new\nline.css"] = c.next["/p/static/img/x.png"]
	if err := c.save(); err != nil {
		t.Fatal(err)
	}
	again := loadCache(dir, time.Second, &diags)
	if len(diags) > 0 {
		t.Fatalf("reading the index back: %v", diags)
	}
	if !reflect.DeepEqual(again.old, want) {
		t.Errorf("read back:\n%v\nwant:\n%v", again.old, want)
	}
}
