package bundler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/stapler-build/stapler/manifest"
)

// A deploy replaces the manifest while browsers still hold pages that name
// the previous build's hashed files, so those files must outlive it for a
// while. A build keeps the manifests it replaced, newest first, in
// historyDir; [Prune] deletes the hashed files that none of the last few
// names.
const (
	historyDir   = ".stapler/history" // the replaced manifests, named for their content's hash
	historyIndex = ".stapler/history.json"
	// historyLimit is how many replaced manifests a build keeps.
	historyLimit = 10
)

// buildHistory is the index of the manifests a build replaced.
type buildHistory struct {
	Version int      `json:"version"`
	Builds  []string `json:"builds"` // files of historyDir, newest first
}

// historyName is the name under historyDir of a replaced manifest.
func historyName(data []byte) string {
	return manifest.ContentHash(data) + ".json"
}

// readHistory reads a directory's history index; a directory without one
// has an empty history.
func readHistory(fsys fs.FS) (*buildHistory, error) {
	data, err := fs.ReadFile(fsys, historyIndex)
	if errors.Is(err, fs.ErrNotExist) {
		return &buildHistory{Version: 1}, nil
	}
	if err != nil {
		return nil, err
	}
	return parseHistory(data)
}

// parseHistory reads a history index.
func parseHistory(data []byte) (*buildHistory, error) {
	var h buildHistory
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("%s: %w", historyIndex, err)
	}
	if h.Version != 1 {
		return nil, fmt.Errorf("%s: unsupported version %d", historyIndex, h.Version)
	}
	for _, b := range h.Builds {
		if hash, ok := strings.CutSuffix(b, ".json"); !ok || !manifest.IsHash(hash) {
			return nil, fmt.Errorf("%s: bad entry %q", historyIndex, b)
		}
	}
	return &h, nil
}

// push returns the history with the manifest data added as the newest
// build, keeping at most historyLimit, and the name to store data under.
func (h *buildHistory) push(data []byte) (*buildHistory, string) {
	name := historyName(data)
	builds := []string{name}
	for _, b := range h.Builds {
		if b != name && len(builds) < historyLimit {
			builds = append(builds, b)
		}
	}
	return &buildHistory{Version: 1, Builds: builds}, name
}

// HistoryDir and HistoryIndex are where an output keeps the manifests
// its deploys replaced, relative to it: a directory's builds keep them
// there, and stapler publish keeps a bucket's at the same names.
const (
	HistoryDir   = historyDir
	HistoryIndex = historyIndex
)

// HistoryBuilds returns the names under [HistoryDir] of the replaced
// manifests a history index lists, newest first: the history [Prune]
// reads. An empty index (nil) lists none.
func HistoryBuilds(index []byte) ([]string, error) {
	if len(index) == 0 {
		return nil, nil
	}
	h, err := parseHistory(index)
	if err != nil {
		return nil, err
	}
	return h.Builds, nil
}

// HistoryUnlisted reports whether name (slash-separated, relative to an
// output or a bucket's prefix) is a replaced manifest of [HistoryDir]
// that the history index, whose builds are builds, no longer lists: one
// that fell off its end. A build removes those it replaces the last of;
// stapler before 2026-12-04 kept every one, and [Prune] removes those.
func HistoryUnlisted(name string, builds []string) bool {
	dir, base := path.Split(name)
	hash, ok := strings.CutSuffix(base, ".json")
	return dir == historyDir+"/" && ok && manifest.IsHash(hash) && !slices.Contains(builds, base)
}

// PushHistory returns the history index that follows index (nil: none
// yet) once the manifest prev is replaced, and the name under
// [HistoryDir] to keep prev at: what a build writes when it replaces a
// directory's manifest, for stapler publish to do the same in a bucket.
func PushHistory(index, prev []byte) (next []byte, name string, err error) {
	h := &buildHistory{Version: 1}
	if len(index) > 0 {
		if h, err = parseHistory(index); err != nil {
			return nil, "", err
		}
	}
	h, name = h.push(prev)
	next, err = h.marshal()
	return next, name, err
}

// marshal returns the index as a build writes it.
func (h *buildHistory) marshal() ([]byte, error) {
	data, err := json.MarshalIndent(h, "", "  ")
	return append(data, '\n'), err
}

// PruneOptions says what [Prune] keeps. The zero value keeps the files of
// the last 3 builds and anything younger than an hour.
type PruneOptions struct {
	Keep   int           // builds whose files are kept, the current one included; default 3
	MinAge time.Duration // files younger than this are kept; default 1h; negative: none kept for age
	Now    time.Time     // default time.Now()
	DryRun bool          // report what would go, delete nothing
	// Waiting, when set, is called once when the output is locked by a
	// build or another prune, with what holds it, before Prune waits.
	Waiting func(holder string)
}

// PruneResult is what [Prune] did, or would do.
type PruneResult struct {
	Removed []string // slash-separated, relative to the directory, sorted
	Bytes   int64    // their size
	Kept    int      // hashed files kept
}

// Prune deletes from an output directory the hashed files (the names
// [manifest.SplitHashed] recognises) that neither the current manifest
// nor the manifests of the last Keep-1 builds before it (which builds
// keep in .stapler/history) name, when they are older than MinAge, with
// their precompressed siblings (.br, .gz, .zst), and temporary files a
// failed build left; and, as old, the replaced manifests the history
// index no longer lists (see [HistoryUnlisted]). It never deletes a file
// the current manifest names, a plain copy or its siblings, the current
// manifests or a replaced one the index lists.
func Prune(dir string, opts PruneOptions) (*PruneResult, error) {
	if opts.Keep <= 0 {
		opts.Keep = 3
	}
	switch {
	case opts.MinAge == 0:
		opts.MinAge = time.Hour
	case opts.MinAge < 0:
		opts.MinAge = 0
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	fsys := os.DirFS(dir)
	if _, err := fs.Stat(fsys, manifest.FileName); err != nil {
		return nil, fmt.Errorf("prune: no current manifest: %w", err)
	}
	// Not while a build writes: its temporary files, and the hashed files
	// it finds in place and keeps, are about to be named.
	unlock, err := lockOutput(context.Background(), dir, "stapler prune", opts.Waiting)
	if err != nil {
		return nil, fmt.Errorf("prune: %w", err)
	}
	defer unlock()
	o, err := openOutput(dir, false)
	if err != nil {
		return nil, fmt.Errorf("prune: %w", err)
	}
	if err := o.sweep(); err != nil {
		return nil, fmt.Errorf("prune: %w", err)
	}
	data, err := fs.ReadFile(fsys, manifest.FileName)
	if err != nil {
		return nil, fmt.Errorf("prune: no current manifest: %w", err)
	}
	current, err := manifest.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("prune: %s: %w", manifest.FileName, err)
	}
	keep := map[string]bool{}
	for name, e := range current.Files {
		keep[e.Path] = true
		keep[name] = true
	}
	h, err := readHistory(fsys)
	if err != nil {
		return nil, fmt.Errorf("prune: %w", err)
	}
	for _, b := range h.Builds[:min(len(h.Builds), opts.Keep-1)] {
		data, err := fs.ReadFile(fsys, path.Join(historyDir, b))
		if err != nil {
			return nil, fmt.Errorf("prune: %w", err)
		}
		old, err := manifest.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("prune: %s: %w", path.Join(historyDir, b), err)
		}
		for _, e := range old.Files {
			keep[e.Path] = true
		}
	}

	res := &PruneResult{}
	cutoff := opts.Now.Add(-opts.MinAge)
	err = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		temp := isTemp(path.Base(name))
		unlisted := HistoryUnlisted(name, h.Builds)
		if strings.HasPrefix(name, ".stapler/") && !temp && !unlisted {
			return nil // the build history: only a dead build's temporary files, and what it no longer lists, go
		}
		// A precompressed sibling (x.<hash>.css.br) goes with its hashed
		// file: kept while it is kept, and removed with it.
		of := name
		for _, enc := range manifest.Encodings() {
			if s, ok := strings.CutSuffix(name, manifest.Suffix(enc)); ok {
				of = s
				break
			}
		}
		_, _, hashed := manifest.SplitHashed(path.Base(of))
		switch {
		case !d.Type().IsRegular(), name == manifest.FileName, name == manifest.DjangoFileName:
			return nil
		case !temp && !hashed && !unlisted:
			return nil // a plain copy or its sibling, or a file stapler did not write
		case keep[of]:
			res.Kept++
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.ModTime().After(cutoff) {
			if !temp && !unlisted {
				res.Kept++
			}
			return nil
		}
		res.Removed = append(res.Removed, name)
		res.Bytes += info.Size()
		return nil
	})
	if err == nil && !opts.DryRun {
		err = o.remove(res.Removed)
	}
	if err != nil {
		return nil, fmt.Errorf("prune: %w", err)
	}
	slices.Sort(res.Removed)
	return res, nil
}

// remove deletes files (slash-separated names) from the output: in place,
// or in link mode by switching to a generation without them.
func (o *output) remove(names []string) error {
	if len(names) == 0 {
		return nil
	}
	if !o.link {
		for _, name := range names {
			if err := os.Remove(filepath.Join(o.dir, filepath.FromSlash(name))); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		return nil
	}
	gone := map[string]bool{}
	for _, name := range names {
		gone[name] = true
	}
	gen, root, err := o.next(func(name string) bool { return gone[name] }, false, nil)
	if err != nil {
		return err
	}
	root.Close()
	if err := o.switchTo(gen); err != nil {
		o.discard(gen)
		return err
	}
	return nil
}
