package bundler

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/stapler-build/stapler/manifest"
)

// write puts a result in the output directory. Every file is first
// written under a temporary name beside its final one; only when all are
// written are they renamed into place, the manifests last. A hashed file
// already present with the same size is left alone: its name is its
// content's hash.
func (p *Project) write(res *Result) error {
	w := &writer{dir: p.outputDir}
	defer w.cleanup()
	for _, o := range res.Outputs {
		if err := w.put(o.Path, o.Data, true); err != nil {
			return err
		}
		if p.Config.KeepUnhashed {
			if err := w.put(o.Name, o.Data, false); err != nil {
				return err
			}
		}
	}
	if p.Config.Django {
		data, err := res.Manifest.MarshalDjango(p.Config.DjangoVersion)
		if err != nil {
			return err
		}
		if err := w.put(manifest.DjangoFileName, data, false); err != nil {
			return err
		}
	}
	data, err := res.Manifest.Marshal()
	if err != nil {
		return err
	}
	if err := w.put(manifest.FileName, data, false); err != nil {
		return err
	}
	if err := w.commit(); err != nil {
		return err
	}
	res.Stats.Written, res.Stats.Unchanged = w.written, w.unchanged
	return nil
}

// writer stages files under temporary names and renames them in order.
type writer struct {
	dir                string
	staged             [][2]string // temporary name, final name
	written, unchanged int
}

// put stages data for name (slash-separated, relative to the directory).
// A file already holding the same bytes is not staged; for a hashed name
// the same size is enough.
func (w *writer) put(name string, data []byte, hashed bool) error {
	final := filepath.Join(w.dir, filepath.FromSlash(name))
	if st, err := os.Stat(final); err == nil && st.Mode().IsRegular() && st.Size() == int64(len(data)) {
		if hashed {
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
	w.staged = append(w.staged, [2]string{f.Name(), final})
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

// commit renames every staged file into place, in the order staged.
func (w *writer) commit() error {
	for i, s := range w.staged {
		if err := os.Rename(s[0], s[1]); err != nil {
			w.staged = w.staged[i:]
			return fmt.Errorf("bundler: %w", err)
		}
		w.written++
	}
	w.staged = nil
	return nil
}

// cleanup removes the temporary files of a write that failed.
func (w *writer) cleanup() {
	for _, s := range w.staged {
		os.Remove(s[0])
	}
}
