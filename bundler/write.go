package bundler

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/stapler-build/stapler/manifest"
)

// write puts a result in the output directory. Every file is first
// written under a temporary name beside its final one; only when all are
// written are they renamed into place: the hashed files first (new names,
// or the same bytes under the same name), then the plain copies, then the
// manifests. A hashed file already present with the same size is left
// alone: its name is its content's hash.
func (p *Project) write(res *Result) error {
	w := &writer{dir: p.outputDir}
	defer w.cleanup()
	for _, o := range res.Outputs {
		if err := w.put(o.Path, o.Data, hashedFile); err != nil {
			return err
		}
		if p.Config.KeepUnhashed {
			if err := w.put(o.Name, o.Data, plainFile); err != nil {
				return err
			}
		}
	}
	if p.Config.Django {
		data, err := res.Manifest.MarshalDjango(p.Config.DjangoVersion)
		if err != nil {
			return err
		}
		if err := w.put(manifest.DjangoFileName, data, manifestFile); err != nil {
			return err
		}
	}
	data, err := res.Manifest.Marshal()
	if err != nil {
		return err
	}
	if err := w.put(manifest.FileName, data, manifestFile); err != nil {
		return err
	}
	if err := w.commit(); err != nil {
		return err
	}
	res.Stats.Written, res.Stats.Unchanged = w.written, w.unchanged
	return nil
}

// The kinds of file a build writes, in the order they are renamed into place.
const (
	hashedFile = iota
	plainFile
	manifestFile
)

// writer stages files under temporary names and renames them in order.
type writer struct {
	dir                string
	staged             [3][]staged // by kind
	written, unchanged int
}

type staged struct{ tmp, final string }

// put stages data for name (slash-separated, relative to the directory).
// A file already holding the same bytes is not staged; for a hashed name
// the same size is enough. Anything but a regular file in the way is an
// error now, before a single file has been renamed.
func (w *writer) put(name string, data []byte, kind int) error {
	final := filepath.Join(w.dir, filepath.FromSlash(name))
	st, err := os.Lstat(final)
	switch {
	case err == nil && !st.Mode().IsRegular():
		return fmt.Errorf("bundler: cannot write %s: a %s is in the way", final, fileKind(st.Mode()))
	case err == nil && st.Size() == int64(len(data)):
		if kind == hashedFile {
			w.unchanged++
			return nil
		}
		if old, err := os.ReadFile(final); err == nil && bytes.Equal(old, data) {
			w.unchanged++
			return nil
		}
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(final), ".stapler-*.tmp")
	if err != nil {
		return err
	}
	w.staged[kind] = append(w.staged[kind], staged{f.Name(), final})
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	return f.Close()
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

// commit renames every staged file into place, kind by kind.
func (w *writer) commit() error {
	for k := range w.staged {
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
