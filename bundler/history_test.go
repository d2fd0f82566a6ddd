package bundler

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stapler-build/stapler/manifest"
)

// pruneDir writes an output directory: the files each manifest names,
// the current manifest, and the history of the older ones, newest first.
func pruneDir(t *testing.T, current map[string]string, older ...map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, data []byte) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	marshal := func(paths map[string]string) []byte {
		m := &manifest.Manifest{Version: 1, Prefix: "/static/", Files: map[string]manifest.Entry{}}
		for name, p := range paths {
			m.Files[name] = manifest.Entry{Path: p, Size: int64(len(p))}
			write(p, []byte(p))
			write(name, []byte(p)) // the plain copy
		}
		data, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	h := &buildHistory{Version: 1}
	for i := len(older) - 1; i >= 0; i-- {
		data := marshal(older[i])
		var name string
		h, name = h.push(data)
		write(path.Join(historyDir, name), data)
	}
	index, err := h.marshal()
	if err != nil {
		t.Fatal(err)
	}
	write(historyIndex, index)
	write(manifest.FileName, marshal(current))
	return dir
}

func TestPrune(t *testing.T) {
	build := func(n int) map[string]string {
		return map[string]string{
			"css/site.css": "css/site." + strings.Repeat(string(rune('a'+n)), 12) + ".css",
			"js/app.js":    "js/app." + strings.Repeat(string(rune('a'+n)), 12) + ".js",
		}
	}
	old := time.Now().Add(2 * time.Hour) // everything on disk is 2h old at "Now"
	// A replaced manifest the history no longer lists, as a stapler that
	// kept every one left it: removed as old hashed files are. notes.txt,
	// which no build names so, stays.
	const unlisted = ".stapler/history/0123456789ab.json"
	tests := []struct {
		name    string
		opts    PruneOptions
		builds  int // older builds in the history
		removed []string
	}{
		{"default keeps 3 builds", PruneOptions{Now: old}, 4,
			[]string{unlisted, "css/.stapler-123.tmp", "css/site.dddddddddddd.css", "css/site.eeeeeeeeeeee.css", "js/app.dddddddddddd.js", "js/app.eeeeeeeeeeee.js"}},
		{"keep 1: only the current build", PruneOptions{Now: old, Keep: 1}, 2,
			[]string{unlisted, "css/.stapler-123.tmp", "css/site.bbbbbbbbbbbb.css", "css/site.cccccccccccc.css", "js/app.bbbbbbbbbbbb.js", "js/app.cccccccccccc.js"}},
		{"young files stay", PruneOptions{Now: time.Now(), Keep: 1}, 2, nil},
		{"min age", PruneOptions{Now: old, Keep: 1, MinAge: 3 * time.Hour}, 2, nil},
		{"no history", PruneOptions{Now: old}, 0, []string{unlisted, "css/.stapler-123.tmp"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var older []map[string]string
			for i := 1; i <= tt.builds; i++ {
				older = append(older, build(i))
			}
			dir := pruneDir(t, build(0), older...)
			stray := filepath.Join(dir, "css", ".stapler-123.tmp")
			if err := os.WriteFile(stray, nil, 0o644); err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(filepath.Join(dir, filepath.FromSlash(historyDir)), 0o755)
			for _, name := range []string{unlisted, historyDir + "/notes.txt"} {
				if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte("{}"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, dry := range []bool{true, false} {
				opts := tt.opts
				opts.DryRun = dry
				res, err := Prune(dir, opts)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(res.Removed, tt.removed) {
					t.Errorf("DryRun %v: removed %q, want %q", dry, res.Removed, tt.removed)
				}
			}
			// The current build, every plain copy and the manifest stay.
			for _, name := range []string{manifest.FileName, "css/site.css", "js/app.js", build(0)["css/site.css"], build(0)["js/app.js"], historyDir + "/notes.txt"} {
				if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name))); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
			for _, name := range tt.removed {
				if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name))); err == nil {
					t.Errorf("%s still there", name)
				}
			}
		})
	}
}

func TestPruneNeedsManifest(t *testing.T) {
	if _, err := Prune(t.TempDir(), PruneOptions{}); err == nil || !strings.Contains(err.Error(), "no current manifest") {
		t.Errorf("Prune of a directory without a manifest: %v", err)
	}
}

func TestHistoryPush(t *testing.T) {
	h := &buildHistory{Version: 1}
	var names []string
	for i := range historyLimit + 2 {
		var name string
		h, name = h.push([]byte{byte(i)})
		names = append(names, name)
	}
	if len(h.Builds) != historyLimit || h.Builds[0] != names[len(names)-1] {
		t.Errorf("history %v: want the %d newest, newest first", h.Builds, historyLimit)
	}
	h2, _ := h.push([]byte{byte(historyLimit + 1)}) // the newest again
	if !slices.Equal(h2.Builds, h.Builds) {
		t.Errorf("pushing the newest again changed the history")
	}
}

// TestPruneSiblings guards the precompressed siblings of pruned files
// (issue 13): x.<hash>.css.br, .gz and .zst were left behind when their
// hashed file was deleted. They now go with it and stay with it; the
// siblings of plain copies are left alone.
func TestPruneSiblings(t *testing.T) {
	current := map[string]string{"css/site.css": "css/site.aaaaaaaaaaaa.css"}
	older := map[string]string{"css/site.css": "css/site.bbbbbbbbbbbb.css"}
	dir := pruneDir(t, current, older)
	var siblings []string
	for _, p := range []string{current["css/site.css"], older["css/site.css"], "css/site.css"} {
		for _, enc := range manifest.Encodings() {
			name := p + manifest.Suffix(enc)
			if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(enc), 0o644); err != nil {
				t.Fatal(err)
			}
			siblings = append(siblings, name)
		}
	}
	res, err := Prune(dir, PruneOptions{Now: time.Now().Add(2 * time.Hour), Keep: 1})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, enc := range manifest.Encodings() {
		want = append(want, older["css/site.css"]+manifest.Suffix(enc))
	}
	want = append(want, older["css/site.css"])
	slices.Sort(want)
	if !slices.Equal(res.Removed, want) {
		t.Errorf("removed %q, want %q", res.Removed, want)
	}
	for _, name := range siblings {
		_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name)))
		if gone := err != nil; gone != slices.Contains(want, name) {
			t.Errorf("%s: gone %v, want gone %v", name, gone, !gone)
		}
	}
}

// TestHistoryKept: an output keeps the replaced manifests its history
// index lists, and no others. A build once kept every manifest it
// replaced, whatever fell off the index: an output rebuilt a hundred
// times held a hundred of them. The first build of this test also
// removes such a leftover, and leaves alone what a build does not name.
func TestHistoryKept(t *testing.T) {
	for _, mode := range []string{"link", "in-place"} {
		t.Run(mode, func(t *testing.T) {
			dir := t.TempDir()
			write := func(name, text string) { t.Helper(); writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), text) }
			write("assets.toml", "output = \"build/static\"\nswitch = \""+mode+"\"\n[[root]]\npath = \"static\"\n[collect]\n")
			out := filepath.Join(dir, "build", "static")
			build := func(i int) {
				t.Helper()
				write("static/app.css", fmt.Sprintf(".a { color: #%06x }\n", i))
				p, err := Load(Options{Config: filepath.Join(dir, "assets.toml"), Cache: true})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := p.Build(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			build(0)
			build(1)
			// What an older stapler left, and a file that is not a build's.
			leftover := filepath.Join(out, filepath.FromSlash(historyDir), "0123456789ab.json")
			notes := filepath.Join(out, filepath.FromSlash(historyDir), "notes.txt")
			write(strings.TrimPrefix(leftover, dir+string(filepath.Separator)), "{}")
			write(strings.TrimPrefix(notes, dir+string(filepath.Separator)), "mine")
			for i := 2; i < historyLimit+5; i++ {
				build(i)
				index, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(historyIndex)))
				if err != nil {
					t.Fatal(err)
				}
				listed, err := HistoryBuilds(index)
				if err != nil {
					t.Fatal(err)
				}
				if want := min(i, historyLimit); len(listed) != want {
					t.Fatalf("build %d: the index lists %d manifests, want %d", i, len(listed), want)
				}
				entries, err := os.ReadDir(filepath.Join(out, filepath.FromSlash(historyDir)))
				if err != nil {
					t.Fatal(err)
				}
				var held []string
				for _, e := range entries {
					if e.Name() != "notes.txt" {
						held = append(held, e.Name())
					}
				}
				if slices.Sort(listed); !slices.Equal(held, listed) {
					t.Fatalf("build %d: the history directory holds %q, the index lists %q", i, held, listed)
				}
			}
			if _, err := os.Stat(notes); err != nil {
				t.Errorf("a file that is not a build's was removed: %v", err)
			}
		})
	}
}
