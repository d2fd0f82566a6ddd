package bundler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/stapler-build/stapler/manifest"
	"golang.org/x/sync/errgroup"
)

// write puts a result in the output directory. Every file is first
// written under a temporary name beside its final one; only when all are
// written are they renamed into place: the hashed files first (new names,
// or the same bytes under the same name), then the plain copies, then the
// manifests. A hashed file already present with the same size is left
// alone: its name is its content's hash.
func (p *Project) write(ctx context.Context, res *Result) error {
	// A plain copy is not named for its content, so in general only its
	// bytes tell whether it is up to date; but when the manifest in place
	// maps its name to the same hashed file, the build that wrote that
	// manifest wrote these bytes, and the same size is enough. (stapler
	// verify catches a plain copy edited since.)
	prevData, err := os.ReadFile(filepath.Join(p.outputDir, manifest.FileName))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	prev := map[string]string{}
	if m, err := manifest.Parse(prevData); err == nil {
		prev = m.Paths()
	} else {
		prevData = nil // not a manifest: nothing to keep in the history
	}
	var files []outFile
	for _, o := range res.Outputs {
		files = append(files, outFile{name: o.Path, data: o.Data, kind: hashedFile})
		if p.cfg.KeepUnhashed {
			files = append(files, outFile{name: o.Name, data: o.Data, kind: plainFile, built: prev[o.Name] == o.Path})
		}
	}
	siblings, stale, reused, err := p.compress(ctx, res, prev)
	if err != nil {
		return err
	}
	files = append(files, siblings...)
	if p.cfg.Django {
		data, err := res.Manifest.MarshalDjango(p.cfg.DjangoVersion)
		if err != nil {
			return err
		}
		files = append(files, outFile{name: manifest.DjangoFileName, data: data, kind: manifestFile})
	}
	data, err := res.Manifest.Marshal()
	if err != nil {
		return err
	}
	history, err := p.history(prevData, data)
	if err != nil {
		return err
	}
	files = append(files, history...)
	files = append(files, outFile{name: manifest.FileName, data: data, kind: manifestFile})

	// Staging is I/O bound (creating a file costs more than writing it),
	// so it runs wider than the CPUs; each file has its own slot.
	w := &writer{dir: p.outputDir, remove: stale}
	slots := make([]staged, len(files))
	g := new(errgroup.Group)
	g.SetLimit(4 * runtime.GOMAXPROCS(0))
	for i, f := range files {
		g.Go(func() error {
			var err error
			slots[i], err = w.stage(f)
			return err
		})
	}
	err = g.Wait()
	for i, s := range slots {
		switch {
		case s.tmp != "":
			w.staged[files[i].kind] = append(w.staged[files[i].kind], s)
		case s.final != "":
			w.unchanged++
		}
	}
	defer w.cleanup()
	if err != nil {
		return err
	}
	if err := w.commit(); err != nil {
		return err
	}
	res.Stats.Written, res.Stats.Unchanged = w.written, w.unchanged+reused
	for _, f := range siblings {
		if f.kind == hashedFile {
			res.Stats.Compressed++
		}
	}
	return nil
}

// history returns the files that keep the manifest a build replaces, for
// stapler prune: a copy in the history directory and the index, newest
// first. They are renamed into place before the new manifest.
func (p *Project) history(prev, next []byte) ([]outFile, error) {
	if len(prev) == 0 || bytes.Equal(prev, next) {
		return nil, nil
	}
	h, err := readHistory(os.DirFS(p.outputDir))
	if err != nil {
		return nil, err
	}
	h, name := h.push(prev)
	index, err := h.marshal()
	if err != nil {
		return nil, err
	}
	return []outFile{
		{name: historyDir + "/" + name, data: prev, kind: manifestFile},
		{name: historyIndex, data: index, kind: manifestFile},
	}, nil
}

// outFile is a file to write: its name relative to the output directory,
// slash-separated.
type outFile struct {
	name  string
	data  []byte
	kind  int
	built bool // a plain copy the manifest in place says is of these bytes
}

// The kinds of file a build writes, in the order they are renamed into place.
const (
	hashedFile = iota
	plainFile
	manifestFile
)

// writer stages files under temporary names and renames them in order.
type writer struct {
	remove             []string // stale files to remove after the plain copies are in place
	dir                string
	staged             [3][]staged // by kind
	written, unchanged int
}

type staged struct{ tmp, final string }

// stage writes f under a temporary name beside its final one. A file
// already holding the same bytes is not staged (a staged with no tmp);
// for a hashed name the same size is enough. Anything but a regular file
// in the way is an error now, before a single file has been renamed.
func (w *writer) stage(f outFile) (staged, error) {
	final := filepath.Join(w.dir, filepath.FromSlash(f.name))
	st, err := os.Lstat(final)
	switch {
	case err == nil && !st.Mode().IsRegular():
		return staged{}, fmt.Errorf("bundler: cannot write %s: a %s is in the way", final, fileKind(st.Mode()))
	case err == nil && st.Size() == int64(len(f.data)):
		if f.kind == hashedFile || f.built {
			return staged{final: final}, nil
		}
		if old, err := os.ReadFile(final); err == nil && bytes.Equal(old, f.data) {
			return staged{final: final}, nil
		}
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return staged{}, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(final), ".stapler-*.tmp")
	if err != nil {
		return staged{}, err
	}
	s := staged{tmp.Name(), final}
	if _, err := tmp.Write(f.data); err != nil {
		tmp.Close()
		return s, err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return s, err
	}
	return s, tmp.Close()
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	}
	return "special file"
}

// commit renames every staged file into place, kind by kind, and removes
// the stale files before the manifests are replaced.
func (w *writer) commit() error {
	for k := range w.staged {
		if k == manifestFile {
			for _, name := range w.remove {
				if err := os.Remove(filepath.Join(w.dir, filepath.FromSlash(name))); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("bundler: %w", err)
				}
			}
		}
		for len(w.staged[k]) > 0 {
			s := w.staged[k][0]
			if err := os.Rename(s.tmp, s.final); err != nil {
				return fmt.Errorf("bundler: %w", err)
			}
			w.staged[k] = w.staged[k][1:]
			w.written++
		}
	}
	return nil
}

// cleanup removes the temporary files of a write that failed.
func (w *writer) cleanup() {
	for _, list := range w.staged {
		for _, s := range list {
			os.Remove(s.tmp)
		}
	}
}
