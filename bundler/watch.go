package bundler

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// WatchEvent is one build of [Watch].
type WatchEvent struct {
	Result  *Result  // the build's result; nil when it failed
	Err     error    // its problems (an ErrorList) or the failure; nil on success
	Changed []string // the paths whose change started it; nil for the first build
}

// debounce is how long Watch waits after a change for more: an editor's
// save (a temporary file renamed over the old) is a burst of events a few
// milliseconds long (a write's event arrives 0.4 ms after it on the
// project's machine). A longer burst (a git checkout, a copy) may start a
// build before it ends; the build after it sees all of it. The wait is
// 15 ms of the 100 ms a rebuild has, from save to output (issue 12); it
// was 25 until patch builds made the rest of a stylesheet's rebuild 65.
const debounce = 15 * time.Millisecond

// Watch builds the project opts names, then builds it again after every
// change to the config, a file of a root, or anything else under the
// config's directory (templates, and those [templates] names by absolute
// path), until ctx is done. It reports each build
// to report, successful or not, and goes on after a failed one: a build
// that fails leaves the previous output and manifest as they were, so the
// manifest is only ever replaced by a complete, successful build. Each
// build loads the config anew, so a change of roots is followed. Writing
// is content-addressed, so a rebuild writes only the files that changed.
// Watch works on projects on disk only.
func Watch(ctx context.Context, opts Options, report func(WatchEvent)) error {
	if opts.FS != nil {
		return errors.New("bundler: Watch needs a project on disk, not in an fs.FS")
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	watched := map[string]bool{}
	var out string // the output directory, whose changes are the builds' own
	opts.memo = newMemo()
	opts.MapFiles = false // see there
	// The last build's cache and record are saved while the loop goes on
	// (20 ms on the 4,000-file site, which an edit saved right after the
	// report would otherwise wait for); the next build waits for them.
	saved := make(chan struct{})
	close(saved)
	defer func() { <-saved }()
	build := func(changed []string) {
		<-saved
		opts.memo.next()
		p, err := Load(opts)
		if err != nil {
			report(WatchEvent{Err: err, Changed: changed})
			// Keep watching the config's directory, to see it come back.
			watchTree(w, watched, filepath.Dir(configPath(opts)), "")
			return
		}
		out, _ = filepath.Abs(p.outputDir)
		// The config's directory holds the config and the templates; the
		// roots may lie elsewhere. Never the output: it would trigger
		// itself. A tree walked once is not walked again (7 ms of each
		// rebuild of the 4,000-file site): a directory made in it since
		// was added when its creation was seen.
		dirs := []string{filepath.Dir(configPath(opts))}
		for _, r := range p.roots {
			dirs = append(dirs, r.Dir)
		}
		dirs = append(dirs, p.templateDirs()...)
		for _, dir := range dirs {
			if abs, err := filepath.Abs(dir); err == nil && !watched[abs] {
				watchTree(w, watched, abs, out)
			}
		}
		res, err := p.Build(ctx)
		report(WatchEvent{Result: res, Err: err, Changed: changed})
		// After the report: the outputs are in place, and the index,
		// the store and the record are for the next build (8 and 20 ms
		// a build).
		saved = make(chan struct{})
		go func() {
			defer close(saved)
			p.saveAfter(ctx)
		}()
	}
	build(nil)

	var changed []string
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-w.Errors:
			return err
		case ev := <-w.Events:
			if isTemp(filepath.Base(ev.Name)) || out != "" && (within(ev.Name, out) || ownName(out, ev.Name)) {
				continue // a build's own file
			}
			if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
				forget(watched, ev.Name)
			}
			if ev.Has(fsnotify.Create) {
				// fsnotify is not recursive: a new directory is watched
				// at once, with what was already created in it.
				watchTree(w, watched, ev.Name, out)
			}
			if !slices.Contains(changed, ev.Name) {
				changed = append(changed, ev.Name)
			}
			timer.Reset(debounce)
		case <-timer.C:
			slices.Sort(changed)
			build(changed)
			changed = nil
		}
	}
}

func configPath(opts Options) string {
	if opts.Config == "" {
		return "assets.toml"
	}
	return opts.Config
}

// watchTree adds dir and every directory below it to w, except skip (the
// output directory), hidden directories such as .git, and node_modules.
func watchTree(w *fsnotify.Watcher, watched map[string]bool, dir, skip string) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return
	}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		// node_modules is skipped too, unless a root is in it: roots are
		// walked from their own directory.
		if p == skip || p != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if !watched[p] {
			if w.Add(p) == nil {
				watched[p] = true
			}
		}
		return nil
	})
}

// forget drops name and what is below it from the directories watched,
// after it was removed or renamed: the system drops its watches, and the
// directory made again in its place must be watched anew.
func forget(watched map[string]bool, name string) {
	for p := range watched {
		if p == name || strings.HasPrefix(p, name+string(filepath.Separator)) {
			delete(watched, p)
		}
	}
}
