package bundler_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stapler-build/stapler/bundler"
)

// BenchmarkWatchStylesheet times what issue 12 asks of watch on the
// 4,000-file site: from one stylesheet saved to the new output and
// manifest in place (the moment Watch reports the build), with the build
// cache. Its ns/op is that latency, the debounce included.
func BenchmarkWatchStylesheet(b *testing.B) {
	dir := b.TempDir()
	tree := generateSiteApps(0)
	if err := tree.write(dir); err != nil {
		b.Fatal(err)
	}
	css := filepath.Join(dir, "static", filepath.FromSlash(tree.bundles["bundles/site.css"][0]))
	events := make(chan bundler.WatchEvent, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- bundler.Watch(ctx, bundler.Options{Config: filepath.Join(dir, "assets.toml"), Cache: true}, func(ev bundler.WatchEvent) { events <- ev })
	}()
	if ev := <-events; ev.Err != nil {
		b.Fatal(ev.Err)
	}
	// Let the files age past the build cache's racy window, and build
	// once more so that the cache trusts them.
	time.Sleep(2500 * time.Millisecond)
	save := func(i int) {
		data, err := os.ReadFile(css)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(css, fmt.Appendf(data, "/* %d */\n", i), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	save(-1)
	if ev := <-events; ev.Err != nil {
		b.Fatal(ev.Err)
	}
	b.ResetTimer()
	for i := range b.N {
		save(i)
		if ev := <-events; ev.Err != nil {
			b.Fatal(ev.Err)
		}
	}
	b.StopTimer()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}
